/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * A modelled latency of an event the EXTRAS carry out in one step at
 * commit (SMI entry, RSM, an enclave entry or exit): the core stays
 * quiet for that many of its cycles.
 */

#ifndef __SCOTCH_STALL_HH__
#define __SCOTCH_STALL_HH__

#include "base/types.hh"
#include "cpu/base.hh"
#include "cpu/thread_context.hh"

namespace gem5
{

namespace X86ISA
{

/** Quiesce @p tc's core for @p cycles of its clock (none for 0). */
inline void
stallCore(ThreadContext *tc, Cycles cycles)
{
    if (cycles > 0)
        tc->quiesceTick(tc->getCpuPtr()->clockEdge(cycles));
}

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_STALL_HH__
