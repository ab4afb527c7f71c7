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
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return out


def write_frame(frame: pd.DataFrame, path: str | Path, *, excel: bool = False, force: bool = False) -> Path:
    """Write a DataFrame as CSV (or Parquet by suffix) atomically; refuse to overwrite
    without ``force``. ``excel`` writes UTF-8 with a BOM so Excel opens Chinese correctly."""
    target = Path(path)
    if target.exists() and not force:
        raise PlantraceError("output file exists", file=str(target), hint="pass --force to overwrite, or choose another path")
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
