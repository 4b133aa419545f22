"""The scripts in gem5_configs/ import and wire up under the strict stub."""

from __future__ import annotations

import json
import runpy
import sys

import pytest
from conftest import ROOT

CONFIGS = ROOT / "gem5_configs"


def run_config(name: str, args: list[str], capsys) -> str:
    argv = sys.argv
    sys.argv = [str(CONFIGS / name), *args]
    try:
        runpy.run_path(str(CONFIGS / name), run_name="__m5_main__")
    finally:
        sys.argv = argv
    return capsys.readouterr().out


def _report(out: str) -> dict:
    lines = [ln for ln in out.splitlines() if ln.startswith("SCOTCH-CHECK ")]
    assert len(lines) == 1, out
    return json.loads(lines[0].split(" ", 1)[1])


def test_check_build_reports_extras_and_probes(m5stub, capsys):
    out = run_config(
        "check_build.py",
        ["--simobject", "X86ApmPort", "--simobject", "NoSuchThing",
         "--param", "X86ApmPort.broadcast", "--param", "X86ApmPort.nope",
         "--probe", "requires_x86"],
        capsys,
    )  # fmt: skip
    rep = _report(out)
    assert rep["gem5_version"] == "24.0.0.1"
    assert rep["isas"] == ["X86"]
    assert rep["protocol"] is None
    assert rep["present"] == {
        "simobject:X86ApmPort": True,
        "simobject:NoSuchThing": False,
        "param:X86ApmPort.broadcast": True,
        "param:X86ApmPort.nope": False,
        "probe:requires_x86": True,
    }


def test_check_build_on_plain_gem5_finds_nothing(plain_m5stub, capsys):
    out = run_config("check_build.py", ["--simobject", "X86ApmPort"], capsys)
    assert _report(out)["present"] == {"simobject:X86ApmPort": False}


def test_check_build_rejects_unknown_probe(m5stub, capsys):
    with pytest.raises(SystemExit):
        run_config("check_build.py", ["--probe", "nope"], capsys)


@pytest.mark.parametrize("cpu", ["atomic", "timing", "o3", "minor"])
def test_baremetal_wires_an_smm_board(m5stub, capsys, tmp_path, cpu):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    out = run_config(
        "baremetal.py",
        ["--image", str(image), "--cpu", cpu, "--clock", "2GHz",
         "--smm-entry-latency", "100", "--smm-exit-latency", "200"],
        capsys,
    )  # fmt: skip
    assert out.strip().splitlines()[-1].startswith("SCOTCH-EXIT cause=")
    root = m5stub.record["instantiated"]
    board = root.board
    assert root.full_system is True
    assert board.workload.object_file == str(image)
    assert type(board.workload).__name__ == "X86MultibootWorkload"
    assert board.smm.entry_latency == 100 and board.smm.exit_latency == 200
    assert board.apm.int_requestor.peers[0].owner is board.iobus
    assert board.apm.pio.peers[0].owner is board.iobus
    # DMA goes from the I/O bus through the SMRAM guard to memory.
    assert board.smram_guard.cpu_side.peers[0].owner is board.iobus
    assert board.get_mem_side_coherent_io_port() is board.smram_guard.mem_side
    assert len(board.workload.e820_table.entries) >= 3
    assert m5stub.record["simulate_calls"] == [10**11]


def test_baremetal_attaches_a_disk(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(4096))
    run_config("baremetal.py", ["--image", str(image), "--disk", str(disk)],
               capsys)  # fmt: skip
    board = m5stub.record["instantiated"].board
    (ide_disk,) = board.pc.south_bridge.ide.disks
    assert ide_disk.driveID == "device0"
    assert ide_disk.image.read_only is False  # copy on write
    assert ide_disk.image.child.image_file == str(disk)
    assert ide_disk.image.child.read_only is True


def test_baremetal_wires_an_enclave_page_cache(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config("baremetal.py",
               ["--image", str(image), "--epc-size", "64KiB",
                "--epc-base", "0x10000000"], capsys)  # fmt: skip
    board = m5stub.record["instantiated"].board
    assert type(board.sgx).__name__ == "X86EnclaveController"
    assert board.sgx.epc_base == 0x10000000
    assert board.sgx.epc_size == "64KiB"
    # DMA to the EPC is refused by the same memory-side guard as SMRAM's.
    assert board.smram_guard.epc is board.sgx
    assert board.sgx.eenter_latency == 0
    assert board.sgx.eresume_latency == 0


def test_baremetal_sets_the_enclave_latencies(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config("baremetal.py",
               ["--image", str(image), "--epc-size", "64KiB",
                "--sgx-latencies", "1,2,3,4"], capsys)  # fmt: skip
    sgx = m5stub.record["instantiated"].board.sgx
    assert (sgx.eenter_latency, sgx.eexit_latency, sgx.aex_latency,
            sgx.eresume_latency) == (1, 2, 3, 4)  # fmt: skip


def test_baremetal_refuses_three_latencies(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit):
        run_config("baremetal.py",
                   ["--image", str(image), "--epc-size", "64KiB",
                    "--sgx-latencies", "1,2,3"], capsys)  # fmt: skip
    assert "EENTER,EEXIT,AEX,ERESUME" in capsys.readouterr().err


def test_baremetal_has_no_enclave_page_cache_by_default(
    m5stub, capsys, tmp_path
):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config("baremetal.py", ["--image", str(image)], capsys)
    board = m5stub.record["instantiated"].board
    with pytest.raises(AttributeError, match="sgx"):
        board.sgx  # noqa: B018
    assert board.smram_guard.epc is None


def test_baremetal_refuses_an_epc_without_smm(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit, match="--epc-size needs the SMM model"):
        run_config("baremetal.py",
                   ["--image", str(image), "--epc-size", "64KiB",
                    "--no-smm"], capsys)  # fmt: skip


def test_baremetal_refuses_a_missing_disk(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit, match="--disk .*: no such file"):
        run_config("baremetal.py",
                   ["--image", str(image), "--disk", str(tmp_path / "no")],
                   capsys)  # fmt: skip


def test_baremetal_has_no_trigger_by_default(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config("baremetal.py", ["--image", str(image)], capsys)
    board = m5stub.record["instantiated"].board
    with pytest.raises(AttributeError, match="trigger"):
        board.trigger  # noqa: B018


@pytest.mark.parametrize(
    "args, on_cr3, on_interrupt, mean",
    [
        (["--trigger", "cr3"], True, False, "0ns"),
        (["--trigger-random-mean", "20000"], False, False, "20000ns"),
        (
            ["--trigger", "cr3", "--trigger", "interrupt",
             "--trigger-random-mean", "500", "--trigger-seed", "7",
             "--trigger-random-start", "100000"],
            True, True, "500ns",
        ),
    ],
)  # fmt: skip
def test_baremetal_wires_the_smi_trigger(
    m5stub, capsys, tmp_path, args, on_cr3, on_interrupt, mean
):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config("baremetal.py", ["--image", str(image), *args], capsys)
    board = m5stub.record["instantiated"].board
    trigger = board.trigger
    assert type(trigger).__name__ == "X86ScotchTrigger"
    assert trigger.on_cr3 is on_cr3
    assert trigger.on_external_interrupt is on_interrupt
    assert trigger.random_mean == mean
    assert trigger.seed == (7 if "--trigger-seed" in args else 1)
    start = "100000ns" if "--trigger-random-start" in args else "0ns"
    assert trigger.random_start == start
    # SMIs go out as interrupt messages, like the APM port's.
    assert trigger.int_requestor.peers[0].owner is board.iobus
    # It finds the board's controller through Parent.any, as in gem5.
    assert repr(trigger.smm) == "Parent.any"
    assert isinstance(board.smm, m5stub.objects.X86SmmController)


def test_baremetal_refuses_a_trigger_without_smm(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit, match="needs the SMM model"):
        run_config(
            "baremetal.py",
            ["--image", str(image), "--no-smm", "--trigger", "cr3"],
            capsys,
        )


def test_baremetal_wires_the_domain_observer(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    args = ["--observe", "alpha=scotch-domain=alpha", "--observe",
            "beta=scotch-domain=beta", "--observe-probe", "0x80000040",
            "--observe-key-slot", "-1"]  # fmt: skip
    run_config("baremetal.py", ["--image", str(image), *args], capsys)
    board = m5stub.record["instantiated"].board
    observer = board.observer
    assert type(observer).__name__ == "X86DomainObserver"
    assert observer.domains == ["alpha", "beta"]
    # The marker is everything after the first "=".
    assert observer.markers == ["scotch-domain=alpha", "scotch-domain=beta"]
    assert observer.probe_vaddr == 0x80000040
    assert observer.key_slot == -1
    assert repr(observer.smm) == "Parent.any"
    assert isinstance(board.smm, m5stub.objects.X86SmmController)


def test_baremetal_has_no_observer_by_default(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config("baremetal.py", ["--image", str(image)], capsys)
    with pytest.raises(AttributeError, match="observer"):
        m5stub.record["instantiated"].board.observer  # noqa: B018


@pytest.mark.parametrize(
    "args, message",
    [
        (["--observe", "alpha"], "expected NAME=MARKER"),
        (["--observe", "=x"], "expected NAME=MARKER"),
        (["--observe", "a=x", "--no-smm"], "needs the SMM model"),
    ],
)
def test_baremetal_refuses_a_bad_observer(
    m5stub, capsys, tmp_path, args, message
):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit, match=message):
        run_config("baremetal.py", ["--image", str(image), *args], capsys)


def test_baremetal_runs_on_a_plain_gem5_with_its_loader(
    plain_m5stub, capsys, tmp_path
):
    # The overhead benchmark's baseline: a gem5 without our EXTRAS.
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    out = run_config(
        "baremetal.py",
        ["--image", str(image), "--loader", "linux64", "--no-smm"],
        capsys,
    )
    assert out.strip().splitlines()[-1].startswith("SCOTCH-EXIT cause=")
    board = plain_m5stub.record["instantiated"].board
    assert type(board.workload).__name__ == "X86FsLinux"
    assert board.workload.object_file == str(image)
    assert board.get_mem_side_coherent_io_port() is board.iobus.mem_side_ports
    for child in ("smm", "apm", "trigger", "smram_guard"):
        with pytest.raises(AttributeError):
            getattr(board, child)


def test_baremetal_linux64_loader_with_smm(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config(
        "baremetal.py", ["--image", str(image), "--loader", "linux64"], capsys
    )
    board = m5stub.record["instantiated"].board
    assert type(board.workload).__name__ == "X86FsLinux"
    assert type(board.smm).__name__ == "X86SmmController"


def test_baremetal_linux64_loader_takes_no_cmdline(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit, match="--cmdline and --module need"):
        run_config(
            "baremetal.py",
            ["--image", str(image), "--loader", "linux64", "--cmdline", "x"],
            capsys,
        )


def test_baremetal_modules_loads_and_exit_checkpoint(m5stub, capsys, tmp_path):
    image, module, block = (tmp_path / n for n in ("i.elf", "m.elf", "kb"))
    for f in (image, module, block):
        f.write_bytes(b"")
    run_config(
        "baremetal.py",
        ["--image", str(image), "--module", f"{module} probe.nonce=1",
         "--load", f"{block}@0x1e000000"],
        capsys,
    )  # fmt: skip
    workload = m5stub.record["instantiated"].board.workload
    assert workload.modules == [str(module)]
    assert workload.module_cmdlines == [f"{module} probe.nonce=1"]
    assert workload.extras == [str(block)]
    assert workload.extras_addrs == [0x1E000000]


@pytest.mark.parametrize(
    "spec, message",
    [("nofile@0x1000", "no such file"), ("{block}", "expected FILE@ADDR"),
     ("{block}@zz", "expected FILE@ADDR"), ("@0x10", "expected FILE@ADDR")],
)  # fmt: skip
def test_baremetal_refuses_a_bad_load(m5stub, capsys, tmp_path, spec, message):
    image, block = tmp_path / "i.elf", tmp_path / "kb"
    image.write_bytes(b"")
    block.write_bytes(b"")
    spec = spec.format(block=block)
    with pytest.raises(SystemExit, match=f"--load .*{message}"):
        run_config("baremetal.py", ["--image", str(image), "--load", spec],
                   capsys)  # fmt: skip


def test_baremetal_refuses_a_missing_module(m5stub, capsys, tmp_path):
    image = tmp_path / "i.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit, match="--module .*: no such file"):
        run_config("baremetal.py",
                   ["--image", str(image), "--module", "/no/such x"],
                   capsys)  # fmt: skip


def test_baremetal_switch_and_restore_options(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    cpt = tmp_path / "cpt.1000"
    cpt.mkdir()
    run_config(
        "baremetal.py",
        ["--image", str(image), "--cpu", "atomic", "--switch-to", "o3",
         "--restore", str(cpt), "--cmdline", "milestone=switch"],
        capsys,
    )  # fmt: skip
    board = m5stub.record["instantiated"].board
    proc = board.get_processor()
    assert proc.switch_core_type.name == "O3"
    assert m5stub.record["ckpt"] == str(cpt)
    assert board.workload.command_line == "milestone=switch"


def test_baremetal_refuses_a_missing_image(m5stub, capsys, tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        run_config("baremetal.py", ["--image", str(tmp_path / "x")], capsys)


def test_se_program_runs_the_program_on_the_cpu_asked(
    m5stub, capsys, tmp_path
):
    program = tmp_path / "sse_convert"
    program.write_bytes(b"")
    out = run_config("se_program.py",
                     ["--program", str(program), "--cpu", "o3"],
                     capsys)  # fmt: skip
    board = m5stub.record["instantiated"].board
    assert board._binary.get_local_path() == str(program)
    assert board.get_processor().cpu_type.name == "O3"
    assert out.rstrip().splitlines()[-1].startswith("SCOTCH-EXIT cause=")


def test_se_program_passes_arguments_and_a_readfile(m5stub, capsys, tmp_path):
    program, params = tmp_path / "scotch-m5", tmp_path / "run.params"
    program.write_bytes(b"")
    params.write_text("severity=3\n")
    run_config("se_program.py",
               ["--program", str(program), "--arg", "readfile",
                "--readfile", str(params)], capsys)  # fmt: skip
    board = m5stub.record["instantiated"].board
    assert board._arguments == ["readfile"]
    assert board.readfile == str(params)


def test_se_program_refuses_a_missing_readfile(m5stub, capsys, tmp_path):
    program = tmp_path / "p"
    program.write_bytes(b"")
    with pytest.raises(SystemExit, match="--readfile .*: no such file"):
        run_config("se_program.py",
                   ["--program", str(program), "--readfile",
                    str(tmp_path / "none")], capsys)  # fmt: skip


def test_se_program_refuses_a_missing_program(m5stub, capsys, tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        run_config("se_program.py", ["--program", str(tmp_path / "x")],
                   capsys)  # fmt: skip


def test_every_config_is_covered():
    # A new config in gem5_configs/ needs a test here (xen_boot.py: in
    # test_xen_boot_config.py).
    covered = {"check_build.py", "baremetal.py", "xen_boot.py",
               "se_program.py"}  # fmt: skip
    assert {p.name for p in CONFIGS.glob("*.py")} <= covered


def test_baremetal_wires_the_switch_timer(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    run_config("baremetal.py", ["--image", str(image), "--time-switches",
                                "100010,100000,100400"], capsys)  # fmt: skip
    board = m5stub.record["instantiated"].board
    timer = board.switch_timer
    assert type(timer).__name__ == "X86SwitchTimer"
    assert (timer.start_pc, timer.hypervisor_start, timer.hypervisor_end) == (
        0x100010, 0x100000, 0x100400)  # fmt: skip
    # Every core's CPU, as the processor made them.
    cores = board.get_processor().get_cores()
    assert timer.cpus == [c.get_simobject() for c in cores] and timer.cpus
    assert repr(timer.smm) == "Parent.any"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--time-switches", "100,200,300"], "START must lie in"),
        (["--time-switches", "100,zz,300"], "expected START,TEXT_START"),
        (["--time-switches", "150,100,300", "--no-smm"], "needs the SMM"),
    ],
)
def test_baremetal_refuses_a_bad_switch_timer(
    m5stub, capsys, tmp_path, extra, message
):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    with pytest.raises(SystemExit, match=message):
        run_config("baremetal.py", ["--image", str(image), *extra], capsys)
