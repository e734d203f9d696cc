//! An attacker on every surface the gateway reads: a WebSocket connection of its own (never
//! registered), the trunk's SIP socket (from an address that is not the trunk's) and the media
//! sockets of calls in progress (ports scanned). It sends SIP built to look right (INVITEs with
//! a WebRTC offer, BYE/CANCEL/re-INVITE with guessed identifiers, REGISTER without credentials),
//! the same mutated (bytes flipped, cut, repeated, inserted), frames of garbage and oversized
//! frames, and datagrams that start like STUN, DTLS or RTP. What it receives is counted.

use std::net::SocketAddr;

use rtcweb_testkit::SimRng;
use tungstenite::Message;

use super::world::World;
use super::ws_client::{Next, WsClient};

/// What the attacker sent and got back.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub ws_sent: usize,
    pub udp_sent: usize,
    pub udp_bytes_sent: usize,
    /// Datagrams and bytes that came back to its UDP address.
    pub udp_received: usize,
    pub udp_bytes_received: usize,
    /// Status codes of the responses it got over its WebSocket, with their CSeq method.
    pub ws_statuses: Vec<(u16, String)>,
    /// Times the gateway closed its WebSocket (it connects again).
    pub ws_closed: usize,
}

pub struct Attacker {
    world: World,
    rng: SimRng,
    ws: WsClient,
    udp: SocketAddr,
    ws_target: SocketAddr,
    next_port: u16,
    /// It went away for good.
    gone: bool,
    gateway_sip: SocketAddr,
    /// Media ports to try.
    media: Vec<SocketAddr>,
    pub tally: Tally,
}

/// Requests the attacker starts from: what a browser or a phone would send, with identifiers
/// it cannot know.
fn templates(rng: &mut SimRng) -> Vec<String> {
    let r = rng.next_u64();
    let sdp = format!(
        "v=0\r\no=- 1 2 IN IP4 10.9.9.9\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
         m=audio 9 UDP/TLS/RTP/SAVPF 0 8\r\nc=IN IP4 10.9.9.9\r\na=mid:0\r\na=rtcp-mux\r\n\
         a=ice-ufrag:evil\r\na=ice-pwd:evilevilevilevilevilevil\r\n\
         a=fingerprint:sha-256 {}\r\na=setup:actpass\r\na=rtpmap:0 PCMU/8000\r\n\
         a=candidate:1 1 udp 2130706431 10.9.9.9 4000 typ host\r\n",
        ["AB"; 32].join(":")
    );
    let req = |method: &str, ruri: &str, to_tag: bool, body: &str| {
        let to_tag = if to_tag {
            format!(";tag={:x}", r ^ 7)
        } else {
            String::new()
        };
        format!(
            "{method} {ruri} SIP/2.0\r\nVia: SIP/2.0/WS {r:x}.invalid;branch=z9hG4bK{r:x}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:user1@example.com>;tag={r:x}\r\n\
             To: <sip:phone@example.com>{to_tag}\r\nCall-ID: {r:x}@evil\r\nCSeq: 1 {method}\r\n\
             Contact: <sip:evil@{r:x}.invalid;transport=ws>\r\n\
             Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    vec![
        // Calls the trunk without registering, claiming a registered user's name.
        req("INVITE", "sip:phone@example.com", false, &sdp),
        req("INVITE", "sip:user0@10.0.0.1:5060", false, &sdp),
        req("BYE", "sip:gateway@10.0.0.1", true, ""),
        req("CANCEL", "sip:phone@example.com", false, ""),
        req("INVITE", "sip:gateway@10.0.0.1", true, &sdp),
        req("ACK", "sip:gateway@10.0.0.1", true, ""),
        req("REGISTER", "sip:example.com", false, ""),
        req("OPTIONS", "sip:gateway@10.0.0.1", false, ""),
        req("MESSAGE", "sip:user0@example.com", false, "hello"),
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnope\r\n\
         From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\
         Content-Length: 0\r\n\r\n"
            .into(),
    ]
}

/// `bytes` damaged a few times.
fn mutate(rng: &mut SimRng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..=rng.below(4) {
        let len = bytes.len() as u64;
        if len == 0 {
            break;
        }
        let at = rng.below(len) as usize;
        match rng.below(6) {
            0 => bytes[at] = rng.next_u64() as u8,
            1 => bytes.truncate(at),
            2 => {
                let end = (at + rng.below(64) as usize).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(256) as usize).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                for _ in 0..rng.below(50) {
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                let junk: Vec<u8> = (0..rng.below(32)).map(|_| rng.next_u64() as u8).collect();
                bytes.splice(at..at, junk);
            }
            _ => {
                // A number somewhere made huge (Content-Length, CSeq, Expires, a port).
                let huge = b"99999999999999999999";
                bytes.splice(at..at, huge.iter().copied());
            }
        }
    }
    bytes
}

impl Attacker {
    pub fn new(
        world: &World,
        seed: u64,
        ws_target: SocketAddr,
        gateway_sip: SocketAddr,
        media: Vec<SocketAddr>,
    ) -> Self {
        let udp = SocketAddr::new(Self::IP, 6666);
        world.bind(udp);
        let mut a = Self {
            world: world.clone(),
            rng: SimRng::new(seed),
            ws: WsClient::Closed,
            udp,
            ws_target,
            next_port: 40_000,
            gone: false,
            gateway_sip,
            media,
            tally: Tally::default(),
        };
        a.connect();
        a
    }

    const IP: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 9, 9, 9));

    /// A new WebSocket connection (from the next port).
    fn connect(&mut self) {
        self.next_port += 1;
        let from = SocketAddr::new(Self::IP, self.next_port);
        self.ws = WsClient::connect(&self.world, from, self.ws_target).0;
    }

    /// Reads what came back.
    pub fn step(&mut self) {
        loop {
            match self.ws.next() {
                Next::Frame(f) => {
                    let t = String::from_utf8_lossy(&f);
                    let code = t
                        .strip_prefix("SIP/2.0 ")
                        .and_then(|r| r.get(..3))
                        .and_then(|c| c.parse().ok());
                    let method = t
                        .lines()
                        .find_map(|l| l.strip_prefix("CSeq: "))
                        .and_then(|c| c.split_whitespace().nth(1))
                        .unwrap_or_default()
                        .to_string();
                    if let Some(code) = code {
                        self.tally.ws_statuses.push((code, method));
                    }
                }
                Next::Nothing => break,
                Next::Lost(_) => {
                    self.tally.ws_closed += 1;
                    break;
                }
            }
        }
        if self.ws.is_closed() && !self.gone {
            self.connect();
        }
        while let Some((_, d)) = self.world.take(self.udp) {
            self.tally.udp_received += 1;
            self.tally.udp_bytes_received += d.len();
        }
    }

    /// One attack.
    pub fn attack(&mut self) {
        let rng = &mut self.rng;
        let pick = rng.below(10);
        let templates = templates(rng);
        let template = templates[rng.below(templates.len() as u64) as usize].clone();
        match pick {
            // SIP over the WebSocket, whole or damaged.
            0..=3 => {
                let bytes = if pick == 0 {
                    template.into_bytes()
                } else {
                    mutate(rng, template.into_bytes())
                };
                let msg = match String::from_utf8(bytes) {
                    Ok(t) => Message::text(t),
                    Err(e) => Message::binary(e.into_bytes()),
                };
                self.send_ws(msg);
            }
            // A frame of garbage, or a huge one.
            4 => {
                let n = if rng.chance(200) {
                    200_000
                } else {
                    rng.below(2000)
                };
                let junk: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                self.send_ws(Message::binary(junk));
            }
            // SIP to the trunk's socket from a stranger.
            5..=7 => {
                let bytes = if pick == 5 {
                    template.replace("SIP/2.0/WS", "SIP/2.0/UDP").into_bytes()
                } else {
                    mutate(rng, template.into_bytes())
                };
                self.send_udp(self.gateway_sip, &bytes);
            }
            // Datagrams to the calls' media ports: STUN, DTLS, RTP-looking, or anything.
            _ => {
                if self.media.is_empty() {
                    return;
                }
                let to = self.media[rng.below(self.media.len() as u64) as usize];
                let first = match rng.below(4) {
                    0 => rng.below(4) as u8,
                    1 => 20 + rng.below(44) as u8,
                    2 => 128 + rng.below(64) as u8,
                    _ => rng.next_u64() as u8,
                };
                let n = 1 + rng.below(300) as usize;
                let mut d: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                d[0] = first;
                if first < 4 && n >= 20 {
                    // A STUN header with the magic cookie: a Binding request, unauthenticated.
                    d[0] = 0;
                    d[1] = 1;
                    d[4..8].copy_from_slice(&0x2112_A442u32.to_be_bytes());
                }
                self.send_udp(to, &d);
            }
        }
    }

    fn send_ws(&mut self, msg: Message) {
        if self.ws.is_open() {
            self.tally.ws_sent += 1;
            if !self.ws.send(msg) {
                self.tally.ws_closed += 1;
            }
        }
    }

    fn send_udp(&mut self, to: SocketAddr, bytes: &[u8]) {
        self.tally.udp_sent += 1;
        self.tally.udp_bytes_sent += bytes.len();
        self.world.send(self.udp, to, bytes);
    }

    /// Its WebSocket connection goes away without a word.
    pub fn disconnect(&mut self) {
        self.gone = true;
        self.ws = WsClient::Closed;
    }

    /// How many of its INVITEs were refused 403.
    pub fn refused(&self) -> usize {
        self.tally
            .ws_statuses
            .iter()
            .filter(|(c, m)| *c == 403 && m == "INVITE")
            .count()
    }
}
