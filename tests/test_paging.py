"""The page walker sets the accessed bit of the entries it walks, and a
store through a 4 KiB page lands where the page maps (workloads/
paging_ad), on QEMU and, given SCOTCH_GEM5_BINARY, on gem5's CPU models
(with the walker caches of WalkerCachedL1L2Hierarchy and patch 0004);
and the differential paging suite (workloads/paging), compared field by
field with QEMU (scotch_plugin/baremetal/paging.py)."""

import pytest

from scotch_plugin.baremetal import images, paging, serial_report
from scotch_plugin.gem5.run import CPU_MODELS


def test_paging_ad_on_qemu():
    run = images.run_on_qemu("paging_ad")
    assert run.report.failed == []
    assert run.report.passed


@pytest.mark.parametrize("cpu", CPU_MODELS)
def test_paging_ad_on_gem5(gem5_binary, cpu, tmp_path):
    run = images.run_on_gem5("paging_ad", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert run.report.failed == [], run.report.failed
    assert run.report.passed


# The differential paging suite (workloads/paging): QEMU is the
# reference, every gem5 CPU model is compared with it field by field.


@pytest.fixture(scope="module")
def qemu_paging():
    return images.run_on_qemu("paging")


def test_paging_suite_on_qemu(qemu_paging):
    report = qemu_paging.report
    assert report.failed == [], report.failed
    assert report.passed
    values = paging.fields(qemu_paging.serial, report)
    # Every mode and page size ran, 1 GiB pages included (QEMU_CPU).
    assert values["cpuid_page1gb"] == "1"
    for name in ("p32_pse_upper_ram", "pae_big_hi_read_value",
                 "lm_1g_write_ad", "lm_pf_straddle_ro_write_cr2",
                 "p32_pde_ro_write_err"):  # fmt: skip
        assert report.checks[name], name


@pytest.mark.parametrize("cpu", CPU_MODELS)
def test_paging_suite_on_gem5_matches_qemu(gem5_binary, cpu, tmp_path,
                                           qemu_paging):  # fmt: skip
    run = images.run_on_gem5("paging", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert run.report.verdict is not None, run.serial[-2000:]
    diffs = paging.compare(
        paging.fields(qemu_paging.serial, qemu_paging.report),
        paging.fields(run.serial, run.report),
    )
    assert [d for d in diffs if d.allowed is None] == []
    # A check may fail on gem5 only where the difference is allowed.
    assert [n for n in run.report.failed if paging.allowed(n) is None] == []


def test_paging_compare_names_each_allowed_difference():
    ref = {"a": "0x1", "lm_1g_read_ad": "0x20", "pae_global_after_cr3": "1"}
    other = {"a": "0x2", "pae_global_after_cr3": "2", "extra": "0x0"}
    diffs = {d.field: d for d in paging.compare(ref, other)}
    assert set(diffs) == {"a", "lm_1g_read_ad", "pae_global_after_cr3",
                          "extra"}  # fmt: skip
    assert diffs["a"].allowed is None
    assert diffs["extra"].reference is None and diffs["extra"].allowed is None
    assert diffs["lm_1g_read_ad"].other is None
    assert "1 GiB" in diffs["lm_1g_read_ad"].allowed
    assert "CR3" in diffs["pae_global_after_cr3"].allowed
    assert all(why.strip() for why in paging.ALLOWED_DIFFERENCES.values())


def test_paging_fields_reads_checks_and_field_lines():
    serial = (
        "check x_ok ok got=0x00000020 want=0x00000020\n"
        "field cpuid_nx=1 cpuid_page1gb=0\n"
        "paging: PASS failures=0\n"
    )
    assert paging.fields(serial, serial_report.parse(serial)) == {
        "x_ok": "0x00000020", "cpuid_nx": "1", "cpuid_page1gb": "0",
    }  # fmt: skip
