#!/bin/sh
# The crypto limit of this CPU for SRTP AES_CM_128_HMAC_SHA1_80 (see shared/PEERS.md): the bulk rates
# of AES-128-CTR and SHA-1 at 8 KiB from `openssl speed`, turned into the least time one packet can
# take: AES-CTR over the payload plus its SHA-1 blocks (HMAC with precomputed inner/outer states
# over packet || ROC). The benchmark `cargo bench -p rtcweb-srtp-core --bench srtp` prints the same
# figures next to its results.
set -eu
rate() { # bytes per second
    openssl speed -elapsed -seconds "${SECONDS_PER_ALG:-2}" -bytes 8192 -evp "$1" 2>/dev/null |
        awk -v alg="$1" 'tolower($1) == alg { v = $NF; sub(/k$/, "", v); print v * 1000 }'
}
aes=$(rate aes-128-ctr)
sha=$(rate sha1)
awk -v aes="$aes" -v sha="$sha" 'BEGIN {
    printf "aes-128-ctr %.0f MB/s, sha1 %.0f MB/s\n", aes / 1e6, sha / 1e6
    printf "172 B packet:  %.1f ns (160 B AES-CTR + 4 SHA-1 blocks)\n", (160 / aes + 4 * 64 / sha) * 1e9
    printf "1212 B packet: %.1f ns (1200 B AES-CTR + 21 SHA-1 blocks)\n", (1200 / aes + 21 * 64 / sha) * 1e9
}'
