/*
 * chain_probe: a stand-in for Xen, for testing the shim without Xen. The
 * shim boots it exactly as it boots Xen (module 0, an ELF at 2 MiB); it
 * reports what an untrusted hypervisor would find:
 *   - the multiboot hand-over (magic, modules, command line);
 *   - whether SMRAM is visible or can be opened (it must not be);
 *   - a ledger snapshot it asks the handler for (probe.nonce=), printed
 *     as the reader prints one, for the host to verify.
 * It then powers the machine off (QEMU: ACPI; gem5: m5 exit), so that the
 * host can dump all of RAM and search it for the MAC key
 * (tests/test_scotch_shim.py).
 */
#include "console.h"
#include "io.h"
#include "platform.h"
#include "scotch_abi.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
};

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

int kmain(uint32_t magic, struct mb_info *mbi)
{
    const char *cmdline = (const char *)mbi->cmdline;
    const struct scotch_snapshot_header *h = (const void *)page;
    uint32_t nonce = parse_u32(option(cmdline, "probe.nonce="));
    uint32_t i, len;

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
    kprintf("probe: done, powering off\n");
#ifdef PLATFORM_QEMU
    /*
     * ACPI soft-off (q35: SeaBIOS puts the ICH9 PM block at 0x600; S5 is
     * SLP_TYP 0): QEMU stops with RAM intact for the host's dump, where
     * the debug-exit port would end the process.
     */
    __asm__ volatile("outw %w0, %w1" : : "a"(0x2000), "Nd"(0x604));
    for (;;)
        __asm__ volatile("cli; hlt");
#else
    /* The machine, RAM included, for the host to search; then stop. */
    plat_checkpoint();
    plat_exit(0);
#endif
}
