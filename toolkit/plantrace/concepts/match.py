"""Concept matching: Aho-Corasick candidates, decided at word boundaries.

Neither raw substring search nor pkuseg alone is right (checked on the Chengdu
documents): substring search finds 新经济 in 推动创新经济发展; pkuseg without a user
dictionary splits 抢抓成渝/地区/双城/经济圈 and so loses a true mention if both
ends must fall on token boundaries; with a user dictionary it forces 创/新经济.

The rule: segment the candidate's clause with the default model; a candidate is
rejected only when one of its ends falls strictly inside a token that is a *real
word*, i.e. a token the model keeps whole when it stands alone (创新, 全新). A
token that falls apart on its own (抢抓成渝 → 抢/抓/成渝) is a segmentation error and
does not block the mention. Nor does a real word whose outside part forms a word
with its other neighbour (共/建成/德眉资: 共建 is a word too, so the reading
共建/成德眉资 is as good). Every rejected candidate is kept with its reason.

Overlapping accepted candidates are resolved by length: the longest wins, so
成渝地区双城经济圈 counts once and not also as 双城经济圈 (reason ``nested``).

A candidate inside one of its concept's ``exclude:`` expressions is rejected first,
with the reason ``excluded by <expression>`` (新经济 in 新经济体制 is not the new economy).

>>> from plantrace.concepts.lexicon import lexicon_from_mapping
>>> lex = lexicon_from_mapping({"concepts": [{"id": "new_economy", "label": "新经济"}]})
>>> m = Matcher(lex)
>>> [(c.alias, c.reason) for c in m.candidates_in("推动创新经济发展，壮大新经济")]
[('新经济', 'splits the word 创新 at its start'), ('新经济', None)]
>>> lex = lexicon_from_mapping({"concepts": [{"id": "new_economy", "label": "新经济",
...                                          "exclude": ["新经济体制"]}]})
>>> [(c.alias, c.reason) for c in Matcher(lex).candidates_in("逐步确立新经济体制的主导地位，加快发展新经济")]
[('新经济', 'excluded by 新经济体制'), ('新经济', None)]
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from .intensity import clause_bounds
from .lexicon import Lexicon
from .segment import is_word, segment_clause, token_spans


@dataclass(frozen=True)
class Candidate:
    """An alias occurrence in normalised text and the verdict on it."""

    concept_id: str
    alias: str
    start: int
    end: int
    reason: str | None  # None: accepted

    @property
    def accepted(self) -> bool:
        return self.reason is None


class Matcher:
    """Finds and judges concept candidates for one lexicon (build once, reuse)."""

    def __init__(self, lexicon: Lexicon) -> None:
        import ahocorasick

        self.lexicon = lexicon
        self._automaton = ahocorasick.Automaton()
        for alias, cid in lexicon.alias_index.items():
            self._automaton.add_word(alias, (alias, cid))
        self._empty = not lexicon.alias_index
        self.exclusions = lexicon.exclusions
        if not self._empty:
            self._automaton.make_automaton()

    def raw_candidates(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, str, str]]:
        """Every alias occurrence (overlaps included) as (start, end, alias, concept_id)."""
        if self._empty:
            return
        end = len(text) if end is None else end
        for last, (alias, cid) in self._automaton.iter(text, start, end):
            yield last - len(alias) + 1, last + 1, alias, cid

    def judge(self, text: str, start: int, end: int) -> str | None:
        """Why a candidate at ``text[start:end]`` is not a mention (None if it is)."""
        c0, c1 = clause_bounds(text, start, end)
        clause = text[c0:c1]
        spans = [(ts + c0, te + c0) for ts, te in token_spans(clause, segment_clause(clause))]
        for k, (ts, te) in enumerate(spans):
            if te <= start:
                continue
            if ts >= end:
                break
            token = text[ts:te]
            if ts < start < te and is_word(token):
                # 共建成德眉资 → 共/建成/德眉资: the outside part 建 also makes a word with
                # the token before it (共建), so the split is ambiguous and the alias stands.
                outside = text[ts:start]
                prev = text[spans[k - 1][0]:spans[k - 1][1]] if k > 0 else ""
                if not (prev and is_word(prev + outside)):
                    return f"splits the word {token} at its start"
            if ts < end < te and is_word(token):
                outside = text[end:te]
                nxt = text[spans[k + 1][0]:spans[k + 1][1]] if k + 1 < len(spans) else ""
                if not (nxt and is_word(outside + nxt)):
                    return f"splits the word {token} at its end"
        return None

    def candidates_in(self, text: str, start: int = 0, end: int | None = None) -> list[Candidate]:
        """All candidates in ``text[start:end]``, judged; overlaps resolved longest-first."""
        raw = list(self.raw_candidates(text, start, end))
        return resolve_candidates(text, raw, self.judge, self.exclusions)


def find_alias(text: str, alias: str) -> list[int]:
    """Start offsets of every occurrence of ``alias`` in ``text``, overlapping ones included
    (what the automaton reports), for re-scanning a few edited aliases without rebuilding it.

    >>> find_alias("双城经济圈双城经济圈", "双城")
    [0, 5]
    """
    out: list[int] = []
    i = text.find(alias)
    while i >= 0:
        out.append(i)
        i = text.find(alias, i + 1)
    return out


def excluded_by(text: str, start: int, end: int, expressions: Sequence[str]) -> str | None:
    """The first expression that holds the alias ``text[start:end]`` at this place (None if none).

    >>> excluded_by("确立新经济体制", 2, 5, ["新经济政策", "新经济体制"])
    '新经济体制'
    >>> excluded_by("新政治、新经济", 4, 7, ["新政治、新经济"]), excluded_by("发展新经济", 2, 5, ["新经济体制"])
    ('新政治、新经济', None)
    """
    alias = text[start:end]
    for expr in expressions:
        k = expr.find(alias)
        while k >= 0:  # every place the alias takes inside the expression
            if start - k >= 0 and text.startswith(expr, start - k):
                return expr
            k = expr.find(alias, k + 1)
    return None


def resolve_candidates(text: str, raw: Iterable[tuple[int, int, str, str]],
                       judge: Callable[[str, int, int], str | None],
                       exclusions: Mapping[str, Sequence[str]] | None = None) -> list[Candidate]:
    """Judge raw (start, end, alias, concept_id) occurrences at word boundaries and resolve
    overlaps: the longest accepted candidate wins, shorter overlapping ones are ``nested``.
    A candidate inside one of its alias's ``exclusions`` (alias → expressions) is rejected
    as ``excluded by <expression>`` before any boundary check.
    Returned in text order (longer first at the same start).

    Linear in the number of candidates (times the alias length): each taken span marks
    the characters it covers, so a candidate looks only at its own characters instead
    of at every span taken so far (which made a 30 MB file take minutes).

    >>> spans = [(0, 9, "成渝地区双城经济圈", "chengyu"), (4, 9, "双城经济圈", "twin")]
    >>> [c.reason for c in resolve_candidates("成渝地区双城经济圈", spans, lambda t, s, e: None)]
    [None, 'nested in 成渝地区双城经济圈 (chengyu)']
    """
    ordered = sorted(raw, key=lambda c: (c[0], -(c[1] - c[0])))
    exclusions = exclusions or {}

    def verdict(s: int, e: int, alias: str) -> str | None:
        expr = excluded_by(text, s, e, exclusions[alias]) if alias in exclusions else None
        return f"excluded by {expr}" if expr is not None else judge(text, s, e)

    judged = [Candidate(cid, alias, s, e, verdict(s, e, alias)) for s, e, alias, cid in ordered]
    if not judged:
        return []
    lo = min(c.start for c in judged)
    # owner[p - lo] is 1 + the index in ``taken`` of the accepted span covering p (0: none).
    # Taken spans never overlap, so a character has at most one owner.
    owner = array("i", [0]) * (max(c.end for c in judged) - lo)
    taken: list[Candidate] = []
    out: dict[int, Candidate] = {}
    # Longest accepted candidate first; a shorter one overlapping it is nested. Among
    # several taken spans it overlaps, the one taken first is named (as before).
    order = sorted(range(len(judged)), key=lambda i: (-(judged[i].end - judged[i].start), judged[i].start))
    for i in order:
        c = judged[i]
        if not c.accepted:
            continue
        clash = min((r for r in owner[c.start - lo:c.end - lo] if r), default=0)
        if clash == 0:
            taken.append(c)
            owner[c.start - lo:c.end - lo] = array("i", [len(taken)]) * (c.end - c.start)
            out[i] = c
        else:
            t = taken[clash - 1]
            out[i] = Candidate(c.concept_id, c.alias, c.start, c.end, f"nested in {t.alias} ({t.concept_id})")
    # A boundary rejection inside an accepted longer alias (总部经济 in 总部经济区) was
    # not lost: it is reported as nested, which is what decided it. The only taken span
    # that can contain a candidate is the one covering its first character.
    for i, c in enumerate(judged):
        if i in out:
            continue
        if c.reason is not None and c.reason.startswith("excluded by "):
            out[i] = c  # what the lexicon says it is not stays so, inside a longer alias too
            continue
        r = owner[c.start - lo] if c.end > c.start else 0
        host = taken[r - 1] if r else None
        out[i] = c if host is None or host.end < c.end else Candidate(
            c.concept_id, c.alias, c.start, c.end, f"nested in {host.alias} ({host.concept_id})")
    return [out[i] for i in range(len(judged))]


def nested_concepts(lexicon: Lexicon) -> dict[str, tuple[str, ...]]:
    """For each alias, the other concepts whose own alias it contains.

    Counting is longest-match, so 力争率先建成碳达峰碳中和示范城市 is one mention of 双碳
    (alias 碳达峰碳中和) and none of 碳达峰 or 碳中和. Yet the text does say 碳达峰: a
    concept said inside another concept's alias is *present* (for added/dropped), just
    not counted twice. Containment is between lexicon aliases only, so a look-alike
    inside an ordinary word (千万工程 in 百千万工程, which is no alias) is never credited.
    The owner's ancestors are left out: roll-up credits them already.

    >>> from plantrace.concepts.lexicon import lexicon_from_mapping
    >>> lex = lexicon_from_mapping({"concepts": [
    ...     {"id": "dual_carbon", "label": "双碳", "aliases": ["碳达峰碳中和"]},
    ...     {"id": "carbon_peaking", "label": "碳达峰", "parent": "dual_carbon"},
    ...     {"id": "carbon_neutrality", "label": "碳中和", "parent": "dual_carbon"}]})
    >>> nested_concepts(lex)["碳达峰碳中和"]
    ('carbon_neutrality', 'carbon_peaking')
    >>> "碳达峰" in nested_concepts(lex)
    False

    An inner alias that the alias holds only inside one of the inner concept's ``exclude:``
    expressions is not credited (京津冀 in 京津冀及周边地区大气污染防治, when 京津冀 excludes 京津冀及周边).

    >>> lex = lexicon_from_mapping({"concepts": [
    ...     {"id": "jjj", "label": "京津冀协同发展", "aliases": ["京津冀"], "exclude": ["京津冀及周边"]},
    ...     {"id": "air", "label": "京津冀及周边地区大气污染防治"}]})
    >>> "京津冀及周边地区大气污染防治" in nested_concepts(lex)
    False
    """
    index = lexicon.alias_index
    exclusions = lexicon.exclusions
    # The matcher's automaton finds every alias inside each alias, overlaps included, in
    # one pass over it (comparing every pair cost 10 ms for 300 aliases and grows with
    # their square); an inner alias counts if some occurrence escapes its exclusions.
    matcher = Matcher(lexicon)
    out: dict[str, tuple[str, ...]] = {}
    for alias, owner in index.items():
        skip = {owner, *lexicon.ancestors(owner)}
        inner = {cid for start, end, other, cid in matcher.raw_candidates(alias)
                 if cid not in skip and len(other) < len(alias)
                 and excluded_by(alias, start, end, exclusions.get(other, ())) is None}
        if inner:
            out[alias] = tuple(sorted(inner))
    return out


def iter_accepted(candidates: Iterable[Candidate]) -> Iterator[Candidate]:
    return (c for c in candidates if c.accepted)
