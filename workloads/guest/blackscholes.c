/*
 * blackscholes: PARSEC's blackscholes kernel, single-threaded. Prices a
 * portfolio of NOPTIONS European options with the Black-Scholes formula
 * (PARSEC's BlkSchlsEqEuroNoDiv and its polynomial CNDF, in float as
 * PARSEC's default fptype), the whole portfolio once per iteration as
 * PARSEC's NUM_RUNS loop does. The options come from the seeded
 * generator instead of PARSEC's input file, in the ranges of PARSEC's
 * inputs. Each iteration checks put-call parity on the portfolio and
 * returns the bits of the summed prices.
 *
 * PARSEC calls libm's exp, log and sqrt; here exp and log are sc_exp and
 * sc_log (common.c) so the prices are bit-identical on every CPU.
 */
#include "common.h"

#include <math.h>

#define NOPTIONS 16384
#define inv_sqrt_2xPI 0.39894228040143270286

typedef float fptype;

struct option {
    fptype s, strike, r, v, t;
    int otype; /* 0 call, 1 put */
};

static struct option options[NOPTIONS];
static fptype prices[NOPTIONS];

static fptype CNDF(fptype InputX)
{
    int sign;
    fptype OutputX, xInput, xNPrimeofX, expValues, xK2, xK2_2, xK2_3, xK2_4,
        xK2_5, xLocal, xLocal_1, xLocal_2, xLocal_3;

    if (InputX < 0.0) {
        InputX = -InputX;
        sign = 1;
    } else {
        sign = 0;
    }
    xInput = InputX;

    expValues = (fptype)sc_exp(-0.5f * InputX * InputX);
    xNPrimeofX = expValues;
    xNPrimeofX = xNPrimeofX * inv_sqrt_2xPI;

    xK2 = 0.2316419 * xInput;
    xK2 = 1.0 + xK2;
    xK2 = 1.0 / xK2;
    xK2_2 = xK2 * xK2;
    xK2_3 = xK2_2 * xK2;
    xK2_4 = xK2_3 * xK2;
    xK2_5 = xK2_4 * xK2;

    xLocal_1 = xK2 * 0.319381530;
    xLocal_2 = xK2_2 * (-0.356563782);
    xLocal_3 = xK2_3 * 1.781477937;
    xLocal_2 = xLocal_2 + xLocal_3;
    xLocal_3 = xK2_4 * (-1.821255978);
    xLocal_2 = xLocal_2 + xLocal_3;
    xLocal_3 = xK2_5 * 1.330274429;
    xLocal_2 = xLocal_2 + xLocal_3;

    xLocal_1 = xLocal_2 + xLocal_1;
    xLocal = xLocal_1 * xNPrimeofX;
    xLocal = 1.0 - xLocal;

    OutputX = xLocal;
    if (sign)
        OutputX = 1.0 - OutputX;
    return OutputX;
}

static fptype BlkSchlsEqEuroNoDiv(fptype sptprice, fptype strike,
                                  fptype rate, fptype volatility,
                                  fptype time, int otype)
{
    fptype OptionPrice, xSqrtTime, logValues, xLogTerm, xD1, xD2,
        xPowerTerm, xDen, d1, d2, FutureValueX, NofXd1, NofXd2, NegNofXd1,
        NegNofXd2;

    xSqrtTime = sqrtf(time);
    logValues = (fptype)sc_log(sptprice / strike);
    xLogTerm = logValues;

    xPowerTerm = volatility * volatility;
    xPowerTerm = xPowerTerm * 0.5;

    xD1 = rate + xPowerTerm;
    xD1 = xD1 * time;
    xD1 = xD1 + xLogTerm;

    xDen = volatility * xSqrtTime;
    xD1 = xD1 / xDen;
    xD2 = xD1 - xDen;

    d1 = xD1;
    d2 = xD2;
    NofXd1 = CNDF(d1);
    NofXd2 = CNDF(d2);

    FutureValueX = strike * (fptype)sc_exp(-(rate) * (time));
    if (otype == 0) {
        OptionPrice = (sptprice * NofXd1) - (FutureValueX * NofXd2);
    } else {
        NegNofXd1 = (1.0 - NofXd1);
        NegNofXd2 = (1.0 - NofXd2);
        OptionPrice = (FutureValueX * NegNofXd2) - (sptprice * NegNofXd1);
    }
    return OptionPrice;
}

static void init(void)
{
    rng_t rng = rng_seed(0x626c61636b); /* "black" */
    for (int i = 0; i < NOPTIONS; i++) {
        struct option *o = &options[i];
        o->s = (fptype)(10 + 190 * rng_double(&rng));
        o->strike = (fptype)(o->s * (0.7 + 0.6 * rng_double(&rng)));
        o->r = (fptype)(0.0275 + 0.0725 * rng_double(&rng));
        o->v = (fptype)(0.05 + 0.6 * rng_double(&rng));
        o->t = (fptype)(0.1 + 1.9 * rng_double(&rng));
        o->otype = (int)(rng_next(&rng) & 1);
    }
}

static uint64_t step(uint64_t iteration)
{
    (void)iteration;
    double sum = 0;
    for (int i = 0; i < NOPTIONS; i++) {
        const struct option *o = &options[i];
        prices[i] = BlkSchlsEqEuroNoDiv(o->s, o->strike, o->r, o->v, o->t,
                                        o->otype);
        sum += prices[i];
    }
    /* Put-call parity, C - P = S - K exp(-rT), on a sample: the CNDF
     * approximation keeps N(x) + N(-x) = 1, so it holds to rounding. */
    for (int i = 0; i < NOPTIONS; i += 1024) {
        const struct option *o = &options[i];
        fptype c = BlkSchlsEqEuroNoDiv(o->s, o->strike, o->r, o->v, o->t, 0);
        fptype p = BlkSchlsEqEuroNoDiv(o->s, o->strike, o->r, o->v, o->t, 1);
        double parity = o->s - o->strike * sc_exp(-(double)o->r * o->t);
        if (fabs((c - p) - parity) > 1e-3 * o->s)
            workload_fail("blackscholes: option %d breaks put-call parity",
                          i);
    }
    return double_bits(sum);
}

static const struct workload blackscholes = {
    .name = "blackscholes",
    .init = init,
    .step = step,
};

int main(int argc, char **argv)
{
    return workload_main(argc, argv, &blackscholes);
}
