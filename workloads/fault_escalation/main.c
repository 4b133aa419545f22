/*
 * Fault escalation (Intel SDM vol. 3, table 6-5): a contributory fault
 * while a contributory one is delivered is a double fault (#DF), and one
 * while #DF is delivered shuts the processor down (a triple fault). gem5
 * delivered each fault in turn, so a broken IDT looped forever (patch
 * series: fault escalation). The image checks #DF, prints its verdict,
 * then triple faults on purpose: QEMU with -no-reboot exits without a
 * debug-exit code, gem5 ends with an "x86 shutdown: triple fault" exit.
 */
#include <stdint.h>

#include "../selectors/lm64.h"
#include "check.h"
#include "console.h"
#include "image.h"
#include "cpu.h"
#include "platform.h"

void t64_double(void);
void t64_triple(void);

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    image_start("fault-escalation");
    big_gdt_load();
    idt64_fill(XSEL_CODE64);
    idt64_set(13, XSEL_CODE64_ABSENT, 1); /* #GP: its CS not present */
    idt64_set(6, XSEL_CODE64, 0);         /* #UD: gate not present */

    lm_call(t64_double);
    check_eq("exceptions", exc_count, 2);
    check_eq("df_vector", exc_log[0].vector, 8);
    check_eq("df_error_code", exc_log[0].error, 0);
    check_eq("df_handler_cs", exc_log[0].handler_cs, XSEL_CODE64);
    check_eq("absent_gate_vector", exc_log[1].vector, 11); /* #NP */
    /* The IDT entry's error code: SDM (6 << 3) | IDT | EXT = 0x33; QEMU
     * pushes 6 * 16 + 2 in long mode. */
    kprintf("absent_gate_error=0x%x\n", (uint32_t)exc_log[1].error);
    int code = check_verdict("fault_escalation");
    if (code != 0)
        return code;

    kprintf("fault_escalation: triple fault next\n");
    idt64_set(8, XSEL_CODE64_ABSENT, 1); /* #DF: its CS not present */
    lm_call(t64_triple);
    kprintf("fault_escalation: no shutdown\n");
    return 4;
}
