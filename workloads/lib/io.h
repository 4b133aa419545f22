/* Port I/O and PCI configuration access (mechanism #1). */
#ifndef WORKLOADS_IO_H
#define WORKLOADS_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t pci_cfg_addr(int bus, int dev, int fn, int reg)
{
    return 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) |
           (reg & 0xfc);
}

static inline uint8_t pci_read8(int bus, int dev, int fn, int reg)
{
    outl(0xcf8, pci_cfg_addr(bus, dev, fn, reg));
    return inb(0xcfc + (reg & 3));
}

static inline void pci_write8(int bus, int dev, int fn, int reg, uint8_t v)
{
    outl(0xcf8, pci_cfg_addr(bus, dev, fn, reg));
    outb(0xcfc + (reg & 3), v);
}

static inline uint32_t pci_read32(int bus, int dev, int fn, int reg)
{
    outl(0xcf8, pci_cfg_addr(bus, dev, fn, reg));
    return inl(0xcfc);
}

#endif
