/*
 * gem5 with Scotch-gem5's SMM model (X86SmmController) and APM port
 * (X86ApmPort), entered by its multiboot loader: the CPU is as after
 * reset, with SMBASE = 0x30000 and the SMRR pair clear, so SMRAM is
 * ordinary memory until the handler sets the SMRRs on its first SMI
 * (smm_handler.S, PLATFORM_GEM5), or until plat_smm_install_aseg moves
 * SMBASE to 0xA0000 and SMRAM to the ASEG (0xA0000..0xBFFFF is RAM in
 * ScotchX86Board). The image exits through gem5's m5ops.
 */
#include "console.h"
#include "platform.h"
#include "scotch/smm_save_map.h"

#define M5OP_EXIT 0x21
#define M5OP_FAIL 0x22
#define M5OP_RESET_STATS 0x40
#define M5OP_DUMP_STATS 0x41
#define M5OP_CHECKPOINT 0x43

#define RESET_SMBASE 0x30000
#define ASEG 0xa0000 /* no suffix: also used in the assembly */
#define STR_(x) #x
#define STR(x) STR_(x)

/* 0 until plat_smm_install_aseg. In .bss, as every variable here: the
 * platform layer is linked last, so data addresses match across
 * platforms (link.ld). */
static uint32_t relocated_smbase;

const char *plat_name(void)
{
    return "gem5";
}

void plat_init(void)
{
}

uint32_t plat_smbase(void)
{
    return relocated_smbase ? relocated_smbase : RESET_SMBASE;
}

void plat_smm_install(const void *code, uint32_t len)
{
    memcpy((void *)(plat_smbase() + 0x8000), code, len);
}

/*
 * The relocation SMI's handler, run at the reset SMBASE (16-bit SMM
 * code): cover the ASEG with the SMRR pair (write-back, 128 KiB, valid),
 * set the saved SMBASE to 0xA0000 (used at RSM), raise a flag, RSM.
 */
volatile uint32_t aseg_relocated;
extern const uint8_t aseg_stub_start[], aseg_stub_end[];
__asm__(".pushsection .text.aseg_stub, \"ax\"\n"
        ".code16\n"
        "aseg_stub_start:\n"
        "    movl $0x1f2, %ecx\n" /* IA32_SMRR_PHYSBASE */
        "    movl $(" STR(ASEG) " | 6), %eax\n"
        "    xorl %edx, %edx\n"
        "    wrmsr\n"
        "    movl $0x1f3, %ecx\n" /* IA32_SMRR_PHYSMASK */
        "    movl $(0xfffe0000 | 0x800), %eax\n"
        "    wrmsr\n"
        "    movl $" STR(ASEG) ", %cs:" STR(SMM_SMBASE) "\n"
        "    movl $aseg_relocated, %ebx\n"
        "    movl $1, (%ebx)\n"
        "    rsm\n"
        "aseg_stub_end:\n"
        ".code32\n"
        ".popsection");

void plat_smm_install_aseg(const void *code, uint32_t len)
{
    volatile const uint8_t *at = (const uint8_t *)(ASEG + 0x8000);

    if (relocated_smbase) {
        kprintf("platform: SMBASE already relocated\n");
        plat_exit(3);
    }
    memcpy((void *)(ASEG + 0x8000), code, len);
    for (uint32_t i = 0; i < len; i++)
        if (at[i] != ((const uint8_t *)code)[i]) {
            kprintf("platform: 0x%x does not read back (not RAM, or an "
                    "SMRR covers it already)\n", ASEG + 0x8000 + i);
            plat_exit(3);
        }
    plat_smm_install(aseg_stub_start, aseg_stub_end - aseg_stub_start);
    aseg_relocated = 0;
    __asm__ volatile("outb %%al, $0xb2" : : "a"(0) : "memory");
    for (uint32_t i = 0; !aseg_relocated; i++)
        if (i == 100000000u) {
            kprintf("platform: the relocation SMI never came\n");
            plat_exit(3);
        }
    relocated_smbase = ASEG;
}

void plat_stats_reset(void)
{
    __asm__ volatile(".byte 0x0f, 0x04; .word %c0"
                     : : "i"(M5OP_RESET_STATS), "D"(0), "S"(0) : "memory");
}

void plat_stats_dump(void)
{
    __asm__ volatile(".byte 0x0f, 0x04; .word %c0"
                     : : "i"(M5OP_DUMP_STATS), "D"(0), "S"(0) : "memory");
}

void plat_checkpoint(void)
{
    __asm__ volatile(".byte 0x0f, 0x04; .word %c0"
                     : : "i"(M5OP_CHECKPOINT), "D"(0), "S"(0) : "memory");
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

int plat_legacy_exceptions(void)
{
    return 0;
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
