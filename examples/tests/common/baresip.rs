//! baresip (Debian `baresip-core`, installed when missing) as a phone of the browser gateway
//! tests: headless, auto-answering, PCMU only, SRTP keyed by SDES required (`mediaenc=srtp-mand`),
//! a tone from a WAV file as its microphone and what it hears written to another WAV file
//! (module `sndfile`); its media address announced as 127.0.0.1 (`net_interface 127.0.0.1`);
//! stopped by PID ([`super::Killed`]).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Killed;

/// The baresip binary, installed with apt when missing.
pub fn binary() -> Option<PathBuf> {
    let find = || {
        ["/usr/bin/baresip", "/usr/local/bin/baresip"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
    };
    if find().is_none() {
        super::apt::ensure("baresip-core", || find().is_some());
    }
    find()
}

/// Where Debian puts baresip's modules.
fn modules() -> Option<&'static str> {
    [
        "/usr/lib/baresip/modules",
        "/usr/lib/x86_64-linux-gnu/baresip/modules",
    ]
    .into_iter()
    .find(|d| Path::new(d).join("srtp.so").exists())
}

/// A 16-bit mono PCM WAV of `samples` at `rate`.
pub fn wav(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data = u32::try_from(samples.len() * 2).unwrap();
    let mut w = Vec::new();
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + data).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&rate.to_le_bytes());
    w.extend_from_slice(&(rate * 2).to_le_bytes());
    w.extend_from_slice(&2u16.to_le_bytes());
    w.extend_from_slice(&16u16.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&data.to_le_bytes());
    for v in samples {
        w.extend_from_slice(&v.to_le_bytes());
    }
    w
}

/// `secs` seconds of a 440 Hz tone at `rate`, as a WAV.
pub fn tone_wav(rate: u32, secs: u32) -> Vec<u8> {
    let samples: Vec<i16> = (0..rate * secs)
        .map(|i| {
            let t = f64::from(i) / f64::from(rate);
            (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16
        })
        .collect();
    wav(rate, &samples)
}

/// The RMS of a 16-bit PCM WAV's samples (0 for a file too short to hold any).
pub fn wav_rms(wav: &[u8]) -> f64 {
    let Some(samples) = wav.get(44..) else {
        return 0.0;
    };
    let n = samples.len() / 2;
    if n == 0 {
        return 0.0;
    }
    let sum: f64 = samples
        .chunks_exact(2)
        .map(|c| f64::from(i16::from_le_bytes([c[0], c[1]])).powi(2))
        .sum();
    (sum / n as f64).sqrt()
}

/// A running baresip and where it writes what it hears.
pub struct Baresip {
    pub process: Killed,
    /// Its folder: the `sndfile` module writes each call's decoded audio there
    /// (`dump-…-dec.wav`), closed when the call ends.
    pub dir: PathBuf,
    pub log: PathBuf,
}

impl Baresip {
    /// The RMS of what it heard: waits up to 5 s (its player closes the file when the call
    /// ends) for more than `enough`, then returns what there is.
    pub fn heard_rms(&self, enough: f64) -> f64 {
        let wait = std::time::Instant::now();
        loop {
            let rms = self.heard().map_or(0.0, |w| wav_rms(&w));
            if rms > enough || wait.elapsed() > std::time::Duration::from_secs(5) {
                return rms;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// The decoded audio of its call, once written.
    pub fn heard(&self) -> Option<Vec<u8>> {
        std::fs::read_dir(&self.dir)
            .ok()?
            .flatten()
            .find(|e| e.file_name().to_string_lossy().ends_with("-dec.wav"))
            .and_then(|e| std::fs::read(e.path()).ok())
    }
}

/// Starts baresip as `sip:baresip@127.0.0.1:port`, auto-answering with SDES-SRTP required, its
/// files in `dir`; with `dial`, it calls that URI at once (its offer `RTP/SAVP` with `a=crypto`).
pub fn start(port: u16, dir: &Path, dial: Option<&str>) -> Baresip {
    let bin = binary().expect("baresip (Debian baresip-core) is needed");
    let modules = modules().expect("baresip's modules (srtp.so) not found");
    std::fs::create_dir_all(dir).unwrap();
    let tone = dir.join("tone.wav");
    std::fs::write(&tone, tone_wav(8000, 30)).unwrap();
    std::fs::write(
        dir.join("config"),
        format!(
            "poll_method epoll\nnet_interface 127.0.0.1\nsip_listen 127.0.0.1:{port}\nsnd_path {dir}\n\
             audio_player aufile,/dev/null\n\
             audio_source aufile,{tone}\naudio_alert aufile,/dev/null\naudio_srate 8000\n\
             audio_channels 1\nrtp_ports 40000-49998\nmodule_path {modules}\nmodule g711.so\n\
             module aufile.so\nmodule srtp.so\nmodule sndfile.so\nmodule_app account.so\n\
             module_app menu.so\n",
            dir = dir.display(),
            tone = tone.display(),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("accounts"),
        format!(
            "<sip:baresip@127.0.0.1:{port};transport=udp>;regint=0;answermode=auto;\
             audio_codecs=PCMU;mediaenc=srtp-mand\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("contacts"), "").unwrap();
    let log = dir.join("baresip.log");
    let mut cmd = Command::new(bin);
    cmd.arg("-f").arg(dir).args(["-t", "120"]);
    if let Some(uri) = dial {
        cmd.args(["-e", &format!("/dial {uri}")]);
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn baresip");
    Baresip {
        process: Killed(child),
        dir: dir.to_path_buf(),
        log,
    }
}
