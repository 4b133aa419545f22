/*
 * naps: a domU that blocks often, for Xen's switch path. Every iteration
 * sleeps NAP_US microseconds (the guest kernel goes idle and its vCPU
 * blocks in Xen, which switches to another vCPU) and then hashes a
 * 4 KiB buffer, a small burst of work after the wake. Beside a CPU-bound
 * domU this makes two Xen context switches per iteration; the checksum
 * is the hashes', a pure function of the iteration count.
 */
#include "common.h"

#include <errno.h>
#include <time.h>

#define NAP_US 50
#define WORDS 512

static uint64_t buffer[WORDS];

static void init(void)
{
    rng_t r = rng_seed(0x6e617073);
    for (int i = 0; i < WORDS; i++)
        buffer[i] = rng_next(&r);
}

static uint64_t step(uint64_t iteration)
{
    struct timespec nap = {0, NAP_US * 1000L};
    while (nanosleep(&nap, &nap) && errno == EINTR)
        ;
    uint64_t hash = fold64(FOLD_INIT, iteration);
    for (int i = 0; i < WORDS; i++)
        hash = fold64(hash, buffer[i] ^ iteration);
    return hash;
}

static const struct workload naps = {
    .name = "naps",
    .init = init,
    .step = step,
};

int main(int argc, char **argv)
{
    return workload_main(argc, argv, &naps);
}
