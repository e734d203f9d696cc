//! Heap bytes per established call, counted by the global allocator (`stats_alloc`, as the
//! `footprint` bench): N calls made one after another, each keyed by a real DTLS handshake over
//! 127.0.0.1 and one packet relayed each way (so both SRTP sessions hold their stream), and kept;
//! the browser's end of each is dropped, so only the gateway's state stays counted.
//!
//! Two figures: the media of a call alone (`Relay`: both legs' socket structs, the ICE-lite
//! agent, the DTLS endpoint as it stays after the handshake, the SRTP sessions), and the whole
//! entry of the gateway's call table (`Call`: the relay, the browser's parsed SDP from
//! `sdp_chrome_offer.txt`, the codec lists, the counters, inside a `CallTable` indexed by both
//! legs' handles). The SIP dialogs live in the two user agents, not in the table: the `footprint`
//! bench measures them.

use std::mem::size_of;
use std::net::{SocketAddr, UdpSocket};

use rtcweb_cli::gateway::browser::call::Call;
use rtcweb_cli::gateway::browser::codec::Rtpmap;
use rtcweb_cli::gateway::browser::media::Relay;
use rtcweb_cli::gateway::browser::sdp::parse_web;
use rtcweb_cli::gateway::browser::stats::CallStats;
use rtcweb_cli::gateway::browser::table::CallTable;
use rtcweb_sip_core::ua::CallHandle;

use crate::live;
use crate::setup::{keyed_call, Shared};
use crate::transform::rtp;

const OFFER: &[u8] = include_bytes!("../../data/sdp_chrome_offer.txt");
const RTP_172: &[u8] = include_bytes!("../../data/rtp_172.bin");

/// A call keyed and with one packet relayed each way; its browser end dropped.
fn established(shared: &mut Shared, phone: &UdpSocket) -> Relay {
    let (mut relay, mut browser, _) = keyed_call(shared, phone);
    let mut stats = CallStats::default();
    let mut buf = [0u8; 1600];
    let n = rtp(RTP_172, 1, &mut buf);
    let n = browser.srtp.outbound.protect_rtp(&mut buf, n).unwrap();
    relay.web_to_trunk(&mut buf[..n], &mut stats).unwrap();
    let n = rtp(RTP_172, 1, &mut buf);
    relay.trunk_to_web(&mut buf, n, &mut stats).unwrap();
    relay
}

fn call(key: u64, relay: Relay) -> Call {
    let web_sdp = parse_web(OFFER).unwrap();
    let pcmu: Vec<Rtpmap> = web_sdp
        .codecs
        .iter()
        .filter(|c| c.pt == 0)
        .cloned()
        .collect();
    assert_eq!(pcmu.len(), 1, "PCMU in the offer");
    Call {
        web: Some(CallHandle(key)),
        trunk: Some(CallHandle(key)),
        conn: SocketAddr::from(([127, 0, 0, 1], 50_000)),
        relay,
        invite_call_id: format!("{key:020}abcdefghij@example.invalid"),
        offered: web_sdp.codecs.clone(),
        web_sdp: Some(web_sdp),
        web_codecs: pcmu.clone(),
        trunk_codecs: pcmu,
        early_answered: false,
        transfer: None,
        pending_offer: None,
        trunk_crypto: None,
        transfer_crypto: None,
        sdp_version: 2,
        started: rtcweb_sip_core::Instant::ZERO,
        stats: CallStats {
            call: key,
            browser: "alice".into(),
            codec: "PCMU/8000".into(),
            dtls_profile: Some("SRTP_AES128_CM_SHA1_80".into()),
            ..CallStats::default()
        },
    }
}

/// Bytes per call: (media legs alone, whole call-table entry).
pub fn per_call(shared: &mut Shared, phone: &UdpSocket, n: usize) -> (f64, f64) {
    // Whatever is allocated once per process (DTLS provider tables, …) before counting.
    drop(established(shared, phone));

    let mut relays: Vec<Relay> = Vec::with_capacity(n);
    let before = live();
    for _ in 0..n {
        relays.push(established(shared, phone));
    }
    let media = (live() - before) as f64 / n as f64 + size_of::<Relay>() as f64;
    drop(relays);

    let mut table: CallTable<Call> = CallTable::new(n);
    let before = live();
    for i in 0..n {
        let relay = established(shared, phone);
        let key = table.insert(|k| call(k.0, relay)).unwrap();
        table.link_web(key, CallHandle(i as u64));
        table.link_trunk(key, CallHandle(i as u64));
    }
    let entry = (live() - before) as f64 / n as f64;
    assert_eq!(table.len(), n);
    (media, entry)
}
