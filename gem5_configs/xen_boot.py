# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause
"""Boot Xen with a dom0 on gem5 (a multiboot ELF, its kernel and initrd
as multiboot modules, as GRUB or QEMU's -kernel would).

    gem5.opt --outdir m5out gem5_configs/xen_boot.py \
        --xen build/xen/xen-4.17-amd64 --kernel build/xen/vmlinuz \
        --initrd build/xen/dom0.cpio.gz

Xen's serial console (COM1) is ``board.pc.com_1.device`` in the output
directory. The run ends at an m5 exit or fail (from dom0), at an x86
shutdown (a triple fault), or at ``--max-ticks``; every
``--progress-ticks`` it prints a ``SCOTCH-PROGRESS`` line (simulated
tick, host seconds) and dumps the statistics (``simInsts``,
``hostSeconds``). A checkpoint can be taken at a tick
(``--checkpoint-tick``) or at dom0's m5 exit (``--checkpoint-on-exit``)
and restored with ``--restore``. The last line printed is
``SCOTCH-EXIT cause=<exit cause> code=<exit code> tick=<tick>``.

dom0's init (``scotch.m5=1`` on its command line, the default here) marks
the boot with gem5's pseudo-instructions: ``m5 checkpoint`` once every
domU's workload has started (saved as ``<outdir>/cpt.<tick>``: the
measured region restores from it, e.g. on O3), ``m5 work-begin`` and
``work-end`` around the measured window, with work id ``WINDOW_WORK_ID``
(the statistics are reset and dumped there; a work item with another
id, a PARSEC program's region of interest in a domU, is only printed as
``SCOTCH-ROI begin|end work_id=<id> tick=<tick>``), and ``m5 exit`` at
the end instead of powering off. A restored run stops at
``--max-insts`` or, with ``--stop-at-work-end``, at the end of the
window. ``--checkpoint-every`` keeps the last two periodic checkpoints
of a long boot, to resume from if it breaks.

``--switch-cpu MODEL`` fast-forwards: the run starts (or restores) on
``--cpu``, switches to MODEL at dom0's first ``m5 work-begin`` (the
window's start) and back to ``--cpu`` at the next ``m5 work-end``; at
each switch it prints ``SCOTCH-SWITCHED cpu=<model> tick=<tick>`` and
dumps the statistics (no reset), so the window's statistics are the
growth between those two dumps. The first cores keep the names a
one-model run gives them, so a checkpoint of one restores.
"""

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import m5

from gem5.components.processors.simple_core import SimpleCore
from gem5.components.processors.simple_processor import SimpleProcessor
from gem5.components.processors.switchable_processor import (
    SwitchableProcessor,
)
from gem5.isas import ISA
from gem5.simulate.exit_event import ExitEvent
from gem5.simulate.simulator import Simulator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scotch_plugin.gem5_components.acpi import add_madt  # noqa: E402
from scotch_plugin.gem5_components.machine import (  # noqa: E402
    CPUS,
    add_machine_args,
    cache_hierarchy,
    memory_system,
)
from scotch_plugin.gem5_components.scotch_args import (  # noqa: E402
    add_scotch_args,
    apply_scotch_args,
    parse_scotch_args,
    trigger_kwargs,
)
from scotch_plugin.gem5_components.smm_board import (  # noqa: E402
    ScotchX86Board,
)

#: Xen's options for gem5: COM1 console; no real-mode BIOS calls (there
#: is no BIOS: an INT 15h would run into an empty IVT); no boot-time
#: scrubbing of free memory (slow to simulate).
XEN_ARGS = (
    "console=com1 com1=115200,8n1 no-real-mode bootscrub=false "
    "dom0_mem=512M,max:512M dom0_max_vcpus=1 loglvl=all guest_loglvl=all"
)
#: dom0 (Linux) options: its console through Xen; skip the crypto
#: self-tests (about 0.9 G instructions).
DOM0_ARGS = (
    "console=hvc0 earlyprintk=xen cryptomgr.notests=1 "
    "scotch.m5=1 scotch.domus=2 scotch.workloads=pi,gzip "
    "scotch.seconds=3 scotch.window=1 scotch.domu_kernel=/boot/vmlinux.gz"
)
LIMIT_REACHED = "simulate() limit reached"
#: The work id of dom0's window markers (workloads/xen/tools/scotch-m5.c,
#: SCOTCH_WINDOW_WORK_ID); PARSEC's region of interest has id 0.
WINDOW_WORK_ID = 0x5C07
#: --switch-cpu's switches, in order: in at the window, back after it.
SWITCHES = ("detailed", "cores")
PROG = "xen_boot.py"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--xen", required=True, help="Xen's multiboot ELF")
    parser.add_argument(
        "--shim",
        help="boot this multiboot image first, with Xen, dom0's kernel and "
        "initrd as its modules (Scotch's shim: it provisions SMRAM, locks "
        "it and boots module 0 as Xen)",
    )
    parser.add_argument(
        "--shim-args", default="", help="the shim's command line"
    )
    parser.add_argument("--kernel", required=True, help="dom0's kernel")
    parser.add_argument("--initrd", help="dom0's initrd (cpio)")
    parser.add_argument("--xen-args", default=XEN_ARGS)
    parser.add_argument("--dom0-args", default=DOM0_ARGS)
    add_machine_args(parser, memory="1GiB")
    parser.add_argument(
        "--no-smm",
        action="store_true",
        help="leave out the SMM controller and APM port",
    )
    add_scotch_args(parser)
    parser.add_argument(
        "--max-ticks",
        type=int,
        default=0,
        help="stop at this simulated tick, absolute (also after "
        "--restore; 0: no limit)",
    )
    parser.add_argument(
        "--progress-ticks",
        type=int,
        default=10**11,
        help="print progress and dump the statistics this often "
        "(simulated ticks; default 100 ms; 0: never)",
    )
    parser.add_argument(
        "--checkpoint-tick",
        type=int,
        default=0,
        help="save a checkpoint at this simulated tick (in "
        "--checkpoint-dir) and go on",
    )
    parser.add_argument(
        "--checkpoint-on-exit",
        action="store_true",
        help="save a checkpoint at dom0's m5 exit instead of ending there",
    )
    parser.add_argument(
        "--checkpoint-dir",
        default="",
        help="where checkpoints go (default: <outdir>/cpt.<tick>)",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=int,
        default=0,
        help="also save a checkpoint this often (simulated ticks), "
        "keeping the last two (<outdir>/cpt.periodic.<tick>)",
    )
    parser.add_argument(
        "--exit-at-checkpoint",
        action="store_true",
        help="end the run at dom0's m5 checkpoint, once saved (a staged "
        "boot: every run restores from it)",
    )
    parser.add_argument(
        "--restore", metavar="CPT", help="restore from this checkpoint"
    )
    parser.add_argument(
        "--readfile",
        metavar="FILE",
        help="what dom0's `scotch-m5 readfile` reads: a run's parameters, "
        "set at restore (RAM and disks come back from the checkpoint)",
    )
    parser.add_argument(
        "--max-insts",
        type=int,
        default=0,
        help="stop when a core has run this many instructions (counted "
        "from the start of this run)",
    )
    parser.add_argument(
        "--ignore-work-items",
        action="store_true",
        help="let dom0's m5 work-begin/work-end pass: no statistics reset "
        "(the statistics then run from the restore, dumped at each of "
        "dom0's m5 dumpstats)",
    )
    parser.add_argument(
        "--switch-cpu",
        choices=sorted(CPUS),
        help="switch to this CPU model at dom0's first m5 work-begin "
        "(fast-forward on --cpu until the window)",
    )
    parser.add_argument(
        "--stop-at-work-end",
        action="store_true",
        help="stop at dom0's m5 work-end (the end of the measured window)",
    )
    return parser.parse_args()


def save_checkpoint(
    simulator: Simulator, where: Callable[[int], Path]
) -> Path:
    """Drain, then save a checkpoint in ``where(tick)``, tick being the
    one the checkpoint holds. A CPU drains only at an instruction
    boundary, and one ``rep movs`` can take tens of milliseconds (Xen
    moves its boot modules that way): named before draining, a
    checkpoint would claim a tick it does not hold."""
    m5.drain()
    now = m5.curTick()
    path = where(now)
    print(f"SCOTCH-CHECKPOINT {path} tick={now}", flush=True)
    simulator.save_checkpoint(path)
    return path


def checkpoint_dir(args: argparse.Namespace) -> Callable[[int], Path]:
    if args.checkpoint_dir:
        return lambda tick: Path(args.checkpoint_dir)
    return lambda tick: Path(m5.options.outdir) / f"cpt.{tick}"


class FastForward(SwitchableProcessor):
    """``--cpu`` cores named as a :class:`SimpleProcessor` names them
    (``cores``: its checkpoint restores onto them) and switched-out
    ``detailed`` cores of another model, switched in once."""

    def __init__(self, start: str, detailed: str, num_cores: int):
        def cores(model: str) -> list[SimpleCore]:
            return [
                SimpleCore(cpu_type=CPUS[model], core_id=i, isa=ISA.X86)
                for i in range(num_cores)
            ]

        super().__init__(
            {"cores": cores(start), "detailed": cores(detailed)},
            starting_cores="cores",
        )
        self._done: list[str] = []

    def all_cores(self) -> list[SimpleCore]:
        return list(self._all_cores())

    def switch(self, to: str) -> bool:
        """Switch in, then back, once each: ``detailed`` first, then
        ``cores``; False (no switch) for any other call."""
        n = len(self._done)
        if n == len(SWITCHES) or to != SWITCHES[n]:
            return False
        self.switch_to_processor(to)
        self._done.append(to)
        return True


def make_processor(args: argparse.Namespace) -> SimpleProcessor | FastForward:
    if args.switch_cpu:
        return FastForward(args.cpu, args.switch_cpu, args.cores)
    return SimpleProcessor(
        cpu_type=CPUS[args.cpu], num_cores=args.cores, isa=ISA.X86
    )


def main() -> None:
    args = parse_args()
    for what in ("xen", "kernel", "initrd", "readfile", "shim"):
        path = getattr(args, what)
        if path and not Path(path).is_file():
            sys.exit(f"{PROG}: --{what} {path}: no such file")
    if args.cores < 1:
        sys.exit(f"{PROG}: --cores must be >= 1")
    scotch = parse_scotch_args(PROG, args)

    if args.switch_cpu and args.cores != 1:
        # A switched-out core gets its context id only when it takes
        # over: the switch timer tells one core per model apart.
        sys.exit(f"{PROG}: --switch-cpu needs --cores 1")
    if args.switch_cpu == args.cpu:
        sys.exit(f"{PROG}: --switch-cpu {args.cpu} is the --cpu already")
    processor = make_processor(args)
    board = ScotchX86Board(
        clk_freq=args.clock,
        processor=processor,
        memory=memory_system(args),
        cache_hierarchy=cache_hierarchy(args),
        with_smm=not args.no_smm,
        **trigger_kwargs(args),
    )
    if args.readfile:
        board.readfile = args.readfile
    # Xen finds its APICs through ACPI (the MP-table path faults early).
    add_madt(board)
    # Xen (not loaded by GRUB 2) drops the first word of its command line
    # and of each module's: the image names, as GRUB 1 and QEMU pass them.
    modules = [args.kernel] + ([args.initrd] if args.initrd else [])
    cmdlines = [f"{Path(args.kernel).name} {args.dom0_args}"] + (
        [Path(args.initrd).name] if args.initrd else []
    )
    image, command_line = args.xen, f"{Path(args.xen).name} {args.xen_args}"
    if args.shim:
        # The shim boots module 0 as GRUB would boot Xen: its command
        # line becomes Xen's, the other modules are passed on.
        modules.insert(0, image)
        cmdlines.insert(0, command_line)
        image = args.shim
        command_line = f"{Path(args.shim).name} {args.shim_args}"
    board.set_multiboot_workload(
        image,
        command_line=command_line,
        modules=tuple(modules),
        module_cmdlines=tuple(cmdlines),
        exit_on_work_items=not args.ignore_work_items or bool(args.switch_cpu),
    )
    apply_scotch_args(board, scotch, args)
    if args.switch_cpu:
        # The observer and the switch timer listen to every core: the
        # detailed ones retire the window's instructions.
        every = [c.get_simobject() for c in processor.all_cores()]
        if hasattr(board, "observer"):
            board.observer.cores = every
        if hasattr(board, "switch_timer"):
            board.switch_timer.cpus = every

    def on_exit():
        # dom0's m5 exit: the run is done.
        if args.checkpoint_on_exit:
            save_checkpoint(simulator, checkpoint_dir(args))
        yield True

    def on_checkpoint():
        # dom0's m5 checkpoint: every domU's workload has started.
        while True:
            save_checkpoint(simulator, checkpoint_dir(args))
            yield args.exit_at_checkpoint

    def switch(to: str, model: str) -> None:
        """--switch-cpu: switch (if due) and dump there, no reset."""
        if processor.switch(to):
            m5.stats.dump()
            print(f"SCOTCH-SWITCHED cpu={model} tick={m5.curTick()}",
                  flush=True)  # fmt: skip

    def not_the_window(edge: str) -> bool:
        """A work item that is not dom0's window: printed, let pass."""
        work_id = simulator.get_last_exit_event_code()
        if work_id == WINDOW_WORK_ID:
            return False
        print(f"SCOTCH-ROI {edge} work_id={work_id} tick={m5.curTick()}",
              flush=True)  # fmt: skip
        return True

    def on_work_begin():
        while True:
            if not_the_window("begin"):
                yield False
                continue
            print(f"SCOTCH-WORK-BEGIN tick={m5.curTick()}", flush=True)
            if args.switch_cpu:
                switch("detailed", args.switch_cpu)
            else:
                m5.stats.reset()
            yield False

    def on_work_end():
        while True:
            if not_the_window("end"):
                yield False
                continue
            print(f"SCOTCH-WORK-END tick={m5.curTick()}", flush=True)
            if args.switch_cpu:
                # Back: what follows the window is dom0's, not measured.
                switch("cores", args.cpu)
            else:
                m5.stats.dump()
            yield args.stop_at_work_end

    def on_max_insts():
        print(f"SCOTCH-MAX-INSTS {args.max_insts} tick={m5.curTick()}")
        yield True

    simulator = Simulator(
        board=board,
        on_exit_event={
            ExitEvent.EXIT: on_exit(),
            ExitEvent.MAX_INSTS: on_max_insts(),
            ExitEvent.CHECKPOINT: on_checkpoint(),
            ExitEvent.WORKBEGIN: on_work_begin(),
            ExitEvent.WORKEND: on_work_end(),
        },
        # v24's Simulator passes this on to getCheckpoint(), which takes
        # a str (not the Path its type hint says).
        checkpoint_path=args.restore,
    )

    # Instantiate (and restore) first, so that m5.curTick() is where the
    # run starts and the tick options are absolute ticks.
    simulator._instantiate()
    if args.max_insts:
        simulator.schedule_max_insts(args.max_insts)
    start = time.monotonic()
    checkpoint_due = args.checkpoint_tick
    periodic: list[Path] = []
    outdir = Path(m5.options.outdir)
    every = args.checkpoint_every
    periodic_due = (m5.curTick() // every + 1) * every if every else 0
    while True:
        before = m5.curTick()
        stops = [
            t
            for t in (
                args.max_ticks,
                checkpoint_due,
                periodic_due,
                before + args.progress_ticks if args.progress_ticks else 0,
            )
            if t > before
        ]
        # No stop: run on (None would reuse the last run's tick budget).
        simulator.run(max_ticks=min(stops or [m5.MaxTick]) - before)
        now = m5.curTick()
        if simulator.get_last_exit_event_cause() != LIMIT_REACHED:
            break  # m5 exit/fail, a shutdown, ...
        if checkpoint_due and now >= checkpoint_due:
            save_checkpoint(simulator, checkpoint_dir(args))
            checkpoint_due = 0
        if periodic_due and now >= periodic_due:
            periodic.append(
                save_checkpoint(
                    simulator, lambda tick: outdir / f"cpt.periodic.{tick}"
                )
            )
            while len(periodic) > 2:
                shutil.rmtree(periodic.pop(0), ignore_errors=True)
            # The next one: the first multiple of the period after the
            # tick this one holds.
            periodic_due = (m5.curTick() // every + 1) * every
        now = m5.curTick()  # draining for a checkpoint simulates on
        if args.progress_ticks:
            m5.stats.dump()
            print(
                f"SCOTCH-PROGRESS tick={now} "
                f"host_seconds={time.monotonic() - start:.1f}",
                flush=True,
            )
        if (
            not stops
            or now <= before
            or (args.max_ticks and now >= args.max_ticks)
        ):
            break

    cause = simulator.get_last_exit_event_cause()
    code = simulator.get_last_exit_event_code()
    print(f"SCOTCH-EXIT cause={cause!r} code={code} tick={m5.curTick()}")


if __name__ == "__m5_main__" or __name__ == "__main__":
    main()
