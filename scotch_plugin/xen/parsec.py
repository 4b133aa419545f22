"""Builds real PARSEC 3.0 programs for the domUs from a PARSEC checkout
the user already has: ``scotch parsec build --parsec DIR --out DIR``.

The output directory is what ``SCOTCH_PARSEC_DIR`` takes
(:mod:`scotch_plugin.xen.guest_image`, ``workloads/guest/README.md``):

- ``<name>``: the serial version of each benchmark, a static x86-64
  program (``gcc``/``g++ -static -O2``, PARSEC's own sources unchanged),
  compiled with ``ENABLE_PARSEC_HOOKS`` and linked with our hooks
  (``workloads/guest/parsec_hooks.c``): its region of interest is gem5's
  work begin/end when ``SCOTCH_M5=1``, else a marker on stderr;
- ``<name>.args``: the ``run_args`` of the benchmark's
  ``pkgs/*/<name>/parsec/<set>.runconf`` with one thread, its input files
  renamed to where they are unpacked, ``inputs/<name>/``;
- ``<name>.output``: the file it writes its results to, if any (hashed
  with its standard output by ``parsec-run``);
- ``inputs/<name>/``: the members of ``pkgs/*/<name>/inputs/
  input_<set>.tar``;
- ``.scotch-parsec-build``: what was built from where (a later build may
  replace a directory that holds it, and no other).

The input set of each benchmark is the first of ``inputs`` (simsmall by
default) that the checkout has: a runconf, and an input tar if the
benchmark reads input files (streamcluster and swaptions read none).
Each program is run once natively through ``parsec-run`` before the
build is accepted, which prints the checksum a domU's run should match.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.xen import guest_image


@dataclass(frozen=True)
class Benchmark:
    """How to build one PARSEC program, serial, from its ``src/``."""

    name: str
    #: Its package directory under ``pkgs/``.
    package: str
    #: Its source files under the package's ``src/`` (its Makefile's,
    #: serial version).
    sources: tuple[str, ...]
    #: C++ (``g++``), else C (``gcc``).
    cxx: bool
    flags: tuple[str, ...] = ()
    libs: tuple[str, ...] = ()
    #: Which word of ``run_args`` (from 0) names the file it writes.
    output_word: int | None = None


BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in (
        # Makefile: NCO=4, single precision (PARSEC's default).
        Benchmark(
            "blackscholes",
            "apps/blackscholes",
            ("blackscholes.c",),
            cxx=False,
            flags=("-DNCO=4",),
            libs=("-lm",),
            output_word=2,
        ),
        Benchmark(
            "canneal",
            "kernels/canneal",
            (
                "annealer_thread.cpp",
                "rng.cpp",
                "netlist.cpp",
                "main.cpp",
                "netlist_elem.cpp",
            ),
            cxx=True,
            libs=("-lm",),
        ),
        Benchmark(
            "streamcluster",
            "kernels/streamcluster",
            ("streamcluster.cpp",),
            cxx=True,
            output_word=7,
        ),
        Benchmark(
            "swaptions",
            "apps/swaptions",
            (
                "CumNormalInv.cpp",
                "MaxFunction.cpp",
                "RanUnif.cpp",
                "nr_routines.c",  # compiled as C++, as its Makefile does
                "icdf.cpp",
                "HJM_SimPath_Forward_Blocking.cpp",
                "HJM.cpp",
                "HJM_Swaption_Blocking.cpp",
                "HJM_Securities.cpp",
            ),
            cxx=True,
        ),
        # Makefile and Makefile.serial.
        Benchmark(
            "fluidanimate",
            "apps/fluidanimate",
            ("serial.cpp", "cellpool.cpp"),
            cxx=True,
            flags=(
                "-Wno-invalid-offsetof",
                "-D_GNU_SOURCE",
                "-D_XOPEN_SOURCE=600",
            ),
            output_word=3,
        ),
    )
}

#: PARSEC's input sets, smallest first.
INPUT_SETS = ("test", "simdev", "simsmall", "simmedium", "simlarge", "native")
DEFAULT_INPUTS: tuple[str, ...] = ("simsmall",)
#: PARSEC's hooks API header, in the user's checkout.
HOOKS_HEADER = Path("pkgs/libs/hooks/src/include/hooks.h")
#: Written into the output directory: a build may replace only this.
MARKER = ".scotch-parsec-build"
#: PARSEC's gcc.bldconf flags for C++ (old code: -fpermissive).
CXX_FLAGS = ("-fpermissive", "-fno-exceptions")
_RUN_ARGS = re.compile(r'^\s*run_args="([^"]*)"\s*$', re.M)
_SET = re.compile(r"[A-Za-z0-9_-]+")
_LFS = b"version https://git-lfs"
_RESULT = re.compile(r"^SCOTCH-WORK .*$", re.M)


@dataclass(frozen=True)
class Plan:
    """One benchmark as it will be built and run."""

    benchmark: Benchmark
    input_set: str
    runconf: Path
    #: The input tar (``None``: the benchmark reads no input files).
    tar: Path | None
    #: Its regular files: ``{member name: bytes}``.
    inputs: dict[str, bytes]
    #: ``run_args`` with one thread and the inputs' paths in ``/parsec``.
    args: tuple[str, ...]
    output: str | None


@dataclass(frozen=True)
class Built:
    """One program in the output directory, and its native run."""

    plan: Plan
    #: parsec-run's result line from one run on this host.
    result: str
    compile_seconds: float

    @property
    def name(self) -> str:
        return self.plan.benchmark.name


def hooks_source() -> Path:
    return project.root() / "workloads" / "guest" / "parsec_hooks.c"


def parse_names(text: str) -> tuple[str, ...]:
    """``a,b,c`` as benchmark names, each one we can build."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown or not names:
        raise ScotchError(
            f"--benchmarks {text!r}: expected names from "
            f"{', '.join(BENCHMARKS)}, separated by commas"
        )
    return names


def parse_inputs(text: str) -> tuple[str, ...]:
    """``simsmall,simdev``: input sets in order of preference."""
    sets = tuple(s.strip() for s in text.split(",") if s.strip())
    if not sets or not all(_SET.fullmatch(s) for s in sets):
        raise ScotchError(
            f"--input {text!r}: expected PARSEC input sets (test, simdev, "
            "simsmall, simmedium, simlarge, native) separated by commas"
        )
    return sets


def check_checkout(parsec: Path) -> Path:
    """``parsec`` resolved, if it looks like a PARSEC 3.0 checkout."""
    if not parsec.is_dir():
        raise ScotchError(
            f"--parsec {parsec}: not a directory; expected a PARSEC 3.0 "
            "checkout (the directory with pkgs/ and config/)"
        )
    header = parsec / HOOKS_HEADER
    if not header.is_file():
        raise ScotchError(
            f"{parsec}: not a PARSEC 3.0 checkout: expected {header} "
            "(PARSEC's hooks API header, pkgs/libs/hooks)"
        )
    return parsec.resolve()


def plan(parsec: Path, benchmark: Benchmark, inputs: Sequence[str]) -> Plan:
    """Where ``benchmark``'s sources, runconf and inputs are in the
    checkout, with the first input set of ``inputs`` it has."""
    package = parsec / "pkgs" / benchmark.package
    for source in benchmark.sources:
        path = package / "src" / source
        if not path.is_file():
            raise ScotchError(
                f"{path}: missing; expected PARSEC 3.0's {benchmark.name} "
                f"source (pkgs/{benchmark.package}/src/{source})"
            )
    reads_files = (package / "inputs").is_dir()
    missing = []
    for input_set in inputs:
        runconf = package / "parsec" / f"{input_set}.runconf"
        tar = package / "inputs" / f"input_{input_set}.tar"
        if not runconf.is_file():
            missing.append(f"{runconf}: missing")
        elif reads_files and not tar.is_file():
            missing.append(f"{tar}: missing")
        else:
            members = _read_tar(tar) if reads_files else {}
            args, output = _args(benchmark, runconf, members)
            return Plan(
                benchmark,
                input_set,
                runconf,
                tar if reads_files else None,
                members,
                args,
                output,
            )
    have = sorted(
        (
            {
                p.name.removeprefix("input_").removesuffix(".tar")
                for p in (package / "inputs").glob("input_*.tar")
            }
            if reads_files
            else {p.stem for p in (package / "parsec").glob("*.runconf")}
        ),
        key=lambda s: (INPUT_SETS.index(s) if s in INPUT_SETS else -1, s),
    )
    hint = (
        " Pass --input with a list to take the first there is, e.g. "
        f"--input {','.join([*inputs, have[-1]])}"
        if have
        else ""
    )
    raise ScotchError(
        f"{benchmark.name}: no input set of {','.join(inputs)} in the "
        f"checkout ({'; '.join(missing)}); it has: "
        f"{', '.join(have) or 'none'}.{hint}"
    )


def _read_tar(tar: Path) -> dict[str, bytes]:
    with tar.open("rb") as f:
        head = f.read(len(_LFS))
    if head == _LFS:
        raise ScotchError(
            f"{tar}: a Git LFS pointer, not the input tar: fetch the file "
            "itself (git lfs pull) first"
        )
    if not tarfile.is_tarfile(tar):
        raise ScotchError(f"{tar}: not a tar archive (PARSEC's input tar)")
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(tar) as archive:
            for member in archive:
                name = member.name.removeprefix("./")
                if member.isdir():
                    continue
                parts = Path(name).parts
                if (
                    not member.isfile()
                    or not parts
                    or name.startswith("/")
                    or ".." in parts
                ):
                    raise ScotchError(
                        f"{tar}: member {member.name!r}: expected regular "
                        "files at relative paths only"
                    )
                data = archive.extractfile(member)
                assert data is not None
                members[name] = data.read()
    except tarfile.TarError as exc:
        raise ScotchError(f"{tar}: a damaged tar archive ({exc})") from None
    if not members:
        raise ScotchError(f"{tar}: no files in it")
    return members


def _args(
    benchmark: Benchmark, runconf: Path, members: dict[str, bytes]
) -> tuple[tuple[str, ...], str | None]:
    found = _RUN_ARGS.findall(runconf.read_text(errors="replace"))
    if len(found) != 1:
        raise ScotchError(
            f'{runconf}: expected one line run_args="..." (PARSEC\'s '
            f"runconf), found {len(found)}"
        )
    text = found[0].replace("${NTHREADS}", "1")
    if "$" in text:
        raise ScotchError(
            f"{runconf}: run_args {found[0]!r}: expected no variable but "
            "${NTHREADS}"
        )
    words = text.split()
    args = tuple(
        f"inputs/{benchmark.name}/{w}" if w in members else w for w in words
    )
    output = None
    if benchmark.output_word is not None:
        at = benchmark.output_word
        if at >= len(words) or words[at] in members or "/" in words[at]:
            raise ScotchError(
                f"{runconf}: run_args {found[0]!r}: expected word {at + 1} "
                f"to name the file {benchmark.name} writes"
            )
        output = words[at]
    return args, output


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ScotchError(f"--out {out}: not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ScotchError(
            f"--out {out}: not empty and not the output of an earlier "
            f"'scotch parsec build' (no {MARKER}): every file there would "
            "go into the domU image; give a new or empty directory"
        )


def _compile(
    plan: Plan, parsec: Path, hooks: Path, exe: Path, version: str
) -> None:
    benchmark = plan.benchmark
    compiler = "g++" if benchmark.cxx else "gcc"
    if shutil.which(compiler) is None:
        raise ScotchError(f"{compiler} not found: install it (gcc, g++)")
    src = parsec / "pkgs" / benchmark.package / "src"
    cmd = [
        compiler,
        "-static",
        "-O2",
        "-w",
        *(CXX_FLAGS if benchmark.cxx else ()),
        *benchmark.flags,
        "-DENABLE_PARSEC_HOOKS",
        *([f"-DPARSEC_VERSION={version}"] if version else []),
        "-I",
        str((parsec / HOOKS_HEADER).parent),
        *(str(src / s) for s in benchmark.sources),
        str(hooks),
        *benchmark.libs,
        "-o",
        str(exe),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ScotchError(
            f"building {benchmark.name} failed ({compiler} exit "
            f"{proc.returncode}):\n$ {' '.join(cmd)}\n" + proc.stderr[-3000:]
        )


def _write(stage: Path, plan: Plan, exe: Path) -> None:
    name = plan.benchmark.name
    shutil.copyfile(exe, stage / name)
    (stage / name).chmod(0o755)
    (stage / f"{name}.args").write_text(" ".join(plan.args) + "\n")
    if plan.output:
        (stage / f"{name}.output").write_text(plan.output + "\n")
    for member, data in plan.inputs.items():
        path = stage / "inputs" / name / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run_natively(directory: Path, name: str, scratch: Path) -> str:
    """Run ``name`` once through ``parsec-run`` on a copy of
    ``directory``: its result line (an error if it failed)."""
    root = scratch / "parsec"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(directory, root)
    env = {**os.environ, "PARSEC_ROOT": str(root), "TMPDIR": str(scratch)}
    env.pop("SCOTCH_M5", None)  # not gem5: the m5 opcode would be SIGILL
    proc = subprocess.run(
        ["sh", str(guest_image.parsec_run_script()), name, "0", "host"],
        capture_output=True,
        text=True,
        env=env,
    )
    found = _RESULT.findall(proc.stdout)
    if proc.returncode != 0 or not found:
        raise ScotchError(
            f"{name} built, but failed on this host (parsec-run exit "
            f"{proc.returncode}):\n{proc.stdout[-2000:]}"
        )
    return found[-1]


def build(
    parsec: Path,
    out: Path,
    names: Sequence[str] = tuple(BENCHMARKS),
    inputs: Sequence[str] = DEFAULT_INPUTS,
    say: Callable[[str], None] = print,
) -> list[Built]:
    """Build ``names`` from the checkout ``parsec`` into ``out`` (see the
    module's doc); each is run once natively before ``out`` is written."""
    parsec = check_checkout(parsec)
    _check_out(out)
    plans = [plan(parsec, BENCHMARKS[n], inputs) for n in names]
    outputs = [p.output for p in plans if p.output]
    if len(set(outputs)) != len(outputs):
        raise ScotchError(
            f"the benchmarks write files of the same name ({outputs}) in "
            "/parsec: build them into separate directories"
        )
    version_file = parsec / "version"
    version = (
        version_file.read_text().split()[0]
        if version_file.is_file() and version_file.read_text().split()
        else ""
    )
    for p in plans:
        where = p.tar.relative_to(parsec) if p.tar else "no input files"
        say(
            f"scotch parsec build: {p.benchmark.name}: input {p.input_set} "
            f"({where}), args: {' '.join(p.args)}"
        )
    built = []
    with tempfile.TemporaryDirectory(prefix="scotch-parsec-") as tmp:
        work = Path(tmp)
        stage = work / "out"
        stage.mkdir()
        hooks = work / "parsec_hooks.o"
        cmd = ["gcc", "-O2", "-c", str(hooks_source()), "-o", str(hooks)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ScotchError(
                f"building our PARSEC hooks failed:\n$ {' '.join(cmd)}\n"
                + proc.stderr[-3000:]
            )
        for p in plans:
            name = p.benchmark.name
            start = time.monotonic()
            say(
                f"scotch parsec build: {name}: compiling "
                f"{len(p.benchmark.sources)} source(s) "
                f"({'g++' if p.benchmark.cxx else 'gcc'} -static -O2)"
            )
            exe = work / f"{name}.exe"
            _compile(p, parsec, hooks, exe, version)
            seconds = time.monotonic() - start
            _write(stage, p, exe)
            result = run_natively(stage, name, work / "run")
            say(
                f"scotch parsec build: {name}: built in {seconds:.1f} s; "
                f"one run here: {result}"
            )
            built.append(Built(p, result, seconds))
        (stage / MARKER).write_text(
            f"scotch parsec build --parsec {parsec} (PARSEC "
            f"{version or 'version unknown'})\n"
            + "".join(
                f"{p.benchmark.name} {p.input_set} {' '.join(p.args)}\n"
                for p in plans
            )
        )
        programs = guest_image.parsec_programs(stage)  # as the hook checks
        assert programs == sorted(names), programs
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(stage, out)
    say(
        f"scotch parsec build: {out}: {', '.join(names)}. Run them in the "
        f"domUs with {guest_image.PARSEC_ENV}={out} and the workload "
        "parsec:<name>"
    )
    return built
