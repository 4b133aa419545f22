"""The platform interface: what ``scotch run`` asks of the platform that
simulates an experiment's machine, and which platform that is.

A :class:`Platform` checks an experiment before anything is built or
simulated (:meth:`~Platform.check`: a ScotchError naming the file and the
field it cannot honour), builds what every run boots once
(:meth:`~Platform.prepare`), and runs one
:class:`~scotch_plugin.platforms.scotch_run.RunSpec` into a
:class:`~scotch_plugin.platforms.scotch_run.ScotchRun`
(:meth:`~Platform.run`). :func:`for_experiment` picks the platform.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from scotch_plugin.experiments.model import Experiment
from scotch_plugin.platforms.scotch_run import RunSpec, ScotchRun


class Platform(ABC):
    """Where the runs of an experiment are simulated."""

    #: The platform's name in an experiment file (``platform: qemu``).
    name: ClassVar[str]
    #: Runs at once (each its own simulator process).
    workers: int = 1

    @abstractmethod
    def check(self, experiment: Experiment) -> None:
        """A ScotchError naming ``experiment``'s file and the field if a
        field cannot be honoured here; called before anything is built or
        simulated."""

    @abstractmethod
    def prepare(self) -> None:
        """Build (or reuse) what every run boots; before the first run."""

    def identity(self) -> dict[str, object] | None:
        """After :meth:`prepare`: everything a run's result depends on
        besides its ``RunSpec`` (digests of what it boots or restores),
        so that a run saved with the same identity can stand for a new
        one; ``None``: never reuse a run."""
        return None

    @abstractmethod
    def run(
        self, experiment: Experiment, spec: RunSpec, log: Path
    ) -> ScotchRun:
        """Boot, run and read one run of ``experiment``; its console goes
        to ``log``, even when the run fails."""


def for_experiment(
    experiment: Experiment, gem5_binary: Path | None = None
) -> Platform:
    """The platform ``scotch run`` runs ``experiment`` on: gem5 if
    ``--gem5-binary`` (``gem5_binary``) names a binary or the file says
    ``platform: gem5``, else QEMU."""
    # Here, not at the top: each platform's module imports this one.
    from scotch_plugin.platforms.gem5 import Gem5Platform
    from scotch_plugin.platforms.scotch_qemu import QemuPlatform

    if gem5_binary is not None:
        return Gem5Platform(gem5_binary, field="--gem5-binary")
    if experiment.platform == "gem5":
        binary = experiment.gem5.binary if experiment.gem5 else None
        return Gem5Platform(binary, field="platform")
    return QemuPlatform()
