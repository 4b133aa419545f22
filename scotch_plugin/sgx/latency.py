"""What EENTER, EEXIT, an AEX and ERESUME cost on hardware, as presets
for ``X86EnclaveController``'s latency parameters.

The controller adds a fixed number of cycles to each (0 by default), on
top of what the CPU model spends executing it. No source found measures
the four one by one; two publications time them in pairs on Skylake, and
the ``published`` preset splits each pair evenly between its halves (an
assumption: nothing here says how a pair divides). Both pairs include
more than the two instructions, so the preset is an upper bound:

- EENTER + EEXIT: an SDK ECALL, warm, is 8,200 cycles (HotCalls), which
  includes the SDK's own bridge code around the two instructions;
- AEX + ERESUME: 7,862 cycles, the median of Nemesis' published
  ``lfence`` measurement (ERESUME, one enclaved LFENCE, AEX, and the
  interrupt's delivery to a ring-3 handler).

``scotch bench enclave --sgx-latency published`` prints the model's
figures with the preset beside these.
"""

from __future__ import annotations

from dataclasses import dataclass

from scotch_plugin.errors import ScotchError


@dataclass(frozen=True)
class Source:
    """A published measurement of a pair of SGX transitions."""

    pair: str
    cycles: int
    what: str
    citation: str


HOTCALLS = Source(
    "EENTER + EEXIT",
    8_200,
    "an SDK ECALL, warm caches (the abstract's lower end, 8,200 - "
    "17,000 cycles)",
    "Weisse, Bertacco, Austin: Regaining Lost Cycles with HotCalls, "
    "ISCA 2017, abstract (doi:10.1145/3079856.3080208)",
)
NEMESIS = Source(
    "AEX + ERESUME",
    7_862,
    "ERESUME, one enclaved LFENCE, AEX and the timer interrupt's delivery "
    "to a ring-3 handler; median of 10,002 samples on an i7-6500U",
    "Van Bulck, Piessens, Strackx: Nemesis, CCS 2018, sec. 4.2 (the "
    "path, fig. 5) and 5.2 (fig. 6a); the samples are the artifact's "
    "sgx/data/ubench/lfence.txt (github.com/jovanbulck/nemesis, "
    "d463ac6)",
)


@dataclass(frozen=True)
class Latencies:
    """Cycles EENTER, EEXIT, an AEX and ERESUME add."""

    eenter: int
    eexit: int
    aex: int
    eresume: int

    def gem5_args(self) -> list[str]:
        """baremetal.py's option."""
        return [
            "--sgx-latencies",
            f"{self.eenter},{self.eexit},{self.aex},{self.eresume}",
        ]

    def __str__(self) -> str:
        return f"{self.eenter}/{self.eexit}/{self.aex}/{self.eresume}"


PRESETS = {
    "zero": Latencies(0, 0, 0, 0),
    "published": Latencies(
        HOTCALLS.cycles // 2,
        HOTCALLS.cycles - HOTCALLS.cycles // 2,
        NEMESIS.cycles // 2,
        NEMESIS.cycles - NEMESIS.cycles // 2,
    ),
}


def preset(name: str) -> Latencies:
    try:
        return PRESETS[name]
    except KeyError:
        raise ScotchError(
            f"--sgx-latency {name!r}: expected one of " f"{', '.join(PRESETS)}"
        ) from None
