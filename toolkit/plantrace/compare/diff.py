"""Change tracking: which concepts a document adds, drops, escalates or softens.

A comparison runs from a reference document A (the parent level, or the earlier
year) to a document B. Per concept it measures presence, count, rate per 10k body
characters, heading mentions, commitment intensity and attached numeric targets,
and gives a status with its reasons and the evidence sentences that decide it:

* **added** — absent from A's body, present in B's; **dropped** — the reverse;
* **escalated** / **softened** — present in both, and the signals of :class:`DiffRule`
  point up or down on balance: a significant rate change (G² p < alpha and
  |log2 ratio| ≥ min_abs_log2), a stronger or weaker strongest intensity grade,
  promotion into or out of headings, an attached target raised or lowered;
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
from ..engine.collection import DocumentSet
from ..errors import PlantraceError
from ..frames import records
from ..measure.provenance import rate_per_10k, with_provenance
from ..measure.stats import rate_change_test
from ..structure.document import Document
from .pairs import pairs_by_level, pairs_by_year
from .profile import default_intensity, profile, rolled_intensity
from .targets.compare import compare_targets
from .targets.tables import corpus_targets, default_indicators

STATUSES = ("added", "dropped", "escalated", "softened", "steady")
DIFF_COLUMNS = [
    "doc_a", "doc_b", "concept_id", "label", "category", "status", "count_a", "count_b",
    "rate_a", "rate_b", "log2_ratio", "g2", "p", "heading_a", "heading_b", "intensity_a", "intensity_b",
    "intensity_mean_a", "intensity_mean_b", "marker_a", "marker_b", "target_a", "target_b",
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

    Each enabled signal votes up or down; more up votes than down is escalated,
    more down than up is softened, a tie is steady.
    """

    alpha: float = 0.05
    min_abs_log2: float = 1.0
    use_rate: bool = True
    use_intensity: bool = True
    min_intensity_change: int = 1
    use_headings: bool = True
    use_targets: bool = True


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
    rows = []
    for cid in sorted(set(pa.index) | set(pb.index)):
        concept = lexicon.concepts[cid]
        ca = int(pa["count"].get(cid, 0))
        cb = int(pb["count"].get(cid, 0))
        ra = rate_per_10k(ca, doc_a.body_chars, digits=None)
        rb = rate_per_10k(cb, doc_b.body_chars, digits=None)
        ia = pa["intensity_max"].get(cid, pd.NA) if ca else pd.NA
        ib = pb["intensity_max"].get(cid, pd.NA) if cb else pd.NA
        ha = int(pa["heading"].get(cid, 0))
        hb = int(pb["heading"].get(cid, 0))
        ma = by_a.get(cid, empty)
        mb = by_b.get(cid, empty)
        change = rate_change_test(ca, doc_a.body_chars, cb, doc_b.body_chars,
                                  alpha=rule.alpha, min_abs_log2=rule.min_abs_log2)
        ta = _attached_targets(own_a, ma["sentence_id"]) if rule.use_targets else pd.DataFrame()
        tb = _attached_targets(own_b, mb["sentence_id"]) if rule.use_targets else pd.DataFrame()
        reasons: list[str] = []
        prefer = "first"
        up = down = 0
        if ca == 0 and cb > 0:
            status = "added"
            reasons.append(f"absent from A's body; {cb} mention(s) in B ({rb:.2f} per 10k)")
            prefer = "intensity"
        elif cb == 0 and ca > 0:
            status = "dropped"
            reasons.append(f"{ca} mention(s) in A ({ra:.2f} per 10k); absent from B's body")
            prefer = "intensity"
        else:
            if rule.use_rate and change.direction != "none":
                up += change.direction == "up"
                down += change.direction == "down"
                reasons.append(f"rate {ra:.2f} → {rb:.2f} per 10k (G²={change.g2:.1f}, p={change.p:.3g}, "
                               f"log2={change.log2_ratio:+.2f})")
            if rule.use_intensity and pd.notna(ia) and pd.notna(ib) and abs(int(ib) - int(ia)) >= rule.min_intensity_change:
                up += int(ib) > int(ia)
                down += int(ib) < int(ia)
                mk_a = _marker_of(ma)
                mk_b = _marker_of(mb)
                reasons.append(f"intensity {int(ia)} ({mk_a}) → {int(ib)} ({mk_b})")
                prefer = "intensity"
            if rule.use_headings and (ha > 0) != (hb > 0):
                up += hb > 0
                down += ha > 0
                reasons.append("promoted into headings" if hb > 0 else "dropped from headings")
                if prefer == "first":
                    prefer = "heading"
            if rule.use_targets and not ta.empty and not tb.empty:
                verdict = _target_move(ta, tb)
                if verdict:
                    up += verdict[0] == "up"
                    down += verdict[0] == "down"
                    reasons.append(verdict[1])
            status = "escalated" if up > down else "softened" if down > up else "steady"
            if status == "steady" and not reasons:
                reasons.append(f"rate {ra:.2f} → {rb:.2f} per 10k, no significant change")
        ev_a = _evidence(doc_a, ma, prefer)
        ev_b = _evidence(doc_b, mb, prefer)
        rows.append({
            "doc_a": a, "doc_b": b, "concept_id": cid, "label": concept.label, "category": concept.category,
            "status": status, "count_a": ca, "count_b": cb, "rate_a": round(ra, 4), "rate_b": round(rb, 4),
            "log2_ratio": round(change.log2_ratio, 4), "g2": round(change.g2, 4), "p": change.p,
            "heading_a": ha, "heading_b": hb, "intensity_a": ia, "intensity_b": ib,
            "intensity_mean_a": pa["intensity_mean"].get(cid, pd.NA) if ca else pd.NA,
            "intensity_mean_b": pb["intensity_mean"].get(cid, pd.NA) if cb else pd.NA,
            "marker_a": _marker_of(ma), "marker_b": _marker_of(mb),
            "target_a": _fmt_target(ta), "target_b": _fmt_target(tb),
            "reasons": "; ".join(reasons),
            "evidence_a": ev_a[0], "evidence_b": ev_b[0],
            "evidence_a_sentence_id": ev_a[1], "evidence_b_sentence_id": ev_b[1],
            "evidence_a_raw_start": ev_a[2], "evidence_a_raw_end": ev_a[3],
            "evidence_b_raw_start": ev_b[2], "evidence_b_raw_end": ev_b[3],
        })
    frame = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    for col in ("intensity_a", "intensity_b"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    for col in ("intensity_mean_a", "intensity_mean_b"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").round(3)
    frame = with_provenance(frame, corpus, lexicon)
    frame.attrs["provenance"].update({"intensity_sha256": intensity.sha256, "rule": asdict(rule)})
    return frame


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
                rule: DiffRule | None = None, statuses: Sequence[str] | None = None) -> pd.DataFrame:
    """Diff every pair: an explicit ``pair`` (A, B), or pairs ``by`` "year" or "level"."""
    check_statuses(statuses)
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
    frames = [diff_pair(corpus, a, b, lexicon=lexicon, intensity=intensity, rule=rule) for a, b in pairs]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DIFF_COLUMNS)
    if statuses:
        out = out[out["status"].isin(statuses)].reset_index(drop=True)
    if frames:
        out.attrs = frames[0].attrs
    out.attrs["pairs"] = pairs
    return out


