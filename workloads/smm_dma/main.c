/*
 * SMRAM against DMA: a bus-master IDE controller (gem5's PIIX4 IDE, or
 * QEMU's piix3-ide) copies a disk sector into SMRAM and SMRAM onto the
 * disk, from outside SMM. Neither may happen: the write must leave SMRAM
 * as the handler left it, and what the disk receives must not be SMRAM's
 * contents. gem5 refuses both in its memory-side guard (reads all ones);
 * QEMU's chipset never routes DMA to SMRAM. A DMA to RAM below SMRAM is
 * the control: the same transfer works where SMRAM is not.
 *
 * The host makes the disk: sector 0 holds dma_pattern(), sector 1 zeros.
 */
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "ide_dma.h"
#include "io.h"
#include "platform.h"
#include "smm_mailbox.h"

#define CANARY 0x5eced0a1u

static uint8_t ram_buf[SECTOR] __attribute__((aligned(16)));

static int is_pattern(const volatile uint8_t *p)
{
    for (unsigned i = 0; i < SECTOR; i++)
        if (p[i] != dma_pattern(i))
            return 0;
    return 1;
}

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    console_init();
    kprintf("scotch-smm-dma platform=%s\n", plat_name());
    check_eq("multiboot_magic", magic, 0x2badb002);
    plat_init();
    plat_smm_install(smm_handler_start, smm_handler_end - smm_handler_start);

    /* The first SMI: gem5's handler sets the SMRRs; the canary goes into
     * SMRAM's scratch word from inside SMM. */
    smm_mailbox.param = CANARY;
    smi(SMM_CMD_TOUCH);
    check_eq("smram_canary_written_in_smm", smm_mailbox.readback, CANARY);
    plat_smram_lock();

    int dev = find_ide();
    check("ide_controller_found", dev >= 0);
    if (dev < 0 || !ide_setup(dev))
        return check_verdict("dma");

    /* Control: disk sector 0 into RAM, and into RAM just below SMRAM. */
    check("dma_read_into_ram", dma(ATA_READ_DMA, 0, (uint32_t)ram_buf));
    check("dma_ram_has_pattern", is_pattern(ram_buf));
    uint32_t below = plat_smbase() - SECTOR;
    check("dma_read_below_smram", dma(ATA_READ_DMA, 0, below));
    check("dma_below_smram_has_pattern",
          is_pattern((const volatile uint8_t *)below));

    /* A device writes SMRAM: the canary must survive. */
    uint32_t target = plat_smbase() + SMM_SCRATCH;
    kprintf("dma: SMRAM target 0x%x\n", target);
    dma(ATA_READ_DMA, 0, target);
    smi(SMM_CMD_PEEK);
    kprintf("dma: SMRAM scratch after the DMA write 0x%08x\n",
            smm_mailbox.readback);
    check_eq("dma_write_into_smram_dropped", smm_mailbox.readback, CANARY);

    /* A device reads SMRAM onto the disk: the canary must not leave. */
    dma(ATA_WRITE_DMA, 1, target);
    for (unsigned i = 0; i < SECTOR; i++)
        ram_buf[i] = 0;
    check("dma_read_back_sector1", dma(ATA_READ_DMA, 1, (uint32_t)ram_buf));
    uint32_t leaked = *(volatile uint32_t *)ram_buf;
    kprintf("dma: disk got 0x%08x from SMRAM\n", leaked);
    check("dma_read_of_smram_hidden", leaked != CANARY);
    if (plat_has_smrr())
        check_eq("dma_read_of_smram_all_ones", leaked, 0xffffffffu);

    return check_verdict("dma");
}
