/*
 * runtime.c: what runs c/demo.c on a bare Cortex-M under QEMU, and measures the library there.
 *
 *  - arm_start (from Reset_Handler): .data copied, .bss zeroed, the stack painted, newlib's
 *    semihosting handles opened (stdout, stderr and fopen of c/data/... are the host's), SysTick
 *    started, main() of c/demo.c called, the report printed, and the exit code handed
 *    to QEMU (semihosting SYS_EXIT_EXTENDED): main's, or 3 when a measurement is over budget.
 *  - Every rtcweb_* call the demo makes goes through a __wrap_ function (ld --wrap): it paints
 *    the free stack, calls the library, and scans for the deepest word written (the entry
 *    point's stack high-water mark), and counts SysTick ticks around the call.
 *  - QEMU is not cycle-accurate. Run with -icount shift=0, its virtual clock (and so SysTick)
 *    advances by a fixed amount per guest instruction; a loop of known length converts ticks to
 *    instructions. DWT CYCCNT is probed and reported as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtcweb_firmware.h"
#include "semihost.h"

/* Per-call stack budget (the target); over it, the run fails. */
#define STACK_BUDGET 8192u

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __stack_top[], __stack_limit[];
extern char end[];

int main(int argc, char **argv);
void initialise_monitor_handles(void); /* newlib's librdimon */
void *_sbrk(ptrdiff_t incr);
uint32_t *arm_stack_paint(void);
uint32_t *arm_stack_scan(void);
void arm_count_loop(uint32_t n);
void arm_start(void) __attribute__((noreturn));
void arm_fault(const uint32_t *frame) __attribute__((noreturn));

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)

/* Any exception: say which and where, then stop with exit code 2 (rather than hang until the
 * timeout). No stdio here: the fault may have hit inside it. */
void arm_fault(const uint32_t *frame) { semihost_fault(frame); }

/* ---- measurement -------------------------------------------------------------------------- */

static inline uint32_t systick(void) { return SYST_CVR; }
static inline uint32_t ticks(uint32_t from, uint32_t to) { return (from - to) & 0xFFFFFFu; }

enum {
    E_STUN_REQUEST,
    E_STUN_SUCCESS,
    E_STUN_PARSE,
    E_SRTP_CONTEXT_SIZE,
    E_SRTP_CONTEXT_ALIGN,
    E_SRTP_INIT,
    E_SRTP_PROTECT,
    E_SRTP_UNPROTECT,
    E_SRTP_PROTECT_RTCP,
    E_SRTP_UNPROTECT_RTCP,
    E_SRTP_CLEAR,
    E_SIP_REGISTER,
    E_SIP_REGISTER_AUTH,
    E_SIP_PARSE,
    E_COUNT
};
static const char *const entry_name[E_COUNT] = {
    "rtcweb_stun_binding_request",   "rtcweb_stun_binding_success",
    "rtcweb_stun_parse_binding_response", "rtcweb_srtp_context_size",
    "rtcweb_srtp_context_align",     "rtcweb_srtp_init",
    "rtcweb_srtp_protect",           "rtcweb_srtp_unprotect",
    "rtcweb_srtp_protect_rtcp",      "rtcweb_srtp_unprotect_rtcp",
    "rtcweb_srtp_clear",             "rtcweb_sip_register",
    "rtcweb_sip_register_with_auth", "rtcweb_sip_parse_response",
};
static struct {
    uint32_t calls, stack, ticks;
} stats[E_COUNT];
static uintptr_t deepest;     /* lowest stack address written by anything so far */
static int stack_overflowed;  /* a scan found the bottom word of the painted area written */

/* Folds in how deep the stack went since the last paint (main, printf, ...). */
static void note_deepest(void) {
    uintptr_t lo = (uintptr_t)arm_stack_scan();
    if (lo < deepest) deepest = lo;
}

static void record(int id, uint32_t *sp, uint32_t *lo, uint32_t t0, uint32_t t1) {
    uint32_t used = (uint32_t)((uintptr_t)sp - (uintptr_t)lo);
    if (lo == __stack_limit) stack_overflowed = 1;
    if ((uintptr_t)lo < deepest) deepest = (uintptr_t)lo;
    stats[id].calls++;
    if (used > stats[id].stack) stats[id].stack = used;
    if (ticks(t0, t1) > stats[id].ticks) stats[id].ticks = ticks(t0, t1);
}

/* Paint, call, scan, all in the wrapper's own frame: the paint and scan routines push nothing,
 * so everything below the wrapper's sp that is written was written by the library call. */
#define MEASURED(id, result, call)                                                             \
    do {                                                                                       \
        note_deepest();                                                                        \
        uint32_t *sp_ = arm_stack_paint();                                                     \
        uint32_t t0_ = systick();                                                              \
        result = call;                                                                         \
        uint32_t t1_ = systick();                                                              \
        uint32_t *lo_ = arm_stack_scan();                                                      \
        record(id, sp_, lo_, t0_, t1_);                                                        \
    } while (0)

ssize_t __real_rtcweb_stun_binding_request(uint8_t *, size_t, const uint8_t *, const uint8_t *,
                                           size_t, const uint8_t *, size_t);
ssize_t __wrap_rtcweb_stun_binding_request(uint8_t *buf, size_t cap, const uint8_t *tid,
                                           const uint8_t *username, size_t username_len,
                                           const uint8_t *password, size_t password_len) {
    ssize_t r;
    MEASURED(E_STUN_REQUEST, r,
             __real_rtcweb_stun_binding_request(buf, cap, tid, username, username_len, password,
                                                password_len));
    return r;
}

ssize_t __real_rtcweb_stun_binding_success(uint8_t *, size_t, const uint8_t *, const uint8_t *,
                                           uint8_t, uint16_t, const uint8_t *, size_t);
ssize_t __wrap_rtcweb_stun_binding_success(uint8_t *buf, size_t cap, const uint8_t *tid,
                                           const uint8_t *ip, uint8_t family, uint16_t port,
                                           const uint8_t *password, size_t password_len) {
    ssize_t r;
    MEASURED(E_STUN_SUCCESS, r,
             __real_rtcweb_stun_binding_success(buf, cap, tid, ip, family, port, password,
                                                password_len));
    return r;
}

int32_t __real_rtcweb_stun_parse_binding_response(const uint8_t *, size_t, const uint8_t *,
                                                  size_t, const uint8_t *, uint8_t *, uint8_t *,
                                                  uint16_t *);
int32_t __wrap_rtcweb_stun_parse_binding_response(const uint8_t *msg, size_t len,
                                                  const uint8_t *password, size_t password_len,
                                                  const uint8_t *tid, uint8_t *out_ip,
                                                  uint8_t *out_family, uint16_t *out_port) {
    int32_t r;
    MEASURED(E_STUN_PARSE, r,
             __real_rtcweb_stun_parse_binding_response(msg, len, password, password_len, tid,
                                                       out_ip, out_family, out_port));
    return r;
}

size_t __real_rtcweb_srtp_context_size(void);
size_t __wrap_rtcweb_srtp_context_size(void) {
    size_t r;
    MEASURED(E_SRTP_CONTEXT_SIZE, r, __real_rtcweb_srtp_context_size());
    return r;
}

size_t __real_rtcweb_srtp_context_align(void);
size_t __wrap_rtcweb_srtp_context_align(void) {
    size_t r;
    MEASURED(E_SRTP_CONTEXT_ALIGN, r, __real_rtcweb_srtp_context_align());
    return r;
}

int32_t __real_rtcweb_srtp_init(rtcweb_srtp_t *, const uint8_t *, size_t, int32_t);
int32_t __wrap_rtcweb_srtp_init(rtcweb_srtp_t *ctx, const uint8_t *key_salt, size_t len,
                                int32_t profile) {
    int32_t r;
    MEASURED(E_SRTP_INIT, r, __real_rtcweb_srtp_init(ctx, key_salt, len, profile));
    return r;
}

ssize_t __real_rtcweb_srtp_protect(rtcweb_srtp_t *, uint8_t *, size_t, size_t);
ssize_t __wrap_rtcweb_srtp_protect(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len, size_t cap) {
    ssize_t r;
    MEASURED(E_SRTP_PROTECT, r, __real_rtcweb_srtp_protect(ctx, buf, len, cap));
    return r;
}

ssize_t __real_rtcweb_srtp_unprotect(rtcweb_srtp_t *, uint8_t *, size_t);
ssize_t __wrap_rtcweb_srtp_unprotect(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len) {
    ssize_t r;
    MEASURED(E_SRTP_UNPROTECT, r, __real_rtcweb_srtp_unprotect(ctx, buf, len));
    return r;
}

ssize_t __real_rtcweb_srtp_protect_rtcp(rtcweb_srtp_t *, uint8_t *, size_t, size_t);
ssize_t __wrap_rtcweb_srtp_protect_rtcp(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len,
                                        size_t cap) {
    ssize_t r;
    MEASURED(E_SRTP_PROTECT_RTCP, r, __real_rtcweb_srtp_protect_rtcp(ctx, buf, len, cap));
    return r;
}

ssize_t __real_rtcweb_srtp_unprotect_rtcp(rtcweb_srtp_t *, uint8_t *, size_t);
ssize_t __wrap_rtcweb_srtp_unprotect_rtcp(rtcweb_srtp_t *ctx, uint8_t *buf, size_t len) {
    ssize_t r;
    MEASURED(E_SRTP_UNPROTECT_RTCP, r, __real_rtcweb_srtp_unprotect_rtcp(ctx, buf, len));
    return r;
}

void __real_rtcweb_srtp_clear(rtcweb_srtp_t *);
void __wrap_rtcweb_srtp_clear(rtcweb_srtp_t *ctx) {
    int none;
    MEASURED(E_SRTP_CLEAR, none, (__real_rtcweb_srtp_clear(ctx), 0));
    (void)none;
}

ssize_t __real_rtcweb_sip_register(uint8_t *, size_t, const rtcweb_sip_register_t *);
ssize_t __wrap_rtcweb_sip_register(uint8_t *buf, size_t cap, const rtcweb_sip_register_t *reg) {
    ssize_t r;
    MEASURED(E_SIP_REGISTER, r, __real_rtcweb_sip_register(buf, cap, reg));
    return r;
}

ssize_t __real_rtcweb_sip_register_with_auth(uint8_t *, size_t, const rtcweb_sip_register_t *,
                                             const uint8_t *, size_t, const char *,
                                             const uint8_t *, size_t, const char *, uint32_t);
ssize_t __wrap_rtcweb_sip_register_with_auth(uint8_t *buf, size_t cap,
                                             const rtcweb_sip_register_t *reg,
                                             const uint8_t *challenge, size_t challenge_len,
                                             const char *username, const uint8_t *password,
                                             size_t password_len, const char *cnonce,
                                             uint32_t nc) {
    ssize_t r;
    MEASURED(E_SIP_REGISTER_AUTH, r,
             __real_rtcweb_sip_register_with_auth(buf, cap, reg, challenge, challenge_len,
                                                  username, password, password_len, cnonce, nc));
    return r;
}

int32_t __real_rtcweb_sip_parse_response(const uint8_t *, size_t, const char *, const char *,
                                         uint16_t *, uint32_t *, uint32_t *);
int32_t __wrap_rtcweb_sip_parse_response(const uint8_t *msg, size_t len, const char *call_id,
                                         const char *contact, uint16_t *out_status,
                                         uint32_t *out_cseq, uint32_t *out_expires) {
    int32_t r;
    MEASURED(E_SIP_PARSE, r,
             __real_rtcweb_sip_parse_response(msg, len, call_id, contact, out_status, out_cseq,
                                              out_expires));
    return r;
}

/* ---- instruction counting ----------------------------------------------------------------- */

/* Guest instructions per SysTick tick, from two runs of a loop of known length (their
 * difference cancels the cost of reading SysTick); 0 when SysTick does not advance. */
static float instructions_per_tick(void) {
    const uint32_t n = 500000;
    uint32_t t0 = systick();
    arm_count_loop(n);
    uint32_t t1 = systick();
    arm_count_loop(2 * n);
    uint32_t t2 = systick();
    uint32_t one = ticks(t0, t1), two = ticks(t1, t2);
    if (two <= one) return 0.0f;
    return (float)(2 * n) / (float)(two - one); /* 2n more instructions in the second run */
}

/* CYCCNT after enabling it (DEMCR.TRCENA, DWT_CTRL.CYCCNTENA) around a loop of 2001
 * instructions: 0 means the counter is not modelled. */
static uint32_t dwt_cycles_of_loop(void) {
    DEMCR |= 1u << 24;
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
    uint32_t c0 = DWT_CYCCNT;
    arm_count_loop(1000);
    return DWT_CYCCNT - c0;
}

static unsigned rounded(float x) { return (unsigned)(x + 0.5f); }

/* Protect (and unprotect) of 172-byte RTP packets, AES_CM_128_HMAC_SHA1_80, one after the
 * other with rising sequence numbers, straight into the library (no wrapper): instructions per
 * packet. Returns 0 when every packet came out right. */
static int srtp_throughput(float per_tick) {
    enum { PACKETS = 64, RTP_LEN = 172 };
    static const uint8_t key[30] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
                                    0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e};
    rtcweb_srtp_t tx, rx;
    uint8_t pkt[RTP_LEN + RTCWEB_SRTP_MAX_RTP_OVERHEAD];
    uint32_t protect_ticks = 0, unprotect_ticks = 0;
    int bad = 0;
    if (__real_rtcweb_srtp_init(&tx, key, sizeof key, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) != 0 ||
        __real_rtcweb_srtp_init(&rx, key, sizeof key, RTCWEB_SRTP_AES_CM_128_HMAC_SHA1_80) != 0)
        return 1;
    for (int i = 0; i < PACKETS; i++) {
        memset(pkt, 0x5a, sizeof pkt);
        pkt[0] = 0x80;
        pkt[1] = 0x00; /* PCMU: 12-byte header + 160 bytes of 20 ms audio */
        pkt[2] = (uint8_t)((1000 + i) >> 8);
        pkt[3] = (uint8_t)(1000 + i);
        memcpy(pkt + 8, "\xca\xfe\xba\xbe", 4);
        uint32_t t0 = systick();
        ssize_t n = __real_rtcweb_srtp_protect(&tx, pkt, RTP_LEN, sizeof pkt);
        uint32_t t1 = systick();
        ssize_t m = n > 0 ? __real_rtcweb_srtp_unprotect(&rx, pkt, (size_t)n) : -1;
        uint32_t t2 = systick();
        protect_ticks += ticks(t0, t1);
        unprotect_ticks += ticks(t1, t2);
        if (n != RTP_LEN + 10 || m != RTP_LEN || pkt[20] != 0x5a) bad = 1;
    }
    __real_rtcweb_srtp_clear(&tx);
    __real_rtcweb_srtp_clear(&rx);
    if (bad) {
        printf("arm: SRTP throughput run: wrong result\n");
        return 1;
    }
    if (per_tick > 0.0f) {
        printf("arm: SRTP AES_CM_128_HMAC_SHA1_80, 172-byte RTP, mean of %d: protect %u "
               "instructions, unprotect %u instructions\n",
               PACKETS, rounded((float)protect_ticks * per_tick / PACKETS),
               rounded((float)unprotect_ticks * per_tick / PACKETS));
    }
    return 0;
}

/* ---- start and report --------------------------------------------------------------------- */

static int report(void) {
    int over = 0;
    float per_tick = instructions_per_tick();
    uint32_t top = (uint32_t)(uintptr_t)__stack_top;

    printf("arm: stack high-water mark per entry point (painted stack, bytes; budget %u), and "
           "the heaviest call's instruction count:\n",
           STACK_BUDGET);
    for (int i = 0; i < E_COUNT; i++) {
        if (stats[i].calls == 0) {
            printf("arm:   %-36s not called\n", entry_name[i]);
            continue;
        }
        if (stats[i].stack > STACK_BUDGET) over = 1;
        printf("arm:   %-36s %5lu B  %3lu calls", entry_name[i], (unsigned long)stats[i].stack,
               (unsigned long)stats[i].calls);
        if (per_tick > 0.0f)
            printf("  max %7u instructions", rounded((float)stats[i].ticks * per_tick));
        printf("%s\n", stats[i].stack > STACK_BUDGET ? "  OVER BUDGET" : "");
    }
    printf("arm: whole demo (main, newlib stdio, library): stack %lu B; heap (newlib stdio "
           "buffers only) %lu B\n",
           (unsigned long)(top - deepest), (unsigned long)((char *)_sbrk(0) - end));
    if (stack_overflowed) {
        printf("arm: the stack reached the bottom of the painted %lu bytes\n",
               (unsigned long)(top - (uint32_t)(uintptr_t)__stack_limit));
        over = 1;
    }

    uint32_t dwt = dwt_cycles_of_loop();
    if (dwt == 0)
        printf("arm: DWT CYCCNT: not modelled by QEMU (still 0 after enabling it and running "
               "2001 instructions): no cycle counts\n");
    else
        printf("arm: DWT CYCCNT: %lu for a loop of 2001 instructions\n", (unsigned long)dwt);
    if (per_tick > 0.0f)
        printf("arm: instructions counted with QEMU -icount shift=0 through SysTick "
               "(%u.%02u instructions per tick, calibrated on a loop of known length)\n",
               (unsigned)per_tick, (unsigned)((per_tick - (float)(unsigned)per_tick) * 100.0f));
    else
        printf("arm: SysTick does not advance: no instruction counts\n");
    if (srtp_throughput(per_tick) != 0) over = 1;
    return over;
}

void arm_start(void) {
    for (uint32_t *d = __data_start__, *s = __data_load__; d < __data_end__;) *d++ = *s++;
    for (uint32_t *d = __bss_start__; d < __bss_end__;) *d++ = 0;
    deepest = (uintptr_t)arm_stack_paint();
    initialise_monitor_handles();
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* processor clock, enabled, no interrupt */

    static char arg0[] = "demo";
    char *argv[] = {arg0, NULL}; /* data from c/data, relative to QEMU's working directory */
    int rc = main(1, argv);
    note_deepest();

    int over = report();
    if (rc == 0 && over) {
        fprintf(stderr, "arm: a measurement is over budget\n");
        rc = 3;
    }
    fflush(stdout);
    fflush(stderr);
    semihost_exit(rc);
}
