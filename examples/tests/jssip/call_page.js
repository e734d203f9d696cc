// The browser side of examples/tests/browser_call.rs: a JsSIP 3.13 UA calls cfg.target through
// the gateway over cfg.url (ws:// or wss://) — unregistered, or, when cfg.password is given,
// once registered as cfg.uri with cfg.authorization_user / cfg.password (digest, e.g. ephemeral
// credentials) — talks cfg.seconds with the fake microphone, reports
// getStats() of the call's RTCPeerConnection every 500 ms ('stats', JSON), puts the call on hold
// and resumes it at the times cfg.hold gives (if any), hangs up (BYE) after
// cfg.seconds unless the far end hung up first, and stops. With cfg.video it asks for the
// (fake) camera too, so that its offer has a video section. With cfg.cancelAfterMs it instead
// cancels the call that long after sending the INVITE (JsSIP terminate() before an answer: a
// CANCEL); with cfg.expectFailure a failed call is reported as 'failed' (originator and cause)
// and the page stops, instead of an 'error'. The first line of every SIP message received on the
// WebSocket is reported as 'sip-in'. Every step goes to window.report(kind, detail), printed by
// run.js as one JSON line.
'use strict';

window.start = (cfg) => {
  const report = (kind, detail) => {
    document.getElementById('log').textContent += `${kind} ${detail || ''}\n`;
    window.report(kind, detail === undefined ? '' : String(detail));
  };
  const socket = new JsSIP.WebSocketInterface(cfg.url);
  // Bound when the socket connects: wrapped before, so every frame is seen first.
  const onMessage = socket._onMessage;
  socket._onMessage = function (ev) {
    report('sip-in', String(ev.data).split('\r\n', 1)[0]);
    return onMessage.call(this, ev);
  };
  const ua = new JsSIP.UA({
    sockets: [socket],
    uri: cfg.uri,
    authorization_user: cfg.authorization_user || undefined,
    password: cfg.password || undefined,
    register: Boolean(cfg.password),
    register_expires: 600,
    session_timers: false,
  });
  let session = null;
  let timer = null;
  const stats = async () => {
    const pc = session && session.connection;
    if (!pc) return {};
    const s = { iceConnectionState: pc.iceConnectionState, connectionState: pc.connectionState };
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'transport') {
        s.dtlsState = r.dtlsState;
        s.srtpCipher = r.srtpCipher;
        s.dtlsRole = r.dtlsRole;
      } else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        s.packetsReceived = r.packetsReceived;
        s.totalSamplesReceived = r.totalSamplesReceived;
        s.concealedSamples = r.concealedSamples;
        s.totalAudioEnergy = r.totalAudioEnergy;
      } else if (r.type === 'outbound-rtp' && r.kind === 'audio') {
        s.packetsSent = r.packetsSent;
      }
    });
    return s;
  };
  const call = () => {
    session = ua.call(cfg.target, {
      mediaConstraints: { audio: true, video: Boolean(cfg.video) },
      pcConfig: { iceServers: [] },
      eventHandlers: {
        sending: () => {
          if (cfg.cancelAfterMs !== undefined) {
            setTimeout(() => { report('canceling'); session.terminate(); }, cfg.cancelAfterMs);
          }
        },
        progress: (e) => report('progress', e.response && e.response.status_code),
        failed: (e) => {
          if (!cfg.expectFailure) {
            report('error', `call failed: ${e.cause}`);
            return;
          }
          report('failed', `${e.originator} ${e.cause}`);
          // The final response (487, 488) and its ACK go through before the page stops.
          setTimeout(() => { ua.stop(); setTimeout(() => report('done'), 300); }, 1000);
        },
        hold: (e) => report('hold', e.originator),
        unhold: (e) => report('unhold', e.originator),
        confirmed: () => {
          report('confirmed');
          // Play what comes back, so that Chromium decodes it (totalSamplesReceived, audio energy).
          const tracks = session.connection.getReceivers().map((r) => r.track).filter(Boolean);
          const audio = new Audio();
          audio.srcObject = new MediaStream(tracks);
          audio.play().catch((e) => report('warning', `audio.play: ${e}`));
          const started = Date.now();
          // cfg.hold = [hold at, resume at] seconds: JsSIP's hold() / unhold() (a re-INVITE
          // with a=sendonly, then a=sendrecv).
          const [holdAt, resumeAt] = cfg.hold || [];
          let held = false;
          let resumed = false;
          timer = setInterval(async () => {
            const t = (Date.now() - started) / 1000;
            if (holdAt !== undefined && !held && t >= holdAt) {
              held = true;
              report('holding', session.hold());
            }
            if (resumeAt !== undefined && held && !resumed && t >= resumeAt) {
              resumed = true;
              report('resuming', session.unhold());
            }
            report('stats', JSON.stringify(await stats()));
            if (Date.now() - started >= cfg.seconds * 1000) {
              clearInterval(timer);
              report('final-stats', JSON.stringify(await stats()));
              report('hanging-up');
              session.terminate();
            }
          }, 500);
        },
        ended: (e) => {
          clearInterval(timer);
          report('ended', e.originator + ' ' + e.cause);
          ua.stop();
          setTimeout(() => report('done'), 300);
        },
      },
    });
  };
  ua.on('connected', () => {
    report('connected');
    if (!cfg.password) call();
  });
  ua.on('registered', (e) => {
    if (session) return; // a refresh
    report('registered', e.response.status_code);
    call();
  });
  ua.on('registrationFailed', (e) => report('error', `registration failed: ${e.cause}`));
  ua.on('disconnected', (e) => report('disconnected', e && e.code));
  ua.start();
  report('started', JsSIP.version);
};
