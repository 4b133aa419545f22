/*
 * Shared by the guest workloads (statically linked x86-64 Linux programs
 * that run inside a Xen domU, or natively on the host for tests).
 *
 * Each program defines a `struct workload` and calls workload_main(),
 * which parses the command line
 *
 *   <program> [--name NAME] [--seconds S] [--iterations N]
 *
 * runs iterations until S seconds of wall-clock time have passed (checked
 * after each iteration; at least one runs) or N iterations are done,
 * whichever comes first, and prints one result line:
 *
 *   SCOTCH-WORK name=NAME workload=W seconds=T iterations=N checksum=C
 *
 * C is a 64-bit FNV-1a hash of the values the iterations returned (and of
 * the final value, if any): a pure function of N. Inputs come from the
 * seeded generator below, and the floating-point kernels use only IEEE
 * basic operations and sc_exp/sc_log (no libm transcendental functions,
 * whose results may differ between CPUs), so the host and a domU agree.
 */
#ifndef SCOTCH_GUEST_COMMON_H
#define SCOTCH_GUEST_COMMON_H

#include <stdint.h>

struct workload {
    const char *name;
    /* Optional: set-up before the first iteration (timed). */
    void (*init)(void);
    /* One iteration (0, 1, ...); its value goes into the checksum. */
    uint64_t (*step)(uint64_t iteration);
    /* Optional: work after the last iteration; folded in last. */
    uint64_t (*finish)(uint64_t iterations);
    /* Optional: extra output lines, printed before the result line. */
    void (*report)(void);
};

int workload_main(int argc, char **argv, const struct workload *w);

/* Print a message and exit with status 2 (a failed self-check). */
void workload_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* FNV-1a (64-bit) over the 8 little-endian bytes of v. */
uint64_t fold64(uint64_t hash, uint64_t v);
#define FOLD_INIT UINT64_C(0xcbf29ce484222325)

/* The bit pattern of a double (to fold floating-point results). */
uint64_t double_bits(double x);

/* A seeded generator: splitmix64. */
typedef struct { uint64_t s; } rng_t;
static inline rng_t rng_seed(uint64_t seed) { rng_t r = {seed}; return r; }
uint64_t rng_next(rng_t *r);
/* Uniform in [0, 1), 53 bits. */
double rng_double(rng_t *r);
/* Uniform in [0, n), n > 0. */
uint64_t rng_below(rng_t *r, uint64_t n);

/* exp and natural log from IEEE basic operations only (deterministic on
 * every x86-64 CPU); relative error below 1e-15 in the ranges used. */
double sc_exp(double x);
double sc_log(double x);

#endif
