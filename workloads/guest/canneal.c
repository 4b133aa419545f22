/*
 * canneal: PARSEC's canneal kernel, single-threaded. Simulated annealing
 * of a chip's placement to minimise routing cost: a netlist of NELEMS
 * elements, each on its own location of a GRID x GRID chip, connected by
 * fan-out (and the matching fan-in) lists; a move swaps the locations of
 * two random elements; its cost change is PARSEC's swap_cost (Manhattan
 * distance to every fan-in and fan-out element, before and after) for
 * both; an improving move is taken, a worsening one with probability
 * exp(-delta / T) (PARSEC's accept_move). PARSEC's run "canneal 1 15000
 * 2000 <netlist> 128": SWAPS moves per temperature step, start
 * temperature 2000 divided by 1.5 before every step, TEMP_STEPS steps.
 *
 * One iteration is one temperature step. After TEMP_STEPS steps the
 * placement is scattered again (a fresh anneal of the same netlist) so a
 * run can last any number of steps. The netlist is random (the seeded
 * generator replaces PARSEC's input file and its Mersenne twister). An
 * iteration returns the chip's total routing cost after its moves,
 * recomputed from the placement, and checks it did not grow over a
 * whole anneal.
 */
#include "common.h"

#include <stdlib.h>

#define GRID 128
#define NELEMS (GRID * GRID)
#define MAX_FANOUT 4
#define SWAPS 15000
#define START_TEMP 2000.0
#define TEMP_STEPS 128

typedef double routing_cost_t;

struct location {
    int x, y;
};

struct elem {
    struct location loc;
    int nfanin, nfanout;
    int *fanin, *fanout;
};

static struct elem elems[NELEMS];
static rng_t rng;
static double temperature;
static int temp_step;
static long anneal_start_cost;

static long routing_cost(void)
{
    long total = 0;
    for (int i = 0; i < NELEMS; i++)
        for (int j = 0; j < elems[i].nfanout; j++) {
            const struct location *a = &elems[i].loc;
            const struct location *b = &elems[elems[i].fanout[j]].loc;
            total += labs((long)a->x - b->x) + labs((long)a->y - b->y);
        }
    return total;
}

/* Every element to a random location (a permutation of the chip). */
static void scatter(void)
{
    static int order[NELEMS];
    for (int i = 0; i < NELEMS; i++)
        order[i] = i;
    for (int i = NELEMS - 1; i > 0; i--) {
        int j = (int)rng_below(&rng, (uint64_t)i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < NELEMS; i++) {
        elems[order[i]].loc.x = i % GRID;
        elems[order[i]].loc.y = i / GRID;
    }
    temperature = START_TEMP;
    temp_step = 0;
    anneal_start_cost = routing_cost();
}

static void init(void)
{
    rng = rng_seed(0x63616e6e65616c); /* "canneal" */
    static int nfanout[NELEMS], nfanin[NELEMS];
    static int targets[NELEMS][MAX_FANOUT];
    for (int i = 0; i < NELEMS; i++) {
        nfanout[i] = 1 + (int)rng_below(&rng, MAX_FANOUT);
        for (int j = 0; j < nfanout[i]; j++) {
            int t;
            do
                t = (int)rng_below(&rng, NELEMS);
            while (t == i);
            targets[i][j] = t;
            nfanin[t]++;
        }
    }
    for (int i = 0; i < NELEMS; i++) {
        elems[i].fanout = malloc(sizeof(int) * (size_t)nfanout[i]);
        elems[i].fanin = malloc(sizeof(int) * (size_t)(nfanin[i] + 1));
    }
    for (int i = 0; i < NELEMS; i++)
        for (int j = 0; j < nfanout[i]; j++) {
            struct elem *t = &elems[targets[i][j]];
            elems[i].fanout[elems[i].nfanout++] = targets[i][j];
            t->fanin[t->nfanin++] = i;
        }
    scatter();
}

/* PARSEC's netlist_elem::swap_cost: the change in this element's routing
 * if it moved from old_loc to new_loc. */
static routing_cost_t swap_cost(const struct elem *e,
                                const struct location *old_loc,
                                const struct location *new_loc)
{
    routing_cost_t no_swap = 0, yes_swap = 0;
    for (int i = 0; i < e->nfanin; i++) {
        const struct location *fanin_loc = &elems[e->fanin[i]].loc;
        no_swap += abs(old_loc->x - fanin_loc->x);
        no_swap += abs(old_loc->y - fanin_loc->y);
        yes_swap += abs(new_loc->x - fanin_loc->x);
        yes_swap += abs(new_loc->y - fanin_loc->y);
    }
    for (int i = 0; i < e->nfanout; i++) {
        const struct location *fanout_loc = &elems[e->fanout[i]].loc;
        no_swap += abs(old_loc->x - fanout_loc->x);
        no_swap += abs(old_loc->y - fanout_loc->y);
        yes_swap += abs(new_loc->x - fanout_loc->x);
        yes_swap += abs(new_loc->y - fanout_loc->y);
    }
    return yes_swap - no_swap;
}

static routing_cost_t calculate_delta_routing_cost(int a, int b)
{
    struct location a_loc = elems[a].loc, b_loc = elems[b].loc;
    routing_cost_t delta_cost = swap_cost(&elems[a], &a_loc, &b_loc);
    delta_cost += swap_cost(&elems[b], &b_loc, &a_loc);
    return delta_cost;
}

enum move_decision { accepted_good, accepted_bad, rejected };

static enum move_decision accept_move(routing_cost_t delta_cost, double T)
{
    if (delta_cost < 0)
        return accepted_good;
    double random_value = rng_double(&rng);
    double boltzman = sc_exp(-delta_cost / T);
    return boltzman > random_value ? accepted_bad : rejected;
}

static int random_element(int different_from)
{
    int id;
    do
        id = (int)rng_below(&rng, NELEMS);
    while (id == different_from);
    return id;
}

static uint64_t step(uint64_t iteration)
{
    (void)iteration;
    if (temp_step == TEMP_STEPS)
        scatter();
    temperature = temperature / 1.5;
    int b = random_element(-1);
    for (int i = 0; i < SWAPS; i++) {
        /* Only one new element a move, as PARSEC: reuse helps caches. */
        int a = b;
        b = random_element(a);
        routing_cost_t delta = calculate_delta_routing_cost(a, b);
        if (accept_move(delta, temperature) != rejected) {
            struct location t = elems[a].loc;
            elems[a].loc = elems[b].loc;
            elems[b].loc = t;
        }
    }
    temp_step++;
    long cost = routing_cost();
    if (temp_step == TEMP_STEPS && cost >= anneal_start_cost)
        workload_fail("canneal: routing cost %ld after annealing, %ld "
                      "before", cost, anneal_start_cost);
    return (uint64_t)cost;
}

static const struct workload canneal = {
    .name = "canneal",
    .init = init,
    .step = step,
};

int main(int argc, char **argv)
{
    return workload_main(argc, argv, &canneal);
}
