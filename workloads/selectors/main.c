/*
 * Selectors above 0xff (Xen's are 0xe008, 0xe010, ...): far JMP, far
 * CALL, far RET, IRETQ, MOV to SS/DS/ES/FS, and exceptions and INT n
 * through IDT gates whose code selector is 0xe008. gem5's microcode
 * masked selectors with 8-bit immediates, so 0xe008 indexed GDT entry 1
 * (patch series: the selector-width fix and far CALL). Runs unchanged on
 * QEMU, the reference.
 */
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "image.h"
#include "cpu.h"
#include "lm64.h"
#include "platform.h"
#include "tests.h"

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    image_start("selectors");
    *(volatile uint32_t *)MAGIC_ADDR = MAGIC_VALUE;
    big_gdt_load();

    prot32_tests();
    check_eq("p32_ljmp_ptr_cs", r32[R32_LJMP_IMM], XSEL_CODE32);
    check_eq("p32_ljmp_mem_cs", r32[R32_LJMP_MEM], XSEL_CODE32_LOW);
    check_eq("p32_lcall_ptr_callee_cs", r32[R32_LCALL_IMM_IN], XSEL_CODE32);
    check_eq("p32_lret_cs", r32[R32_LCALL_IMM_OUT], XSEL_CODE32_LOW);
    check_eq("p32_lcall_mem_callee_cs", r32[R32_LCALL_MEM_IN], XSEL_CODE32);
    check_eq("p32_lret_mem_cs", r32[R32_LCALL_MEM_OUT], XSEL_CODE32_LOW);
    check_eq("p32_mov_ss", r32[R32_SS], XSEL_DATA);
    check_eq("p32_mov_ds", r32[R32_DS], XSEL_DATA);
    check_eq("p32_stack", r32[R32_STACK], 0x5a5aa5a5);
    check_eq("p32_mov_es_mem", r32[R32_ES], XSEL_DATA_MAGIC);
    check_eq("p32_es_base", r32[R32_ES_READ], MAGIC_VALUE);

    idt64_fill(XSEL_CODE64);
    lm_call(t64_tests);
    check_eq("lm_lretq_cs", r64[R64_LRETQ], XSEL_CODE64);
    check_eq("lm_ljmp_limit0_cs", r64[R64_LJMP_LIMIT0], XSEL_CODE64_LIMIT0);
    check_eq("lm_ljmp_mem_cs", r64[R64_LJMP], XSEL_CODE64);
    check_eq("lm_lcall_callee_cs", r64[R64_LCALL_IN], XSEL_CODE64);
    check_eq("lm_lretq_after_lcall_cs", r64[R64_LCALL_OUT], XSEL_CODE64);
    check_eq("lm_mov_ss", r64[R64_SS], XSEL_DATA);
    check_eq("lm_mov_fs", r64[R64_FS], XSEL_DATA_MAGIC);
    check_eq("lm_fs_base", r64[R64_FS_READ], MAGIC_VALUE);
    check_eq("lm_iretq_cs", r64[R64_IRET_CS], XSEL_CODE64);
    check_eq("lm_iretq_ss", r64[R64_IRET_SS], XSEL_DATA);
    check_eq("lm_exceptions", exc_count, 3);
    /* #UD, #GP, INT 0x40: each through a gate with CS 0xe008 */
    check_eq("lm_ud_vector", exc_log[0].vector, 6);
    check_eq("lm_gp_vector", exc_log[1].vector, 13);
    check_eq("lm_int40_vector", exc_log[2].vector, 0x40);
#define CHECK_FRAME(i, what)                                                \
    do {                                                                    \
        check_eq("lm_" what "_frame_cs", exc_log[i].frame_cs, XSEL_CODE64); \
        check_eq("lm_" what "_frame_ss", exc_log[i].frame_ss, XSEL_DATA);   \
        check_eq("lm_" what "_handler_cs", exc_log[i].handler_cs,           \
                 XSEL_CODE64);                                              \
    } while (0)
    CHECK_FRAME(0, "ud");
    CHECK_FRAME(1, "gp");
    CHECK_FRAME(2, "int40");
    check_eq("lm_gp_error_code", (uint32_t)exc_log[1].error, 0);
    return check_verdict("selectors");
}
