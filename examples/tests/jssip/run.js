// Drives headless Debian Chromium (/usr/bin/chromium, never a downloaded browser) with playwright-core:
// loads page.html from disk, injects JsSIP bundled by esbuild and the page script (page.js, or
// cfg.page: call_page.js for a call), starts it with the config and prints one JSON line
// {kind, detail} per step on stdout for examples/tests/jssip_ws.rs and browser_call.rs.
// Usage: node run.js CONFIG_JSON   (page script's fields; optional `page` and extra Chromium `args`;
// or `open`: a URL to open and keep open until stdin closes, nothing injected; or `pages`: a list of
// page configs, each run in its own page of the one browser, lines' kinds prefixed "INDEX:")
// Ends on 'done', on an error, after 80 s, or when stdin closes (the test going away).
'use strict';

const path = require('path');
const esbuild = require('esbuild');
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
process.stdin.on('end', () => finish(3));
process.stdin.resume();
setTimeout(() => { emit('error', 'run.js gave up after 80 s'); finish(4); }, 80_000).unref();

(async () => {
  const bundle = cfg.open ? '' : esbuild.buildSync({
    entryPoints: [require.resolve('jssip')],
    bundle: true, format: 'iife', globalName: 'JsSIP', platform: 'browser', write: false, logLevel: 'warning',
  }).outputFiles[0].text;
  server = await chromium.launchServer({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // As the machine's notes advise for root in a closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...(cfg.args || [])],
  });
  emit('browser-pid', server.process().pid);
  const browser = await chromium.connect(server.wsEndpoint());
  emit('browser', `Chromium ${browser.version()}`);
  if (cfg.pages) {
    // Several pages in the one browser, each its own JsSIP UA with its own config; every line's
    // kind is prefixed with the page's index ("1:confirmed"); ends when every page is done.
    let left = cfg.pages.length;
    let failed = false;
    const all = new Promise((resolve) => {
      cfg.pages.forEach(async (pc, i) => {
        const page = await browser.newPage();
        page.on('pageerror', (e) => emit(`${i}:error`, `page: ${e}`));
        await page.exposeFunction('report', (kind, detail) => {
          emit(`${i}:${kind}`, detail);
          if (kind === 'error') failed = true;
          if (kind === 'done' || kind === 'error') {
            left -= 1;
            if (left === 0) resolve();
          }
        });
        await page.goto('file://' + path.join(__dirname, 'page.html'));
        await page.addScriptTag({ content: bundle });
        await page.addScriptTag({ path: path.join(__dirname, pc.page || 'page.js') });
        await page.evaluate((c) => window.start(c), pc);
      });
    });
    await all;
    emit('done', '');
    await finish(failed ? 1 : 0);
    return;
  }
  const page = await browser.newPage();
  page.on('pageerror', (e) => emit('error', `page: ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') emit('console-error', m.text()); });
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  await page.exposeFunction('report', (kind, detail) => {
    emit(kind, detail);
    if (kind === 'done' || kind === 'error') done(kind);
  });
  if (cfg.open) {
    // Just a page that talks to the test itself (HTTP on loopback): open it and stay.
    await page.goto(cfg.open);
    return;
  }
  await page.goto('file://' + path.join(__dirname, 'page.html'));
  await page.addScriptTag({ content: bundle });
  await page.addScriptTag({ path: path.join(__dirname, cfg.page || 'page.js') });
  await page.evaluate((c) => window.start(c), cfg);
  const how = await finished;
  await finish(how === 'done' ? 0 : 1);
})().catch((e) => { emit('error', `run.js: ${e && e.stack || e}`); finish(2); });
