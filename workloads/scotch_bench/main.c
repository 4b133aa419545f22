/*
 * scotch_bench: what Scotch's real SMM accounting handler
 * (workloads/scotch/smm_main.c) costs per context-switch SMI, without
 * Xen. The image builds the little of Xen the handler reads:
 *   - 4-level page tables: an identity map, and Xen's direct map
 *     (physical x at 0xffff830000000000 + x), 2 MiB pages;
 *   - a 32 KiB-aligned "Xen stack" whose top holds struct cpu_info, whose
 *     current_vcpu points to one of two fake struct vcpu, whose domain
 *     points to a fake struct domain (domain_id 1 or 2), all at Xen 4.17's
 *     offsets and reached through the direct map;
 * provisions the handler as Scotch's boot shim does (a fixed test key),
 * and from 64-bit mode at CPL 0 on that stack raises rounds= SMIs with
 * SCOTCH_CMD_SWITCH through the APM port, switching the current vCPU
 * between the two domains before each, timing every round trip with
 * RDTSC. The same loop first times an empty handler (smm_bench's) at the
 * platform's SMBASE, so handler cost = Scotch round trip - empty one.
 * gem5's statistics are reset and dumped around each timed phase (dump 1:
 * empty handler, dump 2: Scotch). Last, an EXPORT SMI with the nonce and
 * a page in the fake guest frame; the snapshot is printed for the host
 * to verify with scotch-reader, and checked here too. Command line:
 * rounds=N (even, 2..512, default 64); probe=1 then also checks that
 * Xen's pointers cannot lead the handler into SMRAM (probe_smram) and
 * that a guest's stack at CPL 0 cannot name the domain
 * (probe_guest_stack);
 * attack_tsc=1 (2) and attack_domids=1 play a hostile Xen that rewinds
 * the TSC (writes it forward) or fills the ledger with made-up domains,
 * and print the export for the host's verifier (RQ4).
 *
 * The round trip ends when the handler's flag is seen, as in smm_bench:
 * gem5's O3 CPU takes an APM SMI a few instructions after the OUT, so
 * the loop must wait for it. The Scotch handler raises no flag of its
 * own, so the image gives it a 14-byte entry prologue in the padding in
 * front of its configuration (smm_entry.S: jmp, then .org 0x10): the
 * empty handler's one store to the flag, then a jump to the handler's
 * own first instruction. The difference of the two round trips is the
 * handler's code alone.
 */
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "cpu.h"
#include "paging.h"
#include "hmac_sha256.h"
#include "lm_bench.h"
#include "platform.h"
#include "realmode.h"
#include "scotch_abi.h"

#define DEFAULT_ROUNDS 64
#define MAX_ROUNDS 512
#define WARMUP 2 /* untimed rounds per phase: caches, TLBs */
#define DOM_A 1
#define DOM_B 2
#define NONCE 0x5c07c4b0b3c4ull

/* Xen 4.17's layout, as scotch_plugin/xen/offsets.py reads it from
 * xen-syms (stack size, cpu_info size, cpu_info.guest_cpu_user_regs,
 * cpu_info.current_vcpu, regs.rdi, regs.rsi, vcpu.vcpu_id, vcpu.domain,
 * domain.domain_id). */
#define XEN_STACK_SIZE 0x8000u
#define CPU_INFO_SIZE 0x108u
#define CPU_INFO_REGS 0x0u
#define CPU_INFO_CURRENT_VCPU 0xd0u
#define REGS_RDI 0x70u
#define REGS_RSI 0x68u
#define VCPU_VCPU_ID 0x0u
#define VCPU_DOMAIN 0x10u
#define DOMAIN_DOMAIN_ID 0x0u
/* Xen's direct map (DIRECTMAP_VIRT_START): where Xen sees its heap. */
#define DIRECTMAP 0xffff830000000000ull

/* The benchmark's MAC key: a fixed test key, also in
 * scotch_plugin/baremetal/bench.py. */
static const uint8_t bench_key[SCOTCH_KEY_BYTES] = {
    0x94, 0x37, 0x03, 0xdb, 0xc1, 0x55, 0xb7, 0x01, 0x5a, 0xbb, 0xde,
    0x37, 0xcf, 0xe3, 0x41, 0x39, 0xa0, 0x08, 0xa2, 0xbc, 0xd4, 0x6d,
    0x1d, 0xf1, 0xc6, 0xb7, 0x10, 0x8e, 0xdd, 0x86, 0xa4, 0xfb,
};

_Static_assert(offsetof(struct lm_bench, n) == LMB_N, "lm_bench");
_Static_assert(offsetof(struct lm_bench, rsp) == LMB_RSP, "lm_bench");
_Static_assert(offsetof(struct lm_bench, cmd) == LMB_CMD, "lm_bench");
_Static_assert(offsetof(struct lm_bench, flag) == LMB_FLAG, "lm_bench");
_Static_assert(offsetof(struct lm_bench, slot) == LMB_SLOT, "lm_bench");
_Static_assert(offsetof(struct lm_bench, deltas) == LMB_DELTAS, "lm_bench");
_Static_assert(offsetof(struct lm_bench, vcpu) == LMB_VCPU, "lm_bench");
_Static_assert(offsetof(struct lm_bench, rdi) == LMB_RDI, "lm_bench");
_Static_assert(offsetof(struct lm_bench, rsi) == LMB_RSI, "lm_bench");
_Static_assert(offsetof(struct lm_bench, timeouts) == LMB_TIMEOUTS,
               "lm_bench");
_Static_assert(sizeof(struct lm_bench) == LMB_SIZE, "lm_bench");

extern const uint8_t empty_handler_start[], empty_handler_end[];
extern volatile uint32_t bench_flag; /* smm_bench/empty_handler.S */
extern const uint8_t scotch_smm_image[], scotch_smm_image_end[];

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

/* The fake Xen: its stack, two vCPUs, two domains, a guest's page. */
static uint8_t xen_stack[XEN_STACK_SIZE]
    __attribute__((aligned(XEN_STACK_SIZE)));
static uint8_t fake_vcpu[2][256] __attribute__((aligned(64)));
static uint8_t fake_domain[2][256] __attribute__((aligned(64)));
static uint8_t export_page[4096] __attribute__((aligned(4096)));
/* Xen's TSS: its RSP0 is how the handler finds this CPU's stack, and so
 * cpu_info (smm_main.c: find_current). */
static uint8_t fake_tss[104] __attribute__((aligned(16)));
/* A guest's stack, made up to look like Xen's (probe_guest_stack). */
static uint8_t guest_stack[XEN_STACK_SIZE]
    __attribute__((aligned(XEN_STACK_SIZE)));

static uint8_t image[0x8000];
static uint32_t deltas[MAX_ROUNDS];
static const char *cmdline = "";

static uint64_t xen_va(const void *p)
{
    return DIRECTMAP + (uint32_t)p;
}

static void put64(uint8_t *base, uint32_t off, uint64_t v)
{
    memcpy(base + off, &v, sizeof(v));
}

static uint8_t *cpu_info(void)
{
    return xen_stack + XEN_STACK_SIZE - CPU_INFO_SIZE;
}

static void build_page_tables(void)
{
    paging_identity_lm(pml4, pdpt, pd);
    pml4[(DIRECTMAP >> 39) & 511] = (uint32_t)pdpt | PTE_TABLE; /* Xen's */
}

static void build_xen_state(void)
{
    for (int i = 0; i < 2; i++) {
        put64(fake_vcpu[i], VCPU_VCPU_ID, 0);
        put64(fake_vcpu[i], VCPU_DOMAIN, xen_va(fake_domain[i]));
        put64(fake_domain[i], DOMAIN_DOMAIN_ID, i ? DOM_B : DOM_A);
    }
    put64(cpu_info(), CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[0]));
    put64(fake_tss, 4, xen_va(cpu_info())); /* RSP0: the stack's top */
    cpu_load_tss(fake_tss, sizeof(fake_tss) - 1);
}

static uint32_t parse_u32(const char *key, uint32_t dflt)
{
    for (const char *p = cmdline; *p; p++) {
        const char *k = key, *q = p;
        while (*k && *q == *k)
            k++, q++;
        if (!*k && (p == cmdline || p[-1] == ' ')) {
            uint32_t v = 0;
            while (*q >= '0' && *q <= '9')
                v = v * 10 + (uint32_t)(*q++ - '0');
            return v;
        }
    }
    return dflt;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/** Raise an SMI from here (32-bit mode) and wait for the flag. */
static int smi32(uint8_t cmd)
{
    bench_flag = 0;
    __asm__ volatile("outb %%al, $0xb2\n\tjmp 1f\n1:"
                     : : "a"(cmd) : "memory");
    for (uint32_t i = 0; i < LMB_BUDGET; i++)
        if (bench_flag)
            return 1;
    return 0;
}

/** n SMIs with cmd from 64-bit mode at CPL 0 with RSP @rsp; 0 if one got
 * lost. */
static int run_on(uint64_t rsp, uint8_t cmd, uint32_t n, int switching,
                  uint64_t rdi, uint64_t rsi)
{
    struct lm_bench r = {
        .pml4 = (uint32_t)pml4,
        .n = n,
        .rsp = rsp,
        .cmd = cmd,
        .flag = (uint32_t)&bench_flag,
        .slot = switching ? (uint32_t)(cpu_info() + CPU_INFO_CURRENT_VCPU)
                          : 0,
        .deltas = (uint32_t)deltas,
        .vcpu = {xen_va(fake_vcpu[0]), xen_va(fake_vcpu[1])},
        .rdi = rdi,
        .rsi = rsi,
    };
    lm_bench(&r);
    return r.timeouts == 0;
}

/** The same on the Xen stack, deep in it as Xen's context_switch() is. */
static int run(uint8_t cmd, uint32_t n, int switching, uint64_t rdi,
               uint64_t rsi)
{
    return run_on(xen_va(cpu_info()) - 0x200, cmd, n, switching, rdi, rsi);
}

static void print_deltas(const char *name, uint32_t n)
{
    kprintf("%s=", name);
    for (uint32_t i = 0; i < n; i++)
        kprintf(i ? ",%u" : "%u", deltas[i]);
    kprintf("\n");
}

/*
 * The handler image with its configuration, as the shim provisions it,
 * and the flag-store prologue. 0 if the image is not laid out as
 * smm_entry.S lays it out (a short jmp, zeros up to the configuration).
 */
static uint32_t provision(void)
{
    const uint32_t len = scotch_smm_image_end - scotch_smm_image;
    const uint32_t flag = (uint32_t)&bench_flag;
    struct scotch_config *cfg;

    if (len > sizeof(image))
        return 0;
    memcpy(image, scotch_smm_image, len);
    const uint32_t target = 2u + image[1];
    if (image[0] != 0xeb || target < SCOTCH_CONFIG_OFFSET + 96 ||
        target > 14 + 127)
        return 0;
    for (uint32_t i = 2; i < SCOTCH_CONFIG_OFFSET; i++)
        if (image[i])
            return 0;
    /* addr32 movl $1, (flag): 67 66 c7 05 <flag> <1>; jmp <target> */
    const uint8_t store[4] = {0x67, 0x66, 0xc7, 0x05};
    const uint32_t one = 1;
    memcpy(image, store, 4);
    memcpy(image + 4, &flag, 4);
    memcpy(image + 8, &one, 4);
    image[12] = 0xeb;
    image[13] = (uint8_t)(target - 14);

    cfg = (struct scotch_config *)(image + SCOTCH_CONFIG_OFFSET);
    memset(cfg, 0, sizeof(*cfg));
    cfg->magic = SCOTCH_CONFIG_MAGIC;
    memcpy(cfg->key, bench_key, SCOTCH_KEY_BYTES);
    cfg->stack_size = XEN_STACK_SIZE;
    cfg->cpu_info_size = CPU_INFO_SIZE;
    cfg->cpu_info_regs = CPU_INFO_REGS;
    cfg->cpu_info_current_vcpu = CPU_INFO_CURRENT_VCPU;
    cfg->regs_rdi = REGS_RDI;
    cfg->regs_rsi = REGS_RSI;
    cfg->vcpu_vcpu_id = VCPU_VCPU_ID;
    cfg->vcpu_domain = VCPU_DOMAIN;
    cfg->domain_domain_id = DOMAIN_DOMAIN_ID;
    return len;
}

/** What the exported snapshot must say; it is also printed for the host. */
static void check_snapshot(uint32_t switch_smis)
{
    const struct scotch_snapshot_header *h = (const void *)export_page;
    const struct scotch_domain_entry *d = (const void *)(h + 1);
    uint8_t mac[SCOTCH_MAC_BYTES];

    check_eq("snapshot_magic", h->magic, SCOTCH_SNAPSHOT_MAGIC);
    if (h->magic != SCOTCH_SNAPSHOT_MAGIC || h->ndomains > 2)
        return;
    const uint32_t len = SCOTCH_SNAPSHOT_BYTES(h->ndomains);
    hmac_sha256(bench_key, SCOTCH_KEY_BYTES, export_page,
                len - SCOTCH_MAC_BYTES, mac);
    check("snapshot_mac",
          mac_equal(mac, export_page + len - SCOTCH_MAC_BYTES, sizeof(mac)));
    check_eq64("snapshot_nonce", h->nonce, NONCE);
    check_eq64("snapshot_seq", h->seq, 1);
    /* HELLO, the switches, this EXPORT. */
    check_eq64("snapshot_smis", h->smis, switch_smis + 2);
    check_eq("snapshot_lookup_failures", h->lookup_failures, 0);
    check_eq("snapshot_requester", h->requester, DOM_A);
    check_eq("snapshot_domains", h->ndomains, 2);
    if (h->ndomains != 2)
        return;
    check_eq("snapshot_dom0_id", d[0].domid, DOM_A);
    check_eq("snapshot_dom1_id", d[1].domid, DOM_B);
    check_eq64("snapshot_dom0_switches", d[0].switches, switch_smis / 2);
    check_eq64("snapshot_dom1_switches", d[1].switches, switch_smis / 2);
    check("snapshot_dom0_cycles", d[0].cycles > 0);
    check("snapshot_dom1_cycles", d[1].cycles > 0);
    check_eq64("snapshot_cycles_add_up",
               d[0].cycles + d[1].cycles + h->unknown_cycles,
               h->tsc_now - h->tsc_start);
    kprintf("SCOTCH-SNAPSHOT 0x%x%08x ", (uint32_t)(NONCE >> 32),
            (uint32_t)NONCE);
    for (uint32_t i = 0; i < len; i++)
        kprintf("%x%x", export_page[i] >> 4, export_page[i] & 15);
    kprintf("\n");
}

/** Ask for an export into export_page, as a guest would through Xen. */
static void request_export(const char *check_name, uint64_t nonce)
{
    uint8_t *ci = cpu_info();

    memset(export_page, 0, sizeof(export_page));
    put64(ci, CPU_INFO_REGS + REGS_RDI, nonce);
    put64(ci, CPU_INFO_REGS + REGS_RSI, xen_va(export_page));
    check(check_name,
          run(SCOTCH_CMD_EXPORT, 1, 0, nonce, xen_va(export_page)));
}

/** "<nonce> <hex>" of the snapshot in export_page, and a newline. */
static void print_export(uint64_t nonce)
{
    const struct scotch_snapshot_header *h = (const void *)export_page;

    kprintf("0x%x%08x ", (uint32_t)(nonce >> 32), (uint32_t)nonce);
    for (uint32_t i = 0; i < SCOTCH_SNAPSHOT_BYTES(h->ndomains); i++)
        kprintf("%x%x", export_page[i] >> 4, export_page[i] & 15);
    kprintf("\n");
}

/*
 * probe=1: Xen is not trusted, so its pointers must not lead the handler
 * into SMRAM. A lying Xen (1) points a vCPU's domain at the MAC key in
 * the handler's configuration, so that 16 bits of the key would become a
 * domain id in every later snapshot, and (2) gives a guest page that
 * maps to the ledger at 0xB0000 for an export, which would overwrite
 * it. The handler must refuse both: a failed lookup, a failed export.
 * An export after each shows the ledger.
 */
static int probe_export(uint64_t nonce, uint64_t seq, uint64_t smis,
                        uint32_t failures)
{
    const struct scotch_snapshot_header *h = (const void *)export_page;
    const struct scotch_domain_entry *d = (const void *)(h + 1);
    const uint32_t key_id = bench_key[0] | (uint32_t)bench_key[1] << 8;

    request_export("probe_export_smi_taken", nonce);
    check_eq("probe_snapshot_magic", h->magic, SCOTCH_SNAPSHOT_MAGIC);
    if (h->magic != SCOTCH_SNAPSHOT_MAGIC ||
        h->ndomains > SCOTCH_MAX_DOMAINS)
        return 0;
    uint32_t leaked = 0;
    for (uint32_t i = 0; i < h->ndomains; i++)
        if (d[i].domid == key_id)
            leaked++;
    check_eq("probe_no_key_bits_as_domain_id", leaked, 0);
    check_eq("probe_domains", h->ndomains, 2);
    check_eq64("probe_seq", h->seq, seq);
    check_eq64("probe_smis", h->smis, smis);
    check_eq("probe_lookup_failures", h->lookup_failures, failures);
    kprintf("SCOTCH-PROBE-SNAPSHOT ");
    print_export(nonce);
    return 1;
}

static void probe_smram(uint32_t switch_smis)
{
    const uint32_t key_pa = SCOTCH_HANDLER_ADDR + SCOTCH_CONFIG_OFFSET +
                            offsetof(struct scotch_config, key);
    uint64_t smis = switch_smis + 2; /* the first snapshot's */
    uint8_t *ci = cpu_info();

    /* 1. Domain 2's vCPU, its domain "at" the key: a failed lookup. */
    put64(fake_vcpu[1], VCPU_DOMAIN, DIRECTMAP + key_pa - DOMAIN_DOMAIN_ID);
    put64(ci, CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[1]));
    check("probe_key_switch_smi_taken", run(SCOTCH_CMD_SWITCH, 1, 0, 0, 0));
    put64(fake_vcpu[1], VCPU_DOMAIN, xen_va(fake_domain[1]));
    put64(ci, CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[0]));
    smis += 2;
    if (!probe_export(NONCE + 1, 2, smis, 1))
        return;

    /* 2. An export into the ledger: refused, the ledger unchanged. */
    put64(ci, CPU_INFO_REGS + REGS_RSI, DIRECTMAP + SCOTCH_LEDGER_ADDR);
    check("probe_ledger_export_smi_taken",
          run(SCOTCH_CMD_EXPORT, 1, 0, NONCE, DIRECTMAP + SCOTCH_LEDGER_ADDR));
    smis += 2;
    probe_export(NONCE + 2, 3, smis, 1);
}

/** Domain @domid's switches in the snapshot in export_page, or ~0. */
static uint64_t switches_of(uint32_t domid)
{
    const struct scotch_snapshot_header *h = (const void *)export_page;
    const struct scotch_domain_entry *d = (const void *)(h + 1);

    for (uint32_t i = 0; i < h->ndomains && i < SCOTCH_MAX_DOMAINS; i++)
        if (d[i].domid == domid)
            return d[i].switches;
    return ~0ull;
}

/*
 * probe=1, last: an SMI at CPL 0 on a guest's stack, as in the few
 * instructions of Xen's SYSCALL entry stub or before its SYSRET, where
 * RSP is still the guest's. The guest made its stack look like Xen's: at
 * the top, a cpu_info naming domain B's vCPU, while Xen's own (where the
 * TSS sends ring 0) names A's. The switch must be charged to A.
 */
static void probe_guest_stack(void)
{
    uint8_t *forged = guest_stack + XEN_STACK_SIZE - CPU_INFO_SIZE;

    put64(forged, CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[1]));
    put64(cpu_info(), CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[0]));
    request_export("guest_stack_export_before", NONCE + 3);
    const uint64_t a = switches_of(DOM_A), b = switches_of(DOM_B);
    check("guest_stack_switch_smi_taken",
          run_on((uint32_t)forged - 0x100, SCOTCH_CMD_SWITCH, 1, 0, 0, 0));
    request_export("guest_stack_export_after", NONCE + 4);
    check_eq64("guest_stack_charged_to_xens_current", switches_of(DOM_A),
               a + 1);
    check_eq64("guest_stack_not_to_the_forged_one", switches_of(DOM_B), b);
}

/** An export after a hostile scenario, printed for the host's verifier. */
static void attack_export(const char *name, uint64_t nonce)
{
    const struct scotch_snapshot_header *h = (const void *)export_page;

    request_export("attack_export_smi_taken", nonce);
    if (h->magic != SCOTCH_SNAPSHOT_MAGIC ||
        h->ndomains > SCOTCH_MAX_DOMAINS)
        return;
    kprintf("SCOTCH-ATTACK-SNAPSHOT %s ", name);
    print_export(nonce);
}

/*
 * attack=tsc: a hypervisor writes the TSC back (WRMSR IA32_TSC) between
 * two switches; the handler's next interval wraps. The host's verifier
 * must find the ledger unfit (a domain with more cycles than the span).
 */
static void attack_tsc(void)
{
    uint64_t back = rdtsc() / 2;

    __asm__ volatile("wrmsr"
                     : : "c"(0x10), "a"((uint32_t)back),
                       "d"((uint32_t)(back >> 32)));
    if (rdtsc() > back + (back >> 1)) {
        /* QEMU's TCG keeps its TSC: the attack cannot be played. */
        kprintf("tsc_not_writable\n");
        return;
    }
    check("tsc_switch_smi_taken", run(SCOTCH_CMD_SWITCH, 2, 1, 0, 0));
    attack_export("tsc", NONCE + 16);
}

/*
 * attack_tsc=2: a hypervisor writes the TSC 2^36 cycles forward (23 s
 * at 3 GHz) between two switches; the handler charges the jump to the
 * domain that ran, and the ledger stays consistent with itself. Only a
 * clock of the verifier's own can tell (ledger.ahead_of_clock).
 */
static void attack_tsc_forward(void)
{
    const uint64_t jump = 1ull << 36;
    const uint64_t ahead = rdtsc() + jump;

    __asm__ volatile("wrmsr"
                     : : "c"(0x10), "a"((uint32_t)ahead),
                       "d"((uint32_t)(ahead >> 32)));
    if (rdtsc() < ahead - (jump >> 1)) {
        kprintf("tsc_not_writable\n");
        return;
    }
    check("tsc_forward_switch_smi_taken",
          run(SCOTCH_CMD_SWITCH, 1, 0, 0, 0));
    attack_export("tsc_forward", NONCE + 18);
}

/*
 * attack=domids: a hypervisor makes up a domain id at every switch
 * (here 70 of them) to fill the ledger's 64 entries. Entries beyond are
 * failed lookups, which the host's verifier must find.
 */
static void attack_domids(void)
{
    uint8_t *ci = cpu_info();

    put64(ci, CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[1]));
    for (uint32_t i = 0; i < 70; i++) {
        put64(fake_domain[1], DOMAIN_DOMAIN_ID, 100 + i);
        check("domids_switch_smi_taken",
              run(SCOTCH_CMD_SWITCH, 1, 0, 0, 0));
    }
    put64(fake_domain[1], DOMAIN_DOMAIN_ID, DOM_B);
    put64(ci, CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[0]));
    attack_export("domids", NONCE + 17);
}

/*
 * probe=1, last: SMRAM read from real mode right after an SMI taken
 * there. QEMU's TCG flushes its TLB at RSM only if CR0.PE, PG or WP
 * change, and real mode has all three clear; the handler leaves PE set
 * for RSM to clear (smm_entry.S), or its page, the key in it, would stay
 * readable. gem5 hides SMRAM with the SMRRs either way.
 */
static void probe_real_mode(void)
{
    const uint32_t config = SCOTCH_HANDLER_ADDR + SCOTCH_CONFIG_OFFSET;
    const uint32_t peek = rm_smi_peek(SCOTCH_CMD_SWITCH, &bench_flag,
                                      config);
    check("smram_hidden_after_real_mode_rsm", peek != SCOTCH_CONFIG_MAGIC);
}

int kmain(uint32_t magic, uint32_t mbi)
{
    console_init();
    if (magic == 0x2badb002 && (*(uint32_t *)mbi & 4))
        cmdline = *(const char **)(mbi + 16);
    cpu_init();
    plat_init();
    uint32_t rounds = parse_u32("rounds=", DEFAULT_ROUNDS) & ~1u;
    if (rounds < 2 || rounds > MAX_ROUNDS)
        rounds = DEFAULT_ROUNDS;
    kprintf("scotch-bench platform=%s rounds=%u warmup=%u smbase=0x%x\n",
            plat_name(), rounds, WARMUP, plat_smbase());
    build_page_tables();
    build_xen_state();

    /* The cost of the timing itself, without an SMI. */
    uint32_t overhead = ~0u;
    for (int i = 0; i < 64; i++) {
        uint64_t t0 = rdtsc();
        uint64_t t1 = rdtsc();
        if ((uint32_t)(t1 - t0) < overhead)
            overhead = t1 - t0;
    }
    kprintf("timing_overhead=%u\n", overhead);

    /* 1. The empty handler, at the SMBASE the platform starts with. */
    plat_smm_install(empty_handler_start,
                     empty_handler_end - empty_handler_start);
    check("empty_warmup", run(0, WARMUP, 0, 0, 0));
    plat_stats_reset();
    check("empty_smis_taken", run(0, rounds, 0, 0, 0));
    plat_stats_dump();
    print_deltas("empty_rt", rounds);

    /* 2. Scotch's handler at 0xA8000, SMBASE 0xA0000, SMRAM the ASEG. */
    const uint32_t len = provision();
    check("handler_image_layout", len != 0);
    if (!len)
        return check_verdict("scotch_bench");
    plat_smm_install_aseg(image, len);
    memset(image, 0, sizeof(image));
    check_eq("smbase_aseg", plat_smbase(), SCOTCH_SMBASE);
    check("hello_smi_taken", smi32(SCOTCH_CMD_HELLO));

    /* 3. Context switches: vCPU of domain 1, 2, 1, ... current at each. */
    check("switch_warmup", run(SCOTCH_CMD_SWITCH, WARMUP, 1, 0, 0));
    plat_stats_reset();
    check("switch_smis_taken", run(SCOTCH_CMD_SWITCH, rounds, 1, 0, 0));
    plat_stats_dump();
    print_deltas("scotch_rt", rounds);

    /* 4. Export: domain 1's guest asks, through Xen's guest frame. */
    uint8_t *ci = cpu_info();
    put64(ci, CPU_INFO_CURRENT_VCPU, xen_va(fake_vcpu[0]));
    put64(ci, CPU_INFO_REGS + REGS_RDI, NONCE);
    put64(ci, CPU_INFO_REGS + REGS_RSI, xen_va(export_page));
    memset(export_page, 0, sizeof(export_page));
    check("export_smi_taken",
          run(SCOTCH_CMD_EXPORT, 1, 0, NONCE, xen_va(export_page)));
    check_snapshot(rounds + WARMUP);
    kprintf("switch_smis=%u domains=%u,%u\n", rounds + WARMUP, DOM_A,
            DOM_B);
    if (parse_u32("probe=", 0) == 1) {
        probe_smram(rounds + WARMUP);
        probe_guest_stack();
        probe_real_mode();
    }
    if (parse_u32("attack_tsc=", 0) == 1)
        attack_tsc();
    if (parse_u32("attack_tsc=", 0) == 2)
        attack_tsc_forward();
    if (parse_u32("attack_domids=", 0) == 1)
        attack_domids();
    return check_verdict("scotch_bench");
}
