"""Issue 12, "never cost a researcher their data, never change the numbers silently":
manifest rows, lexicon keys, encodings and a wrongly declared script. Every case is a
real bundled file (the Chengdu manifest and documents, the bundled lexicon) damaged the
way real corpora are, in tmp_path; each must be an error naming the file and line, or
give exactly the undamaged result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plantrace.errors import PlantraceError, ValidationError
from plantrace.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
CHENGDU = CORPORA / "chengdu"
MANIFEST_LINES = (CHENGDU / "manifest.csv").read_text(encoding="utf-8").splitlines()
HEADER, ROWS = MANIFEST_LINES[0], MANIFEST_LINES[1:]
N_COLUMNS = HEADER.count(",") + 1


def _chengdu_copy(tmp_path: Path, manifest: str | bytes) -> Path:
    """The Chengdu documents in tmp_path, under the given manifest."""
    root = tmp_path / "chengdu"
    root.mkdir(parents=True)
    for p in CHENGDU.glob("*.txt"):
        shutil.copy(p, root / p.name)
    data = manifest.encode("utf-8") if isinstance(manifest, str) else manifest
    (root / "manifest.csv").write_bytes(data)
    return root


def _manifest_error(root: Path) -> PlantraceError:
    with pytest.raises(PlantraceError) as info:
        read_manifest(root)
    err = info.value
    assert err.file == str(root / "manifest.csv")
    assert "Traceback" not in str(err)
    return err


def _lines(err: PlantraceError) -> list[int | None]:
    return [p.line for p in err.problems] if isinstance(err, ValidationError) else [err.line]


# ---- 1. manifest rows lost ---------------------------------------------------------------

def _with_title(row: str, title: str) -> str:
    cells = row.split(",")
    cells[2] = title
    return ",".join(cells)


def test_bundled_manifest_still_loads_whole(tmp_path: Path) -> None:
    root = _chengdu_copy(tmp_path, "\n".join(MANIFEST_LINES) + "\n")
    assert [e.doc_id for e in read_manifest(root)] == [r.split(",")[0] for r in ROWS]
    # Excel's stray trailing comma and blank ",,,," rows lose nothing.
    rows = [ROWS[0] + ",", "," * (N_COLUMNS - 1)] + ROWS[1:]
    root2 = _chengdu_copy(tmp_path / "x", "\n".join([HEADER] + rows) + "\n")
    assert len(read_manifest(root2)) == 5


def test_unclosed_quote_never_swallows_rows(tmp_path: Path) -> None:
    # (a) open to the end of the file: once this read as 2 of the 5 documents, exit 0.
    rows = list(ROWS)
    rows[1] = _with_title(rows[1], '"成都市青羊区国民经济')
    err = _manifest_error(_chengdu_copy(tmp_path / "a", "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [3] and "never closed" in str(err)
    # (b) closed by the quote of a later quoted cell.
    rows = list(ROWS)
    rows[1] = _with_title(rows[1], '"成都市青羊区国民经济')
    rows[3] = _with_title(rows[3], '"新都区署名文章"')
    err = _manifest_error(_chengdu_copy(tmp_path / "b", "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [3] and "quote" in str(err)
    # (c) closed by a stray quote that ends a cell: the row in between is swallowed.
    rows = list(ROWS)
    rows[1] = _with_title(rows[1], '"成都市青羊区国民经济')
    rows[3] = _with_title(rows[3], '新都区署名文章"')
    err = _manifest_error(_chengdu_copy(tmp_path / "c", "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [3] and "quote left open" in str(err)


def test_row_with_more_fields_than_the_header(tmp_path: Path) -> None:
    rows = list(ROWS)
    rows[2] = _with_title(rows[2], "青羊区2021年政府工作报告,图解")  # an unquoted comma
    err = _manifest_error(_chengdu_copy(tmp_path, "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [4]
    assert f"row has {N_COLUMNS + 1} fields, the header has {N_COLUMNS} columns" in str(err)
    assert "double quotes" in str(err)


def test_row_with_fewer_fields_than_the_header(tmp_path: Path) -> None:
    rows = list(ROWS)
    rows[0] = rows[0].rsplit(",", 1)[0]          # script cell left out
    rows[4] = rows[4].replace(",2022-08-30,", ",")  # date left out: doc_type would shift
    err = _manifest_error(_chengdu_copy(tmp_path, "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [2, 6]
    assert f"row has {N_COLUMNS - 1} fields, the header has {N_COLUMNS} columns" in err.problems[0].message


def test_repeated_column_name(tmp_path: Path) -> None:
    header = HEADER + ",script"
    rows = [r + ",simplified" for r in ROWS]
    err = _manifest_error(_chengdu_copy(tmp_path, "\n".join([header] + rows) + "\n"))
    assert err.line == 1 and "names the column(s) script twice" in str(err)


def test_nul_bytes_tabs_and_huge_cells(tmp_path: Path) -> None:
    text = "\n".join(MANIFEST_LINES) + "\n"
    nul = text.replace(ROWS[2], ROWS[2][:20] + "\x00" + ROWS[2][20:])
    err = _manifest_error(_chengdu_copy(tmp_path / "nul", nul))
    assert err.line == 4 and "NUL" in str(err)
    tabs = text.replace(",", "\t")
    err = _manifest_error(_chengdu_copy(tmp_path / "tab", tabs))
    assert err.line == 1 and "manifest uses tabs, not commas" in str(err)
    rows = list(ROWS)
    rows[3] = _with_title(rows[3], "新都区" * 50_000)  # 150,000 characters
    err = _manifest_error(_chengdu_copy(tmp_path / "big", "\n".join([HEADER] + rows) + "\n"))
    assert err.line == 5 and "128 KiB" in str(err)
