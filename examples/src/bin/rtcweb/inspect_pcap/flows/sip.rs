//! SIP dialogs the way sngrep shows a call: per Call-ID, the From/To tags, the transactions in the
//! order they started with their status codes in the order they came, and the message ladder.

use std::collections::HashMap;
use std::net::SocketAddr;

use rtcweb_sip_core::message::{Message, StartLine};
use serde_json::{json, Value};

use super::super::classify::SipFacts;

/// Lines of the ladder kept per dialog.
const MAX_LADDER: usize = 500;

#[derive(Debug)]
struct Transaction {
    method: String,
    cseq: u32,
    branch: Option<String>,
    src: SocketAddr,
    dst: SocketAddr,
    requests: u32,
    responses: Vec<u16>,
    response_count: u32,
}

impl Transaction {
    fn to_json(&self) -> Value {
        json!({
            "method": self.method,
            "cseq": self.cseq,
            "branch": self.branch,
            "src": self.src.to_string(),
            "dst": self.dst.to_string(),
            "requests": self.requests,
            "responses": self.responses,
            "retransmissions": (self.requests.saturating_sub(1)
                + self.response_count.saturating_sub(self.responses.len() as u32)),
        })
    }
}

#[derive(Debug)]
struct Dialog {
    call_id: String,
    from: Option<String>,
    to: Option<String>,
    from_tag: Option<String>,
    to_tag: Option<String>,
    transactions: Vec<Transaction>,
    index: HashMap<(Option<String>, u32, String), usize>,
    ladder: Vec<Value>,
}

impl Dialog {
    fn state(&self) -> &'static str {
        let final_of = |method: &str| {
            self.transactions
                .iter()
                .filter(|t| t.method == method)
                .filter_map(|t| t.responses.iter().copied().find(|c| *c >= 200))
                .next_back()
        };
        let acked = self.transactions.iter().any(|t| t.method == "ACK");
        match (final_of("INVITE"), final_of("BYE")) {
            (Some(200..=299), Some(200..=299)) => "terminated",
            (Some(200..=299), _) if acked => "confirmed",
            (Some(200..=299), _) => "answered, not acknowledged",
            (Some(_), _) => "failed",
            (None, _) if self.transactions.iter().any(|t| t.method == "INVITE") => "early",
            (None, _) => "no INVITE",
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "call_id": self.call_id,
            "from": self.from,
            "to": self.to,
            "from_tag": self.from_tag,
            "to_tag": self.to_tag,
            "state": self.state(),
            "transactions": self.transactions.iter().map(Transaction::to_json).collect::<Vec<_>>(),
            "ladder": self.ladder,
        })
    }
}

/// Every dialog of a capture, in the order they started.
#[derive(Debug, Default)]
pub struct Dialogs {
    dialogs: Vec<Dialog>,
    index: HashMap<String, usize>,
}

impl Dialogs {
    /// A SIP message from `src` to `dst` at `time` (seconds).
    pub fn message(&mut self, time: f64, src: SocketAddr, dst: SocketAddr, msg: &Message<'_>) {
        let facts = SipFacts::of(msg);
        let (Some(call_id), Some((cseq, cseq_method))) =
            (facts.call_id.clone(), facts.cseq.clone())
        else {
            return;
        };
        let i = *self.index.entry(call_id.clone()).or_insert_with(|| {
            self.dialogs.push(Dialog {
                call_id,
                from: facts.from_uri.clone(),
                to: facts.to_uri.clone(),
                from_tag: None,
                to_tag: None,
                transactions: Vec::new(),
                index: HashMap::new(),
                ladder: Vec::new(),
            });
            self.dialogs.len() - 1
        });
        let Some(d) = self.dialogs.get_mut(i) else {
            return;
        };
        if d.from_tag.is_none() {
            d.from_tag.clone_from(&facts.from_tag);
        }
        if d.to_tag.is_none() {
            d.to_tag.clone_from(&facts.to_tag);
        }
        if d.ladder.len() < MAX_LADDER {
            let line = match msg.start_line() {
                StartLine::Request { method, .. } => method.as_str().to_string(),
                StartLine::Response { code, reason } => format!("{code} {reason}"),
            };
            d.ladder.push(json!({
                "time": time,
                "src": src.to_string(),
                "dst": dst.to_string(),
                "message": line,
            }));
        }
        let key = (facts.branch.clone(), cseq, cseq_method.clone());
        let t = match d.index.get(&key) {
            Some(&t) => t,
            None => {
                // A response whose request was not captured still opens its transaction.
                let (src, dst) = if msg.is_request() {
                    (src, dst)
                } else {
                    (dst, src)
                };
                d.transactions.push(Transaction {
                    method: cseq_method,
                    cseq,
                    branch: facts.branch,
                    src,
                    dst,
                    requests: 0,
                    responses: Vec::new(),
                    response_count: 0,
                });
                d.index.insert(key, d.transactions.len() - 1);
                d.transactions.len() - 1
            }
        };
        let Some(t) = d.transactions.get_mut(t) else {
            return;
        };
        match msg.status() {
            None => t.requests += 1,
            Some(code) => {
                t.response_count += 1;
                if !t.responses.contains(&code) {
                    t.responses.push(code);
                }
            }
        }
    }

    /// The dialogs as JSON.
    pub fn to_json(&self) -> Value {
        Value::Array(self.dialogs.iter().map(Dialog::to_json).collect())
    }
}
