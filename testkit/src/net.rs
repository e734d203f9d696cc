//! [`Net`]: the in-memory network and the virtual clock that drives [`Node`]s.
//!
//! Datagrams in flight are ordered by delivery time (ties by sending order); every datagram put
//! on the wire is logged; a drop filter removes chosen ones before the [`Link`] draws its fate.
//! [`Net::step`] jumps the clock to the next event — a delivery or the earliest node deadline —
//! like quinn-proto's `Pair::step` and str0m's netem; [`Net::run_until`] steps until a
//! condition holds or a limit passes.
//!
//! A simulator with its own routing (NATs, servers, signalling: ice-core's) uses the lower half
//! alone: [`Net::send`], [`Net::next_delivery`], [`Net::advance_to`], [`Net::pop_due`].

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::net::SocketAddr;

use rtcweb_proto::{Instant, Transport};

use crate::link::Link;
use crate::node::{Node, Peer};
use crate::rng::SimRng;

/// Steps [`Net::run_until`] takes before it decides a node never settles (a deadline that
/// `handle_timeout` does not move, say).
const MAX_STEPS: usize = 5_000_000;
/// The transmit buffer's first size: any UDP datagram.
const BUFFER: usize = 65_535;

/// One datagram (or one framed message of a reliable transport).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Where it comes from.
    pub from: SocketAddr,
    /// Where it goes.
    pub to: SocketAddr,
    /// How: reliable transports are never lost, duplicated or reordered.
    pub transport: Transport,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Datagram {
    /// A UDP datagram.
    #[must_use]
    pub fn udp(from: SocketAddr, to: SocketAddr, bytes: Vec<u8>) -> Self {
        Self {
            from,
            to,
            transport: Transport::Udp,
            bytes,
        }
    }

    /// Its first line, for text protocols (SIP): `INVITE sip:…`, `SIP/2.0 200 OK`.
    #[must_use]
    pub fn first_line(&self) -> alloc::string::String {
        first_line(&self.bytes)
    }
}

/// The first line of `bytes` as text (lossy UTF-8).
#[must_use]
pub fn first_line(bytes: &[u8]) -> alloc::string::String {
    let end = bytes
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(bytes.len());
    alloc::string::String::from_utf8_lossy(bytes.get(..end).unwrap_or_default()).into_owned()
}

/// A datagram as it was put on the wire, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// When it was sent.
    pub at: Instant,
    /// The datagram.
    pub datagram: Datagram,
    /// Copies that will reach the far end: 0 (filtered or lost), 1 or 2 (duplicated).
    pub copies: u8,
}

/// Counters of everything the network did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams put on the wire.
    pub sent: usize,
    /// Removed by the drop filter.
    pub filtered: usize,
    /// Lost by the link.
    pub lost: usize,
    /// Delivered twice by the link.
    pub duplicated: usize,
    /// Copies handed to a receiver.
    pub delivered: usize,
    /// Copies that arrived where no node listens.
    pub unroutable: usize,
}

/// The filter: `true` drops the datagram.
type DropFilter = Box<dyn FnMut(&Datagram) -> bool + Send>;

/// The simulated network and its clock. See the [module doc](self).
pub struct Net {
    /// The virtual time: starts at [`Instant::ZERO`], only moves forward.
    pub now: Instant,
    /// The link of every path without one of its own ([`Self::set_path`]).
    pub link: Link,
    /// The network's randomness (loss, duplication, jitter); [`SimRng::seed`] also seeds nodes.
    pub rng: SimRng,
    /// Every datagram put on the wire, in order, while [`Self::record`] is true.
    pub log: Vec<Sent>,
    /// Whether to keep [`Self::log`] (on by default; a long run with many datagrams may turn
    /// it off).
    pub record: bool,
    /// Counters.
    pub stats: Stats,
    paths: BTreeMap<(SocketAddr, SocketAddr), Link>,
    in_flight: BTreeMap<(Instant, u64), Datagram>,
    seq: u64,
    drop_if: Option<DropFilter>,
    buf: Vec<u8>,
}

impl core::fmt::Debug for Net {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Net")
            .field("now", &self.now)
            .field("link", &self.link)
            .field("in_flight", &self.in_flight.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Net {
    /// A network at [`Instant::ZERO`] whose randomness starts from `seed`, every path a `link`.
    #[must_use]
    pub fn new(seed: u64, link: Link) -> Self {
        Self {
            now: Instant::ZERO,
            link,
            rng: SimRng::new(seed),
            log: Vec::new(),
            record: true,
            stats: Stats::default(),
            paths: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            seq: 0,
            drop_if: None,
            buf: alloc::vec![0; BUFFER],
        }
    }

    /// Gives the one-way path `from` → `to` its own link.
    pub fn set_path(&mut self, from: SocketAddr, to: SocketAddr, link: Link) {
        self.paths.insert((from, to), link);
    }

    /// The link of the path `from` → `to`.
    #[must_use]
    pub fn link_between(&self, from: SocketAddr, to: SocketAddr) -> Link {
        self.paths.get(&(from, to)).copied().unwrap_or(self.link)
    }

    /// Drops every datagram for which `filter` returns true (before the link's random loss).
    pub fn drop_if(&mut self, filter: impl FnMut(&Datagram) -> bool + Send + 'static) {
        self.drop_if = Some(Box::new(filter));
    }

    /// Removes the drop filter.
    pub fn drop_none(&mut self) {
        self.drop_if = None;
    }

    /// Puts `datagram` on the wire now: logged, then filtered, then lost, delivered or
    /// duplicated by its path's link.
    pub fn send(&mut self, datagram: Datagram) {
        self.stats.sent += 1;
        let filtered = self.drop_if.as_mut().is_some_and(|f| f(&datagram));
        let fate = if filtered {
            self.stats.filtered += 1;
            [None, None]
        } else {
            let link = self.link_between(datagram.from, datagram.to);
            link.fate(&mut self.rng, datagram.transport.is_reliable())
        };
        let copies = fate.iter().flatten().count();
        match copies {
            0 if !filtered => self.stats.lost += 1,
            2 => self.stats.duplicated += 1,
            _ => {}
        }
        if self.record {
            self.log.push(Sent {
                at: self.now,
                datagram: datagram.clone(),
                copies: u8::try_from(copies).unwrap_or(u8::MAX),
            });
        }
        for delay in fate.into_iter().flatten() {
            self.seq += 1;
            self.in_flight
                .insert((self.now + delay, self.seq), datagram.clone());
        }
    }

    /// When the next datagram in flight arrives.
    #[must_use]
    pub fn next_delivery(&self) -> Option<Instant> {
        self.in_flight.keys().next().map(|(at, _)| *at)
    }

    /// Datagrams in flight.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Moves the clock to `t` (never backwards).
    pub fn advance_to(&mut self, t: Instant) {
        self.now = self.now.max(t);
    }

    /// The next datagram due by now, counted as delivered.
    pub fn pop_due(&mut self) -> Option<Datagram> {
        let entry = self.in_flight.first_entry()?;
        if entry.key().0 > self.now {
            return None;
        }
        self.stats.delivered += 1;
        Some(entry.remove())
    }

    /// How many logged datagrams satisfy `f`.
    pub fn count(&self, f: impl Fn(&Sent) -> bool) -> usize {
        self.log.iter().filter(|s| f(s)).count()
    }

    /// Lets every node act ([`Node::process`]) and puts what it has to send on the wire.
    pub fn flush<N: Node>(&mut self, nodes: &mut [N]) {
        for node in nodes.iter_mut() {
            node.process(self.now);
            self.drain(node);
        }
    }

    fn drain<N: Node>(&mut self, node: &mut N) {
        loop {
            let t = match node.poll_transmit(self.now, &mut self.buf) {
                Ok(Some(t)) => t,
                Ok(None) => return,
                Err(e) => {
                    self.buf.resize(e.needed.max(self.buf.len() + 1), 0);
                    continue;
                }
            };
            let bytes = self.buf.get(..t.len).unwrap_or_default().to_vec();
            self.send(Datagram {
                from: t.source.unwrap_or_else(|| node.addr()),
                to: t.destination,
                transport: t.transport,
                bytes,
            });
        }
    }

    /// The next event: a delivery or the earliest node deadline.
    pub fn next_event<N: Node>(&self, nodes: &[N]) -> Option<Instant> {
        nodes
            .iter()
            .filter_map(Node::poll_timeout)
            .chain(self.next_delivery())
            .min()
    }

    /// Advances to the next event, however far: see [`Self::step_until`].
    pub fn step<N: Node>(&mut self, nodes: &mut [N]) -> bool {
        self.step_until(nodes, rtcweb_proto::time::far_future())
    }

    /// Sends what the nodes have to send, then, if the next event comes no later than `limit`,
    /// moves the clock to it, delivers every datagram due (each receiver then runs
    /// [`Node::process`]), fires every due deadline and sends what that produced. Returns
    /// whether anything happened; `false` leaves the clock where it was.
    pub fn step_until<N: Node>(&mut self, nodes: &mut [N], limit: Instant) -> bool {
        self.flush(nodes);
        let Some(next) = self.next_event(nodes).filter(|t| *t <= limit) else {
            return false;
        };
        self.advance_to(next);
        let now = self.now;
        while let Some(d) = self.pop_due() {
            let from = Peer {
                addr: d.from,
                transport: d.transport,
            };
            match nodes.iter_mut().find(|n| n.addr() == d.to) {
                Some(node) => {
                    node.handle_receive(now, from, &d.bytes);
                    node.process(now);
                }
                None => self.stats.unroutable += 1,
            }
        }
        for node in nodes.iter_mut() {
            if node.poll_timeout().is_some_and(|t| t <= now) {
                node.handle_timeout(now);
            }
        }
        self.flush(nodes);
        true
    }

    /// Steps until `done(net, nodes)` holds (checked after every step, and first) or the next
    /// event would come after `limit`; then the clock stands at `limit`. Returns whether `done`
    /// held.
    ///
    /// # Panics
    /// When the nodes never settle: a few million steps without reaching `limit`.
    pub fn run_until<N: Node>(
        &mut self,
        nodes: &mut [N],
        mut done: impl FnMut(&Net, &[N]) -> bool,
        limit: Instant,
    ) -> bool {
        for _ in 0..MAX_STEPS {
            self.flush(nodes);
            if done(self, nodes) {
                return true;
            }
            if !self.step_until(nodes, limit) {
                self.advance_to(limit);
                return false;
            }
        }
        // A test kit: a node that never settles is the test's failure, said loudly.
        #[allow(clippy::panic)]
        {
            panic!("the simulation did not settle by {limit}");
        }
    }

    /// Runs every event up to `until`, then stands the clock there.
    pub fn run_to<N: Node>(&mut self, nodes: &mut [N], until: Instant) {
        self.run_until(nodes, |_, _| false, until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ms;
    use rtcweb_proto::{BufferTooSmall, Transmit};

    /// Sends `n` numbered datagrams to `to` at start, or echoes what it receives.
    struct Pinger {
        addr: SocketAddr,
        to: Option<SocketAddr>,
        queue: Vec<(SocketAddr, Vec<u8>)>,
        got: Vec<(Instant, Vec<u8>)>,
    }

    impl Node for Pinger {
        fn addr(&self) -> SocketAddr {
            self.addr
        }
        fn handle_receive(&mut self, now: Instant, from: Peer, bytes: &[u8]) {
            self.got.push((now, bytes.to_vec()));
            if self.to.is_none() {
                self.queue.push((from.addr, bytes.to_vec()));
            }
        }
        fn handle_timeout(&mut self, _: Instant) {}
        fn poll_transmit(
            &mut self,
            _: Instant,
            buf: &mut [u8],
        ) -> Result<Option<Transmit>, BufferTooSmall> {
            let Some((to, bytes)) = self.queue.last() else {
                return Ok(None);
            };
            let (to, len) = (*to, bytes.len());
            buf.get_mut(..len)
                .ok_or(BufferTooSmall { needed: len })?
                .copy_from_slice(bytes);
            self.queue.pop();
            Ok(Some(Transmit::udp(to, len)))
        }
        fn poll_timeout(&self) -> Option<Instant> {
            None
        }
    }

    fn pair(n: u8) -> (Pinger, Pinger) {
        let (a, b) = (
            SocketAddr::from(([192, 0, 2, 1], 1)),
            SocketAddr::from(([192, 0, 2, 2], 2)),
        );
        let ping = Pinger {
            addr: a,
            to: Some(b),
            queue: (0..n).map(|i| (b, alloc::vec![i; 100_000])).collect(),
            got: Vec::new(),
        };
        let echo = Pinger {
            addr: b,
            to: None,
            queue: Vec::new(),
            got: Vec::new(),
        };
        (ping, echo)
    }

    #[test]
    fn steps_to_each_event_and_echoes() {
        let (mut a, mut b) = pair(3);
        let mut net = Net::new(1, Link::PERFECT);
        assert!(net.step(&mut [&mut a, &mut b]), "the pings arrive");
        assert_eq!(net.now, ms(10));
        assert!(net.step(&mut [&mut a, &mut b]), "the echoes arrive");
        assert_eq!(net.now, ms(20));
        assert!(!net.step(&mut [&mut a, &mut b]), "nothing left");
        assert_eq!(a.got.len(), 3, "datagrams larger than the first buffer");
        assert_eq!(net.stats.sent, 6);
        assert_eq!(net.log.len(), 6);
    }

    #[test]
    fn filter_and_limit() {
        let (mut a, mut b) = pair(4);
        let mut net = Net::new(1, Link::PERFECT);
        net.drop_if(|d| d.bytes.first() == Some(&0));
        let done = net.run_until(
            &mut [&mut a, &mut b],
            |_, nodes| nodes.first().is_some_and(|n| n.got.len() == 3),
            ms(1_000),
        );
        assert!(done);
        assert_eq!(net.now, ms(20));
        assert!(!net.run_until(&mut [&mut a, &mut b], |_, _| false, ms(1_000)));
        assert_eq!(net.now, ms(1_000));
        assert_eq!(net.stats.filtered, 1);
        assert_eq!(net.count(|s| s.copies == 0), 1);
    }

    #[test]
    fn lossy_links_lose_duplicate_and_reorder() {
        let (mut a, mut b) = pair(200);
        let mut net = Net::new(3, Link::LOSSY);
        net.run_to(&mut [&mut a, &mut b], ms(10_000));
        assert!(net.stats.lost > 0 && net.stats.duplicated > 0);
        let order: Vec<u8> = b
            .got
            .iter()
            .filter_map(|(_, d)| d.first().copied())
            .collect();
        assert!(order.windows(2).any(|w| w.first() > w.last()), "reordered");
        assert!(b.got.iter().all(|(t, _)| *t >= ms(20) && *t < ms(420)));
    }
}
