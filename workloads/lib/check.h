/*
 * Assertions the host parses: each prints "check NAME ok|FAIL ...";
 * check_failures() counts the failed ones for the verdict.
 */
#ifndef WORKLOADS_CHECK_H
#define WORKLOADS_CHECK_H

#include <stdint.h>

void check(const char *name, int ok);
void check_eq(const char *name, uint32_t got, uint32_t want);
void check_eq64(const char *name, uint64_t got, uint64_t want);
int check_failures(void);
/** Print "<image>: PASS|FAIL failures=N"; return the exit code. */
int check_verdict(const char *image);

#endif
