"""The SGX benchmark (issue 13): workloads/sgx_conformance with
``bench=<rounds>`` on gem5 (bench.c), its figures and the stats that
show each run took the path it times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project, workload_build
from scotch_plugin.baremetal import images
from scotch_plugin.baremetal.bench import read_stats
from scotch_plugin.errors import ScotchError
from scotch_plugin.sgx import conformance
from scotch_plugin.sgx.latency import Latencies

IMAGE = "sgx_conformance"
#: bench.c's timed quantities, in the order it prints them.
FIGURES = (
    "timing", "enclave_empty", "smi_outside", "smi_inside", "abort_load",
    "ram_load", "abort_store", "ram_store",
)  # fmt: skip
_LINE = re.compile(
    r"^sgx-bench (\w+) rounds=(\d+) min=(\d+) median=(\d+) max=(\d+)",
    re.M,
)
_PER = re.compile(r"^sgx-bench (\w+) per=(\d+)", re.M)
SGX = "board.sgx."


@dataclass(frozen=True)
class Figure:
    """TSC cycles of one timed quantity over the rounds (per access for
    the abort-page chains)."""

    min: float
    median: float
    max: float


@dataclass(frozen=True)
class EnclaveBench:
    cpu: str
    rounds: int
    latencies: Latencies
    figures: dict[str, Figure]
    aexs: int
    eenters: int
    host_seconds: float

    @property
    def aex_eresume(self) -> float:
        """What an AEX and ERESUME add to an SMI: the SMI inside the
        empty enclave, less the enclave and the same SMI outside (each
        of which counts the timing once; the difference lacks it)."""
        f = self.figures
        return (
            f["smi_inside"].median
            - f["enclave_empty"].median
            - f["smi_outside"].median
            + f["timing"].median
        )

    @property
    def aex_eresume_problem(self) -> str | None:
        """Why the AEX and ERESUME figure is no measurement, or None: the
        difference assumes the parts add up, and a negative one shows
        they did not (a stall common to all of them)."""
        if self.aex_eresume < 0:
            f = self.figures
            return (
                f"{self.cpu}: AEX+ERESUME invalid: the SMI inside "
                f"({f['smi_inside'].median:.0f}) is less than the empty "
                f"enclave ({f['enclave_empty'].median:.0f}) plus the SMI "
                f"outside ({f['smi_outside'].median:.0f})"
            )
        return None

    @property
    def enter_exit(self) -> float:
        """EENTER to EEXIT of the empty enclave, less the timing."""
        return self.figures["enclave_empty"].median - (
            self.figures["timing"].median
        )


def parse(serial: str, rounds: int) -> dict[str, Figure]:
    """bench.c's lines: every figure, or an error naming the one
    missing or short of rounds."""
    per = {m[1]: int(m[2]) for m in _PER.finditer(serial)}
    found: dict[str, Figure] = {}
    for m in _LINE.finditer(serial):
        if int(m[2]) != rounds:
            raise ScotchError(
                f"{IMAGE}: 'sgx-bench {m[1]}' timed {m[2]} rounds; "
                f"expected {rounds}"
            )
        n = per.get(m[1], 1)
        found[m[1]] = Figure(int(m[3]) / n, int(m[4]) / n, int(m[5]) / n)
    missing = [f for f in FIGURES if f not in found]
    if missing:
        raise ScotchError(
            f"{IMAGE} printed no 'sgx-bench {missing[0]} rounds=...' line; "
            f"serial:\n{serial[-2000:]}"
        )
    return found


def run_on_gem5(
    gem5_binary: Path,
    cpu: str,
    rounds: int,
    latencies: Latencies,
    clock: str = "3GHz",
    outdir: Path | None = None,
) -> EnclaveBench:
    """One benchmark run; an error if the image failed or the stats show
    another number of AEXs or EENTERs than the rounds need."""
    if not 1 <= rounds <= 512:
        raise ScotchError(
            f"--rounds {rounds}: expected 1 to 512 (bench.c's "
            "BENCH_MAX_ROUNDS)"
        )
    elf = workload_build.image(IMAGE, "gem5")
    outdir = outdir or project.build_dir() / "bench" / f"sgx-{cpu}"
    extra = [*conformance.gem5_args(elf, rounds), "--clock", clock,
             *latencies.gem5_args()]  # fmt: skip
    run = images.run_on_gem5(IMAGE, gem5_binary, cpu=cpu, outdir=outdir,
                             extra=extra)  # fmt: skip
    if run.report.verdict != "PASS":
        raise ScotchError(f"{IMAGE} bench={rounds} failed on {cpu}:\n"
                          f"{run.serial[-3000:]}")  # fmt: skip
    figures = parse(run.serial, rounds)
    stats = read_stats(outdir / "stats.txt")
    aexs = int(stats.get(SGX + "aexs", -1))
    eenters = int(stats.get(SGX + "userLeaves::eenter", -1))
    # Warm-up included: rounds + 1 SMIs inside, twice as many EENTERs.
    if aexs != rounds + 1 or eenters != 2 * (rounds + 1):
        raise ScotchError(
            f"{outdir / 'stats.txt'}: {SGX}aexs = {aexs} and "
            f"userLeaves::eenter = {eenters}; expected {rounds + 1} and "
            f"{2 * (rounds + 1)}: the run did not time what it says"
        )
    return EnclaveBench(cpu, rounds, latencies, figures, aexs, eenters,
                        run.host_seconds)  # fmt: skip
