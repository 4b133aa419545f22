# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause
"""Run a static x86-64 Linux program in syscall emulation, for checks of
gem5's x86 model against the host CPU (``workloads/se_checks``):

    gem5.opt gem5_configs/se_program.py --cpu o3 \
        --program build/se_checks/sse_convert

The program's standard output is gem5's (``simout`` with ``-re``). The
last line printed is ``SCOTCH-EXIT cause=<exit cause> code=<exit code>
tick=<tick>``.
"""

import argparse
import sys
from pathlib import Path

import m5

from gem5.components.boards.simple_board import SimpleBoard
from gem5.components.processors.simple_processor import SimpleProcessor
from gem5.isas import ISA
from gem5.resources.resource import BinaryResource
from gem5.simulate.simulator import Simulator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scotch_plugin.gem5_components.machine import (  # noqa: E402
    CPUS,
    add_machine_args,
    cache_hierarchy,
    memory_system,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--program", required=True)
    parser.add_argument(
        "--arg",
        action="append",
        default=[],
        help="an argument for the program (repeatable)",
    )
    parser.add_argument(
        "--readfile",
        help="the host file the program's m5 readfile returns",
    )
    add_machine_args(parser, memory="512MiB")
    args = parser.parse_args()
    if not Path(args.program).is_file():
        sys.exit(f"se_program.py: --program {args.program}: no such file")
    if args.readfile and not Path(args.readfile).is_file():
        sys.exit(f"se_program.py: --readfile {args.readfile}: no such file")

    board = SimpleBoard(
        clk_freq=args.clock,
        processor=SimpleProcessor(
            cpu_type=CPUS[args.cpu], num_cores=1, isa=ISA.X86
        ),
        memory=memory_system(args),
        cache_hierarchy=cache_hierarchy(args),
    )
    board.set_se_binary_workload(
        BinaryResource(local_path=args.program), arguments=args.arg
    )
    if args.readfile:
        board.readfile = args.readfile
    simulator = Simulator(board=board)
    simulator.run()
    cause = simulator.get_last_exit_event_cause()
    code = simulator.get_last_exit_event_code()
    print(f"SCOTCH-EXIT cause={cause!r} code={code} tick={m5.curTick()}")


if __name__ == "__m5_main__" or __name__ == "__main__":
    main()
