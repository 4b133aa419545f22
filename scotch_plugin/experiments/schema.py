"""The schema of an experiment file: a set of pydantic models
(``_ExperimentModel`` and its sections) whose validators word their own
errors, and the rules that relate fields (a gem5 section only on gem5,
one attacker and one victim, each severity once...), checked on the raw
document so that every problem is reported in one pass, each at its
line. :func:`validate` turns a document into an
:class:`~scotch_plugin.experiments.model.Experiment` or an
:class:`~scotch_plugin.errors.ExperimentError`.
"""

from __future__ import annotations

import datetime
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from scotch_plugin.errors import ExperimentError, FieldProblem
from scotch_plugin.experiments.model import (
    DEFAULT_FREQUENCY,
    DEFAULT_GEM5_CPU,
    DEFAULT_MEMORY_MB,
    DEFAULT_PLATFORM,
    DEFAULT_RANDOM_MEAN_US,
    DEFAULT_REPEATS,
    DEFAULT_SECONDS,
    DEFAULT_TRIGGER,
    DEFAULT_VCPUS,
    FREQUENCY,
    GEM5_ONLY_TRIGGERS,
    MAX_SEVERITY,
    MEMORY_MB_RANGE,
    MIN_SEVERITY,
    PARSEC_BENCHMARKS,
    PARSEC_PREFIX,
    PLATFORMS,
    REPEATS_RANGE,
    ROLES,
    SECONDS_RANGE,
    TRIGGERS,
    VCPUS_RANGE,
    Attack,
    Domain,
    Experiment,
    Gem5Settings,
    Platform,
    Role,
    Trigger,
    frequency_hz,
)
from scotch_plugin.experiments.yaml_lines import (
    FieldPath,
    describe,
    dotted,
    suggest,
)
from scotch_plugin.gem5 import boot_record
from scotch_plugin.gem5.run import CPU_MODELS
from scotch_plugin.xen.guest_workloads import WORKLOADS

#: Environment variable naming the gem5 binary when ``gem5.binary`` is not
#: given (the same one the gem5 tests read).
GEM5_BINARY_ENV = "SCOTCH_GEM5_BINARY"

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
GEM5_FIELDS = ("binary", "cpu", "frequency", "checkpoint")
ATTACK_FIELDS = ("severities", "hide_from_xen", "repeats")
DOMAIN_FIELDS = ("name", "role", "workload", "memory_mb", "vcpus")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_NAME_WHAT = (
    "a name of up to 64 letters, digits, '.', '_' or '-' (starting with "
    "a letter or digit)"
)

_WORKLOAD_WHAT = (
    f"one of {', '.join(WORKLOADS)} or parsec:<benchmark> "
    f"(benchmark one of {', '.join(PARSEC_BENCHMARKS)}), or several "
    "joined with + (run in turn)"
)

_TOP_WHAT = "a mapping of experiment fields"

_GEM5_WHAT = f"a mapping of {', '.join(GEM5_FIELDS)}"

_ATTACK_WHAT = (
    "a mapping with severities (a list of integers "
    f"{MIN_SEVERITY}..{MAX_SEVERITY}) and optionally hide_from_xen and "
    "repeats"
)

_SEVERITIES_WHAT = f"a list of integers {MIN_SEVERITY}..{MAX_SEVERITY}"

_DOMAINS_WHAT = (
    "a list of exactly two domains, one with role attacker and one with "
    "role victim"
)

_DOMAIN_WHAT = (
    "a mapping with name, role and workload (and optionally memory_mb, "
    "vcpus)"
)

_FREQUENCY_WHAT = "a frequency such as 3GHz, 2.5GHz or 800MHz"

_BINARY_WHAT = "a path to a gem5 binary (gem5.opt)"

_CHECKPOINT_WHAT = (
    "a path to a boot directory (build/gem5-boots/<key>, or a copy of one)"
)

_OUTPUT_WHAT = "a path to a results directory"

#: What a field (or section) holds, by its path with list indexes as
#: ``[]``: for "missing" and "expected a mapping" messages.
_WHAT = {
    "": _TOP_WHAT,
    "name": _NAME_WHAT,
    "attack": _ATTACK_WHAT,
    "attack.severities": _SEVERITIES_WHAT,
    "domains": _DOMAINS_WHAT,
    "domains[]": _DOMAIN_WHAT,
    "domains[].name": _NAME_WHAT,
    "domains[].role": f"one of {', '.join(ROLES)}",
    "domains[].workload": _WORKLOAD_WHAT,
    "gem5": _GEM5_WHAT,
}


def _problem(message: str) -> NoReturn:
    # The message goes in the context: it may hold braces.
    raise PydanticCustomError("scotch", "{message}", {"message": message})


def _wrong(expected: str, value: object, hint: str = "") -> NoReturn:
    if expected.startswith(("a name", "text", "a path")) and isinstance(
        value, (bool, int, float, datetime.date)
    ):
        hint += " (put it in quotes if you meant it as text)"
    _problem(f"expected {expected}, found {describe(value)}{hint}")


def _integer(low: int, high: int) -> PlainValidator:
    def check(value: object) -> int:
        # bool is an int in Python; a YAML true is not a number.
        if isinstance(value, bool) or not isinstance(value, int):
            _wrong(f"an integer from {low} to {high}", value)
        if not low <= value <= high:
            _problem(
                f"out of range: expected an integer from {low} to {high}, "
                f"found {value}"
            )
        return value

    return PlainValidator(check)


def _choice(choices: tuple[str, ...]) -> PlainValidator:
    def check(value: object) -> str:
        if isinstance(value, str) and value in choices:
            return value
        hint = suggest(value, choices) if isinstance(value, str) else ""
        _wrong(f"one of {', '.join(choices)}", value, hint)

    return PlainValidator(check)


def _text(pattern: re.Pattern[str] | None, expected: str) -> PlainValidator:
    def check(value: object) -> str:
        if not isinstance(value, str) or (
            pattern is not None and not pattern.fullmatch(value)
        ):
            _wrong(expected, value)
        if expected.startswith("a path") and not value.strip():
            _wrong(expected, value)
        return value

    return PlainValidator(check)


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        _wrong("true or false", value)
    return value


def _positive_number(value: object) -> float:
    expected = "a number greater than 0"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _wrong(expected, value)
    if not math.isfinite(value) or value <= 0:
        _problem(f"out of range: expected {expected}, found {value}")
    return float(value)


def _seconds(value: object) -> float:
    low, high = SECONDS_RANGE
    expected = f"a number of seconds from {low:g} to {high:g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _wrong(expected, value)
    if not math.isfinite(value) or not low <= value <= high:
        _problem(f"out of range: expected {expected}, found {value}")
    return value


def _frequency(value: object) -> str:
    if not isinstance(value, str) or not FREQUENCY.fullmatch(value):
        _wrong(_FREQUENCY_WHAT, value)
    if not frequency_hz(value):
        _problem(f"out of range: expected {_FREQUENCY_WHAT}, found '{value}'")
    return value


def _workload(value: object) -> str:
    if not isinstance(value, str):
        _wrong(_WORKLOAD_WHAT, value)
    # A mix: each part in turn, for the domain's whole run.
    for part in value.split("+"):
        _one_workload(part)
    return value


def check_workload(value: str) -> str | None:
    """Why ``value`` is not a workload (or a mix of them), or None."""
    try:
        _workload(value)
    except PydanticCustomError as exc:
        return str(exc.context["message"]) if exc.context else str(exc)
    return None


def _one_workload(value: str) -> None:
    if value in WORKLOADS:
        return
    if value.startswith(PARSEC_PREFIX):
        if value[len(PARSEC_PREFIX) :] in PARSEC_BENCHMARKS:
            return
        parsec = tuple(PARSEC_PREFIX + b for b in PARSEC_BENCHMARKS)
        _problem(
            "unknown PARSEC benchmark: expected parsec:<benchmark> with "
            f"benchmark one of {', '.join(PARSEC_BENCHMARKS)}, found "
            f"{value!r}{suggest(value, parsec)}"
        )
    known = WORKLOADS + tuple(PARSEC_PREFIX + b for b in PARSEC_BENCHMARKS)
    _problem(
        f"unknown workload: expected {_WORKLOAD_WHAT}, found "
        f"{value!r}{suggest(value, known)}"
    )


def _severities_list(value: object) -> object:
    what = (
        f"a non-empty list of integers from {MIN_SEVERITY} to "
        f"{MAX_SEVERITY}"
    )
    if not isinstance(value, list) or not value:
        _wrong(what, value)
    return value


def _null_is_empty(value: object) -> object:
    """A section left empty (``gem5:``) takes every default."""
    return {} if value is None else value


_Name = Annotated[str, _text(_NAME, _NAME_WHAT)]

_Severity = Annotated[int, _integer(MIN_SEVERITY, MAX_SEVERITY)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Gem5Model(_Model):
    binary: Annotated[str, _text(None, _BINARY_WHAT)] | None = None
    cpu: Annotated[str, _choice(CPU_MODELS)] = DEFAULT_GEM5_CPU
    frequency: Annotated[str, PlainValidator(_frequency)] = DEFAULT_FREQUENCY
    checkpoint: Annotated[str, _text(None, _CHECKPOINT_WHAT)] | None = None


class _AttackModel(_Model):
    severities: Annotated[
        list[_Severity], BeforeValidator(_severities_list)
    ] = Field(description=_SEVERITIES_WHAT)
    hide_from_xen: Annotated[bool, PlainValidator(_boolean)] = False
    repeats: Annotated[int, _integer(*REPEATS_RANGE)] = DEFAULT_REPEATS


class _DomainModel(_Model):
    name: _Name
    role: Annotated[str, _choice(ROLES)]
    workload: Annotated[str, PlainValidator(_workload)]
    memory_mb: Annotated[int, _integer(*MEMORY_MB_RANGE)] = DEFAULT_MEMORY_MB
    vcpus: Annotated[int, _integer(*VCPUS_RANGE)] = DEFAULT_VCPUS


class _ExperimentModel(_Model):
    name: _Name
    description: Annotated[str, _text(None, "text")] = ""
    platform: Annotated[str, _choice(PLATFORMS)] = DEFAULT_PLATFORM
    gem5: Annotated[_Gem5Model, BeforeValidator(_null_is_empty)] | None = None
    trigger: Annotated[str, _choice(TRIGGERS)] = DEFAULT_TRIGGER
    random_mean_us: Annotated[float, PlainValidator(_positive_number)] = (
        DEFAULT_RANDOM_MEAN_US
    )
    attack: Annotated[_AttackModel, BeforeValidator(_null_is_empty)]
    domains: list[_DomainModel]
    seconds: Annotated[float, PlainValidator(_seconds)] = DEFAULT_SECONDS
    output: Annotated[str, _text(None, _OUTPUT_WHAT)] | None = None


assert TOP_FIELDS == tuple(_ExperimentModel.model_fields)
assert GEM5_FIELDS == tuple(_Gem5Model.model_fields)
assert ATTACK_FIELDS == tuple(_AttackModel.model_fields)
assert DOMAIN_FIELDS == tuple(_DomainModel.model_fields)

#: The fields each section may have, by its path pattern.
_SECTION_FIELDS = {
    "": TOP_FIELDS,
    "gem5": GEM5_FIELDS,
    "attack": ATTACK_FIELDS,
    "domains[]": DOMAIN_FIELDS,
}


def _pattern(path: FieldPath) -> str:
    """``path`` dotted, with every list index as ``[]``."""
    return re.sub(r"\[\d+\]", "[]", dotted(path))


class _Problems:
    """Problems found, each with its line."""

    def __init__(self, lines: dict[FieldPath, int]):
        self.lines = lines
        self.items: list[FieldProblem] = []

    def line(self, path: FieldPath) -> int | None:
        """The line of ``path`` or of its nearest parent in the file (not
        the document's: a missing top-level field has no line)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def fail(self, path: FieldPath, message: str) -> None:
        self.items.append(FieldProblem(dotted(path), message, self.line(path)))

    def sorted(self) -> list[FieldProblem]:
        return sorted(self.items, key=lambda p: p.line or 0)

    def pydantic(self, err: ErrorDetails) -> None:
        path: FieldPath = tuple(err["loc"])
        kind = err["type"]
        if kind == "scotch":
            self.fail(path, err["msg"])
        elif kind in ("extra_forbidden", "invalid_key"):
            known = _SECTION_FIELDS.get(_pattern(path[:-1]), ())
            key = path[-1]
            if kind == "invalid_key" or not isinstance(key, str):
                self.fail(
                    (*path[:-1], str(key)),
                    "field names must be text: expected one of "
                    f"{', '.join(known)}, found {describe(key)}",
                )
            else:
                self.fail(
                    path,
                    f"unknown field: expected one of {', '.join(known)}"
                    f"{suggest(key, known)}",
                )
        elif kind == "missing":
            what = _WHAT.get(_pattern(path), "a value")
            self.fail(path, f"missing required field: expected {what}")
        elif kind in ("model_type", "model_attributes_type", "dict_type",
                      "list_type"):  # fmt: skip
            what = _WHAT.get(_pattern(path), "a mapping")
            self.fail(path, f"expected {what}, found {describe(err['input'])}")
        else:  # not expected: pydantic's own words
            self.fail(path, f"{err['msg']}, found {describe(err['input'])}")


class _Schema:
    """Validates the document; builds an ``Experiment`` or records why
    not."""

    def __init__(
        self,
        problems: _Problems,
        *,
        source: Path | None,
        base_dir: Path,
        env: Mapping[str, str],
        check_files: bool,
    ):
        self.p = problems
        self.source = source
        self.base_dir = base_dir
        self.env = env
        self.check_files = check_files

    def experiment(self, data: object) -> Experiment | None:
        p = self.p
        if data is None:
            p.fail((), f"empty file: expected {_TOP_WHAT}")
            return None
        if not isinstance(data, dict):
            p.fail((), f"expected {_TOP_WHAT}, found {describe(data)}")
            return None
        data = self._cross_checks(data)
        try:
            model = _ExperimentModel.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                p.pydantic(err)
            model = None
        binary = self._gem5_binary(data)
        checkpoint = self._gem5_checkpoint(data)
        if p.items or model is None:
            return None
        gem5 = None
        if model.platform == "gem5":
            section = model.gem5 or _Gem5Model()
            assert binary is not None
            gem5 = Gem5Settings(
                binary, section.cpu, section.frequency, checkpoint
            )
        first, second = (
            Domain(d.name, cast(Role, d.role), d.workload, d.memory_mb,
                   d.vcpus)  # fmt: skip
            for d in model.domains
        )
        output = (
            (self.base_dir / Path(model.output).expanduser()).resolve()
            if model.output is not None
            else (self.base_dir / "results" / model.name).resolve()
        )
        return Experiment(
            name=model.name,
            source=self.source,
            platform=cast(Platform, model.platform),
            trigger=cast(Trigger, model.trigger),
            attack=Attack(
                tuple(model.attack.severities),
                model.attack.hide_from_xen,
                model.attack.repeats,
            ),
            domains=(first, second),
            seconds=model.seconds,
            output=output,
            gem5=gem5,
            random_mean_us=(
                model.random_mean_us if model.trigger == "random" else None
            ),
            description=model.description,
        )

    def _cross_checks(self, top: dict[str, Any]) -> dict[str, Any]:
        """The rules between fields, on the raw document; what it returns
        is the document without the fields these rules refused (so they
        are not reported twice)."""
        p = self.p
        data = dict(top)
        platform = top.get("platform", DEFAULT_PLATFORM)
        platform = platform if platform in PLATFORMS else None
        trigger = top.get("trigger", DEFAULT_TRIGGER)
        trigger = trigger if trigger in TRIGGERS else None
        if platform is not None and platform != "gem5" and "gem5" in top:
            p.fail(
                ("gem5",),
                "only for platform gem5: expected no gem5 section, found "
                f"one with platform {platform}",
            )
            del data["gem5"]
        if platform == "qemu" and trigger in GEM5_ONLY_TRIGGERS:
            p.fail(
                ("trigger",),
                "expected software on platform qemu (the cr3, interrupt "
                f"and random triggers need platform gem5), found '{trigger}'",
            )
        seconds = top.get("seconds")
        if (
            platform == "qemu"
            and isinstance(seconds, float)
            and not seconds.is_integer()
        ):
            p.fail(
                ("seconds",),
                "expected whole seconds on platform qemu (a fraction of a "
                f"second needs platform gem5), found {seconds}",
            )
            del data["seconds"]
        if trigger not in (None, "random") and "random_mean_us" in top:
            p.fail(
                ("random_mean_us",),
                "only for trigger random: expected no random_mean_us, "
                f"found {describe(top['random_mean_us'])} with trigger "
                f"{trigger}",
            )
            del data["random_mean_us"]
        attack = top.get("attack")
        if isinstance(attack, dict) and isinstance(
            attack.get("severities"), list
        ):
            first: dict[int, int] = {}
            path: FieldPath = ("attack", "severities")
            for i, s in enumerate(attack["severities"]):
                ok = isinstance(s, int) and not isinstance(s, bool)
                if not ok or not MIN_SEVERITY <= s <= MAX_SEVERITY:
                    continue
                if s in first:
                    p.fail(
                        (*path, i),
                        f"expected each severity once, found {s} again "
                        f"(first at {dotted((*path, first[s]))})",
                    )
                else:
                    first[s] = i
        domains = top.get("domains")
        if isinstance(domains, list):
            if len(domains) != 2:
                p.fail(
                    ("domains",),
                    f"expected {_DOMAINS_WHAT}, found {len(domains)} "
                    "domain(s)",
                )
            self._unique_domains(domains)
        return data

    def _unique_domains(self, domains: list[Any]) -> None:
        roles: dict[str, int] = {}
        names: dict[str, int] = {}
        for i, item in enumerate(domains):
            if not isinstance(item, dict):
                continue
            role = item.get("role")
            if isinstance(role, str) and role in ROLES:
                if role in roles:
                    other = next(r for r in ROLES if r != role)
                    self.p.fail(
                        ("domains", i, "role"),
                        f"duplicate role: expected {other} (one attacker "
                        f"and one victim), found '{role}' again (domains"
                        f"[{roles[role]}] is the {role})",
                    )
                else:
                    roles[role] = i
            name = item.get("name")
            if isinstance(name, str) and _NAME.fullmatch(name):
                if name in names:
                    self.p.fail(
                        ("domains", i, "name"),
                        "duplicate name: expected a name no other domain "
                        f"has, found '{name}' again (domains[{names[name]}] "
                        "has it)",
                    )
                else:
                    names[name] = i

    def _gem5_binary(self, top: dict[str, Any]) -> Path | None:
        """The gem5 binary of ``platform: gem5``: the file's (relative to
        it), else ``$SCOTCH_GEM5_BINARY``; checked to be executable."""
        if top.get("platform", DEFAULT_PLATFORM) != "gem5":
            return None
        section = top.get("gem5")
        section = {} if section is None else section
        if not isinstance(section, dict):
            return None  # the model says why
        path: FieldPath = ("gem5", "binary")
        origin = ""
        if "binary" in section:
            text = section["binary"]
            if not isinstance(text, str) or not text.strip():
                return None  # the model says why
            binary = (self.base_dir / Path(text).expanduser()).resolve()
        elif self.env.get(GEM5_BINARY_ENV, "").strip():
            origin = f" (from ${GEM5_BINARY_ENV})"
            binary = Path(self.env[GEM5_BINARY_ENV]).expanduser().resolve()
        else:
            self.p.fail(
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
                self.p.fail(
                    path,
                    f"expected an executable gem5 binary, found {found}: "
                    f"{binary}{origin}",
                )
                return None
        return binary

    def _gem5_checkpoint(self, top: dict[str, Any]) -> Path | None:
        """``gem5.checkpoint``, relative to the file: a finished boot's
        directory (its record, checkpoint and key), checked to be one."""
        section = top.get("gem5")
        if top.get("platform", DEFAULT_PLATFORM) != "gem5" or not (
            isinstance(section, dict)
            and isinstance(section.get("checkpoint"), str)
        ):
            return None  # absent, or the model says why
        text = section["checkpoint"]
        if not text.strip():
            return None
        directory = (self.base_dir / Path(text).expanduser()).resolve()
        if self.check_files:
            found = boot_record.problem(directory)
            if found:
                self.p.fail(
                    ("gem5", "checkpoint"),
                    f"expected {_CHECKPOINT_WHAT} holding boot.json, its "
                    f"checkpoint and mac-key.bin, found {found}: {directory}",
                )
                return None
        return directory


def validate(
    data: object,
    lines: dict[FieldPath, int],
    source: str,
    *,
    file: Path | None,
    base_dir: Path,
    env: Mapping[str, str] | None,
    check_files: bool,
) -> Experiment:
    """The experiment in a document read with its line index (``file``:
    where it was read from, if anywhere; relative paths in it are taken
    from ``base_dir``), or an ``ExperimentError`` (named ``source``)
    listing every problem."""
    problems = _Problems(lines)
    experiment = _Schema(
        problems,
        source=file,
        base_dir=base_dir.resolve(),
        env=os.environ if env is None else env,
        check_files=check_files,
    ).experiment(data)
    if problems.items or experiment is None:
        raise ExperimentError(source, problems.sorted())
    return experiment
