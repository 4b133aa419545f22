/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * Abort-page semantics for a CPU access the TLB has translated: the
 * access never reaches memory, a read returns all ones and a write is
 * dropped. What SMRAM outside SMM (SDM vol. 3C 32.4.2.1 with SMRRs)
 * and the EPC outside an enclave (vol. 3D 38.3) both give.
 */

#ifndef __SCOTCH_ABORT_PAGE_HH__
#define __SCOTCH_ABORT_PAGE_HH__

#include <cstring>

#include "base/types.hh"
#include "mem/packet.hh"
#include "mem/request.hh"

namespace gem5
{

namespace X86ISA
{

/** Make @p req an access to the abort page, served by the CPU itself. */
inline void
abortAccess(const RequestPtr &req)
{
    req->setFlags(Request::UNCACHEABLE | Request::STRICT_ORDER);
    req->setLocalAccessor(
        [](ThreadContext *, PacketPtr pkt) -> Cycles
        {
            if (pkt->isRead())
                std::memset(pkt->getPtr<uint8_t>(), 0xff, pkt->getSize());
            return Cycles(1);
        });
}

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_ABORT_PAGE_HH__
