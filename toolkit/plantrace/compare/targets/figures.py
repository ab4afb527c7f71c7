"""Finding figures: an indicator's surface form, an optional bridge and qualifier, a
number (or a range) and the indicator's unit, read in any magnitude and converted.

What the figures *mean* (target, achievement, forecast) is decided in
:mod:`plantrace.compare.targets.extract`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .cues import CUES
from .indicators import Indicator, IndicatorLexicon

_PREFIX_QUALIFIERS = CUES.prefix_qualifiers
_SUFFIX_QUALIFIERS = CUES.suffix_qualifiers
_QUALIFIER_ALIASES = CUES.qualifier_aliases
_COMPOUND_PREFIXES = CUES.compound_prefixes

_NUM = r"\d+(?:\.\d+)?"
# Chinese numerals of a percentage (百分之八点六, 百分之十四点二, mixed 百分之8.5); converted by cn2an.
_CN_NUM = r"[0-9.零〇一二两三四五六七八九十点]+"
# The pipeline's folding keeps the full-width hyphen (6.5%－7%, national 2016).
_RANGE_SEP = r"\s*(?:[—–\-~〜～－−‐‑﹣]{1,2}|至|到)\s*"
# 经济增长速度的宏观调控目标，定为百分之八至九 (1995), 调控目标定为8% (1997).
_BRIDGE = (
    r"(?:速度|速)?(?:的)?(?:(?:宏观)?调控目标[，,]?\s*|预计|预期目标|预期|目标|平均)?"
    r"(?:定为|为|是|要|建议为|在)?[:：]?\s*"
    # 经济增长预期目标是在明显提高质量和效益的基础上年均增长7% (2011);
    # 国民经济增长速度由原定平均每年百分之六调高到百分之八至九 (1993): the new figure.
    r"(?:在[^，,。；;:：]{1,20}?基础上)?(?:年均增长|平均每年增长)?"
    r"(?:由[^，,。；;]{1,16}?(?:调高|提高|调低|降低|调整)到)?"
)
_PQ = "(?P<pq>" + "|".join(_PREFIX_QUALIFIERS) + ")?"
_SQ = "(?P<sq>" + "|".join(_SUFFIX_QUALIFIERS) + ")?"
_AMOUNT = r"(?:达到|达|为|突破|超过|实现)?\s*" + _NUM + r"\s*(?:万亿|亿|万)?(?:元|美元)"
_STRETCH = (
    r"[、，,]\s*(?P<pq>力争|争取)(?:达到|实现)?(?P<lo>" + _NUM + r")(?P<u1>{unit})(?P<sq>左右|以上)?"
)


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
    arabic = (r"(?P<lo>" + _NUM + r")\s*(?P<u1>" + u + r")?"
              r"(?:" + _RANGE_SEP + r"(?P<hi>" + _NUM + r")\s*(?P<u2>" + u + r")?)?")
    if unit in ("%", "％"):
        # 百分之八至九, 百分之五左右: the unit comes first and covers both ends.
        chinese = (r"百分之(?P<lo_cn>" + _CN_NUM + r")"
                   r"(?:" + _RANGE_SEP + r"(?:百分之)?(?P<hi_cn>" + _CN_NUM + r"))?")
        arabic = r"(?:" + chinese + r"|" + arabic + r")"
    # 保持在6%-7%区间: the word 区间 after the figure is read past.
    return re.compile(_BRIDGE + _PQ + arabic + r"\s*" + _SQ + r"(?:的?区间)?")


def chinese_number(text: str) -> float | None:
    """A number written in Chinese or mixed numerals, by cn2an (``None`` if it is not one).

    >>> chinese_number("八点六"), chinese_number("十四点二"), chinese_number("二十一点七"), chinese_number("8.5")
    (8.6, 14.2, 21.7, 8.5)
    >>> chinese_number("点") is None
    True
    """
    try:
        import cn2an  # type: ignore[import-untyped]  # here: importing it costs 0.4 s

        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _growth_after_amount_regex(unit: str) -> re.Pattern[str]:
    u = _unit_regex(unit)
    # Either an amount (57761亿元、增长5.5%), a base (同比增长6.1%) or 预计
    # (Tianjin: 生产总值预计增长5.1%左右) must sit between stem and 增长; the
    # plain stem+增长 is the surface-form route.
    return re.compile(
        # 国民生产总值达到15500亿元左右，平均每年增长7.5%左右 (1988, a plan-period figure).
        r"(?:" + _AMOUNT + r"\s*(?:左右)?[、，,]?\s*(?:比上年|同比|较上年|平均每年|年均)?"
        r"|(?:比上年|同比|较上年|预计))"
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
            if fm is not None and fm.groupdict().get("lo_cn"):
                lo_cn = chinese_number(fm.group("lo_cn"))
                hi_cn = chinese_number(fm.group("hi_cn")) if fm.group("hi_cn") else None
                if lo_cn is None:
                    continue
                end = len(text[: fm.end()].rstrip())
                found.append(_Match(ind, m.group(0), m.start(), end, fm.start("lo_cn"), lo_cn, hi_cn,
                                    _qualifier(fm.group("pq") or _trailing_qualifier(m.group(0)),
                                               fm.group("sq"))))
                continue
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


