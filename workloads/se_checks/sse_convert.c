/*
 * sse_convert: the SSE conversions between general registers and scalar
 * floats, in their 32- and 64-bit register forms, printed as bit
 * patterns. Run on the host CPU and on gem5 (syscall emulation), the
 * outputs must be equal: the host is the oracle.
 *
 * gem5 24.0 decoded CVTSI2SS, CVTSS2SI, CVTTSS2SI and CVTSD2SI with a
 * 32-bit general register even under REX.W (patch 0019). Xen's xl, on
 * gem5, showed a domain's 3.39 s of CPU time as -0.9 s: its uint64 ->
 * float conversion went through the low 32 bits.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const int64_t INTS[] = {
    0, 1, -1, 2147483647LL, -2147483647LL - 1, 3390000000LL,
    5000000000LL, -5000000000LL, 9007199254740993LL, INT64_MAX, INT64_MIN,
};
/* In range of int64 (and of int32 for the first five). */
static const double REALS[] = {
    0.0, 1.5, -2.5, 2147483520.0, -2147483648.0,
    3.39e9, 5e9, -5e9, 1.0e18, -9.2e18,
};

static uint32_t fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    return u;
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

int main(void)
{
    for (size_t i = 0; i < N(INTS); i++) {
        int64_t q = INTS[i];
        int32_t l = (int32_t)q;
        float f;
        double d;
        __asm__("cvtsi2ssq %1, %0" : "=x"(f) : "r"(q));
        printf("cvtsi2ss r64 %lld -> 0x%08x\n", (long long)q, fbits(f));
        __asm__("cvtsi2sdq %1, %0" : "=x"(d) : "r"(q));
        printf("cvtsi2sd r64 %lld -> 0x%016llx\n", (long long)q,
               (unsigned long long)dbits(d));
        __asm__("cvtsi2ssl %1, %0" : "=x"(f) : "r"(l));
        printf("cvtsi2ss r32 %d -> 0x%08x\n", l, fbits(f));
        __asm__("cvtsi2sdl %1, %0" : "=x"(d) : "r"(l));
        printf("cvtsi2sd r32 %d -> 0x%016llx\n", l,
               (unsigned long long)dbits(d));
    }
    for (size_t i = 0; i < N(REALS); i++) {
        double d = REALS[i];
        float f = (float)d;
        int64_t q;
        __asm__("cvttss2si %1, %0" : "=r"(q) : "x"(f));
        printf("cvttss2si r64 0x%08x -> %lld\n", fbits(f), (long long)q);
        __asm__("cvtss2si %1, %0" : "=r"(q) : "x"(f));
        printf("cvtss2si r64 0x%08x -> %lld\n", fbits(f), (long long)q);
        __asm__("cvttsd2si %1, %0" : "=r"(q) : "x"(d));
        printf("cvttsd2si r64 %.17g -> %lld\n", d, (long long)q);
        __asm__("cvtsd2si %1, %0" : "=r"(q) : "x"(d));
        printf("cvtsd2si r64 %.17g -> %lld\n", d, (long long)q);
        if (i < 5) {
            int32_t l;
            __asm__("cvttss2si %1, %0" : "=r"(l) : "x"(f));
            printf("cvttss2si r32 0x%08x -> %d\n", fbits(f), l);
            __asm__("cvtsd2si %1, %0" : "=r"(l) : "x"(d));
            printf("cvtsd2si r32 %.17g -> %d\n", d, l);
        }
    }
    return 0;
}
