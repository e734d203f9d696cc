#!/usr/bin/env bash
# The browser demo (issue #17): headless Chromium running JsSIP 3.13 registers over WebSocket at
# `rtcweb gateway --ws`, calls a SIP phone (sipp with RTP echo) through it — DTLS-SRTP and ICE-lite
# on the browser's leg, SIP/UDP and plain RTP on the phone's — talks, hangs up; then the phone
# calls the registered browser, which answers. Each test prints what the browser's getStats(),
# sipp and the gateway's per-call statistics say, and fails unless they agree.
#
#   bash scripts/browser-call.sh              # the whole browser suite (~2 min)
#   bash scripts/browser-call.sh jssip_in     # only the tests whose name contains this
#
# Installs what it needs (chromium, sipp, node/npm; scripts/deps.sh), starts every peer itself on
# 127.0.0.1 and stops it by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
filter="${1:-}"
cargo test -p rtcweb-cli --test browser_call -- --nocapture --test-threads 1 $filter
if [ -z "$filter" ]; then
  cargo test -p rtcweb-cli --test browser_failures -- --nocapture --test-threads 1
fi
