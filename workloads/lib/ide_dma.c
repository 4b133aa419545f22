/*
 * A bus-master IDE controller's DMA, polled (gem5's PIIX4 IDE, QEMU's
 * piix3-ide): what the DMA tests (SMRAM, the EPC) drive a device with.
 */
#include "ide_dma.h"

#include <stdint.h>

#include "console.h"
#include "io.h"

#define ATA_DATA 0x1f0
#define ATA_COUNT 0x1f2
#define ATA_LBA0 0x1f3
#define ATA_LBA1 0x1f4
#define ATA_LBA2 0x1f5
#define ATA_DRIVE 0x1f6
#define ATA_CMD 0x1f7 /* status when read */
#define ATA_CTL 0x3f6
#define ATA_BSY 0x80
#define ATA_ERR 0x01

#define BM_CMD 0 /* bus master IDE registers, primary channel */
#define BM_STATUS 2
#define BM_PRDT 4
#define BM_START 0x01
#define BM_TO_MEMORY 0x08 /* the device writes memory (ATA read) */
#define BM_ACTIVE 0x01
#define BM_IRQ 0x04
#define BM_ERROR 0x02

/* I/O base we give BAR4 where firmware has not (gem5 has no BIOS). */
#define BM_IO_BASE 0xc000

struct prd {
    uint32_t addr;
    uint16_t bytes;
    uint16_t flags; /* bit 15: last entry */
} __attribute__((packed));

static struct prd prdt[1] __attribute__((aligned(8)));
static uint16_t bm;

static void pci_write32(int dev, int reg, uint32_t v)
{
    outl(0xcf8, pci_cfg_addr(0, dev, 0, reg));
    outl(0xcfc, v);
}

/** Find the IDE controller (class 01:01) on bus 0; its device or -1. */
int find_ide(void)
{
    for (int dev = 0; dev < 32; dev++) {
        uint32_t id = pci_read32(0, dev, 0, 0);
        if ((id & 0xffff) == 0xffff)
            continue;
        uint32_t class = pci_read32(0, dev, 0, 8) >> 16;
        if (class == 0x0101) {
            kprintf("ide: device %d id=%08x\n", dev, id);
            return dev;
        }
    }
    return -1;
}

int ide_setup(int dev)
{
    uint32_t bar4 = pci_read32(0, dev, 0, 0x20);
    if ((bar4 & ~3u) == 0) {
        pci_write32(dev, 0x20, BM_IO_BASE | 1);
        bar4 = pci_read32(0, dev, 0, 0x20);
    }
    bm = bar4 & 0xfffc;
    /* I/O decode and bus mastering; leave the status bits alone. */
    uint32_t cmd = pci_read32(0, dev, 0, 4) & 0xffff;
    pci_write32(dev, 4, cmd | 0x5);
    /* PIIX IDETIM: decode the primary channel's legacy ports. */
    uint32_t tim = pci_read32(0, dev, 0, 0x40);
    pci_write32(dev, 0x40, tim | 0x80008000u);
    kprintf("ide: bus master at 0x%x\n", bm);
    outb(ATA_CTL, 0x02); /* nIEN: no interrupts, we poll */
    return bm != 0;
}

static int ata_wait(void)
{
    for (uint32_t i = 0; i < 10000000u; i++) {
        uint8_t s = inb(ATA_CMD);
        if (!(s & ATA_BSY))
            return !(s & ATA_ERR);
    }
    return 0;
}

int dma(uint8_t ata_cmd, uint32_t lba, uint32_t addr)
{
    int to_memory = ata_cmd == ATA_READ_DMA;

    prdt[0].addr = addr;
    prdt[0].bytes = SECTOR;
    prdt[0].flags = 0x8000;
    outb(bm + BM_CMD, 0);
    outl(bm + BM_PRDT, (uint32_t)prdt);
    outb(bm + BM_STATUS, BM_IRQ | BM_ERROR); /* write 1 to clear */
    outb(bm + BM_CMD, to_memory ? BM_TO_MEMORY : 0);

    outb(ATA_DRIVE, 0xe0 | ((lba >> 24) & 0xf));
    if (!ata_wait())
        return 0;
    outb(ATA_COUNT, 1);
    outb(ATA_LBA0, lba);
    outb(ATA_LBA1, lba >> 8);
    outb(ATA_LBA2, lba >> 16);
    outb(ATA_CMD, ata_cmd);
    outb(bm + BM_CMD, (to_memory ? BM_TO_MEMORY : 0) | BM_START);

    /* Done when the engine stops (nIEN keeps the IRQ bit clear). */
    int ok = 0;
    for (uint32_t i = 0; i < 10000000u; i++) {
        uint8_t s = inb(bm + BM_STATUS);
        if (!(s & BM_ACTIVE) || (s & BM_ERROR)) {
            ok = !(s & BM_ERROR);
            break;
        }
    }
    outb(bm + BM_CMD, 0);
    return ata_wait() && ok;
}
