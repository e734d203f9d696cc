//! SIP: parse a message and read the typed Via, From, To, Call-ID and CSeq with their URIs and
//! parameters: rtcweb-sip-core (`Message::parse` + typed headers, borrowed and lazy) vs rsip 0.4
//! (`SipMessage::try_from` + `typed()`, owned and eager).

use std::borrow::Cow;
use std::hint::black_box;

use bytes::Bytes;
use rtcweb_bench::{per_op, Contender, Group, Harness, Workload};
use rtcweb_sip_core::header::{CSeq, CallId, FromHeader, ToHeader, Via};
use rtcweb_sip_core::message::{Header, Message, SharedMessage};
use rtcweb_sip_core::uri::Host;

const INVITE: &[u8] = include_bytes!("../../data/sip_invite.txt");
const OK200: &[u8] = include_bytes!("../../data/sip_200ok.txt");

/// What each iteration reads, from either library.
#[derive(Debug, PartialEq, Eq)]
struct View<'a> {
    via_transport: &'a str,
    via_host: Cow<'a, str>,
    via_port: Option<u16>,
    via_branch: Option<&'a str>,
    from_user: Option<&'a str>,
    from_host: Cow<'a, str>,
    from_port: Option<u16>,
    from_tag: Option<&'a str>,
    to_user: Option<&'a str>,
    to_host: Cow<'a, str>,
    to_port: Option<u16>,
    to_tag: Option<&'a str>,
    call_id: &'a str,
    cseq: u32,
    method: &'a str,
}

/// Touches every field (what the timed loops return).
fn digest(v: &View<'_>) -> usize {
    let s = |x: Option<&str>| x.map_or(0, str::len);
    let p = |x: Option<u16>| usize::from(x.unwrap_or(0));
    v.via_transport.len()
        + v.via_host.len()
        + p(v.via_port)
        + s(v.via_branch)
        + s(v.from_user)
        + v.from_host.len()
        + p(v.from_port)
        + s(v.from_tag)
        + s(v.to_user)
        + v.to_host.len()
        + p(v.to_port)
        + s(v.to_tag)
        + v.call_id.len()
        + v.cseq as usize
        + v.method.len()
}

fn host<'a>(h: &Host<'a>) -> Cow<'a, str> {
    match *h {
        Host::Domain(d) => Cow::Borrowed(d),
        Host::Ipv4(ip) => Cow::Owned(ip.to_string()),
        Host::Ipv6(_, text) => Cow::Borrowed(text),
    }
}

fn ours<R>(buf: &[u8], f: impl FnOnce(&View<'_>) -> R) -> R {
    let mut storage = [Header::EMPTY; 32];
    let m = Message::parse(buf, &mut storage).unwrap();
    read(&m, f)
}

/// The `bytes` feature: the message owned as `bytes::Bytes` (a clone is one reference count),
/// parsed once into a `SharedMessage`, its view rebuilt into a stack array, the same reads.
fn ours_shared<R>(bytes: &Bytes, f: impl FnOnce(&View<'_>) -> R) -> R {
    let shared = SharedMessage::parse(bytes.clone()).unwrap();
    let mut storage = [Header::EMPTY; 32];
    let m = shared.message(&mut storage).unwrap();
    read(&m, f)
}

/// The typed reads every contender makes.
fn read<R>(m: &Message<'_>, f: impl FnOnce(&View<'_>) -> R) -> R {
    let via = m.typed::<Via>().unwrap().unwrap();
    let from = m.typed::<FromHeader>().unwrap().unwrap();
    let to = m.typed::<ToHeader>().unwrap().unwrap();
    let call = m.typed::<CallId>().unwrap().unwrap();
    let cseq = m.typed::<CSeq>().unwrap().unwrap();
    let from_uri = from.parse_uri().unwrap();
    let from_uri = from_uri.as_sip().unwrap();
    let to_uri = to.parse_uri().unwrap();
    let to_uri = to_uri.as_sip().unwrap();
    f(&View {
        via_transport: via.transport,
        via_host: host(&via.host),
        via_port: via.port,
        via_branch: via.branch(),
        from_user: from_uri.user,
        from_host: host(&from_uri.host),
        from_port: from_uri.port,
        from_tag: from.tag(),
        to_user: to_uri.user,
        to_host: host(&to_uri.host),
        to_port: to_uri.port,
        to_tag: to.tag(),
        call_id: call.0,
        cseq: cseq.seq,
        method: cseq.method.as_str(),
    })
}

fn rsip_host(h: &rsip::Host) -> Cow<'_, str> {
    match h {
        rsip::Host::Domain(d) => Cow::Borrowed(d.value()),
        rsip::Host::IpAddr(ip) => Cow::Owned(ip.to_string()),
    }
}

fn rsip_transport(t: &rsip::Transport) -> &'static str {
    use rsip::Transport::*;
    match t {
        Udp => "UDP",
        Tcp => "TCP",
        Tls => "TLS",
        TlsSctp => "TLS-SCTP",
        Sctp => "SCTP",
        Ws => "WS",
        Wss => "WSS",
    }
}

fn rsip_method(m: &rsip::Method) -> &'static str {
    use rsip::Method::*;
    match m {
        Ack => "ACK",
        Bye => "BYE",
        Cancel => "CANCEL",
        Info => "INFO",
        Invite => "INVITE",
        Message => "MESSAGE",
        Notify => "NOTIFY",
        Options => "OPTIONS",
        PRack => "PRACK",
        Publish => "PUBLISH",
        Refer => "REFER",
        Register => "REGISTER",
        Subscribe => "SUBSCRIBE",
        Update => "UPDATE",
    }
}

fn rsip<R>(buf: &[u8], f: impl FnOnce(&View<'_>) -> R) -> R {
    use rsip::prelude::*;
    let m = rsip::SipMessage::try_from(buf).unwrap();
    let via = m.via_header().unwrap().typed().unwrap();
    let from = m.from_header().unwrap().typed().unwrap();
    let to = m.to_header().unwrap().typed().unwrap();
    let call = m.call_id_header().unwrap();
    let cseq = m.cseq_header().unwrap().typed().unwrap();
    f(&View {
        via_transport: rsip_transport(&via.transport),
        via_host: rsip_host(via.uri.host()),
        via_port: via.uri.port().map(|p| *p.value()),
        via_branch: via.branch().map(|b| b.value()),
        from_user: from.uri.user(),
        from_host: rsip_host(from.uri.host()),
        from_port: from.uri.port().map(|p| *p.value()),
        from_tag: from.tag().map(|t| t.value()),
        to_user: to.uri.user(),
        to_host: rsip_host(to.uri.host()),
        to_port: to.uri.port().map(|p| *p.value()),
        to_tag: to.tag().map(|t| t.value()),
        call_id: call.value(),
        cseq: cseq.seq,
        method: rsip_method(&cseq.method),
    })
}

/// Before timing: both libraries read the same values from both messages.
pub fn check() {
    for input in [INVITE, OK200] {
        let a = ours(input, |v| format!("{v:?}"));
        let shared = ours_shared(&Bytes::from_static(input), |v| format!("{v:?}"));
        assert_eq!(
            a, shared,
            "SharedMessage reads what the borrowed parse reads"
        );
        let b = rsip(input, |v| format!("{v:?}"));
        assert_eq!(a, b, "rtcweb-sip-core and rsip read different values");
        assert_eq!(ours(input, digest), rsip(input, digest));
    }
    ours(OK200, |v| {
        assert_eq!(v.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
        assert_eq!(v.to_tag, Some("a6c85cf"));
    });
}

pub fn group(h: &Harness) -> Group<'static> {
    let mut workloads = Vec::new();
    for (id, title, input) in [
        (
            "sip_parse_invite",
            "INVITE, 1002 B (`sip_invite.txt`)",
            INVITE,
        ),
        ("sip_parse_200ok", "200 OK, 384 B (`sip_200ok.txt`)", OK200),
    ] {
        if h.wants(id) {
            let owned = Bytes::from_static(input);
            workloads.push(Workload {
                id: id.into(),
                title: title.into(),
                contenders: vec![
                    Contender::ours(
                        "rtcweb-sip-core",
                        per_op(move || ours(black_box(input), digest)),
                    ),
                    Contender::ours(
                        "rtcweb-sip-core, SharedMessage (bytes)",
                        per_op(move || ours_shared(black_box(&owned), digest)),
                    ),
                    Contender::peer("rsip", per_op(move || rsip(black_box(input), digest))),
                ],
            });
        }
    }
    Group {
        id: "sip",
        title: "SIP parse + typed headers — rtcweb-sip-core vs rsip 0.4",
        note: "Each operation parses the message and reads the typed Via (transport, sent-by host and \
port, branch), From and To (URI user, host, port; tag), Call-ID and CSeq (number, method): \
rtcweb with `Message::parse` into a 32-header stack array, `typed::<…>()` and `parse_uri()` (and, feature `bytes`, with `SharedMessage::parse` of a `Bytes` clone and its view rebuilt into the array); rsip \
with `SipMessage::try_from` and `typed()` (it builds every header eagerly). Checked first: both \
read identical values from both messages.",
        workloads,
    }
}
