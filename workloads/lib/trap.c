/* Exception dispatch for the bare-metal tests. */
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "platform.h"

struct trap_frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax; /* pushal */
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
};

volatile uint32_t nmi_count;
volatile uint32_t pf_resume, pf_count, pf_err, pf_cr2;

void trap_dispatch(struct trap_frame *f);

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector == 2) {
        nmi_count++;
        return;
    }
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    if (f->vector == VEC_PF && pf_resume) {
        pf_count++;
        pf_err = f->error;
        pf_cr2 = cr2;
        f->eip = pf_resume;
        return;
    }
    kprintf("unexpected exception %u error 0x%x at eip 0x%08x cr2 0x%08x\n",
            f->vector, f->error, f->eip, cr2);
    plat_exit(3);
}
