// The browser side of examples/tests/jssip_ws.rs: a JsSIP 3.13 UA that registers over
// ws://127.0.0.1:PORT (digest challenge expected), sends OPTIONS and MESSAGE to the server, answers
// what the server sends it, then unregisters and stops. Every step goes to window.report(kind, detail),
// which run.js prints as one JSON line for the test.
'use strict';

window.start = (cfg) => {
  const report = (kind, detail) => {
    document.getElementById('log').textContent += `${kind} ${detail || ''}\n`;
    window.report(kind, detail === undefined ? '' : String(detail));
  };
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(cfg.url)],
    uri: cfg.uri,
    password: cfg.password,
    register: true,
    register_expires: 600,
    session_timers: false,
  });
  const got = { registered: false, message: false, options: false, inMessage: false, inOptions: false };
  let finishing = false;
  const maybeFinish = () => {
    if (finishing || !Object.values(got).every(Boolean)) return;
    finishing = true;
    report('unregistering');
    ua.unregister();
  };

  ua.on('connected', () => report('connected'));
  ua.on('disconnected', (e) => report('disconnected', e && e.code));
  ua.on('registrationFailed', (e) => report('error', `registration failed: ${e.cause}`));
  ua.on('registered', (e) => {
    if (got.registered) return; // a refresh
    got.registered = true;
    report('registered', e.response.status_code);
    ua.sendMessage(cfg.target, cfg.message, {
      contentType: 'text/plain',
      eventHandlers: {
        succeeded: (ev) => { got.message = true; report('message-sent', ev.response.status_code); maybeFinish(); },
        failed: (ev) => report('error', `MESSAGE failed: ${ev.cause}`),
      },
    });
    ua.sendOptions(cfg.target, null, {
      eventHandlers: {
        succeeded: (ev) => { got.options = true; report('options-sent', ev.response.status_code); maybeFinish(); },
        failed: (ev) => report('error', `OPTIONS failed: ${ev.cause}`),
      },
    });
  });
  // Requests from the server, over this WebSocket connection. JsSIP answers both 200.
  ua.on('newMessage', (e) => {
    if (e.originator !== 'remote') return;
    got.inMessage = true;
    report('message-received', e.request.body);
    setTimeout(maybeFinish, 0);
  });
  ua.on('newOptions', (e) => {
    if (e.originator !== 'remote') return;
    got.inOptions = true;
    report('options-received', e.request.ruri);
    setTimeout(maybeFinish, 0);
  });
  ua.on('unregistered', () => {
    if (!finishing) return;
    report('unregistered');
    ua.stop();
    setTimeout(() => report('done'), 200);
  });
  ua.start();
  report('started', JsSIP.version);
};
