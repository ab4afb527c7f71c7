"""Charts: Vega-Lite (Altair) views of the frames the measuring API returns.

Computation lives elsewhere and returns DataFrames; the functions here only draw.
Each ``chart_*`` function takes such a frame and RETURNS an ``altair`` chart (plain,
layered or faceted) without writing anything, so a notebook can show it, a caller can
layer or concatenate it, and a test can read its spec with ``chart.to_dict()``.
:func:`save_chart` renders separately, offline, through vl-convert (no browser, no CDN).

========================  ==================================================================
function                  input frame
========================  ==================================================================
:func:`chart_heatmap`     ``corpus_counts``: concept x document rate per 10k body characters
:func:`chart_trajectory`  ``corpus_counts`` (+ ``corpus.to_frame()``): rates along years/levels
:func:`chart_xray`        ``corpus_mentions`` + documents: where in each body a concept occurs
:func:`chart_diff`        a diff of one pair A -> B: dumbbell of rates, coloured by status
:func:`chart_targets`     a target comparison: child targets against the parent's (层层加码)
========================  ==================================================================

Document order. Documents are ordered by :data:`plantrace.manifest.LEVEL_RANK`, then
year, then the order of :data:`plantrace.manifest.LEVELS`, then date and doc_id (as the
diff module orders a chain), so the order never depends on how a frame was sorted.
``new_area`` and ``district`` share a rank on purpose: a state-level new area such as
四川天府新区 sits, like a district, directly under its city (its ``parent_region`` is
成都市), so the year decides between them — in the Chengdu corpus the 2021 district
documents come before the 2022 Tianfu New Area draft.

Colours. A status has one colour in every chart (:data:`STATUS_COLOURS`): escalated is
red in a diff and in a target comparison alike, so a reader learns the key once.

Chinese text. Labels are Chinese (公园城市, 成渝地区双城经济圈). Vega-Lite writes them as
text; an SVG is drawn by its viewer, which finds a CJK font itself. PNG and PDF are drawn
by vl-convert, which can only use the fonts it sees (its own Latin fonts plus the
system's): without a CJK font installed (e.g. Debian's ``fonts-noto-cjk``) Chinese comes
out as empty boxes, and :func:`save_chart` warns about it. :data:`CJK_FONTS` is the font
stack given to the renderer, simplified-Chinese faces first, so a machine with several CJK
fonts draws the mainland glyph forms rather than the Japanese ones.

>>> import pandas as pd
>>> counts = pd.DataFrame({"doc_id": ["cd", "qy"], "concept_id": ["park_city"] * 2,
...     "label": ["公园城市"] * 2, "count": [3, 14], "rate_per_10k": [1.52, 3.55],
...     "level": ["city", "district"], "year": [2020, 2021]})
>>> chart_heatmap(counts).to_dict()["encoding"]["x"]["sort"]
['cd', 'qy']
"""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal, Sequence

import altair as alt
import pandas as pd

from ..concepts.lexicon import Lexicon, default_lexicon
from ..errors import PlantraceError, did_you_mean
from ..ingest.manifest import LEVEL_RANK, LEVELS
from .tables import write_bytes_atomic

if TYPE_CHECKING:
    from ..corpus import Corpus

__all__ = [
    "CJK_FONTS", "STATUS_COLOURS", "chart_diff", "chart_heatmap", "chart_targets",
    "chart_trajectory", "chart_xray", "document_order", "save_chart",
]

#: Font stack handed to the renderer: simplified-Chinese faces first (Noto/Source Han are
#: what Linux distributions ship, PingFang and YaHei what macOS and Windows ship).
CJK_FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
             '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK JP", sans-serif')

#: One colour per status across all charts: more commitment is red, less is blue,
#: new is green, gone is purple, no change is grey.
STATUS_COLOURS: dict[str, str] = {
    "added": "#1a9850",
    "escalated": "#d73027",
    "steady": "#969696",
    "equal": "#969696",
    "softened": "#4575b4",
    "lowered": "#4575b4",
    "dropped": "#762a83",
    "incomparable": "#fdae61",
}
DIFF_STATUSES = ("added", "escalated", "steady", "softened", "dropped")
TARGET_STATUSES = ("escalated", "equal", "lowered", "incomparable")


# --- helpers ------------------------------------------------------------------------------


def _values(frame: pd.DataFrame) -> alt.InlineData:
    """Inline JSON records for a chart.

    Handing Altair a DataFrame would trip its 5,000-row limit on a whole-corpus x-ray
    (and lifting it is global state); JSON via pandas also turns NaN into null, which
    Vega reads as missing instead of failing on a bare ``NaN``.
    """
    records = json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
    return alt.InlineData(values=records)


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PlantraceError(f"{what} frame lacks columns {missing}",
                             hint=f"pass the frame the API returns (it has {list(frame.columns)[:12]})")


def _status_scale(statuses: Sequence[str]) -> alt.Scale:
    # A status this module does not know (a newer diff rule) still gets a colour: grey.
    return alt.Scale(domain=list(statuses), range=[STATUS_COLOURS.get(s, "#bdbdbd") for s in statuses])


def document_order(frame: pd.DataFrame) -> list[str]:
    """doc_ids by level rank, then year, then level name order, then date and doc_id.

    ``frame`` has one or more rows per document and the column ``doc_id``, and
    ``level``, ``year`` and ``date`` when known (a missing key simply does not sort).

    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["天府", "青羊", "成都"], "level": ["new_area", "district", "city"],
    ...                      "year": [2022, 2021, 2020]})
    >>> document_order(docs)
    ['成都', '青羊', '天府']
    """
    cols = [c for c in ("doc_id", "level", "year", "date") if c in frame.columns]
    first = frame[cols].drop_duplicates("doc_id").reset_index(drop=True)
    # Unknown levels go last rather than failing: a user's own manifest may add one.
    rank = first["level"].map(lambda v: LEVEL_RANK.get(v, len(LEVELS))) if "level" in first else 0
    name = first["level"].map(lambda v: LEVELS.index(v) if v in LEVELS else len(LEVELS)) if "level" in first else 0
    year = pd.to_numeric(first["year"], errors="coerce").fillna(0) if "year" in first else 0
    date = first["date"].fillna("").astype(str) if "date" in first else ""
    keyed = first.assign(_rank=rank, _year=year, _name=name, _date=date, _id=first["doc_id"].astype(str))
    keyed = keyed.sort_values(["_rank", "_year", "_name", "_date", "_id"], kind="stable")
    return [str(d) for d in keyed["doc_id"]]


def _documents(counts: pd.DataFrame, docs: pd.DataFrame | None) -> pd.DataFrame:
    """One row per document (doc_id, level, year, region, title when known).

    ``docs`` (``corpus.to_frame()``) lists every document, also those without a single
    counted concept; without it the documents are those that appear in ``counts``.
    """
    meta = [c for c in ("doc_id", "level", "year", "date", "region", "title")
            if c in (docs if docs is not None else counts)]
    source = docs if docs is not None else counts
    _require(source, ["doc_id"], "documents")
    return source[meta].drop_duplicates("doc_id").reset_index(drop=True)


def _resolve(concepts: str | Sequence[str], known: pd.DataFrame,
             lexicon: Lexicon | None = None) -> list[tuple[str, str]]:
    """(concept_id, label) for each id or label, in the order given.

    ``known`` has ``concept_id`` (and ``label`` when the frame carries it). A concept
    that no document mentions is not in the frame, so the lexicon is asked last.
    """
    if isinstance(concepts, str):
        concepts = [concepts]
    labels: dict[str, str] = {}
    if "label" in known.columns:
        labels = dict(zip(known["concept_id"], known["label"]))
    by_label = {v: k for k, v in labels.items()}
    ids = set(known["concept_id"])
    out: list[tuple[str, str]] = []
    lex = lexicon
    for c in concepts:
        if c in ids:
            cid = c
        elif c in by_label:
            cid = by_label[c]
        else:
            if lex is None:
                lex = default_lexicon()
            found = lex.resolve(c)
            if found is None:
                raise PlantraceError(f"unknown concept {c!r}",
                                     hint=did_you_mean(c, lex.concepts) + "give a concept id (park_city) or label (公园城市) of the lexicon")
            cid = found
        label = labels.get(cid)
        if label is None:
            if lex is None:
                lex = default_lexicon()
            label = lex.concepts[cid].label if cid in lex.concepts else cid
        if (cid, label) not in out:
            out.append((cid, label))
    return out


# --- 1. heatmap ---------------------------------------------------------------------------


def chart_heatmap(counts: pd.DataFrame, *, top: int = 30, docs: pd.DataFrame | None = None,
                  facet: Sequence[str] = (), step: int = 36) -> alt.Chart | alt.FacetChart:
    """Concept x document heatmap of ``rate_per_10k``.

    Columns are documents in :func:`document_order`; rows are the ``top`` concepts by
    total count over all documents shown (ties by concept id), most frequent first. A
    document without a concept gets an explicit 0 cell, so absence reads as absence
    and not as missing data. ``docs`` (``corpus.to_frame()``) fixes which documents are
    shown and adds those with no counted concept at all.

    >>> import pandas as pd
    >>> counts = pd.DataFrame({"doc_id": ["成都", "成都", "青羊"], "concept_id": ["park_city", "greenway", "park_city"],
    ...     "label": ["公园城市", "绿道", "公园城市"], "count": [3, 1, 14], "rate_per_10k": [1.52, 0.51, 3.55],
    ...     "level": ["city", "city", "district"], "year": [2020, 2020, 2021]})
    >>> chart = chart_heatmap(counts)
    >>> chart.to_dict()["mark"]["type"], chart.to_dict()["encoding"]["y"]["sort"]
    ('rect', ['公园城市', '绿道'])
    >>> [r["rate_per_10k"] for r in chart.data.values if r["label"] == "绿道"]
    [0.51, 0.0]

    With ``facet`` (columns of ``docs``, e.g. ``("level", "doc_type")``) each group of
    documents is a row panel with its own document axis, so a corpus of a hundred
    documents is a stack of panels ``step`` pixels per document instead of one wide strip.

    >>> chart_heatmap(counts, facet=["level"], step=14).to_dict()["facet"]["row"]["field"]
    'group'
    """
    _require(counts, ["doc_id", "concept_id", "label", "count", "rate_per_10k"], "counts")
    documents = _documents(counts, docs)
    order = document_order(documents)
    counts = counts[counts["doc_id"].isin(order)]
    totals = (pd.DataFrame(counts.groupby(["concept_id", "label"], as_index=False)["count"].sum())
              .sort_values(["count", "concept_id"], ascending=[False, True], kind="stable"))
    chosen = totals.head(top)
    # Full grid: every chosen concept in every document, zero where it is absent.
    grid = chosen[["concept_id", "label"]].merge(documents, how="cross")
    values = counts[["doc_id", "concept_id", "count", "rate_per_10k"]]
    grid = grid.merge(values, on=["doc_id", "concept_id"], how="left")
    grid["count"] = grid["count"].fillna(0).astype(int)
    grid["rate_per_10k"] = grid["rate_per_10k"].fillna(0.0).astype(float)
    tooltip = [alt.Tooltip("label:N", title="concept"), alt.Tooltip("concept_id:N", title="id"),
               alt.Tooltip("doc_id:N", title="document")]
    tooltip += [alt.Tooltip(f"{c}:{'O' if c == 'year' else 'N'}") for c in ("title", "level", "year")
                if c in grid.columns]
    tooltip += [alt.Tooltip("count:Q", title="count"),
                alt.Tooltip("rate_per_10k:Q", title="per 10k chars", format=".2f")]
    facet = [c for c in facet if c in documents.columns]
    groups: list[str] = []
    if facet:
        meta = documents.set_index("doc_id")[facet].astype(str).agg(" · ".join, axis=1)
        grid["group"] = grid["doc_id"].map(meta)
        groups = list(dict.fromkeys(meta.loc[order]))  # in document order: national first
    chart = alt.Chart(_values(grid)).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("doc_id:N", sort=order, title="document (level, then year)" if not facet else None,
                axis=alt.Axis(labelAngle=-40 if step >= 24 else -90, labelLimit=260)),
        y=alt.Y("label:N", sort=list(chosen["label"]), title=None, axis=alt.Axis(labelLimit=240)),
        # Absent (0) is drawn apart from "rare": the palest blue would otherwise hide it.
        color=alt.condition(alt.datum["count"] == 0, alt.value("#f7f7f7"),
                            alt.Color("rate_per_10k:Q", title="per 10k chars",
                                      scale=alt.Scale(scheme="blues", domainMin=0))),
        tooltip=tooltip,
    )
    title = f"Top {len(chosen)} concepts: mentions per 10,000 body characters"
    if not facet:
        return chart.properties(title=title, width=alt.Step(step), height=alt.Step(16))
    return chart.properties(width=alt.Step(step), height=alt.Step(14)).facet(
        row=alt.Row("group:N", sort=groups, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                                      labelFontSize=12, labelFontWeight="bold")),
    ).resolve_scale(x="independent").properties(title=title)


# --- 2. trajectory ------------------------------------------------------------------------


def chart_trajectory(counts: pd.DataFrame, concepts: str | Sequence[str], *,
                     by: Literal["year", "level"] = "year", docs: pd.DataFrame | None = None) -> alt.LayerChart:
    """Rate of chosen concepts (ids or labels) along years or down the levels.

    Each document is a point (0 where it lacks the concept: the grid is built from
    ``docs``, or from the documents in ``counts`` when ``docs`` is None, since
    ``corpus_counts`` omits zero rows); the line joins the mean rate of the documents at
    each year or level. ``by="level"`` orders the axis national → provincial → city →
    new_area → district → county (the levels present).

    >>> import pandas as pd
    >>> counts = pd.DataFrame({"doc_id": ["成都"], "concept_id": ["park_city"], "label": ["公园城市"],
    ...                        "count": [3], "rate_per_10k": [1.52]})
    >>> docs = pd.DataFrame({"doc_id": ["成都", "青羊"], "level": ["city", "district"], "year": [2020, 2021]})
    >>> chart = chart_trajectory(counts, ["公园城市"], docs=docs)
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"]]
    ['line', 'point']
    >>> [(r["doc_id"], r["count"]) for r in chart.data.values]
    [('成都', 3), ('青羊', 0)]
    """
    if by not in ("year", "level"):
        raise PlantraceError(f"unknown chain {by!r}", hint="use by='year' or by='level'")
    _require(counts, ["doc_id", "concept_id", "count", "rate_per_10k"], "counts")
    documents = _documents(counts, docs)
    _require(documents, [by], "documents")
    chosen = pd.DataFrame(_resolve(concepts, counts), columns=["concept_id", "label"])
    order = document_order(documents)
    documents = documents.set_index("doc_id").loc[order].reset_index()
    grid = chosen.merge(documents, how="cross")
    grid = grid.merge(counts[["doc_id", "concept_id", "count", "rate_per_10k"]],
                      on=["doc_id", "concept_id"], how="left")
    grid["count"] = grid["count"].fillna(0).astype(int)
    grid["rate_per_10k"] = grid["rate_per_10k"].fillna(0.0).astype(float)
    if by == "year":
        # Years are integers: with few of them, tick exactly those (Vega would add 2020.5
        # and print it as a second "2020"); with many, let Vega thin them.
        years = sorted({int(y) for y in pd.to_numeric(grid["year"], errors="coerce").dropna()})
        axis = alt.Axis(format="d", values=years) if len(years) <= 12 else alt.Axis(format="d", tickMinStep=1)
        x = alt.X("year:Q", title="year", axis=axis, scale=alt.Scale(zero=False))
    else:
        present = [lv for lv in LEVELS if lv in set(grid["level"])]
        present += sorted(set(grid["level"]) - set(present))
        x = alt.X("level:N", sort=present, title="level", axis=alt.Axis(labelAngle=0))
    colour = alt.Color("label:N", title="concept", sort=list(chosen["label"]))
    base = alt.Chart()
    line = base.mark_line(strokeWidth=2).encode(
        x=x, y=alt.Y("mean(rate_per_10k):Q", title="mentions per 10k chars"), color=colour,
    )
    tooltip = [alt.Tooltip("label:N", title="concept"), alt.Tooltip("doc_id:N", title="document")]
    tooltip += [alt.Tooltip(f"{c}:{'O' if c == 'year' else 'N'}") for c in ("title", "level", "region", "year")
                if c in grid.columns]
    tooltip += [alt.Tooltip("count:Q"), alt.Tooltip("rate_per_10k:Q", title="per 10k chars", format=".2f")]
    points = base.mark_point(filled=True, size=50, opacity=0.8).encode(
        x=x, y=alt.Y("rate_per_10k:Q"), color=colour, tooltip=tooltip,
    )
    title = "by year" if by == "year" else "down the levels"
    return alt.LayerChart(layer=[line, points], data=_values(grid),
                     title=f"Concept rate {title} (points: documents; line: mean)", width=420, height=260)


# --- 3. x-ray -----------------------------------------------------------------------------


def _body_spans(docs: pd.DataFrame | Corpus, mentions: pd.DataFrame) -> pd.DataFrame:
    """doc_id, body_start, body_end (+ level/year for ordering).

    A Corpus knows each body's exact span; a frame may carry ``body_start`` and
    ``body_end`` columns; otherwise the span is 0 .. the document's last mention end,
    which stretches a document whose body starts late (a long front matter) a little.
    """
    if not isinstance(docs, pd.DataFrame):  # a Corpus
        frame = docs.to_frame()
        spans = {d.doc_id: d.body_span for d in docs.docs}
        frame["body_start"] = frame["doc_id"].map(lambda d: spans[d][0])
        frame["body_end"] = frame["doc_id"].map(lambda d: spans[d][1])
    else:
        frame = docs.copy()
        _require(frame, ["doc_id"], "documents")
        if "body_start" not in frame.columns or "body_end" not in frame.columns:
            last = mentions.groupby("doc_id")["end"].max()
            frame["body_start"] = 0
            frame["body_end"] = frame["doc_id"].map(last).fillna(1)
    cols = [c for c in ("doc_id", "level", "year", "date", "region", "title", "body_start", "body_end")
            if c in frame]
    return frame[cols]


def chart_xray(mentions: pd.DataFrame, docs: pd.DataFrame | Corpus, concepts: str | Sequence[str], *,
               lexicon: Lexicon | None = None, rollup: bool = True, step: int = 16) -> alt.FacetChart:
    """Lexical dispersion plot (like quanteda's ``textplot_xray``): where each concept
    occurs in each document's body.

    One row panel per concept, one line per document (in :func:`document_order`), a
    tick at each body mention's relative position ``(start - body_start) / body
    length`` in [0, 1]. ``docs`` is a :class:`~plantrace.Corpus` (exact body spans), or a
    frame such as ``corpus.to_frame()`` (optionally with ``body_start``/``body_end``;
    otherwise positions are relative to the last mention). With ``rollup`` a concept's
    row also shows its descendants' mentions (公园城市示范区 under 公园城市), as
    ``corpus_counts`` counts them.

    >>> import pandas as pd
    >>> mentions = pd.DataFrame({"doc_id": ["成都", "成都"], "concept_id": ["park_city"] * 2,
    ...     "alias": ["公园城市"] * 2, "start": [10, 90], "end": [14, 94], "zone": ["body", "body"]})
    >>> docs = pd.DataFrame({"doc_id": ["成都"], "body_start": [0], "body_end": [100]})
    >>> chart = chart_xray(mentions, docs, ["公园城市"])
    >>> chart.to_dict()["spec"]["mark"]["type"], [r["position"] for r in chart.data.values]
    ('tick', [0.1, 0.9])
    """
    _require(mentions, ["doc_id", "concept_id", "start", "end"], "mentions")
    body = mentions[mentions["zone"] == "body"] if "zone" in mentions.columns else mentions
    if lexicon is None:
        lexicon = default_lexicon()
    chosen = _resolve(concepts, pd.DataFrame({"concept_id": sorted(set(body["concept_id"]))}), lexicon)
    rows = []
    for cid, label in chosen:
        members = {cid}
        if rollup and cid in lexicon.concepts:
            members |= set(lexicon.descendants(cid))
        hit = body[body["concept_id"].isin(members)]
        rows.append(hit.assign(concept=cid, label=label, matched=hit["concept_id"]))
    hits = pd.concat(rows, ignore_index=True) if rows else body.head(0)
    spans = _body_spans(docs, mentions)
    order = document_order(spans)
    hits = hits[hits["doc_id"].isin(order)].merge(spans[["doc_id", "body_start", "body_end"]], on="doc_id")
    length = (hits["body_end"] - hits["body_start"]).clip(lower=1)
    hits["position"] = ((hits["start"] - hits["body_start"]) / length).clip(0, 1).round(4)
    keep = [c for c in ("doc_id", "concept", "label", "matched", "alias", "start", "position", "heading_path")
            if c in hits.columns]
    tooltip = [alt.Tooltip("label:N", title="concept"), alt.Tooltip("doc_id:N", title="document"),
               alt.Tooltip("position:Q", format=".1%", title="position in body")]
    tooltip += [alt.Tooltip(f"{c}:N") for c in ("alias", "heading_path") if c in keep]
    tooltip += [alt.Tooltip("start:Q", title="offset")]
    labels = [label for _, label in chosen]
    return alt.Chart(_values(hits[keep])).mark_tick(thickness=1.5, opacity=0.8).encode(
        x=alt.X("position:Q", scale=alt.Scale(domain=[0, 1]), title="relative position in body",
                axis=alt.Axis(format="%")),
        # An explicit domain keeps documents without a mention as empty lines.
        y=alt.Y("doc_id:N", sort=order, scale=alt.Scale(domain=order), title=None,
                axis=alt.Axis(labelLimit=260)),
        tooltip=tooltip,
    ).properties(width=480, height=alt.Step(step)).facet(
        row=alt.Row("label:N", sort=labels, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=12)),
    ).properties(title="Lexical dispersion (body zone)")


# --- 4. diff ------------------------------------------------------------------------------


def chart_diff(diff: pd.DataFrame, *, top: int | None = 40) -> alt.LayerChart:
    """Dumbbell of each concept's rate in A and in B for one pair A → B, by status.

    A rule joins the two rates, solid when the rate change is significant (the test of
    the diff rule) and dashed when not; a hollow circle marks A, a filled one B; the colour
    is the status, and the tooltip gives the test (p) and the reasons behind it. Rows are grouped by status (added, escalated, steady, softened, dropped)
    and, within a status, sorted by the size of the change. ``top`` keeps the concepts
    with the largest rate change (None: all), so a long diff stays legible.

    >>> import pandas as pd
    >>> diff = pd.DataFrame({"doc_a": ["成都"] * 2, "doc_b": ["青羊"] * 2, "concept_id": ["park_city", "rural"],
    ...     "label": ["公园城市", "乡村振兴"], "status": ["steady", "dropped"], "count_a": [3, 2],
    ...     "count_b": [14, 0], "rate_a": [1.52, 1.01], "rate_b": [3.55, 0.0]})
    >>> spec = chart_diff(diff).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]], spec["title"]["text"]
    (['rule', 'point', 'point'], '成都 → 青羊')
    """
    _require(diff, ["doc_a", "doc_b", "concept_id", "label", "status", "rate_a", "rate_b"], "diff")
    pairs = diff[["doc_a", "doc_b"]].drop_duplicates()
    if len(pairs) != 1:
        raise PlantraceError(f"chart_diff draws one pair A → B; the frame has {len(pairs)}",
                             hint="filter it first, e.g. diff[(diff.doc_a == A) & (diff.doc_b == B)]")
    doc_a, doc_b = (str(v) for v in pairs.iloc[0])
    statuses = list(DIFF_STATUSES) + sorted(set(diff["status"]) - set(DIFF_STATUSES))
    frame = diff.assign(change=(diff["rate_b"] - diff["rate_a"]).astype(float))
    if top is not None:
        frame = frame.reindex(frame["change"].abs().sort_values(ascending=False, kind="stable").index).head(top)
    frame = frame.assign(_s=frame["status"].map(statuses.index))
    frame = frame.sort_values(["_s", "change", "concept_id"], ascending=[True, False, True], kind="stable")
    order = list(frame["label"])
    # The line says whether the rate change between the dots is significant (solid) or
    # not (dashed), so that a dot moving against the colour is visibly not the rate's claim;
    # the tooltip gives the test and the reasons behind the colour.
    if "p" in frame.columns and "log2_ratio" in frame.columns:
        rule_cfg = (diff.attrs.get("provenance") or {}).get("rule") or {}
        alpha, floor = float(rule_cfg.get("alpha", 0.05)), float(rule_cfg.get("min_abs_log2", 1.0))
        sig = (frame["p"].astype(float) < alpha) & (frame["log2_ratio"].astype(float).abs() >= floor)
        frame = frame.assign(rate_change=sig.map({True: "significant", False: "not significant"}))
    keep = [c for c in ("concept_id", "label", "status", "count_a", "count_b", "rate_a", "rate_b", "change",
                        "rate_change", "p", "intensity_a", "intensity_b", "reasons") if c in frame.columns]
    wide = frame[keep]
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=240))
    colour = alt.Color("status:N", scale=_status_scale([s for s in statuses if s in set(frame["status"])]),
                       title="status")
    tooltip = [alt.Tooltip(f"{c}:{'Q' if c.startswith(('count', 'rate_a', 'rate_b', 'change')) or c == 'p' else 'N'}")
               for c in keep if c != "concept_id"]
    base = alt.Chart()  # data once, on the layer
    dash: dict[str, Any] = {}
    if "rate_change" in keep:
        dash["strokeDash"] = alt.StrokeDash(
            "rate_change:N", title="rate change",
            scale=alt.Scale(domain=["significant", "not significant"], range=[[1, 0], [4, 3]]))
    rule = base.mark_rule(strokeWidth=2, opacity=0.7).encode(
        x=alt.X("rate_a:Q", title="mentions per 10k chars"), x2="rate_b:Q", y=y, color=colour, tooltip=tooltip,
        **dash,
    )
    # Hollow = A, filled = B: readable in print without a second legend.
    point_a = base.mark_point(size=60, strokeWidth=1.5, filled=False).encode(
        x="rate_a:Q", y=y, color=colour, tooltip=tooltip)
    point_b = base.mark_point(size=60, filled=True, opacity=1).encode(
        x="rate_b:Q", y=y, color=colour, tooltip=tooltip)
    return alt.LayerChart(
        layer=[rule, point_a, point_b], data=_values(wide),
        title=alt.Title(f"{doc_a} → {doc_b}",
                        subtitle=f"mentions per 10k body characters; hollow = {doc_a}, filled = {doc_b}"),
        width=420, height=alt.Step(16),
    )


# --- 5. targets ---------------------------------------------------------------------------


def _fmt_target(value: Any, qualifier: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    q = "" if qualifier is None or (isinstance(qualifier, float) and pd.isna(qualifier)) else str(qualifier)
    return f"{float(value):g}{q}"


def chart_targets(comparison: pd.DataFrame, *, indicator: str = "gdp_growth",
                  year: int | None = None) -> alt.LayerChart:
    """Target escalation (层层加码): each child's target against its parent's.

    One indicator (``gdp_growth`` by default) and one year (the latest in the frame by
    default). Each child region is a point at its target, labelled with value and
    qualifier (``7以上``), sorted from the highest target down and coloured by status;
    a dashed rule marks the parent's target (one rule per distinct parent target).
    Rows without a child value cannot be placed and are left out.

    >>> import pandas as pd
    >>> cmp = pd.DataFrame({"indicator_id": ["gdp_growth"] * 2, "year": [2025] * 2, "region": ["西藏自治区", "青海省"],
    ...     "value_parent": [5.0] * 2, "qualifier_parent": ["左右"] * 2, "value_child": [7.0, 4.5],
    ...     "qualifier_child": ["以上", "左右"], "status": ["escalated", "lowered"], "reason": ["", ""]})
    >>> spec = chart_targets(cmp).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'text', 'point', 'text']
    >>> spec["layer"][2]["encoding"]["y"]["sort"]
    ['西藏自治区', '青海省']
    """
    _require(comparison, ["indicator_id", "year", "region", "value_parent", "value_child", "status"], "comparison")
    frame = comparison[comparison["indicator_id"] == indicator]
    if frame.empty:
        known = sorted(set(comparison["indicator_id"]))
        raise PlantraceError(f"no comparison rows for indicator {indicator!r}", hint=f"use one of {known}")
    years = pd.to_numeric(frame["year"], errors="coerce")
    year = int(years.max()) if year is None else int(year)
    frame = frame[years == year]
    if frame.empty:
        raise PlantraceError(f"no {indicator} comparison for {year}",
                             hint=f"use one of {sorted(set(years.dropna().astype(int)))}")
    frame = frame[frame["value_child"].notna()].copy()
    for col in ("qualifier_parent", "qualifier_child", "reason"):
        if col not in frame.columns:
            frame[col] = ""
    frame["child_target"] = [_fmt_target(v, q) for v, q in zip(frame["value_child"], frame["qualifier_child"])]
    frame["parent_target"] = [_fmt_target(v, q) for v, q in zip(frame["value_parent"], frame["qualifier_parent"])]
    frame = frame.sort_values(["value_child", "region"], ascending=[False, True], kind="stable")
    order = list(frame["region"])
    statuses = list(TARGET_STATUSES) + sorted(set(frame["status"]) - set(TARGET_STATUSES))
    present = [s for s in statuses if s in set(frame["status"])]
    keep = ["region", "value_child", "qualifier_child", "child_target", "value_parent", "parent_target",
            "status", "reason"]
    keep += [c for c in ("value_high_child", "doc_child", "doc_parent") if c in frame.columns]
    points = frame[keep]
    parents = frame.drop_duplicates(["value_parent", "parent_target"])[["value_parent", "parent_target"]]
    parents = parents.assign(label=[f"parent {t}" for t in parents["parent_target"]])
    x_title = f"{indicator} target, {year}"
    rule = alt.Chart(_values(parents)).mark_rule(strokeDash=[5, 3], color="black").encode(
        x=alt.X("value_parent:Q", title=x_title),
        tooltip=[alt.Tooltip("parent_target:N", title="parent target")],
    )
    rule_text = alt.Chart(_values(parents)).mark_text(align="left", dx=4, dy=-6, baseline="bottom",
                                                      color="black").encode(
        x="value_parent:Q", y=alt.value(0), text="label:N",
    )
    y = alt.Y("region:N", sort=order, title=None)
    tooltip = [alt.Tooltip("region:N"), alt.Tooltip("child_target:N", title="target"),
               alt.Tooltip("parent_target:N", title="parent"), alt.Tooltip("status:N"),
               alt.Tooltip("reason:N")]
    dots = alt.Chart(_values(points)).mark_point(filled=True, size=70).encode(
        x=alt.X("value_child:Q", title=x_title, scale=alt.Scale(zero=False, padding=20)), y=y,
        color=alt.Color("status:N", scale=_status_scale(present), title="status"), tooltip=tooltip,
    )
    labels = alt.Chart(_values(points)).mark_text(align="left", dx=7, fontSize=10).encode(
        x="value_child:Q", y=y, text="child_target:N", color=alt.Color("status:N", legend=None,
                                                                       scale=_status_scale(present)),
    )
    return alt.LayerChart(
        layer=[rule, rule_text, dots, labels],
        title=alt.Title(f"{indicator} {year}: child targets against the parent's",
                        subtitle="escalated = above the parent's target or a stronger qualifier (层层加码)"),
        width=380, height=alt.Step(18),
    )


# --- 6. saving ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def cjk_font_available() -> bool | None:
    """Whether fontconfig knows a Chinese font (None when ``fc-list`` is absent, as on
    Windows, and the answer is unknown)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                             timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip())


def _vl_version() -> str | None:
    # vl-convert bundles several Vega-Lite versions: render with the one Altair wrote the
    # spec for ('v6.4.1' -> 'v6_4'), as Altair's own save() does; an older vl-convert
    # that lacks it renders with its newest (None) rather than failing.
    import vl_convert as vlc

    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    known: list[str] = getattr(vlc, "get_vegalite_versions", lambda: [])()
    if known and f"{major}.{minor}" not in known:
        return None
    return f"v{major}_{minor}"


def _line_safe(value: Any) -> Any:
    """Every string of a spec without U+2028/U+2029, which Vega's expression parser rejects
    inside the string literals Vega-Lite builds from labels (e.g. a sort order)."""
    if isinstance(value, str):
        return value.replace("\u2028", " ").replace("\u2029", " ")
    if isinstance(value, dict):
        return {_line_safe(k): _line_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_line_safe(v) for v in value]
    return value


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec, safe to render whatever the labels hold."""
    spec: dict = _line_safe(chart.to_dict())
    return spec


def save_chart(chart: alt.TopLevelMixin, path: str | Path, *, scale: float = 2.0) -> Path:
    """Render a chart offline and write it atomically; the format is the suffix.

    ``.svg`` and ``.png`` (``scale`` x pixel density, 2 by default for print), ``.pdf``,
    ``.html`` (self-contained: the Vega JavaScript is bundled into the page, so it
    opens without a network) and ``.json`` (the Vega-Lite spec itself).

    >>> import pandas as pd, tempfile, pathlib
    >>> counts = pd.DataFrame({"doc_id": ["成都"], "concept_id": ["park_city"], "label": ["公园城市"],
    ...                        "count": [3], "rate_per_10k": [1.52]})
    >>> out = save_chart(chart_heatmap(counts), pathlib.Path(tempfile.mkdtemp()) / "heat.svg")
    >>> out.read_text(encoding="utf-8").startswith("<svg"), "公园城市" in out.read_text(encoding="utf-8")
    (True, True)
    """
    import vl_convert as vlc

    target = Path(path)
    kind = target.suffix.lower()
    spec = chart_spec(chart)
    # The renderer's config is a default: a font the chart configures itself still wins.
    config = {"font": CJK_FONTS}
    if kind == ".json":
        data = json.dumps(spec, ensure_ascii=False, indent=2).encode("utf-8")
    elif kind == ".svg":
        data = vlc.vegalite_to_svg(spec, vl_version=_vl_version(), config=config).encode("utf-8")
    elif kind in (".png", ".pdf"):
        if cjk_font_available() is False:
            warnings.warn(f"{target}: no Chinese font installed, so Chinese text will be drawn as boxes; "
                          "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk, or the smaller "
                          "fonts-wqy-microhei) or save as .svg",
                          RuntimeWarning, stacklevel=2)
        if kind == ".png":
            data = vlc.vegalite_to_png(spec, vl_version=_vl_version(), scale=scale, config=config)
        else:
            data = vlc.vegalite_to_pdf(spec, vl_version=_vl_version(), config=config)
    elif kind == ".html":
        html = vlc.vegalite_to_html(spec, vl_version=_vl_version(), bundle=True, config=config)
        data = html.encode("utf-8")
    else:
        raise PlantraceError(f"cannot save a chart as {kind or 'a file without suffix'!r}", file=str(target),
                             hint="use .svg, .png, .pdf, .html or .json")
    write_bytes_atomic(target, data)
    return target


#: The name of plantrace's offline notebook renderer in ``alt.renderers``.
OFFLINE_RENDERER = "plantrace_svg"


def _offline_svg_renderer(spec: dict[str, Any], **_: Any) -> dict[str, str]:
    """A chart as an inline SVG drawn by vl-convert (no JavaScript, no network)."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec, vl_version=_vl_version(), config={"font": CJK_FONTS})
    return {"image/svg+xml": svg, "text/plain": "<altair chart rendered offline as SVG by plantrace>"}


def enable_offline_rendering() -> str:
    """Render altair charts in Jupyter as inline SVG drawn by vl-convert, so a notebook
    shows them offline (altair's default renderer loads its JavaScript from a CDN, and
    shows "Error loading script" without a network). The one-liner the notebooks use::

        from plantrace.report.charts import enable_offline_rendering; enable_offline_rendering()

    Returns the renderer's name; ``alt.renderers.enable("default")`` switches back.

    >>> enable_offline_rendering(), alt.renderers.active
    ('plantrace_svg', 'plantrace_svg')
    >>> bundle = alt.Chart(pd.DataFrame({"词": ["公园城市"], "n": [3]})).mark_bar().encode(x="n", y="词")._repr_mimebundle_()
    >>> bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    >>> svg = bundle["image/svg+xml"]; svg.startswith("<svg"), "公园城市" in svg, "http" in svg.replace("http://www.w3.org", "")
    (True, True, False)
    """
    if OFFLINE_RENDERER not in alt.renderers.names():
        alt.renderers.register(OFFLINE_RENDERER, _offline_svg_renderer)
    alt.renderers.enable(OFFLINE_RENDERER)
    return OFFLINE_RENDERER
