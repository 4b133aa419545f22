# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause
"""Reports what a gem5 binary has of Scotch-gem5; runs no simulation.

Used by ``scotch gem5 check``:

    gem5.opt gem5_configs/check_build.py --simobject X86ApmPort \
        --probe requires_x86

prints one line, ``SCOTCH-CHECK {json}``, with the gem5 version, the ISAs,
the Ruby protocol, and for each asked-for feature whether it is there.
"""

import argparse
import json

import m5.objects
from _m5.core import gem5Version
from m5.defines import buildEnv

from gem5.isas import ISA
from gem5.utils.requires import requires


def has_simobject(name: str) -> bool:
    return hasattr(m5.objects, name)


def has_param(dotted: str) -> bool:
    cls_name, _, param = dotted.partition(".")
    cls = getattr(m5.objects, cls_name, None)
    return cls is not None and param in cls._params


def probe_requires_x86() -> bool:
    """The stdlib accepts this build as X86 (fails on a plain RUBY=n
    v24.0.0.1 build: "Protocol '' not recognized")."""
    try:
        requires(isa_required=ISA.X86)
    except Exception:  # noqa: BLE001 - any failure means "not there"
        return False
    return True


PROBES = {"requires_x86": probe_requires_x86}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--simobject", action="append", default=[])
    parser.add_argument("--param", action="append", default=[])
    parser.add_argument(
        "--probe", action="append", default=[], choices=sorted(PROBES)
    )
    args = parser.parse_args()

    present = {}
    for name in args.simobject:
        present[f"simobject:{name}"] = has_simobject(name)
    for dotted in args.param:
        present[f"param:{dotted}"] = has_param(dotted)
    for name in args.probe:
        present[f"probe:{name}"] = PROBES[name]()

    isas = sorted(
        key[len("USE_") : -len("_ISA")]
        for key, value in buildEnv.items()
        if key.startswith("USE_") and key.endswith("_ISA") and value
    )
    report = {
        "gem5_version": gem5Version,
        "isas": isas,
        "protocol": buildEnv.get("PROTOCOL") or None,
        "present": present,
    }
    print("SCOTCH-CHECK " + json.dumps(report, sort_keys=True))


if __name__ == "__m5_main__" or __name__ == "__main__":
    main()
