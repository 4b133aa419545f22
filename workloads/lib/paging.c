#include "paging.h"

void paging_identity_pse(uint32_t pd[1024])
{
    for (uint32_t i = 0; i < 1024; i++)
        pd[i] = (i << 22) | PTE_LARGE;
}

void paging_identity_lm(uint64_t pml4[512], uint64_t pdpt[512],
                        uint64_t pd[4][512])
{
    pml4[0] = (uint32_t)pdpt | PTE_TABLE;
    for (uint32_t i = 0; i < 4; i++) {
        pdpt[i] = (uint32_t)pd[i] | PTE_TABLE;
        for (uint32_t j = 0; j < 512; j++)
            pd[i][j] = ((uint64_t)i << 30) | ((uint64_t)j << 21) |
                       PTE_LARGE;
    }
}

void idt64_gate(uint64_t *idt, unsigned vec, uint16_t cs, uint32_t handler)
{
    const uint64_t a = handler;
    idt[2 * vec] = (a & 0xffff) | ((uint64_t)cs << 16) | (0x8eull << 40) |
                   ((a >> 16) << 48);
    idt[2 * vec + 1] = 0;
}

void idt64_desc_set(uint16_t desc[5], const uint64_t *idt)
{
    const uint32_t base = (uint32_t)idt;
    desc[1] = base & 0xffff;
    desc[2] = base >> 16;
}
