/*
 * chain_probe: a stand-in for Xen, for testing the shim without Xen. The
 * shim boots it exactly as it boots Xen (module 0, an ELF at 2 MiB); it
 * reports what an untrusted hypervisor would find:
 *   - the multiboot hand-over (magic, modules, command line);
 *   - whether SMRAM is visible or can be opened (it must not be);
 *   - whether the MAC key is anywhere in RAM (it must not be): the test
 *     passes the key's first 16 hex digits reversed as probe.rkey=, so
 *     the pattern itself is not in memory;
 *   - a ledger snapshot it asks the handler for (probe.nonce=), printed
 *     as the reader prints one, for the host to verify.
 */
#include "console.h"
#include "io.h"
#include "platform.h"
#include "scotch_abi.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
};

/* The probe's own stack holds the pattern it searches for. */
extern const char stack_bottom[], stack_top[];
static uint8_t page[4096] __attribute__((aligned(4096)));

static const char *option(const char *cmdline, const char *name)
{
    const char *p;
    for (p = cmdline; *p; p++) {
        const char *n = name, *w = p;
        while (*n && *w == *n)
            w++, n++;
        if (!*n && (p == cmdline || p[-1] == ' '))
            return w;
    }
    return 0;
}

static uint32_t parse_u32(const char *v)
{
    uint32_t x = 0;
    while (v && *v >= '0' && *v <= '9')
        x = x * 10 + (uint32_t)(*v++ - '0');
    return x;
}

static uint32_t key_hits(const char *rkey, uint32_t top)
{
    char pat[16];
    uint32_t i, a, hits = 0;

    for (i = 0; i < 16; i++)
        pat[i] = rkey[15 - i];
    for (a = 0x1000; a + 16 <= top; a++) {
        const char *m = (const char *)a;
        if (m[0] != pat[0] || (a >= 0xa0000 && a < 0x100000) ||
            (a >= (uint32_t)stack_bottom && a < (uint32_t)stack_top))
            continue;
        for (i = 1; i < 16 && m[i] == pat[i]; i++)
            ;
        if (i == 16 && m != pat) {
            kprintf("probe: key text found at 0x%x\n", a);
            hits++;
        }
    }
    return hits;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    const char *cmdline = (const char *)mbi->cmdline;
    const char *rkey = option(cmdline, "probe.rkey=");
    const struct scotch_snapshot_header *h = (const void *)page;
    uint32_t nonce = parse_u32(option(cmdline, "probe.nonce="));
    uint32_t top = 0x100000 + mbi->mem_upper * 1024, i, len;

    console_init();
    kprintf("probe: magic=0x%x mods=%u cmdline=%s\n", magic,
            mbi->mods_count, cmdline);
    kprintf("probe: smram-visible=%u smram-opens=%u\n",
            *(volatile uint32_t *)(SCOTCH_HANDLER_ADDR +
                                   SCOTCH_CONFIG_OFFSET) ==
                SCOTCH_CONFIG_MAGIC,
            plat_smram_try_open());
    kprintf("probe: at 0xa8000 %x, at 0xb0000 %x\n",
            *(volatile uint32_t *)0xa8000, *(volatile uint32_t *)0xb0000);
    if (rkey)
        kprintf("probe: key-hits=%u (RAM to 0x%x)\n", key_hits(rkey, top),
                top);
    __asm__ volatile("outb %%al, $0xb2\n\tjmp 1f\n1:"
                     :
                     : "a"(SCOTCH_CMD_EXPORT), "D"(nonce), "S"(page)
                     : "memory");
    for (i = 0; i < 1000000 && !*(volatile uint32_t *)&h->magic; i++)
        ;
    len = h->ndomains <= SCOTCH_MAX_DOMAINS
              ? SCOTCH_SNAPSHOT_BYTES(h->ndomains)
              : 64;
    kprintf("SCOTCH-SNAPSHOT %u ", nonce);
    for (i = 0; i < len; i++)
        kprintf("%x%x", page[i] >> 4, page[i] & 15);
    kprintf("\n");
    return 0;
}
