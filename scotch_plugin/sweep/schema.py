"""The sweep file's schema (pydantic v2) and its error messages.

The whole file is checked before anything runs. Every problem is
reported at once as ``<file>:<line>: <field>: <expected>, found <value>``
(an :class:`~scotch_plugin.errors.ExperimentError`, as for the RQ1
experiment files), with the closest known name for a misspelt field or
axis. The YAML is read with the same line index as experiment files
(:mod:`scotch_plugin.experiments.yaml_lines`), so a duplicate key is an
error too.
"""

from __future__ import annotations

import itertools
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from scotch_plugin.errors import ExperimentError, FieldProblem
from scotch_plugin.experiments.schema import GEM5_BINARY_ENV
from scotch_plugin.experiments.yaml_lines import (
    FieldPath,
    compose,
    describe,
    suggest,
)
from scotch_plugin.gem5.run import CPU_MODELS

Kind = Literal[
    "handler", "roundtrip", "xen-cost", "xen-interference", "command"
]
KINDS: tuple[str, ...] = (
    "handler",
    "roundtrip",
    "xen-cost",
    "xen-interference",
    "command",
)
#: Kinds that run gem5 (and so need a binary).
GEM5_KINDS = ("handler", "roundtrip", "xen-cost", "xen-interference")
#: Kinds whose points restore the gem5 boot of an experiment file
#: (the sweep's ``boot``).
BOOT_KINDS = ("xen-cost", "xen-interference")
#: The SMI triggers of a restored Xen run: ``none`` is Scotch off.
XEN_TRIGGERS = ("none", "software", "cr3", "interrupt", "random")

_STRICT = ConfigDict(extra="forbid", strict=True)

Name = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
]
#: A cache or memory size as gem5 takes it.
Size = Annotated[
    str, StringConstraints(pattern=r"^[1-9]\d*(B|KiB|MiB|GiB|kB|MB|GB)$")
]
Frequency = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?[kMG]?Hz$")]
Assoc = Annotated[int, Field(ge=0, le=64)]
Latency = Annotated[int, Field(ge=0, le=1_000_000)]
Scalar = str | int | float | bool

# -- point parameters, per kind ----------------------------------------------


class MachineParams(BaseModel):
    """The machine of a bare-metal gem5 run (``gem5_configs/
    baremetal.py``); every field may be an axis."""

    model_config = _STRICT

    cpu: Literal["atomic", "timing", "o3", "minor"] = "o3"
    frequency: Frequency = "3GHz"
    l1i_size: Size = "32KiB"
    l1d_size: Size = "32KiB"
    l2_size: Size = "1MiB"
    #: 0: the stdlib caches' own (L1 8 ways, L2 16).
    l1i_assoc: Assoc = 0
    l1d_assoc: Assoc = 0
    l2_assoc: Assoc = 0
    memory: Size = "512MiB"
    memory_type: Literal[
        "DDR3_1600", "DDR3_2133", "DDR4_2400", "LPDDR3_1600", "HBM"
    ] = "DDR3_1600"
    smm_entry_latency: Latency = 0
    smm_exit_latency: Latency = 0


class HandlerParams(MachineParams):
    """``scotch bench handler`` on one CPU model."""

    rounds: int = 64

    @field_validator("rounds")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2 or not 2 <= value <= 512:
            raise ValueError(
                "expected an even number from 2 to 512 (the image "
                "switches between two domains)"
            )
        return value


class RoundtripParams(MachineParams):
    """``scotch bench roundtrip`` on one CPU model."""


class XenCostParams(BaseModel):
    """One restore of a Xen boot (``scotch_plugin.sweep.xen_cost``): the
    CPU model, the SMI trigger, the window and what the domUs run."""

    model_config = _STRICT

    cpu: Literal["atomic", "timing", "o3", "minor"] = "o3"
    trigger: Literal["none", "software", "cr3", "interrupt", "random"] = (
        "software"
    )
    #: random: the mean interval of the random SMIs (on top of Xen's).
    random_mean_us: Annotated[float, Field(gt=0, le=1_000_000)] = 100.0
    #: Restore on Atomic and switch to ``cpu`` for the window only.
    fast_forward: bool = True
    #: Simulated seconds measured, from every workload started.
    window: Annotated[float, Field(gt=0, le=10)] = 0.02
    #: credit2's rate limit (Xen's default 1000 us): lower, a domU that
    #: blocks often switches often.
    ratelimit_us: Annotated[int, Field(ge=100, le=500_000)] = 100
    #: Each domU's workload, in the boot's order, comma-separated.
    workloads: Annotated[
        str, StringConstraints(pattern=r"^[a-z0-9:_-]+(,[a-z0-9:_-]+)*$")
    ] = "pi,naps"


PARAMS: dict[str, type[BaseModel]] = {
    "handler": HandlerParams,
    "roundtrip": RoundtripParams,
    "xen-cost": XenCostParams,
    # RQ3: the same restores, another report (sweep/interference.py).
    "xen-interference": XenCostParams,
}
assert set(CPU_MODELS) == {"atomic", "timing", "o3", "minor"}


# -- the file -----------------------------------------------------------------


class Gem5Section(BaseModel):
    model_config = _STRICT
    #: Relative to the file's directory; else --gem5-binary or
    #: $SCOTCH_GEM5_BINARY.
    binary: str | None = None


class ExecutorSection(BaseModel):
    model_config = _STRICT
    kind: Literal["local", "slurm"] = "local"
    #: Local processes at once; default the machine's cores.
    workers: Annotated[int, Field(ge=1, le=1024)] | None = None
    #: A point still running after this long is killed and recorded.
    timeout_s: Annotated[float, Field(gt=0)] = 3600.0


class SlurmSection(BaseModel):
    model_config = _STRICT
    partition: str | None = None
    time_min: Annotated[int, Field(ge=1, le=60 * 24 * 30)] = 60
    mem_gb: Annotated[float, Field(gt=0)] = 2.0
    cpus_per_task: Annotated[int, Field(ge=1, le=256)] = 1


class Grid(BaseModel):
    model_config = _STRICT
    #: Every combination of these axes' values.
    product: dict[str, list[Any]] | None = None
    #: These axes' values taken together, i-th with i-th (equal lengths);
    #: with ``product`` too, each zipped row with each combination.
    zip: dict[str, list[Any]] | None = None
    #: An explicit list of points (not with product or zip).
    points: list[dict[str, Any]] | None = None


class SweepFile(BaseModel):
    model_config = _STRICT

    name: Name
    description: str = ""
    kind: Kind
    #: kind command: the program and its arguments; ``{axis}`` in an
    #: argument is replaced by the point's value.
    command: list[str] | None = None
    gem5: Gem5Section = Gem5Section()
    #: Kinds xen-cost, xen-interference: the gem5 experiment file
    #: (relative to this one) whose cached boot every point restores.
    boot: str | None = None
    #: Parameters every point shares.
    base: dict[str, Any] = {}
    grid: Grid
    repeats: Annotated[int, Field(ge=1, le=1000)] = 1
    executor: ExecutorSection = ExecutorSection()
    slurm: SlurmSection = SlurmSection()
    output: str | None = None


TOP_FIELDS = tuple(SweepFile.model_fields)


# -- the validated sweep ------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One configuration; run ``repeats`` times."""

    index: int
    params: dict[str, Scalar]
    #: The axes' values only (what varies), for names and plots.
    axes: dict[str, Scalar]


@dataclass(frozen=True)
class Sweep:
    name: str
    description: str
    kind: str
    source: Path | None
    #: The file's text, kept with the results.
    text: str
    command: tuple[str, ...] | None
    gem5_binary: Path | None
    axes: tuple[str, ...]
    points: tuple[Point, ...]
    repeats: int
    executor: ExecutorSection
    slurm: SlurmSection
    output: Path
    #: Kinds xen-cost, xen-interference: the experiment file whose boot
    #: is restored.
    boot: Path | None = None


def is_sweep_file(path: Path) -> bool:
    """Whether ``path`` is a sweep file (it has a ``grid``), rather than
    an RQ1 experiment file; a file that cannot be read is neither here
    (its loader says why)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "grid" in data


def load_sweep(
    path: str | os.PathLike[str],
    *,
    gem5_binary: Path | None = None,
    env: Mapping[str, str] | None = None,
    check_files: bool = True,
) -> Sweep:
    """Read and validate a sweep file; nothing is run. The gem5 binary
    is ``gem5_binary`` (the command line), else the file's
    ``gem5.binary``, else ``$SCOTCH_GEM5_BINARY``."""
    source = str(path)
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise ExperimentError(
            source, [FieldProblem("", f"cannot read: {why}")]
        ) from None
    return parse_sweep(
        text,
        source,
        file=file.resolve(),
        base_dir=file.resolve().parent,
        gem5_binary=gem5_binary,
        env=os.environ if env is None else env,
        check_files=check_files,
    )


def parse_sweep(
    text: str,
    source: str = "<sweep>",
    *,
    file: Path | None = None,
    base_dir: Path | None = None,
    gem5_binary: Path | None = None,
    env: Mapping[str, str] | None = None,
    check_files: bool = True,
) -> Sweep:
    data, lines = compose(text, source)
    problems = _Problems(lines)
    base = (base_dir or Path.cwd()).resolve()
    if not isinstance(data, dict):
        problems.add((), "expected a mapping of sweep fields, found "
                     + describe(data))  # fmt: skip
        raise ExperimentError(source, problems.sorted())
    try:
        model = SweepFile.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.pydantic(err)
        raise ExperimentError(source, problems.sorted()) from None
    sweep = _Builder(model, data, problems).build(
        source_file=file,
        text=text,
        base_dir=base,
        gem5_binary=gem5_binary,
        env=os.environ if env is None else env,
        check_files=check_files,
    )
    if problems.items or sweep is None:
        raise ExperimentError(source, problems.sorted())
    return sweep


# -- problems -----------------------------------------------------------------


class _Problems:
    def __init__(self, lines: dict[FieldPath, int]):
        self.lines = lines
        self.items: list[FieldProblem] = []

    def line(self, path: FieldPath) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def add(self, path: FieldPath, message: str) -> None:
        self.items.append(
            FieldProblem(_dotted(path), message, self.line(path))
        )

    def sorted(self) -> list[FieldProblem]:
        return sorted(self.items, key=lambda p: p.line or 0)

    def pydantic(self, err: Any, prefix: FieldPath = ()) -> None:
        """One pydantic error as a problem in this file's words."""
        loc: FieldPath = (*prefix, *(p for p in err["loc"] if p != ""))
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            known = _fields_at(loc[:-1])
            self.add(
                loc,
                f"unknown field: expected one of {', '.join(known)}, found "
                f"{loc[-1]!r}{suggest(str(loc[-1]), known)}",
            )
        elif kind == "missing":
            self.add(loc, "missing required field")
        elif kind == "literal_error":
            choices = tuple(re.findall(r"'([^']*)'", err["ctx"]["expected"]))
            hint = suggest(value, choices) if isinstance(value, str) else ""
            self.add(
                loc,
                f"expected one of {', '.join(choices)}, found "
                f"{describe(value)}{hint}",
            )
        elif kind == "string_pattern_mismatch":
            what = _PATTERN_WHAT.get(err["ctx"]["pattern"], "text")
            self.add(loc, f"expected {what}, found {describe(value)}")
        elif kind == "value_error":
            msg = str(err["msg"]).removeprefix("Value error, ")
            self.add(loc, f"{msg}, found {describe(value)}")
        else:
            msg = str(err["msg"])
            msg = re.sub(r"^Input should be ", "expected ", msg)
            for pyd, ours in _WORDS:
                msg = msg.replace(pyd, ours)
            if re.match(r"expected (greater|less)", msg):
                msg = "out of range: " + msg.replace(
                    "expected ", "expected a number ", 1
                )
            self.add(loc, f"{msg}, found {describe(value)}")


_WORDS = (
    ("a valid integer", "an integer"),
    ("a valid string", "text"),
    ("a valid number", "a number"),
    ("a valid list", "a list"),
    ("a valid dictionary", "a mapping"),
    ("a valid boolean", "true or false"),
    ("a valid ", "a "),
)
_PATTERN_WHAT = {
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$": "a name of up to 64 letters, "
    "digits, '.', '_' or '-' (starting with a letter or digit)",
    r"^[1-9]\d*(B|KiB|MiB|GiB|kB|MB|GB)$": "a size such as 32KiB, 1MiB",
    r"^\d+(\.\d+)?[kMG]?Hz$": "a frequency such as 3GHz, 2.5GHz or 800MHz",
}

_SECTIONS: dict[str, type[BaseModel]] = {
    "gem5": Gem5Section,
    "executor": ExecutorSection,
    "slurm": SlurmSection,
    "grid": Grid,
}


def _fields_at(path: FieldPath) -> tuple[str, ...]:
    if not path:
        return TOP_FIELDS
    model = _SECTIONS.get(str(path[0]))
    return tuple(model.model_fields) if model else ()


def _dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# -- from the model to points -------------------------------------------------


def command_axes(command: list[str]) -> tuple[str, ...]:
    """The ``{name}`` placeholders of a command, in order."""
    names: list[str] = []
    for arg in command:
        for _, field, _, _ in string.Formatter().parse(arg):
            if field and field not in names:
                names.append(field)
    return tuple(names)


class _Builder:
    def __init__(
        self, model: SweepFile, data: dict[str, Any], problems: _Problems
    ):
        self.m = model
        self.data = data
        self.p = problems
        if model.kind == "command":
            self.known = command_axes(model.command or [])
            self.params_model: type[BaseModel] | None = None
        else:
            self.params_model = PARAMS[model.kind]
            self.known = tuple(self.params_model.model_fields)

    def build(
        self,
        *,
        source_file: Path | None,
        text: str,
        base_dir: Path,
        gem5_binary: Path | None,
        env: Mapping[str, str],
        check_files: bool,
    ) -> Sweep | None:
        m = self.m
        if m.kind == "command":
            if not m.command:
                self.p.add(
                    ("command",) if m.command is not None else ("kind",),
                    "kind command needs command: expected a non-empty "
                    "list of the program and its arguments",
                )
                return None
        elif m.command is not None:
            self.p.add(
                ("command",),
                f"only for kind command: expected no command with kind "
                f"{m.kind}",
            )
        binary = self.binary(base_dir, gem5_binary, env, check_files)
        boot = self.boot(base_dir, binary, env, check_files)
        for key, value in m.base.items():
            self.value(("base", key), key, value)
        axes, points = self.points()
        if boot is not None and points is not None:
            self.check_workloads(boot, points)
        if self.p.items or points is None:
            return None
        output = (
            base_dir / Path(m.output).expanduser()
            if m.output
            else base_dir / "results" / m.name
        )
        return Sweep(
            name=m.name,
            description=m.description,
            kind=m.kind,
            source=source_file,
            text=text,
            command=tuple(m.command) if m.command else None,
            gem5_binary=binary,
            axes=axes,
            points=points,
            repeats=m.repeats,
            executor=m.executor,
            slurm=m.slurm,
            output=output.resolve(),
            boot=boot,
        )

    def boot(
        self,
        base_dir: Path,
        binary: Path | None,
        env: Mapping[str, str],
        check_files: bool,
    ) -> Path | None:
        """The experiment file a boot kind restores, checked: a gem5 file."""
        m = self.m
        if m.kind not in BOOT_KINDS:
            if m.boot is not None:
                self.p.add(("boot",), "only for kinds xen-cost and "
                           "xen-interference: expected "
                           f"no boot with kind {m.kind}")  # fmt: skip
            return None
        if not m.boot:
            self.p.add(
                ("boot",) if m.boot is not None else ("kind",),
                f"kind {m.kind} restores an experiment's gem5 boot: "
                "expected boot: <experiment file with platform: gem5>",
            )
            return None
        path = (base_dir / Path(m.boot).expanduser()).resolve()
        if not check_files:
            return path
        from scotch_plugin.experiments.load import load_experiment

        # The sweep's binary restores the boot, whatever the file says.
        if binary is not None:
            env = {**env, GEM5_BINARY_ENV: str(binary)}
        try:
            exp = load_experiment(path, env=env, check_files=False)
        except ExperimentError as exc:
            self.p.add(("boot",), f"expected a valid experiment file, "
                       f"found {path}: {exc}")  # fmt: skip
            return None
        if exp.platform != "gem5":
            self.p.add(("boot",), "expected an experiment file with "
                       f"platform: gem5, found platform {exp.platform} in "
                       f"{path}")  # fmt: skip
            return None
        self.boot_domains = len(exp.domains)
        return path

    def check_workloads(self, boot: Path, points: tuple[Point, ...]) -> None:
        """One workload per domU of the boot, each a known one."""
        from scotch_plugin.experiments.schema import check_workload

        want = getattr(self, "boot_domains", None)
        for point in points:
            given = str(point.params["workloads"]).split(",")
            where = ("base", "workloads") if "workloads" in self.m.base \
                else ("grid",)  # fmt: skip
            if want is not None and len(given) != want:
                self.p.add(where, f"point {point.index}: expected {want} "
                           f"workloads (one per domU of {boot.name}), "
                           f"found {len(given)}")  # fmt: skip
                return
            for name in given:
                problem = check_workload(name)
                if problem:
                    self.p.add(where, f"point {point.index}: {problem}")
                    return
            # RQ3's tenant view is the ledger's: Scotch must be on.
            if self.m.kind == "xen-interference" and (
                point.params["trigger"] == "none"
            ):
                self.p.add(
                    ("base", "trigger") if "trigger" in self.m.base
                    else ("grid",),
                    f"point {point.index}: kind xen-interference compares "
                    "the tenant's ledger: expected a trigger other than "
                    "none (software, cr3, interrupt, random)",
                )  # fmt: skip
                return

    def binary(
        self,
        base_dir: Path,
        given: Path | None,
        env: Mapping[str, str],
        check_files: bool,
    ) -> Path | None:
        if self.m.kind not in GEM5_KINDS:
            if self.m.gem5.binary is not None:
                self.p.add(
                    ("gem5", "binary"),
                    "only for the gem5 kinds (" + ", ".join(GEM5_KINDS) + "): "
                    f"expected none with kind {self.m.kind}",
                )
            return None
        origin = ""
        if given is not None:
            binary, origin = given.resolve(), " (from --gem5-binary)"
        elif self.m.gem5.binary:
            binary = base_dir / Path(self.m.gem5.binary).expanduser()
        elif env.get(GEM5_BINARY_ENV, "").strip():
            binary = Path(env[GEM5_BINARY_ENV]).expanduser()
            origin = f" (from ${GEM5_BINARY_ENV})"
        else:
            self.p.add(
                ("gem5", "binary"),
                f"missing: kind {self.m.kind} runs gem5: expected "
                f"--gem5-binary, gem5.binary or ${GEM5_BINARY_ENV} to name "
                "one, found none",
            )
            return None
        binary = binary.resolve()
        if check_files and not (
            binary.is_file() and os.access(binary, os.X_OK)
        ):
            self.p.add(
                ("gem5", "binary"),
                f"expected an executable gem5 binary, found "
                f"{'no such file' if not binary.exists() else 'not that'}"
                f": {binary}{origin}",
            )
            return None
        return binary

    def value(self, path: FieldPath, axis: str, value: object) -> bool:
        """Check one parameter's value (an axis or base entry)."""
        if axis not in self.known:
            what = (
                "a {placeholder} of the command"
                if self.m.kind == "command"
                else f"a parameter of kind {self.m.kind}"
            )
            self.p.add(
                path[:-1] if isinstance(path[-1], int) else path,
                f"unknown axis: expected {what}, one of "
                f"{', '.join(self.known) or '(none)'}, found {axis!r}"
                f"{suggest(axis, self.known)}",
            )
            return False
        if self.params_model is None:
            ok = isinstance(value, (str, int, float)) and not isinstance(
                value, bool
            )
            if not ok:
                self.p.add(
                    path,
                    f"expected a text or a number, found {describe(value)}",
                )
            return ok
        info = self.params_model.model_fields[axis]
        typ: Any = (
            Annotated[(info.annotation, *info.metadata)]
            if info.metadata
            else info.annotation
        )
        adapter: TypeAdapter[Any] = TypeAdapter(typ)
        try:
            adapter.validate_python(value, strict=True)
        except ValidationError as exc:
            for err in exc.errors():
                self.p.pydantic({**err, "loc": ()}, path)
            return False
        if axis == "rounds":
            try:
                HandlerParams.model_validate({"rounds": value})
            except ValidationError as exc:
                for err in exc.errors():
                    self.p.pydantic({**err, "loc": ()}, path)
                return False
        return True

    def axis(self, section: str, axis: str, values: list[Any]) -> bool:
        path: FieldPath = ("grid", section, axis)
        if axis in self.m.base:
            self.p.add(path, f"axis {axis!r} is also in base: expected it "
                       "in one place")  # fmt: skip
            return False
        if not values:
            self.p.add(
                path,
                f"empty axis: expected a list of at least one {axis} "
                "value, found an empty list (the grid would be empty)",
            )
            return False
        ok = True
        for i, value in enumerate(values):
            if not self.value((*path, i), axis, value):
                ok = False
                if axis not in self.known:
                    break
        return ok

    def points(self) -> tuple[tuple[str, ...], tuple[Point, ...] | None]:
        grid = self.m.grid
        rows: list[dict[str, Any]] = []
        if grid.points is not None:
            if grid.product is not None or grid.zip is not None:
                self.p.add(("grid", "points"),
                           "expected either points or product/zip, "
                           "found both")  # fmt: skip
                return (), None
            if not grid.points:
                self.p.add(("grid", "points"),
                           "empty grid: expected a list of at least one "
                           "point, found an empty list")  # fmt: skip
                return (), None
            for i, point in enumerate(grid.points):
                for key, value in point.items():
                    self.value(("grid", "points", i, key), key, value)
            rows = [dict(p) for p in grid.points]
            axes: list[str] = []
            for row in rows:
                axes += [k for k in row if k not in axes]
        else:
            if grid.product is None and grid.zip is None:
                self.p.add(("grid",),
                           "empty grid: expected product, zip or points, "
                           "found none")  # fmt: skip
                return (), None
            product = grid.product or {}
            zipped = grid.zip or {}
            checked = [self.axis("product", k, v) for k, v in product.items()]
            checked += [self.axis("zip", k, v) for k, v in zipped.items()]
            ok = all(checked)
            for k in set(product) & set(zipped):
                self.p.add(("grid", "zip", k), f"axis {k!r} is also in "
                           "product: expected it in one place")  # fmt: skip
                ok = False
            lengths = {k: len(v) for k, v in zipped.items()}
            if len(set(lengths.values())) > 1:
                first = next(iter(lengths))
                for k, n in lengths.items():
                    if n != lengths[first]:
                        self.p.add(
                            ("grid", "zip", k),
                            f"zip of unequal lengths: expected "
                            f"{lengths[first]} values (as {first}), found "
                            f"{n}",
                        )
                ok = False
            if not ok:
                return (), None
            zip_rows = (
                [
                    dict(zip(zipped, vals, strict=True))
                    for vals in zip(*zipped.values(), strict=True)
                ]
                if zipped
                else [{}]
            )
            for combo in itertools.product(*product.values()):
                for zrow in zip_rows:
                    rows.append(
                        {**dict(zip(product, combo, strict=True)), **zrow}
                    )
            axes = [*product, *zipped]
        if self.p.items:
            return (), None
        points = []
        for i, row in enumerate(rows):
            params: dict[str, Any] = {**self.m.base, **row}
            if self.params_model is not None:
                params = self.params_model.model_validate(params).model_dump()
            else:
                missing = [a for a in self.known if a not in params]
                if missing:
                    self.p.add(
                        ("grid",),
                        f"point {i}: no value for the command's "
                        f"{{{missing[0]}}}: expected it in base or the grid",
                    )
                    return (), None
            points.append(Point(i, params, {a: params[a] for a in axes}))
        return tuple(axes), tuple(points)
