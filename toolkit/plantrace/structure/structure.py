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
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

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

    def heading_count(self) -> int:
        return len(self.headings)

    def sentence_count(self, zone: str) -> int:
        """Sentences in ``zone``."""
        return sum(1 for x in self.sentences if x.zone == zone)


_STRUCTURE_FIELDS = ("paragraphs", "headings", "sentences")
#: How a stored sentence row joins its heading path.
HEADING_SEP = " > "
#: A sentence as a row: id, paragraph id, start, end, heading path joined by
#: :data:`HEADING_SEP`, zone, is heading (the store's ``sentences`` columns but the text).
SentenceRow = tuple[int, int, int, int, str, str, bool]


class SentenceRows:
    """A document's sentence rows held as columns (numpy arrays and a table of the
    distinct heading paths and zones), about 20 bytes a sentence.

    Why: a sentence as a Python object with its own text was some 8 bytes per character
    of the document, the largest part of a loaded corpus (at 1,400 documents, 0.2 GB).
    Counting needs only the row of the sentence at an offset (:meth:`row_at`); the
    objects are built when something asks for them (:class:`DeferredStructure`).

    >>> rows = SentenceRows.from_rows([(0, 0, 0, 4, "一、总体要求", "body", False), (1, 0, 5, 9, "", "back", False)])
    >>> len(rows), rows.row_at(2), rows.row_at(4), rows[1]
    (2, (0, 0, 0, 4, '一、总体要求', 'body', False), None, (1, 0, 5, 9, '', 'back', False))
    >>> rows.count("body"), rows.paths[rows.path_codes[0]]
    (1, ('一、总体要求',))
    """

    __slots__ = ("ends", "ids", "is_heading", "joined", "paragraph_ids", "path_codes", "paths", "starts",
                 "zone_codes", "zones")

    def __init__(self, columns: Sequence[Sequence[Any]], paths: Sequence[tuple[str, ...]] | None = None) -> None:
        # columns: ids, paragraph ids, starts, ends, joined paths, zones, is heading
        ids, pids, starts, ends, joined, zones, heads = columns
        self.ids = np.asarray(ids, dtype=np.int32)
        self.paragraph_ids = np.asarray(pids, dtype=np.int32)
        # int32: a document is at most DEFAULT_MAX_BYTES long (3 M sentences at the 50× corpus)
        self.starts = np.asarray(starts, dtype=np.int32)
        self.ends = np.asarray(ends, dtype=np.int32)
        self.is_heading = np.asarray(heads, dtype=bool)
        codes: dict[str, int] = {}
        self.path_codes = np.fromiter((codes.setdefault(j, len(codes)) for j in joined), dtype=np.int32,
                                      count=len(joined))
        #: one string per distinct path: every row (and mention row) shares it
        self.joined: tuple[str, ...] = tuple(codes)
        if paths is None:  # split as the store joined them
            self.paths: tuple[tuple[str, ...], ...] = tuple(tuple(j.split(HEADING_SEP)) if j else () for j in codes)
        else:
            first: dict[str, tuple[str, ...]] = {}
            for j, path in zip(joined, paths):
                first.setdefault(j, path)
            self.paths = tuple(first[j] for j in codes)
        zone_codes: dict[str, int] = {}
        self.zone_codes = np.fromiter((zone_codes.setdefault(z, len(zone_codes)) for z in zones), dtype=np.int8,
                                      count=len(zones))
        self.zones: tuple[str, ...] = tuple(zone_codes)

    @classmethod
    def from_rows(cls, rows: Sequence[SentenceRow]) -> "SentenceRows":
        """From rows as the store returns them."""
        columns = list(zip(*rows)) if rows else [()] * 7
        return cls(columns)

    @classmethod
    def from_sentences(cls, sentences: Sequence["Sentence"]) -> "SentenceRows":
        """From built sentences, keeping each heading path as it was (a heading may hold " > ")."""
        paths = [s.heading_path for s in sentences]
        joined: dict[tuple[str, ...], str] = {}
        columns = ([s.id for s in sentences], [s.paragraph_id for s in sentences], [s.start for s in sentences],
                   [s.end for s in sentences], [joined.setdefault(p, HEADING_SEP.join(p)) for p in paths],
                   [s.zone for s in sentences], [s.is_heading for s in sentences])
        return cls(columns, paths)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> SentenceRow:
        return (int(self.ids[i]), int(self.paragraph_ids[i]), int(self.starts[i]), int(self.ends[i]),
                self.joined[self.path_codes[i]], self.zones[self.zone_codes[i]], bool(self.is_heading[i]))

    def __iter__(self) -> Iterator[SentenceRow]:
        return (self[i] for i in range(len(self)))

    def row_at(self, offset: int) -> SentenceRow | None:
        """The row of the sentence containing ``offset``, None outside every sentence."""
        i = int(np.searchsorted(self.ends, offset, side="right"))  # the first sentence ending after offset
        if i < len(self.ids) and self.starts[i] <= offset:
            return self[i]
        return None

    def count(self, zone: str) -> int:
        """Sentences in ``zone``."""
        code = self.zones.index(zone) if zone in self.zones else -1
        return int(np.count_nonzero(self.zone_codes == code)) if code >= 0 else 0

    def sentences(self, text: str) -> tuple["Sentence", ...]:
        """The sentences, built (their text is the document's, sliced)."""
        paths, zones = self.paths, self.zones
        return tuple(Sentence(int(i), int(p), a, b, text[a:b], paths[c], zones[z], bool(h))
                     for i, p, a, b, c, z, h in zip(self.ids, self.paragraph_ids, self.starts.tolist(),
                                                    self.ends.tolist(), self.path_codes, self.zone_codes,
                                                    self.is_heading))


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

    def __init__(self, build: Callable[[], Structure], rows: "SentenceRows | None" = None,
                 headings: int | None = None) -> None:
        # No fields yet (see __getattr__). ``rows``: the stored sentence rows (id, paragraph
        # id, start, end, heading path joined by " > ", zone, is heading), which answer
        # :meth:`sentence_row_at` without building anything.
        object.__setattr__(self, "_build", build)
        object.__setattr__(self, "_rows", rows)
        object.__setattr__(self, "_heading_count", headings)

    @property
    def rows_pending(self) -> bool:
        """Stored sentence rows are known and the sentences not built yet."""
        return self.__dict__.get("_rows") is not None and "_build" in self.__dict__

    def sentence_row_at(self, offset: int) -> SentenceRow | None:
        """The stored row of the sentence containing ``offset`` (None: no sentence there),
        found without building the sentences (see :attr:`rows_pending`).

        >>> s = DeferredStructure(lambda: Structure((), (), ()), SentenceRows.from_rows([(0, 0, 0, 4, "", "body", False)]))
        >>> s.sentence_row_at(2), s.sentence_row_at(4)
        ((0, 0, 0, 4, '', 'body', False), None)
        """
        rows: SentenceRows = self.__dict__["_rows"]
        return rows.row_at(offset)

    def heading_count(self) -> int:
        """Headings, without building the sentences when the count is known."""
        known = self.__dict__.get("_heading_count")  # dropped once the structure is built
        return known if known is not None else super().heading_count()

    def sentence_count(self, zone: str) -> int:
        """Sentences in ``zone``, from the rows while the sentences are not built."""
        if self.rows_pending:
            rows: SentenceRows = self.__dict__["_rows"]
            return rows.count(zone)
        return super().sentence_count(zone)

    def __getattr__(self, name: str) -> Any:
        build = self.__dict__.get("_build")
        if name not in _STRUCTURE_FIELDS or build is None:
            raise AttributeError(name)
        built = build()
        for field_name in _STRUCTURE_FIELDS:
            object.__setattr__(self, field_name, getattr(built, field_name))
        for private in ("_build", "_rows", "_heading_count"):
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


def compact_structure(structure: Structure, text: str) -> Structure:
    """``structure`` with its sentences held as rows (:class:`SentenceRows`) until asked
    for; equal to it. ``text``: the document's normalised text, which the sentences slice.

    >>> text = "一、总体要求\\n坚持高质量发展。推动共同富裕！"
    >>> s = split_structure(text, [])
    >>> c = compact_structure(s, text)
    >>> c.rows_pending, c.sentence_row_at(8)[:4], c == s, c.rows_pending
    (True, (1, 1, 7, 15), True, False)
    """
    if isinstance(structure, DeferredStructure) and structure.rows_pending:
        return structure
    rows = SentenceRows.from_sentences(structure.sentences)
    paragraphs, headings = structure.paragraphs, structure.headings
    return DeferredStructure(lambda: Structure(paragraphs, headings, rows.sentences(text)), rows, len(headings))


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
