"""gem5's x86 model where Xen needs it (patches 0007-0013, 0029-0032),
each image on QEMU, the reference, and given SCOTCH_GEM5_BINARY on gem5's
CPU models:

- workloads/selectors: far JMP, far CALL, far RET, IRETQ, MOV to segment
  registers and IDT gates with selectors above 0xff (Xen's are 0xe0xx);
- workloads/fault_escalation: a fault while delivering a fault is #DF,
  one while delivering #DF a triple-fault shutdown;
- workloads/cpl3_segments: MOV to DS/ES and LRETQ at CPL 3 with the GDT
  on a supervisor-only page (a Xen PV kernel's situation), and INT 0x41
  back to ring 0 onto a supervisor-only stack, as Xen's (patch 0038:
  Minor pushed the frame with ring 3's rights), and SYSCALL from ring 3
  to an entry a page away (patch 0039: Minor decoded the bytes after
  SYSCALL as the entry's);
- workloads/io_permission: IN, OUT and OUTS at CPL 3 against IOPL and the
  TSS's I/O permission bitmap (patch 0029; Xen emulates a PV guest's port
  I/O from the #GP it takes);
- workloads/time_stamp: RDTSC and RDTSCP at CPL 3 under CR4.TSD (patch
  0031; Xen emulates a PV domU's TSC from the #GP) and the invariant TSC
  CPUID reports (patch 0032);
- workloads/fpu_nm: #NM from CR0.TS (x87, SSE, FXSAVE, WAIT with MP) and
  CR0.EM (patch 0030);
- workloads/pc_devices: COM1's loopback probe (Xen's console), CPUID
  8000_0007h against the MSRs behind it, the RTC's UIP flag (on gem5
  about 6 minutes: only with SCOTCH_SLOW_GEM5_TESTS=1).
"""

import os
import subprocess
from pathlib import Path

import pytest

from scotch_plugin import workload_build
from scotch_plugin.baremetal import images, serial_report
from scotch_plugin.gem5 import run
from scotch_plugin.platforms import qemu

GEM5_CPUS = ("atomic", "timing", "o3", "minor")
TRIPLE_FAULT = "x86 shutdown: triple fault: "


#: Images with one check each that shows the fix ran.
PLAIN_IMAGES = {"selectors": "lm_int40_handler_cs",
                "cpl3_segments": "cpl3_mov_ds",
                "io_permission": "nobitmap_outb_gp",
                "time_stamp": "tsd1_rdtsc_gp"}  # fmt: skip


@pytest.mark.parametrize("image", sorted(PLAIN_IMAGES))
def test_x86_image_on_qemu(image):
    result = images.run_on_qemu(image)
    assert result.report.failed == []
    assert result.report.passed
    assert PLAIN_IMAGES[image] in result.report.checks


@pytest.mark.parametrize("image", sorted(PLAIN_IMAGES))
@pytest.mark.parametrize("cpu", GEM5_CPUS)
def test_x86_image_on_gem5(gem5_binary, image, cpu, tmp_path):
    result = images.run_on_gem5(image, gem5_binary, cpu=cpu,
                                   outdir=tmp_path)  # fmt: skip
    assert result.report.failed == [], result.report.failed
    assert PLAIN_IMAGES[image] in result.report.checks


@pytest.mark.parametrize("cpu", ["atomic", "o3"])
def test_gem5_reports_an_invariant_tsc(gem5_binary, cpu, tmp_path):
    """Patch 0032: gem5's TSC counts the core clock, and CPUID 8000_0007h
    says so (EDX bit 8), so Xen lets PV domUs read it natively."""
    result = images.run_on_gem5("time_stamp", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert result.report.values["invariant_tsc"] == "1", result.serial
    assert result.report.values["rdtscp"] == "1", result.serial
    assert "tsd1_rdtscp_untouched" in result.report.checks


def test_fpu_nm_on_qemu():
    result = images.run_on_qemu("fpu_nm")
    assert result.report.failed == []
    assert result.report.checks.keys() >= {"ts_movaps_nm", "em_fld1_nm"}


@pytest.mark.parametrize("cpu", GEM5_CPUS)
def test_fpu_nm_on_gem5(gem5_binary, cpu, tmp_path):
    """Patch 0030: every x87 and SIMD microop checks CR0.TS and CR0.EM
    before it changes state; without it 6 of the 10 checks fail."""
    result = images.run_on_gem5("fpu_nm", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert result.report.failed == [], result.report.failed
    assert result.report.checks.keys() >= {"ts_movaps_nm", "em_fld1_nm"}


def _escalation_report(serial: str) -> serial_report.Report:
    report = serial_report.parse(serial)
    assert report.failed == [], report.failed
    assert report.passed
    assert report.checks.keys() >= {"df_vector", "absent_gate_vector"}
    lines = serial.splitlines()
    # The image stops at the triple fault: nothing after this line.
    assert lines[-1] == "fault_escalation: triple fault next", lines[-3:]
    return report


def test_fault_escalation_on_qemu():
    image = workload_build.image("fault_escalation", "qemu")
    result = qemu.run(qemu.multiboot_command(image))
    # -no-reboot: the shutdown ends QEMU without a debug-exit code.
    assert result.guest_code is None, result.serial
    _escalation_report(result.serial.strip())


@pytest.mark.parametrize("cpu", GEM5_CPUS)
def test_fault_escalation_on_gem5(gem5_binary, cpu, tmp_path):
    image = workload_build.image("fault_escalation", "gem5")
    result = run.run_baremetal(gem5_binary, image, tmp_path, cpu=cpu)
    _escalation_report(result.serial.strip())
    assert result.cause.startswith(TRIPLE_FAULT), result.cause
    # #NP (the #DF gate's CS 0xe028 is not present) while delivering #DF.
    assert "#NP(0xe028) (vector 11) while delivering #DF (vector 8)" in (
        result.cause
    )


def test_pc_devices_on_qemu():
    result = images.run_on_qemu("pc_devices", cmdline="rtc")
    assert result.report.failed == []
    assert result.report.passed
    assert result.report.checks.keys() >= {
        "uart_loop_out2_rts",
        "cpuid_80000007_not_vendor",
        "rtc_uip_rises",
        "rtc_updated_after_uip",
    }


@pytest.mark.parametrize("cpu", GEM5_CPUS)
def test_pc_devices_on_gem5(gem5_binary, cpu, tmp_path):
    result = images.run_on_gem5("pc_devices", gem5_binary, cpu=cpu,
                                   outdir=tmp_path)  # fmt: skip
    assert result.report.failed == [], result.report.failed
    assert result.report.passed
    assert "uart_loop_out2_rts" in result.report.checks


def test_rtc_update_in_progress_on_gem5(gem5_binary, tmp_path):
    if os.environ.get("SCOTCH_SLOW_GEM5_TESTS") != "1":
        pytest.skip("polls the RTC for 0.5 s simulated (~6 min): set "
                    "SCOTCH_SLOW_GEM5_TESTS=1")  # fmt: skip
    image = workload_build.image("pc_devices", "gem5")
    # The divider reset puts the update 500 ms on: run up to 1 s.
    result = run.run_baremetal(gem5_binary, image, tmp_path,
                               extra=["--cmdline", "rtc",
                                      "--max-ticks", str(10**12)])  # fmt: skip
    report = serial_report.parse(result.serial)
    assert report.failed == [], report.failed
    assert report.checks.keys() >= {"rtc_uip_rises", "rtc_uip_falls"}
    assert report.passed


def _conversions(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("cvt")]


@pytest.fixture(scope="module")
def sse_convert() -> tuple[Path, list[str]]:
    """The program, and what it prints on the host CPU (the oracle)."""
    program = workload_build.se_check("sse_convert")
    out = subprocess.run([program], capture_output=True, text=True,
                         check=True)  # fmt: skip
    return program, _conversions(out.stdout)


def test_sse_conversions_on_the_host(sse_convert):
    _, lines = sse_convert
    assert len(lines) == 94
    assert "cvtsi2ss r64 3390000000 -> 0x4f4a0f4c" in lines
    assert "cvtsd2si r64 -2.5 -> -2" in lines  # ties to even


@pytest.mark.parametrize("cpu", GEM5_CPUS)
def test_sse_conversions_match_the_host_on_gem5(
    gem5_binary, sse_convert, cpu, tmp_path
):
    program, host = sse_convert
    result = run.run_config(gem5_binary, "se_program.py",
                            ["--program", str(program), "--cpu", cpu],
                            tmp_path, f"sse_convert on {cpu}")  # fmt: skip
    assert result.code == 0, result.cause
    assert _conversions(result.stdout_text()) == host
