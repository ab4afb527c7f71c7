"""Corpus manifests: one ``manifest.csv`` per corpus folder, validated all at once.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.txt").write_text("各位代表：", encoding="utf-8")
>>> _ = (d / "manifest.csv").write_text("doc_id,file,level,region,year\\na,a.txt,city,成都市,2021\\n", encoding="utf-8")
>>> [e.doc_id for e in read_manifest(d)]
['a']
"""

from __future__ import annotations

import csv
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
LEVELS = ("national", "provincial", "city", "new_area", "district", "county")
#: Hierarchy rank: lower is higher up. new_area sits with districts under a city.
LEVEL_RANK = {"national": 0, "provincial": 1, "city": 2, "new_area": 3, "district": 3, "county": 4}
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


def manifest_path(corpus_dir: str | Path) -> Path:
    return Path(corpus_dir) / MANIFEST_NAME


def manifest_sha256(corpus_dir: str | Path) -> str:
    return hashlib.sha256(manifest_path(corpus_dir).read_bytes()).hexdigest()


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
    try:
        text = data.decode("utf-8-sig")  # Excel writes a BOM; accept it
    except UnicodeDecodeError as exc:
        raise PlantraceError(f"manifest is not UTF-8 (byte {exc.start})", file=shown,
                             line=data.count(b"\n", 0, exc.start) + 1,
                             hint="save the manifest as UTF-8 CSV") from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PlantraceError("manifest is empty", file=shown,
                             hint=f"the first line must name the columns {', '.join(REQUIRED)}")
    header_line = lines[0]
    if header_line.count(";") > header_line.count(",") and "," not in header_line:
        raise PlantraceError("manifest uses semicolons, not commas", file=shown, line=1,
                             hint="save it as comma-separated CSV")
    # csv.reader, not DictReader: DictReader skips blank lines silently, so counting its
    # records would give wrong line numbers after a blank line or a multi-line cell.
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise PlantraceError(f"manifest lacks required column(s): {', '.join(missing)}",
                             file=shown, line=1, hint=f"add the column(s) {', '.join(missing)}")
    problems: list[Problem] = []
    entries: list[ManifestEntry] = []
    seen_ids: dict[str, int] = {}
    seen_files: dict[Path, int] = {}
    root_resolved = root.resolve()
    prev_line = reader.line_num
    for values in reader:
        row_no, prev_line = prev_line + 1, reader.line_num  # the physical line the row starts on
        row = {k: (v or "").strip() for k, v in zip(header, values)}
        if not any(row.values()):
            continue
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
                                    "use one of those levels"))
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
            else:
                seen_files[resolved] = row_no
        extra = {k: v for k, v in row.items() if k not in COLUMNS}
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
