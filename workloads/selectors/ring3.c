/* One snippet at CPL 3 (ring3.h). */
#include "ring3.h"

#include "lm64.h"

struct tss_io tss64;
extern volatile uint64_t ring3_entry, ring3_rflags;
void t64_ring3(void);
void ring3_return(void);

void ring3_init(void)
{
    big_gdt_load();
    idt64_fill(XSEL_CODE64);
    idt64_set_user(RING3_VECTOR, XSEL_CODE64, (uint32_t)ring3_return);
}

uint32_t at_cpl3(void (*snippet)(void), int iopl)
{
    return at_cpl3_rflags(snippet, 0x2 | ((uint64_t)iopl << 12));
}

uint32_t at_cpl3_rflags(void (*snippet)(void), uint64_t rflags)
{
    /* LTR marks the descriptor busy: describe it afresh each time. */
    tss64_install(&tss64, sizeof(tss64) - 1);
    ring3_entry = (uint32_t)snippet;
    ring3_rflags = rflags;
    exc_count = 0;
    lm_call(t64_ring3);
    exc_resume = 0;
    if (exc_count == 0)
        return 0;
    if (exc_count == 1 && exc_log[0].vector == 13 && exc_log[0].error == 0)
        return 1;
    return 0x100 | (uint32_t)exc_log[0].vector;
}
