"""Strict stand-in for gem5's ``m5`` package (see tests/m5stub/README.md).

Simulation calls record what a config did instead of simulating.
"""

from types import SimpleNamespace

from m5 import objects, params, proxy, stats  # noqa: F401
from m5.SimObject import SimObject

MaxTick = 2**64 - 1

#: What the config under test did, for the test to inspect.
record: dict = {"instantiated": None, "simulate_calls": [], "ckpt": None}
_now = [0]
#: Ticks each drain() simulates (gem5: until every CPU reaches an
#: instruction boundary); a test sets it.
drain_ticks = [0]
#: Exit causes the next simulate() calls return, in order (a test sets
#: them: "workbegin", "m5_exit instruction encountered", ..., or a
#: (cause, code) pair); when none is left, simulate() runs to its limit.
exit_causes: list = []
#: gem5's parsed command line (what configs read of it).
options = SimpleNamespace(outdir="m5out")


class ExitEvent:
    def __init__(self, cause: str, code: int = 0) -> None:
        self._cause = cause
        self._code = code

    def getCause(self) -> str:
        return self._cause

    def getCode(self) -> int:
        return self._code


def _roots() -> list:
    return [o for o in SimObject._instances if o._is_root]


def instantiate(ckpt_dir=None) -> None:
    roots = _roots()
    if len(roots) != 1:
        raise RuntimeError(f"expected exactly one Root, found {len(roots)}")
    roots[0]._validate_tree()
    record["instantiated"] = roots[0]
    record["ckpt"] = ckpt_dir


def simulate(ticks: int = MaxTick) -> ExitEvent:
    if record["instantiated"] is None:
        raise RuntimeError("m5.simulate() before m5.instantiate()")
    if not isinstance(ticks, int) or ticks < 0:
        raise TypeError(f"m5.simulate(ticks): expected a tick count: {ticks}")
    record["simulate_calls"].append(ticks)
    if exit_causes:
        _now[0] += 1
        cause = exit_causes.pop(0)
        if isinstance(cause, tuple):
            return ExitEvent(*cause)
        return ExitEvent(cause)
    _now[0] = min(_now[0] + ticks, MaxTick)
    return ExitEvent("simulate() limit reached")


def curTick() -> int:
    """Simulated time: every simulate() call runs to its limit."""
    return _now[0]


def drain() -> None:
    if record["instantiated"] is None:
        raise RuntimeError("m5.drain() before m5.instantiate()")
    _now[0] += drain_ticks[0]


def checkpoint(dirname: str) -> None:
    record["ckpt"] = dirname


def reset() -> None:
    """Forget everything (between tests)."""
    SimObject._instances.clear()
    record.update(instantiated=None, simulate_calls=[], ckpt=None)
    _now[0] = 0
    drain_ticks[0] = 0
    exit_causes.clear()
    options.outdir = "m5out"
