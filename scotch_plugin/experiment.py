"""Experiment files: what ``scotch run <experiment.yaml>`` runs.

An experiment file is YAML describing one RQ1 scheduler-attack
experiment: the platform (QEMU or gem5), the SMI trigger, the attack
severities, the two domUs (attacker and victim) and where results go.
Every field is documented, with its default, in
``docs/experiment-files.md``.

:func:`load_experiment` validates the whole file before anything runs and
raises :class:`~scotch_plugin.errors.ExperimentError` listing every
problem, each with the file, line, field path (``domains[1].workload``),
what was expected and what was found.
"""

from __future__ import annotations

import datetime
import difflib
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import yaml

from scotch_plugin.errors import ExperimentError, FieldProblem
from scotch_plugin.gem5.run import CPU_MODELS
from scotch_plugin.guest_workloads import WORKLOADS

Platform = Literal["qemu", "gem5"]
Trigger = Literal["software", "cr3", "random"]
Role = Literal["attacker", "victim"]

#: Environment variable naming the gem5 binary when ``gem5.binary`` is not
#: given (the same one the gem5 tests read).
GEM5_BINARY_ENV = "SCOTCH_GEM5_BINARY"

PLATFORMS: tuple[Platform, ...] = ("qemu", "gem5")
TRIGGERS: tuple[Trigger, ...] = ("software", "cr3", "random")
#: Triggers only the gem5 model can raise (QEMU has no hook for them).
GEM5_ONLY_TRIGGERS: tuple[Trigger, ...] = ("cr3", "random")
ROLES: tuple[Role, ...] = ("attacker", "victim")
MIN_SEVERITY = 0
MAX_SEVERITY = 10

#: ``parsec:<name>`` workloads: the PARSEC 3.0 benchmarks.
PARSEC_PREFIX = "parsec:"
PARSEC_BENCHMARKS: tuple[str, ...] = (
    "blackscholes",
    "bodytrack",
    "canneal",
    "dedup",
    "facesim",
    "ferret",
    "fluidanimate",
    "freqmine",
    "raytrace",
    "streamcluster",
    "swaptions",
    "vips",
    "x264",
)

# Ranges of the numeric fields (inclusive).
SECONDS_RANGE = (1, 3600)
REPEATS_RANGE = (1, 1000)
MEMORY_MB_RANGE = (16, 16384)
VCPUS_RANGE = (1, 64)

DEFAULT_PLATFORM: Platform = "qemu"
DEFAULT_TRIGGER: Trigger = "software"
DEFAULT_GEM5_CPU = "o3"
DEFAULT_FREQUENCY = "3GHz"
DEFAULT_RANDOM_MEAN_US = 100.0
DEFAULT_SECONDS = 6
DEFAULT_REPEATS = 1
DEFAULT_MEMORY_MB = 128
DEFAULT_VCPUS = 1

TOP_FIELDS = (
    "name",
    "description",
    "platform",
    "gem5",
    "trigger",
    "random_mean_us",
    "attack",
    "domains",
    "seconds",
    "output",
)
GEM5_FIELDS = ("binary", "cpu", "frequency")
ATTACK_FIELDS = ("severities", "hide_from_xen", "repeats")
DOMAIN_FIELDS = ("name", "role", "workload", "memory_mb", "vcpus")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_NAME_WHAT = (
    "a name of up to 64 letters, digits, '.', '_' or '-' (starting with "
    "a letter or digit)"
)
_FREQUENCY = re.compile(r"(\d+(?:\.\d+)?)\s*([kMG]?)Hz")
_FREQUENCY_SCALE = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


# -- the experiment -----------------------------------------------------------


@dataclass(frozen=True)
class Gem5Settings:
    """How to run gem5 (``platform: gem5`` only)."""

    binary: Path
    cpu: str = DEFAULT_GEM5_CPU
    frequency: str = DEFAULT_FREQUENCY

    @property
    def frequency_hz(self) -> float:
        return _frequency_hz(self.frequency) or 0.0


@dataclass(frozen=True)
class Attack:
    """The scheduler attack: which severities, how often, hidden or not."""

    severities: tuple[int, ...]
    hide_from_xen: bool = False
    repeats: int = DEFAULT_REPEATS


@dataclass(frozen=True)
class Domain:
    """One domU."""

    name: str
    role: Role
    workload: str
    memory_mb: int = DEFAULT_MEMORY_MB
    vcpus: int = DEFAULT_VCPUS

    @property
    def parsec_benchmark(self) -> str | None:
        """The PARSEC benchmark for ``parsec:<name>``, else ``None``."""
        if self.workload.startswith(PARSEC_PREFIX):
            return self.workload[len(PARSEC_PREFIX) :]
        return None


@dataclass(frozen=True)
class Experiment:
    """A validated experiment; its paths are absolute.

    ``source`` is the file it was loaded from (``None`` if parsed from a
    string).
    """

    name: str
    source: Path | None
    platform: Platform
    trigger: Trigger
    attack: Attack
    domains: tuple[Domain, Domain]
    seconds: int
    output: Path
    gem5: Gem5Settings | None = None
    random_mean_us: float | None = None
    description: str = ""

    @property
    def attacker(self) -> Domain:
        return next(d for d in self.domains if d.role == "attacker")

    @property
    def victim(self) -> Domain:
        return next(d for d in self.domains if d.role == "victim")

    @property
    def severities(self) -> tuple[int, ...]:
        return self.attack.severities

    def runs(self) -> tuple[tuple[int, int], ...]:
        """``(severity, repeat)`` of every run, in the order to run them."""
        return tuple(
            (s, r)
            for s in self.attack.severities
            for r in range(self.attack.repeats)
        )

    def to_dict(self) -> dict[str, Any]:
        """The resolved experiment as plain data (for a results record)."""
        data: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "source": None if self.source is None else str(self.source),
            "platform": self.platform,
            "trigger": self.trigger,
            "attack": {
                "severities": list(self.attack.severities),
                "hide_from_xen": self.attack.hide_from_xen,
                "repeats": self.attack.repeats,
            },
            "domains": [
                {
                    "name": d.name,
                    "role": d.role,
                    "workload": d.workload,
                    "memory_mb": d.memory_mb,
                    "vcpus": d.vcpus,
                }
                for d in self.domains
            ],
            "seconds": self.seconds,
            "output": str(self.output),
        }
        if self.gem5 is not None:
            data["gem5"] = {
                "binary": str(self.gem5.binary),
                "cpu": self.gem5.cpu,
                "frequency": self.gem5.frequency,
            }
        if self.random_mean_us is not None:
            data["random_mean_us"] = self.random_mean_us
        return data


# -- loading ------------------------------------------------------------------


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
        raise _one(source, "no such experiment file") from None
    except IsADirectoryError:
        raise _one(source, "is a directory, not an experiment file") from None
    except UnicodeDecodeError as exc:
        raise _one(source, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise _one(source, f"cannot read: {exc.strerror}") from None
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
    data, lines = _compose(text, source)
    checker = _Checker(lines)
    experiment = _Parser(
        checker,
        source=file,
        base_dir=base_dir.resolve(),
        env=os.environ if env is None else env,
        check_files=check_files,
    ).experiment(data)
    if checker.problems or experiment is None:
        raise ExperimentError(source, checker.sorted_problems())
    return experiment


def _one(source: str, message: str) -> ExperimentError:
    return ExperimentError(source, [FieldProblem("", message)])


# -- YAML with line numbers ---------------------------------------------------

_FieldPath = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _compose(text: str, source: str) -> tuple[object, dict[_FieldPath, int]]:
    """The document's data and the line of every field in it."""
    loader = yaml.SafeLoader(text)
    lines: dict[_FieldPath, int] = {}
    duplicates: list[FieldProblem] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines
        _index(node, (), lines, duplicates)
        if duplicates:
            raise ExperimentError(source, duplicates)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ExperimentError(
            source,
            [
                FieldProblem(
                    "",
                    f"not valid YAML: {what}",
                    None if mark is None else mark.line + 1,
                )
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise _one(source, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _index(
    node: yaml.Node,
    path: _FieldPath,
    lines: dict[_FieldPath, int],
    duplicates: list[FieldProblem],
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if key.tag == _MERGE_TAG or not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            if key.value in seen:
                duplicates.append(
                    FieldProblem(
                        _dotted((*path, key.value)),
                        "duplicate field: expected it once, found it again "
                        f"(first on line {seen[key.value]})",
                        line,
                    )
                )
                continue
            seen[key.value] = line
            # A field's problems point at its key's line.
            child = (*path, key.value)
            lines[child] = line
            _index(value, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, duplicates)


def _dotted(path: _FieldPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# -- checking values ----------------------------------------------------------

T = TypeVar("T")


class _Required:
    """Marks a field without a default."""


_REQUIRED = _Required()


def _describe(value: object) -> str:
    """A found value as an error message shows it."""
    if value is None:
        return "null (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value:g} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"{shown!r} (a string)"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"{value} (a date)"
    return f"{value!r} (a {type(value).__name__})"


def _suggest(word: str, candidates: tuple[str, ...]) -> str:
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""


def _frequency_hz(text: str) -> float | None:
    match = _FREQUENCY.fullmatch(text.strip())
    if not match:
        return None
    return float(match.group(1)) * _FREQUENCY_SCALE[match.group(2)]


class _Checker:
    """Collects problems; each check returns the value or ``None``."""

    def __init__(self, lines: dict[_FieldPath, int]):
        self.lines = lines
        self.problems: list[FieldProblem] = []

    def line(self, path: _FieldPath) -> int | None:
        """The line of ``path`` or of its nearest parent in the file (not
        the document's: a missing top-level field has no line)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def fail(self, path: _FieldPath, message: str) -> None:
        self.problems.append(
            FieldProblem(_dotted(path), message, self.line(path))
        )

    def sorted_problems(self) -> list[FieldProblem]:
        return sorted(self.problems, key=lambda p: p.line or 0)

    def wrong(
        self, path: _FieldPath, expected: str, value: object, hint: str = ""
    ) -> None:
        if expected.startswith(("a name", "text", "a path")) and (
            isinstance(value, (bool, int, float, datetime.date))
        ):
            hint += " (put it in quotes if you meant it as text)"
        self.fail(path, f"expected {expected}, found {_describe(value)}{hint}")

    def mapping(
        self,
        value: object,
        path: _FieldPath,
        known: tuple[str, ...],
        what: str,
    ) -> dict[str, object] | None:
        """A mapping whose keys are all in ``known`` (null is empty)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.wrong(path, what, value)
            return None
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.fail(
                    (*path, str(key)),
                    "field names must be text: expected one of "
                    f"{', '.join(known)}, found {_describe(key)}",
                )
            elif key not in known:
                self.fail(
                    (*path, key),
                    f"unknown field: expected one of {', '.join(known)}"
                    f"{_suggest(key, known)}",
                )
            else:
                out[key] = item
        return out

    def field(
        self,
        data: dict[str, object],
        path: _FieldPath,
        name: str,
        check: Callable[[object, _FieldPath], T | None],
        default: T | _Required,
        expected: str,
    ) -> T | None:
        """``data[name]`` checked, or its default, or ``None`` (a problem)."""
        if name not in data:
            if isinstance(default, _Required):
                self.fail(
                    (*path, name),
                    f"missing required field: expected {expected}",
                )
                return None
            return default
        return check(data[name], (*path, name))

    # Checks: (value, path) -> value or None.

    def text(
        self, pattern: re.Pattern[str] | None, expected: str
    ) -> Callable[[object, _FieldPath], str | None]:
        def check(value: object, path: _FieldPath) -> str | None:
            if not isinstance(value, str) or (
                pattern is not None and not pattern.fullmatch(value)
            ):
                self.wrong(path, expected, value)
                return None
            return value

        return check

    def choice(
        self, choices: tuple[str, ...]
    ) -> Callable[[object, _FieldPath], str | None]:
        def check(value: object, path: _FieldPath) -> str | None:
            if isinstance(value, str) and value in choices:
                return value
            hint = _suggest(value, choices) if isinstance(value, str) else ""
            self.wrong(path, f"one of {', '.join(choices)}", value, hint)
            return None

        return check

    def integer(
        self, low: int, high: int
    ) -> Callable[[object, _FieldPath], int | None]:
        def check(value: object, path: _FieldPath) -> int | None:
            # bool is an int in Python; a YAML true is not a number.
            if isinstance(value, bool) or not isinstance(value, int):
                self.wrong(path, f"an integer from {low} to {high}", value)
                return None
            if not low <= value <= high:
                self.fail(
                    path,
                    f"out of range: expected an integer from {low} to "
                    f"{high}, found {value}",
                )
                return None
            return value

        return check

    def positive_number(self, value: object, path: _FieldPath) -> float | None:
        expected = "a number greater than 0"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.wrong(path, expected, value)
            return None
        if not math.isfinite(value) or value <= 0:
            self.fail(
                path, f"out of range: expected {expected}, found {value}"
            )
            return None
        return float(value)

    def boolean(self, value: object, path: _FieldPath) -> bool | None:
        if not isinstance(value, bool):
            self.wrong(path, "true or false", value)
            return None
        return value


# -- the schema ---------------------------------------------------------------

_WORKLOAD_WHAT = (
    f"one of {', '.join(WORKLOADS)} or parsec:<benchmark> "
    f"(benchmark one of {', '.join(PARSEC_BENCHMARKS)}), or several "
    "joined with + (run in turn)"
)


class _Parser:
    """The schema: builds an ``Experiment`` or records why not."""

    def __init__(
        self,
        checker: _Checker,
        *,
        source: Path | None,
        base_dir: Path,
        env: Mapping[str, str],
        check_files: bool,
    ):
        self.c = checker
        self.source = source
        self.base_dir = base_dir
        self.env = env
        self.check_files = check_files

    def experiment(self, data: object) -> Experiment | None:
        c = self.c
        if data is None:
            c.fail((), "empty file: expected a mapping of experiment fields")
            return None
        top = c.mapping(data, (), TOP_FIELDS, "a mapping of experiment fields")
        if top is None:
            return None
        name = c.field(
            top, (), "name", c.text(_NAME, _NAME_WHAT), _REQUIRED, _NAME_WHAT
        )
        description = c.field(
            top, (), "description", c.text(None, "text"), "", "text"
        )
        platform = c.field(
            top,
            (),
            "platform",
            c.choice(PLATFORMS),
            DEFAULT_PLATFORM,
            "",
        )
        trigger = c.field(
            top, (), "trigger", c.choice(TRIGGERS), DEFAULT_TRIGGER, ""
        )
        gem5 = self.gem5(top, platform)
        if platform == "qemu" and trigger in GEM5_ONLY_TRIGGERS:
            c.fail(
                ("trigger",),
                "expected software on platform qemu (the cr3 and random "
                f"triggers need platform gem5), found '{trigger}'",
            )
        random_mean_us = self.random_mean(top, trigger)
        attack = self.attack(top)
        domains = self.domains(top)
        seconds = c.field(
            top,
            (),
            "seconds",
            c.integer(*SECONDS_RANGE),
            DEFAULT_SECONDS,
            "",
        )
        output = self.output(top, name)
        if (
            c.problems
            or name is None
            or description is None
            or platform is None
            or trigger is None
            or attack is None
            or domains is None
            or seconds is None
            or output is None
        ):
            return None
        return Experiment(
            name=name,
            source=self.source,
            platform=cast(Platform, platform),
            trigger=cast(Trigger, trigger),
            attack=attack,
            domains=domains,
            seconds=seconds,
            output=output,
            gem5=gem5,
            random_mean_us=random_mean_us,
            description=description,
        )

    def gem5(
        self, top: dict[str, object], platform: str | None
    ) -> Gem5Settings | None:
        c = self.c
        if platform != "gem5":
            if "gem5" in top and platform is not None:
                c.fail(
                    ("gem5",),
                    "only for platform gem5: expected no gem5 section, "
                    f"found one with platform {platform}",
                )
            return None
        what = f"a mapping of {', '.join(GEM5_FIELDS)}"
        section = c.mapping(top.get("gem5"), ("gem5",), GEM5_FIELDS, what)
        if section is None:
            return None
        path: _FieldPath = ("gem5",)
        binary = self.gem5_binary(section)
        cpu = c.field(
            section, path, "cpu", c.choice(CPU_MODELS), DEFAULT_GEM5_CPU, ""
        )
        freq_what = "a frequency such as 3GHz, 2.5GHz or 800MHz"
        frequency = c.field(
            section,
            path,
            "frequency",
            c.text(_FREQUENCY, freq_what),
            DEFAULT_FREQUENCY,
            freq_what,
        )
        if frequency is not None and not _frequency_hz(frequency):
            c.fail(
                (*path, "frequency"),
                f"out of range: expected {freq_what}, found '{frequency}'",
            )
            frequency = None
        if binary is None or cpu is None or frequency is None:
            return None
        return Gem5Settings(binary=binary, cpu=cpu, frequency=frequency)

    def gem5_binary(self, section: dict[str, object]) -> Path | None:
        c = self.c
        path: _FieldPath = ("gem5", "binary")
        what = "a path to a gem5 binary (gem5.opt)"
        origin = ""
        if "binary" in section:
            text = c.text(None, what)(section["binary"], path)
            if text is None:
                return None
            if not text.strip():
                c.wrong(path, what, text)
                return None
            binary = (self.base_dir / Path(text).expanduser()).resolve()
        elif self.env.get(GEM5_BINARY_ENV, "").strip():
            origin = f" (from ${GEM5_BINARY_ENV})"
            binary = Path(self.env[GEM5_BINARY_ENV]).expanduser().resolve()
        else:
            c.fail(
                path,
                "missing: platform gem5 needs a gem5 binary: expected "
                f"gem5.binary or ${GEM5_BINARY_ENV} to name one, found "
                "neither",
            )
            return None
        if self.check_files:
            found = None
            if not binary.exists():
                found = "no such file"
            elif binary.is_dir():
                found = "a directory"
            elif not os.access(binary, os.X_OK):
                found = "a file that is not executable"
            if found:
                c.fail(
                    path,
                    f"expected an executable gem5 binary, found {found}: "
                    f"{binary}{origin}",
                )
                return None
        return binary

    def random_mean(
        self, top: dict[str, object], trigger: str | None
    ) -> float | None:
        c = self.c
        if trigger != "random":
            if "random_mean_us" in top and trigger is not None:
                c.fail(
                    ("random_mean_us",),
                    "only for trigger random: expected no random_mean_us, "
                    f"found {_describe(top['random_mean_us'])} with trigger "
                    f"{trigger}",
                )
            return None
        return c.field(
            top,
            (),
            "random_mean_us",
            c.positive_number,
            DEFAULT_RANDOM_MEAN_US,
            "",
        )

    def attack(self, top: dict[str, object]) -> Attack | None:
        c = self.c
        what = (
            "a mapping with severities (a list of integers "
            f"{MIN_SEVERITY}..{MAX_SEVERITY}) and optionally hide_from_xen "
            "and repeats"
        )
        if "attack" not in top:
            c.fail(("attack",), f"missing required field: expected {what}")
            return None
        path: _FieldPath = ("attack",)
        section = c.mapping(top["attack"], path, ATTACK_FIELDS, what)
        if section is None:
            return None
        severities = c.field(
            section,
            path,
            "severities",
            self.severities,
            _REQUIRED,
            f"a list of integers {MIN_SEVERITY}..{MAX_SEVERITY}",
        )
        hide = c.field(section, path, "hide_from_xen", c.boolean, False, "")
        repeats = c.field(
            section,
            path,
            "repeats",
            c.integer(*REPEATS_RANGE),
            DEFAULT_REPEATS,
            "",
        )
        if severities is None or hide is None or repeats is None:
            return None
        return Attack(
            severities=severities, hide_from_xen=hide, repeats=repeats
        )

    def severities(
        self, value: object, path: _FieldPath
    ) -> tuple[int, ...] | None:
        c = self.c
        what = (
            f"a non-empty list of integers from {MIN_SEVERITY} to "
            f"{MAX_SEVERITY}"
        )
        if not isinstance(value, list) or not value:
            c.wrong(path, what, value)
            return None
        check = c.integer(MIN_SEVERITY, MAX_SEVERITY)
        out: list[int] = []
        first: dict[int, int] = {}
        ok = True
        for i, item in enumerate(value):
            severity = check(item, (*path, i))
            if severity is None:
                ok = False
            elif severity in first:
                c.fail(
                    (*path, i),
                    "expected each severity once, found "
                    f"{severity} again (first at "
                    f"{_dotted((*path, first[severity]))})",
                )
                ok = False
            else:
                first[severity] = i
                out.append(severity)
        return tuple(out) if ok else None

    def domains(self, top: dict[str, object]) -> tuple[Domain, Domain] | None:
        c = self.c
        path: _FieldPath = ("domains",)
        what = (
            "a list of exactly two domains, one with role attacker and one "
            "with role victim"
        )
        if "domains" not in top:
            c.fail(path, f"missing required field: expected {what}")
            return None
        value = top["domains"]
        if not isinstance(value, list):
            c.wrong(path, what, value)
            return None
        domains = [
            self.domain(item, (*path, i)) for i, item in enumerate(value)
        ]
        if len(value) != 2:
            c.fail(path, f"expected {what}, found {len(value)} domain(s)")
            return None
        roles: dict[str, int] = {}
        names: dict[str, int] = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            role = item.get("role")
            if isinstance(role, str) and role in ROLES:
                if role in roles:
                    other = next(r for r in ROLES if r != role)
                    c.fail(
                        (*path, i, "role"),
                        f"duplicate role: expected {other} (one attacker "
                        f"and one victim), found '{role}' again (domains"
                        f"[{roles[role]}] is the {role})",
                    )
                else:
                    roles[role] = i
            name = item.get("name")
            if isinstance(name, str) and _NAME.fullmatch(name):
                if name in names:
                    c.fail(
                        (*path, i, "name"),
                        "duplicate name: expected a name no other domain "
                        f"has, found '{name}' again (domains[{names[name]}] "
                        "has it)",
                    )
                else:
                    names[name] = i
        first, second = domains
        if first is None or second is None:
            return None
        return first, second

    def domain(self, value: object, path: _FieldPath) -> Domain | None:
        c = self.c
        what = (
            "a mapping with name, role and workload (and optionally "
            "memory_mb, vcpus)"
        )
        if value is None:
            c.wrong(path, what, value)
            return None
        item = c.mapping(value, path, DOMAIN_FIELDS, what)
        if item is None:
            return None
        name = c.field(
            item,
            path,
            "name",
            c.text(_NAME, _NAME_WHAT),
            _REQUIRED,
            _NAME_WHAT,
        )
        role = c.field(
            item,
            path,
            "role",
            c.choice(ROLES),
            _REQUIRED,
            f"one of {', '.join(ROLES)}",
        )
        workload = c.field(
            item, path, "workload", self.workload, _REQUIRED, _WORKLOAD_WHAT
        )
        memory_mb = c.field(
            item,
            path,
            "memory_mb",
            c.integer(*MEMORY_MB_RANGE),
            DEFAULT_MEMORY_MB,
            "",
        )
        vcpus = c.field(
            item, path, "vcpus", c.integer(*VCPUS_RANGE), DEFAULT_VCPUS, ""
        )
        if (
            name is None
            or role is None
            or workload is None
            or memory_mb is None
            or vcpus is None
        ):
            return None
        return Domain(
            name=name,
            role=cast(Role, role),
            workload=workload,
            memory_mb=memory_mb,
            vcpus=vcpus,
        )

    def workload(self, value: object, path: _FieldPath) -> str | None:
        c = self.c
        if not isinstance(value, str):
            c.wrong(path, _WORKLOAD_WHAT, value)
            return None
        if value in WORKLOADS:
            return value
        if "+" in value:
            # A mix: each part in turn, for the domain's whole run.
            parts = value.split("+")
            if all(self.workload(p, path) is not None for p in parts):
                return value
            return None
        if value.startswith(PARSEC_PREFIX):
            bench = value[len(PARSEC_PREFIX) :]
            if bench in PARSEC_BENCHMARKS:
                return value
            parsec = tuple(PARSEC_PREFIX + b for b in PARSEC_BENCHMARKS)
            c.fail(
                path,
                "unknown PARSEC benchmark: expected parsec:<benchmark> with "
                f"benchmark one of {', '.join(PARSEC_BENCHMARKS)}, found "
                f"{value!r}{_suggest(value, parsec)}",
            )
            return None
        known = WORKLOADS + tuple(PARSEC_PREFIX + b for b in PARSEC_BENCHMARKS)
        c.fail(
            path,
            f"unknown workload: expected {_WORKLOAD_WHAT}, found "
            f"{value!r}{_suggest(value, known)}",
        )
        return None

    def output(self, top: dict[str, object], name: str | None) -> Path | None:
        c = self.c
        what = "a path to a results directory"
        if "output" not in top:
            if name is None:
                return None
            return (self.base_dir / "results" / name).resolve()
        text = c.text(None, what)(top["output"], ("output",))
        if text is None:
            return None
        if not text.strip():
            c.wrong(("output",), what, text)
            return None
        return (self.base_dir / Path(text).expanduser()).resolve()
