/* The multiboot command line (cmdline.h). */
#include "cmdline.h"

#define MULTIBOOT_MAGIC 0x2badb002u
#define MBI_FLAG_CMDLINE 0x4u

static const char *cmdline = "";

void cmdline_init(uint32_t magic, uint32_t mbi)
{
    if (magic == MULTIBOOT_MAGIC && (*(uint32_t *)mbi & MBI_FLAG_CMDLINE))
        cmdline = *(const char **)(mbi + 16);
}

const char *cmdline_value(const char *key)
{
    for (const char *p = cmdline; *p; p++) {
        const char *k = key, *q = p;
        while (*k && *q == *k)
            k++, q++;
        if (*k || (p != cmdline && p[-1] != ' '))
            continue;
        return q;
    }
    return 0;
}

int cmdline_number(const char *key, int dflt)
{
    const char *q = cmdline_value(key);
    if (!q)
        return dflt;
    int v = 0;
    while (*q >= '0' && *q <= '9')
        v = 10 * v + (*q++ - '0');
    return v;
}
