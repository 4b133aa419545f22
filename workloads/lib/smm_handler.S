/*
 * The test SMM handler, copied to SMBASE + 0x8000. It runs in SMM's
 * real-mode-like environment (16-bit code, CS.base = SMBASE, flat 4 GiB
 * data segments). At every SMI it counts, notes nesting, copies the
 * state-save area to the mailbox, runs the command in the saved AL (see
 * smm_mailbox.h; none while the mailbox's no_cmds is set) and returns
 * with RSM. It clobbers EAX, EBX, ECX, EDX and ESI: RSM must restore
 * them.
 */
#include "scotch/smm_save_map.h"
#include "smm_mailbox.h"

    .text
    .code16
    .globl smm_handler_start, smm_handler_end
smm_handler_start:
#ifdef PLATFORM_GEM5
    /*
     * As firmware would: on the first SMI, cover SMRAM (64 KiB at the
     * default SMBASE 0x30000, write-back) with the SMRR pair. From then
     * on it is hidden outside SMM and the SMRRs cannot change.
     */
    movl $0x1f3, %ecx               /* IA32_SMRR_PHYSMASK */
    rdmsr
    testl $0x800, %eax              /* valid? */
    jnz 2f
    movl $0x1f2, %ecx               /* IA32_SMRR_PHYSBASE */
    movl $(0x30000 | 6), %eax
    xorl %edx, %edx
    wrmsr
    movl $0x1f3, %ecx
    movl $(0xffff0000 | 0x800), %eax
    wrmsr
2:
#endif
    movl $smm_mailbox, %ebx
    incl MB_COUNT(%ebx)
    movl $1, MB_SEEN(%ebx)
    cmpl $0, MB_DEPTH(%ebx)
    je 1f
    incl MB_NESTED(%ebx)
1:  movl $1, MB_DEPTH(%ebx)
    movw %cs, %ax
    movzwl %ax, %eax
    movl %eax, MB_SMM_CS(%ebx)
    xorl %esi, %esi
1:  movl %cs:SMM_SAVE_BASE(%si), %eax
    movl %eax, MB_SAVE(%ebx,%esi)
    addl $4, %esi
    cmpl $SMM_SAVE_SIZE, %esi
    jb 1b

    cmpl $0, MB_NO_CMDS(%ebx)
    jne 9f
    movb %cs:SMM_RAX, %al
    cmpb $SMM_CMD_RELOCATE, %al
    jne 1f
    movl MB_PARAM(%ebx), %eax
    movl %eax, %cs:SMM_SMBASE
    jmp 9f
1:  cmpb $SMM_CMD_NESTED, %al
    jne 1f
    movb $SMM_CMD_RECORD, %al
    movb %al, %cs:SMM_RAX           /* the latched SMI will see RECORD */
    outb %al, $0xb2
    jmp 8f
1:  cmpb $SMM_CMD_NMI, %al
    jne 1f
    movl $0xfee00300, %edx          /* local APIC ICR, low word */
    movl $0x00044400, %eax          /* self, NMI, assert */
    movl %eax, (%edx)
8:  movl $20000, %ecx               /* long enough to be taken if */
7:  decl %ecx                       /* SMM did not hold it */
    jnz 7b
    movl $nmi_count, %edx
    movl (%edx), %eax
    movl %eax, MB_READBACK(%ebx)
    jmp 9f
1:  cmpb $SMM_CMD_CHECKPOINT, %al
    je 3f
    cmpb $SMM_CMD_SWITCH, %al
    jne 1f
3:  movb %al, %dl
    movb $SMM_CMD_RECORD, %al
    movb %al, %cs:SMM_RAX           /* the latched SMI will see RECORD */
    outb %al, $0xb2                 /* latch an SMI across the event */
    xorl %edi, %edi                 /* m5op arguments: delay, period */
    xorl %esi, %esi
    cmpb $SMM_CMD_SWITCH, %dl
    je 4f
    .byte 0x0f, 0x04                /* m5 checkpoint */
    .word 0x43
    jmp 9f
4:  .byte 0x0f, 0x04                /* m5 switchcpu */
    .word 0x52
    jmp 9f
1:  cmpb $SMM_CMD_CR3, %al
    jne 1f
    movl MB_PARAM(%ebx), %eax
    movl %eax, %cr3
    movl %cr3, %eax
    movl %eax, MB_READBACK(%ebx)
    jmp 9f
1:  cmpb $SMM_CMD_READ, %al
    jne 1f
    movl MB_PARAM(%ebx), %edx
    movl (%edx), %eax
    movl %eax, MB_READBACK(%ebx)
    jmp 9f
1:  cmpb $SMM_CMD_WRITE, %al
    jne 1f
    movl MB_PARAM(%ebx), %edx
    movl $SMM_WRITE_VALUE, (%edx)
    jmp 9f
1:  cmpb $SMM_CMD_TOUCH, %al
    jne 1f
    movl MB_PARAM(%ebx), %eax
    movl %eax, %cs:SMM_SCRATCH
    jmp 2f
1:  cmpb $SMM_CMD_PEEK, %al
    jne 9f
2:  movl %cs:SMM_SCRATCH, %eax
    movl %eax, MB_READBACK(%ebx)
9:  movl $0, MB_DEPTH(%ebx)
    /*
     * QEMU's TCG flushes its TLB at RSM only if CR0.PE, PG or WP change.
     * This handler runs with PE clear; so does real mode, and there the
     * translations made in SMM (this page's, in SMRAM) would outlive RSM,
     * readable from outside SMM. Set PE: RSM then clears it again.
     */
    testb $1, %cs:SMM_CR0
    jnz 8f
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
8:  rsm
smm_handler_end:
    .code32

    .bss
    .align 16
    .globl smm_mailbox
smm_mailbox:
    .skip MB_SIZE
