/*
 * Scotch's boot shim: the firmware step of Scotch's trust model. Loaded
 * as the multiboot kernel, with Xen and Xen's modules as its modules, it
 *   1. provisions the SMM handler into SMRAM: the handler image, Xen's
 *      struct offsets (scotch.off=<hex,...>, from xen-syms) and the MAC
 *      key, from the key block at scotch.keyblock=<address> (the key is
 *      never on a command line: see struct scotch_keyblock);
 *   2. raises a first SMI that starts the ledger, exports a snapshot to
 *      itself and checks its MAC (the handler works before Xen runs);
 *   3. locks SMRAM, wipes the key from ordinary memory (the key block,
 *      every copy, and its own stack, which held HMAC's key pads), and
 *   4. boots module 0 (Xen, a multiboot ELF) with the remaining modules,
 *      exactly as the multiboot loader would have.
 */
#include "console.h"
#include "hmac_sha256.h"
#include "io.h"
#include "platform.h"
#include "scotch_abi.h"

#define MB_LOADER_MAGIC 0x2badb002u
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe[6];
};

struct mb_module {
    uint32_t start, end, string, reserved;
};

struct mb_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

struct elf32_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

extern const uint8_t scotch_smm_image[], scotch_smm_image_end[];

static struct mb_info xen_mbi;
static uint32_t xen_entry;
static struct mb_module xen_mods[16];
static uint8_t snapshot[4096] __attribute__((aligned(4096)));

static void die(const char *what)
{
    kprintf("scotch-shim: error: %s\n", what);
    plat_exit(3);
}

static void *move(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else if (d > s) {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}

static void wipe(void *p, uint32_t n)
{
    volatile uint8_t *b = p;
    while (n--)
        *b++ = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/** The value of "name=" in a command line, or 0. */
static char *option(char *cmdline, const char *name)
{
    char *p = cmdline;
    while (p && *p) {
        const char *n = name;
        char *w = p;
        while (*n && *w == *n)
            w++, n++;
        if (!*n && (p == cmdline || p[-1] == ' '))
            return w;
        p++;
    }
    return 0;
}

static uint32_t parse_addr(char *cmdline, const char *name)
{
    char *v = option(cmdline, name);
    uint32_t x = 0;
    int d, digits = 0;

    if (!v)
        return 0;
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
        v += 2;
    while ((d = hexval(*v)) >= 0 && digits < 8)
        x = x << 4 | (uint32_t)d, v++, digits++;
    if (!digits || (*v && *v != ' '))
        return 0;
    return x;
}

/** Is [addr, addr + len) usable RAM in the loader's memory map? */
static int in_ram(const struct mb_info *mbi, uint32_t addr, uint32_t len)
{
    uint32_t off = 0;

    while ((mbi->flags & MBI_MMAP) && off < mbi->mmap_length) {
        const struct mb_mmap *m = (const void *)(mbi->mmap_addr + off);
        if (m->type == 1 && m->addr <= addr &&
            (uint64_t)addr + len <= m->addr + m->len)
            return 1;
        off += m->size + 4;
    }
    return 0;
}

/** Take the key from its block and wipe the block. */
static void take_key(char *cmdline, const struct mb_info *mbi,
                     uint8_t key[SCOTCH_KEY_BYTES])
{
    uint32_t addr = parse_addr(cmdline, "scotch.keyblock=");
    struct scotch_keyblock *kb = (void *)addr;
    uint8_t digest[32];
    struct sha256 s;

    if (!option(cmdline, "scotch.keyblock="))
        die("no scotch.keyblock=<hex address> on the command line");
    if (!addr)
        die("scotch.keyblock: expected a hex address");
    if (addr < 0x100000 || !in_ram(mbi, addr, sizeof(*kb)))
        die("scotch.keyblock: not in usable RAM above 1 MiB");
    if (kb->magic != SCOTCH_KEYBLOCK_MAGIC ||
        kb->version != SCOTCH_KEYBLOCK_VERSION)
        die("scotch.keyblock: no key block there (magic, version)");
    sha256_init(&s);
    sha256_update(&s, kb->key, SCOTCH_KEY_BYTES);
    sha256_final(&s, digest);
    if (!mac_equal(digest, kb->digest, sizeof(digest)))
        die("scotch.keyblock: the key's digest does not match (damaged)");
    memcpy(key, kb->key, SCOTCH_KEY_BYTES);
    wipe(kb, sizeof(*kb));
    wipe(&s, sizeof(s));
}

static void parse_offsets(char *cmdline, uint32_t out[SCOTCH_NUM_OFFSETS])
{
    char *v = option(cmdline, "scotch.off=");
    unsigned i;

    if (!v)
        die("no scotch.off=<9 hex values> (from xen-syms) on the cmdline");
    for (i = 0; i < SCOTCH_NUM_OFFSETS; i++) {
        uint32_t x = 0;
        int d, digits = 0;
        while ((d = hexval(*v)) >= 0)
            x = x << 4 | (uint32_t)d, v++, digits++;
        if (!digits)
            die("scotch.off: expected 9 comma-separated hex values");
        out[i] = x;
        if (i + 1 < SCOTCH_NUM_OFFSETS && *v++ != ',')
            die("scotch.off: expected 9 comma-separated hex values");
    }
    if (*v && *v != ' ')
        die("scotch.off: expected 9 comma-separated hex values");
}

/*
 * Raise an SMI with AL = cmd, EDI = nonce, ESI = buffer (paging off).
 * QEMU's TCG takes the SMI at the end of the translation block, not
 * right after the OUT: the jump ends the block.
 */
static void smi(uint8_t cmd, uint32_t nonce, void *buf)
{
    __asm__ volatile("outb %%al, $0xb2\n\tjmp 1f\n1:"
                     :
                     : "a"(cmd), "D"(nonce), "S"(buf)
                     : "memory");
}

/** Export to ourselves and check the MAC: proof the handler runs. */
static void self_test(const uint8_t key[SCOTCH_KEY_BYTES])
{
    const struct scotch_snapshot_header *h = (const void *)snapshot;
    uint8_t mac[SCOTCH_MAC_BYTES];
    uint32_t len;

    smi(SCOTCH_CMD_HELLO, 0, 0);
    memset(snapshot, 0, sizeof(snapshot));
    smi(SCOTCH_CMD_EXPORT, 0x5c07c400, snapshot);
    for (len = 0; len < 1000000; len++)
        if (*(volatile uint32_t *)&h->magic == SCOTCH_SNAPSHOT_MAGIC)
            break;
    if (h->magic != SCOTCH_SNAPSHOT_MAGIC)
        die("the SMM handler did not export a snapshot");
    len = SCOTCH_SNAPSHOT_BYTES(h->ndomains);
    hmac_sha256(key, SCOTCH_KEY_BYTES, snapshot, len - SCOTCH_MAC_BYTES,
                mac);
    if (!mac_equal(mac, snapshot + len - SCOTCH_MAC_BYTES, sizeof(mac)) ||
        h->nonce != 0x5c07c400 || h->seq != 1)
        die("the SMM handler's first snapshot does not verify");
    kprintf("scotch-shim: handler answers: seq %u, %u SMIs, MAC ok\n",
            (uint32_t)h->seq, (uint32_t)h->smis);
}

/** Highest usable RAM address below 4 GiB, from the multiboot map. */
static uint32_t ram_top(const struct mb_info *mbi)
{
    uint32_t off = 0, top = 0;

    if (!(mbi->flags & MBI_MMAP))
        die("the loader gave no memory map");
    while (off < mbi->mmap_length) {
        const struct mb_mmap *m = (const void *)(mbi->mmap_addr + off);
        if (m->type == 1 && m->addr < 0x100000000ull) {
            uint64_t end = m->addr + m->len;
            if (end > 0x100000000ull)
                end = 0x100000000ull;
            if (end > top)
                top = (uint32_t)(end - 1) + 1;
        }
        off += m->size + 4;
    }
    return top & ~0xfffu;
}

/* Move every module to the top of RAM, out of Xen's load range. */
static void move_modules_high(struct mb_info *mbi, struct mb_module *mods)
{
    uint32_t dst = ram_top(mbi), i = mbi->mods_count;

    while (i--) {
        uint32_t len = mods[i].end - mods[i].start;
        dst = (dst - len) & ~0xfffu;
        if (dst < 0x1000000 || dst < mods[i].end)
            die("not enough memory above 16 MiB for the modules");
        move((void *)dst, (const void *)mods[i].start, len);
        mods[i].start = dst;
        mods[i].end = dst + len;
    }
}

static uint32_t load_elf(const struct mb_module *m)
{
    const struct elf32_ehdr *eh = (const void *)m->start;
    unsigned i;

    if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[4] != 1 ||
        eh->machine != 3)
        die("module 0 is not a 32-bit x86 ELF (Xen's multiboot image)");
    for (i = 0; i < eh->phnum; i++) {
        const struct elf32_phdr *ph =
            (const void *)(m->start + eh->phoff + i * eh->phentsize);
        if (ph->type != 1)
            continue;
        if (ph->paddr < 0x200000 || ph->offset + ph->filesz >
                                        m->end - m->start)
            die("Xen's ELF has a segment out of range");
        move((void *)ph->paddr, (const void *)(m->start + ph->offset),
             ph->filesz);
        memset((void *)(ph->paddr + ph->filesz), 0, ph->memsz - ph->filesz);
    }
    return eh->entry;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    struct scotch_config *cfg;
    uint32_t len = (uint32_t)(scotch_smm_image_end - scotch_smm_image);
    static uint8_t image[0x8000];
    struct mb_module *mods;
    char *cmdline;
    uint32_t entry, i, off[SCOTCH_NUM_OFFSETS];

    console_init();
    if (magic != MB_LOADER_MAGIC)
        die("not started by a multiboot loader");
    if (!(mbi->flags & MBI_CMDLINE) || !(mbi->flags & MBI_MODS) ||
        mbi->mods_count < 1)
        die("need a command line and Xen as module 0");
    if (mbi->mods_count > 16)
        die("more than 16 modules");
    cmdline = (char *)mbi->cmdline;
    mods = (struct mb_module *)mbi->mods_addr;
    plat_init();
    kprintf("scotch-shim: on %s, SMBASE 0x%x, handler %u bytes\n",
            plat_name(), plat_smbase(), len);
    if (len > sizeof(image))
        die("handler image too large");

    /* 1. Provision: handler image with its configuration filled in. */
    memcpy(image, scotch_smm_image, len);
    cfg = (struct scotch_config *)(image + SCOTCH_CONFIG_OFFSET);
    memset(cfg, 0, sizeof(*cfg));
    cfg->magic = SCOTCH_CONFIG_MAGIC;
    take_key(cmdline, mbi, cfg->key);
    parse_offsets(cmdline, off);
    cfg->stack_size = off[0];
    cfg->cpu_info_size = off[1];
    cfg->cpu_info_regs = off[2];
    cfg->cpu_info_current_vcpu = off[3];
    cfg->regs_rdi = off[4];
    cfg->regs_rsi = off[5];
    cfg->vcpu_vcpu_id = off[6];
    cfg->vcpu_domain = off[7];
    cfg->domain_domain_id = off[8];
    if (cfg->stack_size & (cfg->stack_size - 1))
        die("scotch.off: stack size is not a power of two");
    /*
     * QEMU: SeaBIOS relocated SMBASE to 0xA0000 already. gem5: one SMI
     * moves it from 0x30000 and covers the ASEG with the SMRRs.
     */
    plat_smm_install_aseg(image, len);
    if (plat_smbase() != SCOTCH_SMBASE)
        die("SMBASE is not 0xA0000, where the handler is linked");

    /* 2. The handler answers with a snapshot that verifies. */
    self_test(cfg->key);

    /* 3. Lock SMRAM; the key now lives in SMRAM only. */
    plat_smram_lock();
    if (plat_smram_try_open())
        die("SMRAM did not stay locked");
    wipe(image, sizeof(image));
    wipe(snapshot, sizeof(snapshot));
    kprintf("scotch-shim: SMRAM locked, key wiped from memory\n");

    /* 4. Boot Xen with modules 1.. as its modules. */
    move_modules_high(mbi, mods);
    entry = load_elf(&mods[0]);
    xen_mbi = *mbi;
    xen_mbi.cmdline = mods[0].string;
    xen_mbi.mods_count = mbi->mods_count - 1;
    for (i = 1; i < mbi->mods_count; i++)
        xen_mods[i - 1] = mods[i];
    xen_mbi.mods_addr = (uint32_t)xen_mods;
    xen_entry = entry;
    kprintf("scotch-shim: starting Xen at 0x%x with %u modules\n", entry,
            xen_mbi.mods_count);
    /*
     * Wipe the whole stack, then enter Xen: HMAC left key ^ ipad and
     * key ^ opad (the key, to anyone who XORs) in frames below ours.
     * Nothing may live on the stack from here on: the entry point and
     * the information block are globals.
     */
    __asm__ volatile("cli\n\t"
                     "cld\n\t"
                     "movl $stack_bottom, %%edi\n\t"
                     "movl $stack_top, %%ecx\n\t"
                     "subl %%edi, %%ecx\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "rep stosb\n\t"
                     "movl %0, %%eax\n\t"
                     "movl %1, %%ebx\n\t"
                     "jmp *%2"
                     :
                     : "i"(MB_LOADER_MAGIC), "i"(&xen_mbi), "m"(xen_entry)
                     : "eax", "ebx", "ecx", "edi", "memory");
    return 0;
}
