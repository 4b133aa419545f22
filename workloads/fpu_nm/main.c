/*
 * #NM (device not available) from CR0.TS and CR0.EM (tests.S): with TS
 * set, x87, SSE and FXSAVE raise #NM, and WAIT does if MP is set too;
 * with EM set, x87 does. Xen switches the FPU lazily on CPUs it does not
 * know (gem5's vendor): it sets TS at a vCPU switch and restores the
 * vCPU's registers at the first #NM. gem5 raises no #NM, so its vCPUs
 * ran on each other's x87 and SSE state.
 */
#include <stdint.h>

#include "../selectors/lm64.h"
#include "check.h"
#include "console.h"
#include "cpu.h"
#include "image.h"
#include "platform.h"

#define NM 7

extern volatile uint32_t nm_count[16], nm_vector[16];
void t64_nm(void);

/* What probe `i` took: 0 for nothing, else 0x100 | the first vector. */
static uint32_t took(int i)
{
    return nm_count[i] ? 0x100 | nm_vector[i] : 0;
}

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    image_start("fpu-nm");
    big_gdt_load();
    idt64_fill(XSEL_CODE64);
    lm_call(t64_nm);
    check_eq("ts_clear_movaps", took(0), 0);
    check_eq("ts_movaps_nm", took(1), 0x100 | NM);
    check_eq("ts_addps_nm", took(2), 0x100 | NM);
    check_eq("ts_fld1_nm", took(3), 0x100 | NM);
    check_eq("ts_fxsave_nm", took(4), 0x100 | NM);
    check_eq("ts_mp_fwait_nm", took(5), 0x100 | NM);
    check_eq("ts_no_mp_fwait", took(6), 0);
    check_eq("em_fld1_nm", took(7), 0x100 | NM);
    check_eq("ts_integer_add", took(8), 0);
    check_eq("ts_clear_fld1", took(9), 0);
    return check_verdict("fpu_nm");
}
