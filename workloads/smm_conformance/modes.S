/*
 * SMIs raised from each processor mode. Each routine is called from
 * 32-bit protected mode (cdecl), switches mode, records where the SMI
 * will be taken in mode_probe, raises it through the APM port
 * (command SMM_CMD_RECORD), and comes back.
 *
 * mode_probe (see main.c): in[16] at 0, out[16] at 128, rip at 256,
 * rsp at 264. GPR order is the save map's: RAX RCX RDX RBX RSP RBP RSI
 * RDI R8..R15.
 */
#include "smm_mailbox.h"

#define IN 0
#define OUT 128
#define RIP 256
#define RIP_END 260
#define RSP 264

/*
 * In 32-bit code: note where the SMI will be taken (the instruction after
 * the OUT, up to the end of the wait) and ESP, raise it with
 * SMM_CMD_RECORD and wait for the handler's flag, touching only flags.
 */
.macro SMI_RECORD_32
    movl $2f, mode_probe+RIP
    movl $3f, mode_probe+RIP_END
    movl %esp, mode_probe+RSP
    movl $0, smm_mailbox+MB_SEEN
    movb $SMM_CMD_RECORD, %al
    outb %al, $0xb2
2:  cmpl $0, smm_mailbox+MB_SEEN
    je 2b
3:
.endm

    .data
    .align 4
saved_esp32: .long 0

    .text
    .code32

/* void smi_paged32(uint32_t page_directory): PSE 4 MiB identity pages. */
    .globl smi_paged32
smi_paged32:
    movl 4(%esp), %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $0x10, %eax                 /* PSE */
    movl %eax, %cr4
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    jmp 1f
1:  SMI_RECORD_32
    movl %cr0, %eax
    andl $0x7fffffff, %eax
    movl %eax, %cr0
    movl %cr4, %eax
    andl $~0x10, %eax
    movl %eax, %cr4
    ret

/* void smi_compat(uint32_t pml4): compatibility mode. */
    .globl smi_compat
smi_compat:
    movl 4(%esp), %eax
    call long_mode_on
    jmp 1f
1:  SMI_RECORD_32
    call long_mode_off
    ret

/* void smi_long64(uint32_t pml4): 64-bit mode, every GPR from in[]. */
    .globl smi_long64
smi_long64:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, saved_esp32
    movl 20(%esp), %eax
    call long_mode_on
    ljmp $0x18, $lm_entry

    .code64
lm_entry:
    /* In 64-bit code an ELF32 object can only hold 32-bit absolute
     * immediates: address mode_probe through a register (R15, loaded
     * last). */
    movl %esp, %esp                 /* RSP = ESP, upper half zero */
    movl $mode_probe, %r15d
    movl $lm_after, %eax
    movl %eax, RIP(%r15)
    movl $lm_after_end, %eax
    movl %eax, RIP_END(%r15)
    movq %rsp, RSP(%r15)
    movl $0, smm_mailbox+MB_SEEN(%rip)
    movq IN+8*0(%r15), %rax
    movq IN+8*1(%r15), %rcx
    movq IN+8*2(%r15), %rdx
    movq IN+8*3(%r15), %rbx
    movq IN+8*5(%r15), %rbp
    movq IN+8*6(%r15), %rsi
    movq IN+8*7(%r15), %rdi
    movq IN+8*8(%r15), %r8
    movq IN+8*9(%r15), %r9
    movq IN+8*10(%r15), %r10
    movq IN+8*11(%r15), %r11
    movq IN+8*12(%r15), %r12
    movq IN+8*13(%r15), %r13
    movq IN+8*14(%r15), %r14
    movq IN+8*15(%r15), %r15
    outb %al, $0xb2
lm_after:
    cmpl $0, smm_mailbox+MB_SEEN(%rip)
    je lm_after
lm_after_end:
    pushq %r15
    movl $mode_probe, %r15d
    movq %rax, OUT+8*0(%r15)
    movq %rcx, OUT+8*1(%r15)
    movq %rdx, OUT+8*2(%r15)
    movq %rbx, OUT+8*3(%r15)
    movq %rbp, OUT+8*5(%r15)
    movq %rsi, OUT+8*6(%r15)
    movq %rdi, OUT+8*7(%r15)
    movq %r8, OUT+8*8(%r15)
    movq %r9, OUT+8*9(%r15)
    movq %r10, OUT+8*10(%r15)
    movq %r11, OUT+8*11(%r15)
    movq %r12, OUT+8*12(%r15)
    movq %r13, OUT+8*13(%r15)
    movq %r14, OUT+8*14(%r15)
    popq %rax
    movq %rax, OUT+8*15(%r15)
    movq %rsp, OUT+8*4(%r15)
    movl $compat_back, %eax
    pushq $0x08
    pushq %rax
    lretq
    .code32
compat_back:
    call long_mode_off
    /* Back in the caller's frame: saved ESP, callee-saved registers. */
c_frame_return:
    movl saved_esp32, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
