"""Output paths that can never cost the user their data.

An output may never be, contain or lie inside a corpus folder or an input file (a
manifest, a raw document, a lexicon); ``--force`` replaces only a folder plantrace
itself wrote, which it marks with a :data:`MARKER` file, and only a file, never a
folder, where a table goes. Every check runs before any work.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp()); (root / "c").mkdir()
>>> check_output(root / "c" / "out", [root / "c"], folder=True)
Traceback (most recent call last):
...
plantrace.errors.PlantraceError: ...: the output would lie inside the input ... (fix: choose an --out outside the corpus folders and input files)
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Iterable

from ..errors import PlantraceError

#: The file that marks a folder plantrace wrote (``--force`` replaces only such folders).
MARKER = ".plantrace-output"
MARKER_TEXT = "This folder was written by plantrace; `--force` may replace it.\n"


def _resolved(path: str | Path) -> Path:
    return Path(os.path.abspath(os.path.realpath(path)))


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_not_input(target: str | Path, inputs: Iterable[str | Path], *, option: str = "--out") -> None:
    """Refuse ``target`` if it is, contains or lies inside one of ``inputs``."""
    out = _resolved(target)
    for item in inputs:
        src = _resolved(item)
        if _inside(out, src):
            what = "is" if out == src else "would lie inside"
            raise PlantraceError(f"the output {what} the input {item}", file=str(target),
                                 hint=f"choose an {option} outside the corpus folders and input files")
        if _inside(src, out):
            raise PlantraceError(f"the output would contain the input {item} (replacing it would delete it)",
                                 file=str(target), hint=f"choose an {option} outside the corpus folders and input files")


def check_output(target: str | Path, inputs: Iterable[str | Path], *, folder: bool, force: bool = False,
                 option: str = "--out") -> None:
    """Refuse ``target`` if it is, contains or lies inside one of ``inputs`` (corpus folders
    and input files), or if it exists and ``force`` may not replace it."""
    check_not_input(target, inputs, option=option)
    p = Path(target)
    if not (p.exists() or p.is_symlink()):
        return
    if not force:
        raise PlantraceError("output folder exists" if folder else "output file exists", file=str(target),
                             hint=f"pass --force to replace it, or choose another {option}")
    if folder:
        if not p.is_dir():
            raise PlantraceError("the output exists and is not a folder", file=str(target),
                                 hint=f"choose another {option}")
        if not (p / MARKER).is_file():
            raise PlantraceError(f"--force replaces only a folder plantrace wrote (it holds {MARKER}); "
                                 "this one was not", file=str(target),
                                 hint=f"choose another {option}, or move the folder away yourself")
    elif not p.is_file():
        raise PlantraceError("the output exists and is not a file (--force replaces only a file)", file=str(target),
                             hint=f"give {option} a file name, e.g. {Path(target) / 'table.csv'}")


def os_error(exc: OSError, path: str | Path) -> PlantraceError:
    """An OSError met while writing outputs, said plainly (a full disk as such)."""
    if exc.errno == errno.ENOSPC:
        return PlantraceError("the disk is full; nothing was written", file=str(path),
                              hint="free some space, or choose an --out on another disk")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PlantraceError(f"cannot write here ({exc.strerror})", file=str(path),
                              hint="choose a writable --out folder")
    return PlantraceError(f"cannot write the output ({exc.strerror or exc})", file=str(path),
                          hint="choose another --out")


def check_writable(folder: str | Path, option: str = "--out") -> None:
    """The nearest existing ancestor of ``folder`` must be a writable folder."""
    p = Path(os.path.abspath(folder))
    while not p.exists() and p != p.parent:
        p = p.parent
    if not p.is_dir():
        raise PlantraceError("cannot create the output folder (a file is in the way)", file=str(p),
                             hint=f"choose another {option}")
    if not os.access(p, os.W_OK | os.X_OK):
        raise PlantraceError("cannot create the output folder (not writable)", file=str(folder),
                             hint=f"choose a writable {option} folder")
