/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * scotch-m5: gem5's pseudo-instructions for dom0's init on gem5.
 *
 *   scotch-m5 exit | checkpoint | workbegin | workend | dumpstats
 *   scotch-m5 readfile > FILE
 *
 * readfile copies the host file the run's config names (gem5's
 * System.readfile) to standard output: how dom0 learns a run's
 * parameters after a checkpoint restore, which brings back RAM and
 * disk as they were at the checkpoint.
 *
 * gem5 decodes 0F 04 imm16 as a pseudo-instruction at any privilege
 * level, so a PV dom0's user space (ring 3 under Xen) can use it with
 * no driver. It is the m5 utility's x86 ABI (util/m5/src/abi/x86),
 * written out here so the image needs nothing from gem5's tree. On
 * anything but gem5 the opcode is undefined: the program dies of
 * SIGILL, so dom0-init runs it only when told it is on gem5.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* include/gem5/asm/generic/m5ops.h */
#define M5OP_EXIT 0x21
#define M5OP_DUMP_STATS 0x41
#define M5OP_CHECKPOINT 0x43
#define M5OP_READ_FILE 0x50
#define M5OP_WORK_BEGIN 0x5a
#define M5OP_WORK_END 0x5b

/*
 * dom0's window (dom0-init: m5 workbegin, m5 workend) has a work id of
 * its own, so gem5_configs/xen_boot.py (WINDOW_WORK_ID) tells it from a
 * PARSEC program's region of interest in a domU, which has work id 0 as
 * gem5's own PARSEC resources give it.
 */
#define SCOTCH_WINDOW_WORK_ID 0x5c07

#define M5OP(func)                                                    \
    static uint64_t op_##func(uint64_t a, uint64_t b)                 \
    {                                                                 \
        uint64_t r;                                                   \
        __asm__ volatile(".byte 0x0f, 0x04\n\t.word %c3"              \
                         : "=a"(r)                                    \
                         : "D"(a), "S"(b), "i"(func)                  \
                         : "memory");                                 \
        return r;                                                     \
    }
M5OP(M5OP_EXIT)
M5OP(M5OP_DUMP_STATS)
M5OP(M5OP_CHECKPOINT)
M5OP(M5OP_WORK_BEGIN)
M5OP(M5OP_WORK_END)

/* m5_read_file(buffer, len, offset): bytes copied, 0 at the end. */
static uint64_t read_file_chunk(void *buf, uint64_t len, uint64_t offset)
{
    uint64_t r;
    __asm__ volatile(".byte 0x0f, 0x04\n\t.word %c4"
                     : "=a"(r)
                     : "D"(buf), "S"(len), "d"(offset),
                       "i"(M5OP_READ_FILE)
                     : "memory");
    return r;
}

static int read_file(void)
{
    static char buf[4096];
    uint64_t offset = 0;
    for (;;) {
        /* gem5 writes through the page tables: the pages must be in. */
        memset(buf, 0, sizeof(buf));
        const uint64_t n = read_file_chunk(buf, sizeof(buf), offset);
        if (n == 0)
            break;
        if (fwrite(buf, 1, n, stdout) != n)
            return 1;
        offset += n;
    }
    return fflush(stdout) != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: scotch-m5 exit|checkpoint|workbegin|"
                        "workend|dumpstats|readfile\n");
        return 2;
    }
    const char *cmd = argv[1];
    /* Arguments are the m5 utility's: delay 0, period 0; thread id 0. */
    if (strcmp(cmd, "exit") == 0)
        op_M5OP_EXIT(0, 0);
    else if (strcmp(cmd, "checkpoint") == 0)
        op_M5OP_CHECKPOINT(0, 0);
    else if (strcmp(cmd, "workbegin") == 0)
        op_M5OP_WORK_BEGIN(SCOTCH_WINDOW_WORK_ID, 0);
    else if (strcmp(cmd, "workend") == 0)
        op_M5OP_WORK_END(SCOTCH_WINDOW_WORK_ID, 0);
    else if (strcmp(cmd, "dumpstats") == 0)
        op_M5OP_DUMP_STATS(0, 0);
    else if (strcmp(cmd, "readfile") == 0)
        return read_file();
    else {
        fprintf(stderr, "scotch-m5: unknown command '%s'\n", cmd);
        return 2;
    }
    return 0;
}
