/*
 * startup.S: the bare-metal part of the Cortex-M image (QEMU mps2-an386 / lm3s6965evb): vector
 * table, reset (FPU on for the hard-float build, then C), and three leaf routines that use no
 * stack themselves, so they can paint, scan and time the stack of the call they surround.
 */
    .syntax unified
    .thumb

    .equ STACK_PATTERN, 0xA5A5A5A5

/* The ARMv7-M exception vectors: initial SP, reset, then the system exceptions. No interrupt is
 * enabled (SysTick runs without one), so every other vector is a fault that ends the run. */
    .section .vectors, "a", %progbits
    .align 2
    .global __vectors
__vectors:
    .word __stack_top
    .word Reset_Handler
    .word arm_fault_entry      /* NMI */
    .word arm_fault_entry      /* HardFault */
    .word arm_fault_entry      /* MemManage */
    .word arm_fault_entry      /* BusFault */
    .word arm_fault_entry      /* UsageFault (NOCP: an FP instruction with CPACR off) */
    .word 0, 0, 0, 0
    .word arm_fault_entry      /* SVCall */
    .word arm_fault_entry      /* DebugMonitor */
    .word 0
    .word arm_fault_entry      /* PendSV */
    .word arm_fault_entry      /* SysTick */

    .section .text.Reset_Handler, "ax", %progbits
    .global Reset_Handler
    .type Reset_Handler, %function
    .thumb_func
Reset_Handler:
#if defined(__ARM_FP)
    /* CPACR: full access to CP10 and CP11 (the FPU) before any C code may use s0-s31. */
    ldr r0, =0xE000ED88
    ldr r1, [r0]
    orr r1, r1, #(0xF << 20)
    str r1, [r0]
    dsb
    isb
#endif
    ldr r0, =__stack_top
    mov sp, r0
    bl arm_start
    b .
    .size Reset_Handler, . - Reset_Handler

    .section .text.arm_fault_entry, "ax", %progbits
    .global arm_fault_entry
    .type arm_fault_entry, %function
    .thumb_func
arm_fault_entry:
    mrs r0, msp                /* the stacked frame, for the faulting PC */
    b arm_fault
    .size arm_fault_entry, . - arm_fault_entry

/* uint32_t *arm_stack_paint(void): fills [__stack_limit, sp) with STACK_PATTERN and returns sp.
 * A leaf that pushes nothing, so sp is the caller's sp at the call. */
    .section .text.arm_stack_paint, "ax", %progbits
    .global arm_stack_paint
    .type arm_stack_paint, %function
    .thumb_func
arm_stack_paint:
    ldr r0, =__stack_limit
    ldr r2, =STACK_PATTERN
    mov r1, sp
1:  cmp r0, r1
    bhs 2f
    str r2, [r0], #4
    b 1b
2:  mov r0, sp
    bx lr
    .size arm_stack_paint, . - arm_stack_paint

/* uint32_t *arm_stack_scan(void): the lowest word of [__stack_limit, sp) that no longer holds
 * STACK_PATTERN (sp when all of it does): the deepest point the stack reached since the paint. */
    .section .text.arm_stack_scan, "ax", %progbits
    .global arm_stack_scan
    .type arm_stack_scan, %function
    .thumb_func
arm_stack_scan:
    ldr r0, =__stack_limit
    ldr r2, =STACK_PATTERN
    mov r1, sp
1:  cmp r0, r1
    bhs 2f
    ldr r3, [r0]
    cmp r3, r2
    bne 3f
    adds r0, r0, #4
    b 1b
2:  mov r0, sp
3:  bx lr
    .size arm_stack_scan, . - arm_stack_scan

/* void arm_count_loop(uint32_t n), n > 0: exactly 2n + 1 instructions (subs/bne n times, bx),
 * the known work that calibrates the SysTick-based instruction count. */
    .section .text.arm_count_loop, "ax", %progbits
    .global arm_count_loop
    .type arm_count_loop, %function
    .thumb_func
arm_count_loop:
1:  subs r0, r0, #1
    bne 1b
    bx lr
    .size arm_count_loop, . - arm_count_loop
