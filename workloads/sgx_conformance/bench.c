/*
 * The SGX benchmark (issue 13), in TSC cycles (gem5's TSC counts CPU
 * cycles), each timed @rounds times after one warm-up round:
 *
 *   enclave_empty  EENTER to EEXIT of a thread that does nothing but
 *                  EEXIT (TCS2: enclave_bench with RDX 0, tests.S);
 *   smi_outside    an SMI raised through the local APIC at CPL 3 in
 *                  64-bit mode, until the handler's count has changed;
 *   smi_inside     EENTER, the same SMI raised inside that thread (an
 *                  AEX to the AEP, SMM, RSM to the AEP, ERESUME), until
 *                  the AEP's count has changed, EEXIT.
 *
 * What the AEX and ERESUME pair adds to an SMI is then smi_inside -
 * enclave_empty - smi_outside + timing (the host computes it: scotch
 * bench enclave). The abort page: a chain of dependent loads (and of
 * stores) to an EPC page outside enclave mode, paging off, against the
 * same to ordinary RAM, per access. Each line reads
 * "sgx-bench <what> rounds=N min=.. median=.. max=..".
 */
#include <stdint.h>

#include "../selectors/lm64.h"
#include "../selectors/ring3.h"
#include "bench.h"
#include "check.h"
#include "console.h"
#include "cpu.h"
#include "layout.h"
#include "smm_mailbox.h"
#include "tests_abi.h"

/* Accesses per round of the abort-page chains. */
#define CHAIN 256

static uint32_t cycles[BENCH_MAX_ROUNDS + 1];
static volatile uint32_t ram_word __attribute__((aligned(64)));

static void sort(uint32_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        const uint32_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Print the rounds after the warm-up (cycles[1..rounds]). */
static void report(const char *what, unsigned rounds)
{
    uint32_t *v = cycles + 1;
    sort(v, rounds);
    kprintf("sgx-bench %s rounds=%u min=%u median=%u max=%u\n", what,
            rounds, v[0], v[rounds / 2], v[rounds - 1]);
}

/* One ring-3 loop (tests.S) of @rounds + 1 rounds into cycles[]. */
static int ring3_loop(void (*loop)(void), unsigned rounds, uint64_t rbx,
                      uint64_t rdx)
{
    t64_args.rax = rounds + 1;
    t64_args.rbx = rbx;
    t64_args.rcx = (uint32_t)cycles;
    t64_args.rdx = rdx;
    return at_cpl3(loop, 0) == 0;
}

/* A chain of @n dependent loads from @addr (each address depends on the
 * value before), or @n stores to it: TSC cycles for all of them. */
static uint32_t load_chain(uint32_t addr, unsigned n)
{
    const uint64_t t0 = rdtsc_fenced();
    __asm__ volatile("1: movl (%1), %%eax\n\t"
                     "andl $0, %%eax\n\t"
                     "addl %%eax, %1\n\t"
                     "decl %0\n\t"
                     "jnz 1b"
                     : "+r"(n), "+r"(addr)
                     :
                     : "eax", "memory");
    return (uint32_t)(rdtsc_fenced() - t0);
}

static uint32_t store_run(uint32_t addr, unsigned n)
{
    const uint64_t t0 = rdtsc_fenced();
    __asm__ volatile("1: movl %0, (%1)\n\t"
                     "decl %0\n\t"
                     "jnz 1b\n\t"
                     "mfence"
                     : "+r"(n)
                     : "r"(addr)
                     : "memory");
    return (uint32_t)(rdtsc_fenced() - t0);
}

static void time_chain(const char *what, uint32_t (*fn)(uint32_t, unsigned),
                       uint32_t addr, unsigned rounds)
{
    for (unsigned i = 0; i <= rounds; i++)
        cycles[i] = fn(addr, CHAIN);
    kprintf("sgx-bench %s per=%u\n", what, CHAIN);
    report(what, rounds);
}

void sgx_bench(unsigned rounds)
{
    if (rounds > BENCH_MAX_ROUNDS)
        rounds = BENCH_MAX_ROUNDS;
    kprintf("sgx-bench rounds=%u\n", rounds);
    for (unsigned i = 0; i <= rounds; i++) {
        const uint64_t t0 = rdtsc_fenced();
        cycles[i] = (uint32_t)(rdtsc_fenced() - t0);
    }
    report("timing", rounds);

    /* SMIs through the local APIC, relocated where lm_call maps it; the
     * handler runs no command, so that it does the same work each time. */
    smm_mailbox.no_cmds = 1;
    wrmsr(IA32_APIC_BASE, APIC_BASE | 0x900); /* enabled, BSP */
    const uint32_t tcs2 = ENCL_BASE + TCS2_OFF;
    check("bench_enclave_empty", ring3_loop(r3_bench_enclave, rounds, tcs2,
                                            0));
    report("enclave_empty", rounds);
    const uint32_t smis = smm_mailbox.count;
    check("bench_smi_outside", ring3_loop(r3_bench_smi, rounds, 0,
                                          (uint32_t)&smm_mailbox.count));
    report("smi_outside", rounds);
    bench_aep_count = 0;
    check("bench_smi_inside",
          ring3_loop(r3_bench_enclave, rounds, tcs2,
                     (uint32_t)&bench_aep_count));
    report("smi_inside", rounds);
    wrmsr(IA32_APIC_BASE, 0xfee00000u | 0x900);
    smm_mailbox.no_cmds = 0;
    check_eq("bench_smis_taken", smm_mailbox.count - smis,
             2 * (rounds + 1));
    check_eq("bench_aexs_at_the_aep", bench_aep_count, rounds + 1);

    /* The abort page against RAM, outside enclave mode, paging off. */
    time_chain("abort_load", load_chain, UNUSED_PAGE, rounds);
    time_chain("ram_load", load_chain, (uint32_t)&ram_word, rounds);
    time_chain("abort_store", store_run, UNUSED_PAGE, rounds);
    time_chain("ram_store", store_run, (uint32_t)&ram_word, rounds);
    check_eq("bench_abort_page_still_all_ones",
             *(volatile uint32_t *)UNUSED_PAGE, 0xffffffffu);
}
