/*
 * A bus-master IDE controller's DMA, polled (ide_dma.c). The host makes
 * the disk (scotch_plugin/baremetal/dma_disk.py): sector 0 holds
 * dma_pattern(), sector 1 zeros.
 */
#ifndef WORKLOADS_IDE_DMA_H
#define WORKLOADS_IDE_DMA_H

#include <stdint.h>

#define ATA_READ_DMA 0xc8  /* disk to memory */
#define ATA_WRITE_DMA 0xca /* memory to disk */
#define SECTOR 512

/** The IDE controller (class 01:01) on bus 0: its device, or -1. */
int find_ide(void);
/** Decode its ports, enable bus mastering; 0 on failure. */
int ide_setup(int dev);
/** One sector between the disk at @lba and memory at @addr; 0 on error. */
int dma(uint8_t ata_cmd, uint32_t lba, uint32_t addr);

/** Byte @i of sector 0 of the host's disk. */
static inline uint8_t dma_pattern(unsigned i)
{
    return (uint8_t)(i * 7 + 0x5c); /* scotch_plugin/baremetal/dma_disk.py */
}

#endif
