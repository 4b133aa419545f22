/*
 * The multiboot command line (the host's "--cmdline" on gem5, "-append"
 * on QEMU), as "key=value" words.
 */
#ifndef WORKLOADS_CMDLINE_H
#define WORKLOADS_CMDLINE_H

#include <stdint.h>

/** Take the command line from the loader's registers (kmain's). */
void cmdline_init(uint32_t magic, uint32_t mbi);
/** What follows "key=" where a word starts with it, or 0. */
const char *cmdline_value(const char *key);
/** The decimal number after "key=", or @dflt without one. */
int cmdline_number(const char *key, int dflt);

#endif
