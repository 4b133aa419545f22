#include "image.h"

#include "console.h"
#include "cpu.h"
#include "platform.h"

void image_start(const char *name)
{
    console_init();
    cpu_init();
    plat_init();
    kprintf("scotch-%s platform=%s\n", name, plat_name());
}
