"""The command-line options every Scotch-gem5 config shares for Scotch's
own hardware: the SMI triggers (``X86ScotchTrigger``), the domain
observer (``X86DomainObserver``) and raw bytes loaded into memory at
boot (the key block). ``baremetal.py`` and ``xen_boot.py`` both take
them: :func:`add_scotch_args` declares the options,
:func:`parse_scotch_args` checks them before anything is built,
:func:`trigger_kwargs` gives the board its trigger and
:func:`apply_scotch_args` wires the rest into a
:class:`~scotch_plugin.gem5_components.smm_board.ScotchX86Board` once
its workload is set."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ScotchOptions:
    """The checked options: what --load writes where, and the observer's
    domains (name to marker)."""

    loads: list[tuple[str, int]]
    markers: dict[str, str]
    #: --time-switches: (start PC, hypervisor text start, end), or None.
    switches: tuple[int, int, int] | None = None


def add_scotch_args(parser: argparse.ArgumentParser) -> None:
    """The trigger, observer, switch timer and --load options."""
    add_trigger_args(parser)
    add_observe_args(parser)
    add_switch_args(parser)
    add_load_args(parser)


def parse_scotch_args(prog: str, args: argparse.Namespace) -> ScotchOptions:
    """Check the options (exiting with ``prog``'s error if one is bad)."""
    check_trigger_args(prog, args)
    return ScotchOptions(
        loads=[parse_load(prog, spec) for spec in args.load],
        markers=observed_markers(prog, args),
        switches=timed_switches(prog, args),
    )


def apply_scotch_args(
    board: Any, options: ScotchOptions, args: argparse.Namespace
) -> None:
    """Add the observer and the raw loads to a board with its workload."""
    apply_observe(board, options.markers, args)
    if options.switches:
        board.time_switches(*options.switches)
    apply_loads(board, options.loads)


def add_trigger_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trigger",
        action="append",
        choices=("cr3", "interrupt"),
        default=[],
        help="raise an SMI in hardware at every CR3 load / accepted "
        "maskable interrupt outside SMM (X86ScotchTrigger; repeatable)",
    )
    parser.add_argument(
        "--trigger-random-mean",
        type=int,
        default=0,
        metavar="NS",
        help="also raise SMIs on every CPU at exponentially distributed "
        "intervals with this mean, in ns (0: off)",
    )
    parser.add_argument(
        "--trigger-random-start",
        type=int,
        default=0,
        metavar="NS",
        help="no random SMI before this time, in ns (the image must have "
        "installed its SMM handler by then)",
    )
    parser.add_argument(
        "--trigger-seed",
        type=int,
        default=1,
        help="seed of the random-interval SMIs",
    )


def add_observe_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--observe",
        action="append",
        default=[],
        metavar="NAME=MARKER",
        help="record which domain each CPU runs (X86DomainObserver): the "
        "domain NAME is the one whose page tables show MARKER at "
        "--observe-probe (repeatable)",
    )
    parser.add_argument(
        "--observe-probe",
        type=lambda text: int(text, 0),
        default=0,
        metavar="VADDR",
        help="the virtual address the observer reads the markers at",
    )
    parser.add_argument(
        "--observe-key-slot",
        type=int,
        default=260,
        metavar="N",
        help="PML4 entry whose table names a domain whose tables lack "
        "the marker (Xen's per-domain area: 260; -1: none)",
    )


def add_switch_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--time-switches",
        metavar="START,TEXT_START,TEXT_END",
        help="time every context switch (X86SwitchTimer): from the "
        "retired instruction at START to the first outside SMM and the "
        "hypervisor's text [TEXT_START, TEXT_END); addresses in hex",
    )


def timed_switches(
    prog: str, args: argparse.Namespace
) -> tuple[int, int, int] | None:
    """The three addresses of --time-switches, checked."""
    spec = args.time_switches
    if spec is None:
        return None
    try:
        start, lo, hi = (int(a, 16) for a in spec.split(","))
    except ValueError:
        sys.exit(f"{prog}: --time-switches {spec!r}: expected "
                 "START,TEXT_START,TEXT_END in hex")  # fmt: skip
    if not lo <= start < hi:
        sys.exit(f"{prog}: --time-switches {spec!r}: START must lie in "
                 "[TEXT_START, TEXT_END)")  # fmt: skip
    if args.no_smm:
        sys.exit(f"{prog}: --time-switches needs the SMM model (no "
                 "--no-smm)")  # fmt: skip
    return start, lo, hi


def add_load_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--load",
        action="append",
        default=[],
        metavar="FILE@ADDR",
        help="write FILE's bytes into memory at ADDR before the image runs, "
        "as QEMU's generic loader does (Scotch's key block; repeatable)",
    )


def check_trigger_args(prog: str, args: argparse.Namespace) -> None:
    if args.no_smm and (args.trigger or args.trigger_random_mean):
        sys.exit(f"{prog}: --trigger needs the SMM model (no --no-smm)")
    if args.trigger_random_mean < 0 or args.trigger_random_start < 0:
        sys.exit(f"{prog}: --trigger-random-* must be >= 0")


def trigger_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """ScotchX86Board's trigger parameters from the options."""
    return {
        "trigger_on_cr3": "cr3" in args.trigger,
        "trigger_on_interrupt": "interrupt" in args.trigger,
        "trigger_random_mean": (
            f"{args.trigger_random_mean}ns"
            if args.trigger_random_mean
            else None
        ),
        "trigger_random_start": f"{args.trigger_random_start}ns",
        "trigger_seed": args.trigger_seed,
    }


def parse_load(prog: str, spec: str) -> tuple[str, int]:
    """``FILE@ADDR`` (ADDR in hex or decimal) of --load."""
    path, sep, addr = spec.rpartition("@")
    try:
        value = int(addr, 0) if sep else -1
    except ValueError:
        value = -1
    if value < 0 or not path:
        sys.exit(f"{prog}: --load {spec!r}: expected FILE@ADDR")
    if not Path(path).is_file():
        sys.exit(f"{prog}: --load {spec!r}: no such file {path}")
    return path, value


def parse_observe(prog: str, spec: str) -> tuple[str, str]:
    """``NAME=MARKER`` of --observe."""
    name, sep, marker = spec.partition("=")
    if not (sep and name and marker):
        sys.exit(f"{prog}: --observe {spec!r}: expected NAME=MARKER")
    return name, marker


def observed_markers(prog: str, args: argparse.Namespace) -> dict[str, str]:
    markers = dict(parse_observe(prog, spec) for spec in args.observe)
    if markers and args.no_smm:
        sys.exit(f"{prog}: --observe needs the SMM model (no --no-smm)")
    return markers


def apply_observe(
    board: Any, markers: dict[str, str], args: argparse.Namespace
) -> None:
    if markers:
        board.observe_domains(
            markers,
            probe_vaddr=args.observe_probe,
            key_slot=args.observe_key_slot,
        )


def apply_loads(board: Any, loads: list[tuple[str, int]]) -> None:
    if loads:
        # KernelWorkload's extras: raw bytes at an address, at init only
        # (a restore brings RAM back from the checkpoint instead).
        board.workload.extras = [path for path, _ in loads]
        board.workload.extras_addrs = [addr for _, addr in loads]
