"""Experiment files: what ``scotch run <experiment.yaml>`` runs.

An experiment file is YAML describing one RQ1 scheduler-attack
experiment: the platform (QEMU or gem5), the SMI trigger, the attack
severities, the two domUs (attacker and victim) and where results go.
Every field is documented, with its default, in
``docs/experiment-files.md``.

:func:`load_experiment` validates the whole file before anything runs and
raises :class:`~scotch_plugin.errors.ExperimentError` listing every
problem, each with the file, line, field path (``domains[1].workload``),
what was expected and what was found: the YAML is read with a line index
(:mod:`scotch_plugin.experiments.yaml_lines`) and checked by the schema
(:mod:`scotch_plugin.experiments.schema`) into an
:class:`~scotch_plugin.experiments.model.Experiment`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from scotch_plugin.experiments.model import Experiment
from scotch_plugin.experiments.schema import validate
from scotch_plugin.experiments.yaml_lines import compose, one_problem


def load_experiment(
    path: str | os.PathLike[str],
    *,
    env: Mapping[str, str] | None = None,
    check_files: bool = True,
) -> Experiment:
    """Read and validate an experiment file; nothing is run.

    ``env`` (default ``os.environ``) supplies ``SCOTCH_GEM5_BINARY``.
    With ``check_files`` false the gem5 binary need not exist (to check a
    file on a machine without gem5). Raises ``ExperimentError``.
    """
    source = str(path)
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise one_problem(source, "no such experiment file") from None
    except IsADirectoryError:
        raise one_problem(
            source, "is a directory, not an experiment file"
        ) from None
    except UnicodeDecodeError as exc:
        raise one_problem(source, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise one_problem(source, f"cannot read: {exc.strerror}") from None
    return _build(
        text,
        source,
        file=file.resolve(),
        base_dir=file.resolve().parent,
        env=env,
        check_files=check_files,
    )


def parse_experiment(
    text: str,
    source: str = "<experiment>",
    *,
    base_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    check_files: bool = True,
) -> Experiment:
    """Validate experiment YAML ``text``; ``source`` names it in errors.

    Relative paths in it are taken from ``base_dir`` (default the current
    directory).
    """
    return _build(
        text,
        source,
        file=None,
        base_dir=base_dir or Path.cwd(),
        env=env,
        check_files=check_files,
    )


def _build(
    text: str,
    source: str,
    *,
    file: Path | None,
    base_dir: Path,
    env: Mapping[str, str] | None,
    check_files: bool,
) -> Experiment:
    data, lines = compose(text, source)
    return validate(
        data,
        lines,
        source,
        file=file,
        base_dir=base_dir,
        env=env,
        check_files=check_files,
    )
