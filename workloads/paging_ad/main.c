/*
 * The page walker sets the accessed bit of a page-directory entry it
 * walks through (entries start with A and D clear). gem5's walker wrote
 * that bit back by reusing the read's response packet, which tripped
 * coherence assertions when a cache supplied the line (patch 0004).
 * The leaf entries' A and D bits are printed, not checked: the paging
 * suite (workloads/paging) checks them in every mode.
 */
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "image.h"
#include "cpu.h"
#include "platform.h"

#define PDE_P 0x01
#define PDE_RW 0x02
#define PDE_A 0x20
#define PDE_D 0x40
#define PDE_PS 0x80
#define MB4 (4u << 20)

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    image_start("paging-ad");
    for (uint32_t i = 0; i < 1024; i++) {
        pd[i] = (i << 22) | PDE_P | PDE_RW | PDE_PS;
        pt[i] = (2 * MB4 + (i << 12)) | PDE_P | PDE_RW;  /* 4 KiB pages */
    }
    pd[2] = (uint32_t)pt | PDE_P | PDE_RW;  /* 8 MiB .. 12 MiB via pt */

    __asm__ volatile("mov %0, %%cr3\n"
                     "mov %%cr4, %%eax\n or $0x10, %%eax\n mov %%eax, %%cr4\n"
                     "mov %%cr0, %%eax\n or $0x80000000, %%eax\n"
                     "mov %%eax, %%cr0\n jmp 1f\n 1:"
                     : : "r"(pd) : "eax", "memory");
    (void)*(volatile uint32_t *)(2 * MB4 + 64);            /* pt[0] */
    *(volatile uint32_t *)(2 * MB4 + 4096 + 64) = 0x5c07c4;  /* pt[1] */
    __asm__ volatile("mov %%cr0, %%eax\n and $0x7fffffff, %%eax\n"
                     "mov %%eax, %%cr0" : : : "eax", "memory");

    check_eq("walked_pde_accessed", pd[2] & PDE_A, PDE_A);
    check_eq("untouched_pde_clean", pd[5] & (PDE_A | PDE_D), 0);
    check_eq("written_value", *(volatile uint32_t *)(2 * MB4 + 4096 + 64),
             0x5c07c4);
    kprintf("leaf_read_ad=0x%x leaf_write_ad=0x%x\n",
            pt[0] & (PDE_A | PDE_D), pt[1] & (PDE_A | PDE_D));
    return check_verdict("paging_ad");
}
