#!/usr/bin/env bash
# Installs the Debian packages the tests, interop peers and benchmarks need, when missing:
# coturn (TURN/ICE interop), kamailio and baresip (SIP interop), chromium (ICE interop with a browser),
# libclang-dev + libssl-dev + pkg-config (libsrtp2 built with OpenSSL through srtp2-sys, the SRTP
# reference peer), sip-tester (sipp, the SIP load client), tcpdump and tshark (captures made and read by real tools for `rtcweb inspect pcap`
# and `--pcap`), dnsmasq-base (the local DNS server of the RFC 3263 test), kamailio-tls-modules
# (Kamailio as a TLS proxy), and the aioice Python
# package (ICE interop). Idempotent; quiet when all is there.
set -euo pipefail
pkgs=(coturn kamailio baresip-core chromium libclang-dev libssl-dev pkg-config make autoconf gcc
  tcpdump tshark sip-tester dnsmasq-base kamailio-tls-modules)
need=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing: ${need[*]}"
  # tshark's package asks whether non-root users may capture: no, and without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Node.js and npm for the browser tests (JsSIP, playwright-core driving the system chromium).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
python3 -c 'import aioice' 2>/dev/null || python3 -m pip install -q aioice
