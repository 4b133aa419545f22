/*
 * A Xen-style GDT larger than 256 bytes (selectors 0x100 and 0xe0xx),
 * identity-mapped long mode (1 GiB in 2 MiB pages) and a 64-bit IDT whose
 * gates use CS 0xe008, for tests of how the CPU indexes descriptor tables
 * with 16-bit selectors (lm64.S).
 */
#ifndef WORKLOADS_SELECTORS_LM64_H
#define WORKLOADS_SELECTORS_LM64_H

/* Selectors of big_gdt; the low ones repeat lib/cpu.S's GDT. */
#define XSEL_CODE32_LOW 0x0100 /* flat 32-bit code, just past 0xff */
#define XSEL_CODE64 0xe008     /* as Xen's __HYPERVISOR_CS */
#define XSEL_DATA 0xe010       /* as Xen's __HYPERVISOR_DS */
#define XSEL_CODE32 0xe018
#define XSEL_CODE64_LIMIT0 0xe020 /* 64-bit code, limit field 0 */
#define XSEL_CODE64_ABSENT 0xe028 /* 64-bit code, not present */
#define XSEL_DATA_MAGIC 0xe030    /* data, base MAGIC_ADDR */
/* Ring 3 (workloads/cpl3_segments): data, 64-bit code, and the TSS */
#define XSEL_USER_DATA 0xe043   /* DPL 3, RPL 3 */
#define XSEL_USER_CODE64 0xe04b /* DPL 3, RPL 3 */
#define XSEL_TSS 0xe050         /* 16 bytes; filled in by tss64_install */
/* What the 0xe0xx selectors become if only their low byte is used:
 * entries that differ from the real ones, so a truncation shows. */
#define LOWSEL_DATA_MAGIC 0x30 /* data, base 0 */

#define MAGIC_ADDR 0x00800000
#define MAGIC_VALUE 0x5e1ec7ed

/* The page tables map the first 1 GiB user-accessible, except the
 * last 2 MiB: a supervisor-only alias of physical 0..2 MiB, through
 * which the GDT can be loaded (as Xen maps a PV guest's GDT). */
#define SUPERVISOR_ALIAS 0x3fe00000

#define EXC_MAX 8
#define EXC_RECORD_SIZE 40

#ifndef __ASSEMBLER__
#include <stdint.h>

/** Load big_gdt: CS = 0x08, data segments 0x10, as after cpu_init(). */
/* The page directory of lm_call's identity map (2 MiB pages). */
extern uint64_t lm64_pd[512];
void big_gdt_load(void);

/**
 * Point IDT vector `vec` at its stub in lm64.S through a 64-bit interrupt
 * gate with code selector `cs`; `present` 0 clears the gate's P bit.
 */
void idt64_set(unsigned vec, uint16_t cs, int present);
/** Every vector 0..31 and 0x40 through CS `cs`, present. */
void idt64_fill(uint16_t cs);
/** Vector `vec` through a gate for INT n from ring 3 (DPL 3) to `handler`
 * (a 64-bit address below 4 GiB) with code selector `cs`. */
void idt64_set_user(unsigned vec, uint16_t cs, uint32_t handler);
/** Describe `tss` (a 64-bit TSS, 104 bytes and any I/O permission bitmap
 * after them, `limit` its last byte's offset) at XSEL_TSS in big_gdt. */
void tss64_install(void *tss, uint32_t limit);

/**
 * Enter long mode with a far jump to 0xe008, load the 64-bit IDT, call the
 * 64-bit function `fn` (its address below 4 GiB), return to 32-bit
 * protected mode with an LRETQ to 0xe018 and return what `fn` returned
 * in EAX. Leaves CS = 0xe018.
 */
uint32_t lm_call(void (*fn)(void));

/** What the 64-bit exception stubs saw, one record per exception. */
struct exc_record {
    uint64_t vector, error, frame_cs, frame_ss, handler_cs;
};
extern volatile struct exc_record exc_log[EXC_MAX];
extern volatile uint32_t exc_count;
/**
 * Where the stubs resume (written into the frame's RIP before IRETQ);
 * 0: an unexpected exception, which ends the run (m5 fail / debug exit 3).
 */
extern volatile uint64_t exc_resume;

#endif /* __ASSEMBLER__ */
#endif
