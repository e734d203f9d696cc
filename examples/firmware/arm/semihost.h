/*
 * semihost.h: the three Arm semihosting calls the Cortex-M images use directly (QEMU
 * -semihosting-config enable=on): write a string, and end the run with an exit code. Everything
 * else (stdio, fopen of the host's files) goes through newlib's librdimon.
 */
#ifndef RTCWEB_ARM_SEMIHOST_H
#define RTCWEB_ARM_SEMIHOST_H

#include <stdint.h>

static inline int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* SYS_EXIT_EXTENDED, reason ADP_Stopped_ApplicationExit: QEMU exits with `code`. */
static inline void __attribute__((noreturn)) semihost_exit(int code) {
    const uint32_t block[2] = {0x20026u, (uint32_t)code};
    semihost(0x20, block);
    for (;;) {
    }
}

/* SYS_WRITE0: a NUL-terminated string to the host's stderr/console. */
static inline void semihost_write0(const char *s) { semihost(0x04, s); }

static inline void semihost_write_hex(uint32_t v) {
    char s[11] = "0x";
    for (int i = 0; i < 8; i++) s[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
    s[10] = 0;
    semihost_write0(s);
}

/* The fault report both images give: exception number, faulting PC, fault status; exit 2. */
static inline void __attribute__((noreturn)) semihost_fault(const uint32_t *frame) {
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    semihost_write0("arm: fault, exception ");
    semihost_write_hex(ipsr & 0x1ff);
    semihost_write0(" pc ");
    semihost_write_hex(frame[6]);
    semihost_write0(" CFSR ");
    semihost_write_hex(*(volatile uint32_t *)0xE000ED28u);
    semihost_write0(" HFSR ");
    semihost_write_hex(*(volatile uint32_t *)0xE000ED2Cu);
    semihost_write0("\n");
    semihost_exit(2);
}

#endif
