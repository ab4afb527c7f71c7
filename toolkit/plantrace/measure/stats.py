"""Keyness statistics for comparing planning language between documents.

The design follows quanteda's ``textstat_keyness`` (package quanteda.textstats,
``src/keyness.cpp``) so that a table produced here can be read the way
researchers already read quanteda output: one 2×2 contingency table per
feature, a *signed* statistic (positive = relatively more frequent in the
target), a chi-squared p-value with one degree of freedom, and rows sorted by
the statistic in descending order with ties broken by feature name.

For a feature the 2×2 table is::

                    target      reference
    feature           a             b          a + b
    other tokens      c = Ta - a    d = Tb - b c + d
                      Ta            Tb         N

with expected counts ``E_ij = row_i * col_j / N``.

* Likelihood ratio (Dunning 1993): ``G² = 2 Σ O ln(O / E)`` over the four
  cells, with ``0 · ln 0 = 0``.
* Pearson chi-squared, in the closed 2×2 form
  ``X² = N (|ad − bc|)² / ((a+b)(c+d)(a+c)(b+d))``.
* Williams' correction (Williams 1976) divides the statistic by
  ``q = 1 + (N/(a+b) + N/(c+d) − 1) · (N/(a+c) + N/(b+d) − 1) / (6N)``.
  As in quanteda, ``q = 1`` when any cell is zero.
* Yates' continuity correction, as in quanteda, is used only when it matters:
  when ``|ad − bc| ≥ N/2`` and at least one expected count is below 5. Then
  X² uses ``(|ad − bc| − N/2)²`` and G² moves each cell 0.5 towards
  independence before the sum is taken.
* Sign: ``+`` when ``a > E_11`` (the target uses the feature more often than
  independence predicts), otherwise ``−``.

Three small differences from quanteda, on purpose:

* quanteda computes ``O ln(O/E + 1e-9)`` to avoid ``log(0)``. That shifts G² by
  up to ``2e-9 · N``. Here ``0 · ln 0`` is simply taken as 0.
* quanteda's chi2 with ``correction = "williams"`` *multiplies* by ``q`` in
  ``keyness.cpp``. Its own (commented-out) unit test expects division
  (4.017626 for the table [[3, 7], [7, 2]]). Here we divide.
* quanteda's ``correction = "default"`` applies Yates to both chi2 and lr in
  the C++ code, although its documentation says Williams for lr. Here the
  correction is always given explicitly. Pass ``correction="yates"`` to
  reproduce quanteda's default output.

p-values come from ``math.erfc(sqrt(x / 2))``, the exact upper tail of χ²
with one degree of freedom. It needs no scipy and, unlike
``1 - pchisq(x, 1)``, keeps its precision for very small p.

Log ratio (Hardie 2014) is the effect size: ``log2((a/Ta) / (b/Tb))``. A zero
count is replaced by ``smoothing`` (0.5) so that the ratio stays finite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = [
    "CORRECTIONS",
    "RateChange",
    "chi2",
    "g2",
    "log_ratio",
    "p_value_chi2_df1",
    "rate_change_test",
    "textstat_keyness",
]

Correction = Literal["none", "williams", "yates"]
CORRECTIONS: tuple[str, ...] = ("none", "williams", "yates")


def _table(a: int, b: int, total_a: int, total_b: int) -> tuple[float, float, float, float]:
    """Validate the counts and return the four cells (a, b, c, d) as floats."""
    for name, value in (("a", a), ("b", b), ("total_a", total_a), ("total_b", total_b)):
        if value < 0:
            raise ValueError(f"{name} must be non-negative, got {value}")
    # An empty side leaves the 2×2 table with a zero column margin, which
    # makes every expected count in that column zero. No test is defined then.
    if total_a <= 0 or total_b <= 0:
        raise ValueError(f"totals must be positive, got total_a={total_a}, total_b={total_b}")
    if a > total_a or b > total_b:
        raise ValueError(
            f"a feature count exceeds its total: a={a} > total_a={total_a} or b={b} > total_b={total_b}"
        )
    return float(a), float(b), float(total_a - a), float(total_b - b)


def _check_correction(correction: str) -> None:
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")


def _yates_delta(a: float, b: float, c: float, d: float) -> float:
    """Return 0.5 when quanteda would apply Yates' correction, else 0.0.

    The rule is quanteda's: correct only when the deviation is at least half a
    count per cell (``|ad - bc| >= N/2``, otherwise the correction would flip
    the table past independence) and some expected count is below 5, the
    usual small-sample threshold.
    """
    n = a + b + c + d
    if abs(a * d - b * c) < n / 2:
        return 0.0
    expected = (
        (a + b) * (a + c) / n,
        (a + b) * (b + d) / n,
        (c + d) * (a + c) / n,
        (c + d) * (b + d) / n,
    )
    return 0.5 if min(expected) < 5 else 0.0


def _williams_q(a: float, b: float, c: float, d: float) -> float:
    """Williams' q for a 2×2 table, 1.0 when a cell is zero (as quanteda)."""
    if a * b * c * d == 0:
        return 1.0
    n = a + b + c + d
    return 1.0 + (n / (a + b) + n / (c + d) - 1.0) * (n / (a + c) + n / (b + d) - 1.0) / (6.0 * n)


def _sign(a: float, b: float, c: float, d: float) -> float:
    # a > E11 is the same as a·d > b·c, and the product form avoids rounding
    # in the division.
    return 1.0 if a * d > b * c else -1.0


def _xlogx_over(o: float, e: float) -> float:
    # The 0 · ln 0 = 0 convention: a zero cell adds nothing to G².
    return o * math.log(o / e) if o > 0 else 0.0


def g2(a: int, b: int, total_a: int, total_b: int, *, correction: Correction = "williams") -> float:
    """Signed log-likelihood ratio G² for one feature, target vs reference.

    ``a`` and ``b`` are the feature's counts in the target and the reference.
    ``total_a`` and ``total_b`` are all tokens on each side. The result is
    positive when the feature is relatively more frequent in the target. See
    the module docstring for the formula and the corrections.

    Example: 高质量发展 10 times in 1,000 tokens of a district plan against
    twice in 1,000 tokens of the city proposal.

    >>> counts = {"区规划": {"高质量发展": 10}, "市建议": {"高质量发展": 2}}
    >>> round(g2(counts["区规划"]["高质量发展"], counts["市建议"]["高质量发展"],
    ...          1000, 1000, correction="none"), 4)
    5.8543
    >>> round(g2(2, 10, 1000, 1000, correction="none"), 4)  # the other way round
    -5.8543
    """
    _check_correction(correction)
    cells = _table(a, b, total_a, total_b)
    a_, b_, c_, d_ = cells
    sign = _sign(*cells)
    if correction == "yates":
        delta = _yates_delta(a_, b_, c_, d_)
        # Move every cell delta towards independence. When ad > bc the
        # feature is over-represented in the target, so a and d shrink.
        if sign > 0:
            a_, b_, c_, d_ = a_ - delta, b_ + delta, c_ + delta, d_ - delta
        else:
            a_, b_, c_, d_ = a_ + delta, b_ - delta, c_ - delta, d_ + delta
    n = a_ + b_ + c_ + d_
    r1, r2 = a_ + b_, c_ + d_
    k1, k2 = a_ + c_, b_ + d_
    stat = 2.0 * (
        _xlogx_over(a_, r1 * k1 / n)
        + _xlogx_over(b_, r1 * k2 / n)
        + _xlogx_over(c_, r2 * k1 / n)
        + _xlogx_over(d_, r2 * k2 / n)
    )
    # Rounding can leave a tiny negative sum at exact independence. G² is
    # never negative, so clip it to 0 before the sign is applied.
    stat = max(stat, 0.0)
    if correction == "williams":
        # q comes from the observed table, not from the Yates-adjusted one.
        stat /= _williams_q(*cells)
    return sign * stat if stat else 0.0


def chi2(a: int, b: int, total_a: int, total_b: int, *, correction: Correction = "yates") -> float:
    """Signed Pearson chi-squared for one feature, target vs reference.

    The default correction is Yates, as in quanteda. Only the chi2 measure
    keeps this default.

    >>> round(chi2(3, 7, 10, 9, correction="none"), 6)  # 19·43² / 8100, negative: fewer in target
    -4.33716
    >>> round(chi2(3, 7, 10, 9, correction="williams"), 6)
    -4.017626
    """
    _check_correction(correction)
    a_, b_, c_, d_ = _table(a, b, total_a, total_b)
    n = a_ + b_ + c_ + d_
    denominator = (a_ + b_) * (c_ + d_) * (a_ + c_) * (b_ + d_)
    if denominator == 0:
        # The feature is in every token or in none. No association can be measured.
        return 0.0
    delta = _yates_delta(a_, b_, c_, d_) if correction == "yates" else 0.0
    stat = n * (abs(a_ * d_ - b_ * c_) - n * delta) ** 2 / denominator
    if correction == "williams":
        stat /= _williams_q(a_, b_, c_, d_)
    return _sign(a_, b_, c_, d_) * stat if stat else 0.0


def log_ratio(a: int, b: int, total_a: int, total_b: int, smoothing: float = 0.5) -> float:
    """Hardie's Log Ratio: binary log of the ratio of relative frequencies.

    A zero count is replaced by ``smoothing`` (Hardie's 0.5), so that a feature
    missing on one side gets a finite, large value. A feature missing on both
    sides gives 0.0. Each unit is a doubling: 1.0 means twice as frequent in
    the target.

    >>> log_ratio(10, 2, 1000, 1000)  # 推动 10 vs 2 per thousand: 5× as frequent
    2.321928094887362
    >>> log_ratio(4, 0, 1000, 1000)   # 全力 missing from the reference: 4 / 0.5
    3.0
    """
    for name, value in (("a", a), ("b", b)):
        if value < 0:
            raise ValueError(f"{name} must be non-negative, got {value}")
    if total_a <= 0 or total_b <= 0:
        raise ValueError(f"totals must be positive, got total_a={total_a}, total_b={total_b}")
    if smoothing <= 0:
        raise ValueError(f"smoothing must be positive, got {smoothing}")
    if a == 0 and b == 0:
        return 0.0
    a_ = a if a > 0 else smoothing
    b_ = b if b > 0 else smoothing
    return math.log2((a_ / total_a) / (b_ / total_b))


def p_value_chi2_df1(stat: float) -> float:
    """Upper-tail p-value of χ² with one degree of freedom.

    The sign of a keyness statistic gives its direction, so ``abs(stat)`` is
    used, as quanteda does. Since χ²₁ is the square of a standard normal,
    ``P(X > x) = erfc(sqrt(x / 2))``.

    >>> round(p_value_chi2_df1(3.841458820694124), 6)  # the 5% critical value
    0.05
    >>> p_value_chi2_df1(0.0)
    1.0
    """
    if math.isnan(stat):
        return math.nan
    return math.erfc(math.sqrt(abs(stat) / 2.0))


def textstat_keyness(
    target: Mapping[str, int],
    reference: Mapping[str, int],
    *,
    measure: Literal["lr", "chi2"] = "lr",
    correction: Correction = "williams",
    sort: bool = True,
    smoothing: float = 0.5,
) -> pd.DataFrame:
    """Keyness of every feature in ``target`` against ``reference``.

    ``target`` and ``reference`` map features to counts (for example, the
    summed counts of a group of documents). Each side's total is the sum of its
    counts, so a mapping must hold *all* features of its side, not only the
    ones of interest. The result has the columns ``feature, n_target,
    n_reference, G2 | chi2, p, log_ratio``. With ``sort=True`` the rows are
    ordered by the statistic, highest first, ties broken by feature (quanteda's
    order). With ``sort=False`` they keep first-seen order: target keys, then
    keys found only in the reference.

    >>> 区 = {"推动": 30, "加快": 12, "全力": 6, "研究": 2, "其他": 950}
    >>> 市 = {"推动": 28, "加快": 10, "全力": 0, "研究": 9, "其他": 953}
    >>> table = textstat_keyness(区, 市)
    >>> list(table["feature"])
    ['全力', '加快', '推动', '其他', '研究']
    >>> table.loc[0, ["n_target", "n_reference"]].tolist()
    [6, 0]
    """
    if measure not in ("lr", "chi2"):
        raise ValueError(f"measure must be 'lr' or 'chi2', got {measure!r}")
    _check_correction(correction)
    features = list(dict.fromkeys([*target.keys(), *reference.keys()]))
    total_a = sum(int(v) for v in target.values())
    total_b = sum(int(v) for v in reference.values())
    stat_fn = g2 if measure == "lr" else chi2
    stat_name = "G2" if measure == "lr" else "chi2"
    rows = []
    for feature in features:
        a = int(target.get(feature, 0))
        b = int(reference.get(feature, 0))
        stat = stat_fn(a, b, total_a, total_b, correction=correction)
        rows.append(
            (
                feature,
                a,
                b,
                stat,
                p_value_chi2_df1(stat),
                log_ratio(a, b, total_a, total_b, smoothing) if (a or b) else 0.0,
            )
        )
    frame = pd.DataFrame(
        rows, columns=["feature", "n_target", "n_reference", stat_name, "p", "log_ratio"]
    )
    frame = frame.astype({"n_target": "int64", "n_reference": "int64", stat_name: "float64"})
    if sort and len(frame):
        # quanteda orders by (stat desc, feature asc) with radix, i.e. code-point
        # order. A stable mergesort on the feature, then on the statistic, gives
        # the same order.
        frame = frame.sort_values("feature", kind="mergesort")
        frame = frame.sort_values(stat_name, ascending=False, kind="mergesort")
        frame = frame.reset_index(drop=True)
    return frame


@dataclass(frozen=True, slots=True)
class RateChange:
    """Result of :func:`rate_change_test`. Signs read as change from A to B.

    ``g2`` is signed like ``log2_ratio``: positive when B's rate is higher.
    """

    g2: float
    p: float
    log2_ratio: float
    significant: bool
    direction: Literal["up", "down", "none"]


def rate_change_test(
    count_a: int,
    total_a: int,
    count_b: int,
    total_b: int,
    *,
    alpha: float = 0.05,
    min_abs_log2: float = 1.0,
    correction: Correction = "williams",
    smoothing: float = 0.5,
) -> RateChange:
    """Did a concept's rate change from document A (baseline) to document B?

    A is the baseline, for example the earlier year or the higher level, and B
    is the document compared with it. A change must pass two tests. Its G² must
    be significant (``p < alpha``), so it is probably not noise. Its Log Ratio
    must be at least ``min_abs_log2``, so it is large enough to matter:
    1.0 means at least a doubling or a halving. A long document can make a
    small rate change significant, and the effect-size threshold keeps such
    changes from being called escalation.

    >>> r = rate_change_test(3, 20000, 40, 20000)  # 全力 3 → 40 times per 20k characters
    >>> r.direction, r.significant, round(r.log2_ratio, 2)
    ('up', True, 3.74)
    >>> rate_change_test(30, 20000, 36, 20000).direction  # a 20% rise is noise here
    'none'
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if min_abs_log2 < 0:
        raise ValueError(f"min_abs_log2 must be non-negative, got {min_abs_log2}")
    # B is the "target" of the keyness test so that positive means "more in B".
    stat = g2(count_b, count_a, total_b, total_a, correction=correction)
    p = p_value_chi2_df1(stat)
    lr = log_ratio(count_b, count_a, total_b, total_a, smoothing)
    # With a zero count and unequal totals, the 0.5 smoothing can give the log
    # ratio the opposite sign to G². Such a result does not show a change.
    agree = (stat > 0 and lr > 0) or (stat < 0 and lr < 0)
    significant = p < alpha and abs(lr) >= min_abs_log2 and agree
    direction: Literal["up", "down", "none"]
    if not significant:
        direction = "none"
    elif stat > 0:
        direction = "up"
    else:
        direction = "down"
    return RateChange(g2=stat, p=p, log2_ratio=lr, significant=significant, direction=direction)
