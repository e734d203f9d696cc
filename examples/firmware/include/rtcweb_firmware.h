/*
 * rtcweb_firmware.h: STUN Binding (RFC 8489), SRTP (RFC 3711) and SIP REGISTER with digest
 * authentication (RFC 3261) for C firmware, from the no_std, allocator-free Rust static library
 * librtcweb_firmware.a (examples/firmware in the rtcweb repository).
 *
 * Every function works on buffers the caller owns; nothing allocates, blocks, reads a clock or
 * keeps global state, so calls on different buffers/contexts may run on different threads.
 * Lengths are returned as non-negative values, failures as the negative RTCWEB_ERR_* codes.
 * STUN passwords are short-term credentials (RFC 8489 section 9.1) and must be ASCII in this build.
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
#define RTCWEB_ERR_NULL             (-1)  /* a required pointer is NULL */
#define RTCWEB_ERR_BUFFER_TOO_SMALL (-2)  /* output buffer too small; SRTP: no room for the tag */
#define RTCWEB_ERR_ARGUMENT         (-3)  /* bad username, non-ASCII password, unknown family,
                                             wrong key length, SIP text that is not UTF-8, has
                                             control characters or makes an ill-formed message */
#define RTCWEB_ERR_MALFORMED        (-4)  /* not a well-formed STUN message / RTP or RTCP packet /
                                             SIP message (or more than RTCWEB_SIP_MAX_HEADERS) */
#define RTCWEB_ERR_INTEGRITY        (-5)  /* MESSAGE-INTEGRITY missing or wrong */
#define RTCWEB_ERR_FINGERPRINT      (-6)  /* FINGERPRINT does not match */
#define RTCWEB_ERR_NOT_SUCCESS      (-7)  /* not a Binding success response */
#define RTCWEB_ERR_TRANSACTION      (-8)  /* STUN transaction ID, or SIP Call-ID or CSeq method,
                                             is not the request's */
#define RTCWEB_ERR_NO_ADDRESS       (-9)  /* no (XOR-)MAPPED-ADDRESS */
#define RTCWEB_ERR_UNSUPPORTED      (-10) /* unknown SRTP profile (or GCM not built in); digest
                                             algorithm/qop this build cannot answer */
#define RTCWEB_ERR_AUTH             (-11) /* SRTP/SRTCP tag does not verify: altered or other key */
#define RTCWEB_ERR_REPLAY           (-12) /* SRTP/SRTCP index already received or too old */
#define RTCWEB_ERR_STATE            (-13) /* SRTP context not initialized (or cleared), or
                                             misaligned */
#define RTCWEB_ERR_KEY_LIFETIME     (-14) /* master key used up (RFC 3711 section 9.2): re-key */
#define RTCWEB_ERR_NO_CHALLENGE     (-15) /* SIP message is not a 401/407 with a Digest challenge */

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

/* ------------------------------------------------------------------------------------------ */
/* SRTP / SRTCP (RFC 3711, RFC 7714)                                                            */
/*
 * One rtcweb_srtp_t is the crypto context of one SSRC in one direction: protect with the one for
 * what you send, unprotect with the one for what you receive (a call needs two).
 *
 * Why caller-allocated: the firmware decides where contexts live (inside its own per-call struct,
 * in a static array sized for its line count, in a particular RAM section) and how many exist;
 * the library keeps no global pool to size, lock or exhaust, and stays re-entrant. The size is a
 * compile-time constant so static storage works; rtcweb_srtp_context_size() lets start-up code
 * assert that this header matches the linked library. Static (zero-filled) storage, or a context
 * after rtcweb_srtp_clear(), is "not initialized": every call but init returns RTCWEB_ERR_STATE
 * instead of using garbage keys. Stack-allocated contexts must be initialized before any other
 * call. The context owns no other resources: there is nothing to free, but call
 * rtcweb_srtp_clear() to wipe the keys when a call ends. A context must not be copied with
 * memcpy or used from two threads at once.
 *
 * Stack painted on x86-64 (each call run on its own 0xA5-painted ucontext stack, high-water mark,
 * AES_CM_128_HMAC_SHA1_80, 1212-byte packet): rtcweb_srtp_init about 4.0 KiB (was 8.8 KiB when
 * the context was built on the stack and moved into ctx; now a constant unkeyed context is
 * written to ctx and keyed in place), protect/unprotect about 3.8 KiB.
 */
#ifdef RTCWEB_FIRMWARE_GCM
/* A library built with the `gcm` feature (AEAD_AES_128/256_GCM): larger key schedules. */
#define RTCWEB_SRTP_CONTEXT_SIZE  2560
#else
#define RTCWEB_SRTP_CONTEXT_SIZE  2048
#endif
#define RTCWEB_SRTP_CONTEXT_ALIGN 16
#ifdef __cplusplus
#define RTCWEB_ALIGNAS(n) alignas(n)
#else
#define RTCWEB_ALIGNAS(n) _Alignas(n)
#endif
typedef struct rtcweb_srtp {
    RTCWEB_ALIGNAS(RTCWEB_SRTP_CONTEXT_ALIGN) uint8_t opaque[RTCWEB_SRTP_CONTEXT_SIZE];
} rtcweb_srtp_t;

/* Profiles: the DTLS-SRTP protection profile numbers (RFC 5764 section 4.1.2, RFC 7714). */
#define RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80 1 /* key_salt 30 bytes, RTP tag 10 */
#define RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_32 2 /* key_salt 30 bytes, RTP tag 4 */
#define RTCWEB_SRTP_AEAD_AES_128_GCM        7 /* key_salt 28 bytes, tag 16; needs the gcm feature */

/* Room to leave after a packet: the largest RTP and RTCP overheads of the profiles above. */
#define RTCWEB_SRTP_MAX_RTP_OVERHEAD  16
#define RTCWEB_SRTP_MAX_RTCP_OVERHEAD 20

/* Bytes and alignment a context needs in this library build (<= the two constants above). */
size_t rtcweb_srtp_context_size(void);
size_t rtcweb_srtp_context_align(void);

/*
 * Keys ctx for profile with key_salt[0..len): the 16-byte master key followed by the master salt
 * (14 bytes for AES-CM, 12 for GCM), as SDES "inline:" (RFC 4568) decodes to or as exported by
 * DTLS-SRTP. ROC 0, 64-packet replay window, key derivation rate 0. Overwrites whatever ctx held.
 * Returns 0, or RTCWEB_ERR_NULL / _STATE (misaligned) / _UNSUPPORTED (profile) / _ARGUMENT
 * (length), leaving ctx as it was.
 */
int32_t rtcweb_srtp_init(rtcweb_srtp_t *ctx, const uint8_t *key_salt, size_t len, int32_t profile);

/*
 * Protects the RTP packet buf[0..len) in place: encrypts the payload and appends the tag.
 * cap is the buffer's size; it must be at least len + the profile's tag (10, 4 or 16).
 * Returns the SRTP length, or RTCWEB_ERR_BUFFER_TOO_SMALL, _MALFORMED (not RTP version 2),
 * _REPLAY (sequence number already sent), _KEY_LIFETIME, _STATE. buf is unchanged on error.
 */
ssize_t rtcweb_srtp_protect(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len, size_t cap);

/*
 * Verifies (in constant time) and decrypts the SRTP packet buf[0..len) in place. Returns the RTP
 * length (tag stripped), or RTCWEB_ERR_AUTH (altered / wrong key), _REPLAY (replayed or older
 * than the 64-packet window), _MALFORMED, _KEY_LIFETIME, _STATE. buf is unchanged on error.
 */
ssize_t rtcweb_srtp_unprotect(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len);

/* The same for RTCP compound packets: the SRTCP index (4 bytes) and tag (10, 16 for GCM) are
 * appended, so cap must be at least len + 14 (+ 20 for GCM). */
ssize_t rtcweb_srtp_protect_rtcp(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len, size_t cap);
ssize_t rtcweb_srtp_unprotect_rtcp(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len);

/* Zeroizes the keys and zero-fills ctx; it is then "not initialized". NULL is ignored. */
void rtcweb_srtp_clear(rtcweb_srtp_t *ctx);

/* ------------------------------------------------------------------------------------------ */
/* SIP registration (RFC 3261 sections 10 and 22)                                               */
/*
 * The phone keeps one rtcweb_sip_register_t per registration. All strings are NUL-terminated
 * UTF-8 and are only read during the call. Each is checked (no control characters, URIs must be
 * sip:/sips:, branch must start with "z9hG4bK", Call-ID/tag/branch must be single words) and the
 * written message is parsed back, so bad input gives RTCWEB_ERR_ARGUMENT instead of a malformed
 * or injected request. For each REGISTER: new branch, cseq + 1; same call_id and from_tag for the
 * whole registration (RFC 3261 section 10.2). Draw branch, tag, Call-ID and cnonce from a
 * random source.
 *
 * Parsing uses a header index of RTCWEB_SIP_MAX_HEADERS entries on the stack (about 64 bytes
 * each, 2 KiB on 64-bit targets). Stack painted on x86-64: rtcweb_sip_register about 3.6 KiB,
 * rtcweb_sip_register_with_auth about 4.7 KiB.
 */
#define RTCWEB_SIP_MAX_HEADERS   32
#define RTCWEB_SIP_EXPIRES_NONE  UINT32_MAX /* out_expires when the message gives no lifetime */

typedef struct rtcweb_sip_register {
    const char *registrar;  /* Request-URI, e.g. "sip:example.com"; NULL: the AOR's scheme and
                               host (the AOR without user part) */
    const char *aor;        /* address of record for From/To, e.g. "sip:1001@example.com" */
    const char *contact;    /* the binding, e.g. "sip:1001@192.0.2.10:5060" */
    const char *via;        /* sent-protocol and sent-by, e.g. "SIP/2.0/UDP 192.0.2.10:5060" */
    const char *branch;     /* Via branch, "z9hG4bK" + random, new for each request */
    const char *from_tag;   /* From tag, random, fixed for the registration */
    const char *call_id;    /* Call-ID, random, fixed for the registration */
    const char *user_agent; /* User-Agent text, or NULL for none */
    uint32_t cseq;          /* CSeq number (< 2^31), one more for each REGISTER */
    uint32_t expires;       /* requested lifetime in seconds; 0 unregisters */
} rtcweb_sip_register_t;

/*
 * Writes into buf[0..cap):
 *   REGISTER <registrar> SIP/2.0, Via (branch, rport), Max-Forwards: 70, From (tag), To,
 *   Call-ID, CSeq, Contact, Expires, [User-Agent], Content-Length: 0.
 * Returns the message length or RTCWEB_ERR_NULL / _ARGUMENT / _BUFFER_TOO_SMALL. Not
 * NUL-terminated.
 */
ssize_t rtcweb_sip_register(uint8_t *buf, size_t cap, const rtcweb_sip_register_t *reg);

/*
 * The REGISTER again, answering the 401 (WWW-Authenticate -> Authorization) or 407
 * (Proxy-Authenticate -> Proxy-Authorization) response challenge[0..challenge_len) to the
 * previous one. The first Digest challenge with a supported algorithm (MD5, MD5-sess, SHA-256,
 * SHA-256-sess) is answered, with qop=auth when offered (else auth-int, else none), nc as 8 hex
 * digits and the opaque echoed. Pass reg with cseq one more and a new branch; nc counts requests
 * with the same nonce (1 for a new nonce); cnonce is a random word.
 * Returns the message length or RTCWEB_ERR_NULL / _ARGUMENT / _BUFFER_TOO_SMALL, _MALFORMED
 * (challenge does not parse), _NO_CHALLENGE (not 401/407, or no Digest challenge),
 * _UNSUPPORTED (only unsupported algorithms/qops), _TRANSACTION (other Call-ID or CSeq method).
 */
ssize_t rtcweb_sip_register_with_auth(uint8_t *buf, size_t cap, const rtcweb_sip_register_t *reg,
                                      const uint8_t *challenge, size_t challenge_len,
                                      const char *username, const uint8_t *password,
                                      size_t password_len, const char *cnonce, uint32_t nc);

/*
 * Reads the SIP message msg[0..len) of a registration (a response, or a REGISTER request, whose
 * status is 0). The CSeq method must be REGISTER and, when call_id is not NULL, the Call-ID equal
 * to it (else RTCWEB_ERR_TRANSACTION). Writes the status to *out_status and, when not NULL, the
 * CSeq number to *out_cseq and the binding lifetime in seconds to *out_expires:
 *   2xx:      the expires parameter of the Contact whose URI is contact (any Contact when contact
 *             is NULL), else the Expires header; 0 when contact is given but not listed (the
 *             registrar holds no such binding);
 *   423:      Min-Expires, the least the registrar accepts: retry with at least that;
 *   request:  its Contact expires, else its Expires header;
 *   other:    the Expires header;
 * or RTCWEB_SIP_EXPIRES_NONE. Returns 0, or RTCWEB_ERR_NULL / _MALFORMED / _TRANSACTION and
 * writes nothing.
 */
int32_t rtcweb_sip_parse_response(const uint8_t *msg, size_t len, const char *call_id,
                                  const char *contact, uint16_t *out_status, uint32_t *out_cseq,
                                  uint32_t *out_expires);

#ifdef __cplusplus
}
#endif

#endif /* RTCWEB_FIRMWARE_H */
