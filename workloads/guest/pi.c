/*
 * pi: the first DIGITS decimal digits of pi with the Rabinowitz-Wagon
 * spigot (integer arithmetic only; O(DIGITS^2) divisions). Every
 * iteration computes them again and checks the start; it returns the
 * FNV-1a hash of the digit string ("31415..."). Prints the first 50
 * decimals on a line of its own: SCOTCH-PI digits=3.14159...
 */
#include "common.h"

#include <stdio.h>
#include <string.h>

#define DIGITS 500
#define LEN (10 * (DIGITS + 1) / 3 + 1)

static char digits[DIGITS + 2];

static void spigot(void)
{
    static uint32_t a[LEN];
    int out = 0, nines = 0, predigit = -1;
    for (int i = 0; i < LEN; i++)
        a[i] = 2;
    /* One digit more than kept: the last may still be corrected. */
    for (int j = 0; j <= DIGITS; j++) {
        uint32_t q = 0;
        for (uint32_t i = LEN; i > 0; i--) {
            uint32_t x = 10 * a[i - 1] + q * i;
            a[i - 1] = x % (2 * i - 1);
            q = x / (2 * i - 1);
        }
        a[0] = q % 10;
        q /= 10;
        if (q == 9) {
            nines++;
        } else if (q == 10) {
            digits[out++] = (char)('0' + predigit + 1);
            for (; nines > 0; nines--)
                digits[out++] = '0';
            predigit = 0;
        } else {
            if (predigit >= 0)
                digits[out++] = (char)('0' + predigit);
            predigit = (int)q;
            for (; nines > 0; nines--)
                digits[out++] = '9';
        }
        if (out >= DIGITS)
            break;
    }
    digits[DIGITS] = 0;
}

static uint64_t step(uint64_t iteration)
{
    (void)iteration;
    memset(digits, 0, sizeof digits);
    spigot();
    if (strncmp(digits, "31415926535897932384", 20))
        workload_fail("pi: wrong digits %.20s", digits);
    uint64_t hash = FOLD_INIT;
    for (int i = 0; i < DIGITS; i++) {
        hash ^= (unsigned char)digits[i];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

static void report(void)
{
    printf("SCOTCH-PI digits=3.%.50s\n", digits + 1);
}

static const struct workload pi = {
    .name = "pi",
    .step = step,
    .report = report,
};

int main(int argc, char **argv)
{
    return workload_main(argc, argv, &pi);
}
