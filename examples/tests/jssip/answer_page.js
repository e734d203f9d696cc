// The browser side of the phone-calls-the-browser test in examples/tests/browser_call.rs: a JsSIP
// 3.13 UA registers over ws:// as cfg.uri (answering a digest challenge with cfg.password, if
// any), answers the first incoming call automatically with the fake microphone, plays what it
// receives, reports getStats() of the call every 500 ms ('stats', JSON) and what the call's SDP
// said ('remote-sdp', 'local-sdp'); with cfg.hangUpAfter (seconds) it hangs up itself then;
// when the call ends it unregisters and stops. Every
// step goes to window.report(kind, detail), printed by run.js as one JSON line.
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
  let timer = null;
  const stats = async (session) => {
    const pc = session.connection;
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
  ua.on('connected', () => report('connected'));
  ua.on('registrationFailed', (e) => report('error', `registration failed: ${e.cause}`));
  ua.on('registered', (e) => report('registered', e.response.status_code));
  ua.on('newRTCSession', (e) => {
    if (e.originator !== 'remote') return;
    const session = e.session;
    report('incoming', e.request.ruri);
    session.on('failed', (ev) => report('error', `call failed: ${ev.cause}`));
    session.on('confirmed', () => {
      report('confirmed');
      report('remote-sdp', session.connection.remoteDescription.sdp);
      report('local-sdp', session.connection.localDescription.sdp);
      const tracks = session.connection.getReceivers().map((r) => r.track).filter(Boolean);
      const audio = new Audio();
      audio.srcObject = new MediaStream(tracks);
      audio.play().catch((err) => report('warning', `audio.play: ${err}`));
      timer = setInterval(async () => report('stats', JSON.stringify(await stats(session))), 500);
      if (cfg.hangUpAfter !== undefined) {
        setTimeout(async () => {
          report('final-stats', JSON.stringify(await stats(session)));
          report('hanging-up');
          session.terminate();
        }, cfg.hangUpAfter * 1000);
      }
    });
    session.on('ended', (ev) => {
      clearInterval(timer);
      report('ended', ev.originator + ' ' + ev.cause);
      ua.unregister();
    });
    session.answer({
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
    });
  });
  ua.on('unregistered', () => {
    report('unregistered');
    ua.stop();
    setTimeout(() => report('done'), 300);
  });
  ua.start();
  report('started', JsSIP.version);
};
