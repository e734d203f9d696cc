#!/usr/bin/env bash
# SIP load with a real client: sipp's built-in `uac` scenario (INVITE, ACK, 500 ms pause, BYE)
# drives `rtcweb uas` (sip-core's UserAgent over UDP on 127.0.0.1) at increasing call rates, each
# for CALL_SECONDS (default 10 s). Prints a markdown table: offered and achieved calls/s, calls
# that succeeded and failed (sipp's counters), the UAS's own counters (answered, 503s, peak
# simultaneous calls) and its resident memory. Both processes are stopped by PID.
#
#   bash scripts/sipp-load.sh                  # rates 200 500 1000 2000
#   RATES="100 300" CALL_SECONDS=5 bash scripts/sipp-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rates="${RATES:-200 500 1000 2000}"
secs="${CALL_SECONDS:-10}"
port="${SIPP_PORT:-5070}"

if ! command -v sipp >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  # Debian's package of sipp is sip-tester.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sip-tester >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sip-tester >/dev/null; }
fi
cargo build -q --release -p rtcweb-cli --bin rtcweb
bin="$PWD/target/release/rtcweb"
work="$(mktemp -d)"
uas_pid=""
cleanup() { [ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "sipp $(sipp -v 2>&1 | grep -o 'v[0-9][0-9.]*' | head -1) -sn uac -> rtcweb uas on 127.0.0.1:$port, $(nproc) cores, $(date -u +%F)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| offered calls/s | achieved calls/s | calls | successful | failed | UAS answered | UAS 503s | peak simultaneous calls | UAS RSS peak (KiB) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
status=0
for rate in $rates; do
  calls=$(( rate * secs ))
  "$bin" uas --listen "127.0.0.1:$port" --calls "$calls" --seconds $(( secs + 60 )) \
    --max-calls $(( rate * 4 + 100 )) >"$work/uas.json" 2>"$work/uas.err" &
  uas_pid=$!
  sleep 0.3
  (cd "$work" && timeout $(( secs + 50 )) sipp -sn uac -r "$rate" -m "$calls" -l $(( rate * 4 + 100 )) \
    -d 500 -nostdin -trace_stat -stf "$work/stat.csv" -fd 1 -timeout $(( secs + 40 ))s \
    "127.0.0.1:$port" >"$work/sipp.out" 2>&1) || true
  wait "$uas_pid" || true
  uas_pid=""
  last=$(tail -1 "$work/stat.csv")
  field() { echo "$last" | cut -d';' -f"$1"; }
  elapsed=$(field 5)  # ElapsedTime(C) HH:MM:SS
  ok=$(field 16); failed=$(field 18)
  el_s=$(echo "$elapsed" | awk -F: '{print $1*3600+$2*60+$3}')
  achieved=$(awk -v c="$ok" -v s="$el_s" 'BEGIN { if (s > 0) printf "%.0f", c / s; else print "-" }')
  j() { python3 -c "import json,sys; print(json.load(open('$work/uas.json')).get('$1'))"; }
  echo "| $rate | $achieved | $calls | $ok | $failed | $(j answered) | $(j transactions_rejected_503) | $(j peak_simultaneous_calls) | $(j rss_kib_peak) |"
  [ "$failed" = "0" ] && [ "$ok" = "$calls" ] || status=1
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
