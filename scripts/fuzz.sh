#!/usr/bin/env bash
# Runs every cargo-fuzz target (`cargo fuzz list`) for SECONDS each (default 600) and prints, per
# target, the executions (libFuzzer's stat::number_of_executed_units) and whether a crash was found
# (a new file in fuzz/artifacts/<target>/). Exits non-zero when any target crashed.
#
#   bash scripts/fuzz.sh          # 10 minutes per target
#   bash scripts/fuzz.sh 60       # one minute per target
#   FUZZ_TARGETS="sip_ua_uac srtp_session" bash scripts/fuzz.sh 120
#
# Each target's corpus is fuzz/corpus/<target>/ (not tracked), seeded from fuzz/seeds/<target>/
# (RFC vectors and fixtures, tracked). Logs go to fuzz/target/fuzz-logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-600}"
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --quiet

cd fuzz
targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
mkdir -p target/fuzz-logs
summary=()
failed=0
for t in $targets; do
  mkdir -p "corpus/$t" "artifacts/$t"
  if [ -d "seeds/$t" ]; then
    cp -n "seeds/$t"/* "corpus/$t/" 2>/dev/null || true
  fi
  before=$(ls "artifacts/$t" | sort)
  echo "--- fuzz $t for ${secs} s"
  status=0
  cargo fuzz run "$t" -- -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
    >"target/fuzz-logs/$t.log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "target/fuzz-logs/$t.log" | tail -1 | grep -o '[0-9]*$' || true)
  new=$(comm -13 <(echo "$before") <(ls "artifacts/$t" | sort) | grep -v '^$' || true)
  if [ -n "$new" ] || [ "$status" -ne 0 ]; then
    failed=1
    verdict="CRASH (exit $status): $(echo "$new" | sed "s|^|fuzz/artifacts/$t/|" | tr '\n' ' ')"
    grep -m1 -A2 'panicked at\|ERROR: libFuzzer' "target/fuzz-logs/$t.log" || true
  else
    verdict="no crash"
  fi
  summary+=("$(printf '%-28s %14s executions  %s' "$t" "${execs:-?}" "$verdict")")
  echo "${summary[-1]}"
done

echo
echo "=== fuzz summary (${secs} s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
