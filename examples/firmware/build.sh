#!/usr/bin/env bash
# Builds the no_std staticlib in release, reports its code size, then compiles and runs the C demo
# (STUN, SRTP known answer, SIP REGISTER with digest auth) against it. Run from anywhere; exits
# non-zero if any step or check fails.
set -euo pipefail
cd "$(dirname "$0")"

cargo build --release
lib=target/release/librtcweb_firmware.a

# .text/.data/.bss summed over the archive's members (what a firmware image can pull in; the
# linker drops unreferenced sections, so the linked cost is at most this).
echo "size of $lib (all members):"
size -t "$lib" | tail -1

cc=${CC:-cc}
mkdir -p target/c
"$cc" -std=c11 -Wall -Wextra -Werror -O2 c/demo.c -Iinclude "$lib" -o target/c/demo
# Linked into a program: the part of the library the demo really uses.
echo "size of the linked demo:"
size target/c/demo
./target/c/demo c/data
