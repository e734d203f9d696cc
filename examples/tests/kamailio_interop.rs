//! Interop with a real SIP server: Kamailio on 127.0.0.1 as registrar (digest auth, in-memory
//! usrloc) and record-routing proxy. Two of our Sans-IO user agents, each on its own real UDP
//! socket (UDP, and TCP with stream framing), send OPTIONS, REGISTER (401 → authenticated 200), then call each other through Kamailio
//! (INVITE/180/200/ACK, then BYE). Kamailio is installed if missing (apt-get), started in the
//! foreground on a free port with the config in `tests/kamailio/kamailio.cfg`, and stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::kamailio::{kamailio_binary, module_dir, Kamailio};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rtcweb_sip_core::framing::{next_frame, Frame};
use rtcweb_sip_core::message::{Header, Limits};
use rtcweb_sip_core::registration::Credentials;
use rtcweb_sip_core::transaction::{Peer, Transport};
use rtcweb_sip_core::ua::{CallHandle, EndReason, UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;

const SECRET: &str = "interop-secret";

fn free_port() -> u16 {
    loop {
        let u = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = u.local_addr().unwrap().port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn start_kamailio(bin: &Path, port: u16) -> Kamailio {
    let dir = std::env::temp_dir().join(format!("rtcweb-kamailio-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let template = include_str!("kamailio/kamailio.cfg");
    let cfg = template.replace("@PORT@", &port.to_string()).replace(
        "@MPATH@",
        &format!("{}/", module_dir().expect("kamailio modules").display()),
    );
    let cfg_path = dir.join("kamailio.cfg");
    std::fs::write(&cfg_path, cfg).unwrap();
    let log = dir.join("kamailio.log");
    let child = Command::new(bin)
        .arg("-DD")
        .arg("-E")
        .arg("-f")
        .arg(&cfg_path)
        .arg("-P")
        .arg(dir.join("kamailio.pid"))
        .arg("-w")
        .arg(&dir)
        .arg("-m")
        .arg("32")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn kamailio");
    Kamailio { child, log }
}

/// A real socket: a UDP socket, or a TCP connection to Kamailio with its read buffer.
enum Socket {
    Udp(UdpSocket),
    Tcp { stream: TcpStream, rbuf: Vec<u8> },
}

/// One of our UAs on a real socket.
struct Endpoint {
    name: &'static str,
    sock: Socket,
    server: SocketAddr,
    ua: UserAgent,
    events: Vec<UaEvent>,
    wire: Vec<String>,
    answer: bool,
}

impl Endpoint {
    fn new(name: &'static str, server: SocketAddr, _seed: u64, transport: Transport) -> Self {
        let (sock, me) = match transport {
            Transport::Tcp => {
                let stream = TcpStream::connect_timeout(&server, Duration::from_secs(5)).unwrap();
                stream.set_nodelay(true).unwrap();
                stream.set_nonblocking(true).unwrap();
                let me = stream.local_addr().unwrap();
                (
                    Socket::Tcp {
                        stream,
                        rbuf: Vec::new(),
                    },
                    me,
                )
            }
            _ => {
                let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
                sock.set_nonblocking(true).unwrap();
                let me = sock.local_addr().unwrap();
                (Socket::Udp(sock), me)
            }
        };
        let (token, param) = match transport {
            Transport::Tcp => ("TCP", ";transport=tcp"),
            _ => ("UDP", ""),
        };
        let mut cfg = UaConfig::new(
            &format!("sip:{name}@127.0.0.1"),
            &format!("<sip:{name}@{me}{param}>"),
            &format!("SIP/2.0/{token} {me}"),
            Peer {
                addr: server,
                transport,
            },
            rtcweb_cli::runtime::random_seed(),
        );
        cfg.registrar = format!("sip:{server}");
        cfg.register_expires = 300;
        cfg.credentials = Some(Credentials::new(name, SECRET));
        Self {
            name,
            sock,
            server,
            ua: UserAgent::new(cfg),
            events: Vec::new(),
            wire: Vec::new(),
            answer: false,
        }
    }

    fn has(&self, f: impl Fn(&UaEvent) -> bool) -> bool {
        self.events.iter().any(f)
    }

    /// Feeds every message waiting on the socket to the UA.
    fn receive(&mut self, clock: &Clock, buf: &mut [u8]) {
        match &mut self.sock {
            Socket::Udp(sock) => {
                while let Ok((n, from)) = sock.recv_from(buf) {
                    self.wire.push(format!("<- {}", first_line(&buf[..n])));
                    let _ = self
                        .ua
                        .handle_receive(clock.now(), Peer::udp(from), &buf[..n]);
                }
            }
            Socket::Tcp { stream, rbuf } => {
                while let Ok(n) = stream.read(buf) {
                    if n == 0 {
                        break;
                    }
                    rbuf.extend_from_slice(&buf[..n]);
                }
                let peer = Peer {
                    addr: self.server,
                    transport: Transport::Tcp,
                };
                loop {
                    let mut st = [Header::EMPTY; 128];
                    let consumed = match next_frame(rbuf, &mut st, &Limits::DEFAULT).unwrap() {
                        Frame::NeedMore { .. } => break,
                        Frame::KeepAlive { len, .. } => len,
                        Frame::Message { len, .. } => len,
                    };
                    let msg: Vec<u8> = rbuf.drain(..consumed).collect();
                    if msg.iter().all(|b| *b == b'\r' || *b == b'\n') {
                        continue;
                    }
                    self.wire.push(format!("<- {}", first_line(&msg)));
                    let _ = self.ua.handle_receive(clock.now(), peer, &msg);
                }
            }
        }
    }

    fn send(&mut self, bytes: &[u8], to: SocketAddr) {
        self.wire.push(format!("-> {}", first_line(bytes)));
        match &mut self.sock {
            Socket::Udp(sock) => {
                sock.send_to(bytes, to).unwrap();
            }
            Socket::Tcp { stream, .. } => {
                let mut rest = bytes;
                while !rest.is_empty() {
                    match stream.write(rest) {
                        Ok(n) => rest = &rest[n..],
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        Err(e) => panic!("tcp write: {e}"),
                    }
                }
            }
        }
    }
}

struct Clock(std::time::Instant);
impl Clock {
    fn now(&self) -> Instant {
        Instant::from_nanos(i64::try_from(self.0.elapsed().as_nanos()).unwrap())
    }
}

fn first_line(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

/// Drives every endpoint until `done` or `limit` passes; returns whether `done` became true.
fn run(
    eps: &mut [&mut Endpoint],
    clock: &Clock,
    limit: Duration,
    done: impl Fn(&[&mut Endpoint]) -> bool,
) -> bool {
    let end = std::time::Instant::now() + limit;
    let mut buf = vec![0u8; 65535];
    while std::time::Instant::now() < end {
        for ep in eps.iter_mut() {
            let now = clock.now();
            if ep.ua.poll_timeout().is_some_and(|t| t <= now) {
                ep.ua.handle_timeout(now);
            }
            ep.receive(clock, &mut buf);
            while let Ok(Some(t)) = ep.ua.poll_transmit(clock.now(), &mut buf) {
                let bytes = buf[..t.len].to_vec();
                ep.send(&bytes, t.destination);
            }
            while let Some(e) = ep.ua.poll_event() {
                if let UaEvent::IncomingCall { call, .. } = &e {
                    if ep.answer {
                        ep.ua.ringing(clock.now(), *call).unwrap();
                        ep.ua.answer(clock.now(), *call, b"v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5002 RTP/AVP 0\r\n").unwrap();
                    }
                }
                ep.events.push(e);
            }
        }
        if done(eps) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

#[test]
fn register_options_and_call_through_kamailio_over_udp() {
    scenario(Transport::Udp);
}

#[test]
fn register_options_and_call_through_kamailio_over_tcp() {
    scenario(Transport::Tcp);
}

fn scenario(transport: Transport) {
    let Some(bin) = kamailio_binary() else {
        println!("SKIP: kamailio is not installed and `apt-get install kamailio` failed");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this interop test"
        );
        return;
    };
    if module_dir().is_none() {
        println!("SKIP: kamailio modules directory not found");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this interop test"
        );
        return;
    }
    let port = free_port();
    let server: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let kam = start_kamailio(&bin, port);
    let clock = Clock(std::time::Instant::now());
    // Kamailio must listen before a TCP connect: wait for its port (bounded).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(&server, Duration::from_millis(200)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "kamailio did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut alice = Endpoint::new("alice", server, 11, transport);
    let mut bob = Endpoint::new("bob", server, 22, transport);
    bob.answer = true;

    // OPTIONS until Kamailio listens (bounded).
    let mut up = false;
    for _ in 0..20 {
        alice
            .ua
            .options(clock.now(), &format!("sip:{server}"))
            .unwrap();
        up = run(&mut [&mut alice], &clock, Duration::from_millis(500), |e| {
            e[0].has(|e| *e == UaEvent::OptionsResponse { code: 200 })
        });
        if up {
            break;
        }
    }
    let log = std::fs::read_to_string(&kam.log).unwrap_or_default();
    assert!(up, "no 200 to OPTIONS from kamailio; log:\n{log}");

    // REGISTER: 401 challenge, then authenticated 200.
    alice.ua.register(clock.now());
    bob.ua.register(clock.now());
    let registered = run(
        &mut [&mut alice, &mut bob],
        &clock,
        Duration::from_secs(10),
        |e| {
            e.iter()
                .all(|ep| ep.has(|e| matches!(e, UaEvent::Registered { .. })))
        },
    );
    assert!(registered, "alice {:?}\nbob {:?}", alice.wire, bob.wire);
    for ep in [&alice, &bob] {
        assert!(
            ep.wire.iter().any(|l| l.starts_with("<- SIP/2.0 401")),
            "{}: {:?}",
            ep.name,
            ep.wire
        );
        assert_eq!(
            ep.wire
                .iter()
                .filter(|l| l.starts_with("-> REGISTER"))
                .count(),
            2
        );
    }

    // alice calls bob through Kamailio: INVITE / 100 / 180 / 200 / ACK.
    let sdp = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";
    let call: CallHandle = alice
        .ua
        .call(clock.now(), &format!("sip:bob@{server}"), sdp)
        .unwrap();
    let up = run(
        &mut [&mut alice, &mut bob],
        &clock,
        Duration::from_secs(10),
        |e| {
            e[0].has(|e| matches!(e, UaEvent::Answered { .. }))
                && e[1].has(|e| matches!(e, UaEvent::Confirmed { .. }))
        },
    );
    assert!(up, "alice {:?}\nbob {:?}", alice.wire, bob.wire);
    assert!(alice.has(|e| matches!(e, UaEvent::Progress { code: 180, .. })));
    assert!(bob.has(|e| matches!(e, UaEvent::IncomingCall { sdp: s, .. } if s.as_slice() == sdp)));
    let route = alice.ua.dialog(call).unwrap().route_set().to_vec();
    assert_eq!(route.len(), 1, "Kamailio record-routes: {route:?}");

    // alice hangs up: BYE through Kamailio, 200.
    alice.ua.hangup(clock.now(), call).unwrap();
    let ended = run(
        &mut [&mut alice, &mut bob],
        &clock,
        Duration::from_secs(10),
        |e| {
            e[0].has(|e| {
                matches!(
                    e,
                    UaEvent::CallEnded {
                        reason: EndReason::LocalHangup,
                        ..
                    }
                )
            }) && e[1].has(|e| {
                matches!(
                    e,
                    UaEvent::CallEnded {
                        reason: EndReason::RemoteHangup,
                        ..
                    }
                )
            })
        },
    );
    assert!(ended, "alice {:?}\nbob {:?}", alice.wire, bob.wire);

    // Unregister both.
    alice.ua.unregister(clock.now());
    bob.ua.unregister(clock.now());
    let gone = run(
        &mut [&mut alice, &mut bob],
        &clock,
        Duration::from_secs(10),
        |e| e.iter().all(|ep| ep.has(|e| *e == UaEvent::Unregistered)),
    );
    assert!(gone, "alice {:?}\nbob {:?}", alice.wire, bob.wire);
    drop(kam);
}

/// baresip, headless (no console, a WAV file as source, audio to /dev/null), auto-answering; stopped by PID.
struct Baresip(Child);

impl Drop for Baresip {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..30 {
            if self.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Our UA and baresip call each other: baresip dials us at start-up (we answer, it ACKs, one side
/// hangs up), then we call it (it auto-answers, we ACK, one side hangs up).
#[test]
fn call_to_and_from_baresip() {
    let Some(bin) = common::baresip::binary() else {
        println!("SKIP: baresip is not installed and `apt-get install baresip-core` failed");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this interop test"
        );
        return;
    };
    let modules = [
        "/usr/lib/baresip/modules",
        "/usr/lib/x86_64-linux-gnu/baresip/modules",
    ]
    .into_iter()
    .find(|d| Path::new(d).join("g711.so").exists());
    let Some(modules) = modules else {
        println!("SKIP: baresip modules not found");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this interop test"
        );
        return;
    };
    let port = free_port();
    let server: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let clock = Clock(std::time::Instant::now());
    let mut alice = Endpoint::new("alice", server, 33, Transport::Udp);
    alice.answer = true;
    let me = match &alice.sock {
        Socket::Udp(s) => s.local_addr().unwrap(),
        Socket::Tcp { .. } => unreachable!(),
    };
    let dir = std::env::temp_dir().join(format!("rtcweb-baresip-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // 2 s of 8 kHz mono silence as the audio source (ausine only does 48 kHz).
    let wav = dir.join("silence.wav");
    std::fs::write(&wav, common::baresip::wav(8000, &[0; 16_000])).unwrap();
    let wav = wav.display();
    std::fs::write(
        dir.join("config"),
        format!(
            "poll_method epoll\nsip_listen 127.0.0.1:{port}\naudio_player aufile,/dev/null\n\
             audio_source aufile,{wav}\naudio_alert aufile,/dev/null\naudio_srate 8000\naudio_channels 1\n\
             module_path {modules}\nmodule g711.so\nmodule aufile.so\n\
             module_app account.so\nmodule_app menu.so\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("accounts"),
        format!("<sip:baresip@127.0.0.1:{port};transport=udp>;regint=0;answermode=auto;audio_codecs=PCMU\n"),
    )
    .unwrap();
    std::fs::write(dir.join("contacts"), "").unwrap();
    let log = dir.join("baresip.log");
    let child = Command::new(bin)
        .arg("-f")
        .arg(&dir)
        .args(["-t", "30", "-e", &format!("/dial sip:alice@{me}")])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn baresip");
    let bs = Baresip(child);

    // baresip → us.
    let ok = run(&mut [&mut alice], &clock, Duration::from_secs(10), |e| {
        e[0].has(|e| matches!(e, UaEvent::Confirmed { .. }))
    });
    let blog = || std::fs::read_to_string(&log).unwrap_or_default();
    assert!(ok, "baresip did not call us: {:?}\n{}", alice.wire, blog());
    let incoming = alice
        .events
        .iter()
        .find_map(|e| match e {
            UaEvent::IncomingCall { call, sdp, .. } => Some((*call, sdp.clone())),
            _ => None,
        })
        .unwrap();
    assert!(String::from_utf8_lossy(&incoming.1).contains("m=audio"));
    // baresip may hang up first (its audio device is /dev/null); either side's BYE is fine.
    let _ = alice.ua.hangup(clock.now(), incoming.0);
    let ok = run(&mut [&mut alice], &clock, Duration::from_secs(10), |e| {
        e[0].has(|e| matches!(e, UaEvent::CallEnded { .. }))
    });
    assert!(ok, "{:?}\n{}", alice.wire, blog());

    // us → baresip (auto-answer).
    let sdp = format!("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n", me.port() + 2);
    let call = alice
        .ua
        .call(
            clock.now(),
            &format!("sip:baresip@{server}"),
            sdp.as_bytes(),
        )
        .unwrap();
    let ok = run(&mut [&mut alice], &clock, Duration::from_secs(10), |e| {
        e[0].has(|e| matches!(e, UaEvent::Answered { .. }))
    });
    assert!(ok, "baresip did not answer: {:?}\n{}", alice.wire, blog());
    let _ = alice.ua.hangup(clock.now(), call);
    let ok = run(&mut [&mut alice], &clock, Duration::from_secs(10), |e| {
        e[0].events
            .iter()
            .filter(|e| matches!(e, UaEvent::CallEnded { .. }))
            .count()
            == 2
    });
    assert!(ok, "{:?}\n{}", alice.wire, blog());
    println!("baresip interop wire log: {:?}", alice.wire);
    drop(bs);
}
