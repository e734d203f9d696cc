#!/usr/bin/env bash
# A second demo: start coturn on 127.0.0.1, ask it for our reflexive
# address (STUN Binding), allocate a relay with TURN REST credentials, and decode a STUN message,
# all with the rtcweb CLI; then stop coturn by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cargo build --release -p rtcweb-cli --bin rtcweb
bin=target/release/rtcweb
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
turnserver -n --listening-ip=127.0.0.1 --listening-port="$port" --relay-ip=127.0.0.1 \
  --use-auth-secret --static-auth-secret=demo-secret --realm=rtcweb.demo --allow-loopback-peers \
  --no-cli --no-tls --no-dtls --simple-log --no-stdout-log --log-file="$dir/turn.log" \
  --pidfile="$dir/turn.pid" >/dev/null 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
echo "coturn listening on 127.0.0.1:$port (pid $pid)"
echo "== rtcweb stun 127.0.0.1:$port    (STUN Binding, RFC 8489)"
"$bin" stun "127.0.0.1:$port" --rto-ms 100
echo "== rtcweb turn --server 127.0.0.1:$port --secret demo-secret    (TURN Allocate, RFC 8656)"
"$bin" turn --server "127.0.0.1:$port" --secret demo-secret
echo "== rtcweb inspect stun (an ICE Binding request, MESSAGE-INTEGRITY and FINGERPRINT verified)"
printf '%s' '000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a6836765920202000080014' \
            '9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf' | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' > "$dir/req.bin"
"$bin" inspect stun "$dir/req.bin" --password VOkJxbRl1RmTxUk/WvJxBt
