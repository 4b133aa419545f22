"""gem5_configs/xen_boot.py wires Xen, dom0's kernel and initrd onto
Scotch-gem5's board, with an ACPI MADT (under the strict stub; the boot
itself needs gem5)."""

from __future__ import annotations

import re
import runpy
import sys

import pytest
from conftest import ROOT

CONFIG = ROOT / "gem5_configs" / "xen_boot.py"


def run_config(args: list[str], capsys) -> str:
    argv = sys.argv
    sys.argv = [str(CONFIG), *args]
    try:
        runpy.run_path(str(CONFIG), run_name="__m5_main__")
    finally:
        sys.argv = argv
    return capsys.readouterr().out


def window_work_id() -> int:
    """xen_boot.py's WINDOW_WORK_ID (loaded, not run: needs m5stub)."""
    return int(
        runpy.run_path(str(CONFIG), run_name="xen_boot")["WINDOW_WORK_ID"]
    )


@pytest.fixture
def images(tmp_path):
    paths = {}
    for name in ("xen-4.17-amd64", "vmlinuz", "dom0.cpio.gz"):
        paths[name] = tmp_path / name
        paths[name].write_bytes(b"")
    return paths


def _args(images) -> list[str]:
    return [
        "--xen", str(images["xen-4.17-amd64"]),
        "--kernel", str(images["vmlinuz"]),
        "--initrd", str(images["dom0.cpio.gz"]),
    ]  # fmt: skip


def test_xen_boot_wires_xen_and_its_modules(m5stub, capsys, images):
    out = run_config(
        [*_args(images), "--max-ticks", "5000", "--cpu", "timing",
         "--clock", "2GHz", "--memory", "2GiB"],
        capsys,
    )  # fmt: skip
    assert out.strip().splitlines()[-1].startswith("SCOTCH-EXIT cause=")
    root = m5stub.record["instantiated"]
    board = root.board
    assert root.full_system is True
    workload = board.workload
    assert type(workload).__name__ == "X86MultibootWorkload"
    assert workload.object_file == str(images["xen-4.17-amd64"])
    # Xen drops the first word (the image name) of each command line.
    words = workload.command_line.split()
    assert words[0] == "xen-4.17-amd64"
    assert {"console=com1", "no-real-mode"} <= set(words)
    assert workload.modules == [
        str(images["vmlinuz"]),
        str(images["dom0.cpio.gz"]),
    ]
    assert workload.module_cmdlines[0].split()[:2] == [
        "vmlinuz",
        "console=hvc0",
    ]
    assert workload.module_cmdlines[1] == "dom0.cpio.gz"
    assert type(board.smm).__name__ == "X86SmmController"
    assert m5stub.record["simulate_calls"] == [5000]


def test_xen_boot_marks_the_boot_with_m5_ops(m5stub, capsys, images):
    # dom0's init checkpoints, brackets the window and exits through m5.
    run_config([*_args(images), "--max-ticks", "5000"], capsys)
    board = m5stub.record["instantiated"].board
    assert "scotch.m5=1" in board.workload.module_cmdlines[0].split()
    # Without it gem5 ignores dom0's work-begin/work-end.
    assert board.exit_on_work_items is True


def test_xen_boot_periodic_checkpoints_and_max_insts(
    m5stub, capsys, images, tmp_path
):
    m5stub.options.outdir = str(tmp_path)
    out = run_config(
        [*_args(images), "--max-ticks", "5000", "--progress-ticks", "0",
         "--checkpoint-every", "2000", "--max-insts", "777"],
        capsys,
    )  # fmt: skip
    assert m5stub.record["simulate_calls"] == [2000, 2000, 1000]
    assert m5stub.record["checkpoints"] == [
        str(tmp_path / "cpt.periodic.2000"),
        str(tmp_path / "cpt.periodic.4000"),
    ]
    assert m5stub.record["max_insts"] == 777
    assert out.count("SCOTCH-CHECKPOINT") == 2


def test_xen_boot_names_a_checkpoint_after_the_tick_it_holds(
    m5stub, capsys, images, tmp_path
):
    # Draining waits for an instruction boundary: in gem5 Xen's rep movs
    # of its boot modules held it for 52 ms simulated.
    m5stub.options.outdir = str(tmp_path)
    m5stub.drain_ticks[0] = 2500
    out = run_config(
        [*_args(images), "--max-ticks", "9000", "--progress-ticks", "0",
         "--checkpoint-every", "2000"],
        capsys,
    )  # fmt: skip
    # 2000 + 2500 of draining: held at 4500; next due at 6000 (+2500).
    assert m5stub.record["checkpoints"] == [
        str(tmp_path / "cpt.periodic.4500"),
        str(tmp_path / "cpt.periodic.8500"),
    ]
    assert m5stub.record["simulate_calls"] == [2000, 1500, 500]
    assert (
        "SCOTCH-CHECKPOINT %s tick=4500" % (tmp_path / "cpt.periodic.4500")
        in out
    )
    assert out.rstrip().endswith("tick=9000")


def test_xen_boot_describes_the_apics_in_a_madt(m5stub, capsys, images):
    run_config([*_args(images), "--cores", "2", "--max-ticks", "1"], capsys)
    rsdp = m5stub.record["instantiated"].board.workload
    rsdp = rsdp.acpi_description_table_pointer
    (madt,) = rsdp.xsdt.entries
    assert list(rsdp.rsdt.entries) == [madt]
    assert madt.local_apic_address == 0xFEE00000
    kinds = [type(r).__name__ for r in madt.records]
    assert kinds == [
        "X86ACPIMadtLAPIC",
        "X86ACPIMadtLAPIC",
        "X86ACPIMadtIOAPIC",
        "X86ACPIMadtIntSourceOverride",
    ]
    assert [r.apic_id for r in madt.records[:2]] == [0, 1]
    assert madt.records[2].id == 2 and madt.records[2].address == 0xFEC00000
    assert (madt.records[3].irq_source, madt.records[3].sys_int) == (0, 2)


def test_xen_boot_hands_dom0_a_readfile(m5stub, capsys, images, tmp_path):
    params = tmp_path / "run.params"
    params.write_text("scotch.attacker=1\n")
    run_config([*_args(images), "--readfile", str(params), "--max-ticks",
                "100"], capsys)  # fmt: skip
    assert m5stub.record["instantiated"].board.readfile == str(params)


def test_xen_boot_refuses_a_missing_readfile(m5stub, capsys, images, tmp_path):
    with pytest.raises(SystemExit, match="--readfile .*: no such file"):
        run_config([*_args(images), "--readfile", str(tmp_path / "none")],
                   capsys)  # fmt: skip


def test_xen_boot_without_smm_or_initrd(m5stub, capsys, images):
    args = _args(images)[:4]
    run_config([*args, "--no-smm", "--max-ticks", "100"], capsys)
    board = m5stub.record["instantiated"].board
    assert board.workload.modules == [str(images["vmlinuz"])]
    with pytest.raises(AttributeError, match="smm"):
        board.smm  # noqa: B018


def test_xen_boot_refuses_a_missing_image(m5stub, capsys, tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        run_config(
            ["--xen", str(tmp_path / "nope"), "--kernel", str(tmp_path)],
            capsys,
        )


def test_xen_boot_through_the_shim_with_scotch_s_hardware(
    m5stub, capsys, images, tmp_path
):
    """Scotch's chain: the shim is the multiboot image and Xen module 0;
    the key block is loaded raw; the observer and a trigger are wired."""
    shim = tmp_path / "scotch_shim.elf"
    shim.write_bytes(b"")
    block = tmp_path / "keyblock.bin"
    block.write_bytes(b"\0" * 64)
    run_config(
        [*_args(images), "--max-ticks", "5000",
         "--shim", str(shim), "--shim-args", "scotch.keyblock=0x41000000",
         "--load", f"{block}@0x41000000",
         "--observe", "dom0=dom0", "--observe", "victim=victim",
         "--observe-probe", "0xffffffff81ac2601",
         "--trigger", "cr3", "--exit-at-checkpoint", "--ignore-work-items"],
        capsys,
    )  # fmt: skip
    board = m5stub.record["instantiated"].board
    workload = board.workload
    assert workload.object_file == str(shim)
    assert (
        workload.command_line == "scotch_shim.elf scotch.keyblock=0x41000000"
    )
    assert workload.modules == [
        str(images["xen-4.17-amd64"]),
        str(images["vmlinuz"]),
        str(images["dom0.cpio.gz"]),
    ]
    assert workload.module_cmdlines[0].split()[:2] == [
        "xen-4.17-amd64",
        "console=com1",
    ]
    assert workload.extras == [str(block)]
    assert workload.extras_addrs == [0x41000000]
    observer = board.observer
    assert observer.domains == ["dom0", "victim"]
    assert observer.markers == ["dom0", "victim"]
    assert observer.probe_vaddr == 0xFFFFFFFF81AC2601
    # RQ3's per-domain L2 lookups: the observer listens to each core's L2
    # (the caches exist once the board has connected its hierarchy).
    l2 = [c for c in board.get_cache_hierarchy().descendants()
          if type(c).__name__ == "L2Cache"]  # fmt: skip
    assert len(l2) == 1 and observer.caches == l2
    # The handler's own lookups, per cache: the core's L1s and its L2.
    kinds = sorted(type(c).__name__ for c in observer.smm_caches)
    assert kinds == ["L1DCache", "L1ICache", "L2Cache"]
    assert board.trigger.on_cr3 is True
    assert board.exit_on_work_items is False


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--shim", "/nonexistent/shim.elf"], "--shim /nonexistent/shim.elf"),
        (["--load", "nofile"], "expected FILE@ADDR"),
        (["--observe", "novalue"], "expected NAME=MARKER"),
        (["--no-smm", "--trigger", "cr3"], "needs the SMM model"),
    ],
)
def test_xen_boot_refuses_bad_scotch_options(
    m5stub, capsys, images, extra, message
):
    with pytest.raises(SystemExit) as info:
        run_config([*_args(images), *extra], capsys)
    assert str(info.value).startswith("xen_boot.py: ")
    assert message in str(info.value)


def test_xen_boot_fast_forwards_to_the_window(m5stub, capsys, images):
    """--switch-cpu: restored on the Atomic cores, named as a one-model
    run names them (a checkpoint of one restores), switched to O3 at
    dom0's first work-begin and back at its work-end, with statistics
    dumped, not reset; a domU's PARSEC region of interest (work id 0)
    switches nothing;
    the observer and the switch timer listen to both models' cores."""
    import m5

    window = window_work_id()
    m5.exit_causes[:] = [("workbegin", 0), ("workbegin", window),
                         ("workend", 0), ("workbegin", 0),
                         ("workend", window), ("workend", 0),
                         ("workbegin", window), ("workend", window),
                         "m5_exit instruction encountered"]  # fmt: skip
    out = run_config(
        [*_args(images), "--cpu", "atomic", "--switch-cpu", "o3",
         "--ignore-work-items", "--observe", "dom0=dom0",
         "--time-switches", "ffff82d0402fbcc0,ffff82d040200000,"
         "ffff82d040360183"],
        capsys,
    )  # fmt: skip
    board = m5stub.record["instantiated"].board
    processor = board.get_processor()
    kinds = [type(c.get_simobject()).__name__ for c in processor.all_cores()]
    assert kinds == ["X86AtomicSimpleCPU", "X86O3CPU"]
    # In at the first work-begin, back at the next work-end, no more:
    # dom0 brackets one window.
    assert processor.switched == ["detailed", "cores"]
    assert out.count("SCOTCH-SWITCHED cpu=o3 tick=") == 1
    assert out.count("SCOTCH-SWITCHED cpu=atomic tick=") == 1
    assert out.count("SCOTCH-ROI begin work_id=0 ") == 2
    assert out.count("SCOTCH-ROI end work_id=0 ") == 2
    assert board.exit_on_work_items is True  # despite --ignore-work-items
    listened = [type(c).__name__ for c in board.observer.cores]
    assert listened == kinds
    assert [type(c).__name__ for c in board.switch_timer.cpus] == kinds
    assert "SCOTCH-EXIT cause='m5_exit instruction encountered'" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--switch-cpu", "atomic"], "is the --cpu already"),
        (["--switch-cpu", "o3", "--cores", "2"], "needs --cores 1"),
    ],
)
def test_xen_boot_refuses_a_switch_it_cannot_make(
    m5stub, capsys, images, extra, message
):
    with pytest.raises(SystemExit) as info:
        run_config([*_args(images), "--cpu", "atomic", *extra], capsys)
    assert message in str(info.value)


def test_dom0_s_window_work_id_is_the_config_s(m5stub):
    """scotch-m5 marks dom0's window with the work id xen_boot.py waits
    for (PARSEC's region of interest has id 0)."""
    src = (ROOT / "workloads/xen/tools/scotch-m5.c").read_text()
    m = re.search(r"#define SCOTCH_WINDOW_WORK_ID (0x[0-9a-fA-F]+)", src)
    assert m, "scotch-m5.c: no SCOTCH_WINDOW_WORK_ID"
    window = int(m.group(1), 16)
    assert window == window_work_id() != 0
    assert "op_M5OP_WORK_BEGIN(SCOTCH_WINDOW_WORK_ID, 0)" in src
    assert "op_M5OP_WORK_END(SCOTCH_WINDOW_WORK_ID, 0)" in src
