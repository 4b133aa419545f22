/*
 * Where the test SMM handler leaves its evidence: normal RAM, outside
 * SMRAM, so that code outside SMM can check what the handler saw.
 */
#ifndef WORKLOADS_SMM_MAILBOX_H
#define WORKLOADS_SMM_MAILBOX_H

#define MB_COUNT 0  /* SMIs taken */
#define MB_SAVE 16  /* copy of SMBASE + 0xFE00 .. + 0xFFFF */
#define MB_SIZE (16 + 0x200)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct smm_mailbox {
    volatile uint32_t count;
    uint32_t reserved[3];
    uint8_t save[0x200];
};

extern struct smm_mailbox smm_mailbox;
extern const uint8_t smm_handler_start[], smm_handler_end[];

/** Read a field of the copied save area by its SMBASE-relative offset. */
static inline uint32_t mb_save32(unsigned smbase_off)
{
    return *(const uint32_t *)&smm_mailbox.save[smbase_off - 0xfe00];
}

static inline uint16_t mb_save16(unsigned smbase_off)
{
    return *(const uint16_t *)&smm_mailbox.save[smbase_off - 0xfe00];
}
#endif

#endif
