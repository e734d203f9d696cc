//! A coturn TURN server on 127.0.0.1 for the demos and tests: started on a free port with TURN REST
//! credentials (`use-auth-secret`), relaying to loopback peers, stopped by its PID when dropped.

use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running coturn.
#[derive(Debug)]
pub struct Coturn {
    child: Child,
    /// Where it listens (UDP).
    pub addr: SocketAddr,
    /// Its shared secret.
    pub secret: String,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        // Stopped by its own PID, never by name.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Coturn {
    /// Starts `turnserver` (Debian package `coturn`) on a free port of 127.0.0.1.
    pub fn start(secret: &str) -> Result<Coturn, String> {
        let port = UdpSocket::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let dir = std::env::temp_dir().join(format!("rtcweb-coturn-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let child = Command::new("turnserver")
            .args([
                "-n",
                "--listening-ip=127.0.0.1",
                &format!("--listening-port={port}"),
                "--relay-ip=127.0.0.1",
                "--use-auth-secret",
                &format!("--static-auth-secret={secret}"),
                "--realm=rtcweb.test",
                "--allow-loopback-peers",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--min-port=50000",
                "--max-port=59999",
                "--simple-log",
                "--no-stdout-log",
                &format!("--log-file={}", dir.join("turn.log").display()),
                &format!("--pidfile={}", dir.join("turn.pid").display()),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting turnserver (apt-get install coturn): {e}"))?;
        let server = Coturn {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            secret: secret.into(),
        };
        // coturn answers within a few hundred ms; clients retransmit anyway, but a short wait
        // keeps the first exchange out of the retransmission schedule.
        std::thread::sleep(Duration::from_millis(300));
        Ok(server)
    }

    /// TURN REST credentials valid for `ttl` from now: (username, password).
    pub fn credentials(&self, user: &str, ttl: Duration) -> Result<(String, String), String> {
        rest_credentials(&self.secret, user, ttl)
    }
}

/// TURN REST (ephemeral) credentials for a server with shared secret `secret`, valid for `ttl`
/// from now: (`"<expiry>:<user>"`, `base64(HMAC-SHA1(secret, username))`).
pub fn rest_credentials(
    secret: &str,
    user: &str,
    ttl: Duration,
) -> Result<(String, String), String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    let mut buf = [0u8; 600];
    let username =
        rtcweb_stun_core::credentials::ephemeral::username(&mut buf, (now + ttl).as_secs(), user)
            .map_err(|e| e.to_string())?
            .to_string();
    let password = rtcweb_stun_core::credentials::ephemeral::password(secret.as_bytes(), &username);
    Ok((username, password.as_str().to_string()))
}
