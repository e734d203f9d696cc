//! RTCP for the call (RFC 3550 §6.4): a sender report every second with one report block about
//! what we receive, and the round-trip time from the peer's LSR/DLSR (§6.4.1). Compound packets
//! are SRTCP-protected like the media (RFC 3711 §3.4).

use std::time::Duration;

use rtcweb_sip_core::Instant;

use super::media::Stats;

/// RTCP packet type: sender report.
pub const PT_SR: u8 = 200;

/// The NTP-format time of `now` (RFC 3550 §4): 32.32 fixed point seconds. Any epoch works for the
/// RTT, which only compares a party's own clock with itself.
pub fn ntp(now: Instant) -> u64 {
    let nanos = u64::try_from(now.as_nanos()).unwrap_or(0);
    let secs = nanos / 1_000_000_000;
    let frac = ((nanos % 1_000_000_000) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

/// The middle 32 bits of an NTP time: the unit of LSR and DLSR (1/65536 s).
pub fn mid32(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// What one party knows for RTCP: the remote stream's SSRC and the last SR it sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct RtcpState {
    /// The remote sender's SSRC, from its RTP.
    pub remote_ssrc: Option<u32>,
    /// LSR (mid 32 bits of the remote SR's NTP time) and when it arrived.
    pub last_sr: Option<(u32, Instant)>,
    /// The latest round-trip time.
    pub rtt: Option<Duration>,
}

impl RtcpState {
    /// Writes a sender report with one report block about the remote stream into `out`;
    /// returns its length (RFC 3550 §6.4.1).
    pub fn write_sr(
        &self,
        now: Instant,
        ssrc: u32,
        rtp_timestamp: u32,
        sent: (u32, u32),
        stats: &Stats,
        out: &mut [u8],
    ) -> Option<usize> {
        let blocks = usize::from(self.remote_ssrc.is_some());
        let len = 28 + 24 * blocks;
        let p = out.get_mut(..len)?;
        p[0] = 0x80 | blocks as u8; // V=2, RC
        p[1] = PT_SR;
        p[2..4].copy_from_slice(&((len / 4 - 1) as u16).to_be_bytes());
        p[4..8].copy_from_slice(&ssrc.to_be_bytes());
        p[8..16].copy_from_slice(&ntp(now).to_be_bytes());
        p[16..20].copy_from_slice(&rtp_timestamp.to_be_bytes());
        p[20..24].copy_from_slice(&sent.0.to_be_bytes());
        p[24..28].copy_from_slice(&sent.1.to_be_bytes());
        if let Some(remote) = self.remote_ssrc {
            let lost = stats.lost().min(0x7F_FFFF) as u32;
            let fraction = if stats.expected() == 0 {
                0
            } else {
                (stats.lost() * 256 / stats.expected()).min(255) as u32
            };
            let (lsr, dlsr) = match self.last_sr {
                Some((lsr, at)) => {
                    let delay = now.duration_since(at);
                    (lsr, (delay.as_nanos() * 65_536 / 1_000_000_000) as u32)
                }
                None => (0, 0),
            };
            let b = &mut p[28..52];
            b[0..4].copy_from_slice(&remote.to_be_bytes());
            b[4..8].copy_from_slice(&((fraction << 24) | lost).to_be_bytes());
            b[8..12].copy_from_slice(&(stats.highest_seq as u32).to_be_bytes());
            b[12..16].copy_from_slice(&0u32.to_be_bytes()); // jitter: not computed
            b[16..20].copy_from_slice(&lsr.to_be_bytes());
            b[20..24].copy_from_slice(&dlsr.to_be_bytes());
        }
        Some(len)
    }

    /// Reads an (unprotected) SR arriving at `now`: remembers its LSR and, from a report block
    /// about `our_ssrc`, computes the RTT = now − LSR − DLSR.
    pub fn read(&mut self, now: Instant, our_ssrc: u32, packet: &[u8]) {
        if packet.len() < 28 || packet[1] != PT_SR {
            return;
        }
        let ntp_sent = u64::from_be_bytes(packet[8..16].try_into().unwrap_or([0; 8]));
        self.last_sr = Some((mid32(ntp_sent), now));
        let count = usize::from(packet[0] & 0x1F);
        for block in packet[28..].chunks_exact(24).take(count) {
            let word = |i: usize| u32::from_be_bytes(block[i..i + 4].try_into().unwrap_or([0; 4]));
            let (ssrc, lsr, dlsr) = (word(0), word(16), word(20));
            if ssrc == our_ssrc && lsr != 0 {
                let rtt = mid32(ntp(now)).wrapping_sub(lsr).wrapping_sub(dlsr);
                self.rtt = Some(Duration::from_nanos(
                    u64::from(rtt) * 1_000_000_000 / 65_536,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtt_from_lsr_and_dlsr() {
        let ms = |n: i64| Instant::from_nanos(n * 1_000_000);
        let (a_ssrc, b_ssrc) = (1, 2);
        let (mut a, mut b) = (RtcpState::default(), RtcpState::default());
        a.remote_ssrc = Some(b_ssrc);
        b.remote_ssrc = Some(a_ssrc);
        let stats = Stats::default();
        let mut buf = [0u8; 64];
        // A's SR at 1000 ms reaches B at 1040 ms; B's SR at 1500 ms reaches A at 1540 ms.
        let n = a
            .write_sr(ms(1000), a_ssrc, 0, (50, 8000), &stats, &mut buf)
            .unwrap();
        assert_eq!(n, 52);
        b.read(ms(1040), b_ssrc, &buf[..n]);
        let n = b
            .write_sr(ms(1500), b_ssrc, 0, (50, 8000), &stats, &mut buf)
            .unwrap();
        a.read(ms(1540), a_ssrc, &buf[..n]);
        let rtt = a.rtt.unwrap().as_secs_f64() * 1000.0;
        assert!((rtt - 80.0).abs() < 0.1, "{rtt} ms");
    }
}
