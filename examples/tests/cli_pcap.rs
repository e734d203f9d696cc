//! Captures in and out: `rtcweb call --pcap` / `rtcweb gateway --pcap` write the demo's datagrams,
//! `rtcweb inspect pcap` reads them back (per packet and `--flows`), tshark (Wireshark) decodes the
//! same file, and captures made by tcpdump on loopback (Ethernet and Linux cooked v2 link types,
//! and pcapng converted by tshark) of `rtcweb stun`/`rtcweb turn` and ChannelData with coturn are
//! read. Missing Debian packages (tshark, tcpdump, coturn) are installed; peers are stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_rtcweb");

/// Installs a Debian package when `bin` is missing (tshark's setuid question answered "no").
fn ensure(bin: &str, package: &str) {
    if Command::new(bin).arg("--version").output().is_ok() {
        return;
    }
    let preseed = "echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections";
    let _ = Command::new("sh").args(["-c", preseed]).status();
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    let ok = install() || {
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        install()
    };
    assert!(ok, "{bin} is missing and apt-get install {package} failed");
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rtcweb-cli-pcap-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rtcweb(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `inspect pcap FILE`, one JSON object per line.
fn packets(file: &Path) -> Vec<Value> {
    let out = rtcweb(&["inspect", "pcap", path(file)]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `inspect pcap FILE --flows`.
fn flows(file: &Path) -> Value {
    let out = rtcweb(&["inspect", "pcap", path(file), "--flows"]);
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// The loopback call's dialog: INVITE answered (a 100 only if the callee took over 200 ms, RFC
/// 3261 §17.2.1), 180 then 200, ACK, BYE answered 200; tags on both sides.
fn assert_call_dialog(d: &Value) {
    assert_eq!(d["state"], "terminated", "{d}");
    assert!(d["from_tag"].is_string() && d["to_tag"].is_string(), "{d}");
    let methods: Vec<&str> = d["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["INVITE", "ACK", "BYE"], "{d}");
    let invite: Vec<u64> = d["transactions"][0]["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    let provisional_then_final = match invite.as_slice() {
        [100, rest @ ..] | rest => rest,
    };
    assert_eq!(provisional_then_final, [180, 200], "INVITE got {invite:?}");
    assert_eq!(d["transactions"][2]["responses"], serde_json::json!([200]));
    // Retransmissions (a loaded machine) collapse into one rung.
    let mut ladder: Vec<&str> = d["ladder"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .filter(|m| *m != "100 Trying")
        .collect();
    ladder.dedup();
    assert_eq!(
        ladder,
        ["INVITE", "180 Ringing", "200 OK", "ACK", "BYE", "200 OK"]
    );
}

/// Every SRTP stream authenticated with a key from an `a=crypto` line, none refused or lost.
fn assert_srtp_authenticated(streams: &[&Value], min_packets: u64) {
    assert!(!streams.is_empty());
    for s in streams {
        assert_eq!(s["protection"], "srtp", "{s}");
        assert!(s["packets"].as_u64().unwrap() >= min_packets, "{s}");
        assert_eq!(s["lost"], 0, "{s}");
        let srtp = &s["srtp"];
        assert_eq!(srtp["authenticated"], true, "{s}");
        assert_eq!(srtp["verified"], s["packets"], "{s}");
        assert_eq!(srtp["refused"], 0, "{s}");
        assert_eq!(srtp["rtcp_refused"], 0, "{s}");
        assert!(srtp["key"]
            .as_str()
            .unwrap()
            .starts_with("a=crypto:1 AES_CM_128_HMAC_SHA1_80 in "));
    }
}

fn assert_selected_pair(ice: &Value) {
    let selected = ice["selected"].as_array().unwrap();
    assert_eq!(selected.len(), 1, "{ice}");
    let pair = ice["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["src"] == selected[0]["src"] && p["dst"] == selected[0]["dst"])
        .unwrap();
    assert_eq!(pair["role"], "controlling", "{pair}");
    assert!(pair["use_candidate"].as_u64().unwrap() >= 1, "{pair}");
    assert!(pair["successes"].as_u64().unwrap() >= 1, "{pair}");
    // Every check and answer verified with the a=ice-pwd of the SDP.
    for p in ice["pairs"].as_array().unwrap() {
        assert_eq!(p["integrity"]["failed"], 0, "{p}");
        assert!(p["integrity"]["verified"].as_u64().unwrap() >= 2, "{p}");
    }
}

#[test]
fn call_capture_read_back_with_flows() {
    let dir = scratch("call");
    let file = dir.join("call.pcap");
    let out = rtcweb(&["call", "--seconds", "2", "--pcap", path(&file)]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("datagrams to"), "{stdout}");

    // One line per datagram, each classified, none malformed; both directions of everything.
    let lines = packets(&file);
    assert!(lines.len() > 200, "{}", lines.len());
    for l in &lines {
        let kind = l["kind"].as_str().unwrap();
        assert!(["sip", "stun", "rtp", "rtcp"].contains(&kind), "{l}");
        assert!(l.get("error").is_none(), "{l}");
        assert_eq!(l["transport"], "udp");
    }
    let times: Vec<f64> = lines.iter().map(|l| l["time"].as_f64().unwrap()).collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        times.iter().all(|t| (now - 120.0..=now).contains(t)),
        "real timestamps"
    );
    assert!(lines.iter().any(|l| l["summary"]["method"] == "INVITE"));

    let f = flows(&file);
    assert_eq!(f["format"], "pcap");
    assert_eq!(f["packets"], lines.len());
    let dialogs = f["sip_dialogs"].as_array().unwrap();
    assert_eq!(dialogs.len(), 1);
    assert_call_dialog(&dialogs[0]);
    assert_selected_pair(&f["ice"]);
    let streams: Vec<&Value> = f["rtp_streams"].as_array().unwrap().iter().collect();
    assert_eq!(streams.len(), 2, "one SRTP stream each way");
    assert_srtp_authenticated(&streams, 90);
    assert_eq!(
        strs(&f["sdes_keys"]).len(),
        2,
        "the offer's and the answer's key"
    );
}

#[test]
fn tokio_call_and_gateway_captures() {
    let dir = scratch("tokio-gateway");
    let call = dir.join("tokio.pcap");
    let out = rtcweb(&[
        "call",
        "--driver",
        "tokio",
        "--seconds",
        "1",
        "--pcap",
        path(&call),
    ]);
    assert!(out.status.success(), "{out:?}");
    let f = flows(&call);
    assert_call_dialog(&f["sip_dialogs"][0]);
    assert_selected_pair(&f["ice"]);
    let streams: Vec<&Value> = f["rtp_streams"].as_array().unwrap().iter().collect();
    assert_srtp_authenticated(&streams, 40);

    // The gateway: two dialogs (WebRTC leg, trunk leg), SRTP on one side, plain RTP on the other.
    let gw = dir.join("gateway.pcap");
    let out = rtcweb(&["gateway", "--seconds", "1", "--pcap", path(&gw)]);
    assert!(out.status.success(), "{out:?}");
    let f = flows(&gw);
    let dialogs = f["sip_dialogs"].as_array().unwrap();
    assert_eq!(dialogs.len(), 2, "{f}");
    for d in dialogs {
        assert_eq!(d["state"], "terminated", "{d}");
    }
    assert_eq!(f["ice"]["selected"].as_array().unwrap().len(), 1);
    let streams = f["rtp_streams"].as_array().unwrap();
    let (srtp, rtp): (Vec<&Value>, Vec<&Value>) =
        streams.iter().partition(|s| s["protection"] == "srtp");
    assert_eq!((srtp.len(), rtp.len()), (2, 2), "{streams:?}");
    assert_srtp_authenticated(&srtp, 40);
    for s in rtp {
        assert_eq!(s["protection"], "rtp");
        assert!(s["srtp"].is_null(), "plain RTP is not checked: {s}");
        assert!(s["packets"].as_u64().unwrap() >= 40);
    }
}

fn tshark(args: &[&str]) -> String {
    let out = Command::new("tshark")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "tshark {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn tshark_decodes_the_call_capture() {
    ensure("tshark", "tshark");
    let dir = scratch("tshark");
    let file = dir.join("call.pcap");
    let out = rtcweb(&["call", "--seconds", "1", "--pcap", path(&file)]);
    assert!(out.status.success(), "{out:?}");
    let f = path(&file);

    // Wireshark's SIP and STUN heuristics find the signalling and the ICE checks.
    let sip = tshark(&[
        "-r",
        f,
        "-Y",
        "sip",
        "-T",
        "fields",
        "-e",
        "sip.Method",
        "-e",
        "sip.Status-Code",
    ]);
    let fields: Vec<&str> = sip.split_whitespace().collect();
    for want in ["INVITE", "180", "200", "ACK", "BYE"] {
        assert!(
            fields.contains(&want),
            "{want} missing from tshark's SIP: {sip}"
        );
    }
    let stun = tshark(&["-r", f, "-Y", "stun", "-T", "fields", "-e", "stun.type"]);
    assert!(
        stun.lines().any(|l| l.trim() == "0x0001"),
        "Binding request: {stun}"
    );
    assert!(
        stun.lines().any(|l| l.trim() == "0x0101"),
        "Binding success: {stun}"
    );
    // tshark sees as many frames as inspect pcap, with valid UDP checksums.
    let frames = tshark(&["-r", f, "-T", "fields", "-e", "frame.number"]);
    let ours = packets(&file);
    assert_eq!(frames.lines().count(), ours.len());
    let good = tshark(&[
        "-r",
        f,
        "-o",
        "udp.check_checksum:TRUE",
        "-Y",
        "udp.checksum.status == 1",
    ]);
    assert_eq!(
        good.lines().count(),
        ours.len(),
        "UDP checksums verified by tshark"
    );

    // The same capture as pcapng, written by tshark, reads the same.
    let ng = dir.join("call.pcapng");
    tshark(&["-r", f, "-F", "pcapng", "-w", path(&ng)]);
    let flows_ng = flows(&ng);
    assert_eq!(flows_ng["format"], "pcapng");
    let flows_pcap = flows(&file);
    for key in ["sip_dialogs", "ice", "rtp_streams", "packets"] {
        assert_eq!(flows_ng[key], flows_pcap[key], "{key}");
    }
    let ng_lines = packets(&ng);
    assert_eq!(ng_lines.len(), ours.len());
    assert_eq!(
        ng_lines[0]["time"], ours[0]["time"],
        "pcapng timestamp resolution"
    );
}

/// A child stopped by its PID when dropped.
struct Stop(Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tcpdump -i IFACE` writing UDP port `port` to `file`, packet by packet, and waits until
/// it listens.
fn tcpdump(iface: &str, port: u16, file: &Path) -> Stop {
    let mut child = Command::new("tcpdump")
        .args([
            "-i",
            iface,
            "--immediate-mode",
            "-U",
            "-Z",
            "root",
            "-w",
            path(file),
        ])
        .args(["udp", "port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stop = Stop(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains("listening on") => return stop,
            Ok(_) => {}
            Err(e) => panic!("tcpdump -i {iface} did not start: {e}"),
        }
    }
}

/// A TURN allocation with a channel to a local peer, and datagrams relayed both ways through it as
/// ChannelData: (relayed address, channel).
fn channel_data_exchange(server: &common::coturn::Coturn) -> (SocketAddr, u16) {
    use rtcweb_stun_core::turn::{Received, TurnClient, TurnConfig, TurnEvent};
    let (user, pass) = server
        .credentials("pcap", Duration::from_secs(600))
        .unwrap();
    let start = Instant::now();
    let now = || rtcweb_stun_core::Instant::from_nanos(start.elapsed().as_nanos() as i64);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let mut client = TurnClient::new(TurnConfig::new(server.addr, &user, &pass), [5; 32]);
    client.allocate(now()).unwrap();
    let (mut relayed, mut channel, mut echoed) = (None, None, 0);
    let (mut tx, mut rx) = ([0u8; 1500], [0u8; 1500]);
    let deadline = Instant::now() + Duration::from_secs(15);
    while echoed < 3 {
        assert!(Instant::now() < deadline, "TURN exchange unfinished");
        client.handle_timeout(now());
        while let Ok(Some(t)) = client.poll_transmit(now(), &mut tx) {
            socket.send_to(&tx[..t.len], t.destination).unwrap();
        }
        while let Some(e) = client.poll_event() {
            match e {
                TurnEvent::Allocated { relayed: r, .. } => {
                    relayed = Some(r);
                    client.bind_channel(now(), peer_addr).unwrap();
                }
                TurnEvent::ChannelBound { channel: c, .. } => {
                    channel = Some(c);
                    for i in 0..3u8 {
                        let t = client.send_to(peer_addr, &[i; 20], &mut tx).unwrap();
                        socket.send_to(&tx[..t.len], t.destination).unwrap();
                        let mut got = [0u8; 64];
                        let (n, from) = peer.recv_from(&mut got).unwrap();
                        assert_eq!(&got[..n], &[i; 20]);
                        peer.send_to(&got[..n], from).unwrap();
                    }
                }
                TurnEvent::AllocationFailed { code } => panic!("allocation failed: {code:?}"),
                _ => {}
            }
        }
        if let Ok((n, from)) = socket.recv_from(&mut rx) {
            if let Received::Data { .. } = client.handle_receive(now(), from, &rx[..n]) {
                echoed += 1;
            }
        }
    }
    (relayed.unwrap(), channel.unwrap())
}

#[test]
fn tcpdump_capture_of_coturn_exchanges() {
    ensure("tcpdump", "tcpdump");
    let server = common::coturn::start_coturn();
    let dir = scratch("tcpdump");
    let (lo, any) = (dir.join("lo.pcap"), dir.join("any.pcap"));
    let port = server.addr.port();
    let dumps = [tcpdump("lo", port, &lo), tcpdump("any", port, &any)];
    // tcpdump may say "listening on" a moment before its socket sees packets: probe the port
    // until both files hold a packet (more than the 24-byte pcap header), then start.
    let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let ready = Instant::now() + Duration::from_secs(10);
    while [&lo, &any]
        .iter()
        .any(|f| std::fs::metadata(f).map_or(0, |m| m.len()) <= 24)
    {
        assert!(Instant::now() < ready, "tcpdump captured nothing");
        let _ = probe.send_to(b"\xffprobe", server.addr); // first byte 255: no protocol of RFC 7983
        std::thread::sleep(Duration::from_millis(50));
    }
    let addr = server.addr.to_string();
    let out = rtcweb(&["stun", &addr, "--rto-ms", "100"]);
    assert!(out.status.success(), "{out:?}");
    let out = rtcweb(&[
        "turn",
        "--server",
        &addr,
        "--secret",
        common::coturn::SECRET,
    ]);
    assert!(out.status.success(), "{out:?}");
    let (relayed, channel) = channel_data_exchange(&server);
    let channel = format!("{channel:#06x}");
    // Wait until tcpdump wrote the last ChannelData (6 of them), then stop it.
    let deadline = Instant::now() + Duration::from_secs(10);
    let count = |file: &Path| {
        let out = rtcweb(&["inspect", "pcap", path(file)]);
        String::from_utf8_lossy(&out.stdout)
            .matches("\"channeldata\"")
            .count()
    };
    while count(&lo) < 6 || count(&any) < 6 {
        assert!(
            Instant::now() < deadline,
            "tcpdump did not write the ChannelData"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(dumps);

    for file in [&lo, &any] {
        let lines = packets(file);
        let stun = |method: &str, class: &str| {
            lines
                .iter()
                .filter(|l| l["summary"]["method"] == method && l["summary"]["class"] == class)
                .count()
        };
        assert!(stun("Binding", "request") >= 1 && stun("Binding", "success") >= 1);
        assert!(
            stun("Allocate", "request") >= 4,
            "two allocations, each with its 401"
        );
        assert!(stun("Allocate", "error") >= 2 && stun("Allocate", "success") >= 2);
        assert!(stun("ChannelBind", "success") >= 1);
        let cd: Vec<&Value> = lines
            .iter()
            .filter(|l| l["kind"] == "channeldata")
            .collect();
        assert!(cd.len() >= 6, "{}", cd.len());
        for l in cd {
            assert_eq!(l["summary"]["channel"], channel.as_str(), "{l}");
            assert_eq!(l["summary"]["length"], 20, "{l}");
            assert_eq!(l["summary"]["padding"], 0, "coturn does not pad over UDP");
            assert!(l.get("error").is_none());
        }

        let f = flows(file);
        let exchanges = f["stun"].as_array().unwrap();
        let outcomes: Vec<Vec<(String, String)>> = exchanges
            .iter()
            .map(|x| {
                x["transactions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| {
                        let r = t["response"].as_str().unwrap_or("none").to_string();
                        (t["method"].as_str().unwrap().to_string(), r)
                    })
                    .collect()
            })
            .collect();
        let has = |method: &str, prefix: &str| {
            outcomes
                .iter()
                .flatten()
                .any(|(m, r)| m == method && r.starts_with(prefix))
        };
        assert!(has("Binding", "success"), "{outcomes:?}");
        assert!(has("Allocate", "error 401"), "{outcomes:?}");
        assert!(has("Allocate", "success"), "{outcomes:?}");
        assert!(has("ChannelBind", "success"), "{outcomes:?}");
        let turn = &f["turn"];
        assert!(
            turn["allocations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["relayed"] == relayed.to_string().as_str()),
            "{turn}"
        );
        let ch = &turn["channels"][0];
        assert_eq!(ch["channel"], channel.as_str());
        // Three datagrams each way (`-i any` may see a loopback datagram twice).
        let (to, from) = (
            ch["to_peer"].as_u64().unwrap(),
            ch["from_peer"].as_u64().unwrap(),
        );
        if file == &lo {
            assert_eq!((to, from), (3, 3));
        } else {
            assert!(to >= 3 && from >= 3, "{ch}");
        }
    }
}

#[test]
fn exit_codes_and_help() {
    let dir = scratch("exit");
    let out = rtcweb(&["inspect", "pcap", "/nonexistent/capture.pcap"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let junk = dir.join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture").unwrap();
    let out = rtcweb(&["inspect", "pcap", path(&junk)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("byte 0: not a pcap or pcapng file"));

    // A capture cut inside its second record: the first packet is printed, then exit 1 naming
    // the offset of the cut record.
    let call = dir.join("two.pcap");
    {
        let c = rtcweb_cli::capture::Capture::create(&call).unwrap();
        let (a, b) = (
            "127.0.0.1:1000".parse().unwrap(),
            "127.0.0.1:2000".parse().unwrap(),
        );
        c.sent(a, b, b"\x00\x01\x00\x00\x21\x12\xa4\x42abcdefghijkl");
        c.sent(b, a, b"\x40\x00\x00\x00");
        assert_eq!(c.finish().unwrap(), 2);
    }
    let bytes = std::fs::read(&call).unwrap();
    let second = 24 + 16 + 14 + 20 + 8 + 20;
    std::fs::write(&call, &bytes[..second + 10]).unwrap();
    let out = rtcweb(&["inspect", "pcap", path(&call)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("byte {second}")), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1);

    // Usage errors exit 2.
    assert_eq!(rtcweb(&["inspect", "pcap"]).status.code(), Some(2));
    let out = rtcweb(&["inspect", "pcap", path(&call), "--key", "c2hvcnQ="]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs 30"));
    assert_eq!(rtcweb(&["call", "--pcap"]).status.code(), Some(2));

    for args in [
        &["--help"][..],
        &["inspect", "pcap", "--help"],
        &["inspect", "stun", "--help"],
    ] {
        let out = rtcweb(args);
        assert!(out.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Examples:"), "{args:?}: {help}");
        assert!(help.contains("Exit status: 0"), "{args:?}: {help}");
    }
    for sub in ["call", "gateway"] {
        let help = String::from_utf8_lossy(&rtcweb(&[sub, "--help"]).stdout).into_owned();
        assert!(help.contains("--pcap <FILE>"), "{help}");
    }
}

/// `--password`: MESSAGE-INTEGRITY of each STUN message verified (RFC 5769 §2.1's request, whose
/// short-term password is known), reported per packet without failing the run.
#[test]
fn password_verifies_message_integrity() {
    const REQUEST_HEX: &str = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";
    let request: Vec<u8> = (0..REQUEST_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&REQUEST_HEX[i..i + 2], 16).unwrap())
        .collect();
    let dir = scratch("password");
    let file = dir.join("stun.pcap");
    let c = rtcweb_cli::capture::Capture::create(&file).unwrap();
    let (a, b) = ("[::1]:1000".parse().unwrap(), "[::1]:3478".parse().unwrap());
    c.sent(a, b, &request);
    c.finish().unwrap();
    let integrity = |extra: &[&str]| {
        let mut args = vec!["inspect", "pcap", path(&file)];
        args.extend_from_slice(extra);
        let out = rtcweb(&args);
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["src"], "[::1]:1000", "IPv6 frames");
        assert_eq!(v["summary"]["fingerprint"]["verified"], true);
        v["summary"]["message_integrity"].clone()
    };
    assert_eq!(
        integrity(&["--password", "VOkJxbRl1RmTxUk/WvJxBt"])["verified"],
        true
    );
    let wrong = integrity(&["--password", "wrong"]);
    assert_eq!(wrong["verified"], false);
    assert!(
        wrong["error"].as_str().unwrap().contains("byte 76"),
        "{wrong}"
    );
    assert!(
        integrity(&[])["verified"].is_null(),
        "no password: not checked"
    );
}
