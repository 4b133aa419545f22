/*
 * A minimal SMM handler: set a flag, RSM. What an SMI round trip costs.
 * The flag lets the timing loop wait for the SMI, which gem5's O3 CPU
 * takes a few instructions after the OUT (see smm_mailbox.h).
 */
    .text
    .code16
    .globl empty_handler_start, empty_handler_end, bench_flag
empty_handler_start:
    movl $bench_flag, %ebx          /* DS base is 0 in SMM */
    movl $1, (%ebx)
    rsm
empty_handler_end:
    .code32

    .bss
    .align 4
bench_flag:
    .long 0
