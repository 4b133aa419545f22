/*
 * Scotch's SMM handler (Leach, Zhang, Weimer, RAID 2017): at every SMI,
 * charge the TSC cycles since the previous SMI to the domain whose vCPU
 * was current, count context switches and I/O interrupts, and on
 * request export a MAC'd snapshot of the ledger to the requester.
 *
 * The vCPU is found as Xen finds it: the top of the Xen stack holds
 * struct cpu_info, whose current_vcpu points to struct vcpu, whose
 * domain points to struct domain. Xen's virtual addresses are translated
 * through the interrupted CR3 (4-level paging). Everything the handler
 * reads of Xen is data only: a lying hypervisor can only make a lookup
 * fail, which is counted. The ledger and the key stay in SMRAM.
 *
 * One CPU: SeaBIOS gives every CPU the same SMBASE, so concurrent SMIs
 * would share one save area.
 */
#include "hmac_sha256.h"
#include "scotch/smm_save_map.h"
#include "scotch_abi.h"

_Static_assert(sizeof(struct scotch_config) <= 96, "config slot");
_Static_assert(sizeof(struct scotch_snapshot_header) == 64, "header");
_Static_assert(sizeof(struct scotch_domain_entry) == 32, "entry");

extern const struct scotch_config scotch_config;

struct ledger {
    uint32_t magic;
    uint32_t ndomains;
    uint64_t seq;
    uint64_t tsc_start;
    uint64_t last_tsc;
    uint64_t smis;
    uint64_t unknown_cycles;
    uint32_t lookup_failures;
    uint32_t export_failures;
    /* The domain current at the previous SMI (SCOTCH_DOMID_UNKNOWN). */
    uint32_t last_domid;
    uint32_t pad;
    struct scotch_domain_entry dom[SCOTCH_MAX_DOMAINS];
};

#define LEDGER ((struct ledger *)SCOTCH_LEDGER_ADDR)
#define EFER_LMA (1u << 10)
#define PTE_P 1ull
#define PTE_RW 2ull
#define PTE_PS 0x80ull
/* An entry's address bits, as halves: 12..31, and 32..51 (which a
 * table or page below 4 GiB leaves clear). */
#define PTE_ADDR_LO 0xfffff000u
#define PTE_ADDR_HI 0x000fffffu

static uint64_t save64(unsigned off)
{
    return *(volatile uint64_t *)(SCOTCH_SMBASE + off);
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* SMRAM, the 128 KiB ASEG: this handler's code, key, ledger and stack. */
#define SMRAM_END (SCOTCH_SMBASE + 0x20000u)

/*
 * Physical memory: paging is off in SMM here, so below 4 GiB only; and
 * never SMRAM, where no pointer of Xen's (or its page tables) may lead:
 * reading there would show the key as a domain id, writing there would
 * overwrite the ledger.
 */
static int phys_ok(uint64_t pa, uint32_t len)
{
    return pa + len <= 0x100000000ull && pa + len >= pa &&
           (pa + len <= SCOTCH_SMBASE || pa >= SMRAM_END);
}

static int phys_read64(uint64_t pa, uint64_t *v)
{
    if (!phys_ok(pa, 8))
        return 0;
    *v = *(volatile uint64_t *)(uint32_t)pa;
    return 1;
}

/*
 * One SMI's translations. Xen's structs share pages (and the three
 * code bytes smi_cause reads share one), and nothing changes Xen's
 * tables while this CPU is in SMM; so a walk done once holds for the
 * rest of this SMI, never longer (Xen may remap between SMIs).
 */
#define TLB_ENTRIES 4
static struct {
    uint32_t n;
    /* A page of up to 1 GiB: va's high half, low half and offset mask. */
    struct {
        uint32_t va_hi, va_lo, mask, pa, writable;
    } e[TLB_ENTRIES];
} tlb __attribute__((section(".data"))); /* no .bss: smm.ld */

/* phys_ok for a table entry: paging is off, so tables live below 4 GiB
 * (a wrap past 4 GiB means the last bytes, outside SMRAM). */
static int slot_ok(uint32_t pa)
{
    return pa + 8 <= SCOTCH_SMBASE || pa >= SMRAM_END;
}

/**
 * Translate va through 4-level paging rooted at cr3: the interrupted
 * CR3, the same for every walk of one SMI (the cache's entries omit it).
 */
static int translate(uint64_t cr3, uint64_t va, int write, uint64_t *pa)
{
    const uint32_t hi = (uint32_t)(va >> 32), lo = (uint32_t)va;
    uint32_t table, entry = 0, writable = PTE_RW, mask = 0xfff, i;
    int level;

    /* Newest first: Xen's structs share a page more often than code. */
    for (i = tlb.n; i-- > 0;)
        if (tlb.e[i].va_hi == hi && !((lo ^ tlb.e[i].va_lo) & ~tlb.e[i].mask)
            && (!write || tlb.e[i].writable)) {
            *pa = tlb.e[i].pa | (lo & tlb.e[i].mask);
            return 1;
        }
    /* 32-bit arithmetic: a table or page above 4 GiB is out of reach. */
    if ((cr3 >> 32) & PTE_ADDR_HI)
        return 0;
    table = (uint32_t)cr3 & PTE_ADDR_LO;
    for (level = 3; level >= 0; level--) {
        const uint32_t slot =
            table + ((uint32_t)(va >> (12 + 9 * level)) & 511) * 8;
        if (!slot_ok(slot))
            return 0;
        entry = *(volatile uint32_t *)slot;
        if (!(entry & PTE_P) ||
            (*(volatile uint32_t *)(slot + 4) & PTE_ADDR_HI))
            return 0;
        writable &= entry;
        if (write && !(entry & PTE_RW))
            return 0;
        if ((level == 1 || level == 2) && (entry & PTE_PS)) {
            mask = (1u << (12 + 9 * level)) - 1;
            table = entry & ~mask;
            break;
        }
        table = entry & PTE_ADDR_LO;
    }
    *pa = table | (lo & mask);
    if (tlb.n < TLB_ENTRIES) {
        tlb.e[tlb.n].va_hi = hi;
        tlb.e[tlb.n].va_lo = lo & ~mask;
        tlb.e[tlb.n].mask = mask;
        tlb.e[tlb.n].pa = table;
        tlb.e[tlb.n].writable = writable & PTE_RW;
        tlb.n++;
    }
    return 1;
}

static int virt_read64(uint64_t cr3, uint64_t va, uint64_t *v)
{
    uint64_t pa;
    /* An 8-byte field never crosses a page in Xen's structs. */
    if ((va & 0xfff) > 0xff8 || !translate(cr3, va, 0, &pa))
        return 0;
    return phys_read64(pa, v);
}

/** One byte of the interrupted code, at virtual address va. */
static int code_byte(uint64_t va, uint8_t *b)
{
    uint64_t pa = va, q;

    if ((save64(SMM_CR0) & 0x80000000u) &&
        (!(save64(SMM_EFER) & EFER_LMA) ||
         !translate(save64(SMM_CR3), va, 0, &pa)))
        return 0; /* legacy paging, or not mapped */
    if (!phys_read64(pa & ~7ull, &q))
        return 0;
    *b = (uint8_t)(q >> (8 * (pa & 7)));
    return 1;
}

enum smi_cause { SMI_SOFTWARE, SMI_CR3_LOAD, SMI_OTHER };

static uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/*
 * What raised this SMI? gem5 takes it at the boundary after the
 * instruction that caused it, so the bytes before the saved RIP tell:
 * an OUT to the APM control port (Xen's or the shim's request: the
 * command is in AL), or a MOV to CR3 (gem5's CR3 trigger: the load is
 * done, and Xen's current vCPU is already the next one). QEMU takes an
 * SMI at the end of its translation block, a few instructions after
 * the OUT: there the command is still in AL and in the port's latch.
 * Anything else (gem5's interrupt or random trigger) carries no
 * command.
 */
static enum smi_cause smi_cause(void)
{
    uint64_t rip = save64(SMM_RIP);
    uint8_t al = (uint8_t)save64(SMM_RAX), b1 = 0, b2 = 0, b3 = 0;

    if (code_byte(rip - 1, &b1) && code_byte(rip - 2, &b2)) {
        if ((b2 == 0xe6 || b2 == 0xe7) && b1 == 0xb2)
            return SMI_SOFTWARE; /* out %al, $0xb2 */
        if ((b1 == 0xee || b1 == 0xef) &&
            (save64(SMM_RDX) & 0xffff) == 0xb2)
            return SMI_SOFTWARE; /* out %al, (%dx) */
        if (code_byte(rip - 3, &b3) && b3 == 0x0f && b2 == 0x22 &&
            (b1 & 0xf8) == 0xd8)
            return SMI_CR3_LOAD; /* mov %reg, %cr3 */
    }
    if (al >= SCOTCH_CMD_SWITCH && al <= SCOTCH_CMD_HELLO && inb(0xb2) == al)
        return SMI_SOFTWARE;
    return SMI_OTHER;
}

struct current {
    uint32_t domid;
    uint64_t cpu_info; /* Xen VA of struct cpu_info */
    uint64_t cr3;
};

/** Which domain's vCPU was current on this CPU at the SMI? */
static int find_current(struct current *cur)
{
    const struct scotch_config *c = &scotch_config;
    uint64_t sp, vcpu, dom, id;

    if (!(save64(SMM_EFER) & EFER_LMA))
        return 0; /* not in long mode: not Xen (yet) */
    cur->cr3 = save64(SMM_CR3);
    /*
     * Xen's stack for this CPU is where its TSS sends ring 0, a constant
     * per CPU. Not RSP, even at CPL 0: Xen's SYSCALL entry stubs and its
     * SYSRET exit run a few instructions at CPL 0 on the guest's stack,
     * and a random SMI there would read the guest's memory as Xen's.
     */
    if (!virt_read64(cur->cr3, save64(SMM_TR + SMM_SEG_BASE) + 4, &sp))
        return 0;
    cur->cpu_info = (sp | (c->stack_size - 1)) + 1 - c->cpu_info_size;
    if (!virt_read64(cur->cr3, cur->cpu_info + c->cpu_info_current_vcpu,
                     &vcpu) ||
        !virt_read64(cur->cr3, vcpu + c->vcpu_domain, &dom) ||
        !virt_read64(cur->cr3, dom + c->domain_domain_id, &id))
        return 0;
    cur->domid = (uint32_t)id & 0xffff; /* domid_t */
    return 1;
}

static struct scotch_domain_entry *entry(struct ledger *l, uint32_t domid)
{
    uint32_t i;

    for (i = 0; i < l->ndomains; i++)
        if (l->dom[i].domid == domid)
            return &l->dom[i];
    if (l->ndomains == SCOTCH_MAX_DOMAINS)
        return 0;
    l->dom[l->ndomains].domid = domid;
    return &l->dom[l->ndomains++];
}

static void zero(void *p, uint32_t n)
{
    uint8_t *b = p;
    while (n--)
        *b++ = 0;
}

static void copy(void *d, const void *s, uint32_t n)
{
    uint8_t *o = d;
    const uint8_t *i = s;
    while (n--)
        *o++ = *i++;
}

/*
 * Export: write header, entries and MAC to the requester's page. The
 * page and the nonce come from the requester's registers: RSI and RDI
 * saved in Xen's guest frame when Xen emulated the guest's OUT, or the
 * interrupted registers when the SMI came from outside Xen (the shim).
 */
static void export(struct ledger *l, const struct current *cur, int in_xen,
                   uint64_t now)
{
    const struct scotch_config *c = &scotch_config;
    uint8_t buf[SCOTCH_SNAPSHOT_BYTES(SCOTCH_MAX_DOMAINS)];
    struct scotch_snapshot_header *h = (void *)buf;
    uint64_t va, nonce, pa = 0;
    uint32_t len;

    if (in_xen) {
        uint64_t regs = cur->cpu_info + c->cpu_info_regs;
        if (!virt_read64(cur->cr3, regs + c->regs_rsi, &va) ||
            !virt_read64(cur->cr3, regs + c->regs_rdi, &nonce) ||
            (va & 0xfff) || !translate(cur->cr3, va, 1, &pa)) {
            l->export_failures++;
            return;
        }
    } else {
        va = save64(SMM_RSI);
        nonce = save64(SMM_RDI);
        if (save64(SMM_CR0) & 0x80000000u) { /* paging on: not supported */
            l->export_failures++;
            return;
        }
        pa = va;
    }
    len = SCOTCH_SNAPSHOT_BYTES(l->ndomains);
    if ((pa & 0xfff) || !phys_ok(pa, len)) {
        l->export_failures++;
        return;
    }
    zero(h, sizeof(*h));
    h->magic = SCOTCH_SNAPSHOT_MAGIC;
    h->version = SCOTCH_SNAPSHOT_VERSION;
    h->ndomains = (uint16_t)l->ndomains;
    h->seq = ++l->seq;
    h->nonce = nonce;
    h->tsc_start = l->tsc_start;
    h->tsc_now = now;
    h->smis = l->smis;
    h->unknown_cycles = l->unknown_cycles;
    h->requester = in_xen ? cur->domid : SCOTCH_DOMID_UNKNOWN;
    h->lookup_failures = l->lookup_failures;
    copy(buf + sizeof(*h), l->dom, l->ndomains * sizeof(l->dom[0]));
    hmac_sha256(c->key, SCOTCH_KEY_BYTES, buf, len - SCOTCH_MAC_BYTES,
                buf + len - SCOTCH_MAC_BYTES);
    copy((void *)(uint32_t)pa, buf, len);
    zero(buf, sizeof(buf));
}

void scotch_smm_main(void)
{
    struct ledger *l = LEDGER;
    uint64_t now = rdtsc();
    enum smi_cause cause;
    uint8_t cmd;
    struct current cur = {SCOTCH_DOMID_UNKNOWN, 0, 0};
    struct scotch_domain_entry *e = 0;
    uint32_t ran;
    int known;

    tlb.n = 0; /* a new SMI: Xen may have remapped since the last */
    cause = smi_cause();
    /* Only an OUT to the APM port carries a command (in AL). */
    cmd = cause == SMI_SOFTWARE ? (uint8_t)save64(SMM_RAX) : 0;
    if (scotch_config.magic != SCOTCH_CONFIG_MAGIC)
        return; /* not provisioned: do nothing */
    if (l->magic != SCOTCH_LEDGER_MAGIC) {
        zero(l, sizeof(*l));
        l->magic = SCOTCH_LEDGER_MAGIC;
        l->tsc_start = l->last_tsc = now;
        l->last_domid = SCOTCH_DOMID_UNKNOWN;
    }
    l->smis++;
    known = find_current(&cur);
    /*
     * Who ran since the previous SMI: the vCPU current now, except at a
     * CR3 load, which Xen does after making the next vCPU current: then
     * the one current at the previous SMI (whose tables were loaded).
     */
    ran = known ? cur.domid : SCOTCH_DOMID_UNKNOWN;
    if (cause == SMI_CR3_LOAD)
        ran = l->last_domid;
    if (ran != SCOTCH_DOMID_UNKNOWN)
        e = entry(l, ran);
    if (e) {
        e->cycles += now - l->last_tsc;
        if (cmd == SCOTCH_CMD_SWITCH ||
            (cause == SMI_CR3_LOAD && known && cur.domid != ran))
            e->switches++;
        else if (cmd == SCOTCH_CMD_IRQ)
            e->irqs++;
    } else {
        l->unknown_cycles += now - l->last_tsc;
        if (save64(SMM_EFER) & EFER_LMA)
            l->lookup_failures++;
    }
    l->last_tsc = now;
    l->last_domid = known ? cur.domid : SCOTCH_DOMID_UNKNOWN;
    if (cmd == SCOTCH_CMD_EXPORT)
        export(l, &cur, known, now);
}
