/*
 * What Scotch's boot shim, SMM handler and tenant-side reader agree on:
 * where things live in SMRAM, the SMI command codes, the configuration
 * the shim provisions, and the layout of an exported ledger snapshot.
 * Freestanding (shim, handler) and hosted (reader) code both include it.
 */
#ifndef SCOTCH_ABI_H
#define SCOTCH_ABI_H

/*
 * SMRAM is the 128 KiB ASEG, 0xA0000..0xBFFFF (QEMU q35: the chipset
 * hides it once locked; gem5: the SMRR pair). SMBASE is 0xA0000, so the
 * handler starts at 0xA8000 and the state-save area is 0xAFE00..0xAFFFF.
 */
#define SCOTCH_SMBASE 0xa0000u
#define SCOTCH_HANDLER_ADDR (SCOTCH_SMBASE + 0x8000u)
/* The provisioned configuration, inside the handler image. */
#define SCOTCH_CONFIG_OFFSET 0x10u
#define SCOTCH_LEDGER_ADDR 0xb0000u /* the ledger, above the save area */
#define SCOTCH_STACK_TOP 0xbf000u

/* SMI commands: the byte written to the APM control port 0xB2. */
#define SCOTCH_CMD_SWITCH 0x5c /* Xen: a vCPU context switch */
#define SCOTCH_CMD_IRQ 0x5d    /* Xen: an I/O interrupt for a guest */
#define SCOTCH_CMD_EXPORT 0x5e /* anyone: export a MAC'd snapshot */
#define SCOTCH_CMD_HELLO 0x5f  /* the shim: first SMI, starts the ledger */

#define SCOTCH_CONFIG_MAGIC 0x47464353u   /* "SCFG" */
#define SCOTCH_KEYBLOCK_MAGIC 0x59454b53u /* "SKEY" */
#define SCOTCH_KEYBLOCK_VERSION 1
#define SCOTCH_LEDGER_MAGIC 0x47444c53u   /* "SLDG" */
#define SCOTCH_SNAPSHOT_MAGIC 0x4c544353u /* "SCTL" */
#define SCOTCH_SNAPSHOT_VERSION 1
#define SCOTCH_MAX_DOMAINS 64
#define SCOTCH_KEY_BYTES 32
#define SCOTCH_MAC_BYTES 32
#define SCOTCH_DOMID_UNKNOWN 0xffffffffu
#define SCOTCH_DOMID_IDLE 0x7fffu
/* Number of Xen layout values in struct scotch_config (scotch.off=). */
#define SCOTCH_NUM_OFFSETS 9

#ifndef __ASSEMBLER__
#include <stdint.h>

/** Provisioned by the shim before SMRAM is locked; read-only after. */
struct scotch_config {
    uint32_t magic;
    uint32_t flags;
    uint8_t key[SCOTCH_KEY_BYTES];
    /* Xen's layout, from xen-syms (scotch_plugin/xen/offsets.py). */
    uint32_t stack_size;
    uint32_t cpu_info_size;
    uint32_t cpu_info_regs;
    uint32_t cpu_info_current_vcpu;
    uint32_t regs_rdi;
    uint32_t regs_rsi;
    uint32_t vcpu_vcpu_id;
    uint32_t vcpu_domain;
    uint32_t domain_domain_id;
};

/**
 * How the MAC key reaches the shim: the machine's owner (the tenant's
 * verifier) places this block in RAM at an address given on the shim's
 * command line (scotch.keyblock=), out of band (QEMU: a generic loader
 * device, which no guest can read back); the shim copies the key into
 * SMRAM and wipes the block. The digest catches a block that something
 * loaded later (a module) overwrote.
 */
struct scotch_keyblock {
    uint32_t magic;
    uint32_t version;
    uint8_t key[SCOTCH_KEY_BYTES];
    uint8_t digest[32]; /* SHA-256 of key */
};

/** One domain's account. */
struct scotch_domain_entry {
    uint32_t domid;
    uint32_t reserved;
    uint64_t cycles;   /* TSC cycles charged: it was current */
    uint64_t switches; /* context-switch SMIs while it was current */
    uint64_t irqs;     /* I/O-interrupt SMIs while it was current */
};

/**
 * An exported snapshot: this header, ndomains entries, then
 * HMAC-SHA256(key, header || entries). Little endian.
 */
struct scotch_snapshot_header {
    uint32_t magic;
    uint16_t version;
    uint16_t ndomains;
    uint64_t seq;       /* strictly increasing per boot */
    uint64_t nonce;     /* the requester's, for freshness */
    uint64_t tsc_start; /* TSC at the first SMI (ledger start) */
    uint64_t tsc_now;   /* TSC at this export */
    uint64_t smis;      /* SMIs handled, all causes */
    uint64_t unknown_cycles; /* charged to no domain: lookup failed */
    uint32_t requester; /* domid that asked, or SCOTCH_DOMID_UNKNOWN */
    uint32_t lookup_failures;
};

#define SCOTCH_SNAPSHOT_BYTES(n) \
    (sizeof(struct scotch_snapshot_header) + \
     (n) * sizeof(struct scotch_domain_entry) + SCOTCH_MAC_BYTES)

#endif /* __ASSEMBLER__ */
#endif
