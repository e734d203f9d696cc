//! The loopback call: SIP signalling (sip-core), SDP offer/answer (sdp-core), ICE (ice-core) and
//! SRTP-protected G.711 media (srtp-core), composed Sans-IO and driven by `std` or `tokio` sockets.

pub mod media;
pub mod sdp;
