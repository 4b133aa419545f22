"""What running one point of each kind means.

- ``handler``: scotch_bench on gem5 (``bench.handler_on_gem5``): Scotch's
  accounting handler per context-switch SMI against an empty handler,
  the ledger it exports verified by scotch-reader.
- ``roundtrip``: smm_bench on gem5 (``bench.roundtrip_on_gem5``): the SMI
  round trip with an empty handler.
- ``xen-cost``: a restore of an experiment's Xen boot on gem5
  (:mod:`.xen_cost`): Xen's context switches timed, the SMIs' cost, each
  domain's work, with one SMI trigger (or none).
- ``command``: any program, run with the point's values put into its
  arguments; it reports what it measured as ``SCOTCH-METRIC name=value``
  lines on its standard output. A command that exits non-zero, or prints
  no metric, is a failed point.

:func:`prepare` runs once, in the process that starts the sweep: it
builds the images (so points, which may run at once, build nothing) and
returns their paths and what goes into every point's identity.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scotch_plugin import ledger, project, workload_build
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import run as gem5_run
from scotch_plugin.proc import ToolTimeout
from scotch_plugin.sweep import identity, records
from scotch_plugin.sweep.records import PointSpec
from scotch_plugin.sweep.schema import Sweep

#: The images (and tools) each gem5 kind needs, built before any point.
IMAGES = {
    "handler": ("scotch_bench",),
    "roundtrip": ("smm_bench",),
}
#: The metrics each kind's plots show, first the main one: for the
#: handler, the cycles of a context-switch SMI with Scotch's handler
#: (median round trip) and what the handler adds to an empty SMI.
PLOTTED = {
    "handler": ("scotch_median", "handler_cycles"),
    "roundtrip": ("roundtrip_cycles_min", "smm_cycles_per_smi"),
    "xen-cost": ("switch_median", "switch_xen_median"),
    "xen-interference": ("ipc_victim", "l2_miss_rate_victim"),
}
METRIC_LINE = re.compile(r"^SCOTCH-METRIC (\w+)=(\S+)\s*$", re.M)


class PointFailed(ScotchError):
    """A point that ran but could not be measured."""

    def __init__(self, cause: str, message: str):
        super().__init__(message)
        self.cause = cause


@dataclass
class Outcome:
    exit_cause: str
    command: list[str]
    metrics: dict[str, float]
    stats: dict[str, float] = field(default_factory=dict)
    payload_seconds: float | None = None


@dataclass
class Prepared:
    images: dict[str, str]
    #: What every point's identity shares (gem5, images, configs).
    identity: dict[str, Any]


def prepare(sweep: Sweep) -> Prepared:
    if sweep.kind in ("xen-cost", "xen-interference"):
        from scotch_plugin.sweep import xen_cost

        assert sweep.boot is not None and sweep.gem5_binary is not None
        xc = xen_cost.prepare(sweep.boot, sweep.gem5_binary, sweep.output)
        return Prepared({"restore": str(xc.restore_file)}, xc.identity)
    if sweep.kind == "command":
        assert sweep.command is not None
        # The files the command names (its script...), by content.
        base = sweep.source.parent if sweep.source else Path.cwd()
        files = {
            arg: identity.file_digest(base / arg)
            for arg in sweep.command
            if "{" not in arg and (base / arg).is_file()
        }
        return Prepared({}, {"command": list(sweep.command), "files": files})
    assert sweep.gem5_binary is not None
    images: dict[str, str] = {}
    for name in IMAGES[sweep.kind]:
        images[name] = str(workload_build.image(name, "gem5"))
    if sweep.kind == "handler":
        reader = ledger.reader_binary()
        workload_build.scons(str(reader.relative_to(project.root())))
        images["scotch-reader"] = str(reader)
    return Prepared(
        images,
        {
            "gem5": identity.gem5_identity(sweep.gem5_binary),
            "images": {
                name: identity.file_digest(Path(path))
                for name, path in images.items()
            },
        },
    )


def machine_options(params: dict[str, Any]) -> list[str]:
    """baremetal.py's cache and memory options for a point's parameters."""
    out = [
        "--l1i", params["l1i_size"], "--l1d", params["l1d_size"],
        "--l2", params["l2_size"], "--memory", params["memory"],
        "--memory-type", params["memory_type"],
    ]  # fmt: skip
    for cache in ("l1i", "l1d", "l2"):
        out += [f"--{cache}-assoc", str(params[f"{cache}_assoc"])]
    return out


def run(spec: PointSpec, point_dir: Path) -> Outcome:
    """Run one point; a ScotchError (often a PointFailed) if it cannot
    be measured."""
    if spec.kind == "command":
        return _run_command(spec, point_dir)
    if spec.kind in ("handler", "roundtrip"):
        return _run_gem5(spec, point_dir)
    if spec.kind in ("xen-cost", "xen-interference"):
        return _run_xen_cost(spec, point_dir)
    raise ScotchError(f"unknown point kind {spec.kind!r}")


def _smm_stat_names(dump: dict[str, float]) -> dict[str, float]:
    """The SMM controller's statistics in a dump, without histogram
    buckets."""
    return {
        k: v
        for k, v in dump.items()
        if k.startswith("board.smm.")
        and not k.rsplit("::", 1)[-1][:1].isdigit()
    }


def _run_gem5(spec: PointSpec, point_dir: Path) -> Outcome:
    from scotch_plugin.baremetal import bench

    assert spec.gem5_binary is not None
    p = spec.params
    outdir = point_dir / "gem5"
    args = dict(
        gem5_binary=Path(spec.gem5_binary),
        cpu=p["cpu"],
        outdir=outdir,
        clock=p["frequency"],
        entry=p["smm_entry_latency"],
        exit_=p["smm_exit_latency"],
        machine=machine_options(p),
        build=False,
        timeout=spec.timeout_s,
    )
    start = time.monotonic()
    metrics: dict[str, float]
    if spec.kind == "handler":
        r = bench.handler_on_gem5(rounds=p["rounds"], **args)  # type: ignore
        assert r.stats_scotch is not None and r.stats_empty is not None
        metrics = {
            "handler_cycles": r.handler_cycles,
            "scotch_median": r.scotch.median,
            "scotch_min": r.scotch.min,
            "scotch_avg": r.scotch.avg,
            "empty_median": r.empty.median,
            "smis": r.stats_scotch[0],
            "smm_cycles_per_smi": r.stats_scotch[1],
            "smm_cycles_per_smi_empty": r.stats_empty[1],
            "smm_handler_cycles": r.stats_scotch[1] - r.stats_empty[1],
        }
        dumps = bench.read_stats_dumps(outdir / "stats.txt")
        stats = {f"empty.{k}": v for k, v in
                 _smm_stat_names(dumps[0]).items()}  # fmt: skip
        stats |= {f"scotch.{k}": v for k, v in
                  _smm_stat_names(dumps[1]).items()}  # fmt: skip
        last = dumps[-1]
    else:
        rt = bench.roundtrip_on_gem5(**args)  # type: ignore[arg-type]
        metrics = {
            "roundtrip_cycles_min": rt.tsc_min,
            "roundtrip_cycles_avg": rt.tsc_avg,
            "timing_overhead": rt.timing_overhead,
            "smis": rt.smis,
            "smm_cycles_per_smi": rt.stat_cycles_per_smi,
        }
        last = bench.read_stats(outdir / "stats.txt")
        stats = _smm_stat_names(last)
    payload = time.monotonic() - start
    for key in ("simTicks", "simInsts", "hostSeconds"):
        if key in last:
            stats[key] = last[key]
    bad = [k for k, v in metrics.items() if not math.isfinite(v)]
    if bad:
        raise PointFailed(
            "no measurement",
            f"gem5 ran but gave no value for {', '.join(bad)}",
        )
    cmd = json.loads((outdir / "gem5.command.json").read_text())
    cause = gem5_run.exit_cause(outdir) or "unknown"
    return Outcome(cause, cmd, metrics, stats, payload)


def _run_xen_cost(spec: PointSpec, point_dir: Path) -> Outcome:
    from scotch_plugin.sweep import xen_cost

    start = time.monotonic()
    cmd, metrics = xen_cost.run(spec, point_dir)
    payload = time.monotonic() - start
    bad = [k for k, v in metrics.items() if not math.isfinite(v)]
    if bad:
        raise PointFailed(
            "no measurement",
            f"gem5 ran but gave no value for {', '.join(bad)}",
        )
    outdir = point_dir / "gem5"
    cause = gem5_run.exit_cause(outdir) or "unknown"
    return Outcome(cause, cmd, metrics, {}, payload)


def command_args(spec: PointSpec) -> list[str]:
    assert spec.command is not None
    return [arg.format(**spec.params) for arg in spec.command]


def _run_command(spec: PointSpec, point_dir: Path) -> Outcome:
    cmd = command_args(spec)
    # Its output goes straight to files, so that what it printed is
    # there even if the worker dies.
    out_path = point_dir / "command.stdout"
    err_path = point_dir / "command.stderr"
    start = time.monotonic()
    with out_path.open("w") as out, err_path.open("w") as err:
        try:
            proc = subprocess.Popen(
                cmd, cwd=spec.base_dir, stdin=subprocess.DEVNULL,
                stdout=out, stderr=err,
            )  # fmt: skip
        except OSError as exc:
            raise PointFailed(
                "cannot run", f"{cmd[0]}: cannot run it: {exc.strerror}"
            ) from None
        try:
            returncode = proc.wait(timeout=spec.timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            so_far = records.tail(err_path) or records.tail(out_path)
            raise ToolTimeout(
                f"{cmd[0]} did not finish within {spec.timeout_s:g} s; "
                f"output so far:\n{so_far}"
            ) from None
    payload = time.monotonic() - start
    stdout = out_path.read_text(errors="replace")
    tail = records.tail(err_path, 20) or records.tail(out_path, 20)
    if returncode != 0:
        raise PointFailed(
            f"exit {returncode}",
            f"{cmd[0]} exited with status {returncode}:\n{tail}",
        )
    metrics: dict[str, float] = {}
    for name, value in METRIC_LINE.findall(stdout):
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise PointFailed(
                "bad metric",
                f"{cmd[0]} printed SCOTCH-METRIC {name}={value}: expected "
                "a finite number",
            )
        metrics[name] = number
    if not metrics:
        raise PointFailed(
            "no metric",
            f"{cmd[0]} exited 0 but printed no SCOTCH-METRIC name=value "
            f"line:\n{tail}",
        )
    return Outcome("exit 0", cmd, metrics, {}, payload)
