"""Tests for plantrace.stats.

The expected numbers come from outside the module. Some are written out by
hand with literal counts (the values were computed to 40 digits with
``decimal``). Others come from a separate r×c implementation of the G-test
and of Pearson's X², written from the textbook formulas, like the Deducer
``likelihood.test`` that quanteda's own tests use. The rest are orderings and
values taken from quanteda.textstats' ``test-textstat_keyness.R``.
"""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd
import pytest

from plantrace.measure.stats import (
    RateChange,
    chi2,
    g2,
    log_ratio,
    p_value_chi2_df1,
    rate_change_test,
    textstat_keyness,
)

# --- independent reference implementations ---------------------------------


def _g_test(table: list[list[float]], williams: bool = False) -> float:
    """Unsigned G for an r×c table, written the way Deducer's likelihood.test is."""
    n = sum(map(sum, table))
    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table, strict=True)]
    g = 0.0
    for i, row in enumerate(table):
        for j, o in enumerate(row):
            if o:
                g += o * math.log(o / (rows[i] * cols[j] / n))
    q = 1.0
    if williams:
        r, c = len(rows), len(cols)
        q = 1 + (n * sum(1 / x for x in rows) - 1) * (n * sum(1 / x for x in cols) - 1) / (
            6 * n * (r - 1) * (c - 1)
        )
    return 2 * g / q


def _pearson(table: list[list[float]], yates: bool = False) -> float:
    """Unsigned X², like R's chisq.test: Yates subtracts min(0.5, |O - E|)."""
    n = sum(map(sum, table))
    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table, strict=True)]
    x = 0.0
    for i, row in enumerate(table):
        for j, o in enumerate(row):
            e = rows[i] * cols[j] / n
            dev = abs(o - e)
            if yates:
                dev -= min(0.5, dev)
            x += dev * dev / e
    return x


# --- g2 --------------------------------------------------------------------


def test_g2_hand_computation_10_vs_2_per_thousand():
    # Table: feature 10 | 2, other 990 | 998, N = 2000. Every expected count
    # is 12·1000/2000 = 6 for the feature row and 1988·1000/2000 = 994 for the
    # other row.
    by_hand = 2 * (
        10 * math.log(10 / 6) + 2 * math.log(2 / 6) + 990 * math.log(990 / 994) + 998 * math.log(998 / 994)
    )
    assert by_hand == pytest.approx(5.854256566489611, rel=1e-12)  # 40-digit decimal
    assert g2(10, 2, 1000, 1000, correction="none") == pytest.approx(5.854256566489611, rel=1e-12)
    # Williams: q = 1 + (2000/12 + 2000/1988 - 1)(2000/1000 + 2000/1000 - 1) / (6·2000)
    q = 1 + (2000 / 12 + 2000 / 1988 - 1) * (2 + 2 - 1) / 12000
    assert q == pytest.approx(1.0416681757209926, rel=1e-12)
    assert g2(10, 2, 1000, 1000) == pytest.approx(5.620078162066895, rel=1e-12)


def test_g2_is_signed_and_antisymmetric():
    assert g2(10, 2, 1000, 1000) > 0
    assert g2(2, 10, 1000, 1000) == pytest.approx(-g2(10, 2, 1000, 1000))
    # Same rate on both sides means no association at all.
    assert g2(5, 10, 1000, 2000) == 0.0
    assert g2(0, 0, 1000, 2000) == 0.0


@pytest.mark.parametrize(
    "a,b,ta,tb",
    [(3, 7, 10, 9), (7, 2, 9, 10), (10, 2, 1000, 1000), (120, 45, 52_266, 54_873), (1, 30, 900, 4000)],
)
def test_g2_matches_independent_g_test(a, b, ta, tb):
    table = [[a, b], [ta - a, tb - b]]
    assert abs(g2(a, b, ta, tb, correction="none")) == pytest.approx(_g_test(table), rel=1e-10)
    assert abs(g2(a, b, ta, tb, correction="williams")) == pytest.approx(
        _g_test(table, williams=True), rel=1e-10
    )


def test_g2_zero_cell_uses_zero_log_zero_and_no_williams():
    # b = 0: the b·ln(b/E) term drops out. quanteda sets q = 1 when a cell is 0.
    a, ta, tb = 6, 1000, 1000
    n = ta + tb
    e_a = a * ta / n  # 3
    e_c = (n - a) * ta / n  # other tokens, target
    e_d = (n - a) * tb / n  # other tokens, reference
    by_hand = 2 * (a * math.log(a / e_a) + (ta - a) * math.log((ta - a) / e_c) + tb * math.log(tb / e_d))
    assert g2(a, 0, ta, tb, correction="none") == pytest.approx(by_hand, rel=1e-12)
    assert g2(a, 0, ta, tb, correction="williams") == pytest.approx(by_hand, rel=1e-12)


def test_g2_yates_moves_cells_half_a_count_towards_independence():
    # a=6, b=0 of 1000 each: |ad - bc| = 6000 >= N/2 and E11 = 3 < 5, so Yates applies.
    cells = [6 - 0.5, 0 + 0.5, 994 + 0.5, 1000 - 0.5]
    by_hand = _g_test([[cells[0], cells[1]], [cells[2], cells[3]]])
    assert g2(6, 0, 1000, 1000, correction="yates") == pytest.approx(by_hand, rel=1e-12)
    assert g2(0, 6, 1000, 1000, correction="yates") == pytest.approx(-by_hand, rel=1e-12)
    # Large expected counts: quanteda does not apply Yates, so it equals "none".
    assert g2(300, 200, 10_000, 10_000, correction="yates") == g2(300, 200, 10_000, 10_000, correction="none")


# --- chi2 ------------------------------------------------------------------


def test_chi2_matches_r_chisq_test_quanteda_table():
    # quanteda test: d1 = "b b b b b b b a a a", d2 = "a a a a a a a b b"; feature "a".
    table = [[3, 7], [7, 2]]
    assert chi2(3, 7, 10, 9, correction="none") == pytest.approx(-_pearson(table), rel=1e-12)
    # Closed form 19·43²/(10·9·10·9)
    assert chi2(3, 7, 10, 9, correction="none") == pytest.approx(-19 * 43**2 / 8100, rel=1e-12)
    # Here Yates applies (an expected count is 4.74 < 5), so it equals chisq.test(correct=TRUE).
    assert chi2(3, 7, 10, 9, correction="yates") == pytest.approx(-_pearson(table, yates=True), rel=1e-12)
    # The value quanteda's (commented-out) test expects for chi2 + Williams.
    assert chi2(3, 7, 10, 9, correction="williams") == pytest.approx(-4.017626, abs=1e-6)


# --- p values --------------------------------------------------------------


@pytest.mark.parametrize(
    "stat,p",
    [(3.841458820694124, 0.05), (6.634896601021214, 0.01), (10.827566170662733, 0.001), (0.0, 1.0)],
)
def test_p_value_known_critical_values(stat, p):
    assert p_value_chi2_df1(stat) == pytest.approx(p, rel=1e-9)
    assert p_value_chi2_df1(-stat) == pytest.approx(p, rel=1e-9)


def test_p_value_keeps_precision_in_the_far_tail():
    # 1 - cdf would round to 0; erfc still gives the value (about 1.5e-23 for x = 100).
    assert 0 < p_value_chi2_df1(100.0) < 1e-22


# --- log ratio -------------------------------------------------------------


def test_log_ratio():
    assert log_ratio(10, 2, 1000, 1000) == pytest.approx(math.log2(5))
    assert log_ratio(10, 20, 1000, 4000) == pytest.approx(1.0)  # 1% vs 0.5%
    assert log_ratio(4, 0, 1000, 1000) == pytest.approx(3.0)  # 4 / 0.5
    assert log_ratio(0, 4, 1000, 1000) == pytest.approx(-3.0)
    assert log_ratio(0, 0, 1000, 1000) == 0.0
    assert log_ratio(4, 0, 1000, 1000, smoothing=1) == pytest.approx(2.0)


# --- textstat_keyness ------------------------------------------------------

D1 = Counter("a a a b b c c c c c c d e f g h h".split())
D2 = Counter("a a b c c d d d d e f h".split())


def test_keyness_orders_match_quanteda_tests():
    # Orders asserted in quanteda.textstats tests/testthat/test-textstat_keyness.R
    assert list(textstat_keyness(D1, D2, measure="chi2", correction="yates")["feature"]) == list("gcbhaefd")
    assert list(textstat_keyness(D1, D2, measure="lr", correction="none")["feature"]) == list("cgbhaefd")
    assert list(textstat_keyness(D2, D1, measure="lr", correction="none")["feature"]) == list("defabhgc")


def test_keyness_frame_shape_and_values():
    frame = textstat_keyness(D1, D2, sort=False)
    assert list(frame.columns) == ["feature", "n_target", "n_reference", "G2", "p", "log_ratio"]
    assert list(frame["feature"]) == list("abcdefgh")  # first-seen order: target keys
    row = frame.set_index("feature").loc["d"]
    assert (row["n_target"], row["n_reference"]) == (1, 4)
    assert row["G2"] == pytest.approx(g2(1, 4, 17, 12))
    assert row["p"] == pytest.approx(p_value_chi2_df1(row["G2"]))
    assert row["log_ratio"] == pytest.approx(math.log2((1 / 17) / (4 / 12)))
    chi = textstat_keyness(D1, D2, measure="chi2", correction="none")
    assert "chi2" in chi.columns and "G2" not in chi.columns


def test_keyness_reference_only_features_and_ties():
    target = {"推动": 5, "其他": 95}
    reference = {"推动": 5, "其他": 90, "研究": 5}
    frame = textstat_keyness(target, reference, sort=False)
    assert list(frame["feature"]) == ["推动", "其他", "研究"]
    assert frame.set_index("feature").loc["研究", "n_target"] == 0
    # Equal statistics are ordered by feature (code point order, as R's radix).
    tied = textstat_keyness({"乙": 3, "甲": 3, "x": 94}, {"乙": 1, "甲": 1, "x": 98})
    assert list(tied["feature"][:2]) == ["乙", "甲"]
    assert tied["G2"].is_monotonic_decreasing


def test_keyness_rejects_bad_arguments():
    with pytest.raises(ValueError, match="measure"):
        textstat_keyness(D1, D2, measure="pmi")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="correction"):
        textstat_keyness(D1, D2, correction="default")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="totals"):
        textstat_keyness({}, D2)


def test_g2_rejects_impossible_tables():
    with pytest.raises(ValueError):
        g2(5, 1, 4, 10)
    with pytest.raises(ValueError):
        g2(-1, 1, 4, 10)
    with pytest.raises(ValueError):
        g2(0, 1, 0, 10)


# --- rate_change_test ------------------------------------------------------


def test_rate_change_up_down_none():
    up = rate_change_test(3, 20_000, 40, 20_000)
    assert isinstance(up, RateChange)
    assert up.direction == "up" and up.significant and up.g2 > 0 and up.p < 1e-6
    assert up.log2_ratio == pytest.approx(math.log2(40 / 3))
    down = rate_change_test(40, 20_000, 3, 20_000)
    assert down.direction == "down" and down.g2 == pytest.approx(-up.g2)
    # Significant but small: 30% more in a long text is not a doubling.
    big = rate_change_test(1000, 100_000, 1300, 100_000)
    assert big.p < 1e-6 and not big.significant and big.direction == "none"
    assert rate_change_test(1000, 100_000, 1300, 100_000, min_abs_log2=0.3).direction == "up"
    # Large ratio but tiny counts: not significant.
    assert rate_change_test(1, 1000, 3, 1000).direction == "none"


def test_rate_change_ignores_smoothing_artefact():
    # 0 in A (1,000 tokens) vs 1 in B (10,000 tokens): B's rate is higher, so
    # G² is positive, but the smoothed log ratio, log2((1/10000)/(0.5/1000)),
    # is negative. Conflicting signs are never called a change, even when
    # the p and effect-size thresholds are relaxed.
    r = rate_change_test(0, 1000, 1, 10_000, alpha=0.99, min_abs_log2=0.0)
    assert r.g2 > 0 and r.log2_ratio == pytest.approx(math.log2(0.2)) and r.p < 0.99
    assert r.direction == "none" and not r.significant
    # With the lengths swapped both signs agree, and the same relaxed test passes.
    assert rate_change_test(0, 10_000, 1, 1000, alpha=0.99, min_abs_log2=0.0).direction == "up"


def test_rate_change_is_a_frame_friendly_dataclass():
    frame = pd.DataFrame([rate_change_test(3, 20_000, 40, 20_000)])
    assert list(frame.columns) == ["g2", "p", "log2_ratio", "significant", "direction"]
