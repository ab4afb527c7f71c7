"""层层加码: a child document's own targets against its parent's, per indicator and year
(the rules are in the docstring of :mod:`plantrace.compare.targets.extract`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .extract import QUALIFIER_CLASS, QUALIFIER_RANK

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
    >>> from plantrace.compare.targets import IndicatorLexicon, extract_targets, targets_frame
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

