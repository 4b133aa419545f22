"""gem5 as the platform of ``scotch run``: not yet.

Xen boots in gem5 (``gem5_configs/xen_boot.py``, README, "Xen in gem5"),
but only as far as dom0's toolstack, and not through Scotch's shim and
key chain; a full run (the domUs, the verifier's exports, the three
views) is not implemented. So :class:`Gem5Platform` refuses every
experiment before anything is built or simulated, naming the file and
the field that asked for gem5: ``platform: gem5`` in the file, or
``--gem5-binary`` on the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments.model import Experiment
from scotch_plugin.platforms.base import Platform
from scotch_plugin.platforms.scotch_run import RunSpec, ScotchRun

#: What asked for gem5: the file's field or the command-line option.
Gem5Field = Literal["platform", "--gem5-binary"]


class Gem5Platform(Platform):
    """A full-Xen Scotch run on gem5: refused, with the reason."""

    name = "gem5"

    def __init__(
        self, binary: Path | None = None, field: Gem5Field = "platform"
    ) -> None:
        self.binary = binary
        self.field = field

    def refusal(self, experiment: Experiment) -> ScotchError:
        """Why ``experiment`` cannot run on gem5, naming its file and the
        field that asked for gem5."""
        if self.field == "--gem5-binary":
            return ScotchError(
                f"{experiment.source}: --gem5-binary: RQ1 needs Xen to boot "
                "in gem5 with its domUs, which it does only as far as "
                "dom0's toolstack yet (README, 'Xen in gem5'); the "
                "experiment runs on QEMU without it"
            )
        return ScotchError(
            f"{experiment.source}: platform: gem5 runs of RQ1 are not wired "
            "yet: Xen boots in gem5, but not yet through Scotch's shim and "
            "key chain (see README, 'Xen in gem5'); use platform: qemu"
        )

    def check(self, experiment: Experiment) -> None:
        raise self.refusal(experiment)

    def prepare(self) -> None:
        """Nothing to build: :meth:`check` refuses every experiment."""

    def run(
        self, experiment: Experiment, spec: RunSpec, log: Path
    ) -> ScotchRun:
        raise self.refusal(experiment)
