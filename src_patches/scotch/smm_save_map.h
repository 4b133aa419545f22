/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The AMD64 SMM state-save map (revision ID 0x00020064), the layout QEMU
 * writes for every guest. gem5's SMM entry writes the same one so that a
 * single handler and a single conformance suite serve both simulators.
 *
 * Plain C, no gem5 headers: included by gem5 (C++), by the bare-metal
 * handlers in workloads/ (freestanding C and assembly) and by unit tests.
 * Offsets are from SMBASE.
 */

#ifndef __SCOTCH_SMM_SAVE_MAP_H__
#define __SCOTCH_SMM_SAVE_MAP_H__

/** Where the save area starts and how large it is. */
#define SMM_SAVE_BASE       0xFE00
#define SMM_SAVE_SIZE       0x200
/** Entry point of the handler: CS.base = SMBASE, EIP = 0x8000. */
#define SMM_HANDLER_OFFSET  0x8000
/** SMBASE after reset. */
#define SMM_DEFAULT_SMBASE  0x30000

#define SMM_REVISION_ID     0x00020064
/** Revision bit 17: RSM honours an SMBASE written to the save area. */
#define SMM_REV_SMBASE_RELOC (1u << 17)

/*
 * Segment records: 16 bytes each at 0xFE00 + 16 * i for ES, CS, SS, DS,
 * FS, GS; selector (2), attributes (2, packed as in QEMU), limit (4),
 * base (8).
 */
#define SMM_SEG_ES          0xFE00
#define SMM_SEG_CS          0xFE10
#define SMM_SEG_SS          0xFE20
#define SMM_SEG_DS          0xFE30
#define SMM_SEG_FS          0xFE40
#define SMM_SEG_GS          0xFE50
#define SMM_SEG_SEL         0x0
#define SMM_SEG_ATTR        0x2
#define SMM_SEG_LIMIT       0x4
#define SMM_SEG_BASE        0x8

/* Descriptor tables: GDTR/IDTR keep limit at +4 and base at +8. */
#define SMM_GDTR            0xFE60
#define SMM_LDTR            0xFE70
#define SMM_IDTR            0xFE80
#define SMM_TR              0xFE90

#define SMM_IO_RESTART      0xFEC8
#define SMM_AUTO_HALT       0xFEC9
#define SMM_EFER            0xFED0
#define SMM_REVISION        0xFEFC
#define SMM_SMBASE          0xFF00
#define SMM_CR4             0xFF48
#define SMM_CR3             0xFF50
#define SMM_CR0             0xFF58
#define SMM_DR7             0xFF60
#define SMM_DR6             0xFF68
#define SMM_RFLAGS          0xFF70
#define SMM_RIP             0xFF78
#define SMM_R15             0xFF80
#define SMM_R14             0xFF88
#define SMM_R13             0xFF90
#define SMM_R12             0xFF98
#define SMM_R11             0xFFA0
#define SMM_R10             0xFFA8
#define SMM_R9              0xFFB0
#define SMM_R8              0xFFB8
#define SMM_RDI             0xFFC0
#define SMM_RSI             0xFFC8
#define SMM_RBP             0xFFD0
#define SMM_RSP             0xFFD8
#define SMM_RBX             0xFFE0
#define SMM_RDX             0xFFE8
#define SMM_RCX             0xFFF0
#define SMM_RAX             0xFFF8

#endif /* __SCOTCH_SMM_SAVE_MAP_H__ */
