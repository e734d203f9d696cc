#!/usr/bin/env bash
# The main demo: a complete call on loopback — SIP INVITE/180/200/ACK with SDP offer/answer, ICE
# connectivity checks, 5 s of SRTP-protected G.711 both ways, BYE — narrated step by step.
# Extra arguments go to `rtcweb call` (e.g. --driver tokio, --seconds 10).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p rtcweb-cli --bin rtcweb
exec target/release/rtcweb call "$@"
