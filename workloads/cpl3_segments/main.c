/*
 * Segment loads and far RET at CPL 3 with the GDT on a supervisor-only
 * page (tests.S): descriptor-table reads are supervisor accesses whatever
 * the CPL (Intel SDM vol. 3, 4.6.1: "implicit supervisor-mode accesses").
 * gem5 made MOV to Sreg and far RET read the GDT at the CPL; a Xen PV
 * dom0 (its kernel runs in ring 3) then took #PF on every FS load.
 */
#include <stdint.h>

#include "../selectors/lm64.h"
#include "check.h"
#include "console.h"
#include "image.h"
#include "cpu.h"
#include "platform.h"

extern uint8_t tss64[104];
extern volatile uint32_t user_ds, user_es, user_cs_after_lret, back_cs;
extern volatile uint32_t syscall_cs;
extern volatile uint64_t syscall_rcx;
extern char after_syscall[];
void t64_cpl3(void);
void cpl3_return(void);

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    image_start("cpl3-segments");
    big_gdt_load();
    idt64_fill(XSEL_CODE64);
    idt64_set_user(0x41, XSEL_CODE64, (uint32_t)cpl3_return);
    tss64_install(tss64, sizeof(tss64) - 1);

    lm_call(t64_cpl3);
    check_eq("cpl3_exceptions", exc_count, 0);
    check_eq("cpl3_mov_ds", user_ds, XSEL_USER_DATA);
    check_eq("cpl3_mov_es_mem", user_es, XSEL_USER_DATA);
    check_eq("cpl3_lretq_cs", user_cs_after_lret, XSEL_USER_CODE64);
    check_eq("syscall_in_ring0_cs", syscall_cs, XSEL_CODE64);
    check_eq64("syscall_rcx_next_rip", syscall_rcx,
               (uint64_t)(uintptr_t)after_syscall);
    check_eq("int41_back_in_ring0_cs", back_cs, XSEL_CODE64);
    return check_verdict("cpl3_segments");
}
