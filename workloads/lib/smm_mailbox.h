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
#define MB_SEEN 24     /* set to 1 by every SMI: lets code wait for one */
#define MB_NO_CMDS 28  /* nonzero: run no command (SMIs that code did not
                          raise, e.g. random ones, find anything in AL) */
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
/* Load CR3 with param in SMM and read it back (RSM restores the saved
 * CR3): a CR3 load that a hardware SMI trigger must ignore. */
#define SMM_CMD_CR3 0xa8
/* The 32-bit word at physical address param: read it into readback
 * (0xa9), or write SMM_WRITE_VALUE there (0xaa): SMM's view of memory
 * it may not see (the EPC). */
#define SMM_CMD_READ 0xa9
#define SMM_CMD_WRITE 0xaa
#define SMM_WRITE_VALUE 0x5353a5a5

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
    volatile uint32_t seen;
    volatile uint32_t no_cmds;
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

/*
 * An SMI raised by OUT to the APM port lands at the next instruction on
 * hardware (the OUT completes before the next instruction starts) and on
 * QEMU; gem5's O3 CPU takes it a few instructions later. So code that
 * raises one waits, changing only the flags, until the handler has set
 * `seen`; anything the test then compares is still as it was at the OUT.
 */

/** Raise an SMI through the APM port with command cmd; wait for it. */
static inline void smi(uint8_t cmd)
{
    smm_mailbox.seen = 0;
    __asm__ volatile("outb %0, $0xb2\n"
                     "1: cmpl $0, %1\n"
                     "   je 1b"
                     : : "a"(cmd), "m"(smm_mailbox.seen) : "memory", "cc");
}

/** Wait until count reaches target (a latched SMI); 0 if it never does. */
static inline int smi_wait_count(uint32_t target)
{
    for (uint32_t i = 0; i < 100000000u; i++)
        if (smm_mailbox.count >= target)
            return 1;
    return 0;
}
#endif

#endif
