/* The driver every guest workload shares: arguments, the iteration loop
 * with its time budget, the checksum, the result line (see common.h). */
#include "common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(const char *prog, FILE *out)
{
    fprintf(out,
            "usage: %s [--name NAME] [--seconds S] [--iterations N]\n"
            "Runs iterations until S seconds have passed (default 3) or N\n"
            "are done, then prints one line:\n"
            "SCOTCH-WORK name=NAME workload=W seconds=T iterations=N "
            "checksum=C\n",
            prog);
}

static int parse_number(const char *prog, const char *opt, const char *text,
                        double *value)
{
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    if (errno || end == text || *end || !(*value >= 0)) {
        fprintf(stderr, "%s: %s wants a number >= 0, not '%s'\n", prog, opt,
                text);
        return -1;
    }
    return 0;
}

int workload_main(int argc, char **argv, const struct workload *w)
{
    const char *prog = argc > 0 ? argv[0] : w->name;
    const char *name = "unnamed";
    double budget = -1, limit = -1;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            usage(prog, stdout);
            return 0;
        }
        if (i + 1 >= argc || (strcmp(opt, "--name") &&
                              strcmp(opt, "--seconds") &&
                              strcmp(opt, "--iterations"))) {
            usage(prog, stderr);
            return 1;
        }
        const char *arg = argv[++i];
        if (!strcmp(opt, "--name")) {
            name = arg;
        } else if (parse_number(prog, opt, arg,
                                opt[2] == 's' ? &budget : &limit)) {
            return 1;
        }
    }
    if (budget < 0 && limit < 0)
        budget = 3;

    double start = now_seconds(), elapsed = 0;
    uint64_t hash = FOLD_INIT, n = 0;
    if (w->init)
        w->init();
    for (;;) {
        if (limit >= 0 && (double)n >= limit)
            break;
        hash = fold64(hash, w->step(n));
        n++;
        elapsed = now_seconds() - start;
        if (budget >= 0 && elapsed >= budget)
            break;
    }
    if (w->finish)
        hash = fold64(hash, w->finish(n));
    elapsed = now_seconds() - start;
    if (w->report)
        w->report();
    printf("SCOTCH-WORK name=%s workload=%s seconds=%.3f iterations=%llu "
           "checksum=%llu\n",
           name, w->name, elapsed, (unsigned long long)n,
           (unsigned long long)hash);
    fflush(stdout);
    return 0;
}

void workload_fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("SCOTCH-WORK-ERROR ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

uint64_t fold64(uint64_t hash, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        hash ^= (v >> (8 * i)) & 0xff;
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

uint64_t double_bits(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

double rng_double(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

uint64_t rng_below(rng_t *r, uint64_t n)
{
    /* Rejection keeps it uniform; the loop almost never repeats. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = rng_next(r);
    while (v >= limit);
    return v % n;
}

/* fdlibm's split of ln 2: the high part has 32 trailing zero bits, so
 * k * LN2_HI is exact for every exponent k. */
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double LOG2E = 1.44269504088896338700e+00;

/* n! for n = 0..14, exact in a double. */
static const double FACTORIAL[15] = {
    1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0,
    3628800.0, 39916800.0, 479001600.0, 6227020800.0, 87178291200.0,
};

double sc_exp(double x)
{
    if (x != x)
        return x;
    if (x > 709.78)
        return HUGE_VAL;
    if (x < -745.2)
        return 0.0;
    double t = x * LOG2E;
    int k = (int)(t + (t >= 0 ? 0.5 : -0.5));
    double r = (x - k * LN2_HI) - k * LN2_LO; /* |r| <= 0.35 */
    /* Taylor series to r^14 / 14!: the rest is below 1e-17. */
    double p = 1.0 / FACTORIAL[14];
    for (int i = 13; i >= 0; i--)
        p = p * r + 1.0 / FACTORIAL[i];
    return ldexp(p, k);
}

double sc_log(double x)
{
    if (x != x || x < 0)
        return NAN;
    if (x == 0)
        return -HUGE_VAL;
    if (x == HUGE_VAL)
        return x;
    int e;
    double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2;
        e--;
    }
    /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172. */
    double s = (m - 1) / (m + 1), s2 = s * s;
    double p = 1.0 / 23;
    for (int i = 21; i >= 1; i -= 2)
        p = p * s2 + 1.0 / i;
    return e * LN2_HI + (e * LN2_LO + 2 * s * p);
}
