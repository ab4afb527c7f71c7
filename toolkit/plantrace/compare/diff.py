"""Change tracking: which concepts a document adds, drops, escalates or softens.

A comparison runs from a reference document A (the parent level, or the earlier
year) to a document B. Per concept it measures presence, count, rate per 10k body
characters, heading mentions, commitment intensity and attached numeric targets,
and gives a status with its reasons and the evidence sentences that decide it:

* **added** — absent from A's body, not even inside another concept's alias, and
  present in B's; **dropped** — the reverse. A concept said only inside another
  concept's alias (碳达峰 in 碳达峰碳中和) is present, not counted (see ``nested_a``);
* **escalated** / **softened** — present in both, and the evidence of :class:`DiffRule`
  points up or down. A significant rate change (G² p < alpha and |log2 ratio| ≥
  min_abs_log2) weighs 2 and decides unless the opposite weak signals together weigh
  as much. The weak signals weigh 1 each and vote only when they can be compared:
  headings when both documents have a comparable heading structure, intensity when
  both sides have enough graded mentions (mean grades, not maxima), attached targets.
  Without a significant rate change, weak signals decide when two agree on balance
  and the rate does not move the other way, or one goes with a large (|log2| ≥
  trend_log2) but not significant rate move;
* **steady** — otherwise.

By construction, what ``diff(A, B)`` calls added ``diff(B, A)`` calls dropped.

>>> import plantrace
>>> corpus = plantrace.load_corpus("corpora/chengdu")
>>> d = diff_pair(corpus, "chengdu_2020_party_proposal", "qingyang_2021_plan_outline")
>>> d.set_index("concept_id").loc[["headquarters_economy", "rural_revitalization"], "status"].tolist()
['added', 'dropped']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import pandas as pd

from ..concepts.intensity import IntensityLexicon
from ..concepts.lexicon import Lexicon, default_lexicon
from ..engine.collection import DocumentSet, add_pair_docvars
from ..errors import PlantraceError
from ..frames import records
from ..measure.counts import credits
from ..measure.provenance import rate_per_10k, with_provenance
from ..measure.stats import RateChange, rate_change_test
from ..structure.document import Document
from .pairs import pair_context, pairs_by_level, pairs_by_year
from .profile import default_intensity, profile, rolled_intensity
from .targets.compare import compare_targets
from .targets.tables import corpus_targets, default_indicators

STATUSES = ("added", "dropped", "escalated", "softened", "steady")
DIFF_COLUMNS = [
    "doc_a", "doc_b", "year_a", "year_b", "years_apart", "gap_years", "crosses_gap",
    "level_a", "level_b", "doc_type_a", "doc_type_b", "region_a", "region_b",
    "concept_id", "label", "category", "status", "count_a", "count_b", "nested_a", "nested_b",
    "rate_a", "rate_b", "log2_ratio", "g2", "p", "heading_a", "heading_b", "intensity_a", "intensity_b",
    "intensity_mean_a", "intensity_mean_b", "graded_a", "graded_b", "marker_a", "marker_b", "target_a", "target_b",
    "reasons", "evidence_a", "evidence_b", "evidence_a_sentence_id", "evidence_b_sentence_id",
    "evidence_a_raw_start", "evidence_a_raw_end", "evidence_b_raw_start", "evidence_b_raw_end",
]


def check_statuses(statuses: Sequence[str] | None) -> None:
    """An unknown status is a user mistake, not an empty table."""
    bad = [x for x in statuses or () if x not in STATUSES]
    if bad:
        raise PlantraceError(f"unknown status {bad[0]!r}", hint=f"use one of {', '.join(STATUSES)}")


@dataclass(frozen=True)
class DiffRule:
    """The documented, configurable rule behind escalated and softened.

    * rate: a change is significant when G² p < ``alpha`` and |log2 ratio| ≥
      ``min_abs_log2``; it weighs ``rate_weight`` (2) and decides the direction unless the
      opposite weak signals weigh at least as much (then steady: conflicting evidence).
    * headings vote (weight 1) only when both documents have at least ``min_headings``
      headings and the larger has at most ``max_heading_ratio`` times the smaller's: a
      concept "dropped from headings" of a document without comparable headings says
      nothing about the concept.
    * intensity votes (weight 1) only with at least ``min_graded`` graded mentions on both
      sides, when the mean grades differ by at least ``min_intensity_change``; the strongest
      grade over all mentions would favour the longer document.
    * targets vote (weight 1) when an attached own target is raised or lowered.
    * Without a significant rate change the weak votes decide only when two of them agree
      on balance (and the rate's log2 ratio is not ``trend_log2`` or more the other way), or
      when one of them goes with a large but not significant rate move (|log2| ≥
      ``trend_log2`` in its direction). One heading or one grade alone never decides, and
      never against the numbers printed beside it.
    """

    alpha: float = 0.05
    min_abs_log2: float = 1.0
    use_rate: bool = True
    rate_weight: int = 2
    trend_log2: float = 1.0
    use_intensity: bool = True
    min_graded: int = 3
    min_intensity_change: float = 1.0
    use_headings: bool = True
    min_headings: int = 8
    max_heading_ratio: float = 2.0
    use_targets: bool = True

    def headings_comparable(self, n_a: int, n_b: int) -> bool:
        """Whether two documents' heading structures can be compared.

        >>> r = DiffRule()
        >>> r.headings_comparable(22, 26), r.headings_comparable(61, 18), r.headings_comparable(4, 5)
        (True, False, False)
        """
        lo, hi = sorted((n_a, n_b))
        return lo >= self.min_headings and hi <= self.max_heading_ratio * lo


# --- the diff --------------------------------------------------------------------------


def _evidence(doc: Document, mentions: pd.DataFrame, prefer: str) -> tuple[str, int, int, int]:
    """The sentence that decides: the strongest-intensity mention, a heading, or the first."""
    if mentions.empty:
        return "", -1, -1, -1
    rows = mentions
    if prefer == "intensity" and rows["intensity"].notna().any():
        rows = rows.sort_values(["intensity", "start"], ascending=[False, True], na_position="last")
    elif prefer == "heading" and rows["in_heading"].any():
        rows = rows[rows["in_heading"]]
    sid = int(rows.iloc[0]["sentence_id"])
    s = doc.sentences[sid]
    rs, re_ = doc.raw_offsets(s.start, s.end)
    return s.text, sid, rs, re_


def _own_targets(corpus: DocumentSet, doc_id: str) -> pd.DataFrame:
    """A document's own targets (not achievements, forecasts or quotes of the parent)."""
    t = corpus_targets(corpus)
    if t.empty:
        return t
    return t[(t["doc_id"] == doc_id) & (t["kind"] == "target") & (t["scope"] == "own")]


def _attached_targets(targets: pd.DataFrame, sentence_ids: Iterable[int]) -> pd.DataFrame:
    """Targets stated in the sentences that mention a concept."""
    if targets.empty:
        return targets
    return targets[targets["sentence_id"].isin(set(int(x) for x in sentence_ids))]


def _fmt_target(frame: pd.DataFrame) -> str:
    if frame is None or frame.empty:
        return ""
    r = frame.iloc[0]
    high = f"—{r['value_high']:g}" if pd.notna(r.get("value_high")) else ""
    return f"{r['indicator_id']} {r['value']:g}{high}{r['unit'] if r['unit'] == '%' else ''} {r['qualifier']}".strip()


def diff_pair(corpus: DocumentSet, a: str, b: str, *, lexicon: Lexicon | None = None,
              intensity: IntensityLexicon | None = None, rule: DiffRule | None = None) -> pd.DataFrame:
    """Compare document ``a`` (reference) with ``b``: one row per concept in either body."""
    lexicon = lexicon or default_lexicon()
    intensity = intensity or default_intensity()
    rule = rule or DiffRule()
    doc_a, doc_b = corpus[a], corpus[b]
    prof = profile(corpus, lexicon, intensity)
    pa = prof[prof["doc_id"] == a].set_index("concept_id")
    pb = prof[prof["doc_id"] == b].set_index("concept_id")
    graded = rolled_intensity(corpus, lexicon, intensity)
    own_a = _own_targets(corpus, a) if rule.use_targets else pd.DataFrame()
    own_b = _own_targets(corpus, b) if rule.use_targets else pd.DataFrame()
    empty = graded.iloc[0:0]
    by_a = dict(tuple(graded[graded["doc_id"] == a].groupby("credit")))
    by_b = dict(tuple(graded[graded["doc_id"] == b].groupby("credit")))
    nest_a = _nested(graded[graded["doc_id"] == a], lexicon)
    nest_b = _nested(graded[graded["doc_id"] == b], lexicon)
    heads_a, heads_b = len(doc_a.headings), len(doc_b.headings)
    comparable = rule.headings_comparable(heads_a, heads_b)
    context = pair_context(doc_a, doc_b)
    rows = []
    # One row per concept counted in either body; a concept said only inside other
    # concepts' aliases on both sides has nothing to compare and no row.
    for cid in sorted(set(pa.index) | set(pb.index)):
        concept = lexicon.concepts[cid]
        ca = int(pa["count"].get(cid, 0))
        cb = int(pb["count"].get(cid, 0))
        na, nb = len(nest_a.get(cid, ())), len(nest_b.get(cid, ()))
        ra = rate_per_10k(ca, doc_a.body_chars, digits=None)
        rb = rate_per_10k(cb, doc_b.body_chars, digits=None)
        ia = pa["intensity_max"].get(cid, pd.NA) if ca else pd.NA
        ib = pb["intensity_max"].get(cid, pd.NA) if cb else pd.NA
        ha = int(pa["heading"].get(cid, 0))
        hb = int(pb["heading"].get(cid, 0))
        ma = by_a.get(cid, empty)
        mb = by_b.get(cid, empty)
        ga = [int(g) for g in ma["intensity"] if pd.notna(g)]
        gb = [int(g) for g in mb["intensity"] if pd.notna(g)]
        # A mention inside another concept's alias is evidence of presence and of rate:
        # the test runs on all mentions, the printed counts stay longest-match.
        change = rate_change_test(ca + na, doc_a.body_chars, cb + nb, doc_b.body_chars,
                                  alpha=rule.alpha, min_abs_log2=rule.min_abs_log2)
        ta = _attached_targets(own_a, ma["sentence_id"]) if rule.use_targets else pd.DataFrame()
        tb = _attached_targets(own_b, mb["sentence_id"]) if rule.use_targets else pd.DataFrame()
        reasons: list[str] = []
        prefer = "first"
        if ca + na == 0 and cb > 0:
            status = "added"
            reasons.append(f"absent from A's body; {cb} mention(s) in B ({rb:.2f} per 10k)")
            prefer = "intensity"
        elif cb + nb == 0 and ca > 0:
            status = "dropped"
            reasons.append(f"{ca} mention(s) in A ({ra:.2f} per 10k); absent from B's body")
            prefer = "intensity"
        else:
            for side, n, where in (("A", na, nest_a), ("B", nb, nest_b)):
                if n:
                    inside = ", ".join(sorted(set(where[cid])))
                    reasons.append(f"present in {side} {n}× inside another concept's alias ({inside})")
            # The rate the test saw: with nested mentions when there are any.
            ta_rate = rate_per_10k(ca + na, doc_a.body_chars, digits=None)
            tb_rate = rate_per_10k(cb + nb, doc_b.body_chars, digits=None)
            status = _weigh(rule, change, ta_rate, tb_rate, ga, gb, ha, hb, comparable, heads_a, heads_b,
                            ta, tb, _marker_of(ma), _marker_of(mb), reasons)
            if any(r.startswith("intensity") for r in reasons):
                prefer = "intensity"
            elif any("headings" in r and "not compared" not in r for r in reasons):
                prefer = "heading"
        ev_a = _evidence(doc_a, ma, prefer)
        ev_b = _evidence(doc_b, mb, prefer)
        rows.append({
            "doc_a": a, "doc_b": b, "concept_id": cid, "label": concept.label, "category": concept.category,
            **context,
            "status": status, "count_a": ca, "count_b": cb, "nested_a": na, "nested_b": nb,
            "rate_a": round(ra, 4), "rate_b": round(rb, 4),
            "log2_ratio": round(change.log2_ratio, 4), "g2": round(change.g2, 4), "p": change.p,
            "heading_a": ha, "heading_b": hb, "intensity_a": ia, "intensity_b": ib,
            "intensity_mean_a": pa["intensity_mean"].get(cid, pd.NA) if ca else pd.NA,
            "intensity_mean_b": pb["intensity_mean"].get(cid, pd.NA) if cb else pd.NA,
            "graded_a": len(ga), "graded_b": len(gb),
            "marker_a": _marker_of(ma), "marker_b": _marker_of(mb),
            "target_a": _fmt_target(ta), "target_b": _fmt_target(tb),
            "reasons": "; ".join(reasons),
            "evidence_a": ev_a[0], "evidence_b": ev_b[0],
            "evidence_a_sentence_id": ev_a[1], "evidence_b_sentence_id": ev_b[1],
            "evidence_a_raw_start": ev_a[2], "evidence_a_raw_end": ev_a[3],
            "evidence_b_raw_start": ev_b[2], "evidence_b_raw_end": ev_b[3],
        })
    frame = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    for col in ("year_a", "year_b", "years_apart", "gap_years"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    frame["crosses_gap"] = frame["crosses_gap"].astype(bool)
    for col in ("intensity_a", "intensity_b"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    for col in ("intensity_mean_a", "intensity_mean_b"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").round(3)
    frame = with_provenance(frame, corpus, lexicon)
    frame.attrs["provenance"].update({"intensity_sha256": intensity.sha256, "rule": asdict(rule)})
    return frame


def _nested(mentions: pd.DataFrame, lexicon: Lexicon) -> dict[str, list[str]]:
    """concept → the aliases (one per mention) inside which it is said, uncounted.

    Each credited concept takes its ancestors along, except those the containing
    mention counts for already (碳达峰 inside 碳达峰碳中和 adds nothing to 双碳)."""
    out: dict[str, list[str]] = {}
    own = mentions[mentions["credit"] == mentions["concept_id"]]
    for owner, alias, inner in zip(own["concept_id"], own["alias"], own["contains"]):
        if not inner:
            continue
        counted = set(credits(str(owner), lexicon))
        found: set[str] = set()
        for cid in str(inner).split("|"):
            found.update(c for c in credits(cid, lexicon) if c not in counted)
        for cid in found:
            out.setdefault(cid, []).append(str(alias))
    return out


def _weigh(rule: DiffRule, change: RateChange, ra: float, rb: float, ga: list[int], gb: list[int],
           ha: int, hb: int, comparable: bool, heads_a: int, heads_b: int,
           ta: pd.DataFrame, tb: pd.DataFrame, mk_a: str, mk_b: str, reasons: list[str]) -> str:
    """Escalated, softened or steady for a concept present in both, by :class:`DiffRule`;
    appends the reason of every signal, counted or not, to ``reasons``."""
    up = down = 0  # weak votes
    if rule.use_headings and (ha > 0) != (hb > 0):
        what = "promoted into headings" if hb > 0 else "dropped from headings"
        if comparable:
            up += hb > 0
            down += ha > 0
            reasons.append(f"{what} ({heads_a} and {heads_b} headings)")
        else:
            reasons.append(f"{what}, not compared: heading structures differ "
                           f"({heads_a} vs {heads_b} headings)")
    if rule.use_intensity and (ga or gb):
        mean_a = sum(ga) / len(ga) if ga else float("nan")
        mean_b = sum(gb) / len(gb) if gb else float("nan")
        if len(ga) >= rule.min_graded and len(gb) >= rule.min_graded:
            if abs(mean_b - mean_a) >= rule.min_intensity_change:
                up += mean_b > mean_a
                down += mean_b < mean_a
                reasons.append(f"intensity mean {mean_a:.2f} → {mean_b:.2f} over {len(ga)} and {len(gb)} "
                               f"graded mentions (strongest {mk_a or '—'} → {mk_b or '—'})")
        elif ga and gb and max(ga) != max(gb):
            reasons.append(f"intensity not compared: {len(ga)} and {len(gb)} graded mention(s), "
                           f"fewer than {rule.min_graded} on a side")
    if rule.use_targets and not ta.empty and not tb.empty:
        verdict = _target_move(ta, tb)
        if verdict:
            up += verdict[0] == "up"
            down += verdict[0] == "down"
            reasons.append(verdict[1])
    nested = " incl. nested" if any("inside another" in r for r in reasons) else ""
    rate = (f"rate {ra:.2f} → {rb:.2f} per 10k{nested} (G²={change.g2:.1f}, p={change.p:.3g}, "
            f"log2={change.log2_ratio:+.2f})")
    if rule.use_rate and change.direction != "none":
        against = down if change.direction == "up" else up
        reasons.insert(0, rate + ", significant")
        if against >= rule.rate_weight:
            reasons.append("steady: the significant rate change is contradicted by as strong other evidence")
            return "steady"
        return "escalated" if change.direction == "up" else "softened"
    # No significant rate change: the weak votes decide when two of them agree on
    # balance and the rate's trend does not point the other way, or when one of them
    # agrees with a large (|log2| ≥ trend_log2) but not significant rate move.
    trend = change.log2_ratio if rule.use_rate else 0.0
    net = up - down
    sign = 1 if net > 0 else -1
    along = trend * sign
    if net and ((abs(net) >= 2 and along > -rule.trend_log2) or along >= rule.trend_log2):
        reasons.append(f"{rate}, not significant alone but in the same direction" if along >= rule.trend_log2
                       else f"{rate}, not significant")
        return "escalated" if net > 0 else "softened"
    if net:
        reasons.append(f"steady: one weak signal and the rate does not move with it ({rate})")
    elif not reasons or all("not compared" in r or "inside another" in r for r in reasons):
        reasons.append(rate + ", no significant change")
    return "steady"


def _marker_of(mentions: pd.DataFrame) -> str:
    """The marker of the strongest graded mention (earliest on a tie)."""
    graded = [(-int(g), int(s), str(m)) for g, s, m in
              zip(mentions["intensity"], mentions["start"], mentions["marker"]) if pd.notna(g)]
    return min(graded)[2] if graded else ""


def _target_move(ta: pd.DataFrame, tb: pd.DataFrame) -> tuple[str, str] | None:
    better = default_indicators().better
    year = 0
    cmp = compare_targets(tb.assign(year=year), ta.assign(year=year), better)
    for r in records(cmp):
        if r.status == "escalated":
            return "up", f"target {r.indicator_id} raised: {r.reason}"
        if r.status == "lowered":
            return "down", f"target {r.indicator_id} lowered: {r.reason}"
    return None


def corpus_diff(corpus: DocumentSet, *, by: str | None = "level", pair: tuple[str, str] | None = None,
                lexicon: Lexicon | None = None, intensity: IntensityLexicon | None = None,
                rule: DiffRule | None = None, statuses: Sequence[str] | None = None,
                max_gap: int | None = None) -> pd.DataFrame:
    """Diff every pair: an explicit ``pair`` (A, B), or pairs ``by`` "year" or "level".

    ``max_gap`` leaves out pairs more than that many years apart (``max_gap=1``: only
    consecutive years); the pairs left out are in ``attrs["skipped_pairs"]``. Every row
    says how far apart its pair is (``years_apart``) and whether a year pair skips years
    without a document (``gap_years``, ``crosses_gap``)."""
    check_statuses(statuses)
    if max_gap is not None and (isinstance(max_gap, bool) or not isinstance(max_gap, int) or max_gap < 0):
        raise PlantraceError(f"max_gap must be a whole number of years ≥ 0, got {max_gap!r}",
                             hint="e.g. max_gap=1 for consecutive years only")
    if pair is not None:
        pairs = [pair]
    elif by == "year":
        pairs = pairs_by_year(corpus)
    elif by == "level":
        pairs = pairs_by_level(corpus)
    else:
        raise PlantraceError(f"unknown comparison {by!r}", hint="use --by year, --by level or --pair A B")
    for a, b in pairs:
        corpus[a], corpus[b]  # unknown ids raise a clear error before any work
    skipped: list[tuple[str, str]] = []
    if max_gap is not None:
        skipped = [(a, b) for a, b in pairs if corpus[b].entry.year - corpus[a].entry.year > max_gap]
        pairs = [p for p in pairs if p not in skipped]
    frames = [diff_pair(corpus, a, b, lexicon=lexicon, intensity=intensity, rule=rule) for a, b in pairs]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DIFF_COLUMNS)
    if statuses:
        out = out[out["status"].isin(statuses)].reset_index(drop=True)
    attrs = dict(frames[0].attrs) if frames else {}
    out = add_pair_docvars(out, corpus)
    out.attrs = attrs
    out.attrs["pairs"] = pairs
    out.attrs["skipped_pairs"] = skipped
    return out


