//! What the SDP bodies of a capture tell the flow analysis: SDES master keys (`a=crypto`,
//! RFC 4568) to check SRTP with, the media addresses offered as plain RTP/AVP (no SRTP to check),
//! and the ICE passwords (`a=ice-ufrag`/`a=ice-pwd`) that key the connectivity checks.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use rtcweb_sdp_core::{ParseOptions, SessionDescription};
use rtcweb_srtp_core::{KeyingMaterial, Profile};

/// An SDES master key and where it came from.
pub struct SdesKey {
    /// `--key`, or the `a=crypto` line's tag and suite.
    pub origin: String,
    /// The key.
    pub material: KeyingMaterial,
}

/// Keys and addresses gathered so far.
#[derive(Default)]
pub struct Keys {
    /// SDES keys, in the order found, without duplicates.
    pub sdes: Vec<SdesKey>,
    /// Media addresses offered or answered as plain RTP (`RTP/AVP`, `RTP/AVPF`).
    pub plain_rtp: HashSet<SocketAddr>,
    /// Media addresses offered or answered as SRTP (`…/SAVP…`).
    pub srtp: HashSet<SocketAddr>,
    /// ICE password per ufrag.
    pub ice_pwd: HashMap<String, String>,
}

impl Keys {
    /// Adds a key unless the same master key and salt is known.
    pub fn add(&mut self, origin: String, material: KeyingMaterial) {
        let same = |k: &SdesKey| {
            k.material.master_key() == material.master_key()
                && k.material.master_salt() == material.master_salt()
        };
        if !self.sdes.iter().any(same) {
            self.sdes.push(SdesKey { origin, material });
        }
    }

    /// Learns from one SDP body; `what` names the message that carried it.
    pub fn sdp(&mut self, body: &[u8], what: &str) {
        let Ok(desc) = SessionDescription::parse_with(body, &ParseOptions::lenient(), |_| {})
        else {
            return;
        };
        let session_ip = desc.connection().and_then(|c| c.ip);
        for m in desc.media() {
            let ip = m.connection().and_then(|c| c.ip).or(session_ip);
            let proto = m.media_line().proto;
            if let Some(ip) = ip {
                let addr = SocketAddr::new(ip, m.port());
                if proto.contains("SAVP") {
                    self.srtp.insert(addr);
                } else if proto.contains("RTP/AVP") {
                    self.plain_rtp.insert(addr);
                }
            }
            for c in m.cryptos() {
                let (Some(profile), Some(key)) = (Profile::from_sdes_name(c.suite), c.key()) else {
                    continue;
                };
                let Ok(key_salt) = key.key_salt() else {
                    continue;
                };
                if let Ok(material) = KeyingMaterial::from_key_salt(profile, key_salt.as_bytes()) {
                    self.add(
                        format!("a=crypto:{} {} in {what}", c.tag, c.suite),
                        material,
                    );
                }
            }
            let ufrag = m.ice_ufrag().or_else(|| desc.ice_ufrag());
            let pwd = m.ice_pwd().or_else(|| desc.ice_pwd());
            if let (Some(u), Some(p)) = (ufrag, pwd) {
                self.ice_pwd.insert(u.to_string(), p.to_string());
            }
        }
    }
}
