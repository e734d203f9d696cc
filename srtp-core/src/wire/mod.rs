//! The packet fields SRTP reads: RTP (RFC 3550 §5.1, RFC 8285) and RTCP (RFC 3550 §6.4) headers.
//!
//! Protection parses only what it needs ([`rtp::RtpHeader`], [`rtcp`]); [`packet`] gives
//! applications full views (`RtpPacket`, `RtcpPacket`, `RtpRepr`) to read and write packets.

pub mod packet;
pub mod rtcp;
pub mod rtp;
