"""An experiment as ``scotch run`` runs it: the validated, resolved
form of an experiment file (:mod:`scotch_plugin.experiments.load` reads
one), and the vocabulary and defaults of its fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Platform = Literal["qemu", "gem5"]
Trigger = Literal["software", "cr3", "interrupt", "random"]
Role = Literal["attacker", "victim"]

PLATFORMS: tuple[Platform, ...] = ("qemu", "gem5")
TRIGGERS: tuple[Trigger, ...] = ("software", "cr3", "interrupt", "random")
#: Triggers only the gem5 model can raise (QEMU has no hook for them).
GEM5_ONLY_TRIGGERS: tuple[Trigger, ...] = ("cr3", "interrupt", "random")
ROLES: tuple[Role, ...] = ("attacker", "victim")
MIN_SEVERITY = 0
MAX_SEVERITY = 10

#: ``parsec:<name>`` workloads: the PARSEC 3.0 benchmarks.
PARSEC_PREFIX = "parsec:"
PARSEC_BENCHMARKS: tuple[str, ...] = (
    "blackscholes",
    "bodytrack",
    "canneal",
    "dedup",
    "facesim",
    "ferret",
    "fluidanimate",
    "freqmine",
    "raytrace",
    "streamcluster",
    "swaptions",
    "vips",
    "x264",
)

# Ranges of the numeric fields (inclusive).
#: The window may be a fraction of a second on gem5 (a simulated second of
#: a busy CPU costs tens of host minutes); QEMU takes whole seconds.
SECONDS_RANGE = (0.01, 3600)
REPEATS_RANGE = (1, 1000)
MEMORY_MB_RANGE = (16, 16384)
VCPUS_RANGE = (1, 64)

DEFAULT_PLATFORM: Platform = "qemu"
DEFAULT_TRIGGER: Trigger = "software"
DEFAULT_GEM5_CPU = "o3"
DEFAULT_FREQUENCY = "3GHz"
DEFAULT_RANDOM_MEAN_US = 100.0
DEFAULT_SECONDS = 6
DEFAULT_REPEATS = 1
DEFAULT_MEMORY_MB = 128
DEFAULT_VCPUS = 1

#: A frequency as the files write it (``3GHz``, ``800MHz``).
FREQUENCY = re.compile(r"(\d+(?:\.\d+)?)\s*([kMG]?)Hz")
_FREQUENCY_SCALE = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def frequency_hz(text: str) -> float | None:
    """``text`` in Hz, or ``None`` if it is not a frequency."""
    match = FREQUENCY.fullmatch(text.strip())
    if not match:
        return None
    return float(match.group(1)) * _FREQUENCY_SCALE[match.group(2)]


@dataclass(frozen=True)
class Gem5Settings:
    """How to run gem5 (``platform: gem5`` only)."""

    binary: Path
    cpu: str = DEFAULT_GEM5_CPU
    frequency: str = DEFAULT_FREQUENCY
    #: A boot directory to restore (one of ``build/gem5-boots/``, or a
    #: copy of one) instead of the cache's; ``None``: the cache's.
    checkpoint: Path | None = None

    @property
    def frequency_hz(self) -> float:
        return frequency_hz(self.frequency) or 0.0


@dataclass(frozen=True)
class Attack:
    """The scheduler attack: which severities, how often, hidden or not."""

    severities: tuple[int, ...]
    hide_from_xen: bool = False
    repeats: int = DEFAULT_REPEATS


@dataclass(frozen=True)
class Domain:
    """One domU."""

    name: str
    role: Role
    workload: str
    memory_mb: int = DEFAULT_MEMORY_MB
    vcpus: int = DEFAULT_VCPUS

    @property
    def parsec_benchmark(self) -> str | None:
        """The PARSEC benchmark for ``parsec:<name>``, else ``None``."""
        if self.workload.startswith(PARSEC_PREFIX):
            return self.workload[len(PARSEC_PREFIX) :]
        return None


@dataclass(frozen=True)
class Experiment:
    """A validated experiment; its paths are absolute.

    ``source`` is the file it was loaded from (``None`` if parsed from a
    string).
    """

    name: str
    source: Path | None
    platform: Platform
    trigger: Trigger
    attack: Attack
    domains: tuple[Domain, Domain]
    seconds: float
    output: Path
    gem5: Gem5Settings | None = None
    random_mean_us: float | None = None
    description: str = ""

    @property
    def attacker(self) -> Domain:
        return next(d for d in self.domains if d.role == "attacker")

    @property
    def victim(self) -> Domain:
        return next(d for d in self.domains if d.role == "victim")

    @property
    def severities(self) -> tuple[int, ...]:
        return self.attack.severities

    def runs(self) -> tuple[tuple[int, int], ...]:
        """``(severity, repeat)`` of every run, in the order to run them."""
        return tuple(
            (s, r)
            for s in self.attack.severities
            for r in range(self.attack.repeats)
        )

    def to_dict(self) -> dict[str, Any]:
        """The resolved experiment as plain data (for a results record)."""
        data: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "source": None if self.source is None else str(self.source),
            "platform": self.platform,
            "trigger": self.trigger,
            "attack": {
                "severities": list(self.attack.severities),
                "hide_from_xen": self.attack.hide_from_xen,
                "repeats": self.attack.repeats,
            },
            "domains": [
                {
                    "name": d.name,
                    "role": d.role,
                    "workload": d.workload,
                    "memory_mb": d.memory_mb,
                    "vcpus": d.vcpus,
                }
                for d in self.domains
            ],
            "seconds": self.seconds,
            "output": str(self.output),
        }
        if self.gem5 is not None:
            data["gem5"] = {
                "binary": str(self.gem5.binary),
                "cpu": self.gem5.cpu,
                "frequency": self.gem5.frequency,
            }
        if self.random_mean_us is not None:
            data["random_mean_us"] = self.random_mean_us
        return data
