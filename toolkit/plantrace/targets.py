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

What is matched
---------------
A figure expression is *surface form* (from ``lexicons/indicators.yaml``) +
optional bridge (``预期目标为``, ``要``, ``：``) + optional prefix qualifier
(``力争``, ``不低于``, ``控制在`` …) + number + the indicator's unit, optionally
a range (``5.0%—5.5%``, ``5-5.5%``, ``5.5%至6%``) + optional suffix qualifier
(``左右``, ``以上``, ``以内``, ``以下``, ``上下``).  Two extra shapes seen in
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
   **target** when the clause names this year (``今年``, ``{year}年``).
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

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, Protocol

import pandas as pd
import yaml

from .errors import PlantraceError

__all__ = [
    "COMPARISON_COLUMNS",
    "QUALIFIER_CLASS",
    "QUALIFIER_RANK",
    "TARGET_COLUMNS",
    "Indicator",
    "IndicatorLexicon",
    "IndicatorLexiconError",
    "SentenceLike",
    "Target",
    "compare_targets",
    "extract_targets",
    "load_indicators",
    "qualifier_strength",
    "targets_frame",
]

Kind = Literal["target", "achievement", "forecast"]
Scope = Literal["own", "parent_quote"]
Better = Literal["higher", "lower", "none"]
_BETTER_VALUES: frozenset[str] = frozenset({"higher", "lower", "none"})


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
# Indicator lexicon
# --------------------------------------------------------------------------


class IndicatorLexiconError(PlantraceError, ValueError):
    """Raised for an unreadable or malformed indicator lexicon; ``str()``
    starts with the file name (or ``<mapping>``), as the CLI expects."""

    def __init__(self, message: str, *, file: str) -> None:
        super().__init__(message, file=file)


@dataclass(frozen=True)
class Indicator:
    """One indicator: its id, label, unit, better direction and surface forms
    (NFKC-folded, longest first)."""

    id: str
    label: str
    unit: str
    better: Better
    surface_forms: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorLexicon:
    """The indicators of ``lexicons/indicators.yaml`` plus the file's sha256,
    so that results can cite the exact lexicon they were produced with."""

    name: str
    version: str
    indicators: tuple[Indicator, ...]
    sha256: str = ""
    source: str = "<mapping>"
    # Lookup tables built once in __post_init__ (excluded from eq/repr).
    _by_form: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _form_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _stem_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _stems: dict[str, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_form: dict[str, Indicator] = {}
        for ind in self.indicators:
            for form in ind.surface_forms:
                by_form[form] = ind
        forms = sorted(by_form, key=len, reverse=True)  # longest form wins at a position
        # Stems: a form ending in 增长 minus that suffix, for 'level, growth'
        # results such as 国内生产总值达到134.9万亿元、增长5%.  Stems shorter
        # than two characters would match too much.
        stems = {f[: -len("增长")]: by_form[f] for f in forms if f.endswith("增长") and len(f) >= 4}
        object.__setattr__(self, "_by_form", by_form)
        object.__setattr__(
            self, "_form_re", re.compile("|".join(map(re.escape, forms))) if forms else None
        )
        object.__setattr__(self, "_stems", stems)
        object.__setattr__(
            self,
            "_stem_re",
            re.compile("|".join(map(re.escape, sorted(stems, key=len, reverse=True))))
            if stems
            else None,
        )

    # -- construction ------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, data: Any, *, source: str = "<mapping>", sha256: str = ""
    ) -> IndicatorLexicon:
        """Validate a parsed YAML document (see :func:`load_indicators`)."""

        def fail(problem: str) -> IndicatorLexiconError:
            return IndicatorLexiconError(problem, file=source)

        if not isinstance(data, Mapping):
            raise fail(f"top level must be a mapping, got {type(data).__name__}")
        entries = data.get("indicators")
        if not isinstance(entries, list) or not entries:
            raise fail("'indicators' must be a non-empty list")
        seen_ids: set[str] = set()
        seen_forms: dict[str, str] = {}
        indicators: list[Indicator] = []
        for i, entry in enumerate(entries):
            where = f"indicators[{i}]"
            if not isinstance(entry, Mapping):
                raise fail(f"{where} must be a mapping")
            ind_id = entry.get("id")
            if not isinstance(ind_id, str) or not ind_id.strip():
                raise fail(f"{where}: 'id' must be a non-empty string")
            where = f"indicator {ind_id!r}"
            if ind_id in seen_ids:
                raise fail(f"{where}: duplicate id")
            seen_ids.add(ind_id)
            label = entry.get("label", ind_id)
            if not isinstance(label, str):
                raise fail(f"{where}: 'label' must be a string")
            # A figure without a unit is too ambiguous (years, counts), so the
            # unit defaults to '%' -- the unit of every growth indicator.
            unit = entry.get("unit", "%")
            if not isinstance(unit, str) or not unit.strip():
                raise fail(f"{where}: 'unit' must be a non-empty string")
            better = entry.get("better", "none")
            if better not in _BETTER_VALUES:
                raise fail(f"{where}: 'better' must be one of higher, lower, none; got {better!r}")
            raw_forms = entry.get("surface_forms", [label])
            if not isinstance(raw_forms, list) or not raw_forms:
                raise fail(f"{where}: 'surface_forms' must be a non-empty list")
            forms: list[str] = []
            for form in raw_forms:
                if not isinstance(form, str) or not form.strip():
                    raise fail(f"{where}: surface forms must be non-empty strings, got {form!r}")
                # Texts arrive NFKC-folded, so the forms must be too (ＧＤＰ → GDP).
                norm = unicodedata.normalize("NFKC", form.strip())
                if norm in seen_forms and seen_forms[norm] != ind_id:
                    raise fail(
                        f"{where}: surface form {norm!r} already belongs to {seen_forms[norm]!r}"
                    )
                seen_forms[norm] = ind_id
                if norm not in forms:
                    forms.append(norm)
            indicators.append(
                Indicator(
                    id=ind_id,
                    label=label,
                    unit=unicodedata.normalize("NFKC", unit.strip()),
                    better=better,
                    surface_forms=tuple(sorted(forms, key=len, reverse=True)),
                )
            )
        return cls(
            name=str(data.get("name", "indicators")),
            version=str(data.get("version", "")),
            indicators=tuple(indicators),
            sha256=sha256,
            source=source,
        )

    # -- access ------------------------------------------------------------

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, or ``None``."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        return None

    @property
    def better(self) -> dict[str, str]:
        """``{indicator_id: better}``, the mapping :func:`compare_targets` wants."""
        return {ind.id: ind.better for ind in self.indicators}


def load_indicators(path: str | Path) -> IndicatorLexicon:
    """Read and validate an indicator lexicon YAML file (``yaml.safe_load``).

    Errors are :class:`IndicatorLexiconError` naming the file and the problem.
    The sha256 of the file bytes is kept on the result.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise IndicatorLexiconError(f"cannot read file ({exc.strerror or exc})", file=str(p)) from exc
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise IndicatorLexiconError(f"not UTF-8 ({exc})", file=str(p)) from exc
    except yaml.YAMLError as exc:
        raise IndicatorLexiconError(f"invalid YAML ({exc})", file=str(p)) from exc
    return IndicatorLexicon.from_mapping(data, source=str(p), sha256=hashlib.sha256(raw).hexdigest())


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


TARGET_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Target))

# Qualifiers, longest first inside each alternation so that 力争达到 beats 力争.
_PREFIX_QUALIFIERS = (
    "力争达到", "力争实现", "力争", "争取", "不低于", "不高于", "不超过", "超过", "高于",
    "低于", "达到", "达", "约", "保持在", "控制在", "稳定在", "实现",
)
_SUFFIX_QUALIFIERS = ("左右", "以上", "以内", "以下", "上下")
# Stored qualifiers are normalised only where two spellings mean the same.
_QUALIFIER_ALIASES = {"力争达到": "力争", "力争实现": "力争"}

QUALIFIER_CLASS: dict[str, str] = {
    "以内": "cap", "以下": "cap", "不高于": "cap", "不超过": "cap", "低于": "cap", "控制在": "cap",
    "左右": "approx", "上下": "approx", "约": "approx",
    "": "point", "达到": "point", "达": "point", "实现": "point", "保持在": "point", "稳定在": "point",
    "以上": "floor", "不低于": "floor", "超过": "floor", "高于": "floor",
    "力争": "stretch", "争取": "stretch",
}
"""Qualifier → commitment class (see the module docstring table)."""

QUALIFIER_RANK: dict[str, dict[str, int]] = {
    "higher": {"cap": 0, "approx": 1, "point": 2, "floor": 3, "stretch": 3},
    "lower": {"floor": 0, "approx": 1, "point": 2, "cap": 3, "stretch": 3},
}
"""Class → strength for each ``better`` direction (a cap is weak for growth,
strong for unemployment)."""

# Qualifiers that by themselves mark a planned figure (rule 7, the fallback).
_TARGET_QUALIFIERS = frozenset(
    {"左右", "以上", "以内", "以下", "上下", "不低于", "不高于", "不超过", "力争", "争取"}
)

_NUM = r"\d+(?:\.\d+)?"
# The pipeline's folding keeps the full-width hyphen (6.5%－7%, national 2016).
_RANGE_SEP = r"\s*(?:[—–\-~〜～－−‐‑﹣]{1,2}|至|到)\s*"
_BRIDGE = (
    r"(?:速度|速)?(?:的)?(?:预计|预期目标|预期|目标|平均)?(?:为|是|要|建议为|在)?[:：]?\s*"
)
_PQ = "(?P<pq>" + "|".join(_PREFIX_QUALIFIERS) + ")?"
_SQ = "(?P<sq>" + "|".join(_SUFFIX_QUALIFIERS) + ")?"
_AMOUNT = r"(?:达到|达|为|突破|超过|实现)?\s*" + _NUM + r"\s*(?:万亿|亿|万)?(?:元|美元)"
_STRETCH = (
    r"[、，,]\s*(?P<pq>力争|争取)(?:达到|实现)?(?P<lo>" + _NUM + r")(?P<u1>{unit})(?P<sq>左右|以上)?"
)

# Words that, right before a surface form, make it part of another
# indicator (海洋生产总值, 数字经济增速) or a contribution ratio (消费对经济增长).
_COMPOUND_PREFIXES = (
    "海洋", "数字", "县域", "民营", "实体", "园区", "世界", "全球", "外向型", "对",
)

_CLAUSE_BOUNDARY = re.compile(r"[，,；;。！？!?]")
_FORECAST = re.compile(r"预计")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_LOOKBACK_START = re.compile(
    r"^[\s　]*(?:过去一年|过去的一年|刚刚过去的一年|去年|一年来|上年|过去五年)"
)
# Only comparisons with others mark a result: 、比上年增加3000亿元 also
# follows planned figures (national 2025: 拟发行超长期特别国债1.3万亿元、比上年…).
_RESULT_AFTER = re.compile(
    r"^[，,、\s]*(?:高于全国|低于全国|快于全国|慢于全国|居全国|位居全国|增速全国|增速居|全国第|"
    r"追平|比全国|超过全国)"
)
_THIS_YEAR = re.compile(r"今年|本年度?")
_THIS_YEAR_START = re.compile(r"^[\s　]*(?:今年|本年)")
_TARGET_CLAUSE = re.compile(r"预期目标|目标是|目标为|预期为")
_LIST_INTRO = re.compile(r"目标(?:是|为|建议为|如下)?\s*[:：]")
_PARENT_ATTRIBUTION = re.compile(
    r"(?:党中央|中共中央|中央|国务院|国家|全国)[^，,；;。！？]{0,16}?"
    r"(?:提出|确定|要求|部署|下达|制定|明确|设定|目标|预期)"
)
_COMPLIANCE_START = re.compile(r"^[\s　]*(?:按照|根据|依照|遵照|落实|贯彻)")
_REPORTING_END = re.compile(r"(?:提出|确定|要求|明确|强调|指出|部署)\s*$")
_YEAR_IN_CLAUSE = re.compile(r"(\d{4})\s*年(?![代底末初前后以内间起度])")
_YEAR_AT_START = re.compile(
    r"^[\s　]*(?:在|(?:据)?初步统计[，,])?(\d{4})\s*年(?![代底末初前后以内间起度])"
)

_REVIEW_HEADING = re.compile(r"回顾|过去一年|过去五年|一年来|工作总结")
_PLAN_HEADING = re.compile(
    r"工作安排|总体要求|目标任务|主要目标|预期目标|重点工作|主要任务|工作任务|工作思路|"
    r"总体部署|政策取向|工作建议"
)


@dataclass
class _Carry:
    """Voice of a 主要预期目标 list, carried to its items in later sentences."""

    scope: Scope
    year: int | None


# Units.  The lexicon gives one canonical unit per indicator, but reports
# vary the magnitude (粮食产量1.4万亿斤 vs 725亿斤, 专项债券4.4万亿元) and,
# for grain, the measure (福建 粮食产量511万吨).  A figure is read in any
# magnitude of the canonical base (or of a convertible mass unit) and
# converted; anything else is not the indicator's figure and is skipped.
_MAGNITUDES: dict[str, float] = {
    "万亿": 1e12, "千万": 1e7, "百万": 1e6, "十万": 1e5, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2,
}
_MAG_RE = "(?:" + "|".join(sorted(_MAGNITUDES, key=len, reverse=True)) + ")"
_MASS_IN_JIN: dict[str, float] = {"斤": 1.0, "公斤": 2.0, "吨": 2000.0}


def _split_unit(unit: str) -> tuple[float, str]:
    """(magnitude factor, base) of a unit: 万亿斤 → (1e12, 斤), % → (1, %)."""
    m = re.match(_MAG_RE, unit)
    if m and m.end() < len(unit):
        return _MAGNITUDES[m.group(0)], unit[m.end() :]
    return 1.0, unit


def _unit_regex(unit: str) -> str:
    """Pattern for the units a figure of canonical ``unit`` may carry."""
    if unit in ("%", "％"):
        return "[%％]"  # in case a caller skipped the full-width fold
    _, base = _split_unit(unit)
    bases = sorted(_MASS_IN_JIN if base in _MASS_IN_JIN else {base}, key=len, reverse=True)
    return _MAG_RE + "?(?:" + "|".join(map(re.escape, bases)) + ")"


def _convert(value: float, seen: str | None, unit: str) -> float:
    """``value`` in unit ``seen`` expressed in the canonical ``unit``."""
    if seen is None or unit in ("%", "％"):
        return value
    s_mag, s_base = _split_unit(seen)
    c_mag, c_base = _split_unit(unit)
    factor = s_mag / c_mag
    if s_base != c_base:
        factor *= _MASS_IN_JIN[s_base] / _MASS_IN_JIN[c_base]
    # Round away binary noise (511万吨 → 102.2亿斤, not 102.19999999999999).
    return round(value * factor, 9)


def _figure_regex(unit: str) -> re.Pattern[str]:
    u = _unit_regex(unit)
    return re.compile(
        _BRIDGE + _PQ + r"(?P<lo>" + _NUM + r")\s*(?P<u1>" + u + r")?"
        r"(?:" + _RANGE_SEP + r"(?P<hi>" + _NUM + r")\s*(?P<u2>" + u + r")?)?\s*" + _SQ
    )


def _growth_after_amount_regex(unit: str) -> re.Pattern[str]:
    u = _unit_regex(unit)
    # Either an amount (57761亿元、增长5.5%), a base (同比增长6.1%) or 预计
    # (Tianjin: 生产总值预计增长5.1%左右) must sit between stem and 增长; the
    # plain stem+增长 is the surface-form route.
    return re.compile(
        r"(?:" + _AMOUNT + r"\s*[、，,]?\s*(?:比上年|同比|较上年)?|(?:比上年|同比|较上年|预计))"
        r"(?:实际)?增长\s*" + _PQ + r"(?P<lo>" + _NUM + r")\s*(?P<u1>" + u + r")\s*" + _SQ
    )


def _stretch_regex(unit: str) -> re.Pattern[str]:
    return re.compile(_STRETCH.format(unit=_unit_regex(unit)))


_FIGURE_CACHE: dict[str, re.Pattern[str]] = {}
_AMOUNT_CACHE: dict[str, re.Pattern[str]] = {}
_STRETCH_CACHE: dict[str, re.Pattern[str]] = {}


def _cached(cache: dict[str, re.Pattern[str]], unit: str, build: Any) -> re.Pattern[str]:
    if unit not in cache:
        cache[unit] = build(unit)
    return cache[unit]


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


@dataclass
class _Match:
    indicator: Indicator
    form: str
    start: int  # local offsets in the sentence
    end: int
    figure_start: int
    value: float
    value_high: float | None
    qualifier: str


def _trailing_qualifier(form: str) -> str | None:
    for q in sorted(_PREFIX_QUALIFIERS, key=len, reverse=True):
        if form.endswith(q) and len(form) > len(q):
            return q
    return None


def _qualifier(pq: str | None, sq: str | None) -> str:
    # The suffix binds the number (控制在5.5%以内 → 以内); else the prefix.
    q = sq or pq or ""
    return _QUALIFIER_ALIASES.get(q, q)


def _find_figures(text: str, lex: IndicatorLexicon) -> list[_Match]:
    found: list[_Match] = []
    if lex._form_re is not None:
        for m in lex._form_re.finditer(text):
            if text[: m.start()].endswith(_COMPOUND_PREFIXES):
                continue
            ind = lex._by_form[m.group(0)]
            fm = _cached(_FIGURE_CACHE, ind.unit, _figure_regex).match(text, m.end())
            if fm is None or fm.group("lo") is None:
                continue
            hi = fm.group("hi")
            u1, u2 = fm.group("u1"), fm.group("u2")
            # A unit must appear on the low end or on the high end of a range.
            if u1 is None and not (hi and u2):
                continue
            end = fm.end()
            sq = fm.group("sq")
            if hi and u2 is None:
                # 5%至6 without a unit on 6: not a range; stop after the unit.
                hi, sq, end = None, None, fm.end("u1")
            end = len(text[:end].rstrip())
            # A form may end in a qualifier (城镇登记失业率低于, 研发投入强度达).
            form_q = _trailing_qualifier(m.group(0))
            found.append(
                _Match(ind, m.group(0), m.start(), end, fm.start("lo"),
                       _convert(float(fm.group("lo")), u1 or u2, ind.unit),
                       _convert(float(hi), u2, ind.unit) if hi else None,
                       _qualifier(fm.group("pq") or form_q, sq))
            )
            # Chained stretch figure: 增长7%以上、力争达到8%.
            sm = _cached(_STRETCH_CACHE, ind.unit, _stretch_regex).match(text, end)
            if sm is not None:
                s_start = sm.start("pq")
                found.append(
                    _Match(ind, m.group(0), s_start, sm.end(), s_start,
                           _convert(float(sm.group("lo")), sm.group("u1"), ind.unit), None,
                           _qualifier(sm.group("pq"), sm.group("sq")))
                )
    if lex._stem_re is not None:
        taken = [(f.start, f.end) for f in found]
        for m in lex._stem_re.finditer(text):
            if text[: m.start()].endswith(_COMPOUND_PREFIXES):
                continue
            if any(s <= m.start() < e for s, e in taken):
                continue
            ind = lex._stems[m.group(0)]
            am = _cached(_AMOUNT_CACHE, ind.unit, _growth_after_amount_regex).match(text, m.end())
            if am is None:
                continue
            found.append(
                _Match(ind, m.group(0), m.start(), am.end(), am.start("lo"),
                       _convert(float(am.group("lo")), am.group("u1"), ind.unit), None,
                       _qualifier(am.group("pq"), am.group("sq")))
            )
    found.sort(key=lambda f: f.start)
    return found


def extract_targets(
    sentences: Iterable[SentenceLike],
    *,
    year: int | None,
    indicators: IndicatorLexicon,
) -> list[Target]:
    """Find indicator figures in one document's sentences (in document order)
    and classify each as target / achievement / forecast and own /
    parent_quote, following the rules in the module docstring.

    ``year`` is the report's year (the year its plan is for).
    """
    out: list[Target] = []
    phase: str | None = None  # running section when headings are silent
    carry: _Carry | None = None
    prev: SentenceLike | None = None
    lookback_paragraph: Any = None  # paragraph_id of a paragraph opened by 过去一年…
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
            this_year = _THIS_YEAR.search(clause) is not None or (
                year is not None and explicit == year
            )
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
            if _is_parent(clause, previous):
                scope = "parent_quote"
            elif carry is not None and intro is None:
                scope = carry.scope
            elif intro is not None and intro.end() <= f.start:
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


# --------------------------------------------------------------------------
# Comparison between levels
# --------------------------------------------------------------------------

COMPARISON_COLUMNS: tuple[str, ...] = (
    "indicator_id", "year", "value_parent", "value_high_parent", "qualifier_parent",
    "value_child", "value_high_child", "qualifier_child", "status", "reason",
)


def qualifier_strength(qualifier: str, better: str) -> int:
    """Commitment strength of a qualifier in the ``better`` direction.

    >>> qualifier_strength("以上", "higher") > qualifier_strength("左右", "higher")
    True
    >>> qualifier_strength("以内", "lower") > qualifier_strength("左右", "lower")
    True
    """
    cls = QUALIFIER_CLASS.get(qualifier, "point")
    return QUALIFIER_RANK.get(better, QUALIFIER_RANK["higher"])[cls]


def _fmt(value: float, high: float | None, qualifier: str) -> str:
    def num(x: float) -> str:
        return f"{x:g}"

    core = f"{num(value)}–{num(high)}" if high is not None else num(value)
    return f"{core}{qualifier}" if qualifier else core


def _judge(
    pv: float, ph: float | None, pq: str, cv: float, ch: float | None, cq: str, better: str
) -> tuple[str, str]:
    parent_s, child_s = _fmt(pv, ph, pq), _fmt(cv, ch, cq)
    p_top, c_top = (ph if ph is not None else pv), (ch if ch is not None else cv)
    same = math.isclose(pv, cv) and math.isclose(p_top, c_top) and pq == cq
    if better not in ("higher", "lower"):
        if same:
            return "equal", f"same target {child_s} (no better direction)"
        return "incomparable", f"child {child_s} vs parent {parent_s}; indicator has no better direction"
    sign = 1 if better == "higher" else -1
    # Order of comparison: the bound that commits first (floor for higher,
    # top for lower), then the other bound, then qualifier strength.
    pairs = [("floor", pv, cv), ("top", p_top, c_top)]
    if better == "lower":
        pairs.reverse()
    for name, p, c in pairs:
        if not math.isclose(p, c):
            up = (c - p) * sign > 0
            rel = "above" if c > p else "below"
            reason = (f"child {child_s} {rel} parent {parent_s} ({name} {c:g} vs {p:g}; "
                      f"{better} is better)")
            return ("escalated" if up else "lowered"), reason
    ps, cs = qualifier_strength(pq, better), qualifier_strength(cq, better)
    if cs != ps:
        reason = (f"same value {cv:g}; qualifier '{cq or '∅'}' is "
                  f"{'stronger' if cs > ps else 'weaker'} than '{pq or '∅'}' ({better} is better)")
        return ("escalated" if cs > ps else "lowered"), reason
    return "equal", f"same value {cv:g} and equally strong qualifiers ('{cq or '∅'}' / '{pq or '∅'}')"


def _headline(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    own = frame[(frame["kind"] == "target") & (frame["scope"] == "own") & frame["year"].notna()]
    # First own target in document order = the 主要预期目标 list entry.
    own = own.sort_values([*keys, "start"], kind="stable")
    return own.drop_duplicates(subset=keys, keep="first")


def compare_targets(
    child: pd.DataFrame,
    parent: pd.DataFrame,
    better: Mapping[str, str],
    *,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Compare the child's own targets with the parent's, per indicator and year.

    ``child`` and ``parent`` are :func:`targets_frame` outputs.  ``by`` names
    extra columns of ``child`` (e.g. a ``region`` column the caller added)
    so that many children can be compared with one parent in one call.
    ``status`` is ``escalated``, ``equal`` or ``lowered`` (``incomparable``
    when the indicator has no better direction and the targets differ); see
    the module docstring for the rules.

    >>> from types import SimpleNamespace as S
    >>> lex = IndicatorLexicon.from_mapping({"indicators": [{"id": "gdp_growth",
    ...     "better": "higher", "surface_forms": ["国内生产总值增长", "地区生产总值增长"]}]})
    >>> def frame(text):
    ...     s = S(id=0, start=0, end=len(text), text=text, heading_path=("2025年工作安排",), zone="body")
    ...     return targets_frame(extract_targets([s], year=2025, indicators=lex))
    >>> out = compare_targets(frame("地区生产总值增长4.5%左右。"), frame("国内生产总值增长5%左右。"), lex.better)
    >>> out[["value_parent", "value_child", "status"]].values.tolist()
    [[5.0, 4.5, 'lowered']]
    """
    keys = ["indicator_id", "year"]
    by = list(by)
    missing = [c for c in [*keys, *by, "kind", "scope", "start", "value", "value_high", "qualifier"]
               if c not in child.columns]
    if missing:
        raise KeyError(f"child frame lacks columns {missing}")
    c_head = _headline(child, [*by, *keys])
    p_head = _headline(parent, keys)
    merged = c_head.merge(p_head, on=keys, suffixes=("_child", "_parent"))
    rows: list[dict[str, Any]] = []
    for rec in merged.to_dict("records"):
        ph = rec["value_high_parent"]
        ch = rec["value_high_child"]
        ph = None if ph is None or pd.isna(ph) else float(ph)
        ch = None if ch is None or pd.isna(ch) else float(ch)
        status, reason = _judge(
            float(rec["value_parent"]), ph, str(rec["qualifier_parent"]),
            float(rec["value_child"]), ch, str(rec["qualifier_child"]),
            str(better.get(rec["indicator_id"], "none")),
        )
        row = {b: rec[b] for b in by}
        row.update(
            indicator_id=rec["indicator_id"], year=rec["year"],
            value_parent=float(rec["value_parent"]), value_high_parent=ph,
            qualifier_parent=rec["qualifier_parent"],
            value_child=float(rec["value_child"]), value_high_child=ch,
            qualifier_child=rec["qualifier_child"], status=status, reason=reason,
        )
        rows.append(row)
    columns = [*by, *COMPARISON_COLUMNS]
    result = pd.DataFrame.from_records(rows, columns=columns)
    result["year"] = result["year"].astype("Int64")
    for col in ("value_parent", "value_high_parent", "value_child", "value_high_child"):
        result[col] = pd.to_numeric(result[col], errors="coerce").astype("float64")
    return result.sort_values([*by, *keys], kind="stable").reset_index(drop=True)
