"""Repeated copies in crawled pages: find them, label them ``duplicate``, never delete them.

A crawled page often holds its report two to a dozen times (a page template repeated, a
print view appended) or repeats long blocks of it. Counting every copy would multiply
every count by the number of copies, so the second and later copies are labelled
``duplicate`` and left out of the body; the first occurrence stays body, and every
character stays in the text and citable.

The unit is the line (a paragraph in normalised text). Lines are compared with their
whitespace removed; a repeat is a maximal run of consecutive lines that occurred earlier,
consecutively and in the same order. A run counts only when it is long (parameters below),
so refrains (``各位代表！``), headings and a sentence quoted twice stay body.

>>> page = ("来源：日报\\n各位代表：\\n今年经济稳中有进。\\n明年增长5%左右。\\n相关报道：\\n"
...         "各位代表：\\n今年经济稳中有进。\\n明年增长5%左右。\\n相关报道：\\n")
>>> find_repeats(page, min_chars=12)
[Repeat(start=38, end=69, original_start=6, original_end=37)]
>>> for z in detect_zones_with_repeats(page, min_chars=12):
...     print(z.name, page[z.start:z.end].split(), z.why[:15] or "-")
front ['来源：日报'] before: the add
body ['各位代表：', '今年经济稳中有进。', '明年增长5%左右。'] -
back ['相关报道：'] related-coverag
duplicate ['各位代表：', '今年经济稳中有进。', '明年增长5%左右。'] repeats lines 2
back ['相关报道：'] repeats lines 5
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import groupby
from typing import NamedTuple

from .zones import Zone, ZoneRules, detect_zones

#: A repeat needs this many non-whitespace characters. The longest passages the bundled
#: reports legitimately say twice are short: the "各位代表！" refrain (5), closing formulae
#: and section headings (under 60), a slogan or policy name quoted again inside a sentence
#: (not a whole line). Two paragraphs of a work report are 150-600 characters; 200 keeps
#: one short paragraph plus a heading from counting, and no bundled document (108) or 2026
#: report (31) has a repeat at this threshold (tests/test_repeats.py).
MIN_CHARS = 200
#: ... over at least this many lines: one repeated line below MIN_LINE_CHARS is a quotation
#: or a standard sentence ("现将有关情况报告如下"), not a copied block.
MIN_LINES = 2
#: One line alone counts when it is this long: a whole paragraph (or a page whose lines
#: were joined) copied verbatim; no sentence is quoted whole at this length.
MIN_LINE_CHARS = 400

DUPLICATE = "duplicate"


class Repeat(NamedTuple):
    """A repeated block ``text[start:end]`` that copies ``text[original_start:original_end]``."""

    start: int
    end: int
    original_start: int
    original_end: int


class _Run(NamedTuple):
    first: int   # index of the run's first repeated line (among non-empty lines)
    length: int  # number of lines
    source: int  # index of the line the first repeated line copies


def _nonempty_lines(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Spans of the non-empty lines and the 1-based physical line number of each."""
    spans: list[tuple[int, int]] = []
    numbers: list[int] = []
    pos = 0
    for number, line in enumerate(text.split("\n"), start=1):
        end = pos + len(line)
        if line.strip():
            spans.append((pos, end))
            numbers.append(number)
        pos = end + 1
    return spans, numbers


def _runs(text: str, spans: list[tuple[int, int]], min_chars: int, min_lines: int,
          min_line_chars: int) -> list[_Run]:
    # Each line becomes a small int (its key's first index), so comparing two lines is an
    # int comparison; the dict makes the whole pass linear in the text length.
    first_index: dict[str, int] = {}
    ids: list[int] = []
    sizes: list[int] = []
    for s, e in spans:
        key = "".join(text[s:e].split())
        ids.append(first_index.setdefault(key, len(ids)))
        sizes.append(len(key))
    m = len(ids)
    covered = bytearray(m)
    runs: list[_Run] = []
    i = 0
    while i < m:
        src = ids[i]  # the first earlier occurrence of this line
        if src == i:
            i += 1
            continue
        # Walk back over lines just before i that were too short to start a run on their
        # own (a refrain or heading that opens a copy) but copy the lines before src.
        # Neither side may enter a run already found: the original of a repeat is always
        # text that is itself not a repeat.
        start, source = i, src
        while (source > 0 and not covered[start - 1] and not covered[source - 1]
               and ids[start - 1] == ids[source - 1]):
            start, source = start - 1, source - 1
        # Forward: the original must end before the repeat starts, so a page holding one
        # report six times gives five repeats of copy 1, not one repeat of copies 1-5.
        length = i - start
        while (start + length < m and source + length < start and not covered[source + length]
               and ids[start + length] == ids[source + length]):
            length += 1
        chars = sum(sizes[start:start + length])
        if chars >= min_chars and (length >= min_lines or chars >= min_line_chars):
            covered[start:start + length] = b"\x01" * length
            runs.append(_Run(start, length, source))
            i = start + length
        else:
            # A rejected run is under min_line_chars characters, so retrying from the next
            # line costs at most that much again: near-linear time overall.
            i += 1
    return runs


def find_repeats(text: str, *, min_chars: int = MIN_CHARS, min_lines: int = MIN_LINES,
                 min_line_chars: int = MIN_LINE_CHARS) -> list[Repeat]:
    """Repeated blocks of ``text`` (normalised) as ``(start, end, original_start, original_end)``.

    Each repeat is a second or later copy; its original is the first occurrence, which
    is never itself inside a repeat. Spans run from the start of the first line to the
    end of the last line. A block counts when it has at least ``min_chars``
    non-whitespace characters over ``min_lines`` lines, or ``min_line_chars`` in one line.

    >>> find_repeats("各位代表！\\n要实干。\\n各位代表！\\n要实干。")   # refrains stay body
    []
    """
    spans, _ = _nonempty_lines(text)
    out = []
    for run in _runs(text, spans, min_chars, min_lines, min_line_chars):
        last = run.first + run.length - 1
        out.append(Repeat(spans[run.first][0], spans[last][1],
                          spans[run.source][0], spans[run.source + run.length - 1][1]))
    return out


def detect_zones_with_repeats(text: str, rules: ZoneRules | None = None, *,
                              min_chars: int = MIN_CHARS, min_lines: int = MIN_LINES,
                              min_line_chars: int = MIN_LINE_CHARS) -> list[Zone]:
    """Front, body and back zones plus ``duplicate`` zones carved out of them.

    Front, body and back are found on the text with the repeats taken out (so a copy's
    chrome far down the page does not end the body at copy 3, and the front window is
    that of one copy), then mapped back. A repeated line is labelled by what it copies:
    a copy of body text is ``duplicate`` (why: ``repeats lines N-M``, 1-based lines of
    the original), a copy of front or back matter (the chrome between copies) is front
    or back. The zones partition ``text`` in order, so :func:`plantrace.structure.zones.zone_at`
    works; more than one zone may carry the same name. Without repeats the result is
    :func:`plantrace.structure.zones.detect_zones`'s.

    >>> text = "来源：日报\\n各位代表：\\n现在，我代表政府报告工作。\\n各位代表：\\n现在，我代表政府报告工作。"
    >>> [(z.name, z.why) for z in detect_zones_with_repeats(text, min_chars=15)][1:]
    [('body', ''), ('duplicate', 'repeats lines 2-3')]
    """
    spans, numbers = _nonempty_lines(text)
    runs = _runs(text, spans, min_chars, min_lines, min_line_chars)
    if not runs:
        return detect_zones(text, rules)
    n = len(text)
    # The text outside the repeats, in pieces: (offset in the joined text, start, end).
    pieces: list[tuple[int, int, int]] = []
    pos = joined_len = 0
    for run in runs:
        a, b = spans[run.first][0], spans[run.first + run.length - 1][1]
        if a > pos:
            pieces.append((joined_len, pos, a))
            joined_len += a - pos
        pos = b
    if pos < n:
        pieces.append((joined_len, pos, n))
    joined = "".join(text[a:b] for _, a, b in pieces)
    base = detect_zones(joined, rules)

    zones: list[Zone] = []
    for off, a, b in pieces:
        for z in base:
            lo, hi = max(z.start, off), min(z.end, off + b - a)
            if lo < hi:
                zones.append(Zone(z.name, a + lo - off, a + hi - off, z.why))

    piece_starts = [a for _, a, _ in pieces]
    base_starts = [z.start for z in base]

    def base_zone(original_line: int) -> Zone:
        # Originals are never inside a repeat, so each lies in a piece of the joined text.
        at = spans[original_line][0]
        off, a, _ = pieces[bisect_right(piece_starts, at) - 1]
        return base[bisect_right(base_starts, off + at - a) - 1]

    for run in runs:
        # What each repeated line copies decides its label; consecutive lines copying the
        # same zone make one zone, whose why names the original lines.
        labels = [base_zone(run.source + j).name for j in range(run.length)]
        labels = [DUPLICATE if name == "body" else name for name in labels]
        for name, group in groupby(range(run.length), key=labels.__getitem__):
            members = list(group)
            g0, g1 = members[0], members[-1]
            start = spans[run.first + g0][0]
            # Up to the next repeated line, so the zones leave no gap; the last line ends the run.
            end = spans[run.first + g1 + 1][0] if g1 + 1 < run.length else spans[run.first + g1][1]
            why = f"repeats lines {numbers[run.source + g0]}-{numbers[run.source + g1]}"
            zones.append(Zone(name, start, end, why))
    zones.sort(key=lambda z: z.start)
    merged: list[Zone] = []
    for z in zones:
        # A zone of whitespace alone (the newline after a repeat) joins the zone before it:
        # it holds nothing to count or cite, only noise in the zone list.
        blank = not text[z.start:z.end].strip()
        if merged and (blank or (merged[-1].name == z.name and merged[-1].why == z.why)):
            merged[-1] = Zone(merged[-1].name, merged[-1].start, z.end, merged[-1].why)
        else:
            merged.append(z)
    return merged
