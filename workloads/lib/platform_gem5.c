/*
 * gem5 with Scotch-gem5's SMM model (X86SmmController) and APM port
 * (X86ApmPort), entered by its multiboot loader: the CPU is as after
 * reset, with SMBASE = 0x30000 and the SMRR pair clear, so SMRAM is
 * ordinary memory until the handler sets the SMRRs on its first SMI
 * (smm_handler.S, PLATFORM_GEM5). The image exits through gem5's m5ops.
 */
#include "console.h"
#include "platform.h"

#define M5OP_EXIT 0x21
#define M5OP_FAIL 0x22

const char *plat_name(void)
{
    return "gem5";
}

void plat_init(void)
{
}

uint32_t plat_smbase(void)
{
    return 0x30000;
}

void plat_smm_install(const void *code, uint32_t len)
{
    memcpy((void *)(plat_smbase() + 0x8000), code, len);
}

void plat_smram_lock(void)
{
    /* The SMRRs, set by the handler on the first SMI, are the lock. */
}

int plat_has_smrr(void)
{
    return 1;
}

int plat_smram_try_open(void)
{
    return 0; /* no chipset SMRAM control: nothing to open */
}

void plat_smram_peek(void *dst, uint32_t len)
{
    memcpy(dst, (const void *)(plat_smbase() + 0x8000), len);
}

void plat_exit(int code)
{
    /* m5ops: 0F 04 <func16>; arguments in RDI, RSI (EDI, ESI here). */
    if (code == 0)
        __asm__ volatile(".byte 0x0f, 0x04; .word %c0"
                         : : "i"(M5OP_EXIT), "D"(0), "S"(0) : "memory");
    else
        __asm__ volatile(".byte 0x0f, 0x04; .word %c0"
                         : : "i"(M5OP_FAIL), "D"(0), "S"(code) : "memory");
    for (;;)
        __asm__ volatile("cli; hlt");
}
