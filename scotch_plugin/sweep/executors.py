"""Where a sweep's points run: a local process pool or Slurm.

Both run the same thing for a point, :mod:`scotch_plugin.sweep.worker`
on its directory, so a deterministic point gives the same record
whichever ran it. The worker writes the record; if it dies without one
(killed, timed out, crashed), the executor records the failure with the
tail of its log, and the other points go on.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scotch_plugin.errors import ScotchError
from scotch_plugin.sweep.records import (
    LOG,
    RECORD,
    Record,
    point_log_tail,
    read_record,
    read_spec,
    write_json,
)
from scotch_plugin.sweep.worker import failed_record, now, run_point_dir

#: How much longer than a point's own time limit (which the worker
#: enforces on gem5 or the command) the executor waits before it kills
#: the worker.
GRACE_S = 30.0
_POLL_S = 0.02


# -- progress -----------------------------------------------------------------


def _label(point_dir: Path) -> str:
    spec = read_spec(point_dir)
    axes = " ".join(f"{k}={v}" for k, v in spec.axes.items())
    rep = f" #{spec.repeat}" if spec.repeat else ""
    return f"{spec.index}{rep} {axes}".strip()


#: What a running point has printed so far, most telling first: the
#: image's serial output (its own progress), a command's output.
_PROGRESS_FILES = ("gem5/board.pc.com_1.device", "command.stdout")


def _last_line(point_dir: Path) -> str:
    for name in _PROGRESS_FILES:
        try:
            with (point_dir / name).open("rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 4096))
                lines = f.read().decode(errors="replace").splitlines()
        except OSError:
            continue
        lines = [line.strip() for line in lines if line.strip()]
        if lines:
            return lines[-1][:70]
    return ""


@dataclass
class Display:
    """Points done/total, running, failed and ETA, and a line per
    running point with the last thing it printed (a gem5 image's serial
    output: its own progress): live on a terminal (rich); otherwise a
    line per finished point."""

    total: int
    done: int = 0
    workers: int = 1
    failed: int = 0
    running: dict[Path, float] = field(default_factory=dict)
    walls: list[float] = field(default_factory=list)
    quiet: bool = False
    t_start: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.live = self.console.is_terminal and not self.quiet
        self.progress = Progress(
            TextColumn("sweep"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.task = self.progress.add_task(
            "sweep", total=self.total, completed=self.done, status=""
        )
        self._labels: dict[Path, str] = {}
        self._shown = 0.0
        self._live = (
            Live(console=self.console, refresh_per_second=4)
            if self.live
            else None
        )

    def __enter__(self) -> Display:
        if self._live is not None:
            self._live.start()
        self._refresh()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._refresh()
            self._live.stop()

    def eta_s(self) -> float | None:
        """Seconds left at the rate points finished so far this run."""
        if not self.walls:
            return None
        left = self.total - self.done
        rate = len(self.walls) / (time.monotonic() - self.t_start)
        return left / rate

    def status(self) -> str:
        eta = self.eta_s()
        shown = "?" if eta is None else f"{eta:.0f} s"
        return (
            f"{len(self.running)} running, {self.failed} failed, "
            f"ETA {shown}"
        )

    def _refresh(self) -> None:
        if self._live is None:
            return
        from rich.console import Group
        from rich.table import Table

        self.progress.update(
            self.task, completed=self.done, status=self.status()
        )
        rows = Table.grid(padding=(0, 2))
        now_ = time.monotonic()
        for point_dir, t0 in self.running.items():
            rows.add_row(
                f"  {self._labels[point_dir]}",
                f"{now_ - t0:5.0f} s",
                _last_line(point_dir),
            )
        self._live.update(Group(self.progress, rows))
        self._shown = now_

    def poll(self) -> None:
        """Called while points run: refresh the running points' lines."""
        if self._live is not None and time.monotonic() - self._shown > 0.25:
            self._refresh()

    def started(self, point_dir: Path) -> None:
        self.running[point_dir] = time.monotonic()
        self._labels[point_dir] = _label(point_dir)
        self._refresh()

    def finished(self, point_dir: Path, record: Record) -> None:
        t0 = self.running.pop(point_dir, None)
        wall = record.seconds if t0 is None else time.monotonic() - t0
        self.walls.append(wall)
        self.done += 1
        if record.status != "done":
            self.failed += 1
        what = (
            ", ".join(f"{k} {v:g}" for k, v in
                      list(record.metrics.items())[:2])  # fmt: skip
            if record.status == "done"
            else f"{record.status.upper()} ({record.exit_cause}): "
            f"{record.error}"
        )
        if not self.quiet:
            self.console.print(
                f"[{self.done}/{self.total}] {_label(point_dir)}: {what} "
                f"({wall:.1f} s); {self.status()}",
                markup=False,
            )
        self._refresh()


# -- local --------------------------------------------------------------------


def package_root() -> str:
    """The directory this package is imported from: workers import the
    same one, whatever their working directory or installed copy."""
    import scotch_plugin

    return str(Path(scotch_plugin.__file__).resolve().parent.parent)


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [package_root(), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _kill(proc: subprocess.Popen[Any]) -> None:
    """End a worker and everything it started (its own session)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    except ProcessLookupError:
        pass


@dataclass
class _Running:
    point_dir: Path
    t0: float
    start: str
    log: IO[str]


class LocalExecutor:
    """At most ``workers`` points at once, each a worker process of its
    own (in its own session, so a timeout ends gem5 with it)."""

    name = "local"

    def __init__(self, workers: int | None = None, timeout_s: float = 3600):
        self.workers = workers or default_workers()
        self.timeout_s = timeout_s

    def run(self, point_dirs: list[Path], display: Display) -> None:
        pending = deque(point_dirs)
        running: dict[subprocess.Popen[Any], _Running] = {}
        env = worker_env()
        try:
            while pending or running:
                while pending and len(running) < self.workers:
                    d = pending.popleft()
                    (d / RECORD).unlink(missing_ok=True)
                    log = (d / LOG).open("w")
                    proc = subprocess.Popen(
                        [sys.executable, "-m", "scotch_plugin.sweep.worker",
                         str(d), self.name],  # fmt: skip
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                        env=env,
                    )
                    running[proc] = _Running(d, time.monotonic(), now(), log)
                    display.started(d)
                time.sleep(_POLL_S)
                display.poll()
                for proc, r in list(running.items()):
                    elapsed = time.monotonic() - r.t0
                    killed = False
                    if proc.poll() is None:
                        if elapsed < self.timeout_s + GRACE_S:
                            continue
                        _kill(proc)
                        killed = True
                    r.log.close()
                    del running[proc]
                    record = read_record(r.point_dir)
                    if record is None:
                        record = self._lost(r, proc.returncode, killed)
                    display.finished(r.point_dir, record)
        finally:
            for proc, r in running.items():
                _kill(proc)
                r.log.close()

    def _lost(
        self, r: _Running, returncode: int | None, killed: bool
    ) -> Record:
        """A failed record for a worker that ended without one."""
        spec = read_spec(r.point_dir)
        seconds = time.monotonic() - r.t0
        if killed:
            status, cause = "timeout", f"killed after {seconds:.0f} s"
        elif returncode is not None and returncode < 0:
            status = "failed"
            cause = f"worker killed by {signal.Signals(-returncode).name}"
        else:
            status, cause = "failed", f"worker exit {returncode}"
        record = failed_record(
            spec,
            status=status,
            cause=cause,
            error=f"the point's worker ended without a record ({cause})",
            log_tail=point_log_tail(r.point_dir),
            executor=self.name,
            start=r.start,
            seconds=seconds,
        )
        write_json(r.point_dir / RECORD, record)
        return record


# -- Slurm --------------------------------------------------------------------


class SlurmExecutor:
    """Each point a Slurm job (submitit, one job array per sweep). The
    output directory must be on a file system the nodes share, and the
    nodes must import this package from the same Python."""

    name = "slurm"

    def __init__(
        self,
        folder: Path,
        partition: str | None,
        time_min: int,
        mem_gb: float,
        cpus_per_task: int = 1,
        job_name: str = "scotch-sweep",
        poll_s: float = 1.0,
    ):
        self.folder = folder
        self.params: dict[str, Any] = {
            "time": time_min,
            "mem": f"{max(1, round(mem_gb * 1024))}M",
            "cpus_per_task": cpus_per_task,
            "job_name": job_name,
        }
        if partition:
            self.params["partition"] = partition
        self.poll_s = poll_s

    def run(self, point_dirs: list[Path], display: Display) -> None:
        try:
            import submitit
        except ImportError:
            raise ScotchError(
                "the slurm executor needs submitit: pip install submitit"
            ) from None
        if not point_dirs:
            return
        # Without accounting, submitit warns at every poll that sacct
        # failed; squeue below covers what sacct would tell.
        logging.getLogger("submitit").setLevel(logging.ERROR)
        ex = submitit.SlurmExecutor(folder=self.folder, max_num_timeout=0)
        ex.update_parameters(
            setup=[f"export PYTHONPATH={package_root()}:$PYTHONPATH"],
            **self.params,
        )
        for d in point_dirs:
            (d / RECORD).unlink(missing_ok=True)
        start = now()
        try:
            with ex.batch():
                jobs = [
                    ex.submit(run_point_dir, str(d), self.name)
                    for d in point_dirs
                ]
        except Exception as exc:  # submitit raises plain exceptions
            raise ScotchError(f"sbatch failed: {exc}") from None
        waiting = dict(zip(jobs, point_dirs, strict=True))
        gone: dict[Any, int] = {}
        for d in point_dirs:
            display.started(d)
        try:
            while waiting:
                time.sleep(self.poll_s)
                display.poll()
                active = _squeue()
                for job, d in list(waiting.items()):
                    # A job that ended well left its result file; one
                    # that died did not, and squeue no longer lists it
                    # (sacct, which submitit would ask, needs Slurm's
                    # accounting, which a cluster may not have).
                    if active is None:
                        if not job.done():
                            continue
                    elif not job.paths.result_pickle.exists():
                        if job.job_id in active:
                            continue
                        gone[job] = gone.get(job, 0) + 1
                        if gone[job] < 3:
                            continue
                    del waiting[job]
                    record = read_record(d)
                    if record is None:
                        record = self._lost(job, d, start)
                    display.finished(d, record)
        except BaseException:
            for job in waiting:
                job.cancel(check=False)
            raise

    def _lost(self, job: Any, d: Path, start: str) -> Record:
        spec = read_spec(d)
        state = job.state
        if state == "UNKNOWN":
            state = "ENDED"  # without accounting
        # Not job.exception(): it waits for a result file that a job
        # killed from outside never writes.
        log = "\n".join(
            [
                *(job.stderr() or "").splitlines()[-20:],
                point_log_tail(d),
            ]
        )
        status = "timeout" if state == "TIMEOUT" else "failed"
        record = failed_record(
            spec,
            status=status,
            cause=f"Slurm job {job.job_id} {state}",
            error=f"the job ended without a record (state {state})",
            log_tail=log,
            executor=self.name,
            start=start,
            seconds=0.0,
        )
        write_json(d / RECORD, record)
        return record


def _squeue() -> set[str] | None:
    """The ids of the jobs Slurm still has (array tasks one by one)."""
    try:
        proc = subprocess.run(["squeue", "-h", "-r", "-o", "%i"],
                              capture_output=True, text=True,
                              timeout=60)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(proc.stdout.split()) if proc.returncode == 0 else None
