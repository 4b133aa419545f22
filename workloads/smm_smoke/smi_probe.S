/*
 * void smi_probe(struct smi_probe *p, uint32_t cmd)
 *
 * Loads known values into every general-purpose register, writes cmd to
 * the APM port (raising an SMI), and records the registers afterwards, so
 * the caller can compare them with what the handler found in the
 * state-save area (SMM entry) and with what it loaded (RSM).
 */
#define P_BEFORE 0
#define P_AFTER 32
#define P_RIP 64
#define P_RIP_END 68
#define MB_SEEN 24

    .text
    .code32
    .globl smi_probe
smi_probe:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax             /* p */
    movzbl 24(%esp), %ecx           /* cmd */
    orl $0x5c07c400, %ecx
    movl %ecx, P_BEFORE+0(%eax)     /* eax */
    movl $0xb0b1b2b3, P_BEFORE+4(%eax)
    movl $0xc0c1c2c3, P_BEFORE+8(%eax)
    movl $0xd0d1d2d3, P_BEFORE+12(%eax)
    movl $0x51525354, P_BEFORE+16(%eax)
    movl $0xd4d5d6d7, P_BEFORE+20(%eax)
    movl $0xe0e1e2e3, P_BEFORE+24(%eax)
    movl $2f, P_RIP(%eax)
    movl $3f, P_RIP_END(%eax)
    movl $0, smm_mailbox+MB_SEEN
    pushl %eax
    movl %esp, P_BEFORE+28(%eax)    /* esp while the SMI is taken */
    movl P_BEFORE+4(%eax), %ebx
    movl P_BEFORE+8(%eax), %ecx
    movl P_BEFORE+12(%eax), %edx
    movl P_BEFORE+16(%eax), %esi
    movl P_BEFORE+20(%eax), %edi
    movl P_BEFORE+24(%eax), %ebp
    movl P_BEFORE+0(%eax), %eax
    outb %al, $0xb2
2:  cmpl $0, smm_mailbox+MB_SEEN     /* wait for the SMI (see */
    je 2b                           /* smm_mailbox.h): flags only */
3:
    xchgl %eax, (%esp)              /* eax = p, stack keeps eax after */
    movl %esp, P_AFTER+28(%eax)
    movl %ebx, P_AFTER+4(%eax)
    movl %ecx, P_AFTER+8(%eax)
    movl %edx, P_AFTER+12(%eax)
    movl %esi, P_AFTER+16(%eax)
    movl %edi, P_AFTER+20(%eax)
    movl %ebp, P_AFTER+24(%eax)
    popl %ecx
    movl %ecx, P_AFTER+0(%eax)
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
