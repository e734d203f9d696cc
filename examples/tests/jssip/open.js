// Opens one page in headless Debian Chromium (/usr/bin/chromium, never a downloaded browser) through
// playwright-core, with the extra Chromium flags a test asks for, and keeps it open until stdin
// closes (the test going away) or 80 s pass. The page talks to the test itself (HTTP on loopback).
// Prints {"kind":"browser-pid"|"browser"|"error", "detail":…} lines on stdout.
// Usage: node open.js '{"url": "http://127.0.0.1:PORT/", "args": ["--use-fake-device-for-media-stream"]}'
'use strict';

const { chromium } = require('playwright-core');

const cfg = JSON.parse(process.argv[2]);
const emit = (kind, detail) => process.stdout.write(JSON.stringify({ kind, detail: String(detail ?? '') }) + '\n');

let server = null;
let exiting = false;
async function finish(code) {
  if (exiting) return;
  exiting = true;
  try { if (server) await server.close(); } catch (e) { emit('warning', `closing the browser: ${e}`); }
  process.exit(code);
}
process.stdin.on('end', () => finish(0));
process.stdin.resume();
setTimeout(() => { emit('error', 'open.js gave up after 80 s'); finish(4); }, 80_000).unref();

(async () => {
  server = await chromium.launchServer({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...(cfg.args || [])],
  });
  emit('browser-pid', server.process().pid);
  const browser = await chromium.connect(server.wsEndpoint());
  emit('browser', `Chromium ${browser.version()}`);
  const page = await browser.newPage();
  page.on('pageerror', (e) => emit('error', `page: ${e}`));
  await page.goto(cfg.url);
})().catch((e) => { emit('error', `open.js: ${e && e.stack || e}`); finish(2); });
