/*
 * demo.c: drives librtcweb_firmware.a the way desk-phone firmware would.
 *  - STUN: a client builds a Binding request, a "server" answers with a success response, the
 *    client checks it and reads its reflexive address; the RFC 5769 IPv4 response vector and the
 *    failure paths.
 *  - SRTP: the shared known answer (rtp_172.bin protected with srtp_master_key_salt.bin under
 *    AES_CM_128_HMAC_SHA1_80 is srtp_kat_172.bin, made with libsrtp), unprotect, a flipped bit,
 *    a replay, SRTCP, context state.
 *  - SIP: REGISTER, a handcrafted 401 answered with an MD5 qop=auth digest checked against a value
 *    computed independently (md5sum), a 200 OK with expires, a 423.
 * Usage: demo [DATA_DIR] (default c/data). Exits non-zero if any check failed.
 * Portable to bare-metal newlib too (arm/, build-arm.sh): sizes are printed as long, since
 * newlib-nano's printf has no %z.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtcweb_firmware.h"

static int failures = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "demo.c:%d: check failed: %s\n", __LINE__, #cond);   \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static void stun_checks(void) {
    const uint8_t tid[RTCWEB_STUN_TID_LEN] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                              0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
    const char *user = "evtj:h6vY";
    const char *pass = "VOkJxbRl1RmTxUk/WvJxBt";
    uint8_t req[128];
    uint8_t resp[128];
    uint8_t ip[16];
    uint8_t family = 0;
    uint16_t port = 0;

    /* 1. The request: header, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT. */
    ssize_t n = rtcweb_stun_binding_request(req, sizeof req, tid, (const uint8_t *)user,
                                            strlen(user), (const uint8_t *)pass, strlen(pass));
    CHECK(n == 20 + 16 + 24 + 8);
    CHECK(n > 0 && be16(req) == 0x0001);                  /* Binding request */
    CHECK(n > 0 && be16(req + 2) == (uint16_t)(n - 20));  /* length */
    CHECK(n > 0 && memcmp(req + 8, tid, 12) == 0);
    CHECK(n > 0 && be16(req + 20) == 0x0006);             /* USERNAME first */
    CHECK(n > 0 && be16(req + n - 8) == 0x8028);          /* FINGERPRINT last */

    /* 2. The server's answer, IPv4 192.0.2.1:32853. */
    const uint8_t mapped4[16] = {192, 0, 2, 1};
    ssize_t m = rtcweb_stun_binding_success(resp, sizeof resp, tid, mapped4, RTCWEB_FAMILY_IPV4,
                                            32853, (const uint8_t *)pass, strlen(pass));
    CHECK(m == 20 + 12 + 24 + 8);

    /* 3. The client checks it. */
    int32_t r = rtcweb_stun_parse_binding_response(resp, (size_t)m, (const uint8_t *)pass,
                                                   strlen(pass), tid, ip, &family, &port);
    CHECK(r == 0);
    CHECK(family == RTCWEB_FAMILY_IPV4 && port == 32853 && memcmp(ip, mapped4, 16) == 0);

    /* 4. IPv6, without MESSAGE-INTEGRITY. */
    const uint8_t mapped6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
    m = rtcweb_stun_binding_success(resp, sizeof resp, tid, mapped6, RTCWEB_FAMILY_IPV6, 443,
                                    NULL, 0);
    CHECK(m == 20 + 24 + 8);
    r = rtcweb_stun_parse_binding_response(resp, (size_t)m, NULL, 0, tid, ip, &family, &port);
    CHECK(r == 0 && family == RTCWEB_FAMILY_IPV6 && port == 443 && memcmp(ip, mapped6, 16) == 0);
    /* ... and a password demands MESSAGE-INTEGRITY. */
    r = rtcweb_stun_parse_binding_response(resp, (size_t)m, (const uint8_t *)pass, strlen(pass),
                                           tid, ip, &family, &port);
    CHECK(r == RTCWEB_ERR_INTEGRITY);

    /* 5. RFC 5769 section 2.2, the IPv4 response test vector, built by someone else. */
    const uint8_t rfc5769[] = {
        0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
        0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
        0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
        0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
        0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b,
        0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};
    memset(ip, 0xff, sizeof ip);
    r = rtcweb_stun_parse_binding_response(rfc5769, sizeof rfc5769, (const uint8_t *)pass,
                                           strlen(pass), tid, ip, &family, &port);
    CHECK(r == 0 && family == RTCWEB_FAMILY_IPV4 && port == 32853 &&
          memcmp(ip, mapped4, 16) == 0);

    /* 6. Failures. */
    uint8_t bad[sizeof rfc5769];
    memcpy(bad, rfc5769, sizeof bad);
    bad[sizeof bad - 1] ^= 1; /* FINGERPRINT */
    CHECK(rtcweb_stun_parse_binding_response(bad, sizeof bad, (const uint8_t *)pass,
                                             strlen(pass), tid, ip, &family, &port) ==
          RTCWEB_ERR_FINGERPRINT);
    const char *wrong = "VOkJxbRl1RmTxUk/WvJxBT";
    CHECK(rtcweb_stun_parse_binding_response(rfc5769, sizeof rfc5769, (const uint8_t *)wrong,
                                             strlen(wrong), tid, ip, &family, &port) ==
          RTCWEB_ERR_INTEGRITY);
    uint8_t other_tid[12];
    memcpy(other_tid, tid, 12);
    other_tid[11] ^= 1;
    CHECK(rtcweb_stun_parse_binding_response(rfc5769, sizeof rfc5769, NULL, 0, other_tid, ip,
                                             &family, &port) == RTCWEB_ERR_TRANSACTION);
    CHECK(rtcweb_stun_parse_binding_response(req, (size_t)n, NULL, 0, tid, ip, &family, &port) ==
          RTCWEB_ERR_NOT_SUCCESS);
    CHECK(rtcweb_stun_parse_binding_response(rfc5769, 19, NULL, 0, tid, ip, &family, &port) ==
          RTCWEB_ERR_MALFORMED);
    CHECK(rtcweb_stun_parse_binding_response(NULL, 0, NULL, 0, tid, ip, &family, &port) ==
          RTCWEB_ERR_NULL);
    CHECK(rtcweb_stun_binding_request(req, 40, tid, (const uint8_t *)user, strlen(user),
                                      (const uint8_t *)pass, strlen(pass)) ==
          RTCWEB_ERR_BUFFER_TOO_SMALL);
    CHECK(rtcweb_stun_binding_request(NULL, 0, tid, NULL, 0, NULL, 0) == RTCWEB_ERR_NULL);
    const char *latin = "p\xc3\xa4ss"; /* non-ASCII: needs SASLprep tables */
    CHECK(rtcweb_stun_binding_request(req, sizeof req, tid, NULL, 0, (const uint8_t *)latin,
                                      strlen(latin)) == RTCWEB_ERR_ARGUMENT);
    CHECK(rtcweb_stun_binding_success(resp, sizeof resp, tid, mapped4, 5, 1, NULL, 0) ==
          RTCWEB_ERR_ARGUMENT);

    printf("stun: request %ld bytes, RFC 5769 response verified\n", (long)n);
}

/* Reads a whole file (at most cap bytes); returns its length or -1. */
static long read_file(const char *dir, const char *name, uint8_t *buf, size_t cap) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "demo: cannot open %s\n", path);
        return -1;
    }
    size_t n = fread(buf, 1, cap, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    return more ? -1 : (long)n;
}

/* Contexts in static storage, as firmware would keep them (zero-filled: "not initialized"). */
static rtcweb_srtp_t tx, rx;

static void srtp_checks(const char *dir) {
    uint8_t key[64], rtp[256], kat[256], buf[256 + RTCWEB_SRTP_MAX_RTP_OVERHEAD];
    long key_len = read_file(dir, "srtp_master_key_salt.bin", key, sizeof key);
    long rtp_len = read_file(dir, "rtp_172.bin", rtp, sizeof rtp);
    long kat_len = read_file(dir, "srtp_kat_172.bin", kat, sizeof kat);
    CHECK(key_len == 30 && rtp_len == 172 && kat_len == 182);
    if (key_len != 30 || rtp_len != 172 || kat_len != 182) return;

    /* The header's constant fits this library build. */
    CHECK(rtcweb_srtp_context_size() <= sizeof(rtcweb_srtp_t));
    CHECK(rtcweb_srtp_context_align() <= RTCWEB_SRTP_CONTEXT_ALIGN);

    /* Not initialized yet (static storage is zero): refused, not used. */
    memcpy(buf, rtp, (size_t)rtp_len);
    CHECK(rtcweb_srtp_protect(&tx, buf, (size_t)rtp_len, sizeof buf) == RTCWEB_ERR_STATE);
    CHECK(memcmp(buf, rtp, (size_t)rtp_len) == 0);

    /* Bad profile and key length. */
    CHECK(rtcweb_srtp_init(&tx, key, 30, 5) == RTCWEB_ERR_UNSUPPORTED);
    CHECK(rtcweb_srtp_init(&tx, key, 29, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) ==
          RTCWEB_ERR_ARGUMENT);
    CHECK(rtcweb_srtp_init(NULL, key, 30, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) == RTCWEB_ERR_NULL);

    CHECK(rtcweb_srtp_init(&tx, key, (size_t)key_len, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) == 0);
    CHECK(rtcweb_srtp_init(&rx, key, (size_t)key_len, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) == 0);

    /* No room for the tag: refused, buffer unchanged. */
    CHECK(rtcweb_srtp_protect(&tx, buf, (size_t)rtp_len, (size_t)rtp_len + 9) ==
          RTCWEB_ERR_BUFFER_TOO_SMALL);
    CHECK(memcmp(buf, rtp, (size_t)rtp_len) == 0);

    /* 1. Protect: byte for byte the libsrtp known answer. */
    ssize_t n = rtcweb_srtp_protect(&tx, buf, (size_t)rtp_len, sizeof buf);
    CHECK(n == kat_len);
    CHECK(n == kat_len && memcmp(buf, kat, (size_t)kat_len) == 0);
    /* Sending the same sequence number again would reuse keystream: refused. */
    memcpy(buf, rtp, (size_t)rtp_len);
    CHECK(rtcweb_srtp_protect(&tx, buf, (size_t)rtp_len, sizeof buf) == RTCWEB_ERR_REPLAY);

    /* 2. A flipped bit (in the payload, then in the tag) is refused, buffer untouched. */
    memcpy(buf, kat, (size_t)kat_len);
    buf[100] ^= 0x01;
    CHECK(rtcweb_srtp_unprotect(&rx, buf, (size_t)kat_len) == RTCWEB_ERR_AUTH);
    CHECK(buf[100] == (uint8_t)(kat[100] ^ 0x01) && memcmp(buf + 101, kat + 101, 81) == 0);
    memcpy(buf, kat, (size_t)kat_len);
    buf[kat_len - 1] ^= 0x80;
    CHECK(rtcweb_srtp_unprotect(&rx, buf, (size_t)kat_len) == RTCWEB_ERR_AUTH);

    /* 3. Unprotect restores the RTP packet. */
    memcpy(buf, kat, (size_t)kat_len);
    n = rtcweb_srtp_unprotect(&rx, buf, (size_t)kat_len);
    CHECK(n == rtp_len && memcmp(buf, rtp, (size_t)rtp_len) == 0);

    /* 4. The same packet again is a replay. */
    memcpy(buf, kat, (size_t)kat_len);
    CHECK(rtcweb_srtp_unprotect(&rx, buf, (size_t)kat_len) == RTCWEB_ERR_REPLAY);
    CHECK(memcmp(buf, kat, (size_t)kat_len) == 0);

    /* Truncated, and not RTP. */
    CHECK(rtcweb_srtp_unprotect(&rx, buf, 11) == RTCWEB_ERR_MALFORMED);
    uint8_t v1[32] = {0x40};
    CHECK(rtcweb_srtp_unprotect(&rx, v1, sizeof v1) == RTCWEB_ERR_MALFORMED);

    /* 5. The next packets flow (sequence number + 1, + 2 out of order). */
    for (int step = 2; step >= 1; step--) {
        memcpy(buf, rtp, (size_t)rtp_len);
        buf[3] = (uint8_t)(buf[3] + step);
        n = rtcweb_srtp_protect(&tx, buf, (size_t)rtp_len, sizeof buf);
        CHECK(n == kat_len);
        CHECK(rtcweb_srtp_unprotect(&rx, buf, (size_t)n) == rtp_len);
        CHECK(memcmp(buf + 12, rtp + 12, (size_t)rtp_len - 12) == 0);
    }

    /* 6. SRTCP: a receiver report, protected and unprotected, replay refused. */
    const uint8_t rr[] = {0x80, 0xc9, 0x00, 0x01, 0xca, 0xfe, 0xba, 0xbe};
    uint8_t rtcp[sizeof rr + RTCWEB_SRTP_MAX_RTCP_OVERHEAD];
    memcpy(rtcp, rr, sizeof rr);
    n = rtcweb_srtp_protect_rtcp(&tx, rtcp, sizeof rr, sizeof rtcp);
    CHECK(n == (ssize_t)sizeof rr + 14);
    uint8_t copy[sizeof rtcp];
    memcpy(copy, rtcp, sizeof rtcp);
    CHECK(n > 0 && rtcweb_srtp_unprotect_rtcp(&rx, rtcp, (size_t)n) == (ssize_t)sizeof rr);
    CHECK(memcmp(rtcp, rr, sizeof rr) == 0);
    CHECK(n > 0 && rtcweb_srtp_unprotect_rtcp(&rx, copy, (size_t)n) == RTCWEB_ERR_REPLAY);

    /* 7. The 32-bit tag profile on a stack context, then clear. */
    rtcweb_srtp_t ctx32;
    CHECK(rtcweb_srtp_init(&ctx32, key, 30, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_32) == 0);
    memcpy(buf, rtp, (size_t)rtp_len);
    CHECK(rtcweb_srtp_protect(&ctx32, buf, (size_t)rtp_len, sizeof buf) == rtp_len + 4);
    CHECK(memcmp(buf, kat, (size_t)rtp_len) == 0); /* same keystream as _80 */
    rtcweb_srtp_clear(&ctx32);
    CHECK(rtcweb_srtp_protect(&ctx32, buf, (size_t)rtp_len, sizeof buf) == RTCWEB_ERR_STATE);

    rtcweb_srtp_clear(&tx);
    rtcweb_srtp_clear(&rx);
    CHECK(rtcweb_srtp_unprotect(&rx, buf, (size_t)kat_len) == RTCWEB_ERR_STATE);
    printf("srtp: %ld-byte RTP -> %ld-byte SRTP matches the known answer; context %lu bytes\n",
           rtp_len, kat_len, (unsigned long)rtcweb_srtp_context_size());
}

/* The value of `name="..."` in text (a quoted parameter), copied to out; 0 if absent. */
static int param(const char *text, const char *name, char *out, size_t cap) {
    char key[64];
    snprintf(key, sizeof key, "%s=\"", name);
    const char *p = strstr(text, key);
    if (!p) return 0;
    p += strlen(key);
    const char *q = strchr(p, '"');
    if (!q || (size_t)(q - p) >= cap) return 0;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = 0;
    return 1;
}

static void sip_checks(void) {
    char msg[1024];
    uint16_t status = 0;
    uint32_t cseq = 0, expires = 0;
    rtcweb_sip_register_t reg = {
        .registrar = NULL, /* derived from the AOR: sip:example.com */
        .aor = "sip:1001@example.com",
        .contact = "sip:1001@192.0.2.10:5060",
        .via = "SIP/2.0/UDP 192.0.2.10:5060",
        .branch = "z9hG4bK1001a",
        .from_tag = "ft1001",
        .call_id = "8f3a9c21@192.0.2.10",
        .user_agent = "rtcweb-firmware-demo/1",
        .cseq = 1,
        .expires = 3600,
    };

    /* 1. The first REGISTER: the exact text. */
    ssize_t n = rtcweb_sip_register((uint8_t *)msg, sizeof msg, &reg);
    const char *want = "REGISTER sip:example.com SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1001a;rport\r\n"
                       "Max-Forwards: 70\r\n"
                       "From: <sip:1001@example.com>;tag=ft1001\r\n"
                       "To: <sip:1001@example.com>\r\n"
                       "Call-ID: 8f3a9c21@192.0.2.10\r\n"
                       "CSeq: 1 REGISTER\r\n"
                       "Contact: <sip:1001@192.0.2.10:5060>\r\n"
                       "Expires: 3600\r\n"
                       "User-Agent: rtcweb-firmware-demo/1\r\n"
                       "Content-Length: 0\r\n\r\n";
    CHECK(n == (ssize_t)strlen(want));
    CHECK(n > 0 && memcmp(msg, want, (size_t)n) == 0);
    /* ... and parsed back (a request has status 0). */
    CHECK(n > 0 && rtcweb_sip_parse_response((const uint8_t *)msg, (size_t)n, reg.call_id,
                                             reg.contact, &status, &cseq, &expires) == 0);
    CHECK(status == 0 && cseq == 1 && expires == 3600);
    size_t first_len = n > 0 ? (size_t)n : 0;

    /* Refused input: header injection, a bad URI, a branch without the magic cookie, no room. */
    rtcweb_sip_register_t bad = reg;
    bad.call_id = "x\r\nEvil: 1";
    CHECK(rtcweb_sip_register((uint8_t *)msg, sizeof msg, &bad) == RTCWEB_ERR_ARGUMENT);
    bad = reg;
    bad.contact = "http://192.0.2.10";
    CHECK(rtcweb_sip_register((uint8_t *)msg, sizeof msg, &bad) == RTCWEB_ERR_ARGUMENT);
    bad = reg;
    bad.branch = "1001a";
    CHECK(rtcweb_sip_register((uint8_t *)msg, sizeof msg, &bad) == RTCWEB_ERR_ARGUMENT);
    bad = reg;
    bad.aor = NULL;
    CHECK(rtcweb_sip_register((uint8_t *)msg, sizeof msg, &bad) == RTCWEB_ERR_NULL);
    CHECK(rtcweb_sip_register((uint8_t *)msg, first_len - 1, &reg) == RTCWEB_ERR_BUFFER_TOO_SMALL);

    /* 2. The registrar challenges it (handcrafted 401, known realm and nonce). */
    const char *c401 =
        "SIP/2.0 401 Unauthorized\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1001a;rport=5060;received=192.0.2.10\r\n"
        "From: <sip:1001@example.com>;tag=ft1001\r\n"
        "To: <sip:1001@example.com>;tag=srv77\r\n"
        "Call-ID: 8f3a9c21@192.0.2.10\r\n"
        "CSeq: 1 REGISTER\r\n"
        "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"5f1c0a3e9b7d\", "
        "opaque=\"op42\", algorithm=MD5, qop=\"auth\"\r\n"
        "Content-Length: 0\r\n\r\n";
    CHECK(rtcweb_sip_parse_response((const uint8_t *)c401, strlen(c401), reg.call_id, reg.contact,
                                    &status, &cseq, &expires) == 0);
    CHECK(status == 401 && cseq == 1 && expires == RTCWEB_SIP_EXPIRES_NONE);

    /* 3. The authenticated REGISTER. The expected response, computed independently:
     *   HA1=$(printf '%s' '1001:example.com:s3cret' | md5sum)  -> f1f1fd4fe6f19f9222ccbd22f46f471a
     *   HA2=$(printf '%s' 'REGISTER:sip:example.com' | md5sum) -> 0264b00abe5b31d87fb22979689b883f
     *   printf '%s' "$HA1:5f1c0a3e9b7d:00000001:0a4f113b:auth:$HA2" | md5sum
     *                                                          -> c75c7c20748b296dd3cb3e3a994aa7fe
     * (nc=00000002 gives 1afb504349777b4c232f2df1b30ef110.) */
    const char *pw = "s3cret";
    reg.cseq = 2;
    reg.branch = "z9hG4bK1001b";
    n = rtcweb_sip_register_with_auth((uint8_t *)msg, sizeof msg - 1, &reg, (const uint8_t *)c401,
                                      strlen(c401), "1001", (const uint8_t *)pw, strlen(pw),
                                      "0a4f113b", 1);
    CHECK(n > 0);
    if (n > 0) {
        char value[128];
        msg[n] = 0;
        const char *auth = strstr(msg, "\r\nAuthorization: Digest ");
        CHECK(auth != NULL);
        if (auth) {
            CHECK(param(auth, "response", value, sizeof value) &&
                  strcmp(value, "c75c7c20748b296dd3cb3e3a994aa7fe") == 0);
            CHECK(param(auth, "username", value, sizeof value) && strcmp(value, "1001") == 0);
            CHECK(param(auth, "realm", value, sizeof value) && strcmp(value, "example.com") == 0);
            CHECK(param(auth, "nonce", value, sizeof value) && strcmp(value, "5f1c0a3e9b7d") == 0);
            CHECK(param(auth, "uri", value, sizeof value) && strcmp(value, "sip:example.com") == 0);
            CHECK(param(auth, "opaque", value, sizeof value) && strcmp(value, "op42") == 0);
            CHECK(strstr(auth, "qop=auth, nc=00000001, cnonce=\"0a4f113b\"") != NULL);
        }
        CHECK(strstr(msg, "CSeq: 2 REGISTER\r\n") != NULL);
        CHECK(strstr(msg, "branch=z9hG4bK1001b;") != NULL);
        CHECK(rtcweb_sip_parse_response((const uint8_t *)msg, (size_t)n, reg.call_id, NULL,
                                        &status, &cseq, &expires) == 0);
        CHECK(status == 0 && cseq == 2 && expires == 3600);
    }
    /* The same nonce again: nc 2. */
    n = rtcweb_sip_register_with_auth((uint8_t *)msg, sizeof msg - 1, &reg, (const uint8_t *)c401,
                                      strlen(c401), "1001", (const uint8_t *)pw, strlen(pw),
                                      "0a4f113b", 2);
    CHECK(n > 0);
    if (n > 0) {
        msg[n] = 0;
        CHECK(strstr(msg, "response=\"1afb504349777b4c232f2df1b30ef110\"") != NULL);
    }
    /* A challenge for another Call-ID, a 200 instead of a challenge, a Basic-only challenge. */
    rtcweb_sip_register_t other = reg;
    other.call_id = "other@192.0.2.10";
    CHECK(rtcweb_sip_register_with_auth((uint8_t *)msg, sizeof msg, &other, (const uint8_t *)c401,
                                        strlen(c401), "1001", (const uint8_t *)pw, strlen(pw),
                                        "0a4f113b", 1) == RTCWEB_ERR_TRANSACTION);
    const char *basic = "SIP/2.0 401 Unauthorized\r\nCall-ID: 8f3a9c21@192.0.2.10\r\n"
                        "CSeq: 1 REGISTER\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n";
    CHECK(rtcweb_sip_register_with_auth((uint8_t *)msg, sizeof msg, &reg, (const uint8_t *)basic,
                                        strlen(basic), "1001", (const uint8_t *)pw, strlen(pw),
                                        "0a4f113b", 1) == RTCWEB_ERR_NO_CHALLENGE);
    /* A Digest challenge we cannot answer (SHA-512-256 only), one whose realm needs escaping,
     * and SHA-256 chosen over MD5 whatever the order (RFC 8760). */
    const char *sha512 = "SIP/2.0 401 Unauthorized\r\nCall-ID: 8f3a9c21@192.0.2.10\r\n"
                         "CSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"x\", nonce=\"n\", "
                         "algorithm=SHA-512-256\r\n\r\n";
    CHECK(rtcweb_sip_register_with_auth((uint8_t *)msg, sizeof msg, &reg, (const uint8_t *)sha512,
                                        strlen(sha512), "1001", (const uint8_t *)pw, strlen(pw),
                                        "0a4f113b", 1) == RTCWEB_ERR_UNSUPPORTED);
    const char *escaped = "SIP/2.0 401 Unauthorized\r\nCall-ID: 8f3a9c21@192.0.2.10\r\n"
                          "CSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"a\\\"b\", nonce=\"n\"\r\n\r\n";
    CHECK(rtcweb_sip_register_with_auth((uint8_t *)msg, sizeof msg, &reg, (const uint8_t *)escaped,
                                        strlen(escaped), "1001", (const uint8_t *)pw, strlen(pw),
                                        "0a4f113b", 1) == RTCWEB_ERR_UNSUPPORTED);
    const char *both = "SIP/2.0 407 Proxy Authentication Required\r\nCall-ID: 8f3a9c21@192.0.2.10\r\n"
                       "CSeq: 1 REGISTER\r\n"
                       "Proxy-Authenticate: Digest realm=\"x\", nonce=\"n\", algorithm=MD5\r\n"
                       "Proxy-Authenticate: Digest realm=\"x\", nonce=\"n\", algorithm=SHA-256\r\n\r\n";
    n = rtcweb_sip_register_with_auth((uint8_t *)msg, sizeof msg - 1, &reg, (const uint8_t *)both,
                                      strlen(both), "1001", (const uint8_t *)pw, strlen(pw),
                                      "0a4f113b", 1);
    CHECK(n > 0);
    if (n > 0) {
        msg[n] = 0;
        CHECK(strstr(msg, "\r\nProxy-Authorization: Digest ") != NULL);
        CHECK(strstr(msg, "algorithm=SHA-256\r\n") != NULL || strstr(msg, "algorithm=SHA-256,") != NULL);
    }

    /* 4. 200 OK: our binding with its granted lifetime (plus another device's). */
    const char *ok =
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1001b;rport=5060\r\n"
        "From: <sip:1001@example.com>;tag=ft1001\r\n"
        "To: <sip:1001@example.com>;tag=srv77\r\n"
        "Call-ID: 8f3a9c21@192.0.2.10\r\n"
        "CSeq: 2 REGISTER\r\n"
        "Contact: <sip:1001@198.51.100.7:5062>;expires=120, <sip:1001@192.0.2.10:5060>;expires=1800\r\n"
        "Expires: 3600\r\n"
        "Content-Length: 0\r\n\r\n";
    CHECK(rtcweb_sip_parse_response((const uint8_t *)ok, strlen(ok), reg.call_id, reg.contact,
                                    &status, &cseq, &expires) == 0);
    CHECK(status == 200 && cseq == 2 && expires == 1800);
    /* Without our contact listed, the binding is gone (0); with no contact named, the first. */
    CHECK(rtcweb_sip_parse_response((const uint8_t *)ok, strlen(ok), NULL, "sip:1001@192.0.2.99",
                                    &status, &cseq, &expires) == 0 && expires == 0);
    CHECK(rtcweb_sip_parse_response((const uint8_t *)ok, strlen(ok), NULL, NULL, &status, NULL,
                                    &expires) == 0 && expires == 120);
    CHECK(rtcweb_sip_parse_response((const uint8_t *)ok, strlen(ok), "other", NULL, &status,
                                    &cseq, &expires) == RTCWEB_ERR_TRANSACTION);
    CHECK(rtcweb_sip_parse_response((const uint8_t *)ok, 20, NULL, NULL, &status, &cseq,
                                    &expires) == RTCWEB_ERR_MALFORMED);
    CHECK(rtcweb_sip_parse_response(NULL, 0, NULL, NULL, &status, &cseq, &expires) ==
          RTCWEB_ERR_NULL);

    /* 5. 423 Interval Too Brief: retry with at least Min-Expires. */
    const char *brief = "SIP/2.0 423 Interval Too Brief\r\nCall-ID: 8f3a9c21@192.0.2.10\r\n"
                        "CSeq: 3 REGISTER\r\nMin-Expires: 600\r\nContent-Length: 0\r\n\r\n";
    CHECK(rtcweb_sip_parse_response((const uint8_t *)brief, strlen(brief), reg.call_id, NULL,
                                    &status, &cseq, &expires) == 0);
    CHECK(status == 423 && cseq == 3 && expires == 600);
    printf("sip: REGISTER %lu bytes, digest answered (MD5, qop=auth), 200 OK expires 1800\n",
           (unsigned long)first_len);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "c/data";
    stun_checks();
    srtp_checks(dir);
    sip_checks();
    if (failures) {
        fprintf(stderr, "demo: %d check(s) failed\n", failures);
        return 1;
    }
    printf("demo: all checks passed\n");
    return 0;
}
