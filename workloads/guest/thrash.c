/*
 * thrash: RQ3's interference attacker. Every iteration walks a buffer
 * of THRASH_BYTES one cache line at a time, reading and writing each
 * line. The size comes from the victims': the largest working set among
 * them (blackscholes' 16384 options, 512 KiB with its prices) fits the board's 1 MiB L2
 * (--l2), and four times the L2 makes every slice of thrash evict all of
 * it and keeps the memory bus busy with writebacks. The checksum folds
 * the lines' values: a pure function of the iteration count.
 */
#include "common.h"

#include <stdlib.h>

#define THRASH_BYTES (4u << 20)
#define LINE 64
#define WORDS (THRASH_BYTES / sizeof(uint64_t))

static uint64_t *buffer;

static void init(void)
{
    buffer = malloc(THRASH_BYTES);
    if (!buffer)
        workload_fail("thrash: no memory for %u bytes", THRASH_BYTES);
    rng_t r = rng_seed(0x7468726173680000);
    for (size_t i = 0; i < WORDS; i++)
        buffer[i] = rng_next(&r);
}

static uint64_t step(uint64_t iteration)
{
    uint64_t hash = FOLD_INIT;
    const size_t stride = LINE / sizeof(uint64_t);
    for (size_t i = 0; i < WORDS; i += stride) {
        buffer[i] = buffer[i] * UINT64_C(0x9e3779b97f4a7c15) + iteration;
        hash ^= buffer[i];
    }
    return fold64(FOLD_INIT, hash);
}

static const struct workload thrash = {
    .name = "thrash",
    .init = init,
    .step = step,
};

int main(int argc, char **argv)
{
    return workload_main(argc, argv, &thrash);
}
