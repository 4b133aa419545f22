/*
 * Port I/O from ring 3 against IOPL and the TSS's I/O permission bitmap
 * (Intel SDM vol. 1, 19.5; tests.S). With CPL > IOPL every port an access
 * touches needs its bit clear in the bitmap, else #GP(0); a bitmap past
 * the TSS limit permits nothing. Xen runs PV guests so (IOPL 0, no
 * bitmap) to emulate their port I/O; gem5 let ring 3 do any I/O, so
 * dom0's OUT to the SMI port ran natively (patch 0029).
 */
#include <stdint.h>

#include "../selectors/ring3.h"
#include "check.h"
#include "console.h"
#include "cpu.h"
#include "image.h"
#include "io.h"
#include "platform.h"

#define IOMAP_NONE 0x8000 /* Xen's IOBMP_INVALID_OFFSET: past the limit */
#define SENTINEL 0xa5a5
#define COM1_MCR 0x3fc
#define COM1_LSR 0x3fd
#define COM1_SCR 0x3ff

void r3_inb_lsr(void), r3_inb_imm(void), r3_outb_mcr(void);
void r3_inw_lsr(void), r3_inw_scr(void), r3_outsb_mcr(void);

/* The bitmap's offset (TSS byte 0x66) and which ports it permits. */
static void iomap(uint16_t offset, const uint16_t *ports, int n)
{
    *(volatile uint16_t *)&tss64.tss[0x66] = offset;
    for (unsigned i = 0; i < sizeof(tss64.bitmap); i++)
        tss64.bitmap[i] = 0xff;
    tss64.end = 0xff;
    for (int i = 0; i < n; i++)
        tss64.bitmap[ports[i] / 8] &= ~(1u << (ports[i] % 8));
}

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    image_start("io-permission");
    ring3_init();
    uint8_t lsr = inb(COM1_LSR) & 0x60; /* THRE, TEMT: steady when idle */
    uint8_t mcr = inb(COM1_MCR);

    /* Xen's PV guest: IOPL 0, no bitmap. Every form faults. */
    iomap(IOMAP_NONE, 0, 0);
    check_eq("nobitmap_inb_dx_gp", at_cpl3(r3_inb_lsr, 0), 1);
    check_eq("nobitmap_inb_dx_untouched", (uint16_t)ring3_value, SENTINEL);
    check_eq("nobitmap_inb_imm_gp", at_cpl3(r3_inb_imm, 0), 1);
    ring3_value = mcr;
    check_eq("nobitmap_outb_gp", at_cpl3(r3_outb_mcr, 0), 1);
    check_eq("nobitmap_outsb_gp", at_cpl3(r3_outsb_mcr, 0), 1);

    /* IOPL 3: the bitmap is not consulted. */
    check_eq("iopl3_inb_dx_gp", at_cpl3(r3_inb_lsr, 3), 0);
    check_eq("iopl3_inb_dx_value", (uint8_t)ring3_value & 0x60, lsr);
    check_eq("iopl3_inb_imm_gp", at_cpl3(r3_inb_imm, 3), 0);

    /* IOPL 0, a bitmap that permits the LSR alone. */
    static const uint16_t lsr_only[] = {COM1_LSR};
    iomap(sizeof(tss64.tss), lsr_only, 1);
    check_eq("bitmap_inb_permitted_gp", at_cpl3(r3_inb_lsr, 0), 0);
    check_eq("bitmap_inb_permitted_value", (uint8_t)ring3_value & 0x60, lsr);
    ring3_value = mcr;
    check_eq("bitmap_outb_denied_gp", at_cpl3(r3_outb_mcr, 0), 1);
    check_eq("bitmap_inb_imm_denied_gp", at_cpl3(r3_inb_imm, 0), 1);
    /* A word access needs the bits of both ports (0x3fe is set). */
    check_eq("bitmap_inw_half_denied_gp", at_cpl3(r3_inw_lsr, 0), 1);

    /* MCR and the scratch register permitted too. */
    static const uint16_t more[] = {COM1_MCR, COM1_LSR, COM1_SCR};
    iomap(sizeof(tss64.tss), more, 3);
    ring3_value = mcr;
    check_eq("bitmap_outb_permitted_gp", at_cpl3(r3_outb_mcr, 0), 0);
    check_eq("bitmap_outsb_permitted_gp", at_cpl3(r3_outsb_mcr, 0), 0);
    check_eq("bitmap_mcr_after_out", inb(COM1_MCR), mcr);
    /* 0x3ff..0x400 straddles two bitmap bytes; 0x400's is the end byte. */
    check_eq("bitmap_inw_straddle_denied_gp", at_cpl3(r3_inw_scr, 0), 1);
    return check_verdict("io_permission");
}
