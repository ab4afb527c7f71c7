"""Commitment intensity: how strongly does a plan commit to something?

Planning prose grades its commitments with a small set of verbs and adverbs:
研究 and 探索 only look into a matter, 推动 and 推进 carry it forward, 加快 and
大力 press it, and 全力, 确保 and 坚决 stake the government on it. A lexicon
(``lexicons/intensity.yaml``) gives each marker a grade from 1 to 4.
:func:`mention_intensity` grades one mention of a concept by its governing
marker: the strongest marker before it in its clause, outside other concepts' wording.

Clause, not sentence. A planning sentence is a chain of comma-separated
directives, each with its own verb (…，大力发展民营经济，…，确保居民收入增长…).
The verb that governs a concept is almost always in the concept's own comma
clause. Graded over the whole sentence, every concept in a long sentence
would get the sentence's strongest verb. The enumeration comma 、 does *not*
end a clause, because it joins the objects of one verb
(大力发展总部型、创新型…都市工业).

Markers are simplified Chinese. Traditional text (such as the Chengdu
documents 002 and 004) must be converted first, for example with OpenCC
``t2s``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import PlantraceError

__all__ = [
    "CLAUSE_DELIMITERS",
    "Intensity",
    "IntensityLexicon",
    "IntensityLexiconError",
    "Marker",
    "clause_bounds",
    "document_intensity",
    "load_intensity",
    "mention_intensity",
]

GRADES = (1, 2, 3, 4)
# Full-width and ASCII forms both occur in the corpora: the 青羊 outline
# uses ASCII commas and colons throughout. Line breaks end clauses, because
# flattened tables and headings put one item on each line.
CLAUSE_DELIMITERS = frozenset("，,；;。！？!?：:\n\r")
_DELIM_RE = re.compile("[" + re.escape("".join(sorted(CLAUSE_DELIMITERS))) + "]")


class IntensityLexiconError(PlantraceError, ValueError):
    """The lexicon file is malformed. The message names the file and the entry (a user
    mistake: the CLI exits with code 2)."""


@dataclass(frozen=True, slots=True)
class Marker:
    """One lexicon entry."""

    marker: str
    grade: int
    kind: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Intensity:
    """The marker that grades a mention, and where it is in the text."""

    grade: int
    marker: str
    marker_start: int
    marker_end: int


@dataclass(frozen=True)
class IntensityLexicon:
    """Markers with their grades, plus a matcher compiled once.

    Build it with :func:`load_intensity` (from YAML) or
    :meth:`from_mapping`. ``exclude`` is optional: a list of longer words in
    which a marker does not count, such as 研究所 (an institute, not 研究) or
    更大力度 (not 大力). ``sha256`` is the hash of the file's bytes, so results
    can record which lexicon graded them. It is ``None`` for a lexicon built
    in memory.
    """

    markers: tuple[Marker, ...]
    name: str = ""
    version: str = ""
    language: str = ""
    source: str = ""
    license: str = ""
    grades: Mapping[int, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    path: Path | None = None
    sha256: str | None = None
    _grade_of: dict[str, int] = field(init=False, repr=False, compare=False)
    _lengths: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _starts: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _exclude_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grade_of = {m.marker: m.grade for m in self.markers}
        object.__setattr__(self, "_grade_of", grade_of)
        object.__setattr__(self, "_lengths", tuple(sorted({len(m) for m in grade_of}, reverse=True)))
        # A zero-width lookahead reports every position where some marker
        # starts, overlapping ones included. Shorter markers at the same
        # position are then looked up in the dict (see find()), so one C-speed
        # regex pass over the clause finds every occurrence.
        object.__setattr__(self, "_starts", _lookahead(grade_of))
        object.__setattr__(self, "_exclude_re", _lookahead(self.exclude) if self.exclude else None)

    @classmethod
    def from_mapping(
        cls, data: Any, *, origin: str = "<memory>", path: Path | None = None, sha256: str | None = None
    ) -> IntensityLexicon:
        """Validate a parsed lexicon (the YAML structure) and build the object.

        >>> lex = IntensityLexicon.from_mapping({"markers": [{"marker": "推动", "grade": 2}]})
        >>> lex.grade("推动"), lex.grade("研究")
        (2, None)
        """
        if not isinstance(data, Mapping):
            raise IntensityLexiconError(f"{origin}: expected a mapping at the top level, got {type(data).__name__}")
        raw_markers = data.get("markers")
        if not isinstance(raw_markers, list) or not raw_markers:
            raise IntensityLexiconError(f"{origin}: 'markers' must be a non-empty list")
        markers: list[Marker] = []
        seen: dict[str, int] = {}
        for i, entry in enumerate(raw_markers):
            where = f"{origin}: markers[{i}]"
            if not isinstance(entry, Mapping):
                raise IntensityLexiconError(f"{where}: expected a mapping, got {entry!r}")
            text = entry.get("marker")
            if not isinstance(text, str) or not text or text != text.strip():
                raise IntensityLexiconError(
                    f"{where}: 'marker' must be a non-empty string without spaces, got {text!r}"
                )
            where = f"{where} ({text})"
            grade = entry.get("grade")
            # bool is an int subclass. A YAML "yes" must not become grade 1.
            if isinstance(grade, bool) or not isinstance(grade, int) or grade not in GRADES:
                raise IntensityLexiconError(f"{where}: 'grade' must be an integer 1-4, got {grade!r}")
            if text in seen:
                raise IntensityLexiconError(f"{where}: duplicate marker, first defined at markers[{seen[text]}]")
            seen[text] = i
            kind, note = entry.get("kind", ""), entry.get("note", "")
            for key, value in (("kind", kind), ("note", note)):
                if not isinstance(value, str):
                    raise IntensityLexiconError(f"{where}: '{key}' must be a string, got {value!r}")
            markers.append(Marker(text, grade, kind, note))
        grades = data.get("grades", {}) or {}
        # YAML reads {1: ...} as integers and {"1": ...} as strings. Accept both.
        if not isinstance(grades, Mapping) or any(
            isinstance(k, bool) or str(k) not in {str(g) for g in GRADES} for k in grades
        ):
            raise IntensityLexiconError(f"{origin}: 'grades' must map the integers 1-4 to descriptions")
        exclude = data.get("exclude", []) or []
        if not isinstance(exclude, list) or not all(isinstance(x, str) and x for x in exclude):
            raise IntensityLexiconError(f"{origin}: 'exclude' must be a list of non-empty strings")
        meta = {}
        for key in ("name", "version", "language", "source", "license"):
            value = data.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise IntensityLexiconError(f"{origin}: '{key}' must be a string, got {value!r}")
            meta[key] = value
        return cls(
            markers=tuple(markers),
            grades={int(k): str(v) for k, v in grades.items()},
            exclude=tuple(exclude),
            path=path,
            sha256=sha256,
            **meta,
        )

    def grade(self, marker: str) -> int | None:
        """The grade of ``marker``, or ``None`` when it is not in the lexicon."""
        return self._grade_of.get(marker)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str, int]]:
        """All marker occurrences in ``text[start:end]`` as ``(start, end, marker, grade)``.

        Overlapping and nested occurrences are all reported. Occurrences inside
        an ``exclude`` word are not.

        >>> lex = IntensityLexicon.from_mapping({"markers": [
        ...     {"marker": "加快", "grade": 3}, {"marker": "推进", "grade": 2},
        ...     {"marker": "加快推进", "grade": 3}]})
        >>> lex.find("加快推进城市更新")
        [(0, 2, '加快', 3), (0, 4, '加快推进', 3), (2, 4, '推进', 2)]
        """
        end = len(text) if end is None else end
        found: list[tuple[int, int, str, int]] = []
        for m in self._starts.finditer(text, start, end):
            p = m.start()
            for length in reversed(self._lengths):  # short to long, for a stable order
                if p + length <= end:
                    piece = text[p : p + length]
                    g = self._grade_of.get(piece)
                    if g is not None:
                        found.append((p, p + length, piece, g))
        if self._exclude_re is not None and found:
            blocked = [(m.start(), m.start() + len(m.group(1))) for m in self._exclude_re.finditer(text, start, end)]
            found = [f for f in found if not any(s <= f[0] and f[1] <= e for s, e in blocked)]
        return found


def _lookahead(words: Iterable[str]) -> re.Pattern[str]:
    # Longest first, so that group 1 holds the longest word at each position.
    alternation = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    return re.compile(f"(?=({alternation}))")


def load_intensity(path: str | Path) -> IntensityLexicon:
    """Load and validate an intensity lexicon in YAML.

    Errors name the file and the offending entry. The SHA-256 of the file's
    bytes is kept on the result as ``sha256``.
    """
    path = Path(path)
    data_bytes = path.read_bytes()
    try:
        data = yaml.safe_load(data_bytes.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IntensityLexiconError(f"{path}: cannot parse: {exc}") from exc
    return IntensityLexicon.from_mapping(
        data, origin=str(path), path=path, sha256=hashlib.sha256(data_bytes).hexdigest()
    )


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause ``[lo, hi)`` around the span ``text[start:end]``.

    The clause runs from just after the last delimiter before ``start`` to
    just before the first delimiter at or after ``end``. The delimiters are
    ``，,；;。！？!?：:`` and line breaks (see :data:`CLAUSE_DELIMITERS`),
    plus the ends of the text. The enumeration comma 、 does not end a
    clause.

    >>> s = "激发劳动者积极性,大力发展民营经济,确保居民收入增长与经济增长保持同步"
    >>> lo, hi = clause_bounds(s, s.index("民营经济"), s.index("民营经济") + 4)
    >>> s[lo:hi]
    '大力发展民营经济'
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"invalid span [{start}, {end}) for a text of length {len(text)}")
    lo = start
    # Clauses are short, usually under 50 characters, so stepping back one
    # character at a time costs less than any index over the whole text.
    while lo > 0 and text[lo - 1] not in CLAUSE_DELIMITERS:
        lo -= 1
    m = _DELIM_RE.search(text, end)
    hi = m.start() if m else len(text)
    return lo, hi


def mention_intensity(text: str, start: int, end: int, lexicon: IntensityLexicon, *,
                      blocked: Iterable[tuple[int, int]] = ()) -> Intensity | None:
    """Grade the mention ``text[start:end]`` by its *governing* marker: the verb or
    adverb before it in its clause.

    The rules:

    * Only markers *before* the mention count. Chinese directives put the verb before
      its object; a marker after the concept reports an outcome (新质生产力加快成长,
      乡村振兴战略全面实施), not a commitment to it.
    * A marker that shares any character with the mention does not count, so
      the 发展 in 高质量发展 does not grade 高质量发展; nor does one inside a
      ``blocked`` span (the other concept mentions of the document: the 发展 of
      新发展理念) or inside a title in 《》 (《全面与进步跨太平洋伙伴关系协定》 is a name).
    * A marker inside a longer marker found in the same clause does not
      count, so 加快推进 counts once and not also as 推进.
    * The strongest of the remaining markers grades the mention (大力发展: 大力, not
      发展), the nearest one on a tie.

    Returns ``None`` when nothing before the mention in its clause is a marker.

    >>> lex = IntensityLexicon.from_mapping({"markers": [
    ...     {"marker": "推动", "grade": 2}, {"marker": "发展", "grade": 2},
    ...     {"marker": "全面", "grade": 4}, {"marker": "坚决", "grade": 4}]})
    >>> s = "在践行新发展理念中推进青羊跨越,全方位推动高质量发展"
    >>> i = s.index("高质量发展")
    >>> mention_intensity(s, i, i + 5, lex)
    Intensity(grade=2, marker='推动', marker_start=19, marker_end=21)
    >>> s = "全面排查和坚决治理危险化学品、消防等重大安全隐患"
    >>> mention_intensity(s, s.index("危险化学品"), s.index("危险化学品") + 5, lex).marker
    '坚决'
    >>> s = "乡村振兴战略全面实施"  # an outcome: the marker follows the concept
    >>> mention_intensity(s, 0, 4, lex) is None
    True
    >>> s = "推动加入《全面与进步跨太平洋伙伴关系协定》"  # a name, not a commitment
    >>> mention_intensity(s, s.index("跨太平洋"), s.index("跨太平洋") + 4, lex).marker
    '推动'
    """
    lo, hi = clause_bounds(text, start, end)
    spans = [(s0, e0) for s0, e0 in blocked if s0 < start and e0 > lo]
    spans += _titles(text, lo, start)
    hits = [h for h in lexicon.find(text, lo, hi) if h[1] <= start
            and not any(s0 <= h[0] and h[1] <= e0 for s0, e0 in spans)]
    if not hits:
        return None
    # Longest-match rule. After the mention filter, so that a long marker
    # which overlaps the mention cannot hide a short one which does not.
    hits = [h for h in hits if not any(_strictly_inside(h, o) for o in hits)]
    top = max(h[3] for h in hits)
    chosen = max((h for h in hits if h[3] == top), key=lambda h: (h[1], h[0]))  # nearest: largest end
    return Intensity(grade=chosen[3], marker=chosen[2], marker_start=chosen[0], marker_end=chosen[1])


def _titles(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of 《…》 titles that open in ``text[lo:hi]`` (closed or not before ``hi``)."""
    out = []
    i = text.find("《", lo, hi)
    while i >= 0:
        j = text.find("》", i, hi)
        out.append((i, hi if j < 0 else j + 1))
        i = text.find("《", (hi if j < 0 else j + 1), hi)
    return out


def _strictly_inside(h: tuple[int, int, str, int], o: tuple[int, int, str, int]) -> bool:
    """True when occurrence ``h`` lies inside the longer occurrence ``o``."""
    return o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0]


def document_intensity(grades: Iterable[int | None]) -> tuple[int | None, float | None]:
    """``(max, mean)`` of the graded mentions of a document. Ungraded ones are skipped.

    The maximum shows the strongest commitment the document makes. The mean
    shows its usual tone. Both are ``None`` when no mention has a grade.

    >>> document_intensity([2, None, 4, 3])  # 推动, —, 全力, 加快
    (4, 3.0)
    >>> document_intensity([None, None])
    (None, None)
    """
    graded = [g for g in grades if g is not None and not (isinstance(g, float) and math.isnan(g))]
    if not graded:
        return None, None
    return int(max(graded)), sum(graded) / len(graded)
