//! RFC 3263 in a std program: sip-core's Sans-IO [`ServerSelection`] asks the questions, and
//! `hickory-resolver` (a kept DNS library, on a current-thread tokio runtime) answers them from
//! the name server the caller names — the system's or, in tests, a dnsmasq on 127.0.0.1.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{Name, RData, RecordType as HickoryType};
use hickory_resolver::TokioResolver;
use rtcweb_proto::Rng;
use rtcweb_sip_core::resolve::{
    Naptr, Query, Record, RecordType, SelectionConfig, ServerSelection, Srv,
};
use rtcweb_sip_core::uri::Uri;

/// A DNS client for server selection.
pub struct Dns {
    runtime: tokio::runtime::Runtime,
    resolver: TokioResolver,
}

impl Dns {
    /// Asks `server` (UDP, then TCP for truncated answers), each lookup bounded by `timeout`.
    ///
    /// # Errors
    /// When the runtime or the resolver cannot be built.
    pub fn new(server: SocketAddr, timeout: Duration) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let mut udp = ConnectionConfig::udp();
        udp.port = server.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = server.port();
        let ns = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
        let config = ResolverConfig::from_parts(None, vec![], vec![ns]);
        let mut builder =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        builder.options_mut().timeout = timeout;
        builder.options_mut().attempts = 1;
        let resolver = runtime
            .block_on(async { builder.build() })
            .map_err(|e| e.to_string())?;
        Ok(Self { runtime, resolver })
    }

    /// The records answering `q`; empty for NXDOMAIN, no data, or a failed lookup (what
    /// [`ServerSelection::handle_answer`] takes), with the failure's text when there was one.
    pub fn lookup(&self, q: &Query) -> (Vec<Record>, Option<String>) {
        let rtype = match q.record_type {
            RecordType::Naptr => HickoryType::NAPTR,
            RecordType::Srv => HickoryType::SRV,
            RecordType::A => HickoryType::A,
            RecordType::Aaaa => HickoryType::AAAA,
        };
        // Fully qualified: no search domains.
        let Ok(name) = Name::from_ascii(format!("{}.", q.name)) else {
            return (Vec::new(), Some(format!("{}: not a DNS name", q.name)));
        };
        let answer = self
            .runtime
            .block_on(async { self.resolver.lookup(name, rtype).await });
        let lookup = match answer {
            Ok(l) => l,
            Err(e) => return (Vec::new(), Some(e.to_string())),
        };
        let records = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::NAPTR(n) => Some(Record::Naptr(Naptr {
                    order: n.order,
                    preference: n.preference,
                    flags: String::from_utf8_lossy(&n.flags).into_owned(),
                    services: String::from_utf8_lossy(&n.services).into_owned(),
                    regexp: String::from_utf8_lossy(&n.regexp).into_owned(),
                    replacement: n.replacement.to_ascii(),
                })),
                RData::SRV(s) => Some(Record::Srv(Srv {
                    priority: s.priority,
                    weight: s.weight,
                    port: s.port,
                    target: s.target.to_ascii(),
                })),
                RData::A(a) => Some(Record::A(a.0)),
                RData::AAAA(a) => Some(Record::Aaaa(a.0)),
                _ => None,
            })
            .collect();
        (records, None)
    }
}

/// One question and what came back, for the caller's report.
#[derive(Debug, Clone)]
pub struct Asked {
    /// The question.
    pub query: Query,
    /// How many records answered it.
    pub records: usize,
    /// Why the lookup failed, when it did.
    pub error: Option<String>,
}

/// Runs server selection for `uri` to the end against `dns`.
///
/// # Errors
/// When `uri` is not a SIP URI or names an unsupported transport.
pub fn select(
    uri: &str,
    dns: &Dns,
    cfg: SelectionConfig,
    rng: Rng,
) -> Result<(ServerSelection, Vec<Asked>), String> {
    let parsed = Uri::parse(uri).map_err(|e| format!("{uri}: {e}"))?;
    let sip = parsed
        .as_sip()
        .ok_or_else(|| format!("{uri}: not a sip: or sips: URI"))?;
    let mut sel = ServerSelection::new(sip, cfg, rng).map_err(|e| format!("{uri}: {e}"))?;
    let mut asked = Vec::new();
    while !sel.is_resolved() {
        let Some(q) = sel.poll_query() else {
            return Err(format!("{uri}: server selection stalled"));
        };
        let (records, error) = dns.lookup(&q);
        sel.handle_answer(&q, &records);
        asked.push(Asked {
            query: q,
            records: records.len(),
            error,
        });
    }
    Ok((sel, asked))
}
