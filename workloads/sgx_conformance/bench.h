/*
 * The SGX benchmark (bench.c): run by the suite's image with
 * "bench=<rounds>" once the first enclave is built.
 */
#ifndef WORKLOADS_SGX_CONFORMANCE_BENCH_H
#define WORKLOADS_SGX_CONFORMANCE_BENCH_H

#define BENCH_MAX_ROUNDS 512

/** Time the enclave's benchmark thread, SMIs and the abort page. */
void sgx_bench(unsigned rounds);

#endif
