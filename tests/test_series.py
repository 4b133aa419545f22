"""`scotch gem5 patch`: checks, all-or-nothing apply, clear refusals.

A small git repository stands in for the gem5 tree.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from scotch_plugin.cli import main
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import pin, series

GIT_ID = ["-c", "user.name=t", "-c", "user.email=t@t"]


def git(tree: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *GIT_ID, "-C", str(tree), *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return out.stdout.strip()


def snapshot(tree: Path) -> dict[str, str]:
    return {
        str(p.relative_to(tree)): p.read_text()
        for p in sorted(tree.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


@pytest.fixture
def fake(tmp_path: Path):
    """A fake gem5 checkout and a two-patch series against it."""
    tree = tmp_path / "gem5"
    tree.mkdir()
    git(tree, "init", "-q")
    (tree / "SConstruct").write_text("# gem5\n")
    (tree / "src").mkdir()
    (tree / "src" / "a.py").write_text("".join(f"a{i}\n" for i in range(20)))
    (tree / "src" / "b.cc").write_text("int b;\n")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "base")
    base = git(tree, "rev-parse", "HEAD")

    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(tree), str(work))
    a = (work / "src" / "a.py").read_text().replace("a3\n", "a3 patched\n")
    (work / "src" / "a.py").write_text(a)
    git(work, "commit", "-qam", "first")
    a = a.replace("a3 patched\n", "a3 patched twice\n")
    (work / "src" / "a.py").write_text(a)
    (work / "src" / "b.cc").write_text("int b = 1;\n")
    git(work, "commit", "-qam", "second")

    patches = tmp_path / "src_patches"
    (patches / "patches").mkdir(parents=True)
    git(work, "format-patch", "-q", "-o", str(patches / "patches"),
        f"{base}..HEAD")  # fmt: skip
    names = sorted(p.name for p in (patches / "patches").iterdir())
    (patches / "series").write_text(
        "# test series\n" + "".join(f"patches/{n}\n" for n in names)
    )
    (patches / "gem5.pin").write_text(f"tag: v0-test\ncommit: {base}\n")
    return tree, patches, base


def test_applies_then_says_already_applied(fake):
    tree, patches, _ = fake
    first = series.apply(tree, patches)
    assert len(first.applied) == 2 and first.message == "applied 2 patches"
    assert "a3 patched twice" in (tree / "src" / "a.py").read_text()
    again = series.apply(tree, patches)
    assert again.applied == [] and again.message.startswith("already")
    assert "a3 patched twice" in (tree / "src" / "a.py").read_text()


def test_finishes_a_half_applied_tree(fake):
    tree, patches, _ = fake
    first = series.read_series(patches)[0]
    git(tree, "apply", str(first))
    result = series.apply(tree, patches)
    assert len(result.already) == 1 and len(result.applied) == 1
    assert (tree / "src" / "b.cc").read_text() == "int b = 1;\n"


def test_conflicting_tree_is_left_unchanged(fake):
    tree, patches, _ = fake
    a = tree / "src" / "a.py"
    a.write_text(a.read_text().replace("a3\n", "a3 local edit\n"))
    before = snapshot(tree)
    with pytest.raises(ScotchError, match="conflicts with the series at 0001"):
        series.apply(tree, patches)
    assert snapshot(tree) == before


def test_conflict_in_a_later_patch_changes_nothing(fake):
    tree, patches, _ = fake
    (tree / "src" / "b.cc").write_text("int b = 2;\n")
    before = snapshot(tree)
    with pytest.raises(ScotchError, match="at 0002.*nothing was changed"):
        series.apply(tree, patches)
    assert snapshot(tree) == before


def test_other_commit_is_refused(fake):
    tree, patches, base = fake
    (tree / "README").write_text("later\n")
    git(tree, "add", "README")
    git(tree, "commit", "-qm", "later")
    before = snapshot(tree)
    with pytest.raises(
        ScotchError,
        match=f"series is for gem5 v0-test "
        f"\\({base[:12]}\\).*checkout {base}",
    ):
        series.apply(tree, patches)
    assert snapshot(tree) == before


def test_series_committed_on_top_counts_as_applied(fake):
    tree, patches, _ = fake
    series.apply(tree, patches)
    git(tree, "commit", "-qam", "scotch series")
    assert series.apply(tree, patches).message.startswith("already")


def test_wrong_paths_are_refused(fake, tmp_path):
    _, patches, _ = fake
    with pytest.raises(ScotchError, match="no such directory"):
        series.apply(tmp_path / "nope", patches)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScotchError, match="not a directory"):
        series.apply(tmp_path / "file", patches)
    with pytest.raises(ScotchError, match="not a gem5 source tree"):
        series.apply(patches, patches)


def test_tree_without_git_is_refused(fake, tmp_path):
    tree, patches, _ = fake
    copy = tmp_path / "tarball"
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns(".git"))
    with pytest.raises(ScotchError, match="not a git checkout"):
        series.apply(copy, patches)


def test_series_naming_a_missing_patch_is_refused(fake):
    tree, patches, _ = fake
    (patches / "series").write_text("patches/0009-missing.patch\n")
    with pytest.raises(ScotchError, match=r"series:1: patch .*0009"):
        series.apply(tree, patches)


@pytest.mark.parametrize(
    "text, field",
    [
        ("tag: v1\ncommit: abc\n", "commit"),
        ("commit: " + "a" * 40 + "\n", "tag"),
        ("tag: v1\ncommit: " + "a" * 40 + "\nextra: 1\n", "extra"),
    ],
)
def test_bad_pin_files_name_the_field(tmp_path, text, field):
    path = tmp_path / "gem5.pin"
    path.write_text(text)
    with pytest.raises(ScotchError, match=f"{path}.*{field}"):
        pin.load(path)


def test_cli_reports_errors_in_one_line(tmp_path, capsys):
    assert main(["gem5", "patch", "--gem5", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no such directory" in err


def test_real_series_is_well_formed():
    src = ROOT / "src_patches"
    the_pin = pin.load(src / "gem5.pin")
    assert the_pin.tag == "v24.0.0.1"
    assert the_pin.commit == "b1a44b89c7bae73fae2dc547bc1f871452075b85"
    patches = series.read_series(src)
    for number, patch in enumerate(patches, 1):
        assert patch.name.startswith(f"{number:04d}-"), patch.name
        stat = subprocess.run(
            ["git", "apply", "--numstat", str(patch)],
            check=True, stdout=subprocess.PIPE, text=True, cwd="/",
        ).stdout  # fmt: skip
        paths = [line.split("\t")[2] for line in stat.splitlines()]
        assert paths and all(p.startswith("src/") for p in paths), paths
    listed = {p.name for p in patches}
    assert {p.name for p in (src / "patches").glob("*.patch")} == listed
