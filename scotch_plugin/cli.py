"""The ``scotch`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scotch_plugin import __version__, project
from scotch_plugin.baremetal import images, paging, save_map
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import check, run, series
from scotch_plugin.xen import parsec


def _run_image(args: argparse.Namespace, image: str) -> int:
    """Run a bare-metal image on QEMU, or on gem5 with --gem5-binary."""
    if args.gem5_binary is None:
        print(f"scotch: no --gem5-binary given: running {image} on QEMU "
              "(TCG)")  # fmt: skip
        runs = [images.run_on_qemu(image, timeout=args.timeout)]
    else:
        cpus = run.CPU_MODELS if args.cpu == "all" else (args.cpu,)
        runs = [
            images.run_on_gem5(image, args.gem5_binary, cpu=cpu)
            for cpu in cpus
        ]
    failed = False
    for result in runs:
        report = result.report
        for name, ok in report.checks.items():
            if args.verbose or not ok:
                detail = report.details.get(name, "")
                print(f"  {'ok  ' if ok else 'FAIL'} {name} {detail}".rstrip())
        print(
            f"scotch {image}: {result.platform}: {len(report.checks)} "
            f"checks, {len(report.failed)} failed, SMIs taken: "
            f"{report.values.get('smi_count', '?')}, host time "
            f"{result.host_seconds:.2f} s: "
            f"{'PASS' if report.passed else 'FAIL'}"
        )
        failed |= not report.passed
    if args.gem5_binary is not None and getattr(args, "compare_qemu", False):
        failed |= not _compare_with_qemu(image, runs, args.timeout)
    return 1 if failed else 0


def _compare_with_qemu(image: str, runs: list, timeout: float) -> bool:
    """Compare every save area a gem5 run dumped with QEMU's."""
    if image == "paging":
        return _compare_paging(runs, timeout)
    reference = images.run_on_qemu(image, timeout=timeout).report.saves
    ok = True
    for result in runs:
        for smi_name, area in result.report.saves.items():
            if smi_name not in reference:
                print(f"  {result.platform}: {smi_name}: no QEMU dump")
                ok = False
                continue
            for diff in save_map.compare(reference[smi_name], area,
                                         smi_name):  # fmt: skip
                why = diff.allowed or "NOT ALLOWED"
                print(f"  {result.platform} {smi_name} {diff.field}: "
                      f"qemu {diff.reference:#x} gem5 {diff.other:#x} "
                      f"({why})")  # fmt: skip
                ok &= diff.allowed is not None
    print(f"scotch {image}: save areas vs QEMU: "
          f"{'same (or allowed)' if ok else 'DIFFERENT'}")  # fmt: skip
    return ok


def _compare_paging(runs: list, timeout: float) -> bool:
    """Compare every field of each gem5 run of the paging suite with
    QEMU's."""
    ref = images.run_on_qemu("paging", timeout=timeout)
    reference = paging.fields(ref.serial, ref.report)
    ok = True
    for result in runs:
        diffs = paging.compare(
            reference, paging.fields(result.serial, result.report)
        )
        for d in diffs:
            why = d.allowed or "NOT ALLOWED"
            print(f"  {result.platform} {d.field}: qemu {d.reference} "
                  f"gem5 {d.other} ({why})")  # fmt: skip
            ok &= d.allowed is not None
        print(
            f"scotch paging: {result.platform}: {len(reference)} fields "
            f"vs QEMU, {len(diffs)} differ, "
            f"{sum(d.allowed is None for d in diffs)} not allowed"
        )
    return ok


def _cmd_paging(args: argparse.Namespace) -> int:
    return _run_image(args, "paging")


def _cmd_smoke(args: argparse.Namespace) -> int:
    return _run_image(args, "smm_smoke")


def _cmd_conformance(args: argparse.Namespace) -> int:
    return _run_image(args, "smm_conformance")


def _ledger_line(run) -> str:
    u = run.usage
    doms = "; ".join(
        f"domain {d['domid']}: {d['switches']} switches, {d['cycles']} cycles"
        for d in u["domains"]
    )
    return (
        f"ledger verified by scotch-reader (MAC, nonce, seq {u['seq']}): "
        f"{u['smis']} SMIs, {u['lookup_failures']} failed lookups; {doms}"
    )


def _bench_handler(args: argparse.Namespace) -> None:
    from scotch_plugin.baremetal import bench

    if args.gem5_binary is None:
        print("scotch: no --gem5-binary given: running scotch_bench on QEMU "
              "(TCG). TCG's timing is not meaningful (its TSC counts "
              "instructions, not cycles): functional result only")  # fmt: skip
        (run,) = bench.handler(None, rounds=args.rounds)
        print(f"scotch bench handler: {run.platform}: {_ledger_line(run)}: "
              "PASS")  # fmt: skip
        return
    cpus = tuple(args.cpu or ("o3", "timing"))
    runs = bench.handler(args.gem5_binary, cpus, args.clock,
                         args.entry_latency, args.exit_latency,
                         rounds=args.rounds)  # fmt: skip
    print(
        f"Scotch's accounting handler per context-switch SMI (scotch_bench),"
        f" {args.clock}, entry/exit latency {args.entry_latency}/"
        f"{args.exit_latency} cycles, {runs[0].rounds} timed SMIs each"
    )
    print(f"{'':14} {'Scotch round trip':>23} {'empty':>8} {'handler':>8}"
          f"   {'cycles in SMM per SMI (stats)':>28}")  # fmt: skip
    print(f"{'cpu':8} {'SMIs':>5} {'min':>7} {'avg':>7} {'median':>7} "
          f"{'median':>8} {'cost':>8}   {'Scotch':>8} {'empty':>8} "
          f"{'handler':>8}")  # fmt: skip
    for r in runs:
        cpu = r.platform.removeprefix("gem5-")
        smis, scotch_smm = r.stats_scotch
        _, empty_smm = r.stats_empty
        print(f"{cpu:8} {smis:5d} {r.scotch.min:7d} {r.scotch.avg:7.1f} "
              f"{r.scotch.median:7.1f} {r.empty.median:8.1f} "
              f"{r.handler_cycles:8.1f}   {scotch_smm:8.1f} {empty_smm:8.1f}"
              f" {scotch_smm - empty_smm:8.1f}")  # fmt: skip
    print("round trips: TSC cycles (CPU cycles) from an LFENCE;RDTSC before "
          "the OUT to 0xB2 to the one after the handler's flag is seen; "
          "handler cost = Scotch median - empty median; stats: "
          "X86SmmController cyclesPerSmi (SMI to end of RSM) over the timed "
          "SMIs")  # fmt: skip
    mean, sd = bench.PAPER_HANDLER_CYCLES
    xen = bench.PAPER_XEN_SWITCH_CYCLES
    print(f"paper (RAID 2017, Xen on hardware): {mean} +- {sd} cycles per "
          f"switch, a Xen context switch ~{xen} cycles "
          f"({100 * mean / xen:.1f} %)")  # fmt: skip
    for r in runs:
        cpu = r.platform.removeprefix("gem5-")
        print(f"  {cpu}: handler cost {r.handler_cycles:.0f} cycles = "
              f"{100 * r.handler_cycles / xen:.1f} % of a Xen switch, "
              f"{r.handler_cycles / mean:.2f} x the paper's; "
              f"{_ledger_line(r)}")  # fmt: skip


def _bench_enclave(args: argparse.Namespace) -> None:
    from scotch_plugin.sgx import bench as sgx_bench
    from scotch_plugin.sgx import latency

    lat = latency.preset(args.sgx_latency)
    rounds = args.rounds or 64
    cpus = tuple(args.cpu or ("o3", "timing"))
    runs = [sgx_bench.run_on_gem5(args.gem5_binary, cpu, rounds, lat,
                                  args.clock) for cpu in cpus]  # fmt: skip
    print(f"SGX in gem5 (workloads/sgx_conformance bench={rounds}), "
          f"{args.clock}, latencies EENTER/EEXIT/AEX/ERESUME {lat} cycles "
          f"(--sgx-latency {args.sgx_latency}); TSC cycles, medians of "
          f"{rounds} rounds")  # fmt: skip
    print(f"{'cpu':8} {'EENTER..EEXIT':>13} {'SMI out':>8} {'SMI in':>8} "
          f"{'AEX+ERESUME':>11}   {'load: abort':>11} {'RAM':>5}   "
          f"{'store: abort':>12} {'RAM':>5}   {'AEXs':>5} "
          f"{'host s':>6}")  # fmt: skip
    for r in runs:
        f = r.figures
        pair = "invalid" if r.aex_eresume_problem else f"{r.aex_eresume:.0f}"
        print(f"{r.cpu:8} {r.enter_exit:13.0f} "
              f"{f['smi_outside'].median:8.0f} {f['smi_inside'].median:8.0f}"
              f" {pair:>11}   {f['abort_load'].median:11.1f} "
              f"{f['ram_load'].median:5.1f}   {f['abort_store'].median:12.1f}"
              f" {f['ram_store'].median:5.1f}   {r.aexs:5d} "
              f"{r.host_seconds:6.1f}")  # fmt: skip
    print("EENTER..EEXIT: an enclave thread that only EEXITs, less the "
          "timing (LFENCE;RDTSC); AEX+ERESUME: an SMI raised inside it "
          "less the empty enclave and the same SMI outside; load: a chain "
          "of dependent loads, store: a run of stores, cycles per access, "
          "paging off, to an EPC page outside enclave mode (the abort "
          "page) and to RAM; AEXs: the controller's stats (warm-up "
          "included)")  # fmt: skip
    for r in runs:
        if r.aex_eresume_problem:
            print(r.aex_eresume_problem)
    for src in (latency.HOTCALLS, latency.NEMESIS):
        print(f"published: {src.pair} {src.cycles:,} cycles: {src.what} "
              f"({src.citation})")  # fmt: skip


def _cmd_bench(args: argparse.Namespace) -> int:
    from scotch_plugin.baremetal import bench

    if args.what == "sweep":
        from scotch_plugin.sweep import bench as sweep_bench

        for line in sweep_bench.run(args.gem5_binary, args.repeats):
            print(line)
        return 0
    if args.what in ("handler", "all"):
        _bench_handler(args)
    if args.what == "handler":
        return 0
    if args.gem5_binary is None:
        raise ScotchError(
            f"scotch bench {args.what}: needs --gem5-binary (only 'handler' "
            "runs on QEMU)"
        )
    if args.what in ("enclave", "all"):
        _bench_enclave(args)
    cpus = tuple(args.cpu or ("o3", "timing"))
    if args.what in ("roundtrip", "all"):
        print(
            f"SMI round trip, empty handler, {args.clock}, entry/exit "
            f"latency {args.entry_latency}/{args.exit_latency} cycles"
        )
        print(f"{'cpu':8} {'tsc min':>8} {'tsc avg':>8} {'rdtsc':>6} "
              f"{'SMIs':>5} {'stats cyc/SMI':>14}")  # fmt: skip
        for r in bench.roundtrip(
            args.gem5_binary,
            cpus,
            args.clock,
            args.entry_latency,
            args.exit_latency,
        ):
            print(f"{r.cpu:8} {r.tsc_min:8d} {r.tsc_avg:8d} "
                  f"{r.timing_overhead:6d} {r.smis:5d} "
                  f"{r.stat_cycles_per_smi:14.1f}")  # fmt: skip
    if args.what in ("overhead", "all"):
        print(
            "host time per simulated instruction, pi spigot "
            f"({bench.OVERHEAD_IMAGE}, gem5's loader), no SMIs, "
            f"{args.repeats} runs each, interleaved"
        )
        for cpu in cpus:
            walls = bench.overhead(args.gem5_binary, cpu, args.repeats,
                                   args.baseline_binary,
                                   args.baseline_label)  # fmt: skip
            cpus_ = [s.as_cpu() for s in walls]
            for what, speeds in (("hostSeconds (wall)", walls),
                                 ("process CPU time", cpus_)):  # fmt: skip
                ref = speeds[-1]
                print(
                    f"  ns/inst, {what}; vs {ref.label}: difference of "
                    "the means +- its standard error"
                )
                print(f"  {'config':16} {'cpu':7} {'insts':>9} {'mean':>7} "
                      f"{'stdev':>6} {'min':>7}")  # fmt: skip
                for s in speeds:
                    diff, se = s.versus(ref)
                    print(f"  {s.label:16} {s.cpu:7} {s.sim_insts:9.0f} "
                          f"{s.mean:7.1f} {s.stdev:6.1f} {s.best:7.1f}  "
                          f"{diff:+6.2f} % +- {se:.2f}")  # fmt: skip
                for s in speeds:
                    runs = " ".join(f"{x:.1f}" for x in s.ns_per_inst)
                    print(f"    {s.label}: {runs}")
    return 0


def _cmd_gem5_patch(args: argparse.Namespace) -> int:
    result = series.apply(args.gem5, project.src_patches())
    print(f"scotch gem5 patch: {args.gem5}: {result.message}")
    extras = project.extras_dir()
    print(f"EXTRAS={extras}")
    print(
        "Build gem5 as its documentation says, passing EXTRAS="
        f"{extras} to every scons command (see README, 'Using gem5')."
    )
    return 0


def _cmd_gem5_build(args: argparse.Namespace) -> int:
    from scotch_plugin.gem5 import build

    binary = build.build(args.gem5, args.jobs)
    args.gem5_binary = binary
    return _cmd_gem5_check(args)


def _cmd_gem5_check(args: argparse.Namespace) -> int:
    rep = check.run_check(args.gem5_binary)
    print(
        f"gem5 {rep.gem5_version}, ISA {','.join(rep.isas) or 'none'}, "
        f"Ruby protocol {rep.protocol or 'none'}"
    )
    if rep.is_plain:
        raise ScotchError(
            f"gem5 binary {args.gem5_binary}: a plain gem5 without "
            f"Scotch-gem5 (no EXTRAS SimObjects): rebuild it with "
            f"EXTRAS={project.extras_dir()}"
        )
    for feature in check.FEATURES:
        mark = "yes" if rep.present.get(feature.key) else "NO "
        print(f"  {mark} {feature.description}")
    missing = rep.missing()
    if missing:
        print(f"scotch gem5 check: {len(missing)} feature(s) missing")
        return 1
    print("scotch gem5 check: all Scotch-gem5 features present")
    return 0


_SWEEP_OPTIONS = ("executor", "workers", "timeout", "partition", "time_min",
                  "mem_gb")  # fmt: skip


def _cmd_parsec_build(args: argparse.Namespace) -> int:
    parsec.build(
        args.parsec,
        args.out,
        parsec.parse_names(args.benchmarks),
        parsec.parse_inputs(args.input),
    )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from scotch_plugin.sweep.schema import is_sweep_file

    if is_sweep_file(args.experiment):
        return _run_sweep(args)
    from scotch_plugin.experiments import rq1
    from scotch_plugin.experiments.load import load_experiment
    from scotch_plugin.platforms.base import for_experiment

    env = dict(os.environ)
    if args.gem5_binary is not None:
        # --gem5-binary stands for the file's gem5.binary.
        env["SCOTCH_GEM5_BINARY"] = str(args.gem5_binary)
    exp = load_experiment(args.experiment, env=env)
    given = [o for o in _SWEEP_OPTIONS if getattr(args, o) is not None]
    if given:
        raise ScotchError(
            f"{args.experiment}: --{given[0].replace('_', '-')}: only for "
            "sweep files (with a grid); this is an RQ1 experiment file"
        )
    # The platform checks the experiment before anything is built: QEMU,
    # or gem5 (the file's platform, or --gem5-binary, which wins).
    rq1.run_experiment(exp, platform=for_experiment(exp, args.gem5_binary))
    return 0


def _run_sweep(args: argparse.Namespace) -> int:
    from scotch_plugin.sweep.runner import Options, run_sweep
    from scotch_plugin.sweep.schema import load_sweep

    for option, value, low in (("--workers", args.workers, 1),
                               ("--timeout", args.timeout, 0),
                               ("--time-min", args.time_min, 1),
                               ("--mem-gb", args.mem_gb, 0)):  # fmt: skip
        if value is not None and (value < low or (low == 0 and value <= 0)):
            what = "at least 1" if low else "greater than 0"
            raise ScotchError(f"{option} {value:g}: expected {what}")
    sweep = load_sweep(args.experiment, gem5_binary=args.gem5_binary)
    summary = run_sweep(
        sweep,
        Options(
            executor=args.executor,
            workers=args.workers,
            timeout_s=args.timeout,
            partition=args.partition,
            time_min=args.time_min,
            mem_gb=args.mem_gb,
            resume=args.resume,
        ),
    )
    print(summary.text)
    print(
        f"scotch run: {sweep.name}: {summary.total} points, "
        f"{summary.skipped} already done, {summary.ran} run, "
        f"{summary.failed} not done, in {summary.seconds:.0f} s; results "
        f"in {sweep.output}"
    )
    return 1 if summary.failed else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from scotch_plugin.sweep import report

    df, text, files = report.report(args.sweep_dir)
    print(text)
    failed = int((df["status"] != "done").sum())
    print(
        f"scotch report: {len(df)} points, {failed} not done; wrote "
        + ", ".join(str(f.name) for f in files)
        + f" in {args.sweep_dir}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scotch",
        description=(
            "Scotch-gem5: trustworthy per-VM CPU-time accounting (Scotch, "
            "RAID 2017) in gem5, with QEMU as the functional reference."
        ),
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    for name, func, helptext, desc in (
        ("smoke", _cmd_smoke,
         "SMM smoke run: SMI, handler in SMRAM, RSM, checks",
         "Boot the SMM smoke image: it installs a handler in SMRAM, takes "
         "an SMI through the APM port (0xB2) and one through a local-APIC "
         "self IPI, and checks the state-save area and what RSM restored."),
        ("conformance", _cmd_conformance,
         "SMM conformance suite (QEMU, or gem5 on each CPU model)",
         "Boot the SMM conformance image: SMIs from real, protected, "
         "paged, compatibility and 64-bit mode with every field checked, "
         "SMBASE relocation, an SMI latched in SMM, an NMI held, SMRAM "
         "lockdown and RSM #UD outside SMM."),
        ("paging", _cmd_paging,
         "differential paging suite (QEMU, or gem5 on each CPU model)",
         "Boot the paging suite: 32-bit (4 KiB, 4 MiB), PAE (4 KiB, "
         "2 MiB) and 4-level (4 KiB, 2 MiB, 1 GiB) paging, accessed and "
         "dirty bits at every level, R/W, U/S and CR0.WP, NX, global "
         "pages, INVLPG and CR3 loads, #PF error codes and CR2, and "
         "page-straddling accesses."),
    ):  # fmt: skip
        p = sub.add_parser(name, help=helptext,
                           description=desc + " Runs on QEMU unless "
                           "--gem5-binary is given.")  # fmt: skip
        p.add_argument(
            "--gem5-binary",
            type=Path,
            metavar="PATH",
            help="run on this gem5 binary instead of QEMU",
        )
        p.add_argument(
            "--cpu",
            choices=(*run.CPU_MODELS, "all"),
            default="atomic",
            help="gem5 CPU model, or all four (default atomic)",
        )
        p.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            help="QEMU timeout in seconds (default 60)",
        )
        p.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="print every check, not only failures",
        )
        if name in ("conformance", "paging"):
            p.add_argument(
                "--compare-qemu",
                action="store_true",
                help="with --gem5-binary: compare every "
                + ("save area" if name == "conformance" else "value")
                + " with QEMU's, field by field",
            )
        p.set_defaults(func=func)

    p = sub.add_parser(
        "run",
        help="run an experiment file (RQ1: the scheduler attack) or a "
        "sweep file",
        description=(
            "Run the experiment in a YAML file (docs/experiment-files.md; "
            "experiments/rq1.yaml is the paper's RQ1): for each attack "
            "severity, boot Xen with Scotch on QEMU, run the attacker and "
            "victim domUs, and compare each domain's CPU time in Scotch's "
            "SMM ledger, Xen's accounting and ground truth (xentrace). "
            "On gem5 (platform: gem5, or --gem5-binary) one cached boot is "
            "restored for every run, and the ground truth is the "
            "simulator's domain observer. "
            "Prints the table and writes results.csv, rq1.png and each "
            "run's logs to the file's output directory. A sweep file (one "
            "with a grid) instead runs one gem5 point per grid point, "
            "skipping those already done, locally or on Slurm, and writes "
            "each point's record, results.csv, results.parquet and a plot "
            "per axis."
        ),
    )
    p.add_argument("experiment", type=Path, metavar="EXPERIMENT.yaml")
    p.add_argument(
        "--gem5-binary",
        type=Path,
        metavar="PATH",
        help="run on gem5 with this binary (wins over the file's)",
    )
    sw = p.add_argument_group(
        "sweep files (with a grid; docs/experiment-files.md, 'Sweeps')"
    )
    sw.add_argument(
        "--executor",
        choices=("local", "slurm"),
        help="where points run (default: the file's, local)",
    )
    sw.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local: points at once (default: the cores)",
    )
    sw.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="a point's time limit in seconds",
    )
    sw.add_argument("--partition", help="slurm: the partition")
    sw.add_argument(
        "--time-min",
        type=int,
        metavar="MIN",
        help="slurm: each job's time limit in minutes",
    )
    sw.add_argument(
        "--mem-gb", type=float, metavar="GB", help="slurm: each job's memory"
    )
    sw.add_argument("--resume", action=argparse.BooleanOptionalAction,
                    default=True,
                    help="skip points with a done record (default); "
                    "--no-resume runs every point again")  # fmt: skip
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "report",
        help="redraw a sweep's table and plots from its records",
        description=(
            "Read SWEEP_DIR (a sweep's output directory) and write "
            "results.csv, results.parquet and plot-<axis>.png from the "
            "records, without running anything."
        ),
    )
    p.add_argument("sweep_dir", type=Path, metavar="SWEEP_DIR")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "bench",
        help="benchmarks of the gem5 SMM and SGX models (print figures)",
        description=(
            "roundtrip: cycles of one SMI round trip with an empty handler "
            "on each CPU model; overhead: host time per simulated "
            "instruction of a workload without SMIs with and without the "
            "SMM model (and on --baseline-binary, a gem5 built without "
            "the series, if given); handler: cycles per context-switch "
            "SMI of Scotch's real accounting handler on fake Xen state, "
            "against an empty handler, compared with the paper, and the "
            "ledger it exports verified (without --gem5-binary: on QEMU, "
            "functional result only); enclave: cycles of EENTER to EEXIT "
            "of an empty enclave, of the AEX and ERESUME an SMI inside it "
            "causes, and of the abort page (X86EnclaveController); sweep: "
            "the sweep runner's scaling "
            "from 1 to 2 local workers on 8 gem5 points and its own cost "
            "per point (--repeats times)."
        ),
    )
    p.add_argument(
        "what",
        choices=("roundtrip", "overhead", "handler", "enclave", "sweep",
                 "all"),  # fmt: skip
    )
    p.add_argument(
        "--gem5-binary",
        type=Path,
        metavar="PATH",
        help="gem5 binary (required except for 'handler', which runs on "
        "QEMU without it)",
    )
    p.add_argument("--baseline-binary", type=Path, metavar="PATH")
    p.add_argument(
        "--baseline-label",
        default="vanilla gem5",
        metavar="TEXT",
        help="what --baseline-binary is, in the table (default "
        "'vanilla gem5': a gem5 without the series)",
    )
    p.add_argument(
        "--cpu",
        action="append",
        choices=run.CPU_MODELS,
        help="CPU model(s); default o3 and timing",
    )
    p.add_argument("--clock", default="3GHz")
    p.add_argument("--entry-latency", type=int, default=0)
    p.add_argument("--exit-latency", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help="handler: timed SMIs per handler (even, 2..512; default "
        "64); enclave: rounds of each figure (1..512; default 64)",
    )
    p.add_argument(
        "--sgx-latency",
        default="zero",
        choices=("zero", "published"),
        help="enclave: X86EnclaveController's EENTER, EEXIT, AEX and "
        "ERESUME latencies: 0, or split from published pairs "
        "(scotch_plugin/sgx/latency.py)",
    )
    p.set_defaults(func=_cmd_bench)

    g = sub.add_parser(
        "gem5",
        help="patch a gem5 checkout, check a gem5 binary",
        description="Work with gem5: the pinned release, the series, EXTRAS.",
    )
    gsub = g.add_subparsers(dest="gem5_command", required=True)
    p = gsub.add_parser(
        "patch",
        help="apply the patch series to a gem5 checkout",
        description=(
            "Check that DIR is a git checkout of the pinned gem5 release "
            "(src_patches/gem5.pin), apply src_patches/series all or "
            "nothing (a rerun says 'already applied'), and print the "
            "EXTRAS path for gem5's build."
        ),
    )
    p.add_argument("--gem5", type=Path, required=True, metavar="DIR")
    p.set_defaults(func=_cmd_gem5_patch)
    p = gsub.add_parser(
        "build",
        help="patch, configure and build gem5.opt in a gem5 checkout",
        description=(
            "Apply the series to DIR (as 'gem5 patch'), configure "
            "build/X86 without Ruby or SystemC (once), build "
            "build/X86/gem5.opt with this checkout's EXTRAS using a SCons "
            "that builds gem5 v24.0 (4.0 to 4.4; SCOTCH_SCONS names one), "
            "then run 'gem5 check' on it. A rerun is incremental. The "
            "whole log is DIR/build/X86/scotch-build.log."
        ),
    )
    p.add_argument("--gem5", type=Path, required=True, metavar="DIR")
    p.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 1,
        help="parallel compile jobs (default: the number of cores)",
    )  # fmt: skip
    p.set_defaults(func=_cmd_gem5_build)
    p = gsub.add_parser(
        "check",
        help="report which Scotch-gem5 features a gem5 binary has",
        description=(
            "Run the binary on gem5_configs/check_build.py (no simulation) "
            "and report its gem5 version and, for each Scotch-gem5 "
            "SimObject and ISA change, whether it is compiled in. Exits "
            "1 if any is missing."
        ),
    )
    p.add_argument("--gem5-binary", type=Path, required=True, metavar="PATH")
    p.set_defaults(func=_cmd_gem5_check)
    g = sub.add_parser(
        "parsec",
        help="build real PARSEC 3.0 programs for the domUs",
        description="Real PARSEC in the domUs (SCOTCH_PARSEC_DIR).",
    )
    gsub = g.add_subparsers(dest="parsec_command", required=True)
    p = gsub.add_parser(
        "build",
        help="build PARSEC programs from a checkout for SCOTCH_PARSEC_DIR",
        description=(
            "Build the serial version of each benchmark from DIR, a PARSEC "
            "3.0 checkout the user has (never downloaded), static, with "
            "the region of interest marked by our hooks "
            "(workloads/guest/parsec_hooks.c: gem5's work begin/end when "
            "SCOTCH_M5=1); unpack its input set; write the programs, "
            "their arguments and inputs into OUT as SCOTCH_PARSEC_DIR "
            "expects (workloads/guest/README.md); run each once here."
        ),
    )
    p.add_argument("--parsec", type=Path, required=True, metavar="DIR")
    p.add_argument("--out", type=Path, required=True, metavar="OUT")
    p.add_argument(
        "--benchmarks",
        default=",".join(parsec.BENCHMARKS),
        metavar="A,B",
        help="which to build (default: all of them: %(default)s)",
    )
    p.add_argument(
        "--input",
        default="simsmall",
        metavar="SET[,SET]",
        help="input set, or sets in order of preference: each benchmark "
        "takes the first its checkout has (default %(default)s)",
    )
    p.set_defaults(func=_cmd_parsec_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ScotchError as exc:
        print(f"scotch: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "scotch: interrupted; what finished is kept (a sweep: run it "
            "again, or with --resume, to finish it)",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
