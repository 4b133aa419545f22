# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.params import *
from m5.proxy import *
from m5.SimObject import SimObject


class X86EnclaveController(SimObject):
    """SGX1 enclave memory protection for every CPU of an x86 system.

    Registers itself with the x86 model's SGX hook. The Enclave Page
    Cache is ``epc_size`` bytes of physical memory at ``epc_base`` (as a
    PRMRR would set it), with an EPCM entry per 4 KiB page. Outside
    enclave mode (and in SMM) every CPU access to the EPC gets abort-page
    semantics: reads return all ones, writes are dropped, and a fetch is
    #UD (it would decode FF FF); a paging structure in the EPC reads all
    ones and ends the walk in a reserved-bit #PF. DMA is refused by the
    memory-side guard (``X86SmramGuard.epc``).

    ENCLS runs ECREATE, EADD, EEXTEND, EINIT and EREMOVE as the SDM's
    Operation sections do (the EPCM rules live in ``sgx_epcm.hh``).
    Launch control is relaxed: EINIT checks the SIGSTRUCT's ENCLAVEHASH
    against MRENCLAVE and takes MRSIGNER (SHA-256 of its modulus),
    ISVPRODID and ISVSVN from it, but verifies no RSA signature, no
    header and no EINITTOKEN. ENCLU has no leaf yet (#GP(0)).
    """

    type = "X86EnclaveController"
    cxx_class = "gem5::X86ISA::EnclaveController"
    cxx_header = "scotch/enclave_controller.hh"

    system = Param.System(Parent.any, "System whose CPUs get SGX")
    epc_base = Param.Addr(0, "Physical base of the EPC (4 KiB aligned)")
    epc_size = Param.MemorySize(
        "0B", "Size of the EPC; 0 disables SGX (ENCLS/ENCLU are #UD)"
    )
    platform_secret = Param.String(
        "5c" * 32,
        "The platform's root secret EGETKEY derives keys from: 64 hex "
        "digits (stands in for the fused keys)",
    )
    eenter_latency = Param.Cycles(0, "Cycles EENTER adds")
    eexit_latency = Param.Cycles(0, "Cycles EEXIT adds")
    aex_latency = Param.Cycles(0, "Cycles an AEX adds before the event")
    eresume_latency = Param.Cycles(0, "Cycles ERESUME adds")
