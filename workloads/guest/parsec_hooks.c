/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * parsec_hooks: PARSEC's hooks API (pkgs/libs/hooks/src/include/hooks.h)
 * for the real PARSEC programs `scotch parsec build` links, instead of
 * PARSEC's libhooks.
 *
 * The region of interest is marked as gem5's own PARSEC resources mark
 * it: __parsec_roi_begin() executes gem5's m5 work begin and
 * __parsec_roi_end() work end (0F 04 with function 0x5a / 0x5b, work id
 * 0, thread 0; the m5 utility's x86 ABI, as scotch-m5.c), so gem5's
 * statistics can be cut at the ROI. Only when the environment says
 * SCOTCH_M5=1: on anything but gem5 the opcode is undefined (SIGILL).
 * Otherwise they do nothing but write a one-line marker on stderr
 * (stderr, so the program's standard output, which parsec-run
 * checksums, stays PARSEC's own).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M5OP_WORK_BEGIN 0x5a
#define M5OP_WORK_END 0x5b

#define M5OP(func)                                                    \
    __asm__ volatile(".byte 0x0f, 0x04\n\t.word %c2"                  \
                     :                                                \
                     : "D"((uint64_t)0), "S"((uint64_t)0), "i"(func)  \
                     : "rax", "memory")

static int on_gem5(void)
{
    const char *m5 = getenv("SCOTCH_M5");
    return m5 != NULL && strcmp(m5, "1") == 0;
}

void __parsec_bench_begin(int bench)
{
    (void)bench;
}

void __parsec_bench_end(void)
{
}

void __parsec_roi_begin(void)
{
    if (on_gem5()) {
        M5OP(M5OP_WORK_BEGIN);
        return;
    }
    fputs("SCOTCH-PARSEC-ROI begin (no m5: SCOTCH_M5 unset)\n", stderr);
}

void __parsec_roi_end(void)
{
    if (on_gem5()) {
        M5OP(M5OP_WORK_END);
        return;
    }
    fputs("SCOTCH-PARSEC-ROI end\n", stderr);
}
