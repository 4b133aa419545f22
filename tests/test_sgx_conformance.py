"""SGX1 in gem5's x86 model (issue 13; patch 0035 and the EXTRAS
``X86EnclaveController``): workloads/sgx_conformance on every CPU model.

The image checks, from outside any enclave, that the EPC is SGX's abort
page for the CPU (paging off and on, fetches), the page walker, SMM and
DMA; builds an enclave with ENCLS (ECREATE, EADD, EEXTEND, EINIT,
EREMOVE and their faults); and runs it with ENCLU: EENTER, EGETKEY, an
SMI and a timer interrupt inside (each an AEX to the AEP, then ERESUME:
SMM sees only the synthetic state), EEXIT. EINIT gets the MRENCLAVE the
host computes (scotch_plugin/sgx/conformance.py): it succeeds only if
gem5 measured the same bytes, which also shows that none of the outside
writes aimed at an enclave page reached it. A second enclave, one byte
apart, gets another seal key. QEMU has no SGX: there is no oracle, and
the image runs on gem5 only (SCOTCH_GEM5_BINARY).
"""

from __future__ import annotations

import re

import pytest

from scotch_plugin import project, workload_build
from scotch_plugin.baremetal import bench, images
from scotch_plugin.sgx import conformance

IMAGE = "sgx_conformance"
CPUS = ("atomic", "timing", "o3", "minor")
SGX = "board.sgx."
#: Leaves the image executes (a leaf counts whether or not it faults).
LEAVES = {"ecreate": 5, "eadd": 14, "eextend": 97, "einit": 4,
          "eremove": 17}  # fmt: skip
USER_LEAVES = {"eenter": 4, "eresume": 6, "eexit": 4, "egetkey": 4}
#: Three runs of an enclave, each with an SMI and a timer interrupt.
AEXS = 6


def _args() -> list[str]:
    return conformance.gem5_args(workload_build.image(IMAGE, "gem5"))


def test_the_image_and_the_host_describe_the_same_enclave():
    """layout.h is conformance.py (the host's MRENCLAVE would otherwise
    describe another enclave), and the code page holds the image's
    enclave code."""
    source = (project.root() / "workloads" / IMAGE / "layout.h").read_text()
    defines = {
        m[1]: int(m[2], 0)
        for m in re.finditer(r"^#define (\w+) (0x[0-9a-f]+)u?\b", source,
                             re.M)  # fmt: skip
    }
    assert defines["EPC_BASE"] == conformance.EPC_BASE
    assert defines["ENCL_BASE"] == conformance.BASE
    assert defines["ENCL_SIZE"] == conformance.SIZE
    assert defines["TCS_OFF"] == conformance.TCS_OFFSET
    assert defines["CODE_OFF"] == conformance.CODE_OFFSET
    assert defines["SSA_OFF"] == conformance.SSA_OFFSET
    assert defines["DATA_OFF"] == conformance.DATA_OFFSET
    assert defines["TCS2_OFF"] == conformance.TCS2_OFFSET
    assert defines["SSA2_OFF"] == conformance.SSA2_OFFSET
    assert defines["BENCH_ENTRY_OFF"] == conformance.BENCH_ENTRY_OFFSET
    elf = workload_build.image(IMAGE, "gem5")
    page = conformance.code_page(elf, 1)
    assert page.startswith(conformance.enclave_code(elf))
    assert page[-1] == 1
    # The two enclaves differ: so do their measurements.
    assert conformance.mrenclave(elf, 0) != conformance.mrenclave(elf, 1)


@pytest.mark.parametrize("cpu", CPUS)
def test_sgx_conformance_on_gem5(gem5_binary, cpu, tmp_path):
    run = images.run_on_gem5(IMAGE, gem5_binary, cpu=cpu, outdir=tmp_path,
                             extra=_args())  # fmt: skip
    assert run.report.failed == [], run.serial
    assert run.report.passed, run.serial
    checks = run.report.checks
    assert {"einit_measurement_matches_host", "walk_pf_rsvd",
            "dma_read_of_epc_all_ones", "smm_write_dropped",
            "cpu_fetch_ud", "encls_cpl3_ud", "aex_eresume_twice",
            "smm_saw_aep", "egetkey_deterministic",
            "egetkey_bound_to_enclave"} <= checks.keys()  # fmt: skip
    stats = bench.read_stats(tmp_path / "stats.txt")
    for leaf, count in LEAVES.items():
        assert stats[f"{SGX}leaves::{leaf}"] == count, leaf
    for leaf, count in USER_LEAVES.items():
        assert stats[f"{SGX}userLeaves::{leaf}"] == count, leaf
    assert stats[SGX + "aexs"] == AEXS
    # Every kind of outside access was blocked, and counted as such.
    assert stats[SGX + "blockedReads"] > 0
    assert stats[SGX + "blockedWrites"] > 0
    assert stats[SGX + "blockedFetches"] >= 1
    assert stats[SGX + "blockedWalks"] >= 1
    assert stats[SGX + "blockedInSmm"] >= 5
    assert stats[SGX + "blockedDmaReads"] >= 1
    assert stats[SGX + "blockedDmaWrites"] >= 1


def test_a_wrong_measurement_fails_einit(gem5_binary, tmp_path):
    """The host's MRENCLAVE is what EINIT checks: another one fails."""
    args = _args()
    first = args[-1].split()[0]
    args[-1] = args[-1].replace(first, "mrenclave=" + "00" * 32)
    run = images.run_on_gem5(IMAGE, gem5_binary, cpu="atomic",
                             outdir=tmp_path, extra=args)  # fmt: skip
    assert "einit_measurement_matches_host" in run.report.failed


def _with_milestone(milestone: str) -> list[str]:
    args = _args()
    args[-1] += f" milestone={milestone}"
    return args


def test_an_enclave_survives_a_checkpoint_taken_inside(gem5_binary, tmp_path):
    """The first enclave takes an m5 checkpoint from inside (after
    EGETKEY): the run goes on and passes, and so does a restore of that
    checkpoint on O3, which resumes inside the enclave (the EPCM, the
    measurements and the CPU's enclave mode come from the checkpoint)."""
    args = _with_milestone("checkpoint")
    first = images.run_on_gem5(IMAGE, gem5_binary, cpu="atomic",
                               outdir=tmp_path / "a", extra=args)  # fmt: skip
    assert first.report.failed == [], first.serial
    assert first.report.passed, first.serial
    (cpt,) = sorted((tmp_path / "a").glob("cpt.*"))
    restore = [*args, "--restore", str(cpt)]
    second = images.run_on_gem5(
        IMAGE, gem5_binary, cpu="o3", outdir=tmp_path / "b", extra=restore
    )
    assert second.report.failed == [], second.serial
    assert second.report.passed, second.serial
    # Only what follows the checkpoint prints: the enclave came back out
    # through EEXIT with both AEXs, and the EPCM still knew it.
    assert {"aex_eresume_twice", "egetkey_deterministic",
            "egetkey_bound_to_enclave", "eremove"} <= (
        second.report.checks.keys())  # fmt: skip
    assert "ecreate" not in second.report.checks
    stats = bench.read_stats(tmp_path / "b" / "stats.txt")
    assert stats[SGX + "aexs"] == AEXS


def test_an_enclave_survives_a_cpu_switch_inside(gem5_binary, tmp_path):
    """Atomic to O3 from inside the first enclave (m5 switchcpu)."""
    run = images.run_on_gem5(IMAGE, gem5_binary, cpu="atomic",
                             outdir=tmp_path,
                             extra=[*_with_milestone("switch"),
                                    "--switch-to", "o3"])  # fmt: skip
    assert run.report.failed == [], run.serial
    assert run.report.passed, run.serial
    assert "aex_eresume_twice" in run.report.checks
