/*
 * rtcweb_firmware.h: STUN Binding (RFC 8489) for C firmware, from the no_std, allocator-free
 * Rust static library librtcweb_firmware.a (examples/firmware in the rtcweb repository).
 *
 * Every function works on buffers the caller owns; nothing allocates, blocks or reads a clock.
 * Lengths are returned as non-negative values, failures as the negative RTCWEB_ERR_* codes.
 * Passwords are short-term credentials (RFC 8489 section 9.1) and must be ASCII in this build.
 */
#ifndef RTCWEB_FIRMWARE_H
#define RTCWEB_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* ssize_t: the Rust side returns isize */

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes (all negative). */
#define RTCWEB_ERR_NULL             (-1) /* a required pointer is NULL */
#define RTCWEB_ERR_BUFFER_TOO_SMALL (-2) /* the output buffer is too small */
#define RTCWEB_ERR_ARGUMENT         (-3) /* bad username, non-ASCII password, unknown family */
#define RTCWEB_ERR_MALFORMED        (-4) /* not a well-formed STUN message */
#define RTCWEB_ERR_INTEGRITY        (-5) /* MESSAGE-INTEGRITY missing or wrong */
#define RTCWEB_ERR_FINGERPRINT      (-6) /* FINGERPRINT does not match */
#define RTCWEB_ERR_NOT_SUCCESS      (-7) /* not a Binding success response */
#define RTCWEB_ERR_TRANSACTION      (-8) /* transaction ID is not the request's */
#define RTCWEB_ERR_NO_ADDRESS       (-9) /* no (XOR-)MAPPED-ADDRESS */

/* Address families as out_family reports them. */
#define RTCWEB_FAMILY_IPV4 4
#define RTCWEB_FAMILY_IPV6 6

/* Length of a transaction ID; draw it from a cryptographic RNG (RFC 8489 section 6.1). */
#define RTCWEB_STUN_TID_LEN 12

/*
 * Writes a Binding request into buf[0..cap): USERNAME when username_len > 0, MESSAGE-INTEGRITY
 * when password is not NULL, then FINGERPRINT. tid points to 12 bytes.
 * Returns the message length or a negative RTCWEB_ERR_* code.
 */
ssize_t rtcweb_stun_binding_request(uint8_t *buf, size_t cap, const uint8_t *tid,
                                    const uint8_t *username, size_t username_len,
                                    const uint8_t *password, size_t password_len);

/*
 * Writes a Binding success response (the server side) into buf[0..cap): XOR-MAPPED-ADDRESS of
 * ip/family/port, MESSAGE-INTEGRITY when password is not NULL, then FINGERPRINT. ip points to
 * 16 bytes (only the first 4 are read for IPv4); family is RTCWEB_FAMILY_IPV4 or _IPV6.
 * Returns the message length or a negative RTCWEB_ERR_* code.
 */
ssize_t rtcweb_stun_binding_success(uint8_t *buf, size_t cap, const uint8_t *tid,
                                    const uint8_t *ip, uint8_t family, uint16_t port,
                                    const uint8_t *password, size_t password_len);

/*
 * Checks a Binding response: well-formed, Binding success, transaction ID equal to tid,
 * FINGERPRINT correct when present, MESSAGE-INTEGRITY correct when password is not NULL.
 * On success writes the reflexive address (out_ip: 16 bytes, IPv4 in the first 4 and the rest
 * zero; out_family: 4 or 6; out_port: host order) and returns 0; otherwise returns a negative
 * RTCWEB_ERR_* code and writes nothing.
 */
int32_t rtcweb_stun_parse_binding_response(const uint8_t *msg, size_t len,
                                           const uint8_t *password, size_t password_len,
                                           const uint8_t *tid, uint8_t *out_ip,
                                           uint8_t *out_family, uint16_t *out_port);

#ifdef __cplusplus
}
#endif

#endif /* RTCWEB_FIRMWARE_H */
