"""User-facing errors: each names the file (and line or row) and how to fix it.

The CLI prints ``str(error)`` on one line and exits with code 2; only ``--debug``
shows a traceback.

>>> str(PlantraceError("year is not a number", file="corpora/x/manifest.csv", line=3, hint="write a year such as 2021"))
'corpora/x/manifest.csv:3: year is not a number (fix: write a year such as 2021)'
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable


class PlantraceError(Exception):
    """A mistake in the user's input, reported without a traceback."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        self.message, self.file, self.line, self.hint = message, file, line, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        fix = f" (fix: {self.hint})" if self.hint else ""
        return f"{where}{self.message}{fix}"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` for the nearest known word, or ``""``.

    >>> did_you_mean("gdp_growht", ["gdp_growth", "cpi"]), did_you_mean("zzz", ["cpi"])
    ("did you mean 'gdp_growth'? ", '')
    """
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a file of many rows."""

    line: int | None
    message: str
    hint: str = ""

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {self.message}" + (f" (fix: {self.hint})" if self.hint else "")


class ValidationError(PlantraceError):
    """Every problem of one file at once, so the user fixes them in one pass."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (+{len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first.message + more, file=file, line=first.line, hint=first.hint or None)

    def report(self) -> str:
        return "\n".join(p.render(self.file or "") for p in self.problems)
