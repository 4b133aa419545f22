/* Serial console (COM1) with a tiny formatter: %s %c %d %u %x %08x %%. */
#ifndef WORKLOADS_CONSOLE_H
#define WORKLOADS_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void console_init(void);
void console_putc(char c);
void kprintf(const char *fmt, ...);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif
