/*
 * A CPU-bound workload without SMIs, for measuring simulator speed:
 * digits of pi with Rabinowitz and Wagon's spigot (integer only).
 */
#include <stdint.h>

#include "console.h"
#include "platform.h"

#define DIGITS 600
#define LEN (DIGITS * 10 / 3 + 1)

static uint32_t a[LEN];

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    console_init();
    plat_init();
    for (int i = 0; i < LEN; i++)
        a[i] = 2;
    uint32_t nines = 0, predigit = 0, sum = 0, printed = 0;
    for (int j = 0; j < DIGITS; j++) {
        uint32_t q = 0;
        for (int i = LEN - 1; i >= 0; i--) {
            uint32_t x = 10 * a[i] + q * (i + 1);
            a[i] = x % (2 * i + 1);
            q = x / (2 * i + 1);
        }
        a[0] = q % 10;
        q /= 10;
        if (q == 9) {
            nines++;
        } else if (q == 10) {
            sum += predigit + 1;
            predigit = 0;
            printed += nines + 1;
            nines = 0;
        } else {
            if (j)
                sum += predigit, printed++;
            predigit = q;
            printed += nines;
            sum += 9 * nines;
            nines = 0;
        }
    }
    kprintf("pi_digits=%u digit_sum=%u\n", printed, sum);
    kprintf("compute: PASS\n");
    return 0;
}
