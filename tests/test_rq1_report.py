"""RQ1 results: rows, the table, CSV round trip, the PNG."""

from __future__ import annotations

import dataclasses
import math
import struct
from pathlib import Path

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments.rq1_report import (
    CSV_COLUMNS,
    PAPER_REFERENCE,
    RatioRow,
    format_table,
    max_scotch_error,
    plot,
    ratio,
    read_csv,
    write_csv,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def rows() -> list[RatioRow]:
    """Severities 0 and 10: Scotch close to truth, Xen fooled."""
    return [
        RatioRow.from_times(
            0, scotch=(100.0, 100.0), xen=(3.0, 3.0), truth=(99.0, 100.0)
        ),
        RatioRow.from_times(
            10,
            scotch=(1400.0, 1000.0),
            xen=(3.0, 3.0),
            truth=(1390.0, 1000.0),
        ),
    ]


def repeated() -> list[RatioRow]:
    out = rows()
    out.append(
        RatioRow.from_times(
            10,
            scotch=(1350.0, 1000.0),
            xen=(3.1, 3.0),
            truth=(1370.0, 1000.0),
            repeat=1,
        )
    )
    return out


# -- rows ---------------------------------------------------------------------


def test_from_times_keeps_raw_numbers_and_ratios():
    row = rows()[1]
    assert row.severity == 10 and row.repeat == 0
    assert row.scotch == pytest.approx(1.4)
    assert row.truth == pytest.approx(1.39)
    assert row.xen == 1.0
    assert (row.scotch_attacker, row.scotch_victim) == (1400.0, 1000.0)
    assert (row.xen_attacker, row.xen_victim) == (3.0, 3.0)
    assert (row.truth_attacker, row.truth_victim) == (1390.0, 1000.0)
    assert row.scotch_minus_truth == pytest.approx(0.01)
    assert row.xen_minus_truth == pytest.approx(-0.39)


def test_ratio_of_nothing():
    assert ratio(5, 0) == math.inf
    assert math.isnan(ratio(0, 0))
    assert ratio(0, 5) == 0


def test_row_is_frozen_and_typed():
    row = rows()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.scotch = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="severity"):
        dataclasses.replace(row, severity=True)


def test_max_scotch_error():
    assert max_scotch_error(rows()) == pytest.approx(0.01)
    assert max_scotch_error(repeated()) == pytest.approx(0.02)
    assert math.isnan(max_scotch_error([]))


def test_paper_reference():
    assert PAPER_REFERENCE.truth[0] == (0, 0.99)
    assert PAPER_REFERENCE.truth[-1] == (10, 1.39)
    assert PAPER_REFERENCE.scotch_tolerance == 0.02


# -- the table ----------------------------------------------------------------


def test_table_text():
    assert format_table(rows()) == (
        "severity  ground truth    Scotch       Xen  |Scotch - truth|\n"
        "------------------------------------------------------------\n"
        "       0         0.990     1.000     1.000             0.010\n"
        "      10         1.390     1.400     1.000             0.010\n"
        "max |Scotch - truth|: 0.010 (paper: within 0.02; Leach, Zhang, "
        "Weimer, RAID 2017, RQ1)\n"
    )


def test_table_sorts_and_shows_runs_with_repeats():
    table = format_table(list(reversed(repeated())), reference=None)
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["severity", "run"]
    assert [line.split()[:2] for line in lines[2:5]] == [
        ["0", "0"],
        ["10", "0"],
        ["10", "1"],
    ]
    assert lines[4].split()[2:] == ["1.370", "1.350", "1.033", "0.020"]
    assert lines[-1] == "max |Scotch - truth|: 0.020"


def test_table_columns_line_up():
    lines = format_table(repeated()).splitlines()[:-1]
    assert len({len(line) for line in lines}) == 1


def test_table_shows_missing_numbers():
    row = RatioRow.from_times(
        5, scotch=(1.0, 0.0), xen=(0.0, 0.0), truth=(1.0, 1.0)
    )
    line = format_table([row]).splitlines()[2]
    assert line.split() == ["5", "1.000", "inf", "nan", "inf"]


# -- CSV ----------------------------------------------------------------------


def test_csv_round_trip(tmp_path):
    path = write_csv(repeated(), tmp_path / "deep" / "rq1.csv")
    assert path == tmp_path / "deep" / "rq1.csv"
    assert read_csv(path) == repeated()


def test_csv_header_and_exact_floats(tmp_path):
    row = RatioRow.from_times(
        3, scotch=(1.0, 3.0), xen=(2.0, 3.0), truth=(0.1, 0.3)
    )
    path = write_csv([row], tmp_path / "r.csv")
    header, line = path.read_text().splitlines()
    assert header == ",".join(CSV_COLUMNS)
    cells = dict(zip(CSV_COLUMNS, line.split(","), strict=True))
    assert cells["severity"] == "3" and cells["repeat"] == "0"
    assert float(cells["scotch"]) == 1.0 / 3.0
    assert float(cells["scotch_minus_truth"]) == row.scotch_minus_truth
    assert read_csv(path) == [row]


def test_csv_round_trip_of_missing_numbers(tmp_path):
    row = RatioRow.from_times(
        5, scotch=(1.0, 0.0), xen=(0.0, 0.0), truth=(1.0, 1.0)
    )
    (back,) = read_csv(write_csv([row], tmp_path / "r.csv"))
    assert back.scotch == math.inf and math.isnan(back.xen)


def test_csv_without_repeat_column(tmp_path):
    path = tmp_path / "r.csv"
    columns = [c for c in CSV_COLUMNS if c != "repeat"]
    path.write_text(
        ",".join(columns) + "\n" + ",".join(["7"] + ["1.5"] * 10) + "\n"
    )
    (row,) = read_csv(path)
    assert (row.severity, row.repeat, row.xen_victim) == (7, 0, 1.5)


def test_csv_missing_column(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("severity,scotch\n0,1.0\n")
    with pytest.raises(ScotchError) as info:
        read_csv(path)
    message = str(info.value)
    assert message.startswith(f"{path}:1: not an RQ1 results CSV")
    assert message.endswith(
        "missing truth, xen, truth_attacker, "
        "truth_victim, scotch_attacker, scotch_victim, "
        "xen_attacker, xen_victim"
    )


def test_csv_bad_number_names_line_and_column(tmp_path):
    path = write_csv(rows(), tmp_path / "r.csv")
    lines = path.read_text().splitlines()
    cells = lines[2].split(",")
    cells[CSV_COLUMNS.index("truth")] = "oops"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScotchError) as info:
        read_csv(path)
    assert str(info.value) == (
        f"{path}:3: column truth: expected a number, found 'oops'"
    )


def test_csv_missing_file(tmp_path):
    with pytest.raises(ScotchError, match="cannot read"):
        read_csv(tmp_path / "none.csv")


# -- the figure ---------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert data.rstrip(b"\0")[-8:-4] == b"IEND"
    return width, height


def test_plot_writes_a_png(tmp_path):
    path = plot(rows(), tmp_path / "out" / "rq1.png")
    assert path == tmp_path / "out" / "rq1.png"
    assert path.stat().st_size > 1000
    width, height = png_size(path)
    assert width > 100 and height > 100


def test_plot_with_repeats_and_without_reference(tmp_path):
    path = plot(repeated(), tmp_path / "rq1.png", reference=None, title="x")
    assert path.stat().st_size > 0
    png_size(path)


def test_replot_from_csv(tmp_path):
    csv_path = write_csv(repeated(), tmp_path / "rq1.csv")
    path = plot(read_csv(csv_path), tmp_path / "again.png")
    png_size(path)


def test_plot_survives_missing_numbers(tmp_path):
    bad = RatioRow.from_times(
        5, scotch=(1.0, 0.0), xen=(0.0, 0.0), truth=(1.0, 1.0)
    )
    png_size(plot([*rows(), bad], tmp_path / "rq1.png"))


def test_plot_needs_rows(tmp_path):
    with pytest.raises(ScotchError, match="no results"):
        plot([], tmp_path / "rq1.png")
    assert not (tmp_path / "rq1.png").exists()


def test_a_view_without_time_for_the_victim_is_named():
    """A ratio that is not a number is never a row: rq1.row_of raises with
    these reasons instead."""
    from scotch_plugin.experiments.rq1_report import RatioRow

    row = RatioRow.from_times(3, scotch=(10, 5), xen=(1.2, 0.0), truth=(0, 0))
    assert row.invalid_views() == [
        "xen ratio inf (attacker 1.2, victim 0.0)",
        "truth ratio nan (attacker 0.0, victim 0.0)",
    ]
    good = RatioRow.from_times(3, scotch=(10, 5), xen=(2, 1), truth=(4, 2))
    assert good.invalid_views() == []
