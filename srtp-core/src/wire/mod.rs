//! The packet fields SRTP reads: RTP (RFC 3550 §5.1, RFC 8285) and RTCP (RFC 3550 §6.4) headers.
//!
//! Only what protection needs is parsed; everything else stays untouched in the caller's buffer.

pub mod rtcp;
pub mod rtp;
