/*
 * The platform layer: everything that differs between QEMU (q35, SeaBIOS
 * has set up SMM) and gem5 (Scotch's SMM model, reset state). Each image
 * links exactly one platform_*.c.
 */
#ifndef WORKLOADS_PLATFORM_H
#define WORKLOADS_PLATFORM_H

#include <stdint.h>

/** APM control port: a byte written here raises an SMI on both. */
#define APM_CNT 0xb2
#define APM_STS 0xb3

const char *plat_name(void);
void plat_init(void);
/** SMBASE in force when the image starts. */
uint32_t plat_smbase(void);
/** Copy an SMM handler to SMBASE + 0x8000, opening SMRAM if needed. */
void plat_smm_install(const void *code, uint32_t len);
/**
 * Install an SMM handler at 0xA8000 and make SMRAM the 128 KiB ASEG
 * (0xA0000..0xBFFFF) with SMBASE 0xA0000, as firmware does before it
 * hands over (Scotch's handler is linked there). QEMU: SeaBIOS has
 * already, so this is plat_smm_install. gem5: copy the handler, then one
 * SMI at the reset SMBASE sets the SMRR pair over the ASEG and relocates
 * SMBASE; plat_smbase() is 0xA0000 from then on. Once only.
 */
void plat_smm_install_aseg(const void *code, uint32_t len);
/** gem5: reset / dump the simulator's statistics; elsewhere nothing. */
void plat_stats_reset(void);
void plat_stats_dump(void);
/* gem5: m5 checkpoint (the run's config saves the machine, RAM
 * included, and goes on); QEMU: nothing. */
void plat_checkpoint(void);
/** Read the handler's location from outside SMM (to show it is hidden). */
void plat_smram_peek(void *dst, uint32_t len);
/** Lock SMRAM as firmware does before handing over (QEMU: D_LCK). */
void plat_smram_lock(void);
/** Does the CPU guard SMRAM with the SMRR pair (gem5), not a chipset? */
int plat_has_smrr(void);
/** Try to open SMRAM from outside SMM; 1 if the chipset let us. */
int plat_smram_try_open(void);
/**
 * Does the CPU deliver exceptions in legacy protected mode? gem5 does
 * not (its microcode panics), so images test faults there on QEMU only.
 */
int plat_legacy_exceptions(void);
void plat_exit(int code) __attribute__((noreturn));

#endif
