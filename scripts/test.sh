#!/usr/bin/env bash
# Runs every test of the workspace, interop tests with real peers included, on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cargo test --workspace
