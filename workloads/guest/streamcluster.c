/*
 * streamcluster: PARSEC's streamcluster kernel, single-threaded (its
 * nproc = 1 path). Points arrive in chunks; each chunk is clustered by
 * the local-search k-median algorithm (pkmedian: speedy's initial
 * facilities, then facility-location local search with pgain over a
 * weighted random feasible set, and a binary search on the facility cost
 * z until kmin <= k <= kmax), the clusters are collapsed to their
 * weighted centroids (contcenters) and the medians kept (copycenters).
 * At the end the kept centers are clustered once more.
 *
 * One iteration is one chunk of CHUNK points in DIM dimensions, uniform
 * in [0, 1) as PARSEC's synthetic stream makes them, from the seeded
 * generator (which replaces lrand48). Where PARSEC stops with "no more
 * space for centers" when the kept centers fill their buffer, this
 * version clusters the buffer down (as the STREAM algorithm does), so a
 * run can last any number of chunks. An iteration returns a hash of the
 * number of centers and the clustering cost; the final clustering is
 * hashed by its centers' coordinates and weights.
 */
#include "common.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DIM 32
#define CHUNK 256
#define KMIN 10
#define KMAX 20
#define CENTERSIZE 200
#define ITER 3 /* iterate ITER * k log k times; ITER >= 1 */
#define SP 1   /* number of repetitions of speedy: must be >= 1 */

typedef struct {
    float weight;
    float *coord;
    long assign; /* number of point where this one is assigned */
    float cost;  /* cost of that assignment, weight * distance */
} Point;

typedef struct {
    long num; /* number of points; may not be N if this is a sample */
    int dim;  /* dimensionality */
    Point *p; /* the array itself */
} Points;

static bool *switch_membership; /* whether to switch membership in pgain */
static bool *is_center;         /* whether a point is a center */
static int *center_table;       /* index table of centers */
static rng_t rng;

static long lrand48_(void)
{
    return (long)(rng_next(&rng) >> 33);
}

/* Shuffle points into random order. */
static void shuffle(Points *points)
{
    for (long i = 0; i < points->num - 1; i++) {
        long j = (lrand48_() % (points->num - i)) + i;
        Point temp = points->p[i];
        points->p[i] = points->p[j];
        points->p[j] = temp;
    }
}

/* Shuffle an array of integers. */
static void intshuffle(int *intarray, int length)
{
    for (long i = 0; i < length; i++) {
        long j = (lrand48_() % (length - i)) + i;
        int temp = intarray[i];
        intarray[i] = intarray[j];
        intarray[j] = temp;
    }
}

/* Squared Euclidean distance. */
static float dist(Point p1, Point p2, int dim)
{
    float result = 0.0;
    for (int i = 0; i < dim; i++)
        result += (p1.coord[i] - p2.coord[i]) * (p1.coord[i] - p2.coord[i]);
    return result;
}

/* Run speedy on the points, return total cost of solution. */
static float pspeedy(Points *points, float z, long *kcenter)
{
    /* Create center at first point, send it to itself. */
    for (long k = 0; k < points->num; k++) {
        float distance = dist(points->p[k], points->p[0], points->dim);
        points->p[k].cost = distance * points->p[k].weight;
        points->p[k].assign = 0;
    }
    *kcenter = 1;
    for (long i = 1; i < points->num; i++) {
        bool to_open =
            ((float)lrand48_() / (float)INT_MAX) < (points->p[i].cost / z);
        if (to_open) {
            (*kcenter)++;
            for (long k = 0; k < points->num; k++) {
                float distance =
                    dist(points->p[i], points->p[k], points->dim);
                if (distance * points->p[k].weight < points->p[k].cost) {
                    points->p[k].cost = distance * points->p[k].weight;
                    points->p[k].assign = i;
                }
            }
        }
    }
    double totalcost = z * (*kcenter);
    for (long k = 0; k < points->num; k++)
        totalcost += points->p[k].cost;
    return (float)totalcost;
}

/*
 * For a given point x, find the cost of the following operation: open a
 * facility at x if there isn't already one there, for points y such
 * that the assignment distance of y exceeds dist(y, x), make y a member
 * of x, and for facilities y such that reassigning y and all its members
 * to x would save cost, close y. Return the savings (the operation is
 * done only if it saves).
 */
static double pgain(long x, Points *points, double z, long *numcenters)
{
    int number_of_centers_to_close = 0;
    double cost_of_opening_x = 0;
    int count = 0;
    for (long i = 0; i < points->num; i++)
        if (is_center[i])
            center_table[i] = count++;
    /* lower[c]: what closing center c would save; gl_lower as PARSEC
     * keeps it, after the z term. */
    double *lower = calloc((size_t)(2 * count + 2), sizeof(double));
    double *gl_lower = lower + count + 1;
    memset(switch_membership, 0, (size_t)points->num * sizeof(bool));

    for (long i = 0; i < points->num; i++) {
        float x_cost =
            dist(points->p[i], points->p[x], points->dim) *
            points->p[i].weight;
        float current_cost = points->p[i].cost;
        if (x_cost < current_cost) {
            /* Point i would save cost just by switching to x. */
            switch_membership[i] = 1;
            cost_of_opening_x += x_cost - current_cost;
        } else {
            /* The savings i's current median would realize if it and
             * all its members were reassigned to x. */
            long assign = points->p[i].assign;
            lower[center_table[assign]] += current_cost - x_cost;
        }
    }
    for (long i = 0; i < points->num; i++) {
        if (is_center[i]) {
            double low = z + lower[center_table[i]];
            gl_lower[center_table[i]] = low;
            if (low > 0) {
                /* i is a median, and if its lower is positive, then
                 * we'll close it. */
                ++number_of_centers_to_close;
                cost_of_opening_x -= low;
            }
        }
    }
    double gl_cost_of_opening_x = z + cost_of_opening_x;

    if (gl_cost_of_opening_x < 0) {
        /* We'd save money by opening x; we'll do it. */
        for (long i = 0; i < points->num; i++) {
            bool close_center =
                gl_lower[center_table[points->p[i].assign]] > 0;
            if (switch_membership[i] || close_center) {
                points->p[i].cost =
                    points->p[i].weight *
                    dist(points->p[i], points->p[x], points->dim);
                points->p[i].assign = x;
            }
        }
        for (long i = 0; i < points->num; i++)
            if (is_center[i] && gl_lower[center_table[i]] > 0)
                is_center[i] = false;
        is_center[x] = true;
        *numcenters = *numcenters + 1 - number_of_centers_to_close;
    } else {
        gl_cost_of_opening_x = 0; /* the value we'll return */
    }
    free(lower);
    return -gl_cost_of_opening_x;
}

/*
 * Facility location on the points using local search: z is the facility
 * cost, returns the total cost and the number of centers in k. Continue
 * until iter iterations run without an improvement of more than e.
 */
static float pFL(Points *points, int *feasible, int numfeasible, float z,
                 long *k, double cost, long iter, float e)
{
    double change = cost;
    while (change / cost > 1.0 * e) {
        change = 0.0;
        /* Randomize the order in which centers are considered. */
        intshuffle(feasible, numfeasible);
        for (long i = 0; i < iter; i++) {
            long x = i % numfeasible;
            change += pgain(feasible[x], points, z, k);
        }
        cost -= change;
    }
    return (float)cost;
}

static int selectfeasible_fast(Points *points, int **feasible, int kmin)
{
    int numfeasible = (int)points->num;
    if (numfeasible > (ITER * kmin * sc_log((double)kmin)))
        numfeasible = (int)(ITER * kmin * sc_log((double)kmin));
    *feasible = malloc((size_t)numfeasible * sizeof(int));

    /* Not many points: all will be feasible. */
    if (numfeasible == points->num) {
        for (int i = 0; i < numfeasible; i++)
            (*feasible)[i] = i;
        return numfeasible;
    }
    float *accumweight = malloc(sizeof(float) * (size_t)points->num);
    accumweight[0] = points->p[0].weight;
    for (long i = 1; i < points->num; i++)
        accumweight[i] = accumweight[i - 1] + points->p[i].weight;
    float totalweight = accumweight[points->num - 1];

    for (int i = 0; i < numfeasible; i++) {
        float w = (lrand48_() / (float)INT_MAX) * totalweight;
        /* Binary search. */
        long l = 0, r = points->num - 1;
        if (accumweight[0] > w) {
            (*feasible)[i] = 0;
            continue;
        }
        while (l + 1 < r) {
            long k = (l + r) / 2;
            if (accumweight[k] > w)
                r = k;
            else
                l = k;
        }
        (*feasible)[i] = (int)r;
    }
    free(accumweight);
    return numfeasible;
}

/* Compute approximate k-median of the points; returns the cost. */
static float pkmedian(Points *points, long kmin, long kmax, long *kfinal)
{
    long k = 0;
    int *feasible;
    int numfeasible;
    double cost, hiz = 0.0, loz = 0.0, z;

    for (long kk = 0; kk < points->num; kk++)
        hiz += dist(points->p[kk], points->p[0], points->dim) *
               points->p[kk].weight;
    z = (hiz + loz) / 2.0;
    /* Check whether there are more centers than points. */
    if (points->num <= kmax) {
        /* Just return all points as facilities. */
        for (long kk = 0; kk < points->num; kk++) {
            points->p[kk].assign = kk;
            points->p[kk].cost = 0;
        }
        *kfinal = points->num;
        return 0;
    }

    shuffle(points);
    cost = pspeedy(points, (float)z, &k);
    int i = 0;
    /* Give speedy SP chances to get at least kmin/2 facilities. */
    while ((k < kmin) && (i < SP)) {
        cost = pspeedy(points, (float)z, &k);
        i++;
    }
    /* If still not enough facilities, assume z is too high. */
    while (k < kmin) {
        if (i >= SP) {
            hiz = z;
            z = (hiz + loz) / 2.0;
            i = 0;
        }
        shuffle(points);
        cost = pspeedy(points, (float)z, &k);
        i++;
    }

    /* Now the binary search for real: designate some points as feasible
     * centers, for consistency between FL runs. */
    numfeasible = selectfeasible_fast(points, &feasible, (int)kmin);
    for (long p = 0; p < points->num; p++)
        is_center[points->p[p].assign] = true;

    long iter = (long)(ITER * kmax * sc_log((double)kmax));
    for (;;) {
        /* First get a rough estimate of the FL solution. */
        cost = pFL(points, feasible, numfeasible, (float)z, &k, cost, iter,
                   0.1f);
        /* If the number of centers seems good, try a more accurate FL. */
        if (((k <= (1.1) * kmax) && (k >= (0.9) * kmin)) ||
            ((k <= kmax + 2) && (k >= kmin - 2))) {
            cost = pFL(points, feasible, numfeasible, (float)z, &k, cost,
                       iter, 0.001f);
        }
        if (k > kmax) {
            /* Too many centers: increase z by the amount of first FL. */
            loz = z;
            z = (hiz + loz) / 2.0;
            cost += (z - loz) * k;
        }
        if (k < kmin) {
            /* Too few centers: decrease z by the amount of first FL. */
            hiz = z;
            z = (hiz + loz) / 2.0;
            cost += (z - hiz) * k;
        }
        /* If k is good, or we're stuck, return what we have. */
        if (((k <= kmax) && (k >= kmin)) || ((loz >= (0.999) * hiz)))
            break;
    }
    free(feasible);
    *kfinal = k;
    return (float)cost;
}

/* Compute the means of the clusters: each median moves to the weighted
 * centroid of its members, and takes their weight. */
static void contcenters(Points *points)
{
    for (long i = 0; i < points->num; i++) {
        Point *c = &points->p[points->p[i].assign];
        if (points->p[i].assign != i) {
            float relweight = c->weight + points->p[i].weight;
            relweight = points->p[i].weight / relweight;
            for (int ii = 0; ii < points->dim; ii++) {
                c->coord[ii] *= 1.0f - relweight;
                c->coord[ii] += points->p[i].coord[ii] * relweight;
            }
            c->weight += points->p[i].weight;
        }
    }
}

/* Append the medians of points to centers. */
static void copycenters(Points *points, Points *centers)
{
    bool *is_a_median = calloc((size_t)points->num, sizeof(bool));
    for (long i = 0; i < points->num; i++)
        is_a_median[points->p[i].assign] = 1;
    long k = centers->num;
    for (long i = 0; i < points->num; i++) {
        if (is_a_median[i]) {
            memcpy(centers->p[k].coord, points->p[i].coord,
                   (size_t)points->dim * sizeof(float));
            centers->p[k].weight = points->p[i].weight;
            k++;
        }
    }
    centers->num = k;
    free(is_a_median);
}

static float localSearch(Points *points, long kmin, long kmax, long *kfinal)
{
    memset(is_center, 0, (size_t)points->num * sizeof(bool));
    return pkmedian(points, kmin, kmax, kfinal);
}

static Points chunk, centers, spare;

static void alloc_points(Points *points, long capacity)
{
    float *block = calloc((size_t)(capacity * DIM), sizeof(float));
    points->p = calloc((size_t)capacity, sizeof(Point));
    points->dim = DIM;
    points->num = 0;
    for (long i = 0; i < capacity; i++)
        points->p[i].coord = &block[i * DIM];
}

static void init(void)
{
    rng = rng_seed(0x73747265616d); /* "stream" */
    alloc_points(&chunk, CHUNK);
    alloc_points(&centers, CENTERSIZE);
    alloc_points(&spare, CENTERSIZE);
    long most = CHUNK > CENTERSIZE ? CHUNK : CENTERSIZE;
    switch_membership = calloc((size_t)most, sizeof(bool));
    is_center = calloc((size_t)most, sizeof(bool));
    center_table = calloc((size_t)most, sizeof(int));
}

/* Cluster the kept centers; they become the medians of that clustering. */
static float cluster_centers(long *kfinal)
{
    float cost = localSearch(&centers, KMIN, KMAX, kfinal);
    contcenters(&centers);
    spare.num = 0;
    copycenters(&centers, &spare);
    Points t = centers;
    centers = spare;
    spare = t;
    return cost;
}

static uint64_t step(uint64_t iteration)
{
    (void)iteration;
    /* The stream: the next CHUNK points, each coordinate uniform. The
     * points take their memory back in order (shuffle moved them). */
    for (long i = 0; i < CHUNK; i++) {
        Point *p = &chunk.p[i];
        p->weight = 1.0f;
        for (int d = 0; d < DIM; d++)
            p->coord[d] = (float)lrand48_() / (float)INT_MAX;
    }
    chunk.num = CHUNK;
    long kfinal;
    float cost = localSearch(&chunk, KMIN, KMAX, &kfinal);
    contcenters(&chunk);
    if (kfinal + centers.num > CENTERSIZE) {
        long k;
        cluster_centers(&k);
    }
    copycenters(&chunk, &centers);
    if (kfinal < 1 || kfinal > CHUNK)
        workload_fail("streamcluster: %ld centers", kfinal);
    return fold64((uint64_t)kfinal, double_bits(cost));
}

static uint64_t finish(uint64_t iterations)
{
    (void)iterations;
    long kfinal;
    cluster_centers(&kfinal);
    uint64_t hash = fold64(FOLD_INIT, (uint64_t)centers.num);
    float weight = 0;
    for (long i = 0; i < centers.num; i++) {
        weight += centers.p[i].weight;
        hash = fold64(hash, double_bits(centers.p[i].weight));
        for (int d = 0; d < DIM; d++)
            hash = fold64(hash, double_bits(centers.p[i].coord[d]));
    }
    /* Every streamed point is in exactly one final cluster (checked
     * while a float holds the count exactly). */
    if (iterations * CHUNK < (1u << 24) &&
        weight != (float)(iterations * CHUNK))
        workload_fail("streamcluster: final weight %.1f, streamed %llu",
                      weight, (unsigned long long)(iterations * CHUNK));
    return hash;
}

static const struct workload streamcluster = {
    .name = "streamcluster",
    .init = init,
    .step = step,
    .finish = finish,
};

int main(int argc, char **argv)
{
    return workload_main(argc, argv, &streamcluster);
}
