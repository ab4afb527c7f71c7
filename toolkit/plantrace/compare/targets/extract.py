"""Quantitative targets in government work reports, and 层层加码 between levels.

A government work report (政府工作报告) states numbers in three different
voices, and the research question -- does a province raise (加码) the growth
target set by the level above? -- only makes sense if they are kept apart:

* **achievement** -- last year's result, in the review part
  (``全省地区生产总值增长5.7%，高于全国0.7个百分点``);
* **forecast** -- an estimate of an unfinished year (``预计全年增长5%左右``);
* **target** -- this year's plan, above all the 主要预期目标 paragraph
  (``地区生产总值增长5.5%以上；城镇调查失业率5.5%左右；…``).

Independently of the voice, a figure has a **scope**: ``own`` (the issuing
government's figure) or ``parent_quote`` (a figure the text attributes to a
higher authority, e.g. ``中央提出今年经济增长预期目标为8%左右`` in the 2005
national report, which also states the same 8%左右 as its own target).

Two more scopes and one more kind, for the national series 1954-2025:

* ``plan_period`` -- a five-year figure (``“十五”期间年均经济增长速度预期目标为7%左右``,
  ``今后五年国内生产总值年均增长7.5%``) or a cumulative one (``2005年与2000年相比，国内
  生产总值增长57.3%``): the figure's clause names an average or a span (cue ``plan_period``).
  ``target_period`` gives the years (“N五” plans, ``今后五年``, ``到1992年``, ``2000年相比``);
  it is a *target* while the plan has not ended, else an *achievement*; never the year's
  target.
* ``not_set`` -- the report says it sets no target (``我们没有提出全年经济增速具体目标``,
  2020): one row, value empty, for each indicator the sentence names (cue ``not_set``).
* A ``national`` report (``level``) has no parent: ``中央提出今年经济增长预期目标为7%左右``
  (2004) is its own target.

What is matched
---------------
A figure expression is *surface form* (from ``data/indicators.yaml``) +
optional bridge (``预期目标为``, ``要``, ``：``) + optional prefix qualifier
(``力争``, ``不低于``, ``控制在`` …) + number + the indicator's unit, optionally
a range (``5.0%—5.5%``, ``5-5.5%``, ``5.5%至6%``) + optional suffix qualifier
(``左右``, ``以上``, ``以内``, ``以下``, ``上下``).  For percentages the number may be
in Chinese numerals after ``百分之`` (``百分之八至九``, ``百分之十四点二``; converted by
cn2an).  Two extra shapes seen in
the reports are also read:

* level-then-growth, typical of results: ``地区生产总值57761亿元、增长5.5%``,
  ``国内生产总值达到134.9万亿元、增长5%`` (surface form minus its final 增长
  + amount + 增长 + figure);
* a stretch figure chained to a target: ``增长7%以上、力争达到8%`` (Tibet) gives
  a second target with qualifier ``力争``.

A surface form preceded by a compound-forming word (``海洋生产总值增长``,
``数字经济增速``, ``消费对经济增长``…, see ``_COMPOUND_PREFIXES``) is not
the indicator and is skipped.  When a figure carries both a prefix and a
suffix qualifier (``控制在5.5%以内``) the suffix is kept: it is the one that
binds the number.

Classification rules (first that applies wins)
----------------------------------------------
These were derived from reading the 31 provincial 2025 reports and the
national reports; the order matters because one sentence can carry several
cues.

1. **forecast** -- ``预计`` occurs earlier in the sentence (up to the
   previous ``。``/``；``).
2. **target** -- the figure is in a list introduced by ``…预期目标是：`` /
   ``目标为：`` (not under a review heading), in the intro's sentence or in a
   following one (same paragraph, or the previous sentence ended with
   ``；``/``：``): the items of a 主要预期目标 list split at ``；`` keep the
   intro's voice and scope.  Also
   **target** when the clause names this year (``今年``, ``{year}年``) or the
   sentence opens with ``今年`` (``今年要保持…，经济增长速度的调控目标定为8%``, 1997).
3. **achievement** -- the sentence starts with a look-back marker
   (``过去一年``, ``去年``, ``一年来``, ``上年``), or the clause names the
   previous year (``2024年全省地区生产总值…``), or a figure without a
   target-style qualifier is followed by a comparison with others
   (``高于全国``, ``居全国``, ``增速全国第3``, ``追平``) -- not by ``比上年``,
   which also follows planned amounts.
4. **achievement** -- an earlier sentence of the same paragraph (same
   ``paragraph_id``) opened with a look-back marker and none since opened with
   ``今年``.
5. **section** -- in a review section the figure is an *achievement*, in a
   plan section a *target*.  The section comes from ``heading_path`` (innermost
   heading first: ``回顾``/``过去一年``/``一年来`` → review; ``工作安排``,
   ``总体要求``, ``目标任务``, ``重点工作``, ``主要任务``, ``{year}年…`` → plan);
   when the headings say nothing (Fujian's headings are slogans) the running
   phase is used: it becomes *review* at a sentence opening with a look-back
   marker and *plan* at a target-list intro or a plan heading.  Back matter
   (``zone == 'back'``: glossaries, 民生实事 lists) has no phase.
6. **target** -- the clause itself states a target (``预期目标``, ``目标是``,
   ``目标为``) or the qualifier is ``力争``/``争取``.
7. Fallback for context-free sentences: a target-style qualifier (左右, 以上,
   以内, 以下, 上下, 不低于, 不高于, 不超过, 力争) → *target*, else
   *achievement* (results are stated as plain figures).

**parent_quote** when, in the figure's clause before the surface form (or in
the previous clause if it ends in a reporting verb such as ``提出，``), a
higher authority (``党中央``, ``中央``, ``国务院``, ``国家``, ``全国``) is
followed by an attribution verb or noun (``提出``, ``确定``, ``要求``, ``部署``,
``下达``, ``明确``, ``目标``, ``预期``); also for every item of a list whose
intro is so attributed.  ``高于全国0.7个百分点`` after a figure is a comparison,
not an attribution, and ``按照国家要求，…`` is compliance, not a quote.  ``省委`` is *not* a parent: the provincial party committee
sets the province's own target (Guangdong: ``根据省委…部署，…主要预期目标是``).

**year** -- a four-digit year in the clause or at the start of the sentence;
otherwise ``year`` for targets, ``year - 1`` for achievements and for
forecasts (reports are given early in the year, so 预计 is about the year just
ended) unless the clause says ``今年``; ``None`` when ``year`` is ``None`` and
the text names no year.

Comparing levels
----------------
:func:`compare_targets` takes each side's headline own target per indicator
and year (the first in document order: the 主要预期目标 list comes before the
paragraphs that restate it) and calls the child ``escalated``, ``equal`` or
``lowered``.  For ``better: higher`` the floor (``value``) is compared first,
then the top of a range (``value_high``, else ``value``), then qualifier
strength; for ``better: lower`` the top is compared first (lower is more
ambitious), then the floor, then strength; for ``better: none`` only identity
can be judged (``equal``, else ``incomparable``).

Qualifier strength (how hard the figure commits in the better direction)::

    class     qualifiers                            higher  lower
    cap       以内 以下 不高于 不超过 低于 控制在       0       3
    approx    左右 上下 约                              1       1
    point     '' 达到 达 实现 保持在 稳定在             2       2
    floor     以上 不低于 超过 高于                     3       0
    stretch   力争 争取                                 3       3

So ``5.5%以上`` beats ``5.5%左右`` for growth, and ``5%以内`` beats ``5%左右``
for unemployment.

Example
-------
>>> from types import SimpleNamespace as S
>>> lex = IndicatorLexicon.from_mapping({"indicators": [
...     {"id": "gdp_growth", "label": "地区生产总值增长", "unit": "%",
...      "better": "higher", "surface_forms": ["地区生产总值增长"]}]})
>>> doc = "全省地区生产总值增长5.7%。主要预期目标是：地区生产总值增长5.5%以上；"
>>> sents = [S(id=0, start=0, end=15, text=doc[0:15], zone="body",
...            heading_path=("2024年工作回顾",)),
...          S(id=1, start=15, end=39, text=doc[15:39], zone="body",
...            heading_path=("2025年工作安排",))]
>>> [(t.value, t.qualifier, t.kind, t.year, t.text)
...  for t in extract_targets(sents, year=2025, indicators=lex)]
[(5.7, '', 'achievement', 2024, '地区生产总值增长5.7%'), (5.5, '以上', 'target', 2025, '地区生产总值增长5.5%以上')]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, Protocol

import pandas as pd

from .cues import CUES
from .figures import _find_figures
from .indicators import IndicatorLexicon

Kind = Literal["target", "achievement", "forecast", "not_set"]
Scope = Literal["own", "parent_quote", "plan_period"]


# --------------------------------------------------------------------------
# Input protocol
# --------------------------------------------------------------------------


class SentenceLike(Protocol):
    """What :func:`extract_targets` needs from a sentence.

    Read-only properties so that frozen dataclasses and namedtuples satisfy
    it.  ``text`` must equal ``document[start:end]`` for the offsets of the
    returned targets to be document offsets.  An optional ``paragraph_id``
    attribute (not part of the protocol, read with ``getattr``) tells which
    sentences belong to one paragraph.
    """

    @property
    def id(self) -> int: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def heading_path(self) -> tuple[str, ...]: ...

    @property
    def zone(self) -> str: ...


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One figure attached to an indicator.

    ``start``/``end`` are offsets in the normalised document of the figure
    expression (surface form through qualifier) and ``text`` is that slice.
    """

    indicator_id: str
    indicator: str
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    kind: Kind
    scope: Scope
    year: int | None
    sentence_id: int
    start: int
    end: int
    text: str
    measure: str = ""
    target_period: str | None = None


TARGET_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Target))

# Cue words and the patterns of the classification rules are data: data/target_cues.yaml.
_PREFIX_QUALIFIERS = CUES.prefix_qualifiers
_SUFFIX_QUALIFIERS = CUES.suffix_qualifiers
# Stored qualifiers are normalised only where two spellings mean the same.
_QUALIFIER_ALIASES = CUES.qualifier_aliases

QUALIFIER_CLASS: dict[str, str] = CUES.qualifier_class
"""Qualifier → commitment class (see the module docstring table)."""

QUALIFIER_RANK: dict[str, dict[str, int]] = CUES.qualifier_rank
"""Class → strength for each ``better`` direction (a cap is weak for growth,
strong for unemployment)."""

# Qualifiers that by themselves mark a planned figure (rule 7, the fallback).
_TARGET_QUALIFIERS = CUES.target_qualifiers
# Words that, right before a surface form, make it part of another
# indicator (海洋生产总值, 数字经济增速) or a contribution ratio (消费对经济增长).
_COMPOUND_PREFIXES = CUES.compound_prefixes

_FORECAST = CUES.pattern("forecast")
_LOOKBACK_START = CUES.pattern("lookback_start")
# Only comparisons with others mark a result (see the cue file).
_RESULT_AFTER = CUES.pattern("result_after")
_THIS_YEAR = CUES.pattern("this_year")
_THIS_YEAR_START = CUES.pattern("this_year_start")
_TARGET_CLAUSE = CUES.pattern("target_clause")
_LIST_INTRO = CUES.pattern("list_intro")
_PARENT_ATTRIBUTION = CUES.pattern("parent_attribution")
_COMPLIANCE_START = CUES.pattern("compliance_start")
_REPORTING_END = CUES.pattern("reporting_end")
_REVIEW_HEADING = CUES.pattern("review_heading")
_PLAN_HEADING = CUES.pattern("plan_heading")
_PLAN_PERIOD = CUES.pattern("plan_period")
_NOT_SET = CUES.pattern("not_set")
_MEASURES = CUES.measures
_NOT_SET_INDICATORS = CUES.not_set_indicators
_CN_ORDINAL = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FYP = re.compile(r"(十[一二三四五六七八九]?|[一二三四五六七八九])五”?(?:计划|规划|时期|期间)?")
_SPAN = re.compile(r"(\d{4})\s*[—–\-－~～至到]\s*(\d{4})\s*年")
_SINCE = re.compile(r"(\d{4})\s*年与(\d{4})\s*年相比|比(\d{4})\s*年")
_BY_YEAR = re.compile(r"到(\d{4})\s*年")

_CLAUSE_BOUNDARY = re.compile(r"[，,；;。！？!?]")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_YEAR_IN_CLAUSE = re.compile(r"(\d{4})\s*年(?![代底末初前后以内间起度])")
_YEAR_AT_START = re.compile(
    r"^[\s　]*(?:在|(?:据)?初步统计[，,])?(\d{4})\s*年(?![代底末初前后以内间起度])"
)

@dataclass
class _Carry:
    """Voice of a 主要预期目标 list, carried to its items in later sentences."""

    scope: Scope
    year: int | None


def _section_of(heading_path: Sequence[str], year: int | None) -> str | None:
    """'review', 'plan' or None from the headings, innermost first."""
    for heading in reversed(tuple(heading_path)):
        h = unicodedata.normalize("NFKC", heading)
        if _REVIEW_HEADING.search(h):
            return "review"
        if _PLAN_HEADING.search(h):
            return "plan"
        if year is not None:
            if re.search(rf"{year}\s*年", h):
                return "plan"
            if re.search(rf"{year - 1}\s*年", h):
                return "review"
    return None


def _clause_prefix(text: str, pos: int) -> tuple[str, str]:
    """(current clause up to pos, previous clause) -- colon is not a boundary,
    so ``主要预期目标是：地区生产总值增长`` is one clause."""
    bounds = [m.end() for m in _CLAUSE_BOUNDARY.finditer(text, 0, pos)]
    cur_start = bounds[-1] if bounds else 0
    prev_start = bounds[-2] if len(bounds) >= 2 else 0
    previous = text[prev_start : cur_start - 1] if bounds else ""
    return text[cur_start:pos], previous


def _is_parent(clause: str, previous: str) -> bool:
    if _PARENT_ATTRIBUTION.search(clause):
        return True
    # 党中央提出，今年经济增长… : the attribution sits in the clause before.
    # 按照国家要求，… is compliance, and the figure after it is the own one.
    return bool(
        previous
        and _REPORTING_END.search(previous)
        and _PARENT_ATTRIBUTION.search(previous)
        and not _COMPLIANCE_START.match(previous)
    )


def measure_of(form: str) -> str:
    """The aggregate a growth figure's surface form names ('' when it names none).

    >>> measure_of("国民生产总值计划增长"), measure_of("地区生产总值按增长"), measure_of("经济增长")
    ('国民生产总值', '地区生产总值', '')
    """
    return next((m for m in _MEASURES if m in form), "")


def plan_period_of(clause: str, year: int | None) -> str | None:
    """The years a plan-period figure covers, from its clause (``None`` if it does not say).

    The N-th five-year plan (“N五”) runs from 1966 + 5·(N − 3) for N ≥ 3 (the first ran
    1953-1957, the second 1958-1962, then three adjustment years).

    >>> plan_period_of("“十五”期间年均经济增长速度预期目标为", 2001)
    '2001-2005'
    >>> plan_period_of("今后五年国内生产总值年均增长", 2006), plan_period_of("2005年与2000年相比，", 2006)
    ('2006-2010', '2001-2005')
    """
    m = _SPAN.search(clause)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = _FYP.search(clause)
    if m:
        word = m.group(1)
        n = 10 + _CN_ORDINAL.get(word[1:], 0) if word.startswith("十") else _CN_ORDINAL[word]
        start = {1: 1953, 2: 1958}.get(n, 1966 + 5 * (n - 3))
        return f"{start}-{start + 4}"
    m = _SINCE.search(clause)
    if m:
        base = int(m.group(2) or m.group(3))
        end = int(m.group(1)) if m.group(1) else (year - 1 if year is not None else None)
        return f"{base + 1}-{end}" if end is not None else None
    m = _BY_YEAR.search(clause)
    if m and year is not None:
        return f"{year}-{m.group(1)}"
    if "今后五年" in clause and year is not None:
        return f"{year}-{year + 4}"
    return None


def _not_set_targets(sent: SentenceLike, year: int | None, indicators: IndicatorLexicon) -> list[Target]:
    """``我们没有提出全年经济增速具体目标`` (national 2020): a declared gap, one row per
    indicator the sentence names."""
    out: list[Target] = []
    m = _NOT_SET.search(sent.text)
    if m is None:
        return out
    known = {ind.id: ind for ind in indicators.indicators}
    for ind_id, pattern in _NOT_SET_INDICATORS.items():
        if ind_id in known and pattern.search(m.group(0)):
            ind = known[ind_id]
            out.append(Target(
                indicator_id=ind.id, indicator=m.group(0), value=float("nan"), value_high=None,
                unit=ind.unit, qualifier="", kind="not_set", scope="own", year=year,
                sentence_id=sent.id, start=sent.start + m.start(), end=sent.start + m.end(),
                text=m.group(0), measure="", target_period=None if year is None else str(year)))
    return out


def _explicit_year(text: str, clause: str) -> int | None:
    found = _YEAR_IN_CLAUSE.findall(clause)
    if found:
        return int(found[-1])
    m = _YEAR_AT_START.match(text)
    return int(m.group(1)) if m else None


def _continues(prev: SentenceLike | None, cur: SentenceLike) -> bool:
    """Does ``cur`` continue the list that ``prev`` belongs to?"""
    if prev is None:
        return False
    tail = prev.text.rstrip()
    if tail.endswith(("；", ";", "：", ":")):
        return True
    if tail.endswith(("。", "！", "？", "!", "?")):
        return False
    p_par, c_par = getattr(prev, "paragraph_id", None), getattr(cur, "paragraph_id", None)
    return p_par is not None and p_par == c_par


def extract_targets(
    sentences: Iterable[SentenceLike],
    *,
    year: int | None,
    indicators: IndicatorLexicon,
    level: str | None = None,
) -> list[Target]:
    """Find indicator figures in one document's sentences (in document order)
    and classify each as target / achievement / forecast / not_set and own /
    parent_quote / plan_period, following the rules in the module docstring.

    ``year`` is the report's year (the year its plan is for).  ``level`` is the
    issuer's level: a ``national`` report has no parent, so ``中央提出今年经济增长
    预期目标为7%左右`` (2004) is its own target.
    """
    out: list[Target] = []
    phase: str | None = None  # running section when headings are silent
    carry: _Carry | None = None
    prev: SentenceLike | None = None
    lookback_paragraph: Any = None  # paragraph_id of a paragraph opened by 过去一年…
    last_period: tuple[int, str] | None = None  # (sentence id, period) of the last plan-period figure
    for sent in sentences:
        text = sent.text
        par = getattr(sent, "paragraph_id", None)
        if par is None or (prev is not None and getattr(prev, "paragraph_id", None) != par):
            lookback_paragraph = None
        if par is not None and _LOOKBACK_START.match(text):
            lookback_paragraph = par
        elif _THIS_YEAR_START.match(text):
            lookback_paragraph = None
        if carry is not None and not _continues(prev, sent):
            carry = None
        back = sent.zone == "back"
        heading_section = None if back else _section_of(sent.heading_path, year)
        if heading_section is not None:
            phase = heading_section
        elif not back and phase is None and (
            _LOOKBACK_START.match(text)
            or (year is not None and _YEAR_AT_START.match(text)
                and _explicit_year(text, "") == year - 1)
        ):
            phase = "review"
        section = None if back else (heading_section or phase)
        # A list intro under a review heading (实现了以下目标：) lists results.
        intro = _LIST_INTRO.search(text) if heading_section != "review" else None

        out.extend(_not_set_targets(sent, year, indicators))
        for f in _find_figures(text, indicators):
            clause, previous = _clause_prefix(text, f.start)
            after = text[f.end :]
            in_list = carry is not None or (intro is not None and intro.end() <= f.start)
            explicit = _explicit_year(text, clause)
            kind: Kind
            # 预计… or 生产总值预计增长; its reach ends at the previous 。/；
            # (a whole-paragraph "sentence" must not spread it further).
            seg_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, f.start)), default=0)
            forecast = _FORECAST.search(text, seg_start, f.figure_start) is not None
            # 今年要保持…，经济增长速度的调控目标定为8% (1997): a sentence opening with 今年
            # speaks of this year in all its clauses.
            this_year = _THIS_YEAR.search(clause) is not None or (
                year is not None and explicit == year
            ) or (explicit is None and _THIS_YEAR_START.match(text) is not None)
            if forecast:
                kind = "forecast"
            elif in_list or this_year:
                # 今年经济增长预期目标为7%左右 (national 2003) sits under a
                # slogan heading after the review: naming this year decides.
                kind = "target"
            elif (
                _LOOKBACK_START.match(text)
                or (year is not None and explicit == year - 1)
                # 增长5.7%，高于全国0.7个百分点: a plain figure compared with
                # others is a result (增长5.5%左右、高于全国 would be a plan).
                or (f.qualifier not in _TARGET_QUALIFIERS and _RESULT_AFTER.match(after))
            ):
                kind = "achievement"
            elif (par is not None and par == lookback_paragraph) or section == "review":
                # A look-back governs the rest of its paragraph: 过去一年，我们的
                # 各项工作取得了很大成绩。国内生产总值增长10.3%… (national 2011,
                # under the plan heading).
                kind = "achievement"
            elif section == "plan" or _TARGET_CLAUSE.search(clause) or f.qualifier in ("力争", "争取"):
                kind = "target"
            else:
                kind = "target" if f.qualifier in _TARGET_QUALIFIERS else "achievement"

            scope: Scope = "own"
            # The figure's own clause, through the surface form up to the number.
            own_clause = clause + text[f.start : f.figure_start]
            period = None
            # 2005年与2000年相比，国内生产总值增长57.3% (national 2006): the span is the clause before.
            since = previous if previous.rstrip().endswith("相比") else ""
            if _PLAN_PERIOD.search(since + own_clause):
                scope = "plan_period"
                # The period may be named earlier in the sentence (“七五”计划草案规定，…).
                period = (plan_period_of(since + own_clause, year)
                          or plan_period_of(text[: f.figure_start], year))
                # …“七五”计划草案规定，…；国民生产总值平均每年增长百分之七点五 (1986): the
                # period named for the list goes on to its next item.
                if period is None and last_period is not None and (
                        _continues(prev, sent) or last_period[0] == sent.id):
                    period = last_period[1]
                if period is not None:
                    last_period = (sent.id, period)
                    # A plan that has not ended is a target, one that has is a result.
                    end_year = int(period[-4:])
                    if year is not None and not forecast:
                        kind = "target" if end_year >= year else "achievement"
            elif level == "national":
                pass  # 中央 in a national report is the issuer itself
            elif _is_parent(clause, previous):
                scope = "parent_quote"
            elif carry is not None and intro is None:
                scope = carry.scope
            elif intro is not None and intro.end() <= f.start and level != "national":
                icl, iprev = _clause_prefix(text, intro.start())
                if _is_parent(icl + text[intro.start() : intro.end()], iprev):
                    scope = "parent_quote"

            if explicit is not None:
                fig_year: int | None = explicit
            elif kind == "target" and carry is not None and carry.year is not None and intro is None:
                fig_year = carry.year
            elif year is None:
                fig_year = None
            elif kind == "achievement" or (kind == "forecast" and not this_year):
                # Reports are given early in the year: results and 预计 figures
                # are about the year just ended.
                fig_year = year - 1
            else:
                fig_year = year

            out.append(
                Target(
                    indicator_id=f.indicator.id,
                    indicator=f.form,
                    value=f.value,
                    value_high=f.value_high,
                    unit=f.indicator.unit,
                    qualifier=f.qualifier,
                    kind=kind,
                    scope=scope,
                    year=fig_year,
                    sentence_id=sent.id,
                    start=sent.start + f.start,
                    end=sent.start + f.end,
                    text=text[f.start : f.end],
                    measure=measure_of(f.form) if f.indicator.id == "gdp_growth" else "",
                    target_period=period if scope == "plan_period" else (
                        None if fig_year is None else str(fig_year)),
                )
            )

        if intro is not None:
            # A list intro opens (or re-opens) a carry for the next sentences
            # and switches the running phase to the plan.
            icl, iprev = _clause_prefix(text, intro.start())
            head = icl + text[intro.start() : intro.end()]
            carry = _Carry(
                scope="parent_quote" if _is_parent(head, iprev) else "own",
                year=_explicit_year(text, icl) or year,
            )
            if not back and _TARGET_CLAUSE.search(head):
                phase = "plan"
        prev = sent
    return out


def targets_frame(targets: Iterable[Target]) -> pd.DataFrame:
    """One row per :class:`Target`, columns in :data:`TARGET_COLUMNS` order.

    >>> targets_frame([]).columns.tolist()[:4]
    ['indicator_id', 'indicator', 'value', 'value_high']
    """
    rows = [tuple(getattr(t, c) for c in TARGET_COLUMNS) for t in targets]
    frame = pd.DataFrame.from_records(rows, columns=list(TARGET_COLUMNS))
    # Stable dtypes even for an empty or all-None column.
    frame["value"] = frame["value"].astype("float64")
    frame["value_high"] = pd.to_numeric(frame["value_high"], errors="coerce").astype("float64")
    frame["year"] = frame["year"].astype("Int64")
    for col in ("sentence_id", "start", "end"):
        frame[col] = frame[col].astype("int64")
    return frame


