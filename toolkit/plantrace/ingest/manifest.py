"""Corpus manifests: one ``manifest.csv`` per corpus folder, validated all at once.

No row is lost, doubled or shifted silently; each of these is an error naming the line:
a quote left open (it would swallow the rows after it) or a quoted cell running over a line
break that holds what looks like further rows; a row with more fields than the header (unless the extra cells are empty); a row
with fewer fields than the header — also when only trailing optional cells are missing,
since a comma missing in the middle looks the same and shifts values into the wrong
columns; a value under a column without a name; a cell over csv's 128 KiB limit. The
header may not name a column twice. NUL bytes, UTF-16, tab- or semicolon-separated
files are refused. A UTF-8 BOM and blank lines (also Excel's ``,,,,`` lines) are accepted.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.txt").write_text("各位代表：", encoding="utf-8")
>>> _ = (d / "manifest.csv").write_text("doc_id,file,level,region,year\\na,a.txt,city,成都市,2021\\n", encoding="utf-8")
>>> [e.doc_id for e in read_manifest(d)]
['a']
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PlantraceError, Problem, ValidationError
from ..text.normalise import SCRIPTS

COLUMNS = ("doc_id", "file", "title", "issuer", "level", "region", "parent_region", "year",
           "date", "doc_type", "script")
REQUIRED = ("doc_id", "file", "level", "region", "year")
#: Every level a manifest may name, in the documented order (README "Levels of
#: government"): highest first; levels of one rank are told apart by this order.
LEVELS = ("national", "provincial", "city", "prefecture", "new_area", "district", "county",
          "township", "village")
#: Hierarchy rank: lower is higher up. A parent document is one of a lower rank. A
#: prefecture (地区, 自治州, 盟) sits with cities; new_area with districts under a city;
#: township (乡镇, 街道) under a county or district; village (村, 社区) under a township.
LEVEL_RANK = {"national": 0, "provincial": 1, "city": 2, "prefecture": 2, "new_area": 3, "district": 3,
              "county": 4, "township": 5, "village": 6}
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
MANIFEST_NAME = "manifest.csv"


@dataclass(frozen=True)
class ManifestEntry:
    doc_id: str
    file: str
    path: Path
    level: str
    region: str
    year: int
    line: int
    title: str = ""
    issuer: str = ""
    parent_region: str = ""
    date: str = ""
    doc_type: str = ""
    script: str = "auto"
    extra: dict[str, str] = field(default_factory=dict)

    def metadata(self) -> dict[str, object]:
        """The manifest columns as a flat dict (for DataFrames)."""
        return {
            "doc_id": self.doc_id, "file": self.file, "title": self.title, "issuer": self.issuer,
            "level": self.level, "region": self.region, "parent_region": self.parent_region,
            "year": self.year, "date": self.date, "doc_type": self.doc_type, "script": self.script,
        }


def _level_hint(level: str) -> str:
    """The fix for an unknown level: the nearest known one, or the list.

    >>> _level_hint("Provincial"), _level_hint("prefectural")
    ("write 'provincial'", "write 'prefecture'")
    """
    close = difflib.get_close_matches(level.strip().lower(), LEVELS, n=1, cutoff=0.6)
    return f"write {close[0]!r}" if close else "use one of those levels (README: Levels of government)"


def manifest_path(corpus_dir: str | Path) -> Path:
    return Path(corpus_dir) / MANIFEST_NAME


def manifest_sha256(corpus_dir: str | Path) -> str:
    return hashlib.sha256(manifest_path(corpus_dir).read_bytes()).hexdigest()


def _csv_error(exc: csv.Error, shown: str, line: int, last: int) -> PlantraceError:
    """A csv module error as a user error naming the line."""
    text = str(exc)
    if "field larger than field limit" in text:
        return PlantraceError(f"a cell is longer than {csv.field_size_limit() // 1024} KiB (Python's CSV limit)",
                              file=shown, line=line,
                              hint="a quote left open makes one cell of the rest of the file; close it, "
                                   "or keep long text in the document, not the manifest")
    if "unexpected end of data" in text:
        return PlantraceError(f"a quote opened on line {line} is never closed (the rest of the file, "
                              f"to line {last}, would be one cell)", file=shown, line=line,
                              hint='close the quote (write "" for a quote inside a quoted cell)')
    where = f"lines {line}-{last}" if last > line else f"line {line}"
    return PlantraceError(f"the CSV cannot be parsed on {where} ({text}): a quote inside a cell is not "
                          "doubled, or a quote left open runs into a later row", file=shown, line=line,
                          hint='close the quote; write "" for a quote inside a quoted cell')


def _inode(path: Path) -> tuple[int, int]:
    """The file itself, whatever its name: two hard links share it."""
    st = path.stat()
    return (st.st_dev, st.st_ino)


def read_manifest(corpus_dir: str | Path) -> list[ManifestEntry]:
    """Read and validate ``CORPUS/manifest.csv``; raise one error listing every problem."""
    root = Path(corpus_dir)
    path = manifest_path(root)
    shown = str(path)
    if not root.is_dir():
        raise PlantraceError("corpus folder not found", file=str(root),
                             hint="give a folder that holds manifest.csv")
    if not path.is_file():
        raise PlantraceError("no manifest.csv in the corpus folder", file=str(root),
                             hint=f"create {MANIFEST_NAME} with columns {', '.join(REQUIRED)}")
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlantraceError("manifest is UTF-16 (Excel's 'Unicode Text'), not a UTF-8 CSV", file=shown,
                             hint="save it as 'CSV UTF-8 (comma delimited)'")
    try:
        text = data.decode("utf-8-sig")  # Excel writes a BOM; accept it
    except UnicodeDecodeError as exc:
        raise PlantraceError(f"manifest is not UTF-8 (byte {exc.start})", file=shown,
                             line=data.count(b"\n", 0, exc.start) + 1,
                             hint="save the manifest as UTF-8 CSV") from exc
    if "\x00" in text:
        raise PlantraceError("manifest holds NUL bytes (byte "
                             f"{data.index(0)}): it is not a plain CSV text file", file=shown,
                             line=text.count("\n", 0, text.index("\x00")) + 1,
                             hint="save the manifest as UTF-8 CSV (not UTF-16 or a spreadsheet file)")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PlantraceError("manifest is empty", file=shown,
                             hint=f"the first line must name the columns {', '.join(REQUIRED)}")
    header_line = lines[0]
    if header_line.count(";") > header_line.count(",") and "," not in header_line:
        raise PlantraceError("manifest uses semicolons, not commas", file=shown, line=1,
                             hint="save it as comma-separated CSV")
    if "\t" in header_line and "," not in header_line:
        raise PlantraceError("manifest uses tabs, not commas", file=shown, line=1,
                             hint="save it as comma-separated CSV (not tab-separated text)")
    # csv.reader, not DictReader: DictReader skips blank lines silently, so counting its
    # records would give wrong line numbers after a blank line or a multi-line cell.
    # Every row must have exactly the header's fields, and a quoted line break may not
    # hold further rows: an unclosed quote would otherwise swallow the rows after it, a
    # stray comma would drop a row's tail, and a missing comma would shift values into
    # the wrong columns. strict=True makes csv raise on a quote left open at the end of
    # the file and on a quote that closes a cell in the middle of one.
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise _csv_error(exc, shown, 1, reader.line_num) from exc
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise PlantraceError(f"manifest lacks required column(s): {', '.join(missing)}",
                             file=shown, line=1, hint=f"add the column(s) {', '.join(missing)}")
    repeated = sorted({h for h in header if h and header.count(h) > 1}, key=header.index)
    if repeated:
        raise PlantraceError(f"manifest names the column(s) {', '.join(repeated)} twice", file=shown,
                             line=1, hint="give every column its own name, or delete the repeated column")
    rows: list[tuple[int, list[str]]] = []
    shape: list[Problem] = []
    prev_line = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _csv_error(exc, shown, prev_line + 1, reader.line_num) from exc
        spans = reader.line_num > prev_line + 1
        row_no, prev_line = prev_line + 1, reader.line_num  # the physical line the row starts on
        if not any(v.strip() for v in values):
            continue
        swallowed = [ln for v in values for ln in v.splitlines()[1:] if ln.count(",") >= len(header) - 1]
        if swallowed:
            shape.append(Problem(row_no, f"a quoted cell on lines {row_no}-{reader.line_num} holds what looks "
                                 f"like manifest rows ({swallowed[0][:40]!r}…): a quote left open swallows "
                                 "the rows after it", 'close the quote (write "" for a quote inside a quoted cell)'))
            continue
        if len(values) > len(header) and not any(v.strip() for v in values[len(header):]):
            values = values[:len(header)]  # trailing empty cells (a stray comma) lose nothing
        if len(values) != len(header):
            more = len(values) > len(header)
            quote = f" (lines {row_no}-{reader.line_num} read as one row: a quote left open?)" if spans else ""
            shape.append(Problem(row_no, f"row has {len(values)} fields, the header has {len(header)} columns{quote}",
                                 "put a cell that holds a comma in double quotes" if more else
                                 "add the missing commas: every row needs one cell per column, empty or not"))
            continue
        # A column without a name (Excel's trailing empty columns) may only hold empty cells.
        unnamed = [i + 1 for i, h in enumerate(header) if not h and values[i].strip()]
        if unnamed:
            shape.append(Problem(row_no, f"column {unnamed[0]} has a value but no name in the header",
                                 "name the column in the first line, or move the value to its column"))
            continue
        rows.append((row_no, values))
    if shape:
        raise ValidationError(shown, shape)
    problems: list[Problem] = []
    entries: list[ManifestEntry] = []
    seen_ids: dict[str, int] = {}
    seen_files: dict[Path, int] = {}
    seen_inodes: dict[tuple[int, int], tuple[int, str]] = {}
    root_resolved = root.resolve()
    for row_no, values in rows:
        row = {k: (v or "").strip() for k, v in zip(header, values)}
        for col in REQUIRED:
            if not row.get(col):
                problems.append(Problem(row_no, f"{col} is empty", f"fill in {col}"))
        doc_id = row.get("doc_id", "")
        if doc_id and not _DOC_ID.match(doc_id):
            problems.append(Problem(row_no, f"doc_id {doc_id!r} has characters other than "
                                    "letters, digits, _ . -", "use an ASCII id such as chengdu_2020"))
        if doc_id in seen_ids:
            problems.append(Problem(row_no, f"doc_id {doc_id!r} repeats row {seen_ids[doc_id]}",
                                    "give every document its own doc_id"))
        elif doc_id:
            seen_ids[doc_id] = row_no
        level = row.get("level", "")
        if level and level not in LEVELS:
            problems.append(Problem(row_no, f"level {level!r} is not one of {', '.join(LEVELS)}",
                                    _level_hint(level)))
        year_text = row.get("year", "")
        year = 0
        if year_text:
            if re.fullmatch(r"\d{4}", year_text) and 1900 <= int(year_text) <= 2100:
                year = int(year_text)
            else:
                problems.append(Problem(row_no, f"year {year_text!r} is not a four-digit year",
                                        "write the year such as 2021"))
        script = row.get("script") or "auto"
        if script not in SCRIPTS:
            problems.append(Problem(row_no, f"script {script!r} is not one of {', '.join(SCRIPTS)}",
                                    "use auto if unsure"))
        file = row.get("file", "")
        file_path = root / file
        if file:
            resolved = file_path.resolve()
            if Path(file).is_absolute() or not resolved.is_relative_to(root_resolved):
                problems.append(Problem(row_no, f"file {file!r} lies outside the corpus folder",
                                        "put the document inside the corpus folder and give a relative path"))
                continue
            if not file_path.is_file():
                problems.append(Problem(row_no, f"file {file!r} not found",
                                        f"check the name, or copy the file into {root}"))
            elif resolved in seen_files:
                problems.append(Problem(row_no, f"file {file!r} is listed twice (row {seen_files[resolved]})",
                                        "list each document once"))
            elif _inode(file_path) in seen_inodes:
                other_row, other_file = seen_inodes[_inode(file_path)]
                problems.append(Problem(row_no, f"file {file!r} is the same file as {other_file!r} of row "
                                        f"{other_row} (a hard link): it would be counted twice",
                                        "list each document once"))
            else:
                seen_files[resolved] = row_no
                seen_inodes[_inode(file_path)] = (row_no, file)
        extra = {k: v for k, v in row.items() if k and k not in COLUMNS}
        entries.append(ManifestEntry(
            doc_id=doc_id, file=file, path=file_path, level=level, region=row.get("region", ""),
            year=year, line=row_no, title=row.get("title", ""), issuer=row.get("issuer", ""),
            parent_region=row.get("parent_region", ""), date=row.get("date", ""),
            doc_type=row.get("doc_type", ""), script=script, extra=extra,
        ))
    if problems:
        raise ValidationError(shown, problems)
    if not entries:
        raise PlantraceError("manifest lists no documents", file=shown,
                             hint="add one row per document")
    return entries
