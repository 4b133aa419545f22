/*
 * Where the test SMM handler leaves its evidence: normal RAM, outside
 * SMRAM, so that code outside SMM can check what the handler saw.
 */
#ifndef WORKLOADS_SMM_MAILBOX_H
#define WORKLOADS_SMM_MAILBOX_H

#define MB_COUNT 0     /* SMIs taken */
#define MB_DEPTH 4     /* 1 while the handler runs */
#define MB_NESTED 8    /* SMIs that started while the handler ran */
#define MB_PARAM 12    /* argument of a command */
#define MB_READBACK 16 /* a command's result */
#define MB_SMM_CS 20   /* CS selector in SMM (SMBASE >> 4) */
#define MB_SAVE 32     /* copy of SMBASE + 0xFE00 .. + 0xFFFF */
#define MB_SIZE (32 + 0x200)

/* Commands: the low byte of EAX when the SMI is raised. */
#define SMM_CMD_RECORD 0x5a   /* copy the save area (any other value too) */
#define SMM_CMD_RELOCATE 0xa1 /* SMBASE := param at RSM */
#define SMM_CMD_NESTED 0xa2   /* raise another SMI from inside SMM */
#define SMM_CMD_NMI 0xa3      /* send this CPU an NMI from inside SMM */
#define SMM_CMD_TOUCH 0xa4    /* write param to SMRAM scratch, read back */
#define SMM_CMD_PEEK 0xa5     /* read SMRAM scratch */
/* gem5 only: latch an SMI, then ask gem5 to checkpoint (0xa6) or to
 * switch CPU models (0xa7) while in SMM. */
#define SMM_CMD_CHECKPOINT 0xa6
#define SMM_CMD_SWITCH 0xa7
/* SMRAM scratch word, SMBASE-relative (inside SMRAM, below the handler). */
#define SMM_SCRATCH 0x7000

#ifndef __ASSEMBLER__
#include <stdint.h>

struct smm_mailbox {
    volatile uint32_t count;
    volatile uint32_t depth;
    volatile uint32_t nested;
    volatile uint32_t param;
    volatile uint32_t readback;
    volatile uint32_t smm_cs;
    uint32_t reserved[2];
    uint8_t save[0x200];
};

extern struct smm_mailbox smm_mailbox;
extern const uint8_t smm_handler_start[], smm_handler_end[];

/** Read a field of the copied save area by its SMBASE-relative offset. */
static inline uint32_t mb_save32(unsigned smbase_off)
{
    return *(const uint32_t *)&smm_mailbox.save[smbase_off - 0xfe00];
}

static inline uint64_t mb_save64(unsigned smbase_off)
{
    return *(const uint64_t *)&smm_mailbox.save[smbase_off - 0xfe00];
}

static inline uint16_t mb_save16(unsigned smbase_off)
{
    return *(const uint16_t *)&smm_mailbox.save[smbase_off - 0xfe00];
}

/** Raise an SMI through the APM port with command cmd. */
static inline void smi(uint8_t cmd)
{
    __asm__ volatile("outb %0, $0xb2" : : "a"(cmd) : "memory");
}
#endif

#endif
