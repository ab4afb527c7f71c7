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
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import pandas as pd

from .errors import PlantraceError
from .intensity import IntensityLexicon, load_intensity, mention_intensity
from .lexicon import LEXICON_DIR, Lexicon, default_lexicon
from .manifest import LEVEL_RANK
from .measure import HEADING_SEP, _with_provenance, match_corpus
from .stats import rate_change_test

if TYPE_CHECKING:
    from .corpus import Corpus, Document

STATUSES = ("added", "dropped", "escalated", "softened", "steady")
DIFF_COLUMNS = [
    "doc_a", "doc_b", "concept_id", "label", "category", "status", "count_a", "count_b",
    "rate_a", "rate_b", "log2_ratio", "g2", "p", "heading_a", "heading_b", "intensity_a", "intensity_b",
    "intensity_mean_a", "intensity_mean_b", "marker_a", "marker_b", "target_a", "target_b",
    "reasons", "evidence_a", "evidence_b", "evidence_a_sentence_id", "evidence_b_sentence_id",
    "evidence_a_raw_start", "evidence_a_raw_end", "evidence_b_raw_start", "evidence_b_raw_end",
]


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


# --- intensity and profiles ------------------------------------------------------------


_intensity_cache: dict[str, IntensityLexicon] = {}


def default_intensity() -> IntensityLexicon:
    """The bundled ``lexicons/intensity.yaml`` (loaded once)."""
    if "default" not in _intensity_cache:
        _intensity_cache["default"] = load_intensity(LEXICON_DIR / "intensity.yaml")
    return _intensity_cache["default"]


def corpus_intensity(corpus: "Corpus", lexicon: Lexicon | None = None,
                     intensity: IntensityLexicon | None = None) -> pd.DataFrame:
    """Body mentions with their commitment intensity (grade, marker) in their clause."""
    lexicon = lexicon or default_lexicon()
    intensity = intensity or default_intensity()
    key = ("intensity", lexicon.sha256, intensity.sha256)
    if key in corpus.cache:
        return corpus.cache[key]  # type: ignore[return-value]
    mentions = match_corpus(corpus, lexicon).mentions
    body = mentions[mentions["zone"] == "body"].copy()
    # pandas deep-copies attrs on every operation; internal frames carry none.
    body.attrs = {}
    docs = {d.doc_id: d for d in corpus.docs}
    grades, markers = [], []
    for row in body.itertuples():
        found = mention_intensity(docs[row.doc_id].text, int(row.start), int(row.end), intensity)
        grades.append(found.grade if found else None)
        markers.append(found.marker if found else "")
    body["intensity"] = pd.array(grades, dtype="Int64")
    body["marker"] = markers
    body = body.reset_index(drop=True)
    corpus.cache[key] = body
    return body


def _rolled(frame: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Each mention once for its own concept and once for every ancestor."""
    rows = [frame.assign(credit=frame["concept_id"])]
    for cid in frame["concept_id"].unique():
        for anc in lexicon.ancestors(cid):
            part = frame[frame["concept_id"] == cid]
            rows.append(part.assign(credit=anc))
    return pd.concat(rows, ignore_index=True) if rows else frame.assign(credit=[])


# --- targets ---------------------------------------------------------------------------

_indicator_cache: dict[str, object] = {}


def default_indicators():  # type: ignore[no-untyped-def]
    from .targets import load_indicators

    if "default" not in _indicator_cache:
        _indicator_cache["default"] = load_indicators(LEXICON_DIR / "indicators.yaml")
    return _indicator_cache["default"]


def corpus_targets(corpus: "Corpus", indicators=None, *, kinds: Sequence[str] | None = None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Numeric figures of every document: targets, achievements and forecasts.

    Columns: doc_id, region, level, year (the document's), then the target's
    ``indicator_id, indicator, value, value_high, unit, qualifier, kind, scope,
    sentence_id, start, end, text`` and the raw offsets ``raw_start, raw_end``.
    """
    from .targets import extract_targets, targets_frame

    indicators = indicators or default_indicators()
    key = ("targets", indicators.sha256)
    if key not in corpus.cache:
        frames = []
        for doc in corpus.docs:
            found = extract_targets(doc.sentences, year=doc.entry.year, indicators=indicators)
            f = targets_frame(found)
            if f.empty:
                continue
            f = f.rename(columns={"year": "target_year"})
            offsets = [doc.raw_offsets(int(s), int(e)) for s, e in zip(f["start"], f["end"])]
            f["raw_start"] = [o[0] for o in offsets]
            f["raw_end"] = [o[1] for o in offsets]
            f.insert(0, "year", doc.entry.year)
            f.insert(0, "level", doc.entry.level)
            f.insert(0, "region", doc.entry.region)
            f.insert(0, "doc_id", doc.doc_id)
            frames.append(f)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["doc_id", "region", "level", "year"])
        corpus.cache[key] = out
    out = corpus.cache[key]
    if kinds:
        out = out[out["kind"].isin(kinds)].reset_index(drop=True)
    return _with_provenance(out.copy(), corpus, None)


def corpus_compare_targets(corpus: "Corpus", indicators=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """层层加码: each document's own targets against its parent document's (by level).

    Adds ``doc_child, doc_parent, region`` to :func:`plantrace.targets.compare_targets`.
    """
    from .targets import compare_targets

    indicators = indicators or default_indicators()
    targets = corpus_targets(corpus, indicators)
    units = {ind.id: ind.unit for ind in indicators.indicators}
    frames = []
    for parent_id, child_id in pairs_by_level(corpus):
        child = targets[targets["doc_id"] == child_id].rename(columns={"year": "doc_year"})
        parent = targets[targets["doc_id"] == parent_id].rename(columns={"year": "doc_year"})
        if child.empty or parent.empty:
            continue
        # compare_targets keys on the target year; a district plan of 2021 is compared
        # with its city's plan of 2020, so both sides take the child's year.
        child = child.assign(year=child["doc_year"])
        parent = parent.assign(year=int(child["doc_year"].iloc[0]))
        cmp = compare_targets(child, parent, indicators.better)
        if cmp.empty:
            continue
        # Across levels only rates compare: a province's 85万 new jobs is not "lower" than
        # the nation's 1200万. Amounts (万人, 亿斤, 亿元) are incomparable between levels.
        amounts = cmp["indicator_id"].map(units).fillna("%") != "%"
        cmp.loc[amounts, "status"] = "incomparable"
        cmp.loc[amounts, "reason"] = ("an amount (" + cmp.loc[amounts, "indicator_id"].map(units)
                                      + ") of a smaller jurisdiction; only rates compare across levels")
        cmp.insert(0, "region", corpus[child_id].entry.region)
        cmp.insert(0, "doc_parent", parent_id)
        cmp.insert(0, "doc_child", child_id)
        frames.append(cmp)
    from .targets import COMPARISON_COLUMNS

    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["doc_child", "doc_parent", "region", *COMPARISON_COLUMNS])
    return _with_provenance(out, corpus, None)


# --- which documents to compare --------------------------------------------------------


def _order_key(doc: "Document") -> tuple[int, str, str]:
    return (doc.entry.year, doc.entry.date or "", doc.doc_id)


def pairs_by_year(corpus: "Corpus", *, same_type: bool = True) -> list[tuple[str, str]]:
    """Successive documents of the same issuer and region (and document type)."""
    groups: dict[tuple[str, ...], list["Document"]] = {}
    for d in corpus.docs:
        key = (d.entry.issuer, d.entry.region) + ((d.entry.doc_type,) if same_type else ())
        groups.setdefault(key, []).append(d)
    pairs = []
    for docs in groups.values():
        docs = sorted(docs, key=_order_key)
        pairs.extend((a.doc_id, b.doc_id) for a, b in zip(docs, docs[1:]))
    return pairs


def parent_document(corpus: "Corpus", doc: "Document") -> "Document | None":
    """The parent region's document of the same or nearest earlier year, preferring the
    same document type (a provincial work report finds the national work report)."""
    parent_region = doc.entry.parent_region
    if not parent_region:
        return None
    candidates = [d for d in corpus.docs if d.entry.region == parent_region and d.entry.year <= doc.entry.year
                  and LEVEL_RANK.get(d.entry.level, 9) < LEVEL_RANK.get(doc.entry.level, 9)]
    if not candidates:
        return None
    best_year = max(d.entry.year for d in candidates)
    same_year = [d for d in candidates if d.entry.year == best_year]
    same_year.sort(key=lambda d: (d.entry.doc_type != doc.entry.doc_type, d.entry.date or "", d.doc_id))
    return same_year[0]


def pairs_by_level(corpus: "Corpus") -> list[tuple[str, str]]:
    """(parent, child) for every document whose parent region has a document."""
    out = []
    for d in corpus.docs:
        p = parent_document(corpus, d)
        if p is not None:
            out.append((p.doc_id, d.doc_id))
    return out


# --- the diff --------------------------------------------------------------------------


def _profile(corpus: "Corpus", lexicon: Lexicon, intensity: IntensityLexicon) -> pd.DataFrame:
    key = ("profile", lexicon.sha256, intensity.sha256)
    if key in corpus.cache:
        return corpus.cache[key]  # type: ignore[return-value]
    m = _rolled(corpus_intensity(corpus, lexicon, intensity), lexicon)
    g = m.groupby(["doc_id", "credit"])
    prof = pd.DataFrame({
        "count": g.size(),
        "heading": g["in_heading"].sum(),
        "intensity_max": g["intensity"].max(),
        "intensity_mean": g["intensity"].mean(),
    }).reset_index().rename(columns={"credit": "concept_id"})
    corpus.cache[key] = prof
    return prof


def _evidence(doc: "Document", mentions: pd.DataFrame, prefer: str) -> tuple[str, int, int, int]:
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


def _own_targets(corpus: "Corpus", doc_id: str) -> pd.DataFrame:
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


def diff_pair(corpus: "Corpus", a: str, b: str, *, lexicon: Lexicon | None = None,
              intensity: IntensityLexicon | None = None, rule: DiffRule | None = None) -> pd.DataFrame:
    """Compare document ``a`` (reference) with ``b``: one row per concept in either body."""
    lexicon = lexicon or default_lexicon()
    intensity = intensity or default_intensity()
    rule = rule or DiffRule()
    doc_a, doc_b = corpus[a], corpus[b]
    prof = _profile(corpus, lexicon, intensity)
    pa = prof[prof["doc_id"] == a].set_index("concept_id")
    pb = prof[prof["doc_id"] == b].set_index("concept_id")
    rkey = ("rolled", lexicon.sha256, intensity.sha256)
    if rkey not in corpus.cache:
        corpus.cache[rkey] = _rolled(corpus_intensity(corpus, lexicon, intensity), lexicon)
    graded: pd.DataFrame = corpus.cache[rkey]  # type: ignore[assignment]
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
        ra = ca / doc_a.body_chars * 10_000 if doc_a.body_chars else 0.0
        rb = cb / doc_b.body_chars * 10_000 if doc_b.body_chars else 0.0
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
        frame[col] = pd.array(frame[col], dtype="Int64")
    for col in ("intensity_mean_a", "intensity_mean_b"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").round(3)
    frame = _with_provenance(frame, corpus, lexicon)
    frame.attrs["provenance"].update({"intensity_sha256": intensity.sha256, "rule": asdict(rule)})
    return frame


def _marker_of(mentions: pd.DataFrame) -> str:
    """The marker of the strongest graded mention (earliest on a tie)."""
    graded = [(-int(g), int(s), str(m)) for g, s, m in
              zip(mentions["intensity"], mentions["start"], mentions["marker"]) if pd.notna(g)]
    return min(graded)[2] if graded else ""


def _target_move(ta: pd.DataFrame, tb: pd.DataFrame) -> tuple[str, str] | None:
    from .targets import compare_targets

    better = default_indicators().better
    year = 0
    cmp = compare_targets(tb.assign(year=year), ta.assign(year=year), better)
    for r in cmp.itertuples():
        if r.status == "escalated":
            return "up", f"target {r.indicator_id} raised: {r.reason}"
        if r.status == "lowered":
            return "down", f"target {r.indicator_id} lowered: {r.reason}"
    return None


def corpus_diff(corpus: "Corpus", *, by: str | None = "level", pair: tuple[str, str] | None = None,
                lexicon: Lexicon | None = None, intensity: IntensityLexicon | None = None,
                rule: DiffRule | None = None, statuses: Sequence[str] | None = None) -> pd.DataFrame:
    """Diff every pair: an explicit ``pair`` (A, B), or pairs ``by`` "year" or "level"."""
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


def corpus_trajectory(corpus: "Corpus", concepts: Sequence[str], *, by: str = "year",
                      lexicon: Lexicon | None = None) -> pd.DataFrame:
    """A concept's presence, rate and intensity along chains of documents.

    ``by="year"``: each issuer/region's documents in time order; ``by="level"``: each
    document's chain of parents (national → province → city → district).
    """
    lexicon = lexicon or default_lexicon()
    ids = []
    for c in concepts:
        cid = lexicon.resolve(c)
        if cid is None:
            raise PlantraceError(f"unknown concept {c!r}", hint="give a concept id or alias of the lexicon")
        ids.append(cid)
    prof = _profile(corpus, lexicon, default_intensity()).set_index(["doc_id", "concept_id"])
    chains: list[list["Document"]] = []
    if by == "year":
        groups: dict[tuple[str, str, str], list["Document"]] = {}
        for d in corpus.docs:
            groups.setdefault((d.entry.issuer, d.entry.region, d.entry.doc_type), []).append(d)
        chains = [sorted(g, key=_order_key) for g in groups.values()]
    elif by == "level":
        for d in corpus.docs:
            chain = [d]
            p = parent_document(corpus, d)
            while p is not None and p not in chain:
                chain.insert(0, p)
                p = parent_document(corpus, p)
            if len(chain) > 1:
                chains.append(chain)
        # keep only maximal chains (a chain that is a prefix of another is dropped)
        ends = {tuple(x.doc_id for x in c) for c in chains}
        chains = [c for c in chains if not any(len(o) > len(c) and o[:len(c)] == tuple(x.doc_id for x in c)
                                               for o in ends)]
    else:
        raise PlantraceError(f"unknown chain {by!r}", hint="use year or level")
    rows = []
    for n, chain in enumerate(chains):
        for pos, d in enumerate(chain):
            for cid in ids:
                cnt = int(prof["count"].get((d.doc_id, cid), 0))
                rows.append({
                    "chain": n, "position": pos, "doc_id": d.doc_id, "level": d.entry.level,
                    "region": d.entry.region, "year": d.entry.year, "concept_id": cid,
                    "label": lexicon.concepts[cid].label, "present": cnt > 0, "count": cnt,
                    "rate_per_10k": round(cnt / d.body_chars * 10_000, 4) if d.body_chars else 0.0,
                    "intensity_max": prof["intensity_max"].get((d.doc_id, cid), pd.NA) if cnt else pd.NA,
                })
    return _with_provenance(pd.DataFrame(rows), corpus, lexicon)


def corpus_align(corpus: "Corpus", a: str, b: str, **kw: object) -> pd.DataFrame:
    """Align B's body sentences to A's (copied / rewritten / new / removed), with texts."""
    from .align import align_sentences

    doc_a, doc_b = corpus[a], corpus[b]
    sa = [s for s in doc_a.sentences if s.zone == "body"]
    sb = [s for s in doc_b.sentences if s.zone == "body"]
    frame = align_sentences([s.text for s in sa], [s.text for s in sb], **kw)  # type: ignore[arg-type]
    frame.insert(0, "doc_b", b)
    frame.insert(0, "doc_a", a)
    frame["text_a"] = [sa[int(i)].text if pd.notna(i) else "" for i in frame["a_index"]]
    frame["text_b"] = [sb[int(i)].text if pd.notna(i) else "" for i in frame["b_index"]]
    frame["sentence_id_a"] = [sa[int(i)].id if pd.notna(i) else pd.NA for i in frame["a_index"]]
    frame["sentence_id_b"] = [sb[int(i)].id if pd.notna(i) else pd.NA for i in frame["b_index"]]
    return _with_provenance(frame, corpus, None)
