#!/usr/bin/env bash
# Cross-builds the no_std staticlib for Cortex-M, links it into two bare-metal images and runs both
# under QEMU (semihosting for output, the data files and the exit code):
#   - demo.elf: the host's c/demo.c (the same checks: STUN, the SRTP known answer, auth and
#     replay refusal, SIP REGISTER with digest), plus arm/runtime.c, which measures the stack
#     high-water mark of every entry point on a painted stack and counts instructions per call;
#   - image.elf: arm/image.c, every entry point linked and called once, no stdio and no heap: the
#     library's real flash cost on the target.
# Fails if the build, a check, a measurement (stack > 8 KiB per call) or a size budget fails.
# Targets: m4 (thumbv7em-none-eabihf on QEMU mps2-an386) and m3 (thumbv7m-none-eabi on
# lm3s6965evb); ARM_TARGETS="m4" builds only the first. Installs its Debian packages if missing.
set -euo pipefail
cd "$(dirname "$0")"

# Flash budgets (text + data of the linked ELF, bytes); the figures and the reasons are in
# README.md. image: the issue's 96 KiB target; demo: today's figure + about 10 %.
IMAGE_FLASH_BUDGET=$((96 * 1024))
DEMO_FLASH_BUDGET=$((128 * 1024))

pkgs=(rustc-web cargo-web rust-web-src gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's Rust 1.96 (rustc-web) ships the library source that -Zbuild-std needs; rustup's
# toolchain, first on PATH, cannot fetch these targets here. Call both by full path.
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
unset RUSTFLAGS CARGO_BUILD_TARGET CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER

wraps=()
for f in stun_binding_request stun_binding_success stun_parse_binding_response \
  srtp_context_size srtp_context_align srtp_init srtp_protect srtp_unprotect srtp_protect_rtcp \
  srtp_unprotect_rtcp srtp_clear sip_register sip_register_with_auth sip_parse_response; do
  wraps+=("-Wl,--wrap=rtcweb_$f")
done
cflags=(-std=c11 -Wall -Wextra -Werror -O2 -ffunction-sections -fdata-sections -Iinclude -Iarm)
ldflags=(-nostartfiles -Larm -Wl,--gc-sections -Wl,--no-warn-execstack)

# Bytes of each output section that came from librtcweb_firmware.a (the Rust code and the
# compiler_builtins it pulled in), read from a GNU ld map file.
library_share() {
  awk '
    function hex(s,   i, v) {
      v = 0; s = tolower(substr(s, 3))
      for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return v
    }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^\.[A-Za-z_]/ { sec = $1 }
    {
      for (i = 1; i < NF - 1; i++)
        if ($i ~ /^0x[0-9a-f]+$/ && $(i + 1) ~ /^0x[0-9a-f]+$/ && $(i + 2) ~ /librtcweb_firmware\.a\(/) {
          if (sec ~ /^\.(text|ARM\.ex|init_array)/) text += hex($(i + 1))
          else if (sec == ".data") data += hex($(i + 1))
          else if (sec == ".bss") bss += hex($(i + 1))
          break
        }
    }
    END { printf "%d %d %d\n", text, data, bss }' "$1"
}

# "text data bss" of an ELF (Berkeley format, as arm-none-eabi-size prints it).
elf_size() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1, $2, $3 }'; }

budget_check() { # name elf budget
  local text data bss flash
  read -r text data bss < <(elf_size "$2")
  flash=$((text + data))
  if ((flash > $3)); then
    echo "FAIL: $1 flash $flash B (text $text + data $data) is over its budget of $3 B" >&2
    return 1
  fi
  echo "$1: flash $flash B (text $text + data $data), budget $3 B: ok"
}

run_qemu() { # machine cpu elf
  timeout 60 qemu-system-arm -M "$1" -cpu "$2" -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -icount shift=0 -kernel "$3"
}

for t in ${ARM_TARGETS:-m4 m3}; do
  case "$t" in
    m4)
      triple=thumbv7em-none-eabihf
      cpu=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
      machine=mps2-an386 qcpu=cortex-m4 ;;
    m3)
      triple=thumbv7m-none-eabi
      cpu=(-mcpu=cortex-m3 -mthumb -mfloat-abi=soft)
      machine=lm3s6965evb qcpu=cortex-m3 ;;
    *) echo "unknown ARM target $t (m4, m3)" >&2; exit 2 ;;
  esac
  echo "--- $t: $triple, QEMU $machine"
  /usr/bin/cargo build -q --release --target "$triple" --target-dir target/arm \
    -Zbuild-std=core,compiler_builtins -Zbuild-std-features=compiler-builtins-mem
  lib=target/arm/$triple/release/librtcweb_firmware.a
  out=target/arm/$t
  mkdir -p "$out"

  # No heap: the archive must not reach for an allocator. (readelf, not nm: binutils' nm lists no
  # symbols for the compiler_builtins member, whose memcpy/memcmp/strlen are weak and hidden.)
  undefined=$(arm-none-eabi-readelf -sW "$lib" | awk '
    $1 ~ /^[0-9]+:$/ && NF >= 8 {
      if ($7 == "UND") u[$8] = 1
      else if ($5 == "GLOBAL" || $5 == "WEAK") d[$8] = 1
    }
    END { for (s in u) if (!(s in d)) print s }' | sort | tr '\n' ' ')
  echo "symbols librtcweb_firmware.a needs from outside: ${undefined:-none}"
  if grep -qwE 'malloc|calloc|realloc|free|_sbrk|__rust_alloc|__rust_dealloc' <<<"$undefined"; then
    echo "FAIL: the library needs an allocator" >&2
    exit 1
  fi

  arm-none-eabi-gcc "${cpu[@]}" "${cflags[@]}" --specs=nano.specs "${ldflags[@]}" \
    -T"$machine.ld" -Wl,-Map="$out/image.map" arm/startup.S arm/image.c "$lib" -o "$out/image.elf"
  arm-none-eabi-gcc "${cpu[@]}" "${cflags[@]}" --specs=nano.specs --specs=rdimon.specs \
    "${ldflags[@]}" -T"$machine.ld" -Wl,-Map="$out/demo.map" "${wraps[@]}" \
    arm/startup.S arm/runtime.c c/demo.c "$lib" -o "$out/demo.elf"

  if arm-none-eabi-nm "$out/image.elf" | grep -qwE 'malloc|_malloc_r|_sbrk'; then
    echo "FAIL: image.elf links an allocator" >&2
    exit 1
  fi
  for e in image demo; do
    read -r text data bss < <(elf_size "$out/$e.elf")
    read -r ltext ldata lbss < <(library_share "$out/$e.map")
    echo "$e.elf: .text $text .data $data .bss $bss (of which librtcweb_firmware.a: .text $ltext .data $ldata .bss $lbss)"
  done
  budget_check "$t image.elf" "$out/image.elf" "$IMAGE_FLASH_BUDGET"
  budget_check "$t demo.elf" "$out/demo.elf" "$DEMO_FLASH_BUDGET"

  for e in image demo; do
    rc=0
    run_qemu "$machine" "$qcpu" "$out/$e.elf" || rc=$?
    if ((rc != 0)); then
      echo "FAIL: $e.elf under QEMU $machine exited with $rc (124: timed out, 2: fault, 3: over the stack budget)" >&2
      exit 1
    fi
  done
done
