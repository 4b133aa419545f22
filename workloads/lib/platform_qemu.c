/*
 * QEMU q35 with smm=on and SeaBIOS. SeaBIOS has relocated SMBASE to
 * 0xA0000, enabled APM SMIs and left SMRAM closed but not locked, so the
 * image takes over by opening SMRAM (host bridge register 0x9D, D_OPEN),
 * copying its handler to 0xA8000 and closing it again.
 */
#include "console.h"
#include "io.h"
#include "platform.h"

#define Q35_SMRAM 0x9d
#define SMRAM_D_OPEN 0x40
#define SMRAM_D_LCK 0x10
#define ICH9_PMBASE 0x40
#define ICH9_SMI_EN 0x30
#define SMI_EN_GBL 0x01
#define SMI_EN_APMC 0x20
#define DEBUG_EXIT_PORT 0xf4

static void smram_open(int open)
{
    uint8_t v = pci_read8(0, 0, 0, Q35_SMRAM);
    if (v & SMRAM_D_LCK) {
        kprintf("platform: SMRAM is locked (0x%x)\n", v);
        plat_exit(2);
    }
    v = open ? (v | SMRAM_D_OPEN) : (v & ~SMRAM_D_OPEN);
    pci_write8(0, 0, 0, Q35_SMRAM, v);
}

const char *plat_name(void)
{
    return "qemu";
}

void plat_init(void)
{
    /* Make sure APM writes raise SMIs, whatever the firmware left. */
    uint16_t pmbase = pci_read32(0, 31, 0, ICH9_PMBASE) & 0xff80;
    uint32_t en = inl(pmbase + ICH9_SMI_EN);
    outl(pmbase + ICH9_SMI_EN, en | SMI_EN_GBL | SMI_EN_APMC);
}

uint32_t plat_smbase(void)
{
    return 0xa0000;
}

void plat_smm_install(const void *code, uint32_t len)
{
    smram_open(1);
    memcpy((void *)(plat_smbase() + 0x8000), code, len);
    smram_open(0);
}

void plat_smm_install_aseg(const void *code, uint32_t len)
{
    plat_smm_install(code, len); /* SeaBIOS: SMBASE is 0xA0000 */
}

void plat_stats_reset(void)
{
}

void plat_stats_dump(void)
{
}

void plat_checkpoint(void)
{
}

void plat_smram_lock(void)
{
    uint8_t v = pci_read8(0, 0, 0, Q35_SMRAM) & ~SMRAM_D_OPEN;
    pci_write8(0, 0, 0, Q35_SMRAM, v | SMRAM_D_LCK);
}

int plat_has_smrr(void)
{
    return 0;
}

int plat_smram_try_open(void)
{
    uint8_t v = pci_read8(0, 0, 0, Q35_SMRAM);
    pci_write8(0, 0, 0, Q35_SMRAM, v | SMRAM_D_OPEN);
    int open = (pci_read8(0, 0, 0, Q35_SMRAM) & SMRAM_D_OPEN) != 0;
    if (open)
        pci_write8(0, 0, 0, Q35_SMRAM, v);
    return open;
}

void plat_smram_peek(void *dst, uint32_t len)
{
    memcpy(dst, (const void *)(plat_smbase() + 0x8000), len);
}

int plat_legacy_exceptions(void)
{
    return 1;
}

void plat_exit(int code)
{
    /* isa-debug-exit: QEMU exits with status (code << 1) | 1. */
    outb(DEBUG_EXIT_PORT, (uint8_t)code);
    for (;;)
        __asm__ volatile("cli; hlt");
}
