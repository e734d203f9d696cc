//! A pcap sink for the demos' datagrams: `rtcweb call --pcap FILE` and `rtcweb gateway --pcap FILE`
//! write every UDP datagram their sockets send and receive, so the demo opens in Wireshark.
//!
//! Each datagram becomes an Ethernet frame (zero MAC addresses, as `tcpdump -i lo` shows loopback)
//! with an IPv4 or IPv6 and a UDP header synthesized by etherparse's builder (checksums computed),
//! stamped with the wall-clock time it was sent or received (microseconds, `LINKTYPE_ETHERNET`).
//!
//! All parties of a demo run in one process and share one [`Capture`] (a cheap clone): a datagram
//! one party sends, another receives. Register every socket of the process with [`Capture::own`]:
//! a datagram received from one of them was already written when it was sent and is skipped, so
//! each datagram appears once, as on the wire; datagrams from other hosts (coturn) are written
//! when received.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

/// Largest frame written: the classic snap length.
const SNAPLEN: u32 = 65_535;

/// A shared pcap writer; clones write to the same file.
#[derive(Clone)]
pub struct Capture {
    inner: Arc<Mutex<Sink>>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture").finish_non_exhaustive()
    }
}

struct Sink {
    /// `None` once finished.
    writer: Option<PcapWriter<Box<dyn Write + Send>>>,
    own: HashSet<SocketAddr>,
    /// The first write error, reported by [`Capture::finish`].
    error: Option<String>,
    frames: u64,
}

impl Capture {
    /// Creates (truncates) the pcap file at `path`.
    ///
    /// # Errors
    /// When the file cannot be created or the pcap header written.
    pub fn create(path: &Path) -> Result<Self, String> {
        let file = File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
        Self::new(BufWriter::new(file))
    }

    /// A capture written to `out` (a file, a `Vec<u8>`, …).
    ///
    /// # Errors
    /// When the pcap header cannot be written.
    pub fn new(out: impl Write + Send + 'static) -> Result<Self, String> {
        let header = PcapHeader {
            datalink: DataLink::ETHERNET,
            snaplen: SNAPLEN,
            ..PcapHeader::default()
        };
        let boxed: Box<dyn Write + Send> = Box::new(out);
        let writer = PcapWriter::with_header(boxed, header)
            .map_err(|e| format!("writing the pcap header: {e}"))?;
        Ok(Self {
            inner: Arc::new(Mutex::new(Sink {
                writer: Some(writer),
                own: HashSet::new(),
                error: None,
                frames: 0,
            })),
        })
    }

    fn sink(&self) -> MutexGuard<'_, Sink> {
        // A party that panicked while holding the lock left a whole frame or none: keep going.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a socket of this process: datagrams received from it are not written again.
    pub fn own(&self, addr: SocketAddr) {
        self.sink().own.insert(addr);
    }

    /// A datagram a socket at `from` sent to `to`.
    pub fn sent(&self, from: SocketAddr, to: SocketAddr, data: &[u8]) {
        self.record(now(), from, to, data);
    }

    /// A datagram a socket at `to` received from `from`; skipped when `from` is a registered
    /// socket of this process (written when it was sent).
    pub fn received(&self, from: SocketAddr, to: SocketAddr, data: &[u8]) {
        if !self.sink().own.contains(&from) {
            self.record(now(), from, to, data);
        }
    }

    /// Writes one datagram with the given time (since the Unix epoch), unconditionally.
    pub fn record(&self, time: Duration, from: SocketAddr, to: SocketAddr, data: &[u8]) {
        let mut sink = self.sink();
        if sink.error.is_some() {
            return;
        }
        let Some(writer) = sink.writer.as_mut() else {
            return;
        };
        let written = udp_frame(from, to, data).and_then(|frame| {
            let len = u32::try_from(frame.len()).map_err(|_| "frame too long".to_string())?;
            writer
                .write_packet(&PcapPacket::new(time, len, &frame))
                .map_err(|e| format!("writing a packet: {e}"))
        });
        match written {
            Ok(_) => sink.frames += 1,
            Err(e) => sink.error = Some(e),
        }
    }

    /// Flushes and closes the file (later datagrams are not written); returns the number of
    /// frames written, or the first error met.
    ///
    /// # Errors
    /// The first write or flush error.
    pub fn finish(&self) -> Result<u64, String> {
        let mut sink = self.sink();
        if let Some(e) = &sink.error {
            return Err(e.clone());
        }
        if let Some(writer) = sink.writer.take() {
            writer
                .into_writer()
                .flush()
                .map_err(|e| format!("flushing the capture: {e}"))?;
        }
        Ok(sink.frames)
    }
}

/// The wall-clock time since the Unix epoch.
fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// An Ethernet II frame carrying `data` in UDP from `from` to `to` over IPv4 or IPv6 (an IPv4
/// address paired with an IPv6 one is written as IPv4-mapped IPv6), built by etherparse.
///
/// # Errors
/// When the datagram is too long for UDP.
pub fn udp_frame(from: SocketAddr, to: SocketAddr, data: &[u8]) -> Result<Vec<u8>, String> {
    let eth = PacketBuilder::ethernet2([0; 6], [0; 6]);
    let builder = match (from.ip(), to.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => eth.ipv4(s.octets(), d.octets(), 64),
        (s, d) => eth.ipv6(v6(s), v6(d), 64),
    }
    .udp(from.port(), to.port());
    let mut frame = Vec::with_capacity(builder.size(data.len()));
    builder
        .write(&mut frame, data)
        .map_err(|e| format!("building a {}-byte UDP frame: {e}", data.len()))?;
    Ok(frame)
}

fn v6(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}
