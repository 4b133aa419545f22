"""The guest workloads (``workloads/guest/``): static x86-64 programs for
the Xen domUs, run natively here; the domU image that holds them; the
hook for user-supplied PARSEC programs. No QEMU: these run in CI."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from scotch_plugin import project, workload_build
from scotch_plugin.errors import ScotchError
from scotch_plugin.platforms import qemu_xen
from scotch_plugin.xen import boot_images, guest_image
from scotch_plugin.xen.guest_workloads import WORKLOADS

RESULT = re.compile(
    r"^SCOTCH-WORK name=(?P<name>\S+) workload=(?P<workload>\S+) "
    r"seconds=(?P<seconds>\d+\.\d+) iterations=(?P<iterations>\d+) "
    r"checksum=(?P<checksum>\d+)$",
    re.M,
)

#: Checksums after a fixed number of iterations: (iterations, checksum).
#: A change to a program's computation changes them (update them then).
PINNED = {
    "pi": (3, 4883538644817393255),
    "gzip": (2, 4091380162669577),
    "blackscholes": (3, 7520735487696215752),
    "streamcluster": (30, 6832177901359236692),  # clusters its centers
    "canneal": (130, 1546441467885653553),  # a whole anneal and more
    "naps": (3, 2828757232489732750),
    "thrash": (3, 13683608366951757540),
}

PI_50 = "3.14159265358979323846264338327950288419716939937510"

FNV_INIT = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1


@pytest.fixture(scope="module")
def programs() -> dict[str, Path]:
    return workload_build.guest_programs()


def run(path: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def result(stdout: str) -> dict[str, str]:
    found = list(RESULT.finditer(stdout))
    assert len(found) == 1, stdout
    assert stdout.rstrip("\n").endswith(found[0].group(0)), stdout
    return found[0].groupdict()


def fold(hash_: int, value: int) -> int:
    for i in range(8):
        hash_ ^= (value >> (8 * i)) & 0xFF
        hash_ = (hash_ * FNV_PRIME) & MASK64
    return hash_


def pi_digits(n: int) -> str:
    """The first n digits of pi (Machin's formula, Python integers)."""
    scale = 10 ** (n + 10)

    def arctan_inv(x: int) -> int:
        total = term = scale // x
        k, sign = 1, -1
        while term:
            term //= x * x
            total += sign * (term // (2 * k + 1))
            sign, k = -sign, k + 1
        return total

    return str(16 * arctan_inv(5) - 4 * arctan_inv(239))[:n]


def test_names_are_the_listed_workloads(programs):
    sources = {
        p.stem
        for p in (project.root() / "workloads" / "guest").glob("*.c")
        if p.stem not in ("common", "parsec_hooks")
    }
    assert sources == set(WORKLOADS)
    assert set(programs) == set(WORKLOADS)


@pytest.mark.parametrize("name", WORKLOADS)
def test_program_is_a_static_x86_64_executable(programs, name):
    data = programs[name].read_bytes()
    assert data[:5] == b"\x7fELF\x02"  # 64-bit
    assert struct.unpack_from("<H", data, 18)[0] == 62  # EM_X86_64
    phoff = struct.unpack_from("<Q", data, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    types = [
        struct.unpack_from("<I", data, phoff + i * phentsize)[0]
        for i in range(phnum)
    ]
    assert 1 in types and 3 not in types  # PT_LOAD, no PT_INTERP


@pytest.mark.parametrize("name", WORKLOADS)
def test_time_budget_and_result_line(programs, name):
    proc = run(programs[name], "--name", "scotch-t1", "--seconds", "0.3")
    assert proc.returncode == 0, proc.stderr
    work = result(proc.stdout)
    assert work["name"] == "scotch-t1"
    assert work["workload"] == name
    assert float(work["seconds"]) >= 0.3
    assert int(work["iterations"]) >= 1
    # The checksum is a function of the iteration count alone: a fixed
    # count gives the same one (what a domU's result is checked with).
    again = run(programs[name], "--iterations", work["iterations"])
    assert again.returncode == 0, again.stderr
    assert result(again.stdout)["checksum"] == work["checksum"]
    assert result(again.stdout)["name"] == "unnamed"


@pytest.mark.parametrize("name", WORKLOADS)
def test_fixed_iterations_give_the_pinned_checksum(programs, name):
    iterations, checksum = PINNED[name]
    for _ in range(2):
        proc = run(programs[name], "--iterations", str(iterations))
        assert proc.returncode == 0, proc.stderr
        work = result(proc.stdout)
        assert int(work["iterations"]) == iterations
        assert int(work["checksum"]) == checksum, name
    fewer = run(programs[name], "--iterations", str(iterations - 1))
    assert int(result(fewer.stdout)["checksum"]) != checksum


def test_pi_prints_the_digits_of_pi(programs):
    proc = run(programs["pi"], "--iterations", "2")
    assert f"SCOTCH-PI digits={PI_50}\n" in proc.stdout
    assert pi_digits(51) == PI_50.replace(".", "")
    # Each iteration hashes 500 digits: all of them must be right.
    digits_hash = FNV_INIT
    for byte in pi_digits(500).encode():
        digits_hash = ((digits_hash ^ byte) * FNV_PRIME) & MASK64
    expected = fold(fold(FNV_INIT, digits_hash), digits_hash)
    assert int(result(proc.stdout)["checksum"]) == expected


def test_gzip_reports_its_compression(programs):
    proc = run(programs["gzip"], "--iterations", "2")
    line = re.search(
        r"^SCOTCH-GZIP program=gzip bytes_in=(\d+) bytes_out=(\d+)$",
        proc.stdout,
        re.M,
    )
    assert line, proc.stdout
    bytes_in, bytes_out = int(line.group(1)), int(line.group(2))
    assert bytes_in == 2 * 256 * 1024
    assert 0 < bytes_out < bytes_in / 2  # generated text compresses


def test_gzip_checksum_does_not_depend_on_the_gzip(programs, tmp_path):
    # The domU's own gzip (busybox's applet) if the Xen build fetched it.
    debs = sorted(
        (boot_images.default_out() / "debs").glob("busybox-static_*")
    )
    busybox = shutil.which("busybox")
    if debs:
        subprocess.run(["dpkg-deb", "-x", debs[-1], tmp_path], check=True)
        busybox = str(tmp_path / "bin" / "busybox")
    if busybox is None:
        pytest.skip("no busybox (host or Xen build) to compare with")
    (tmp_path / "gzip").symlink_to(busybox)
    plain = run(programs["gzip"], "--iterations", "2")
    other = run(
        programs["gzip"],
        "--iterations",
        "2",
        env={"SCOTCH_GZIP": str(tmp_path / "gzip")},
    )
    assert other.returncode == 0, other.stderr
    assert result(other.stdout)["checksum"] == result(plain.stdout)["checksum"]


def test_gzip_fails_loudly_when_gzip_fails(programs):
    proc = run(
        programs["gzip"], "--iterations", "1", env={"SCOTCH_GZIP": "false"}
    )
    assert proc.returncode == 2
    assert "SCOTCH-WORK-ERROR gzip: 'false -c' failed" in proc.stderr
    assert "SCOTCH-WORK " not in proc.stdout


def test_bad_arguments_are_refused(programs):
    for args in (["--seconds"], ["--seconds", "x"], ["--bogus", "1"]):
        proc = run(programs["pi"], *args)
        assert proc.returncode == 1, args
        assert "SCOTCH-WORK" not in proc.stdout
    helped = run(programs["pi"], "--help")
    assert helped.returncode == 0 and "usage:" in helped.stdout


# -- the domU image ---------------------------------------------------------


def read_cpio(packed: bytes) -> dict[str, tuple[int, bytes]]:
    """A gzip'ed newc archive as ``{name: (mode, data)}``."""
    raw = gzip.decompress(packed)
    entries: dict[str, tuple[int, bytes]] = {}
    pos = 0
    while True:
        assert raw[pos : pos + 6] == b"070701"
        fields = [
            int(raw[pos + 6 + 8 * i : pos + 14 + 8 * i], 16) for i in range(13)
        ]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name_at = pos + 110
        name = raw[name_at : name_at + namesize - 1].decode()
        data_at = name_at + namesize + (-(110 + namesize) % 4)
        if name == "TRAILER!!!":
            return entries
        entries[name] = (mode, raw[data_at : data_at + size])
        pos = data_at + size + (-size % 4)


@pytest.fixture
def no_parsec(monkeypatch):
    monkeypatch.delenv(guest_image.PARSEC_ENV, raising=False)


def domu_cpio(tmp_path: Path) -> dict[str, tuple[int, bytes]]:
    busybox = tmp_path / "busybox"
    busybox.write_bytes(b"not really busybox")
    recipe = boot_images.read_recipe()
    return read_cpio(boot_images.domu_image(busybox, recipe.domu_init).pack())


def test_domu_image_holds_the_workloads(programs, tmp_path, no_parsec):
    entries = domu_cpio(tmp_path)
    for name, path in programs.items():
        mode, data = entries[f"scotch/bin/{name}"]
        assert mode == 0o100755
        assert data == path.read_bytes()
    script = project.root() / "workloads" / "guest" / "parsec-run"
    assert entries["scotch/bin/parsec-run"] == (0o100755, script.read_bytes())
    init = boot_images.read_recipe().domu_init.read_bytes()
    assert entries["init"][1] == init
    assert b"scotch.workload" in init
    assert not any(name.startswith("parsec") for name in entries)


def test_build_key_covers_the_guest_programs(monkeypatch, no_parsec):
    recipe = boot_images.read_recipe()
    versions = {"busybox-static": "1"}
    key = boot_images.build_key(recipe, versions)
    assert boot_images.build_key(recipe, versions) == key
    files = guest_image.domu_files()
    changed = dict(files)
    data, mode = changed["scotch/bin/pi"]
    changed["scotch/bin/pi"] = (data + b"\0", mode)
    monkeypatch.setattr(guest_image, "domu_files", lambda: changed)
    assert boot_images.build_key(recipe, versions) != key


# -- the PARSEC hook --------------------------------------------------------

HELLO_C = r"""
#include <stdio.h>
int main(int argc, char **argv)
{
    char line[64] = "";
    FILE *in = fopen("inputs/in.txt", "r"); /* relative: runs in /parsec */
    if (!in || !fgets(line, sizeof line, in))
        return 3;
    long sum = 0;
    for (long i = 0; i < 3000000; i++)
        sum += i % 7;
    printf("parsec-hello %s %s %ld\n", argc > 1 ? argv[1] : "-", line, sum);
    return 0;
}
"""


@pytest.fixture
def parsec_dir(tmp_path: Path, monkeypatch) -> Path:
    """A fake PARSEC build: a tiny static program, its arguments and an
    input file, named by SCOTCH_PARSEC_DIR."""
    directory = tmp_path / "parsec"
    (directory / "inputs").mkdir(parents=True)
    source = tmp_path / "hello.c"
    source.write_text(HELLO_C)
    subprocess.run(
        ["gcc", "-O2", "-static", "-o", str(directory / "hello"), source],
        check=True,
    )
    (directory / "hello.args").write_text("simsmall\n")
    (directory / "inputs" / "in.txt").write_text("input-42")
    monkeypatch.setenv(guest_image.PARSEC_ENV, str(directory))
    return directory


def test_parsec_programs_go_into_the_domu_image(parsec_dir, tmp_path):
    assert guest_image.parsec_programs(parsec_dir) == ["hello"]
    entries = domu_cpio(tmp_path)
    hello = (parsec_dir / "hello").read_bytes()
    assert entries["parsec/hello"] == (0o100755, hello)
    assert entries["parsec/hello.args"] == (0o100644, b"simsmall\n")
    assert entries["parsec/inputs/in.txt"] == (0o100644, b"input-42")
    assert "scotch/bin/pi" in entries


def test_parsec_files_change_the_build_key(parsec_dir, monkeypatch):
    recipe = boot_images.read_recipe()
    versions = {"busybox-static": "1"}
    with_parsec = boot_images.build_key(recipe, versions)
    (parsec_dir / "inputs" / "in.txt").write_text("input-43")
    assert boot_images.build_key(recipe, versions) != with_parsec
    monkeypatch.delenv(guest_image.PARSEC_ENV)
    assert boot_images.build_key(recipe, versions) != with_parsec


def test_parsec_run_loops_the_program(parsec_dir, tmp_path):
    script = project.root() / "workloads" / "guest" / "parsec-run"
    env = {**os.environ, "PARSEC_ROOT": str(parsec_dir)}
    env["TMPDIR"] = str(tmp_path)
    proc = subprocess.run(
        ["sh", str(script), "hello", "1", "scotch-w1"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    work = result(proc.stdout)
    assert work["name"] == "scotch-w1"
    assert work["workload"] == "parsec:hello"
    assert float(work["seconds"]) >= 1
    assert int(work["iterations"]) >= 1
    out = subprocess.run(
        [str(parsec_dir / "hello"), "simsmall"],
        cwd=parsec_dir,
        capture_output=True,
        check=True,
    ).stdout
    assert out.startswith(b"parsec-hello simsmall input-42 ")
    md5 = hashlib.md5(out).hexdigest()
    assert int(work["checksum"]) == int(md5[:15], 16)


def test_parsec_run_reports_a_missing_or_failing_program(parsec_dir, tmp_path):
    script = project.root() / "workloads" / "guest" / "parsec-run"
    env = {**os.environ, "PARSEC_ROOT": str(parsec_dir)}
    env["TMPDIR"] = str(tmp_path)
    missing = subprocess.run(
        ["sh", str(script), "nope", "1", "d"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert missing.returncode == 1
    assert "SCOTCH-WARN no PARSEC program" in missing.stdout
    assert "(have: hello )" in missing.stdout
    assert result(missing.stdout)["iterations"] == "0"
    (parsec_dir / "inputs" / "in.txt").unlink()  # hello exits 3
    failing = subprocess.run(
        ["sh", str(script), "hello", "1", "d"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert failing.returncode == 1
    assert "exited with status 3 after 0 runs" in failing.stdout
    assert result(failing.stdout)["iterations"] == "0"


WRITER_C = r"""
#include <stdio.h>
int main(int argc, char **argv)
{
    if (argc != 3) /* a third argument: write nothing */
        return argc > 3 ? 0 : 4;
    FILE *out = fopen(argv[2], "w");
    if (!out)
        return 5;
    fprintf(out, "prices for %s\n", argv[1]);
    puts("banner");
    return fclose(out) != 0;
}
"""


def test_parsec_run_hashes_the_output_file(tmp_path):
    directory = tmp_path / "parsec"
    directory.mkdir()
    source = tmp_path / "writer.c"
    source.write_text(WRITER_C)
    writer = directory / "writer"
    subprocess.run(["gcc", "-O2", "-o", str(writer), source], check=True)
    (directory / "writer.args").write_text("in_16 prices.txt\n")
    (directory / "writer.output").write_text("prices.txt\n")
    (directory / "prices.txt").write_text("stale")  # removed before a run
    script = project.root() / "workloads" / "guest" / "parsec-run"
    env = {**os.environ, "PARSEC_ROOT": str(directory)}
    env["TMPDIR"] = str(tmp_path)

    def parsec_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", str(script), "writer", "0", "d"],
            capture_output=True,
            text=True,
            env=env,
        )

    proc = parsec_run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    work = result(proc.stdout)
    assert work["iterations"] == "1"
    md5 = hashlib.md5(b"banner\nprices for in_16\n").hexdigest()
    assert int(work["checksum"]) == int(md5[:15], 16)
    (directory / "writer.args").write_text("in_16 prices.txt quiet\n")
    missing = parsec_run()
    assert missing.returncode == 1
    assert (
        "SCOTCH-WARN parsec:writer wrote no prices.txt (named by "
        "writer.output) in run 1" in missing.stdout
    )
    assert result(missing.stdout)["iterations"] == "0"


@pytest.mark.parametrize(
    "words, extra",
    [([], ""), (["--workloads", "parsec:canneal"], "parsec:canneal")],
)
def test_xen_run_command_passes_the_workloads(monkeypatch, words, extra):
    seen: dict[str, object] = {}

    def run_xen(images, domus, seconds, **kwargs):
        seen.update(kwargs, domus=domus, seconds=seconds)
        return "report"

    monkeypatch.setattr(qemu_xen, "build_images", lambda out, pv_kernel: 0)
    monkeypatch.setattr(qemu_xen, "run_xen", run_xen)
    monkeypatch.setattr(qemu_xen, "_print_report", lambda report: None)
    assert qemu_xen.main(["run", "--domus", "1", *words]) == 0
    assert seen == {
        "domus": 1,
        "seconds": 3,
        "smp": 1,
        "dom0_extra": f"scotch.workloads={extra}" if extra else "",
    }


def test_parsec_hook_refuses_what_cannot_run(tmp_path, monkeypatch):
    directory = tmp_path / "parsec"
    directory.mkdir()
    source = tmp_path / "dyn.c"
    source.write_text("int main(void) { return 0; }\n")
    subprocess.run(["gcc", "-o", str(directory / "dyn"), source], check=True)
    monkeypatch.setenv(guest_image.PARSEC_ENV, str(directory))
    with pytest.raises(ScotchError, match="dynamically linked"):
        guest_image.domu_files()
    (directory / "dyn").unlink()
    (directory / "notes.txt").write_text("no programs here")
    with pytest.raises(ScotchError, match="no executable file"):
        guest_image.domu_files()
    monkeypatch.setenv(guest_image.PARSEC_ENV, str(tmp_path / "absent"))
    with pytest.raises(ScotchError, match="not a directory"):
        guest_image.domu_files()


def test_xen_command_keeps_dom0_s_commas_in_its_module(tmp_path):
    """QEMU splits -initrd at commas: scotch.workloads=pi,naps must reach
    dom0 whole (written ",,"), with dom0's initrd the second module."""
    images = boot_images.XenImages.at(tmp_path, {})
    for path in images.paths():
        path.write_bytes(b"")
    cmd = qemu_xen.xen_command(
        images, 2, 3, dom0_extra="scotch.workloads=pi,naps"
    )
    initrd = cmd[cmd.index("-initrd") + 1]
    items = re.split(r"(?<!,),(?!,)", initrd)
    assert len(items) == 2
    assert items[0].endswith("scotch.workloads=pi,,naps")
    assert items[1] == str(images.dom0_initrd)
