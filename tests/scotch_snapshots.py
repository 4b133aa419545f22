"""Ledger snapshots built from the ABI (workloads/scotch/scotch_abi.h), for
testing the tenant-side reader independently of the SMM handler."""

from __future__ import annotations

import hashlib
import hmac
import struct

MAGIC = 0x4C544353
HEADER = struct.Struct("<IHHQQQQQQII")  # struct scotch_snapshot_header
ENTRY = struct.Struct("<IIQQQ")  # struct scotch_domain_entry


def snapshot(
    key: bytes,
    *,
    seq: int = 7,
    nonce: int = 99,
    domains: tuple[tuple[int, int, int, int], ...] = ((1, 1000, 10, 2),),
    version: int = 1,
    tsc_now: int = 5005,
) -> bytes:
    body = HEADER.pack(
        MAGIC, version, len(domains), seq, nonce, 5, tsc_now, 42, 3, 0, 0
    )
    for domid, cycles, switches, irqs in domains:
        body += ENTRY.pack(domid, 0, cycles, switches, irqs)
    return body + hmac.new(key, body, hashlib.sha256).digest()
