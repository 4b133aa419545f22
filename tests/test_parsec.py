"""``scotch parsec build`` (:mod:`scotch_plugin.xen.parsec`) and our
PARSEC hooks (``workloads/guest/parsec_hooks.c``).

The recipe runs here on a small fake checkout with PARSEC's layout (our
own few lines of C, not PARSEC's); with ``SCOTCH_PARSEC_SRC`` naming a
real PARSEC 3.0 checkout, it builds the real programs too (about 10 s),
else that test is skipped. No QEMU."""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.xen import guest_image, parsec

#: A real PARSEC 3.0 checkout (e.g. a clone of bamos/parsec-benchmark).
SRC_ENV = "SCOTCH_PARSEC_SRC"

RESULT = re.compile(
    r"^SCOTCH-WORK name=(\S+) workload=parsec:(\S+) seconds=\d+\.\d+ "
    r"iterations=(\d+) checksum=(\d+)$"
)

WORK_BEGIN = b"\x0f\x04\x5a\x00"  # 0F 04, function 0x5a (imm16)
WORK_END = b"\x0f\x04\x5b\x00"

CALLER_C = r"""
#include <stdio.h>
void __parsec_bench_begin(int);
void __parsec_bench_end(void);
void __parsec_roi_begin(void);
void __parsec_roi_end(void);
int main(void)
{
    __parsec_bench_begin(0);
    __parsec_roi_begin();
    puts("work");
    __parsec_roi_end();
    __parsec_bench_end();
    return 0;
}
"""

# -- our hooks --------------------------------------------------------------


@pytest.fixture(scope="module")
def hooked(tmp_path_factory) -> Path:
    """A static program that calls the hooks around its "work"."""
    tmp = tmp_path_factory.mktemp("hooks")
    (tmp / "caller.c").write_text(CALLER_C)
    exe = tmp / "caller"
    subprocess.run(
        ["gcc", "-O2", "-static", "-o", exe, tmp / "caller.c"]
        + [parsec.hooks_source()],
        check=True,
    )
    return exe


def run_hooked(exe: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "SCOTCH_M5"}
    return subprocess.run(
        [exe], capture_output=True, text=True, env={**environ, **env}
    )


def test_hooks_mark_the_roi_on_stderr_off_gem5(hooked):
    for env in ({}, {"SCOTCH_M5": "0"}):
        proc = run_hooked(hooked, **env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "work\n"  # what parsec-run hashes: untouched
        assert proc.stderr == (
            "SCOTCH-PARSEC-ROI begin (no m5: SCOTCH_M5 unset)\n"
            "SCOTCH-PARSEC-ROI end\n"
        )


def test_hooks_execute_gem5s_work_begin_with_scotch_m5(hooked):
    # On a real CPU gem5's opcode is undefined: the first hook dies of
    # SIGILL before the work, which shows it runs the m5 op.
    proc = run_hooked(hooked, SCOTCH_M5="1")
    assert proc.returncode == -signal.SIGILL
    assert proc.stdout == ""
    data = hooked.read_bytes()
    assert data.count(WORK_BEGIN) == 1 and data.count(WORK_END) == 1


# -- a fake checkout --------------------------------------------------------

HOOKS_H = """
#ifdef __cplusplus
extern "C" {
#endif
enum __parsec_benchmark { __parsec_blackscholes };
void __parsec_bench_begin(enum __parsec_benchmark);
void __parsec_bench_end(void);
void __parsec_roi_begin(void);
void __parsec_roi_end(void);
#ifdef __cplusplus
}
#endif
"""

# Reads a count from argv[2], writes its sum to argv[3], as blackscholes
# reads in_*.txt and writes prices.txt.
FAKE_C = r"""
#include <stdio.h>
#include <hooks.h>
#define S(x) #x
#define XS(x) S(x)
int main(int argc, char **argv)
{
    long n = 0, sum = 0;
    FILE *in, *out;
    __parsec_bench_begin(__parsec_blackscholes);
    printf("fake PARSEC %s threads %s\n", XS(PARSEC_VERSION), argv[1]);
    if (argc != 4 || !(in = fopen(argv[2], "r")) || fscanf(in, "%ld", &n) != 1)
        return 3;
    __parsec_roi_begin();
    for (long i = 0; i < n; i++)
        sum += i;
    __parsec_roi_end();
    if (!(out = fopen(argv[3], "w")))
        return 4;
    fprintf(out, "%ld\n", sum);
    __parsec_bench_end();
    return fclose(out) != 0;
}
"""

RUNCONF = (
    'run_exec="bin/blackscholes"\n'
    'run_args="${NTHREADS} in_16.txt prices.txt"\n'
)


def tar_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def make_checkout(root: Path) -> Path:
    """PARSEC's layout with a fake blackscholes, simdev input only."""
    (root / "pkgs/libs/hooks/src/include").mkdir(parents=True)
    (root / "pkgs/libs/hooks/src/include/hooks.h").write_text(HOOKS_H)
    (root / "version").write_text("3.0-fake\n")
    package = root / "pkgs/apps/blackscholes"
    for sub in ("src", "parsec", "inputs"):
        (package / sub).mkdir(parents=True)
    (package / "src/blackscholes.c").write_text(FAKE_C)
    (package / "parsec/simdev.runconf").write_text(RUNCONF)
    (package / "parsec/simsmall.runconf").write_text(
        RUNCONF.replace("in_16", "in_4K")
    )
    (package / "inputs/input_simdev.tar").write_bytes(
        tar_bytes({"in_16.txt": b"1000\n"})
    )
    return root


@pytest.fixture
def checkout(tmp_path) -> Path:
    return make_checkout(tmp_path / "parsec-3.0")


def build(checkout: Path, out: Path, **kwargs) -> list[parsec.Built]:
    said: list[str] = []
    kwargs.setdefault("names", ("blackscholes",))
    kwargs.setdefault("inputs", ("simsmall", "simdev"))
    built = parsec.build(checkout, out, say=said.append, **kwargs)
    assert said and all(s.startswith("scotch parsec build: ") for s in said)
    return built


@pytest.fixture(scope="module")
def fake_build(tmp_path_factory) -> tuple[Path, list[parsec.Built]]:
    tmp = tmp_path_factory.mktemp("fake")
    checkout = make_checkout(tmp / "parsec-3.0")
    out = tmp / "out"
    return out, build(checkout, out)


def test_build_writes_the_hooks_layout(fake_build):
    out, built = fake_build
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        ".scotch-parsec-build",
        "blackscholes",
        "blackscholes.args",
        "blackscholes.output",
        "inputs",
        "inputs/blackscholes",
        "inputs/blackscholes/in_16.txt",
    ]
    # simsmall has a runconf but no input tar: the next set, simdev.
    assert built[0].plan.input_set == "simdev"
    assert (out / "blackscholes.args").read_text() == (
        "1 inputs/blackscholes/in_16.txt prices.txt\n"
    )
    assert (out / "blackscholes.output").read_text() == "prices.txt\n"
    assert (out / "inputs/blackscholes/in_16.txt").read_bytes() == b"1000\n"
    assert (
        "blackscholes simdev 1 inputs/blackscholes/in_16.txt"
        in (out / parsec.MARKER).read_text()
    )
    assert guest_image.parsec_programs(out) == ["blackscholes"]  # static


def test_build_ran_it_as_the_domu_will(fake_build):
    out, built = fake_build
    m = RESULT.match(built[0].result)
    assert m, built[0].result
    assert m.groups()[:3] == ("host", "blackscholes", "1")
    proc = subprocess.run(
        [
            out / "blackscholes",
            *(out / "blackscholes.args").read_text().split(),
        ],
        cwd=out,
        capture_output=True,
    )
    assert proc.returncode == 0
    assert proc.stdout == b"fake PARSEC 3.0-fake threads 1\n"
    assert b"SCOTCH-PARSEC-ROI begin" in proc.stderr  # our hooks
    prices = (out / "prices.txt").read_bytes()
    assert prices == b"499500\n"
    md5 = hashlib.md5(proc.stdout + prices).hexdigest()
    assert int(m.group(4)) == int(md5[:15], 16)


def test_rebuild_replaces_only_its_own_output(checkout, tmp_path):
    out = tmp_path / "out"
    build(checkout, out)
    (out / "stale.txt").write_text("from before")
    build(checkout, out)
    assert not (out / "stale.txt").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ScotchError, match=f"--out {other}: not empty"):
        build(checkout, other)
    assert (other / "notes.txt").read_text() == "mine"


# -- what the recipe refuses ------------------------------------------------


def test_refuses_what_is_not_a_parsec_checkout(tmp_path):
    with pytest.raises(ScotchError, match="not a directory"):
        build(tmp_path / "absent", tmp_path / "out")
    with pytest.raises(
        ScotchError,
        match=r"not a PARSEC 3.0 checkout: expected .*/pkgs/libs/hooks/src"
        r"/include/hooks.h",
    ):
        build(tmp_path, tmp_path / "out")


def test_names_a_missing_source(checkout, tmp_path):
    source = checkout / "pkgs/apps/blackscholes/src/blackscholes.c"
    source.unlink()
    with pytest.raises(ScotchError, match=f"{source}: missing"):
        build(checkout, tmp_path / "out")
    with pytest.raises(ScotchError, match="swaptions/src/CumNormalInv.cpp"):
        build(checkout, tmp_path / "out", names=("swaptions",))


def test_missing_input_set_says_what_there_is(checkout, tmp_path):
    tar = checkout / "pkgs/apps/blackscholes/inputs/input_simsmall.tar"
    with pytest.raises(ScotchError) as err:
        build(checkout, tmp_path / "out", inputs=("simsmall",))
    assert str(err.value) == (
        "blackscholes: no input set of simsmall in the checkout "
        f"({tar}: missing); it has: simdev. Pass --input with a list to "
        "take the first there is, e.g. --input simsmall,simdev"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\n",
            "a Git LFS pointer, not the input tar",
        ),
        (b"in_16.txt 1000\n" * 40, "not a tar archive"),
        (tar_bytes({"../in_16.txt": b"1"}), "relative paths only"),
        (tar_bytes({"in_16.txt": b"1000\n"})[:700], "damaged|not a tar"),
    ],
    ids=["lfs-pointer", "text", "escapes", "truncated"],
)
def test_refuses_a_bad_input_tar(checkout, tmp_path, data, message):
    tar = checkout / "pkgs/apps/blackscholes/inputs/input_simdev.tar"
    tar.write_bytes(data)
    with pytest.raises(ScotchError, match=f"{tar}: .*({message})"):
        build(checkout, tmp_path / "out")


@pytest.mark.parametrize(
    "runconf, message",
    [
        ('run_exec="bin/blackscholes"\n', "expected one line run_args"),
        (
            'run_args="${NTHREADS} ${INPUT} prices.txt"\n',
            "expected no variable but",
        ),
        (
            'run_args="${NTHREADS} in_16.txt"\n',
            "expected word 3 to name the file blackscholes writes",
        ),
    ],
)
def test_refuses_a_runconf_it_cannot_read(
    checkout, tmp_path, runconf, message
):
    path = checkout / "pkgs/apps/blackscholes/parsec/simdev.runconf"
    path.write_text(runconf)
    with pytest.raises(ScotchError, match=f"{path}: .*{re.escape(message)}"):
        build(checkout, tmp_path / "out")


def test_reports_a_failed_compile_or_run(checkout, tmp_path):
    source = checkout / "pkgs/apps/blackscholes/src/blackscholes.c"
    source.write_text(FAKE_C.replace("return 3;", "return 3"))
    with pytest.raises(ScotchError, match="building blackscholes failed"):
        build(checkout, tmp_path / "out")
    source.write_text(FAKE_C)
    tar = checkout / "pkgs/apps/blackscholes/inputs/input_simdev.tar"
    tar.write_bytes(tar_bytes({"in_16.txt": b"no number\n"}))  # exits 3
    with pytest.raises(
        ScotchError, match="blackscholes built, but failed on this host"
    ):
        build(checkout, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_command_line_errors(tmp_path):
    def scotch(*words: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scotch_plugin", "parsec", "build", *words],
            capture_output=True,
            text=True,
        )

    proc = scotch("--parsec", str(tmp_path / "absent"), "--out", "o")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"scotch: error: --parsec {tmp_path / 'absent'}: not a directory; "
        "expected a PARSEC 3.0 checkout (the directory with pkgs/ and "
        "config/)\n"
    )
    proc = scotch("--parsec", ".", "--out", "o", "--benchmarks", "vips")
    assert proc.returncode == 2
    assert "--benchmarks 'vips': expected names from blackscholes" in (
        proc.stderr
    )
    proc = scotch("--parsec", ".", "--out", "o", "--input", "sim small")
    assert proc.returncode == 2 and "--input 'sim small'" in proc.stderr


# -- real PARSEC ------------------------------------------------------------


@pytest.fixture(scope="module")
def parsec_src() -> Path:
    value = os.environ.get(SRC_ENV)
    if not value:
        pytest.skip(
            f"needs a PARSEC 3.0 checkout: set {SRC_ENV}=DIR (e.g. a "
            "clone of github.com/bamos/parsec-benchmark)"
        )
    return Path(value)


def test_builds_real_parsec(parsec_src, tmp_path):
    out = tmp_path / "out"
    built = parsec.build(parsec_src, out, inputs=("simsmall", "simdev"))
    assert [b.name for b in built] == list(parsec.BENCHMARKS)
    assert guest_image.parsec_programs(out) == sorted(parsec.BENCHMARKS)
    for b in built:
        m = RESULT.match(b.result)
        assert m and m.group(2) == b.name and m.group(3) == "1", b.result
        data = (out / b.name).read_bytes()
        assert data.count(WORK_BEGIN) == 1, b.name  # our hooks, linked in
        assert (out / f"{b.name}.args").read_text().split() == list(
            b.plan.args
        )
    assert (out / "swaptions.args").read_text().startswith("-ns ")
    assert guest_image.parsec_files(out)  # what SCOTCH_PARSEC_DIR takes
