#include "check.h"

#include "console.h"

static int failures;

void check(const char *name, int ok)
{
    kprintf("check %s %s\n", name, ok ? "ok" : "FAIL");
    failures += !ok;
}

void check_eq(const char *name, uint32_t got, uint32_t want)
{
    kprintf("check %s %s got=0x%08x want=0x%08x\n", name,
            got == want ? "ok" : "FAIL", got, want);
    failures += got != want;
}

void check_eq64(const char *name, uint64_t got, uint64_t want)
{
    kprintf("check %s %s got=0x%08x%08x want=0x%08x%08x\n", name,
            got == want ? "ok" : "FAIL", (uint32_t)(got >> 32),
            (uint32_t)got, (uint32_t)(want >> 32), (uint32_t)want);
    failures += got != want;
}

int check_failures(void)
{
    return failures;
}

int check_verdict(const char *image)
{
    kprintf("%s: %s failures=%d\n", image, failures ? "FAIL" : "PASS",
            failures);
    return failures ? 1 : 0;
}
