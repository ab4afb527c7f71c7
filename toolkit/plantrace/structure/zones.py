"""Zones: label front matter, body and back matter instead of deleting them.

Patterns live in ``data/zones.yaml`` (researchers can pass their own file).
Counting uses the body; front and back matter stay in the text and citable.

>>> text = "来源：日报\\n各位代表：\\n现在，我代表政府报告工作。\\n本作品是中华人民共和国的法律"
>>> [(z.name, text[z.start:z.end][:2]) for z in detect_zones(text)]
[('front', '来源'), ('body', '各位'), ('back', '本作')]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

import yaml

from ..errors import PlantraceError

ZONE_NAMES = ("front", "body", "back")


@dataclass(frozen=True)
class Zone:
    name: str
    start: int
    end: int
    why: str = ""


@dataclass(frozen=True)
class ZoneRules:
    front_window: float
    body_start: tuple[tuple[re.Pattern[str], str], ...]
    front_lines: tuple[tuple[re.Pattern[str], str], ...]
    byline: re.Pattern[str] | None
    back_window: float
    back_start: tuple[tuple[re.Pattern[str], str], ...]
    source: str


class ZoneRulesError(PlantraceError, ValueError):
    """A zone pattern file is malformed (a user mistake: the CLI exits with code 2)."""


def _compile(entries: list[dict[str, str]], origin: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for i, e in enumerate(entries or []):
        try:
            out.append((re.compile(e["pattern"]), e.get("why", "")))
        except (KeyError, re.error) as exc:
            raise ZoneRulesError(f"zone pattern #{i + 1} is invalid ({exc})", file=origin,
                                 hint="each entry needs a valid regular expression under 'pattern:'") from exc
    return tuple(out)


def load_zone_rules(path: str | Path | None = None) -> ZoneRules:
    """Read zone patterns from YAML (the bundled file when ``path`` is None)."""
    if path is None:
        text = resources.files("plantrace").joinpath("data/zones.yaml").read_text(encoding="utf-8")
        origin = "plantrace/data/zones.yaml"
    else:
        text, origin = Path(path).read_text(encoding="utf-8"), str(path)
    data = yaml.safe_load(text)
    front, back = data.get("front", {}), data.get("back", {})
    byline = front.get("byline")
    return ZoneRules(
        front_window=float(front.get("window", 0.3)),
        body_start=_compile(front.get("body_start"), origin),
        front_lines=_compile(front.get("lines"), origin),
        byline=re.compile(byline) if byline else None,
        back_window=float(back.get("window", 0.5)),
        back_start=_compile(back.get("start"), origin),
        source=origin,
    )


@lru_cache(maxsize=1)
def default_zone_rules() -> ZoneRules:
    return load_zone_rules()


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _first_match(line: str, rules: tuple[tuple[re.Pattern[str], str], ...]) -> str | None:
    for pattern, why in rules:
        if pattern.search(line):
            return why or pattern.pattern
    return None


def detect_zones(text: str, rules: ZoneRules | None = None) -> list[Zone]:
    """Split ``text`` into front, body and back zones (empty zones are omitted)."""
    rules = rules or default_zone_rules()
    n = len(text)
    lines = [(s, e) for s, e in _lines(text) if text[s:e].strip()]
    front_end, front_why = 0, ""
    # A short document (a table of contents alone, a summary) is searched whole up to
    # 2,000 characters: front matter does not shrink with the document.
    window = max(rules.front_window * n, min(n, 2000))
    head = [(s, e) for s, e in lines if s <= window]
    opener = next(((s, w) for s, e in head if (w := _first_match(text[s:e], rules.body_start))), None)
    if opener is not None:
        front_end, front_why = opener[0], f"before: {opener[1]}"
    else:
        for s, e in head:
            why = _first_match(text[s:e], rules.front_lines)
            if why:
                front_end, front_why = e, why
        if front_end == 0 and rules.byline is not None and len(lines) > 1:
            (s, e), (s2, e2) = lines[0], lines[1]
            if rules.byline.match(text[s:e]) and e2 - s2 >= 30:
                front_end, front_why = e, "byline"
    back_start, back_why = n, ""
    for s, e in lines:
        if s < front_end or s < n - rules.back_window * n:
            continue
        why = _first_match(text[s:e], rules.back_start)
        if why:
            back_start, back_why = s, why
            break
    zones = [
        Zone("front", 0, front_end, front_why),
        Zone("body", front_end, back_start),
        Zone("back", back_start, n, back_why),
    ]
    return [z for z in zones if z.end > z.start]


def zone_finder(zones: Sequence[Zone]) -> Callable[[int], str]:
    """``zone_at`` for many offsets: a binary search over the zone starts, built once.

    The zones partition the text in order (those of :func:`detect_zones` and of
    :func:`plantrace.structure.repeats.detect_zones_with_repeats`); an offset outside
    every zone gets the last zone's name, as :func:`zone_at` does.

    >>> at = zone_finder([Zone("front", 0, 5), Zone("body", 5, 20), Zone("duplicate", 20, 30),
    ...                   Zone("body", 30, 40)])
    >>> [at(o) for o in (0, 5, 19, 20, 35, 40)]
    ['front', 'body', 'body', 'duplicate', 'body', 'body']
    """
    zs = list(zones)
    starts = [z.start for z in zs]
    last = zs[-1].name if zs else "body"

    def at(offset: int) -> str:
        i = bisect_right(starts, offset) - 1
        if i >= 0 and offset < zs[i].end:
            return zs[i].name
        return last

    return at


def zone_at(zones: Sequence[Zone], offset: int) -> str:
    """The name of the zone holding ``offset`` (binary search; see :func:`zone_finder`)."""
    return zone_finder(zones)(offset)
