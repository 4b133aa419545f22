"""gem5 as the platform of ``scotch run``: one cached boot, a restore per
run (:mod:`scotch_plugin.platforms.scotch_gem5`).

An experiment runs on gem5 when its file says ``platform: gem5`` or
``--gem5-binary`` names a binary. :meth:`Gem5Platform.check` stops
before anything is built or simulated when the experiment asks for
what gem5 cannot give, naming the file and the field: no binary, a
binary that is not there or lacks a feature of the series,
domains the runner does not take. The CPU model, the trigger and the
window are a run's own (set at restore); the domains and the clock are
the boot's (another value is another cached boot).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path
from typing import Literal

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments.model import DEFAULT_FREQUENCY, Experiment
from scotch_plugin.gem5 import check
from scotch_plugin.platforms import scotch_gem5
from scotch_plugin.platforms.base import Platform
from scotch_plugin.platforms.scotch_run import RunSpec, ScotchRun, run_spec
from scotch_plugin.sweep.identity import set_fields

#: What asked for gem5: the file's field or the command-line option.
Gem5Field = Literal["platform", "--gem5-binary"]


class Gem5Platform(Platform):
    """Scotch's runs on gem5, restored from one cached boot."""

    name = "gem5"

    def __init__(
        self,
        binary: Path | None = None,
        field: Gem5Field = "platform",
        timeout: float = 3600.0,
    ) -> None:
        self.binary = binary
        self.field = field
        self.timeout = timeout
        self._boot: scotch_gem5.Gem5Boot | None = None
        self._booted: scotch_gem5.BootResult | None = None
        self._checked: Path | None = None
        self._experiment: Experiment | None = None
        # Runs restore one boot, each in its own gem5 process.
        self.workers = os.cpu_count() or 1

    def _where(self, experiment: Experiment, field: str) -> str:
        return f"{experiment.source or 'inline'}: {field}"

    def choice(self, experiment: Experiment) -> scotch_gem5.RestoreChoice:
        cpu = experiment.gem5.cpu if experiment.gem5 else "atomic"
        return scotch_gem5.RestoreChoice(
            cpu=cpu,
            trigger=experiment.trigger,
            random_mean_us=experiment.random_mean_us or 100.0,
        )

    def check(self, experiment: Experiment) -> None:
        where = self._where
        if self.binary is None:
            raise ScotchError(
                f"{where(experiment, 'gem5.binary')}: platform gem5 needs "
                "a gem5 binary: expected gem5.binary, SCOTCH_GEM5_BINARY or "
                "--gem5-binary, found none"
            )
        field = "--gem5-binary" if self.field == "--gem5-binary" else (
            "gem5.binary"
        )  # fmt: skip
        if self._checked != self.binary:
            try:
                report = check.run_check(Path(self.binary), timeout=120)
            except ScotchError as exc:
                raise ScotchError(
                    f"{where(experiment, field)}: expected a gem5 binary "
                    f"with Scotch-gem5's series: {exc}"
                ) from None
            missing = [f.key for f in report.missing()]
            if missing:
                raise ScotchError(
                    f"{where(experiment, field)}: {self.binary} lacks "
                    f"{', '.join(missing)} (build it with scotch gem5 build)"
                )
            self._checked = self.binary
        for severity in experiment.severities:
            run_spec(experiment, severity)
        self._experiment = experiment

    def prepare(self) -> None:
        """Boot (or reuse the cached boot of) the checked experiment's
        machine, once, before the runs restore it."""
        if self._experiment is None:
            raise ScotchError(
                "Gem5Platform.prepare: check() an experiment first"
            )
        if self._boot is not None:
            return
        assert self.binary is not None
        exp = self._experiment
        frequency = exp.gem5.frequency if exp.gem5 else DEFAULT_FREQUENCY
        # Every run's domains are the same: the first severity's spec.
        spec = run_spec(exp, exp.severities[0])
        self._boot = scotch_gem5.prepare(Path(self.binary), spec, frequency)
        named = exp.gem5.checkpoint if exp.gem5 else None
        if named is None:
            self._booted = scotch_gem5.boot(self._boot)
            return
        try:
            self._booted = scotch_gem5.named(self._boot, named)
        except ScotchError as exc:
            field = self._where(exp, "gem5.checkpoint")
            raise ScotchError(f"{field}: {exc}") from None
        print(f"scotch gem5 boot: restoring the boot gem5.checkpoint names: "
              f"{named} (checkpoint {self._booted.checkpoint.name})",
              flush=True)  # fmt: skip

    def identity(self) -> dict[str, object] | None:
        """The boot every run restores (its key covers the binary, the
        images and the boot's configuration) and what the run sets at the
        restore (CPU model, SMI trigger)."""
        if self._boot is None or self._experiment is None:
            return None
        choice = set_fields(self.choice(self._experiment))
        return {"boot": self._boot.key, **choice}

    def run(
        self, experiment: Experiment, spec: RunSpec, log: Path
    ) -> ScotchRun:
        if self._boot is None:  # not through run_experiment
            self.check(experiment)
            self.prepare()
        assert self._boot is not None and self._booted is not None
        outdir = log.with_suffix(".gem5")
        try:
            return scotch_gem5.run(
                self._boot,
                self._booted,
                dataclasses.replace(spec, staged=True),
                self.choice(experiment),
                outdir,
                timeout=self.timeout,
            )
        finally:
            console = outdir / scotch_gem5.CONSOLE
            log.parent.mkdir(parents=True, exist_ok=True)
            if console.is_file():
                shutil.copyfile(console, log)
