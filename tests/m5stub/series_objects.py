"""SimObject declarations that the patch series changes in gem5's core
(not EXTRAS): loaded into the stub only where it stands for a patched
gem5 (tests/test_check.py's stand-in binary)."""

from m5.params import *
from m5.SimObject import SimObject


class BaseO3CPU(SimObject):
    type = "BaseO3CPU"
    abstract = True
    # Patch 0014.
    interruptsAtInstBoundary = Param.Bool(
        True,
        "Take a pending interrupt at the next instruction boundary, "
        "squashing younger instructions, as hardware does (an SMI raised "
        "by an OUT is taken right after it); False lets the ROB drain "
        "first, committing what was already fetched",
    )
