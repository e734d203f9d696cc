//! Captures made here with pcap-file (Ethernet frames built by etherparse), read back by
//! [`inspect`]: the per-packet classification and the flows of a whole SIP + ICE + SRTP call.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use rtcweb_cli::capture::udp_frame;
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Stream};
use rtcweb_stun_core::credentials::short_term_key;
use rtcweb_stun_core::wire::attributes::{
    IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use rtcweb_stun_core::wire::{Class, MessageType, MessageWriter, Method, TransactionId};
use serde_json::Value;

use super::{inspect, Settings};

const KEY_A: [u8; 30] = [0xa1; 30];
const KEY_B: [u8; 30] = [0xb2; 30];
const PWD_A: &str = "passwordofcallerxxxxxxxx";
const PWD_B: &str = "passwordofcalleeyyyyyyyy";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn caller_sip() -> SocketAddr {
    addr("10.0.0.1:5060")
}
fn callee_sip() -> SocketAddr {
    addr("10.0.0.2:5062")
}
fn caller_media() -> SocketAddr {
    addr("10.0.0.1:40000")
}
fn callee_media() -> SocketAddr {
    addr("10.0.0.2:40002")
}

fn b64(k: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(k)
}

fn sdp(media: SocketAddr, ufrag: &str, pwd: &str, key: &[u8]) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ice-ufrag:{ufrag}\r\n\
         a=ice-pwd:{pwd}\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{key}\r\n",
        ip = media.ip(),
        port = media.port(),
        key = b64(key)
    )
}

fn sip(start: &str, branch: &str, cseq: &str, to_tag: Option<&str>, body: &str) -> Vec<u8> {
    let to_tag = to_tag.map(|t| format!(";tag={t}")).unwrap_or_default();
    let ct = if body.is_empty() {
        String::new()
    } else {
        "Content-Type: application/sdp\r\n".into()
    };
    format!(
        "{start}\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch={branch}\r\nMax-Forwards: 70\r\n\
         From: <sip:alice@a.test>;tag=fromtag1\r\nTo: <sip:bob@b.test>{to_tag}\r\n\
         Call-ID: call-1@a.test\r\nCSeq: {cseq}\r\nContact: <sip:alice@10.0.0.1:5060>\r\n\
         {ct}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A Binding request of a controlling agent with USE-CANDIDATE, signed with the callee's
/// password, and its success response.
fn ice_check(tid: [u8; 12]) -> (Vec<u8>, Vec<u8>) {
    let key = short_term_key(PWD_B).unwrap();
    let mut buf = [0u8; 256];
    let typ = MessageType::new(Method::BINDING, Class::Request);
    let mut w = MessageWriter::new(&mut buf, typ, TransactionId(tid)).unwrap();
    w.add(&Username("bbbb:aaaa")).unwrap();
    w.add(&Priority(1_862_270_975)).unwrap();
    w.add(&IceControlling(7)).unwrap();
    w.add(&UseCandidate).unwrap();
    w.add_message_integrity(&key).unwrap();
    w.add_fingerprint().unwrap();
    let n = w.finish();
    let request = buf[..n].to_vec();
    let typ = MessageType::new(Method::BINDING, Class::Success);
    let mut w = MessageWriter::new(&mut buf, typ, TransactionId(tid)).unwrap();
    w.add(&XorMappedAddress(caller_media())).unwrap();
    w.add_message_integrity(&key).unwrap();
    w.add_fingerprint().unwrap();
    let n = w.finish();
    (request, buf[..n].to_vec())
}

fn srtp(key: &[u8; 30], ssrc: u32, seqs: &[u16]) -> Vec<Vec<u8>> {
    let material = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, key).unwrap();
    let mut stream = Stream::new(&material, &Config::default()).unwrap();
    seqs.iter()
        .map(|&seq| {
            let mut p = vec![0x80, 0];
            p.extend_from_slice(&seq.to_be_bytes());
            p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
            p.extend_from_slice(&ssrc.to_be_bytes());
            p.extend_from_slice(&[0xff; 160]);
            let len = p.len();
            p.resize(len + stream.rtp_overhead(), 0);
            let n = stream.protect_rtp(&mut p, len).unwrap();
            p.truncate(n);
            p
        })
        .collect()
}

/// The datagrams of a whole call, in order: INVITE/100/180/200/ACK, an ICE check, SRTP both ways
/// (caller's seq 4 missing, seq 6 tampered), BYE/200.
fn call_datagrams() -> Vec<(SocketAddr, SocketAddr, Vec<u8>)> {
    let (a, b, am, bm) = (caller_sip(), callee_sip(), caller_media(), callee_media());
    let offer = sdp(am, "aaaa", PWD_A, &KEY_A);
    let answer = sdp(bm, "bbbb", PWD_B, &KEY_B);
    let inv = "INVITE sip:bob@10.0.0.2:5062 SIP/2.0";
    let mut d = vec![
        (a, b, sip(inv, "z9hG4bKinv", "1 INVITE", None, &offer)),
        (
            b,
            a,
            sip("SIP/2.0 100 Trying", "z9hG4bKinv", "1 INVITE", None, ""),
        ),
        (
            b,
            a,
            sip(
                "SIP/2.0 180 Ringing",
                "z9hG4bKinv",
                "1 INVITE",
                Some("totag2"),
                "",
            ),
        ),
        (
            b,
            a,
            sip(
                "SIP/2.0 200 OK",
                "z9hG4bKinv",
                "1 INVITE",
                Some("totag2"),
                &answer,
            ),
        ),
        (
            a,
            b,
            sip(
                "ACK sip:bob@10.0.0.2:5062 SIP/2.0",
                "z9hG4bKack",
                "1 ACK",
                Some("totag2"),
                "",
            ),
        ),
    ];
    let (req, resp) = ice_check(*b"transaction1");
    d.push((am, bm, req));
    d.push((bm, am, resp));
    let mut from_a = srtp(&KEY_A, 0x1111_1111, &[1, 2, 3, 5, 6]);
    if let Some(last) = from_a.last_mut().and_then(|p| p.last_mut()) {
        *last ^= 1;
    }
    for p in from_a {
        d.push((am, bm, p));
    }
    for p in srtp(&KEY_B, 0x2222_2222, &[100, 101, 102]) {
        d.push((bm, am, p));
    }
    let bye = "BYE sip:bob@10.0.0.2:5062 SIP/2.0";
    d.push((a, b, sip(bye, "z9hG4bKbye", "2 BYE", Some("totag2"), "")));
    d.push((
        b,
        a,
        sip("SIP/2.0 200 OK", "z9hG4bKbye", "2 BYE", Some("totag2"), ""),
    ));
    d
}

fn pcap(link: DataLink, frames: &[Vec<u8>]) -> Vec<u8> {
    let header = PcapHeader {
        datalink: link,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(Vec::new(), header).unwrap();
    for (i, f) in frames.iter().enumerate() {
        let t = Duration::from_secs(1_700_000_000) + Duration::from_millis(20 * i as u64);
        w.write_packet(&PcapPacket::new(t, f.len() as u32, f))
            .unwrap();
    }
    w.into_writer()
}

fn run(capture: &[u8], flows: bool, keys: &[[u8; 30]]) -> (Vec<Value>, Result<(), String>) {
    let keys = keys
        .iter()
        .map(|k| KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, k).unwrap())
        .collect();
    let settings = Settings {
        flows,
        password: None,
        keys,
    };
    let mut out = Vec::new();
    let result = inspect(capture, settings, &mut out);
    let text = String::from_utf8(out).unwrap();
    let values = if flows {
        if text.is_empty() {
            Vec::new()
        } else {
            vec![serde_json::from_str(&text).unwrap()]
        }
    } else {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    (values, result)
}

fn call_pcap() -> Vec<u8> {
    let frames: Vec<Vec<u8>> = call_datagrams()
        .iter()
        .map(|(s, d, p)| udp_frame(*s, *d, p).unwrap())
        .collect();
    pcap(DataLink::ETHERNET, &frames)
}

#[test]
fn every_packet_classified_and_summarized() {
    let (lines, result) = run(&call_pcap(), false, &[]);
    result.unwrap();
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    let mut want = vec!["sip"; 5];
    want.extend(["stun"; 2]);
    want.extend(["rtp"; 8]);
    want.extend(["sip"; 2]);
    assert_eq!(kinds, want);
    let invite = &lines[0];
    assert_eq!(invite["src"], "10.0.0.1:5060");
    assert_eq!(invite["dst"], "10.0.0.2:5062");
    assert_eq!(invite["transport"], "udp");
    assert_eq!(invite["time"], 1_700_000_000.0);
    assert_eq!(invite["offset"], 24, "first record after the pcap header");
    assert_eq!(invite["summary"]["method"], "INVITE");
    assert_eq!(invite["summary"]["call_id"], "call-1@a.test");
    assert_eq!(invite["summary"]["cseq"], "1 INVITE");
    assert_eq!(invite["summary"]["branch"], "z9hG4bKinv");
    assert_eq!(invite["summary"]["sdp"]["media"][0]["proto"], "RTP/SAVP");
    assert!(
        !invite.to_string().contains(&b64(&KEY_A)),
        "keys are not printed"
    );
    assert_eq!(lines[1]["summary"]["status"], 100);
    let check = &lines[5]["summary"];
    assert_eq!(check["method"], "Binding");
    assert_eq!(check["class"], "request");
    assert_eq!(check["transaction_id"], hex::encode(b"transaction1"));
    assert_eq!(check["fingerprint"]["verified"], true);
    let names: Vec<&str> = check["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"USE-CANDIDATE"), "{names:?}");
    let rtp = &lines[7]["summary"];
    assert_eq!(rtp["ssrc"], "0x11111111");
    assert_eq!(rtp["seq"], 1);
    assert_eq!(rtp["pt"], 0);
    assert_eq!(rtp["timestamp"], 160);
}

mod hex {
    pub fn encode(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

#[test]
fn flows_of_a_call() {
    let (out, result) = run(&call_pcap(), true, &[]);
    result.unwrap();
    let f = &out[0];
    assert_eq!(f["format"], "pcap");
    let d = &f["sip_dialogs"][0];
    assert_eq!(d["call_id"], "call-1@a.test");
    assert_eq!(d["from_tag"], "fromtag1");
    assert_eq!(d["to_tag"], "totag2");
    assert_eq!(d["state"], "terminated");
    let t: Vec<(String, Value)> = d["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["method"].as_str().unwrap().to_string(),
                t["responses"].clone(),
            )
        })
        .collect();
    assert_eq!(
        t,
        [
            ("INVITE".to_string(), serde_json::json!([100, 180, 200])),
            ("ACK".to_string(), serde_json::json!([])),
            ("BYE".to_string(), serde_json::json!([200])),
        ]
    );
    // The check carried USE-CANDIDATE and succeeded: the pair is selected; its integrity was
    // verified with the callee's a=ice-pwd from the 200's SDP.
    let pair = &f["ice"]["pairs"][0];
    assert_eq!(pair["src"], "10.0.0.1:40000");
    assert_eq!(pair["requests"], 1);
    assert_eq!(pair["successes"], 1);
    assert_eq!(pair["nominated"], true);
    assert_eq!(pair["integrity"]["verified"], 2);
    assert_eq!(
        f["ice"]["selected"],
        serde_json::json!([{"src": "10.0.0.1:40000", "dst": "10.0.0.2:40002"}])
    );
    // SRTP with the keys of the SDP: the caller's stream lost seq 4 and its seq 6 is refused.
    let a = &f["rtp_streams"][0];
    assert_eq!(a["ssrc"], "0x11111111");
    assert_eq!(a["packets"], 5);
    assert_eq!(a["lost"], 1);
    assert_eq!(a["protection"], "srtp");
    assert_eq!(a["srtp"]["verified"], 4);
    assert_eq!(a["srtp"]["refused"], 1);
    assert_eq!(a["srtp"]["authenticated"], false);
    assert!(a["srtp"]["key"].as_str().unwrap().contains("in INVITE"));
    let b = &f["rtp_streams"][1];
    assert_eq!(b["srtp"]["verified"], 3);
    assert_eq!(b["srtp"]["authenticated"], true);
    assert!(b["srtp"]["key"].as_str().unwrap().contains("200 OK"));
}

#[test]
fn srtp_with_a_key_given_and_without() {
    let frames: Vec<Vec<u8>> = srtp(&KEY_A, 7, &[1, 2, 3])
        .iter()
        .map(|p| udp_frame(caller_media(), callee_media(), p).unwrap())
        .collect();
    let capture = pcap(DataLink::ETHERNET, &frames);
    let (out, _) = run(&capture, true, &[]);
    assert_eq!(out[0]["rtp_streams"][0]["srtp"]["checked"], false);
    let (out, _) = run(&capture, true, &[KEY_B, KEY_A]);
    let s = &out[0]["rtp_streams"][0]["srtp"];
    assert_eq!(
        (s["verified"].as_u64(), s["refused"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(s["key"], "--key #2");
    let (out, _) = run(&capture, true, &[KEY_B]);
    assert_eq!(out[0]["rtp_streams"][0]["srtp"]["refused"], 3);
}

#[test]
fn malformed_payloads_name_their_offset() {
    let (req, _) = ice_check(*b"transaction2");
    let mut overrun = req.clone();
    overrun[22] = 0xff; // USERNAME's length runs past the message
    let dtls = vec![22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    let channel = vec![0x40, 0x00, 0x00, 0x03, b'a', b'b', b'c'];
    let bad_channel = vec![0x40, 0x00, 0x00, 0x09, b'a'];
    let (s, d) = (caller_media(), addr("10.0.0.9:3478"));
    let frames: Vec<Vec<u8>> = [overrun, dtls, channel, bad_channel]
        .iter()
        .map(|p| udp_frame(s, d, p).unwrap())
        .collect();
    let mut capture = pcap(DataLink::ETHERNET, &frames);
    // A frame cut inside its IPv4 header, and a last record cut short.
    let short = udp_frame(s, d, b"x").unwrap();
    let mut w = PcapWriter::with_header(Vec::new(), PcapHeader::default()).unwrap();
    w.write_packet(&PcapPacket::new(Duration::ZERO, 20, &short[..20]))
        .unwrap();
    capture.extend_from_slice(&w.into_writer()[24..]);
    let full = capture.len();
    capture.extend_from_slice(&[1, 2, 3, 4, 5]);
    let (lines, result) = run(&capture, false, &[]);
    let err = result.unwrap_err();
    assert!(err.contains(&format!("byte {full}")), "{err}");
    assert_eq!(
        lines.len(),
        5,
        "the packets before the bad record are printed"
    );
    // 14 Ethernet + 20 IPv4 + 8 UDP = 42: the STUN attribute at byte 20 of the payload.
    assert_eq!(lines[0]["error"]["offset"], 42 + 20);
    assert_eq!(lines[0]["error"]["payload_offset"], 20);
    assert_eq!(lines[1]["kind"], "dtls");
    assert_eq!(
        lines[1]["summary"]["records"][0]["handshake"],
        "client_hello"
    );
    assert_eq!(lines[2]["kind"], "channeldata");
    assert_eq!(lines[2]["summary"]["length"], 3);
    assert_eq!(lines[2]["summary"]["padding"], 0);
    assert_eq!(lines[3]["error"]["offset"], 42 + 2);
    assert_eq!(lines[4]["kind"], "malformed");
    assert_eq!(lines[4]["error"]["offset"], 14);
}

#[test]
fn pcapng_nanoseconds_linux_cooked_and_sip_over_tcp() {
    let (a, b) = (caller_sip(), callee_sip());
    let msg = sip(
        "OPTIONS sip:bob@b.test SIP/2.0",
        "z9hG4bKopt",
        "1 OPTIONS",
        None,
        "",
    );
    let (one, two) = msg.split_at(40);
    let tcp = |seq: u32, syn: bool, payload: &[u8]| {
        let (std::net::IpAddr::V4(s), std::net::IpAddr::V4(d)) = (a.ip(), b.ip()) else {
            unreachable!()
        };
        let mut builder =
            PacketBuilder::ipv4(s.octets(), d.octets(), 64).tcp(a.port(), b.port(), seq, 1000);
        if syn {
            builder = builder.syn();
        }
        let mut ip = Vec::new();
        builder.write(&mut ip, payload).unwrap();
        // Linux cooked capture v1 (tcpdump -i any): 16-byte header, protocol IPv4.
        let mut frame = vec![0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
        frame.extend_from_slice(&ip);
        frame
    };
    let frames = [
        tcp(999, true, b""),
        tcp(1000 + 40, false, two),
        tcp(1000, false, one),
    ];
    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    let mut idb = InterfaceDescriptionBlock::new(DataLink::LINUX_SLL, 0xffff);
    idb.options.push(InterfaceDescriptionOption::IfTsResol(9));
    w.write_pcapng_block(idb).unwrap();
    for (i, f) in frames.iter().enumerate() {
        w.write_pcapng_block(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_nanos(1_700_000_000_000_000_001 + i as u64),
            original_len: f.len() as u32,
            data: Cow::Borrowed(f),
            options: vec![],
        })
        .unwrap();
    }
    let capture = w.into_inner();
    let (lines, result) = run(&capture, false, &[]);
    result.unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["tcp"]["flags"], "S");
    assert_eq!(lines[1]["kind"], "tcp", "out of order: kept");
    assert_eq!(lines[2]["kind"], "sip", "{}", lines[2]);
    assert_eq!(lines[2]["messages"][0]["summary"]["method"], "OPTIONS");
    assert_eq!(lines[2]["messages"][0]["websocket"], false);
    // Nanosecond pcapng timestamps, printed to the microsecond.
    assert_eq!(lines[0]["time"], 1_700_000_000.0);
    let (flows, _) = run(&capture, true, &[]);
    assert_eq!(flows[0]["format"], "pcapng");
    assert_eq!(
        flows[0]["sip_dialogs"][0]["transactions"][0]["method"],
        "OPTIONS"
    );
}

#[test]
fn turn_relayed_data_followed_end_to_end() {
    use rtcweb_stun_core::wire::attributes::{ChannelNumber, XorPeerAddress, XorRelayedAddress};
    let (client, server) = (addr("10.0.0.1:50000"), addr("10.0.0.9:3478"));
    let (relayed, peer) = (addr("10.0.0.9:55000"), addr("10.0.0.2:40002"));
    let stun = |method, class, tid: &[u8; 12], f: &dyn Fn(&mut MessageWriter<'_>)| {
        let mut buf = [0u8; 256];
        let mut w = MessageWriter::new(
            &mut buf,
            MessageType::new(method, class),
            TransactionId(*tid),
        )
        .unwrap();
        f(&mut w);
        let n = w.finish();
        buf[..n].to_vec()
    };
    let none = |_: &mut MessageWriter<'_>| {};
    let datagrams = [
        (
            client,
            server,
            stun(Method::ALLOCATE, Class::Request, b"allocate0001", &none),
        ),
        (
            server,
            client,
            stun(Method::ALLOCATE, Class::Success, b"allocate0001", &|w| {
                w.add(&XorRelayedAddress(relayed)).unwrap();
            }),
        ),
        (
            client,
            server,
            stun(
                Method::CHANNEL_BIND,
                Class::Request,
                b"chanbind0001",
                &|w| {
                    w.add(&ChannelNumber(0x4001)).unwrap();
                    w.add(&XorPeerAddress(peer)).unwrap();
                },
            ),
        ),
        (
            server,
            client,
            stun(Method::CHANNEL_BIND, Class::Success, b"chanbind0001", &none),
        ),
    ];
    let mut frames: Vec<Vec<u8>> = datagrams
        .iter()
        .map(|(s, d, p)| udp_frame(*s, *d, p).unwrap())
        .collect();
    for (i, p) in srtp(&KEY_A, 9, &[1, 2]).into_iter().enumerate() {
        let mut cd = vec![0x40, 0x01];
        cd.extend_from_slice(&(p.len() as u16).to_be_bytes());
        cd.extend_from_slice(&p);
        let (s, d) = if i == 0 {
            (client, server)
        } else {
            (server, client)
        };
        frames.push(udp_frame(s, d, &cd).unwrap());
    }
    let capture = pcap(DataLink::ETHERNET, &frames);
    let (out, result) = run(&capture, true, &[KEY_A]);
    result.unwrap();
    let f = &out[0];
    let methods: Vec<(&str, &str)> = f["stun"][0]["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["method"].as_str().unwrap(),
                t["response"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        methods,
        [("Allocate", "success"), ("ChannelBind", "success")]
    );
    assert_eq!(f["turn"]["allocations"][0]["relayed"], "10.0.0.9:55000");
    let ch = &f["turn"]["channels"][0];
    assert_eq!(
        (ch["channel"].as_str(), ch["to_peer"].as_u64()),
        (Some("0x4001"), Some(1))
    );
    assert_eq!(ch["from_peer"], 1);
    // The RTP inside the ChannelData, from the relayed address to the peer, and back.
    let streams = f["rtp_streams"].as_array().unwrap();
    assert_eq!(streams.len(), 2);
    assert_eq!(streams[0]["src"], "10.0.0.9:55000");
    assert_eq!(streams[0]["dst"], "10.0.0.2:40002");
    assert_eq!(streams[0]["srtp"]["verified"], 1);
    assert_eq!(streams[1]["src"], "10.0.0.2:40002");
}
