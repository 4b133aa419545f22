# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause
"""Boot a multiboot image (Scotch's bare-metal tests) on gem5 with SMM.

    gem5.opt gem5_configs/baremetal.py \
        --image build/workloads/gem5/smm_smoke.elf --cpu o3 --clock 3GHz

The image prints to COM1 (``board.pc.com_1.device`` in the output
directory) and ends the simulation with an m5 exit (pass) or m5 fail
(its failure count). The last line printed is
``SCOTCH-EXIT cause=<exit cause> code=<exit code>``.

With ``--loader linux64 --no-smm`` it needs nothing from Scotch-gem5
and runs on a gem5 built without it, booting an image linked with
``workloads/lib/lm64_entry.S`` (such as ``compute_lm``) through gem5's
own loader: the baseline of ``scotch bench overhead``.
"""

import argparse
import sys
from pathlib import Path

import m5

from gem5.components.processors.simple_processor import SimpleProcessor
from gem5.components.processors.simple_switchable_processor import (
    SimpleSwitchableProcessor,
)
from gem5.isas import ISA
from gem5.simulate.simulator import Simulator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
    LOADERS,
    ScotchX86Board,
)

PROG = "baremetal.py"


def latencies(text: str) -> tuple[int, int, int, int]:
    """``--sgx-latencies``: four cycle counts, comma-separated."""
    parts = text.split(",")
    if len(parts) != 4 or not all(p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected four cycle counts, "
            "EENTER,EEXIT,AEX,ERESUME (such as 0,0,0,0)"
        )
    eenter, eexit, aex, eresume = (int(p) for p in parts)
    return eenter, eexit, aex, eresume


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", required=True, help="multiboot ELF")
    parser.add_argument("--cmdline", default="", help="its command line")
    add_machine_args(parser, memory="512MiB")
    parser.add_argument("--smm-entry-latency", type=int, default=0)
    parser.add_argument("--smm-exit-latency", type=int, default=0)
    parser.add_argument(
        "--switch-to",
        choices=sorted(CPUS),
        help="start on --cpu and switch to this model when the image "
        "asks (m5 switchcpu)",
    )
    parser.add_argument(
        "--restore", metavar="CPT", help="restore from this checkpoint"
    )
    parser.add_argument(
        "--no-smm",
        action="store_true",
        help="leave out the SMM controller and APM port (speed baseline)",
    )
    parser.add_argument(
        "--loader",
        choices=LOADERS,
        default="multiboot",
        help="multiboot: Scotch-gem5's loader (32-bit entry); linux64: "
        "gem5's own X86FsLinux (64-bit entry, any gem5 binary)",
    )
    add_scotch_args(parser)
    parser.add_argument(
        "--disk",
        help="a raw disk image for the IDE controller's primary master "
        "(copy on write; smm_dma's DMA test)",
    )
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="'PATH [ARGS]'",
        help="a multiboot module: the file PATH, with the whole string as "
        "its command line, as QEMU's -initrd takes it (repeatable)",
    )
    parser.add_argument(
        "--epc-size",
        help="an SGX enclave page cache of this size (such as 64KiB) at "
        "--epc-base: X86EnclaveController (none by default)",
    )
    parser.add_argument(
        "--epc-base",
        type=lambda text: int(text, 0),
        default=0x10000000,
        help="physical base of the EPC (default 0x10000000)",
    )
    parser.add_argument(
        "--sgx-latencies",
        type=latencies,
        default=(0, 0, 0, 0),
        metavar="EENTER,EEXIT,AEX,ERESUME",
        help="cycles each of these adds (default 0,0,0,0)",
    )
    parser.add_argument(
        "--max-ticks",
        type=int,
        default=10**11,
        help="stop after this many ticks (default: 100 ms simulated; "
        "the bare-metal images need a few ms)",
    )
    return parser.parse_args()


def tolerate_unpatched_requires() -> None:
    """Let a gem5 without patch 0001 build CPUs on a build without Ruby.

    v24.0.0.1's ``requires()`` asks for the build's coherence protocol
    even when none is required, which raises on a RUBY=n build, so every
    stdlib core fails. The overhead benchmark's baseline binary is
    upstream gem5 built like ours (RUBY=n): there, report no protocol.
    Does nothing where ``requires()`` works (patched binaries, the stub).
    """
    from gem5.utils import requires as module

    try:
        module.requires(isa_required=ISA.X86)
    except Exception:
        module.get_runtime_coherence_protocol = lambda: None
        module.requires(isa_required=ISA.X86)


def main() -> None:
    args = parse_args()
    if not Path(args.image).is_file():
        sys.exit(f"baremetal.py: --image {args.image}: no such file")
    scotch = parse_scotch_args(PROG, args)
    if args.epc_size and args.no_smm:
        sys.exit("baremetal.py: --epc-size needs the SMM model (not "
                 "--no-smm)")  # fmt: skip
    if args.disk and not Path(args.disk).is_file():
        sys.exit(f"baremetal.py: --disk {args.disk}: no such file")
    if args.loader != "multiboot" and (args.cmdline or args.module):
        sys.exit("baremetal.py: --cmdline and --module need the multiboot "
                 "loader")  # fmt: skip
    for module in args.module:
        if not Path(module.split(" ", 1)[0]).is_file():
            sys.exit(f"baremetal.py: --module {module!r}: no such file")
    tolerate_unpatched_requires()
    if args.switch_to:
        processor = SimpleSwitchableProcessor(
            starting_core_type=CPUS[args.cpu],
            switch_core_type=CPUS[args.switch_to],
            num_cores=args.cores,
            isa=ISA.X86,
        )
    else:
        processor = SimpleProcessor(
            cpu_type=CPUS[args.cpu], num_cores=args.cores, isa=ISA.X86
        )
    board = ScotchX86Board(
        clk_freq=args.clock,
        processor=processor,
        memory=memory_system(args),
        cache_hierarchy=cache_hierarchy(args),
        smm_entry_latency=args.smm_entry_latency,
        smm_exit_latency=args.smm_exit_latency,
        with_smm=not args.no_smm,
        loader=args.loader,
        **trigger_kwargs(args),
    )
    if args.disk:
        board.attach_disk(args.disk)
    if args.loader == "multiboot":
        board.set_multiboot_workload(
            args.image,
            command_line=args.cmdline,
            modules=tuple(m.split(" ", 1)[0] for m in args.module),
            module_cmdlines=tuple(args.module),
        )
    else:
        board.set_linux64_workload(args.image)
    if args.epc_size:
        board.add_enclave_page_cache(
            args.epc_base, args.epc_size, args.sgx_latencies
        )
    apply_scotch_args(board, scotch, args)
    # Default exit handling: m5 exit/fail end the run, m5 checkpoint saves
    # <outdir>/cpt.<tick> and goes on, m5 switchcpu switches models.
    simulator = Simulator(
        board=board,
        # v24's Simulator passes this on to getCheckpoint(), which takes
        # a str (not the Path its type hint says).
        checkpoint_path=args.restore,
    )
    simulator.run(max_ticks=args.max_ticks)
    cause = simulator.get_last_exit_event_cause()
    code = simulator.get_last_exit_event_code()
    print(f"SCOTCH-EXIT cause={cause!r} code={code} tick={m5.curTick()}")


if __name__ == "__m5_main__" or __name__ == "__main__":
    main()
