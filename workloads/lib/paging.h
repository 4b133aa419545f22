/*
 * Identity page tables for the bare-metal images: 32-bit PSE (4 MiB
 * pages) and 4-level long-mode tables (2 MiB pages) over the first
 * 4 GiB, and 64-bit IDT gates. The tables are the caller's (static,
 * page-aligned), so an image can edit or alias entries after building.
 */
#ifndef WORKLOADS_PAGING_H
#define WORKLOADS_PAGING_H

#include <stdint.h>

#define PTE_P 0x01
#define PTE_RW 0x02
#define PTE_A 0x20
#define PTE_D 0x40
#define PTE_PS 0x80
/* Accessed and dirty set: no walk writes them during a measurement. */
#define PTE_TABLE (PTE_P | PTE_RW | PTE_A)
#define PTE_LARGE (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS)

/** pd: 4 GiB identity, 1024 4 MiB pages (CR4.PSE). */
void paging_identity_pse(uint32_t pd[1024]);

/**
 * pml4[0] -> pdpt, pdpt[0..3] -> pd[0..3]: 4 GiB identity in 2 MiB
 * pages. The rest of pml4 and pdpt is left as it was.
 */
void paging_identity_lm(uint64_t pml4[512], uint64_t pdpt[512],
                        uint64_t pd[4][512]);

/**
 * idt[vec]: a 64-bit interrupt gate (DPL 0, no IST) to handler at cs;
 * idt is 16-byte entries as pairs of quadwords.
 */
void idt64_gate(uint64_t *idt, unsigned vec, uint16_t cs,
                uint32_t handler);

/** Point an LIDT operand (limit word, then base) at idt. */
void idt64_desc_set(uint16_t desc[5], const uint64_t *idt);

#endif
