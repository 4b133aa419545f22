/*
 * The SGX conformance suite: the EPC's access control from outside
 * enclave mode, the ENCLS leaves that build an enclave, and the ENCLU
 * leaves that run it (EENTER, EEXIT, EGETKEY, and AEX and ERESUME from
 * an SMI and a timer interrupt inside). gem5 only: QEMU's TCG has no
 * SGX, so there is no oracle; each check names the Intel SDM (vol. 3D)
 * section or the Operation it follows.
 *
 * The platform and the enclaves are layout.h's. The enclaves built here
 * are the ones scotch_plugin/sgx/conformance.py describes; the host
 * passes their MRENCLAVEs, computed as the SDM measures them, on the
 * command line ("mrenclave=<64 hex digits>" and "mrenclave2=" for the
 * second), as a signing tool would put them in the SIGSTRUCT, and EINIT
 * succeeds only if gem5 measured the same.
 * "milestone=checkpoint" or "=switch" has the first enclave run take an
 * m5 checkpoint or switch CPU models from inside the enclave: a restore
 * of that checkpoint, or the new model, must go on and pass.
 * "bench=<rounds>" builds the first enclave without the checks and
 * times it instead (bench.c).
 *
 * Abort-page semantics (38.3): from outside an enclave, reads of the
 * EPC return all ones and writes are dropped, whoever makes them: the
 * CPU with paging off and on, the page walker, SMM and a DMA engine.
 * The writes go to an enclave page after EADD and before EEXTEND, so
 * EINIT's measurement shows that none of them reached it.
 */
#include <stdint.h>

#include "../selectors/lm64.h"
#include "../selectors/ring3.h"
#include "bench.h"
#include "check.h"
#include "cmdline.h"
#include "console.h"
#include "cpu.h"
#include "ide_dma.h"
#include "image.h"
#include "platform.h"
#include "scotch/smm_save_map.h"
#include "smm_mailbox.h"

#include "layout.h"
#include "tests_abi.h"

#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_DIV 0x3e0
#define TIMER_VECTOR 0x40
#define CR0_NE (1u << 5)
#define RFLAGS_IF 0x200

/* ENCLS leaves (EAX), SECINFO, attributes, error codes (SDM 38-41). */
#define ECREATE 0
#define EADD 1
#define EINIT 2
#define EREMOVE 3
#define EEXTEND 6
#define PT_SECS 0
#define PT_TCS 1
#define PT_REG 2
#define SI_R 1
#define SI_W 2
#define SI_X 4
#define ATTR_MODE64 4
#define SGX_INVALID_MEASUREMENT 4
#define SGX_CHILD_PRESENT 13

#define FLAG_ZF 0x40
#define PF_P 0x01
#define PF_W 0x02
#define PF_RSVD 0x08
#define PF_SGX 0x8000
#define UD (0x100 | VEC_UD)
#define GP (0x100 | VEC_GP)
#define PF (0x100 | VEC_PF)
/* A PD entry of lm_call's map whose 2 MiB nothing else uses. */
#define WALK_PDE 400
#define WALK_VA (WALK_PDE * 0x200000u)

static uint8_t secs_src[PG] __attribute__((aligned(4096)));
static uint8_t tcs_src[PG] __attribute__((aligned(4096)));
static uint8_t tcs2_src[PG] __attribute__((aligned(4096)));
static uint8_t code_src[PG] __attribute__((aligned(4096)));
static uint8_t ssa_src[PG] __attribute__((aligned(4096)));
static uint8_t data_src[PG] __attribute__((aligned(4096)));
static uint8_t sigstruct[PG] __attribute__((aligned(4096)));
static uint8_t token[512] __attribute__((aligned(512)));
static struct {
    uint64_t flags;
    uint8_t reserved[56];
} secinfo __attribute__((aligned(64)));
static struct {
    uint64_t linaddr, srcpge, secinfo, secs;
} pageinfo __attribute__((aligned(32)));
static uint8_t ram_buf[SECTOR] __attribute__((aligned(16)));
static uint8_t mrenclave[2][32];
/* What the enclave hands out (tests.S), and the seal key of each run. */
static volatile uint64_t enclave_out[8];
static uint64_t seal_key[3][2];
/* In the first run, from inside the enclave: 1 an m5 checkpoint, 2 an
 * m5 switchcpu ("milestone=checkpoint|switch"; gem5 only). */
static int milestone;

/* What a run in long mode did: 0 or 0x100 | the first vector. */
struct outcome {
    uint32_t fault, error;
    uint64_t rax, flags;
};

static struct outcome run64(void (*fn)(void), uint64_t rax, uint64_t rbx,
                            uint64_t rcx, uint64_t rdx)
{
    t64_args.rax = rax;
    t64_args.rbx = rbx;
    t64_args.rcx = rcx;
    t64_args.rdx = rdx;
    t64_args.out_rax = 0;
    t64_args.out_flags = 0;
    exc_count = 0;
    lm_call(fn);
    struct outcome o = {0, 0, t64_args.out_rax, t64_args.out_flags};
    if (exc_count) {
        o.fault = 0x100 | (uint32_t)exc_log[0].vector;
        o.error = (uint32_t)exc_log[0].error;
    }
    return o;
}

static struct outcome encls(uint32_t leaf, uint32_t rbx, uint32_t rcx,
                            uint32_t rdx)
{
    return run64(t64_encls, leaf, rbx, rcx, rdx);
}

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "key=<64 hex digits>" from the command line into @out; 0 if absent. */
static int parse_digest(const char *key, uint8_t out[32])
{
    const char *h = cmdline_value(key);
    if (!h)
        return 0;
    for (unsigned i = 0; i < 32; i++) {
        int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

/* The second enclave differs in one measured byte of its code page. */
static void build_sources(int variant)
{
    put(secs_src + 0, ENCL_SIZE, 8);     /* SIZE */
    put(secs_src + 8, ENCL_BASE, 8);     /* BASEADDR */
    put(secs_src + 16, 1, 4);            /* SSAFRAMESIZE: one page */
    put(secs_src + 48, ATTR_MODE64, 8);  /* ATTRIBUTES.FLAGS */
    put(secs_src + 56, 3, 8);            /* XFRM: x87, SSE */
    put(tcs_src + 16, SSA_OFF, 8);       /* OSSA */
    put(tcs_src + 28, 1, 4);             /* NSSA */
    put(tcs_src + 32, CODE_OFF, 8);      /* OENTRY */
    put(tcs_src + 64, 0xffffffffu, 4);   /* FSLIMIT */
    put(tcs_src + 68, 0xffffffffu, 4);   /* GSLIMIT */
    for (unsigned i = 0; i < PG; i++)    /* the benchmark's thread */
        tcs2_src[i] = tcs_src[i];
    put(tcs2_src + 16, SSA2_OFF, 8);
    put(tcs2_src + 32, CODE_OFF + BENCH_ENTRY_OFF, 8);
    for (unsigned i = 0; i < PG; i++)
        code_src[i] = 0;
    for (unsigned i = 0; enclave_code + i < enclave_code_end; i++)
        code_src[i] = enclave_code[i];
    code_src[PG - 1] = (uint8_t)variant;
    for (unsigned i = 0; i < 384; i++)
        sigstruct[128 + i] = (uint8_t)(0x11 * (i + 1)); /* MODULUS */
    put(sigstruct + 1024, 7, 2);                       /* ISVPRODID */
    put(sigstruct + 1026, 3, 2);                       /* ISVSVN */
}

static struct outcome eadd(uint32_t page, uint32_t lin, uint32_t type,
                           uint32_t rwx, const uint8_t *src)
{
    pageinfo.linaddr = lin;
    pageinfo.srcpge = (uint32_t)src;
    pageinfo.secinfo = (uint32_t)&secinfo;
    pageinfo.secs = SECS_PAGE;
    secinfo.flags = type << 8 | rwx;
    return encls(EADD, (uint32_t)&pageinfo, page, 0);
}

static int eextend_page(uint32_t page)
{
    int ok = 1;
    for (uint32_t c = 0; c < PG; c += 256)
        ok &= encls(EEXTEND, SECS_PAGE, page + c, 0).fault == 0;
    return ok;
}

static int all_ones(const volatile uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i] != 0xff)
            return 0;
    return 1;
}

/* 38.3 and 38.5.1: every access from outside to a page not in use. */
static void abort_page_outside(void)
{
    volatile uint32_t *epc = (volatile uint32_t *)UNUSED_PAGE;
    check_eq("cpu_read_paging_off_all_ones", epc[0], 0xffffffffu);
    epc[1] = 0x12345678u;
    check_eq("cpu_write_paging_off_dropped", epc[1], 0xffffffffu);

    struct outcome o = run64(t64_load, 0, UNUSED_PAGE + 8, 0, 0);
    check_eq("cpu_read_paging_on_no_fault", o.fault, 0);
    check_eq64("cpu_read_paging_on_all_ones", o.rax, ~0ULL);
    run64(t64_store, 0x0123456789abcdefULL, UNUSED_PAGE + 8, 0, 0);
    o = run64(t64_load, 0, UNUSED_PAGE + 8, 0, 0);
    check_eq64("cpu_write_paging_on_dropped", o.rax, ~0ULL);

    /* A fetch reads the abort page's FF FF: no instruction, #UD. */
    o = run64(t64_jump, 0, UNUSED_PAGE, 0, 0);
    check_eq("cpu_fetch_ud", o.fault, UD);

    /* The walker reads a page table in the EPC as all ones: reserved
     * bits set, a #PF with RSVD (vol. 3A 4.7). */
    const uint64_t saved = lm64_pd[WALK_PDE];
    lm64_pd[WALK_PDE] = UNUSED_PAGE | 0x7; /* P, RW, US: a table */
    o = run64(t64_load, 0, WALK_VA + 0x40, 0, 0);
    lm64_pd[WALK_PDE] = saved;
    check_eq("walk_pf", o.fault, PF);
    check_eq("walk_pf_rsvd", o.error & (PF_P | PF_RSVD), PF_P | PF_RSVD);

    /* SMM: the EPC is processor-reserved memory (38.5). */
    smm_mailbox.param = UNUSED_PAGE;
    smi(SMM_CMD_READ);
    check_eq("smm_read_all_ones", smm_mailbox.readback, 0xffffffffu);
    smi(SMM_CMD_WRITE);
    smi(SMM_CMD_READ);
    check_eq("smm_write_dropped", smm_mailbox.readback, 0xffffffffu);
}

/* ENCLS's mode checks (vol. 2A, ENCLS and ENCLU). */
static void mode_checks(void)
{
    check_eq("encls_cpl3_ud", at_cpl3(r3_encls, 0), UD);
    check_eq("enclu_cpl0_ud", run64(t64_enclu, 2, 0, 0, 0).fault, UD);
    struct outcome o = encls(0x20, 0, 0, 0);
    check_eq("encls_undefined_leaf_gp", o.fault, GP);
    check_eq("encls_undefined_leaf_gp_error", o.error, 0);
}

/* Writes and reads from outside, aimed at an enclave page (EADDed, not
 * yet EEXTENDed). */
static void outside_meets_enclave_page(int dma_ok)
{
    const uint32_t page = EPC_PAGE(2);
    volatile uint32_t *p = (volatile uint32_t *)page;
    check_eq("enclave_page_cpu_read_all_ones", p[0], 0xffffffffu);
    p[0] = 0;
    run64(t64_store, 0, page + 0x100, 0, 0);
    smm_mailbox.param = page + 0x200;
    smi(SMM_CMD_WRITE);
    smi(SMM_CMD_READ);
    check_eq("enclave_page_smm_read_all_ones", smm_mailbox.readback,
             0xffffffffu);
    if (!dma_ok)
        return;
    /* A device writes the page (disk sector 0), then reads it out. */
    dma(ATA_READ_DMA, 0, page + 0x400);
    check("dma_read_epc_to_disk", dma(ATA_WRITE_DMA, 1, page));
    for (unsigned i = 0; i < SECTOR; i++)
        ram_buf[i] = 0;
    check("dma_disk_back_to_ram", dma(ATA_READ_DMA, 1, (uint32_t)ram_buf));
    check("dma_read_of_epc_all_ones", all_ones(ram_buf, SECTOR));
}

/*
 * ECREATE, EADD and EEXTEND, then EINIT with the host's MRENCLAVE @mr:
 * 1 if all succeeded. With @checks, each leaf's faults are checked too,
 * and outside writes and reads aim at the code page between its EADD
 * and its EEXTEND.
 */
static int build_enclave(int variant, const uint8_t mr[32], int checks,
                         int dma_ok)
{
    build_sources(variant);
    pageinfo.linaddr = 0;
    pageinfo.srcpge = (uint32_t)secs_src;
    pageinfo.secinfo = (uint32_t)&secinfo;
    pageinfo.secs = 0;
    secinfo.flags = PT_SECS << 8;
    const uint32_t info = (uint32_t)&pageinfo;
    struct outcome o;
    if (checks) {
        /* ECREATE Operation: RCX aligned, in the EPC, the page free. */
        o = encls(ECREATE, info, SECS_PAGE + 8, 0);
        check_eq("ecreate_unaligned_gp", o.fault, GP);
        o = encls(ECREATE, info, (uint32_t)ram_buf & ~(PG - 1), 0);
        check_eq("ecreate_outside_epc_pf", o.fault, PF);
        check_eq("ecreate_outside_epc_pf_sgx", o.error & (PF_SGX | PF_P),
                 PF_SGX | PF_P);
    }
    const int created = encls(ECREATE, info, SECS_PAGE, 0).fault == 0;
    if (checks) {
        check("ecreate", created);
        o = encls(ECREATE, info, SECS_PAGE, 0);
        check_eq("ecreate_page_in_use_pf", o.fault, PF);
    }
    /* EADD Operation. */
    const int added =
        eadd(EPC_PAGE(1), ENCL_BASE + TCS_OFF, PT_TCS, 0, tcs_src).fault ==
            0 &&
        eadd(EPC_PAGE(2), ENCL_BASE + CODE_OFF, PT_REG, SI_R | SI_X,
             code_src).fault == 0 &&
        eadd(EPC_PAGE(3), ENCL_BASE + SSA_OFF, PT_REG, SI_R | SI_W,
             ssa_src).fault == 0 &&
        eadd(EPC_PAGE(4), ENCL_BASE + DATA_OFF, PT_REG, SI_R | SI_W,
             data_src).fault == 0 &&
        eadd(EPC_PAGE(5), ENCL_BASE + TCS2_OFF, PT_TCS, 0, tcs2_src)
                .fault == 0 &&
        eadd(EPC_PAGE(6), ENCL_BASE + SSA2_OFF, PT_REG, SI_R | SI_W,
             ssa_src).fault == 0;
    if (checks) {
        check("eadd", added);
        check_eq("eadd_outside_elrange_gp",
                 eadd(SPARE_PAGE, ENCL_BASE + ENCL_SIZE, PT_REG, SI_R,
                      code_src).fault, GP);
        outside_meets_enclave_page(dma_ok);
        /* EEXTEND Operation: 256-byte chunks of the enclave's pages. */
        check_eq("eextend_unaligned_gp",
                 encls(EEXTEND, SECS_PAGE, EPC_PAGE(1) + 8, 0).fault, GP);
    }
    const int extended = eextend_page(EPC_PAGE(1)) &&
                         eextend_page(EPC_PAGE(2)) &&
                         eextend_page(EPC_PAGE(5));
    if (checks) {
        check("eextend", extended);
        /* EINIT Operation: the measurement the SIGSTRUCT names. */
        for (unsigned i = 0; i < 32; i++)
            sigstruct[960 + i] = (uint8_t)~mr[i];
        o = encls(EINIT, (uint32_t)sigstruct, SECS_PAGE, (uint32_t)token);
        check_eq("einit_wrong_hash_no_fault", o.fault, 0);
        check_eq64("einit_wrong_hash_error", o.rax,
                   SGX_INVALID_MEASUREMENT);
        check("einit_wrong_hash_zf", (o.flags & FLAG_ZF) != 0);
    }
    for (unsigned i = 0; i < 32; i++)
        sigstruct[960 + i] = mr[i];
    o = encls(EINIT, (uint32_t)sigstruct, SECS_PAGE, (uint32_t)token);
    const int inited = o.fault == 0 && o.rax == 0;
    if (checks) {
        check_eq("einit_no_fault", o.fault, 0);
        check_eq64("einit_measurement_matches_host", o.rax, 0);
        check("einit_zf_clear", (o.flags & FLAG_ZF) == 0);
        o = encls(EINIT, (uint32_t)sigstruct, SECS_PAGE, (uint32_t)token);
        check_eq("einit_twice_gp", o.fault, GP);
        check_eq("eadd_after_einit_gp",
                 eadd(SPARE_PAGE, ENCL_BASE + 0x7000, PT_REG, SI_R,
                      code_src).fault, GP);
        check_eq("enclave_page_still_hidden",
                 *(volatile uint32_t *)EPC_PAGE(2), 0xffffffffu);
    }
    return created && added && extended && inited;
}

/* EREMOVE Operation: the pages first, then the SECS; 1 if all went. */
static int remove_enclave(int checks)
{
    struct outcome o;
    if (checks) {
        o = encls(EREMOVE, 0, SECS_PAGE, 0);
        check_eq64("eremove_secs_child_present", o.rax, SGX_CHILD_PRESENT);
        check("eremove_secs_child_present_zf", (o.flags & FLAG_ZF) != 0);
    }
    int removed = 1;
    for (uint32_t i = 1; i <= 6; i++) {
        o = encls(EREMOVE, 0, EPC_PAGE(i), 0);
        removed &= o.fault == 0 && o.rax == 0;
    }
    o = encls(EREMOVE, 0, SECS_PAGE, 0);
    removed &= o.fault == 0 && o.rax == 0 && !(o.flags & FLAG_ZF);
    if (checks) {
        check("eremove", removed);
        o = encls(EREMOVE, 0, FREE_PAGE, 0);
        check_eq64("eremove_free_page", o.rax, 0);
        check_eq("eremove_outside_epc_pf",
                 encls(EREMOVE, 0, (uint32_t)ram_buf & ~(PG - 1), 0).fault,
                 PF);
        check_eq("freed_page_still_hidden",
                 *(volatile uint32_t *)EPC_PAGE(2), 0xffffffffu);
    }
    return removed;
}

static volatile uint32_t *apic(unsigned reg)
{
    return (volatile uint32_t *)(APIC_BASE + reg);
}

/*
 * EENTER the enclave at CPL 3 with interrupts on; the enclave raises an
 * SMI and starts the local APIC's timer, and both come back through the
 * AEP (tests.S). What at_cpl3 says: the timer's vector is the one
 * exception logged. The seal key goes to seal_key[@run].
 */
static uint32_t run_enclave(int run)
{
    for (unsigned i = 0; i < 8; i++)
        enclave_out[i] = 0;
    enclave_out[5] = (uint32_t)&aep_count;
    enclave_out[6] = run == 0 ? (uint32_t)milestone : 0;
    aep_count = 0;
    wrmsr(IA32_APIC_BASE, APIC_BASE | 0x900); /* enabled, BSP */
    *apic(APIC_SVR) |= 0x100;
    *apic(APIC_TIMER_DIV) = 0xb; /* divide by 1 */
    *apic(APIC_LVT_TIMER) = TIMER_VECTOR; /* one shot, unmasked */
    t64_args.rbx = ENCL_BASE + TCS_OFF;
    t64_args.rdx = (uint32_t)enclave_out;
    const uint32_t r = at_cpl3_rflags(r3_enter, 0x2 | RFLAGS_IF);
    *apic(APIC_EOI) = 0;
    wrmsr(IA32_APIC_BASE, 0xfee00000u | 0x900);
    seal_key[run][0] = enclave_out[2];
    seal_key[run][1] = enclave_out[3];
    return r;
}

/* ENCLU at CPL 3 with these operands: at_cpl3's result. */
static uint32_t enclu3(uint32_t leaf, uint32_t rbx, uint32_t rcx)
{
    t64_args.rax = leaf;
    t64_args.rbx = rbx;
    t64_args.rcx = rcx;
    t64_args.rdx = 0;
    return at_cpl3(r3_enclu, 0);
}

/* EENTER, EGETKEY, AEX and ERESUME, EEXIT (SDM 41.4, 40.4). */
static void run_checks(void)
{
    const uint32_t smis = smm_mailbox.count;
    check_eq("eenter_eexit_timer_at_aep", run_enclave(0),
             0x100 | TIMER_VECTOR);
    check_eq64("enclave_wrote_its_page", enclave_out[0], MARKER);
    check_eq64("egetkey_success", enclave_out[1], 0);
    check("egetkey_key_nonzero", (seal_key[0][0] | seal_key[0][1]) != 0);
    check_eq64("aex_eresume_twice", enclave_out[4], 2);
    check_eq("smi_taken_in_enclave", smm_mailbox.count - smis, 1);
    /* The SMI's save area holds the synthetic state (40.3.1). */
    check_eq64("smm_saw_aep", mb_save64(SMM_RIP), (uint32_t)r3_aep);
    check_eq64("smm_saw_synthetic_rax", mb_save64(SMM_RAX), ERESUME);
    check_eq64("smm_saw_synthetic_rbx", mb_save64(SMM_RBX),
               ENCL_BASE + TCS_OFF);
    check_eq64("smm_saw_no_enclave_r15", mb_save64(SMM_R15), 0);
    check_eq("enclave_data_hidden_outside",
             *(volatile uint32_t *)EPC_PAGE(4), 0xffffffffu);
    run_enclave(1);
    check("egetkey_deterministic", seal_key[1][0] == seal_key[0][0] &&
                                       seal_key[1][1] == seal_key[0][1]);
    /* ENCLU outside an enclave, and EENTER on a page that is no TCS. */
    check_eq("eexit_outside_gp", enclu3(EEXIT, 0, 0), 1);
    check_eq("egetkey_outside_gp", enclu3(EGETKEY, 0, 0), 1);
    check_eq("enclu_undefined_leaf_gp", enclu3(9, 0, 0), 1);
    check_eq("eenter_not_a_tcs_pf",
             enclu3(EENTER, ENCL_BASE + CODE_OFF, (uint32_t)r3_aep), PF);
}

int kmain(uint32_t magic, uint32_t mbi)
{
    cmdline_init(magic, mbi);
    plat_smm_install(smm_handler_start,
                     smm_handler_end - smm_handler_start);
    image_start("sgx-conformance");
    ring3_init();
    smi(SMM_CMD_RECORD); /* the handler's first SMI sets the SMRRs */
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_NE));
    const int have_mr = parse_digest("mrenclave=", mrenclave[0]);
    check("mrenclave_given", have_mr);
    const int have_mr2 = parse_digest("mrenclave2=", mrenclave[1]);
    check("mrenclave2_given", have_mr2);
    const int rounds = cmdline_number("bench=", 0);
    if (rounds > 0) {
        const int built = build_enclave(0, mrenclave[0], 0, 0);
        check("enclave_built", built);
        if (built)
            sgx_bench((unsigned)rounds);
        check("enclave_removed", remove_enclave(0));
        return check_verdict("sgx_bench");
    }
    const char *m = cmdline_value("milestone=");
    milestone = !m ? 0 : m[0] == 'c' ? 1 : m[0] == 's' ? 2 : 0;
    const int dev = find_ide();
    const int dma_ok = dev >= 0 && ide_setup(dev);
    check("ide_controller_found", dma_ok);

    abort_page_outside();
    mode_checks();
    if (build_enclave(0, mrenclave[0], 1, dma_ok))
        run_checks();
    remove_enclave(1);

    /* Another enclave (one byte apart) gets another seal key. */
    const int built = build_enclave(1, mrenclave[1], 0, 0);
    check("enclave2_built", built);
    if (built) {
        run_enclave(2);
        check("egetkey_bound_to_enclave",
              seal_key[2][0] != seal_key[0][0] ||
                  seal_key[2][1] != seal_key[0][1]);
    }
    check("enclave2_removed", remove_enclave(0));
    return check_verdict("sgx_conformance");
}
