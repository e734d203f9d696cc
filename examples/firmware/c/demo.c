/*
 * demo.c: drives librtcweb_firmware.a the way firmware would. A client builds a Binding request,
 * a "server" answers with a success response, the client checks it and reads its reflexive
 * address; then the RFC 5769 IPv4 response vector and the failure paths. Exits non-zero on the
 * first failed check.
 */
#include <stdio.h>
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

int main(void) {
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

    if (failures) {
        fprintf(stderr, "demo: %d check(s) failed\n", failures);
        return 1;
    }
    printf("demo: all checks passed (request %zd bytes, RFC 5769 response verified)\n", n);
    return 0;
}
