"""Document structure: paragraphs, headings with levels, sentences with ids.

Every sentence knows its heading path (the headings above it, outermost first)
and its zone, so a mention can later say "in 第九章 … / 第一节 …, body".

>>> text = "第一章 总体要求\\n坚持高质量发展。推动共同富裕！\\n（一）公园城市\\n建设公园城市示范区。"
>>> s = split_structure(text, [])
>>> [(x.text, x.heading_path) for x in s.sentences if not x.is_heading]
[('坚持高质量发展。', ('第一章 总体要求',)), ('推动共同富裕！', ('第一章 总体要求',)), ('建设公园城市示范区。', ('第一章 总体要求', '（一）公园城市'))]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable

from .zones import Zone, zone_finder

# Heading patterns, outermost first; the index is the level. A plain short line
# ("2024年工作回顾", "指导思想") gets the level of 一、 headings: documents that use
# plain headings rarely mix them with numbered ones.
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^第[一二三四五六七八九十百零〇\d]+[篇部分]")),
    (2, re.compile(r"^第[一二三四五六七八九十百零〇\d]+章")),
    (3, re.compile(r"^第[一二三四五六七八九十百零〇\d]+节")),
    (4, re.compile(r"^[一二三四五六七八九十]+、")),
    (5, re.compile(r"^[（(][一二三四五六七八九十]+[）)]")),
    (6, re.compile(r"^\d+[.、．](?!\d)")),
    (7, re.compile(r"^[①-⑳]")),
)
PLAIN_HEADING_LEVEL = 4
_MAX_HEADING_CHARS = 60
_RUN_IN_CHARS = 40  # longest first sentence taken as a run-in heading
_TABLE_RUN = 5  # consecutive short lines that make a table rather than headings
_END_PUNCT = "。；;，,：:！？!?"
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)]*")
_HAN = re.compile(r"[\u4e00-\u9fff]")


# slots: a large corpus holds millions of these, and a __dict__ each doubled their size.
@dataclass(frozen=True, slots=True)
class Paragraph:
    id: int
    start: int
    end: int
    zone: str
    heading_level: int | None  # None for a running paragraph


@dataclass(frozen=True, slots=True)
class Heading:
    id: int
    paragraph_id: int
    level: int
    start: int
    end: int
    text: str
    zone: str


@dataclass(frozen=True, slots=True)
class Sentence:
    id: int
    paragraph_id: int
    start: int
    end: int
    text: str
    heading_path: tuple[str, ...]
    zone: str
    is_heading: bool


@dataclass(frozen=True)
class Structure:
    paragraphs: tuple[Paragraph, ...]
    headings: tuple[Heading, ...]
    sentences: tuple[Sentence, ...]


_STRUCTURE_FIELDS = ("paragraphs", "headings", "sentences")


class DeferredStructure(Structure):
    """A :class:`Structure` built when first used, from rows read from the store.

    Why: a ``plantrace count`` after a lexicon edit needs the sentences of the few
    documents it judges again, not of all of them; building 58,000 sentences of the
    140 bundled documents was a third of loading them. It equals, pickles and hashes as
    the structure it stands for.

    >>> s = DeferredStructure(lambda: Structure((), (), ()))
    >>> s.sentences, s == Structure((), (), ())
    ((), True)
    """

    def __init__(self, build: Callable[[], Structure],
                 rows: list[tuple[int, int, int, int, str, str, bool]] | None = None) -> None:
        # No fields yet (see __getattr__). ``rows``: the stored sentence rows (id, paragraph
        # id, start, end, heading path joined by " > ", zone, is heading), which answer
        # :meth:`sentence_row_at` without building anything.
        object.__setattr__(self, "_build", build)
        object.__setattr__(self, "_rows", rows)

    @property
    def rows_pending(self) -> bool:
        """Stored sentence rows are known and the sentences not built yet."""
        return self.__dict__.get("_rows") is not None and "_build" in self.__dict__

    def sentence_row_at(self, offset: int) -> tuple[int, int, int, int, str, str, bool] | None:
        """The stored row of the sentence containing ``offset`` (None: no sentence there),
        found without building the sentences (see :attr:`rows_pending`).

        >>> s = DeferredStructure(lambda: Structure((), (), ()), [(0, 0, 0, 4, "", "body", False)])
        >>> s.sentence_row_at(2), s.sentence_row_at(4)
        ((0, 0, 0, 4, '', 'body', False), None)
        """
        rows = self.__dict__["_rows"]
        ends = self.__dict__.get("_ends")
        if ends is None:
            ends = self.__dict__["_ends"] = [r[3] for r in rows]
        i = bisect_right(ends, offset)
        if i < len(rows) and rows[i][2] <= offset:
            row: tuple[int, int, int, int, str, str, bool] = rows[i]
            return row
        return None

    def __getattr__(self, name: str) -> Any:
        build = self.__dict__.get("_build")
        if name not in _STRUCTURE_FIELDS or build is None:
            raise AttributeError(name)
        built = build()
        for field_name in _STRUCTURE_FIELDS:
            object.__setattr__(self, field_name, getattr(built, field_name))
        for private in ("_build", "_rows", "_ends"):
            self.__dict__.pop(private, None)
        return self.__dict__[name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Structure):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _STRUCTURE_FIELDS)

    __hash__ = Structure.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Structure, tuple(getattr(self, f) for f in _STRUCTURE_FIELDS))

    def __repr__(self) -> str:
        return repr(Structure(*(getattr(self, f) for f in _STRUCTURE_FIELDS)))


def _pattern_level(line: str) -> int | None:
    for level, pattern in _HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return None


def _plain_candidate(line: str) -> bool:
    return (
        len(line) <= 30
        and not line.endswith(tuple(_END_PUNCT))
        and len(_HAN.findall(line)) >= 2
        and not re.search(r"[。；;！？]", line)
    )


def heading_level(line: str, next_line: str | None, next_is_candidate: bool) -> int | None:
    """Level of a heading line, or None for a running paragraph.

    A numbered line is a heading when it is short and does not end like a sentence
    (002's "1.建设…成效显著。…" is a numbered paragraph, not a heading). A plain short
    line is a heading only when a real paragraph (or another heading) follows, which
    keeps flattened table cells ("1.8", "能源综合生产率(万吨标准煤)") out.
    """
    if len(line) > _MAX_HEADING_CHARS or line.endswith(tuple(_END_PUNCT)):
        return None
    level = _pattern_level(line)
    if level is not None:
        return level if not re.search(r"[。；;！？]", line) else None
    if _plain_candidate(line) and next_line is not None and (
        len(next_line) >= 40 or _pattern_level(next_line) is not None or next_is_candidate
    ):
        return PLAIN_HEADING_LEVEL
    return None


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]`` (one paragraph): ends at 。！？；… and
    keeps closing quotes with their sentence.

    >>> t = "坚持新发展理念。“推动高质量发展。”加快建设"
    >>> [t[a:b] for a, b in split_sentences(t, 0, len(t))]
    ['坚持新发展理念。', '“推动高质量发展。”', '加快建设']
    """
    spans = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() > pos:
            spans.append((pos, m.end()))
        pos = m.end()
    if pos < end and text[pos:end].strip():
        spans.append((pos, end))
    return spans


def split_structure(text: str, zones: list[Zone]) -> Structure:
    """Paragraphs (non-empty lines), headings and sentences of a normalised text."""
    line_spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            line_spans.append((pos, pos + len(line)))
        pos += len(line) + 1

    # Decide plain headings from the bottom up: a chain of short lines ending in a
    # real paragraph ("“十四五”期间 / 政府工作展望 / 指导思想 / 高举…") are all headings.
    n = len(line_spans)
    candidate = [False] * n
    levels: list[int | None] = [None] * n
    for i in range(n - 1, -1, -1):
        s, e = line_spans[i]
        nxt = text[line_spans[i + 1][0]:line_spans[i + 1][1]] if i + 1 < n else None
        levels[i] = heading_level(text[s:e], nxt, candidate[i + 1] if i + 1 < n else False)
        candidate[i] = levels[i] is not None
    # A run of many short lines is a flattened table (one cell per line) or a list:
    # its cells are not headings, though a 篇/章/节 line inside it still is.
    short = [len(text[s:e]) <= 30 and not text[s:e].endswith(tuple(_END_PUNCT)) for s, e in line_spans]
    i = 0
    while i < n:
        j = i
        while j < n and short[j]:
            j += 1
        if j - i >= _TABLE_RUN:
            for k in range(i, j):
                if levels[k] is not None and levels[k] > 3:
                    levels[k] = None
        i = max(j, i + 1)

    paragraphs: list[Paragraph] = []
    headings: list[Heading] = []
    sentences: list[Sentence] = []
    stack: list[tuple[int, str]] = []
    zone_of = zone_finder(zones)  # a binary search per paragraph; "body" without zones
    for pid, ((s, e), level) in enumerate(zip(line_spans, levels)):
        zone = zone_of(s)
        # Front and back matter never open a heading path for the body.
        if zone != "body":
            level = None
        paragraphs.append(Paragraph(pid, s, e, zone, level))
        if level is not None:
            line = text[s:e]
            while stack and stack[-1][0] >= level:
                stack.pop()
            path = tuple(h for _, h in stack)
            headings.append(Heading(len(headings), pid, level, s, e, line, zone))
            sentences.append(Sentence(len(sentences), pid, s, e, line, path, zone, True))
            stack.append((level, line))
            continue
        spans = split_sentences(text, s, e)
        run_in = _pattern_level(text[s:e]) if zone == "body" else None
        if run_in is not None and run_in >= 4 and len(spans) > 1 and spans[0][1] - spans[0][0] <= _RUN_IN_CHARS:
            # A run-in heading: "（一）着力扩大国内需求。推动…" puts the heading and its first
            # paragraph on one line (national and provincial reports, the city proposal's
            # numbered items). Its first sentence heads the rest.
            a, b = spans[0]
            while stack and stack[-1][0] >= run_in:
                stack.pop()
            heading = text[a:b]
            headings.append(Heading(len(headings), pid, run_in, a, b, heading, zone))
            sentences.append(Sentence(len(sentences), pid, a, b, heading, tuple(h for _, h in stack), zone, True))
            stack.append((run_in, heading))
            spans = spans[1:]
        path = tuple(h for _, h in stack) if zone == "body" else ()
        for a, b in spans:
            sentences.append(Sentence(len(sentences), pid, a, b, text[a:b], path, zone, False))
    return Structure(tuple(paragraphs), tuple(headings), tuple(sentences))
