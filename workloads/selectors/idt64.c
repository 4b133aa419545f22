/* 64-bit IDT gates for lm64.S's stubs. */
#include <stdint.h>

#include "lm64.h"

struct idt64_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));

extern struct idt64_gate idt64[256];
extern const uint32_t stub_table[65];

void idt64_set(unsigned vec, uint16_t cs, int present)
{
    uint32_t stub = stub_table[vec];
    idt64[vec].offset_lo = stub & 0xffff;
    idt64[vec].selector = cs;
    idt64[vec].ist = 0;
    /* 64-bit interrupt gate, DPL 0 */
    idt64[vec].type_attr = present ? 0x8e : 0x0e;
    idt64[vec].offset_mid = stub >> 16;
    idt64[vec].offset_hi = 0;
    idt64[vec].reserved = 0;
}

void idt64_fill(uint16_t cs)
{
    for (unsigned v = 0; v < 32; v++)
        idt64_set(v, cs, 1);
    idt64_set(0x40, cs, 1);
}

void idt64_set_user(unsigned vec, uint16_t cs, uint32_t handler)
{
    idt64[vec].offset_lo = handler & 0xffff;
    idt64[vec].selector = cs;
    idt64[vec].ist = 0;
    idt64[vec].type_attr = 0xee; /* 64-bit interrupt gate, DPL 3 */
    idt64[vec].offset_mid = handler >> 16;
    idt64[vec].offset_hi = 0;
    idt64[vec].reserved = 0;
}

extern uint32_t big_gdt_tss[4];

void tss64_install(void *tss, uint32_t limit)
{
    uint32_t base = (uint32_t)tss;
    /* An available 64-bit TSS (type 9), present, DPL 0. */
    big_gdt_tss[0] = (limit & 0xffff) | (base << 16);
    big_gdt_tss[1] = ((base >> 16) & 0xff) | (0x89 << 8) |
                     (limit & 0xf0000) | (base & 0xff000000);
    big_gdt_tss[2] = 0; /* base 63:32 */
    big_gdt_tss[3] = 0;
}
