"""RQ1, the scheduler attack: ``scotch run <experiment.yaml>``.

For every severity (and repeat) in the experiment, one Scotch run boots
Xen with the attack set, runs the attacker and the victim domU side by
side on one physical CPU, and reads each domain's CPU time in the three
views. The attacker/victim ratios make one row of the paper's table;
the rows go to ``results.csv``, ``rq1.png`` and the console, and each
run's console log and per-domain numbers to ``runs/``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments import rq1_report
from scotch_plugin.experiments.model import Experiment
from scotch_plugin.platforms.base import Platform, for_experiment
from scotch_plugin.platforms.scotch_run import RunSpec, ScotchRun, run_spec
from scotch_plugin.sweep.identity import set_fields
from scotch_plugin.trust import keys


def row_of(
    exp: Experiment, run: ScotchRun, repeat: int
) -> rq1_report.RatioRow:
    domains = {
        name: {
            "scotch_cycles": d.scotch_cycles,
            "xen_seconds": d.xen_seconds,
            "truth_cycles": d.truth_cycles,
        }
        for name, d in run.domains.items()
    }
    return _row(exp, run.spec.severity, repeat, domains)


def _row(
    exp: Experiment,
    severity: int,
    repeat: int,
    domains: dict[str, dict[str, float]],
) -> rq1_report.RatioRow:
    a = domains[exp.attacker.name]
    v = domains[exp.victim.name]
    row = rq1_report.RatioRow.from_times(
        severity,
        scotch=(a["scotch_cycles"], v["scotch_cycles"]),
        xen=(a["xen_seconds"], v["xen_seconds"]),
        truth=(a["truth_cycles"], v["truth_cycles"]),
        repeat=repeat,
    )
    invalid = row.invalid_views()
    if invalid:
        raise ScotchError(
            f"severity {severity} (run {repeat}): no row: "
            + "; ".join(invalid)
        )
    return row


def run_identity(platform: Platform, spec: RunSpec) -> str | None:
    """A digest of everything one run's result depends on (the platform's
    inputs and the run's spec); ``None`` if the platform cannot say."""
    return _identity(platform.name, platform.identity(), spec)


def _identity(
    platform: str, inputs: dict[str, object] | None, spec: RunSpec
) -> str | None:
    if inputs is None:
        return None
    data = {
        "platform": platform,
        "inputs": inputs,
        "spec": set_fields(spec),
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _stem(severity: int, repeat: int) -> str:
    return f"s{severity:02d}-r{repeat}"


def saved_row(
    exp: Experiment, severity: int, repeat: int, identity: str | None
) -> rq1_report.RatioRow | None:
    """The row of a run an earlier invocation saved with the same
    identity (an interrupted experiment resumes there); ``None`` if there
    is none, or it was made from other inputs."""
    path = exp.output / "runs" / f"{_stem(severity, repeat)}.json"
    if identity is None or not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("identity") != identity:
        return None
    try:
        return _row(exp, severity, repeat, record["domains"])
    except (KeyError, TypeError):
        return None


def _save_run(
    out: Path, severity: int, repeat: int, run: ScotchRun,
    identity: str | None = None,
) -> None:  # fmt: skip
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    stem = _stem(severity, repeat)
    record = {
        "identity": identity,
        "severity": severity,
        "repeat": repeat,
        "host_seconds": round(run.host_seconds, 1),
        "domains": {
            n: {
                "domid": d.domid,
                "scotch_cycles": d.scotch_cycles,
                "xen_seconds": d.xen_seconds,
                "truth_cycles": d.truth_cycles,
                "switches": d.switches,
                "irqs": d.irqs,
                "output": d.output,
            }
            for n, d in run.domains.items()
        },
        "ledger": run.ledger,
        "exports": [
            {"label": label, "nonce": nonce} for label, nonce, _ in run.relayed
        ],
        # The verifier's clock bound: the ledger's advance against its
        # own time (QEMU: host seconds; gem5: simulated), per interval.
        "clock_bounds": run.verifier.clock_bounds,
        "ram_scanned_bytes": run.ram_scanned,
        "trace": run.trace.to_json() if run.trace else None,
        "command": run.command,
    }
    (runs / f"{stem}.json").write_text(json.dumps(record, indent=1))


def run_experiment(
    exp: Experiment,
    say: Callable[[str], None] = print,
    runs: list[ScotchRun] | None = None,
    platform: Platform | None = None,
) -> list[rq1_report.RatioRow]:
    """Every run of ``exp`` on ``platform`` (default: the one
    :func:`~scotch_plugin.platforms.base.for_experiment` picks), which
    checks ``exp`` first; writes the results into ``exp.output`` (and
    appends each run to ``runs``, if given)."""
    if platform is None:
        platform = for_experiment(exp)
    platform.check(exp)
    out = exp.output
    out.mkdir(parents=True, exist_ok=True)
    say(f"scotch run: {exp.name}: building the images (cached when unchanged)")
    platform.prepare()
    rows: list[rq1_report.RatioRow] = []
    start = time.monotonic()

    def run_one(severity: int, repeat: int) -> ScotchRun:
        spec = run_spec(exp, severity)
        log = out / "runs" / f"s{severity:02d}-r{repeat}.log"
        try:
            return platform.run(exp, spec, log)
        except ScotchError as exc:
            # One console line mangled among thousands of base64 lines:
            # the run itself was fine, so run it again, once.
            if "damaged on the console" not in str(exc):
                raise
            say(f"scotch run: severity {severity}: {exc}; running it again")
            return platform.run(exp, spec, log)

    # The platform's inputs once: QEMU's are digests of every image.
    inputs = platform.identity()
    identities = {
        severity: _identity(platform.name, inputs, run_spec(exp, severity))
        for severity in exp.severities
    }
    todo = []
    for severity, repeat in exp.runs():
        saved = saved_row(exp, severity, repeat, identities[severity])
        if saved is None:
            todo.append((severity, repeat))
            continue
        rows.append(saved)
        say(
            f"scotch run: severity {severity:2d} (run {repeat}): reusing "
            f"runs/{_stem(severity, repeat)}.json (same inputs): truth "
            f"{saved.truth:.3f}  Scotch {saved.scotch:.3f}  Xen "
            f"{saved.xen:.3f}"
        )
    rows.sort(key=lambda r: (r.severity, r.repeat))
    if rows:
        rq1_report.write_csv(rows, out / "results.csv")

    def finish(severity: int, repeat: int, run: ScotchRun) -> None:
        _save_run(out, severity, repeat, run, identities[severity])
        leaks = keys.find_key_in_tree(out, run.key)
        if leaks:
            raise ScotchError(
                f"the run's MAC key is in {', '.join(map(str, leaks))}"
            )
        if runs is not None:
            runs.append(run)
        row = row_of(exp, run, repeat)
        rows.append(row)
        rows.sort(key=lambda r: (r.severity, r.repeat))
        say(
            f"scotch run: severity {severity:2d} (run {repeat}): truth "
            f"{row.truth:.3f}  Scotch {row.scotch:.3f}  Xen {row.xen:.3f}"
            f"  [{run.host_seconds:.0f} s]"
        )
        rq1_report.write_csv(rows, out / "results.csv")

    # Runs restored from one boot (gem5) are independent: one per core.
    with ThreadPoolExecutor(max_workers=platform.workers) as pool:
        pending = {
            pool.submit(run_one, severity, repeat): (severity, repeat)
            for severity, repeat in todo
        }
        try:
            for done in as_completed(pending):
                finish(*pending[done], done.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    rq1_report.plot(
        rows, out / "rq1.png",
        truth_source=rq1_report.TRUTH_SOURCES[exp.platform],
    )  # fmt: skip
    table = rq1_report.format_table(rows)
    (out / "table.txt").write_text(table)
    say(table.rstrip())
    say(
        f"scotch run: {len(rows)} runs in {time.monotonic() - start:.0f} s; "
        f"results in {out}"
    )
    return rows


def read_rows(output: Path) -> list[rq1_report.RatioRow]:
    """The rows a finished experiment wrote to ``output``."""
    return rq1_report.read_csv(output / "results.csv")
