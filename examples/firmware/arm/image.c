/*
 * image.c: the firmware-shaped Cortex-M image, what a desk phone would link: the startup, all
 * fourteen entry points of librtcweb_firmware.a called once (so the linker keeps every one), and
 * nothing else: no stdio, no heap, no file system. Its flash size is the library's real cost on
 * the target; build-arm.sh checks it against the budget. It also runs under QEMU: each call's
 * result is checked, and the exit code is the number of failed checks.
 */
#include <stdint.h>
#include <string.h>

#include "rtcweb_firmware.h"
#include "semihost.h"

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
void arm_start(void) __attribute__((noreturn));
void arm_fault(const uint32_t *frame) __attribute__((noreturn));

void arm_fault(const uint32_t *frame) { semihost_fault(frame); }

static rtcweb_srtp_t tx, rx; /* static storage, as firmware keeps contexts */
static int failures;
#define CHECK(cond) ((void)((cond) || (failures++, semihost_write0("image: " #cond "\n"), 0)))

static const uint8_t tid[RTCWEB_STUN_TID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const uint8_t key[30] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7,
                                0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c, 0x01, 0x02, 0x03, 0x04,
                                0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};

static void stun(void) {
    uint8_t req[128], resp[128], ip[16], family = 0;
    uint16_t port = 0;
    const uint8_t v4[16] = {192, 0, 2, 1};
    CHECK(rtcweb_stun_binding_request(req, sizeof req, tid, (const uint8_t *)"a:b", 3,
                                      (const uint8_t *)"pw", 2) == 20 + 8 + 24 + 8);
    ssize_t n = rtcweb_stun_binding_success(resp, sizeof resp, tid, v4, RTCWEB_FAMILY_IPV4, 5060,
                                            (const uint8_t *)"pw", 2);
    CHECK(n == 20 + 12 + 24 + 8);
    CHECK(n > 0 && rtcweb_stun_parse_binding_response(resp, (size_t)n, (const uint8_t *)"pw", 2,
                                                      tid, ip, &family, &port) == 0);
    CHECK(family == RTCWEB_FAMILY_IPV4 && port == 5060 && memcmp(ip, v4, 4) == 0);
}

static void srtp(void) {
    uint8_t rtp[172 + RTCWEB_SRTP_MAX_RTP_OVERHEAD] = {0x80, 0x00, 0x12, 0x34};
    uint8_t rtcp[8 + RTCWEB_SRTP_MAX_RTCP_OVERHEAD] = {0x80, 0xc9, 0x00, 0x01, 1, 2, 3, 4};
    CHECK(rtcweb_srtp_context_size() <= sizeof(rtcweb_srtp_t));
    CHECK(rtcweb_srtp_context_align() <= RTCWEB_SRTP_CONTEXT_ALIGN);
    CHECK(rtcweb_srtp_init(&tx, key, sizeof key, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) == 0);
    CHECK(rtcweb_srtp_init(&rx, key, sizeof key, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) == 0);
    ssize_t n = rtcweb_srtp_protect(&tx, rtp, 172, sizeof rtp);
    CHECK(n == 182 && rtcweb_srtp_unprotect(&rx, rtp, (size_t)n) == 172 && rtp[100] == 0);
    n = rtcweb_srtp_protect_rtcp(&tx, rtcp, 8, sizeof rtcp);
    CHECK(n == 8 + 14 && rtcweb_srtp_unprotect_rtcp(&rx, rtcp, (size_t)n) == 8 && rtcp[7] == 4);
    rtcweb_srtp_clear(&tx);
    rtcweb_srtp_clear(&rx);
}

static void sip(void) {
    static uint8_t msg[1024];
    uint16_t status = 0;
    uint32_t cseq = 0, expires = 0;
    rtcweb_sip_register_t reg = {
        .aor = "sip:1001@example.com",
        .contact = "sip:1001@192.0.2.10:5060",
        .via = "SIP/2.0/UDP 192.0.2.10:5060",
        .branch = "z9hG4bK1",
        .from_tag = "f1",
        .call_id = "c1@192.0.2.10",
        .cseq = 1,
        .expires = 600,
    };
    static const char challenge[] =
        "SIP/2.0 401 Unauthorized\r\nCall-ID: c1@192.0.2.10\r\nCSeq: 1 REGISTER\r\n"
        "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"\r\n\r\n";
    static const char ok[] = "SIP/2.0 200 OK\r\nCall-ID: c1@192.0.2.10\r\nCSeq: 2 REGISTER\r\n"
                             "Contact: <sip:1001@192.0.2.10:5060>;expires=300\r\n\r\n";
    CHECK(rtcweb_sip_register(msg, sizeof msg, &reg) > 0);
    reg.cseq = 2;
    reg.branch = "z9hG4bK2";
    CHECK(rtcweb_sip_register_with_auth(msg, sizeof msg, &reg, (const uint8_t *)challenge,
                                        sizeof challenge - 1, "1001", (const uint8_t *)"pw", 2,
                                        "cn", 1) > 0);
    CHECK(rtcweb_sip_parse_response((const uint8_t *)ok, sizeof ok - 1, reg.call_id, reg.contact,
                                    &status, &cseq, &expires) == 0);
    CHECK(status == 200 && cseq == 2 && expires == 300);
}

void arm_start(void) {
    for (uint32_t *d = __data_start__, *s = __data_load__; d < __data_end__;) *d++ = *s++;
    for (uint32_t *d = __bss_start__; d < __bss_end__;) *d++ = 0;
    stun();
    srtp();
    sip();
    semihost_write0(failures ? "image: FAILED\n" : "image: every entry point linked and working\n");
    semihost_exit(failures);
}
