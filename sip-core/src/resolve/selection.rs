//! [`ServerSelection`]: the RFC 3263 §4 procedure as a Sans-IO state machine.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

use rtcweb_proto::{Rng, Transport};

use super::record::{normalize, Naptr, Query, Record, RecordType, Srv};
use super::srv;
use crate::uri::{Host, SipUri};

/// One place to send a request: a transport and an address (RFC 3263 §4.3's output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    /// The transport to use.
    pub transport: Transport,
    /// Where to send it.
    pub addr: SocketAddr,
}

/// What the caller supports and how much a hostile DNS may make us do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionConfig {
    /// Transports the caller can use, in its order of preference when the domain publishes no
    /// NAPTR records (RFC 3263 §4.1: then SRV is asked for each supported transport).
    pub transports: Vec<Transport>,
    /// Ask AAAA besides A, and use IPv6 addresses (after the IPv4 ones of the same host).
    pub ipv6: bool,
    /// Most DNS questions one selection asks; past it, what is still unknown counts as empty.
    pub max_queries: usize,
    /// Most records read from one answer.
    pub max_records: usize,
    /// Most targets kept.
    pub max_targets: usize,
}

impl Default for SelectionConfig {
    fn default() -> Self {
        Self {
            transports: alloc::vec![Transport::Udp, Transport::Tcp, Transport::Tls],
            ipv6: true,
            max_queries: 32,
            max_records: 32,
            max_targets: 16,
        }
    }
}

/// Why a URI cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// `transport=` names a transport this caller does not support (or an unknown one).
    #[error("transport {0:?} is not supported")]
    UnsupportedTransport(String),
    /// A `sips:` URI with a transport that is not secure (RFC 3263 §4.1).
    #[error("sips: URI with an insecure transport")]
    InsecureTransport,
}

/// A host to find the addresses of: the transport and port it was found with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostPort {
    transport: Transport,
    name: String,
    port: u16,
}

/// Where the procedure stands, recomputed from the answers received so far.
enum Step {
    /// These questions must be answered first.
    Need(Vec<Query>),
    /// Every question is answered: the targets, in order.
    Done(Vec<Target>),
}

/// RFC 3263 §4 client server selection for one request URI, Sans-IO: it hands out the DNS
/// questions to ask ([`Self::poll_query`]), takes the answers back ([`Self::handle_answer`],
/// an empty slice for "no such records", NXDOMAIN or a failed lookup), and then gives the
/// targets one at a time in order ([`Self::next_target`]): the first to send to, then the next
/// after a transaction timeout or a 503 (§4.3). SRV records are ordered by priority and a
/// weighted random draw (RFC 2782) from the caller-seeded [`Rng`].
///
/// ```
/// use rtcweb_proto::{Rng, Transport};
/// use rtcweb_sip_core::resolve::{Naptr, Record, RecordType, SelectionConfig, ServerSelection, Srv};
/// use rtcweb_sip_core::uri::Uri;
///
/// let uri = Uri::parse("sip:alice@example.test").unwrap();
/// let uri = uri.as_sip().unwrap();
/// let mut sel = ServerSelection::new(uri, SelectionConfig::default(), Rng::from_seed([7; 32])).unwrap();
/// // A tiny DNS: NAPTR -> SRV -> A.
/// while let Some(q) = sel.poll_query() {
///     let answer = match (q.record_type, q.name.as_str()) {
///         (RecordType::Naptr, "example.test") => vec![Record::Naptr(Naptr {
///             order: 10, preference: 10, flags: "s".into(), services: "SIP+D2T".into(),
///             regexp: String::new(), replacement: "_sip._tcp.example.test".into(),
///         })],
///         (RecordType::Srv, "_sip._tcp.example.test") => vec![Record::Srv(Srv {
///             priority: 0, weight: 0, port: 5070, target: "sip1.example.test".into(),
///         })],
///         (RecordType::A, "sip1.example.test") => vec![Record::A([127, 0, 0, 1].into())],
///         _ => vec![],
///     };
///     sel.handle_answer(&q, &answer);
/// }
/// let first = sel.next_target().unwrap();
/// assert_eq!(first.transport, Transport::Tcp);
/// assert_eq!(first.addr, "127.0.0.1:5070".parse().unwrap());
/// assert_eq!(sel.next_target(), None); // nothing left to fail over to
/// ```
#[derive(Debug)]
pub struct ServerSelection {
    cfg: SelectionConfig,
    /// The domain (or literal address) to resolve, lower-case.
    host: String,
    literal: Option<IpAddr>,
    secure: bool,
    transport: Option<Transport>,
    port: Option<u16>,
    rng: Rng,
    asked: BTreeSet<Query>,
    answers: BTreeMap<Query, Vec<Record>>,
    targets: Option<Vec<Target>>,
    next: usize,
}

impl ServerSelection {
    /// Starts server selection for `uri` (its `maddr`, if any, is the host, §4.1).
    ///
    /// # Errors
    /// [`SelectionError`] when the URI's `transport=` is not in `cfg.transports`, or is not
    /// secure for a `sips:` URI.
    pub fn new(uri: &SipUri<'_>, cfg: SelectionConfig, rng: Rng) -> Result<Self, SelectionError> {
        let transport = match uri.param("transport") {
            Some(t) => Some(
                transport_param(t)
                    .filter(|t| cfg.transports.contains(t))
                    .ok_or_else(|| SelectionError::UnsupportedTransport(t.to_string()))?,
            ),
            None => None,
        };
        // §4.1 sips: TLS over TCP; a sips URI with transport=udp cannot be honoured.
        let transport = match (uri.secure, transport) {
            (true, Some(Transport::Tcp | Transport::Tls)) => Some(Transport::Tls),
            (true, Some(Transport::Ws | Transport::Wss)) => Some(Transport::Wss),
            (true, Some(Transport::Udp)) => return Err(SelectionError::InsecureTransport),
            (_, t) => t,
        };
        let (host, literal) = match uri.param("maddr") {
            Some(m) => (normalize(m.trim_matches(['[', ']'])), None),
            None => match uri.host {
                Host::Domain(d) => (normalize(d), None),
                Host::Ipv4(ip) => (ip.to_string(), Some(IpAddr::V4(ip))),
                Host::Ipv6(ip, _) => (ip.to_string(), Some(IpAddr::V6(ip))),
            },
        };
        let literal = literal.or_else(|| host.parse().ok());
        let mut sel = Self {
            cfg,
            host,
            literal,
            secure: uri.secure,
            transport,
            port: uri.port,
            rng,
            asked: BTreeSet::new(),
            answers: BTreeMap::new(),
            targets: None,
            next: 0,
        };
        sel.advance();
        Ok(sel)
    }

    /// The next DNS question to ask (each once), or `None` when none is needed now: either the
    /// answers to those handed out are awaited, or the targets are known ([`Self::is_resolved`]).
    /// Questions handed out together may be asked in parallel.
    pub fn poll_query(&mut self) -> Option<Query> {
        if self.targets.is_some() || self.asked.len() >= self.cfg.max_queries {
            return None;
        }
        let Step::Need(needed) = self.plan() else {
            return None;
        };
        let q = needed.into_iter().find(|q| !self.asked.contains(q))?;
        self.asked.insert(q.clone());
        Some(q)
    }

    /// The answer to `query`: its records (an empty slice for NXDOMAIN, no records of that
    /// type, or a lookup that failed or timed out). Answers to questions not asked are ignored;
    /// records of another type are skipped; at most `max_records` are read.
    pub fn handle_answer(&mut self, query: &Query, records: &[Record]) {
        if !self.asked.contains(query) || self.answers.contains_key(query) {
            return;
        }
        let records = records.get(..self.cfg.max_records).unwrap_or(records);
        let kept: Vec<Record> = match query.record_type {
            RecordType::Srv => {
                let srvs: Vec<Srv> = records
                    .iter()
                    .filter_map(|r| match r {
                        Record::Srv(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect();
                srv::order(srvs, &mut self.rng)
                    .into_iter()
                    .map(Record::Srv)
                    .collect()
            }
            t => records
                .iter()
                .filter(|r| r.record_type() == t)
                .cloned()
                .collect(),
        };
        self.answers.insert(query.clone(), kept);
        self.advance();
    }

    /// Whether every needed answer is in: [`Self::targets`] is known.
    #[must_use]
    pub const fn is_resolved(&self) -> bool {
        self.targets.is_some()
    }

    /// All targets, in the order they are tried, once resolved.
    #[must_use]
    pub fn targets(&self) -> Option<&[Target]> {
        self.targets.as_deref()
    }

    /// The next target to try: the first one, then — after a transaction timeout or a 503
    /// from the previous one (RFC 3263 §4.3) — the next. `None` before resolution completes
    /// and once every target was handed out.
    pub fn next_target(&mut self) -> Option<Target> {
        let t = self.targets.as_ref()?.get(self.next).copied()?;
        self.next += 1;
        Some(t)
    }

    /// Questions asked so far.
    #[must_use]
    pub fn queries_asked(&self) -> usize {
        self.asked.len()
    }

    /// Recomputes the plan; when done, fixes the targets.
    fn advance(&mut self) {
        loop {
            match self.plan() {
                Step::Done(t) => {
                    self.targets = Some(t);
                    return;
                }
                Step::Need(needed) => {
                    if self.asked.len() < self.cfg.max_queries
                        || needed
                            .iter()
                            .any(|q| self.asked.contains(q) && !self.answers.contains_key(q))
                    {
                        return;
                    }
                    // The question budget is spent: what is still unknown counts as empty, so
                    // that a hostile DNS cannot keep the selection open.
                    for q in needed {
                        self.asked.insert(q.clone());
                        self.answers.entry(q).or_default();
                    }
                }
            }
        }
    }

    fn answer(&self, name: &str, record_type: RecordType) -> Option<&[Record]> {
        let q = Query {
            name: name.to_string(),
            record_type,
        };
        self.answers.get(&q).map(Vec::as_slice)
    }

    /// The procedure of §4.1–§4.2 over the answers so far.
    fn plan(&self) -> Step {
        let default_transport = if self.secure {
            Transport::Tls
        } else {
            Transport::Udp
        };
        if let Some(ip) = self.literal {
            // §4.1: a numeric host: the transport from the URI or the default; §4.2 the port.
            let transport = self.transport.unwrap_or(default_transport);
            let port = self.port.unwrap_or_else(|| default_port(transport));
            return Step::Done(alloc::vec![Target {
                transport,
                addr: SocketAddr::new(ip, port),
            }]);
        }
        if let Some(port) = self.port {
            // §4.2: a port and a host name: A/AAAA only, no SRV.
            let transport = self.transport.unwrap_or(default_transport);
            return self.addresses(&[HostPort {
                transport,
                name: self.host.clone(),
                port,
            }]);
        }
        // The SRV names to ask, in order.
        let services: Vec<(Transport, String)> = if let Some(t) = self.transport {
            alloc::vec![(t, srv_name(t, &self.host))]
        } else {
            let Some(naptr) = self.answer(&self.host, RecordType::Naptr) else {
                return Step::Need(alloc::vec![query(&self.host, RecordType::Naptr)]);
            };
            let from_naptr = self.naptr_services(naptr);
            if from_naptr.is_empty() {
                // §4.1: no usable NAPTR: SRV for every supported transport.
                self.cfg
                    .transports
                    .iter()
                    .filter(|t| !self.secure || matches!(t, Transport::Tls | Transport::Wss))
                    .map(|&t| (t, srv_name(t, &self.host)))
                    .collect()
            } else {
                from_naptr
            }
        };
        let mut need = Vec::new();
        let mut hosts = Vec::new();
        for (transport, name) in &services {
            match self.answer(name, RecordType::Srv) {
                None => need.push(query(name, RecordType::Srv)),
                Some(records) => hosts.extend(records.iter().filter_map(|r| match r {
                    Record::Srv(s) => Some(HostPort {
                        transport: *transport,
                        name: normalize(&s.target),
                        port: s.port,
                    }),
                    _ => None,
                })),
            }
        }
        if !need.is_empty() {
            return Step::Need(need);
        }
        if hosts.is_empty() {
            // §4.2: no SRV records: the domain's own addresses, default port.
            let transport = self.transport.unwrap_or(default_transport);
            hosts.push(HostPort {
                transport,
                name: self.host.clone(),
                port: default_port(transport),
            });
        }
        self.addresses(&hosts)
    }

    /// The usable SIP services of a NAPTR answer (§4.1), in order then preference.
    fn naptr_services(&self, records: &[Record]) -> Vec<(Transport, String)> {
        let mut naptrs: Vec<&Naptr> = records
            .iter()
            .filter_map(|r| match r {
                Record::Naptr(n) => Some(n),
                _ => None,
            })
            .filter(|n| n.flags.eq_ignore_ascii_case("s") && n.regexp.is_empty())
            .collect();
        naptrs.sort_by_key(|n| (n.order, n.preference));
        naptrs
            .into_iter()
            .filter_map(|n| {
                let t = naptr_transport(&n.services)?;
                let secure_service = n.services.to_ascii_uppercase().starts_with("SIPS+");
                (self.cfg.transports.contains(&t) && (!self.secure || secure_service))
                    .then(|| (t, normalize(&n.replacement)))
            })
            .collect()
    }

    /// A/AAAA for every host (each once), then the targets in order.
    fn addresses(&self, hosts: &[HostPort]) -> Step {
        let mut need = Vec::new();
        let mut targets: Vec<Target> = Vec::new();
        let push = |targets: &mut Vec<Target>, t: Target| {
            if targets.len() < self.cfg.max_targets && !targets.contains(&t) {
                targets.push(t);
            }
        };
        for h in hosts {
            if let Ok(ip) = h.name.parse::<IpAddr>() {
                push(&mut targets, target(h, ip));
                continue;
            }
            let mut types = alloc::vec![RecordType::A];
            if self.cfg.ipv6 {
                types.push(RecordType::Aaaa);
            }
            for record_type in types {
                match self.answer(&h.name, record_type) {
                    None => {
                        let q = query(&h.name, record_type);
                        if !need.contains(&q) {
                            need.push(q);
                        }
                    }
                    Some(records) => {
                        for r in records {
                            match *r {
                                Record::A(ip) => push(&mut targets, target(h, IpAddr::V4(ip))),
                                Record::Aaaa(ip) => {
                                    push(&mut targets, target(h, IpAddr::V6(ip)));
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
        if need.is_empty() {
            Step::Done(targets)
        } else {
            Step::Need(need)
        }
    }
}

fn query(name: &str, record_type: RecordType) -> Query {
    Query {
        name: name.to_string(),
        record_type,
    }
}

fn target(h: &HostPort, ip: IpAddr) -> Target {
    Target {
        transport: h.transport,
        addr: SocketAddr::new(ip, h.port),
    }
}

/// RFC 3261 §19.1.2: 5061 for TLS; RFC 7118 has no default for WebSocket, 80/443 are its
/// HTTP ports; 5060 otherwise.
const fn default_port(t: Transport) -> u16 {
    match t {
        Transport::Tls => 5061,
        Transport::Ws => 80,
        Transport::Wss => 443,
        Transport::Udp | Transport::Tcp => 5060,
    }
}

/// The SRV owner name of a transport (RFC 3263 §4.1, RFC 7118 §6 for WebSocket).
fn srv_name(t: Transport, host: &str) -> String {
    let prefix = match t {
        Transport::Udp => "_sip._udp.",
        Transport::Tcp => "_sip._tcp.",
        Transport::Tls => "_sips._tcp.",
        Transport::Ws => "_sip._ws.",
        Transport::Wss => "_sips._ws.",
    };
    let mut s = String::with_capacity(prefix.len() + host.len());
    s.push_str(prefix);
    s.push_str(host);
    s
}

/// The transport of a NAPTR service field (RFC 3263 §4.1, RFC 7118 §6).
fn naptr_transport(services: &str) -> Option<Transport> {
    match services.to_ascii_uppercase().as_str() {
        "SIP+D2U" => Some(Transport::Udp),
        "SIP+D2T" => Some(Transport::Tcp),
        "SIPS+D2T" => Some(Transport::Tls),
        "SIP+D2W" => Some(Transport::Ws),
        "SIPS+D2W" => Some(Transport::Wss),
        _ => None,
    }
}

/// The transport of a `transport=` URI parameter (RFC 3261 §19.1.1, RFC 7118 §5).
fn transport_param(t: &str) -> Option<Transport> {
    match t.to_ascii_lowercase().as_str() {
        "udp" => Some(Transport::Udp),
        "tcp" => Some(Transport::Tcp),
        "tls" => Some(Transport::Tls),
        "ws" => Some(Transport::Ws),
        "wss" => Some(Transport::Wss),
        _ => None,
    }
}
