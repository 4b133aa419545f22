/*
 * The "hypervisor" of workloads/switch_timer: one routine, its text the
 * whole hypervisor range the switch timer is given. switch_routine(spins,
 * smi) stands for a context switch: with smi set it first raises an SMI
 * through the APM port (as Scotch's Xen does at context_switch()) and
 * waits for the handler's flag (O3 takes the SMI a few instructions
 * after the OUT), then spins; its RET returns to the "guest", its
 * caller.
 */
    .text
    .code32
    .globl switch_routine, switch_routine_end
switch_routine:
    movl 4(%esp), %ecx              /* spins, >= 1 */
    cmpl $0, 8(%esp)
    je 2f
    movl $0, bench_flag
    movb $0x5c, %al                 /* Scotch's context-switch command */
    outb %al, $0xb2
1:  cmpl $0, bench_flag
    je 1b
2:  decl %ecx
    jnz 2b
    ret
switch_routine_end:
    .section .note.GNU-stack, "", @progbits
