/*
 * A minimal SMM handler, copied to SMBASE + 0x8000. It runs in SMM's
 * real-mode-like environment (16-bit code, CS.base = SMBASE, flat 4 GiB
 * data segments), counts the SMI, copies the state-save area to the
 * mailbox and returns with RSM. It clobbers EAX, EBX, ECX, EDX and ESI:
 * RSM must restore them.
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
    xorl %esi, %esi
1:  movl %cs:SMM_SAVE_BASE(%si), %eax
    movl %eax, MB_SAVE(%ebx,%esi)
    addl $4, %esi
    cmpl $SMM_SAVE_SIZE, %esi
    jb 1b
    rsm
smm_handler_end:
    .code32

    .bss
    .align 16
    .globl smm_mailbox
smm_mailbox:
    .skip MB_SIZE
