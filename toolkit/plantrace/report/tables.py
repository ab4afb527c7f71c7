"""The one table writer, and atomic writes: a temporary file in the same folder, then an
atomic rename, so an interrupted run never leaves a half-written file behind.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> write_text_atomic(p, "公园城市\\n"); p.read_text(encoding="utf-8")
'公园城市\\n'
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import PlantraceError
from .guard import os_error


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    # mkstemp creates the file readable by its owner only; outputs get the usual mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes_atomic(path, text.encode(encoding))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Only text columns are touched: a negative number stays a number.

    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "公园城市"], "b": [-1, 2]})).values.tolist()
    [["'=1+1", -1], ['公园城市', 2]]
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if not (values.dtype == object or str(values.dtype).startswith("str")):
            continue
        try:
            # Vectorised: a Python call per cell was 0.15 s of a 1.5 s command (85 k cells).
            # Non-text cells of an object column give NaN here, so they stay as they are.
            risky = values.str.startswith(_FORMULA_START).fillna(False).astype(bool)
        except AttributeError:  # an object column without a single string
            continue
        if risky.any():
            out[col] = values.where(~risky, "'" + values[risky].astype(str))
    return out


#: What ``--out`` may end in: the format is chosen by the file's extension.
TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """A real Excel workbook (openpyxl) of one sheet: a header row, then the rows. Text
    that looks like a formula (``=HYPERLINK(…)``) is stored as text, never as a formula.

    >>> import openpyxl, io
    >>> book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(pd.DataFrame({"词": ["公园城市", "=1+1"], "n": [3, None]}))))
    >>> [[c.value for c in row] for row in book.active.iter_rows()]
    [['词', 'n'], ['公园城市', 3], ['=1+1', None]]
    >>> book.active["A3"].data_type
    's'
    """
    import openpyxl  # type: ignore[import-untyped]  # no stubs installed

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        ws.append([None if (v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT)
                   else (v if isinstance(v, (str, int, float, bool)) else str(v)) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def write_frame(frame: pd.DataFrame, path: str | Path, *, excel: bool = False, force: bool = False) -> Path:
    """Write a DataFrame atomically in the format of its extension: ``.csv``,
    ``.parquet``, ``.xlsx`` (a real workbook) or ``.json`` (records); any other
    extension is an error. Refuse to overwrite without ``force``. ``excel`` writes CSV
    as UTF-8 with a BOM so Excel opens Chinese correctly."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise PlantraceError(f"unknown output format {target.suffix or '(no extension)'!r}", file=str(target),
                             hint=f"end the file name in {', '.join(TABLE_SUFFIXES)}")
    if target.exists() and not force:
        raise PlantraceError("output file exists", file=str(target), hint="pass --force to overwrite, or choose another path")
    if suffix == ".xlsx":
        write_bytes_atomic(target, xlsx_bytes(frame))
        return target
    if suffix == ".json":
        write_bytes_atomic(target, frame.to_json(orient="records", force_ascii=False).encode("utf-8"))
        return target
    if target.suffix.lower() == ".parquet":
        buf = io.BytesIO()
        try:
            frame.to_parquet(buf, index=False)
        except ImportError as exc:
            raise PlantraceError("writing Parquet needs pyarrow", file=str(target),
                                 hint="pip install pyarrow, or write .csv (--format csv)") from exc
        _write_or_say(target, buf.getvalue())
        return target
    text = neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")
    _write_or_say(target, text.encode("utf-8-sig" if excel else "utf-8"))
    return target


def _write_or_say(target: Path, data: bytes) -> None:
    """Write, or say why not in one line (a full disk as such); nothing half-written stays."""
    try:
        write_bytes_atomic(target, data)
    except OSError as exc:
        raise os_error(exc, target) from exc
