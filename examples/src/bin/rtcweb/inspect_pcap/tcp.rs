//! TCP streams reassembled enough to frame SIP: segments put in sequence order per direction
//! (retransmissions and overlaps trimmed, a bounded number kept out of order), then SIP messages
//! framed by sip-core's stream framing (RFC 3261 §18.3, Content-Length), or, after an HTTP
//! Upgrade, WebSocket frames (RFC 6455 §5.2) each carrying one SIP message (RFC 7118).

use std::collections::HashMap;
use std::net::SocketAddr;

use rtcweb_sip_core::framing::{next_frame, Frame};
use rtcweb_sip_core::message::Header;

use super::classify::{looks_like_sip, sip_limits, SIP_HEADERS};
use super::net::TcpInfo;

/// Out-of-order segments kept per direction before giving up on the hole.
const MAX_PENDING: usize = 64;
/// Bytes buffered per direction before the stream is declared unframable.
const MAX_BUFFER: usize = 1 << 20;

/// What a segment completed in its stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A whole SIP message; `websocket` when it came in a WebSocket frame.
    Sip {
        /// The message bytes.
        bytes: Vec<u8>,
        /// Carried in a WebSocket frame.
        websocket: bool,
    },
    /// A CRLF keep-alive (RFC 5626).
    KeepAlive,
    /// The head of an HTTP request or response (the WebSocket handshake): its first line.
    Http(String),
    /// A WebSocket control or non-SIP frame: its opcode name.
    WebSocket(&'static str),
    /// Bytes were missing from the stream (a segment not captured): framing restarts after them.
    Gap {
        /// How many bytes were skipped.
        skipped: u32,
    },
    /// The stream cannot be framed from here on.
    Error {
        /// Byte offset in the stream (of this direction).
        offset: u64,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not yet known.
    Sniff,
    /// SIP messages back to back.
    Sip,
    /// An HTTP head is expected first.
    Http,
    /// WebSocket frames.
    WebSocket,
    /// Not SIP, or framing was lost.
    Ignore,
}

#[derive(Debug)]
struct Direction {
    next_seq: Option<u32>,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: u64,
    pending: HashMap<u32, Vec<u8>>,
    mode: Mode,
    /// A fragmented WebSocket message being collected.
    fragments: Vec<u8>,
}

impl Direction {
    fn new() -> Self {
        Self {
            next_seq: None,
            buf: Vec::new(),
            base: 0,
            pending: HashMap::new(),
            mode: Mode::Sniff,
            fragments: Vec::new(),
        }
    }
}

/// Every TCP direction of a capture.
#[derive(Debug, Default)]
pub struct Streams {
    directions: HashMap<(SocketAddr, SocketAddr), Direction>,
}

impl Streams {
    /// Adds a segment from `src` to `dst` and returns what it completed.
    pub fn segment(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        tcp: TcpInfo,
        payload: &[u8],
    ) -> Vec<Item> {
        if tcp.rst {
            self.directions.remove(&(src, dst));
            return Vec::new();
        }
        let d = self
            .directions
            .entry((src, dst))
            .or_insert_with(Direction::new);
        let mut seq = tcp.seq;
        if tcp.syn {
            *d = Direction::new();
            seq = seq.wrapping_add(1);
            d.next_seq = Some(seq);
        }
        let mut items = Vec::new();
        if payload.is_empty() {
            return items;
        }
        let next = *d.next_seq.get_or_insert(seq);
        let ahead = seq.wrapping_sub(next) as i32;
        if ahead > 0 {
            if d.pending.len() < MAX_PENDING {
                d.pending.insert(seq, payload.to_vec());
                return items;
            }
            // The hole will not be filled: skip it and go on from the oldest segment kept.
            items.push(Item::Gap {
                skipped: ahead.unsigned_abs(),
            });
            d.buf.clear();
            d.base += u64::from(ahead.unsigned_abs());
            d.fragments.clear();
            if d.mode != Mode::Ignore {
                d.mode = Mode::Sniff;
            }
            d.next_seq = Some(seq);
        }
        append(d, seq, payload);
        while let Some((s, p)) = take_next(d) {
            append(d, s, &p);
        }
        frame(d, &mut items);
        items
    }
}

/// Appends the part of a segment starting at `seq` that is new.
fn append(d: &mut Direction, seq: u32, payload: &[u8]) {
    let next = d.next_seq.unwrap_or(seq);
    let behind = next.wrapping_sub(seq) as usize;
    if let Some(new) = payload.get(behind..) {
        if d.mode != Mode::Ignore {
            d.buf.extend_from_slice(new);
        } else {
            d.base += new.len() as u64;
        }
        d.next_seq = Some(next.wrapping_add(new.len() as u32));
    }
}

/// A kept segment that now starts at or before the next expected byte.
fn take_next(d: &mut Direction) -> Option<(u32, Vec<u8>)> {
    let next = d.next_seq?;
    let key = d
        .pending
        .keys()
        .copied()
        .find(|&s| next.wrapping_sub(s) as i32 >= 0)?;
    d.pending.remove(&key).map(|p| (key, p))
}

fn consume(d: &mut Direction, n: usize) {
    let n = n.min(d.buf.len());
    d.buf.drain(..n);
    d.base += n as u64;
}

fn lose_framing(d: &mut Direction, items: &mut Vec<Item>, offset: u64, message: String) {
    items.push(Item::Error { offset, message });
    d.base += d.buf.len() as u64;
    d.buf.clear();
    d.mode = Mode::Ignore;
}

fn frame(d: &mut Direction, items: &mut Vec<Item>) {
    loop {
        if d.buf.len() > MAX_BUFFER {
            let offset = d.base;
            lose_framing(
                d,
                items,
                offset,
                format!("over {MAX_BUFFER} bytes without a frame"),
            );
        }
        let progressed = match d.mode {
            Mode::Ignore => return,
            Mode::Sniff => sniff(d),
            Mode::Http => http_head(d, items),
            Mode::Sip => sip(d, items),
            Mode::WebSocket => websocket(d, items),
        };
        if !progressed || d.buf.is_empty() {
            return;
        }
    }
}

fn sniff(d: &mut Direction) -> bool {
    let buf = &d.buf;
    if buf.starts_with(b"GET ") || buf.starts_with(b"HTTP/1.") {
        d.mode = Mode::Http;
    } else if looks_like_sip(buf) || buf.starts_with(b"\r\n") {
        d.mode = Mode::Sip;
    } else if buf.contains(&b'\n') || buf.len() >= 64 {
        d.mode = Mode::Ignore;
        d.base += buf.len() as u64;
        d.buf.clear();
    } else {
        return false;
    }
    true
}

fn http_head(d: &mut Direction, items: &mut Vec<Item>) -> bool {
    let Some(end) = d.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(d.buf.get(..end).unwrap_or_default()).into_owned();
    let upgrade = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("upgrade:") && l.contains("websocket")
    });
    items.push(Item::Http(
        head.lines().next().unwrap_or_default().to_string(),
    ));
    consume(d, end + 4);
    d.mode = if upgrade {
        Mode::WebSocket
    } else {
        Mode::Ignore
    };
    true
}

fn sip(d: &mut Direction, items: &mut Vec<Item>) -> bool {
    let mut storage = [Header::EMPTY; SIP_HEADERS];
    let (item, len) = match next_frame(&d.buf, &mut storage, &sip_limits()) {
        Ok(Frame::NeedMore { .. }) => return false,
        Ok(Frame::KeepAlive { len, .. }) => (Item::KeepAlive, len),
        Ok(Frame::Message { len, .. }) => {
            let bytes = d.buf.get(..len).unwrap_or_default().to_vec();
            (
                Item::Sip {
                    bytes,
                    websocket: false,
                },
                len,
            )
        }
        Err(e) => {
            let offset = d.base + e.offset as u64;
            lose_framing(d, items, offset, format!("SIP over TCP: {e}"));
            return false;
        }
    };
    items.push(item);
    consume(d, len);
    true
}

/// One WebSocket frame (RFC 6455 §5.2): FIN, opcode, mask, 7/16/64-bit length.
fn websocket(d: &mut Direction, items: &mut Vec<Item>) -> bool {
    let byte = |i: usize| d.buf.get(i).copied();
    let (Some(b0), Some(b1)) = (byte(0), byte(1)) else {
        return false;
    };
    let (fin, opcode, masked) = (b0 & 0x80 != 0, b0 & 0x0f, b1 & 0x80 != 0);
    let (len, mut at) = match b1 & 0x7f {
        126 => match (byte(2), byte(3)) {
            (Some(a), Some(b)) => (u64::from(u16::from_be_bytes([a, b])), 4),
            _ => return false,
        },
        127 => match d.buf.get(2..10).and_then(|s| <[u8; 8]>::try_from(s).ok()) {
            Some(b) => (u64::from_be_bytes(b), 10),
            None => return false,
        },
        n => (u64::from(n), 2),
    };
    if len > MAX_BUFFER as u64 {
        let offset = d.base + 1;
        lose_framing(d, items, offset, format!("WebSocket frame of {len} bytes"));
        return false;
    }
    let mut mask = None;
    if masked {
        let Some(m) = d
            .buf
            .get(at..at + 4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
        else {
            return false;
        };
        mask = Some(m);
        at += 4;
    }
    let end = at + len as usize;
    let Some(data) = d.buf.get(at..end) else {
        return false;
    };
    let mut data = data.to_vec();
    if let Some(m) = mask {
        for (i, b) in data.iter_mut().enumerate() {
            *b ^= m.get(i % 4).copied().unwrap_or(0);
        }
    }
    consume(d, end);
    match opcode {
        0..=2 => {
            d.fragments.extend_from_slice(&data);
            if fin {
                let bytes = std::mem::take(&mut d.fragments);
                items.push(if looks_like_sip(&bytes) {
                    Item::Sip {
                        bytes,
                        websocket: true,
                    }
                } else {
                    Item::WebSocket(if opcode == 2 { "binary" } else { "text" })
                });
            }
        }
        8 => items.push(Item::WebSocket("close")),
        9 => items.push(Item::WebSocket("ping")),
        10 => items.push(Item::WebSocket("pong")),
        _ => items.push(Item::WebSocket("reserved")),
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 3\r\n\r\nabc";

    fn addr(p: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], p))
    }

    fn tcp(seq: u32, syn: bool) -> TcpInfo {
        TcpInfo {
            seq,
            syn,
            fin: false,
            rst: false,
            ack: !syn,
        }
    }

    #[test]
    fn split_reordered_and_retransmitted_segments() {
        let mut s = Streams::default();
        let (a, b) = (addr(1), addr(2));
        assert!(s.segment(a, b, tcp(99, true), b"").is_empty());
        let (one, two) = MSG.split_at(30);
        // The second half first: kept until the first arrives.
        assert!(s.segment(a, b, tcp(100 + 30, false), two).is_empty());
        let items = s.segment(a, b, tcp(100, false), one);
        assert_eq!(
            items,
            [Item::Sip {
                bytes: MSG.to_vec(),
                websocket: false
            }]
        );
        // A retransmission adds nothing; the next message plus a keep-alive frame.
        assert!(s.segment(a, b, tcp(100, false), one).is_empty());
        let mut more = MSG.to_vec();
        more.extend_from_slice(b"\r\n\r\n");
        let items = s.segment(a, b, tcp(100 + MSG.len() as u32, false), &more);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1], Item::KeepAlive);
    }

    #[test]
    fn missing_content_length_loses_framing_with_offset() {
        let mut s = Streams::default();
        let items = s.segment(
            addr(1),
            addr(2),
            tcp(5, false),
            b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n",
        );
        let Item::Error { offset, message } = &items[0] else {
            panic!("{items:?}")
        };
        assert!(message.contains("Content-Length"), "{message}");
        assert!(*offset > 0);
    }

    #[test]
    fn websocket_after_upgrade_masked_and_fragmented() {
        let mut s = Streams::default();
        let (a, b) = (addr(1), addr(2));
        let mut stream =
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: sip\r\n\r\n".to_vec();
        let mask = [1u8, 2, 3, 4];
        let (p1, p2) = MSG.split_at(10);
        for (fin, op, part) in [(false, 1u8, p1), (true, 0, p2)] {
            stream.push(if fin { 0x80 } else { 0 } | op);
            stream.push(0x80 | 126);
            stream.extend_from_slice(&(part.len() as u16).to_be_bytes());
            stream.extend_from_slice(&mask);
            stream.extend(part.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        }
        stream.extend_from_slice(&[0x89, 0]); // ping
        let items = s.segment(a, b, tcp(1, false), &stream);
        assert_eq!(items[0], Item::Http("GET / HTTP/1.1".into()));
        assert_eq!(
            items[1],
            Item::Sip {
                bytes: MSG.to_vec(),
                websocket: true
            }
        );
        assert_eq!(items[2], Item::WebSocket("ping"));
    }
}
