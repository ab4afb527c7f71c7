"""report.html: one self-contained page (Vega libraries inlined, no network needed).

It shows the charts (interactive, rendered by vega-embed from a bundle that
vl-convert builds offline), the change tables, and the evidence sentences with
the concept highlighted and their raw-text citation (file and character offsets).

>>> page = render_html_page("测试", "<p>公园城市</p>", charts={}, js_bundle="")
>>> page.startswith("<!DOCTYPE html>") and "公园城市" in page
True
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from ..frames import records

if TYPE_CHECKING:
    from .pipeline import ReportResult

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top}
th{background:#f5f5f5}mark{background:#ffe08a;padding:0 .1em}.cite{color:#666;font-size:.75rem}
.added{color:#1a9850;font-weight:bold}.dropped{color:#762a83;font-weight:bold}.escalated{color:#d73027;font-weight:bold}
.softened{color:#4575b4;font-weight:bold}.steady{color:#969696}.lowered{color:#4575b4;font-weight:bold}.equal{color:#969696}
.chart{margin:1rem 0}.prov{font-size:.75rem;background:#fafafa;border:1px solid #eee;padding:.5rem;white-space:pre-wrap}
.side{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}.side div{border:1px solid #eee;padding:.4rem;font-size:.85rem}
.chart,.tablebox{max-width:100%;overflow-x:auto}.chart{max-height:1600px;overflow-y:auto}
.side div,.cite,td{overflow-wrap:anywhere}.toc{columns:2;font-size:.9rem}.toc ul{margin:.2rem 0}
details.pair{border-left:3px solid #ddd;padding-left:.6rem;margin:.6rem 0}details.pair>summary{cursor:pointer;font-weight:bold}
.pairpick{margin:.5rem 0}.pairpick select{max-width:100%;font-size:.9rem}
"""

_ARROWS = {"added": "＋", "dropped": "－", "escalated": "↑", "softened": "↓", "steady": "·",
           "lowered": "↓", "equal": "＝"}


def _e(value: object) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and value != value) else str(value))


def script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and U+2028/2029 as
    ``\\uXXXX`` escapes, so no string (a title, a label) can close the element or start
    markup; the value JavaScript reads is unchanged.

    >>> hostile = {"t": "</script><script>alert(1)</script>&"}
    >>> "<" in script_json(hostile), script_json(hostile).count("u003c")
    (False, 3)
    >>> json.loads(script_json(hostile)) == hostile
    True
    """
    text = json.dumps(value, ensure_ascii=False, default=str)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def highlight(sentence: str, needles: list[str]) -> str:
    """Escape a sentence and mark every occurrence of the concept's aliases, longest first,
    in one pass (so marks never nest and the output does not depend on set order).

    >>> highlight("建设公园城市示范区", ["公园城市"])
    '建设<mark>公园城市</mark>示范区'
    >>> highlight("发展普惠托育服务", ["托育", "普惠托育"])
    '发展<mark>普惠托育</mark>服务'
    """
    import re

    escaped = _e(sentence)
    keys = sorted({_e(x) for x in needles if x}, key=lambda x: (-len(x), x))
    if not keys:
        return escaped
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    return pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)


def frame_to_html(frame: pd.DataFrame, columns: list[str] | None = None, limit: int = 50) -> str:
    cols = columns or list(frame.columns)
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    rows = []
    for _, r in frame[cols].head(limit).iterrows():
        cells = []
        for c in cols:
            v = r[c]
            cls = f' class="{_e(v)}"' if c == "status" else ""
            cells.append(f"<td{cls}>{_e(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p class='cite'>… {len(frame) - limit} more rows in the CSV.</p>" if len(frame) > limit else ""
    return f"<div class='tablebox'><table><tr>{head}</tr>{''.join(rows)}</table></div>{more}"


def render_html_page(title: str, body: str, *, charts: Mapping[str, dict], js_bundle: str) -> str:
    """Assemble the page: the bundle sets window.vegaEmbed; one module script per chart."""
    scripts = []
    for div_id, spec in charts.items():
        scripts.append(
            f"<script type=\"module\">window.vegaEmbed({script_json('#' + div_id)}, {script_json(spec)}, "
            "{renderer: 'svg', actions: false}).catch(e => console.error(e));</script>")
    bundle = f"<script type=\"module\">{js_bundle}</script>" if js_bundle else ""
    # Errors on the page are also written into #console-errors, so a headless browser
    # test can read them from the DOM.
    trap = ("<pre id=\"console-errors\" hidden></pre><script>(function(){var box=document.getElementById("
            "'console-errors');var orig=console.error;console.error=function(){box.textContent+="
            "Array.prototype.join.call(arguments,' ')+'\\n';orig.apply(console,arguments);};"
            "window.addEventListener('error',function(e){box.textContent+=e.message+'\\n';});})();</script>")
    return ("<!DOCTYPE html><html lang=\"zh-Hans\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{trap}{body}{bundle}{''.join(scripts)}"
            "</body></html>")


def _evidence_rows(result: "ReportResult", diff: pd.DataFrame, limit: int) -> str:
    corpus, lexicon = result.corpus, result.lexicon
    parts = []
    # The strongest evidence first: new and vanished concepts, then moves; within a status by
    # significance (G²), so one mention in a 600-character resolution does not come first.
    order = {"added": 0, "dropped": 1, "escalated": 2, "softened": 3}
    moved = diff[diff["status"] != "steady"]
    moved = moved.assign(_o=moved["status"].map(order), _w=moved["g2"].astype(float))
    shown = moved.sort_values(["_o", "_w"], ascending=[True, False]).head(limit)
    for r in records(shown):
        concept = lexicon.concepts.get(r.concept_id)
        needles = list(concept.aliases) if concept else [r.label]
        for cid in lexicon.descendants(r.concept_id):
            needles += list(lexicon.concepts[cid].aliases)
        cells = []
        for side, doc_id, ev, rs, re_ in (("A", r.doc_a, r.evidence_a, r.evidence_a_raw_start, r.evidence_a_raw_end),
                                           ("B", r.doc_b, r.evidence_b, r.evidence_b_raw_start, r.evidence_b_raw_end)):
            if ev:
                doc = corpus[doc_id]
                raw = doc.raw[int(rs):int(re_)]
                cite = (f"{_e(doc.entry.file)} [{int(rs)}:{int(re_)}]"
                        + (f" — raw: {_e(raw[:80])}{'…' if len(raw) > 80 else ''}" if raw != ev else ""))
                cells.append(f"<div><b>{side}</b> {highlight(ev, needles)}<br><span class='cite'>{cite}</span></div>")
            else:
                cells.append(f"<div><b>{side}</b> <span class='cite'>not mentioned</span></div>")
        parts.append(f"<h4><span class='{_e(r.status)}'>{_ARROWS.get(r.status, '')} {_e(r.status)}</span> "
                     f"{_e(r.label)} <span class='cite'>{_e(r.doc_a)} → {_e(r.doc_b)}: {_e(r.reasons)}</span></h4>"
                     f"<div class='side'>{''.join(cells)}</div>")
    return "".join(parts)


_STATUS_ORDER = ("added", "dropped", "escalated", "softened")


def _folded(label: str, inner: str, rows: int, *, open_below: int = 30) -> str:
    """A long table folded under a <details> line, so a corpus of 100+ documents does not
    push the charts and the evidence several screens down; short ones stay open."""
    return f"<details{' open' if rows < open_below else ''}><summary>{_e(label)}</summary>{inner}</details>"


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _pair_type(doc_type: dict[str, str], a: str, b: str) -> str:
    """The kind of documents a pair compares: reports and resolutions are kept apart."""
    ta, tb = doc_type.get(a, ""), doc_type.get(b, "")
    return tb if ta == tb else f"{ta} → {tb}"


def _evidence_section(result: "ReportResult", diff: pd.DataFrame, *, pairs_per_type: int = 8,
                      per_status: int = 3) -> tuple[str, list[tuple[str, str]]]:
    """Evidence grouped by document type, then pair (most significant first: sum of G²
    of its changes), then status, each status's concepts ranked by G².

    Returns the HTML and the (anchor, title) of each document-type part for the contents.
    """
    docs = result.tables["documents"]
    doc_type = dict(zip(docs["doc_id"].astype(str), docs["doc_type"].astype(str)))
    moved = diff[diff["status"] != "steady"]
    if moved.empty:
        return "<p>No concept changed status in any pair.</p>", []
    weight = moved.groupby(["comparison", "doc_a", "doc_b"], sort=False)["g2"].sum().sort_values(ascending=False)
    by_type: dict[str, list[tuple[str, str, str]]] = {}
    for kind, a, b in weight.index:
        by_type.setdefault(_pair_type(doc_type, str(a), str(b)), []).append((str(kind), str(a), str(b)))
    html_parts, toc = [], []
    for ptype, pairs in sorted(by_type.items(), key=lambda kv: -len(kv[1])):
        anchor = f"evidence-{_slug(ptype)}"
        toc.append((anchor, ptype))
        html_parts.append(f"<h3 id='{_e(anchor)}'>{_e(ptype)} <span class='cite'>{len(pairs)} pairs with "
                          f"changes; the {min(len(pairs), pairs_per_type)} with the most significant shown"
                          "</span></h3>")
        for i, (kind, a, b) in enumerate(pairs[:pairs_per_type]):
            part = moved[(moved["comparison"] == kind) & (moved["doc_a"] == a) & (moved["doc_b"] == b)]
            counts = part["status"].value_counts()
            summary = " · ".join(f"{int(counts.get(st, 0))} {st}" for st in _STATUS_ORDER)
            blocks = []
            for st in _STATUS_ORDER:
                rows = part[part["status"] == st]
                if rows.empty:
                    continue
                more = (f" <span class='cite'>(top {per_status} of {len(rows)} by G²)</span>"
                        if len(rows) > per_status else "")
                blocks.append(f"<h4 class='{_e(st)}'>{_e(_ARROWS.get(st, ''))} {_e(st)}{more}</h4>"
                              + _evidence_rows(result, rows, per_status))
            html_parts.append(f"<details class='pair'{' open' if i < 2 else ''}><summary>{_e(kind)}: {_e(a)} → "
                              f"{_e(b)} <span class='cite'>{_e(summary)}</span></summary>{''.join(blocks)}</details>")
        if len(pairs) > pairs_per_type:
            html_parts.append(f"<p class='cite'>{len(pairs) - pairs_per_type} more pairs of this kind in diff.csv "
                              "(or pick one in the diff chart above).</p>")
    return "".join(html_parts), toc


def _diff_selector(options: Sequence[tuple[str, str, str, dict]]) -> str:
    """A <select> of every compared pair that redraws #chart-diff (inline script, no network)."""
    if len(options) < 2:
        return ""
    groups: dict[str, list[str]] = {}
    for i, (kind, a, b, _) in enumerate(options):
        groups.setdefault(kind, []).append(f"<option value='{i}'>{_e(a)} → {_e(b)}</option>")
    select = "".join(f"<optgroup label='by {_e(k)}'>{''.join(v)}</optgroup>" for k, v in groups.items())
    # Inside <script>, "</" would end the element: JSON allows "<\/". The schema URL is
    # dropped (vegaEmbed is told the mode instead): nothing on the page names a server.
    specs = [{k: v for k, v in spec.items() if k != "$schema"} for *_, spec in options]
    blob = json.dumps(specs, ensure_ascii=False).replace("</", "<\\/")
    return ("<div class='pairpick'><label for='diff-pair'>Pair: </label>"
            f"<select id='diff-pair'>{select}</select> <span class='cite'>{len(options)} pairs, "
            "the most changed first (sum of G²)</span></div>"
            f"<script type='application/json' id='diff-specs'>{blob}</script>"
            "<script>document.getElementById('diff-pair').addEventListener('change',function(e){"
            "var specs=JSON.parse(document.getElementById('diff-specs').textContent);"
            "window.vegaEmbed('#chart-diff',specs[+e.target.value],{mode:'vega-lite',renderer:'svg',actions:false})"
            ".catch(function(err){console.error(err);});});</script>")


def formulations_section(result: "ReportResult", *, top: int = 10) -> str:
    """"New formulations": per pair of the report, the ``top`` new formulations of B by G²,
    each with its evidence sentence (formulation marked) and the raw-file citation; empty
    when no pair has a new formulation. Everything embedded is escaped."""
    changes = result.tables.get("formulation_changes")
    if changes is None or changes.empty:
        return ""
    new = changes[changes["status"] == "new"]
    if new.empty:
        return ""
    corpus = result.corpus
    parts = ["<h2 id='new-formulations'>New formulations</h2>",
             "<p class='cite'>Quoted, numbered and compound formulations (提法) in B's body that A's body lacks, "
             "ranked by G²; “from parent” when B's parent document has it. All rows in formulation_changes.csv.</p>"]
    for (a, b), part in new.groupby(["doc_a", "doc_b"], sort=False):
        comparison = str(part["comparison"].iloc[0]) if "comparison" in part.columns else ""
        parent = str(part["parent"].iloc[0] or "")
        parts.append(f"<h3>{_e(a)} → {_e(b)} <span class='cite'>{_e(comparison)} · {len(part)} new"
                     + (f" · parent of B: {_e(parent)}" if parent else "") + "</span></h3>")
        rows = []
        for r in records(part.sort_values("g2", ascending=False, kind="stable").head(top)):
            doc = corpus[r.evidence_doc]
            rs, re_ = int(r.evidence_raw_start), int(r.evidence_raw_end)
            raw = doc.raw[rs:re_]
            taken = r.taken_up_from_parent
            from_parent = "" if taken is None or taken != taken else ("yes" if taken else "no")
            if parent == a:
                from_parent = "(= A)"  # A is B's parent: a new formulation is never in it
            cite = f"{_e(doc.entry.file)} [{rs}:{re_}]" + (f" — raw: {_e(raw)}" if raw != r.formulation else "")
            rows.append(f"<tr><td><b>{_e(r.formulation)}</b></td><td>{_e(r.kind)}</td><td>{_e(r.count_b)}</td>"
                        f"<td>{_e(f'{r.g2:.1f}')}</td><td>{_e(from_parent)}</td><td>{_e(r.concept_id)}</td>"
                        f"<td>{highlight(str(r.evidence_sentence), [str(r.formulation)])}"
                        f"<br><span class='cite'>{cite}</span></td></tr>")
        head = "".join(f"<th>{_e(c)}</th>" for c in ("formulation", "kind", "count in B", "G²", "from parent",
                                                      "concept", "evidence (B)"))
        parts.append(f"<table><tr>{head}</tr>{''.join(rows)}</table>")
    return "".join(parts)


_CHART_TITLES = {"chart-heatmap": "Concepts by document", "chart-trajectory": "Down the levels or the years",
                 "chart-xray": "Where in the text", "chart-diff": "One pair, concept by concept",
                 "chart-targets": "Growth targets against the parent"}


def build_report_html(result: "ReportResult", charts: Mapping[str, dict], *, evidence_limit: int = 40,
                      diff_options: Sequence[tuple[str, str, str, dict]] = ()) -> str:
    """The whole report page for a :class:`~plantrace.pipeline.ReportResult`.

    ``diff_options`` (comparison, doc_a, doc_b, spec) fill the diff chart's pair selector.
    """
    import vl_convert as vlc

    t = result.tables
    body = [f"<h1>plantrace report: {_e(result.name)}</h1>"]
    docs = t["documents"]
    body.append(f"<p>{len(docs)} documents · lexicon {_e(result.lexicon.name)} "
                f"(sha256 {_e(result.lexicon.sha256[:12])}) · plantrace {_e(result.provenance.get('plantrace_version'))}</p>")
    toc: list[tuple[str, str, list[tuple[str, str]]]] = [("documents", "Documents", [])]
    by_kind = (docs.groupby(["level", "doc_type"], sort=False)
               .agg(documents=("doc_id", "size"), first_year=("year", "min"), last_year=("year", "max"),
                    body_chars=("body_chars", "sum")).reset_index())
    sections = ["<h2 id='documents'>Documents</h2>" + frame_to_html(by_kind) + _folded(
        f"all {len(docs)} documents", frame_to_html(
            docs, ["doc_id", "level", "region", "year", "doc_type", "encoding", "script_used", "body_chars",
                   "front_chars", "back_chars"], limit=5000), len(docs))]
    skipped: Any = result.provenance.get("skipped") or []
    if skipped:
        toc.append(("skipped", "Skipped documents", []))
        sections.append("<h2 id='skipped'>Skipped documents</h2><ul>" + "".join(
            f"<li>{_e(s['file'])}: {_e(s['reason'])}</li>" for s in skipped) + "</ul>")
    if charts:
        toc.append(("charts", "Charts", [(c, _CHART_TITLES.get(c, c)) for c in charts]))
        sections.append("<h2 id='charts'>Charts</h2>")
    for div_id in charts:
        picker = _diff_selector(diff_options) if div_id == "chart-diff" else ""
        sections.append(f"<h3 id='{_e(div_id)}-h'>{_e(_CHART_TITLES.get(div_id, div_id))}</h3>{picker}"
                        f"<div class='chart' id='{_e(div_id)}'></div>")
    diff = t["diff"]
    if not diff.empty:
        keys = ["comparison", "doc_a", "doc_b"] + [c for c in ("year_a", "year_b", "crosses_gap") if c in diff.columns]
        summary = diff.groupby(keys + ["status"]).size().unstack(fill_value=0).reset_index()
        evidence, parts = _evidence_section(result, diff)
        toc.append(("changes", "Changes", []))
        toc.append(("evidence", "Evidence", parts))
        sections.append("<h2 id='changes'>Changes</h2>" + _folded(
            f"status counts of all {len(summary)} pairs", frame_to_html(summary, limit=500), len(summary)))
        if "crosses_gap" in diff.columns and diff["crosses_gap"].any():
            # A pair across missing years is several years of change: say so where it is read.
            gaps = diff[diff["crosses_gap"]].drop_duplicates(["doc_a", "doc_b"])
            sections.append("<p class='cite'>⚠ pairs across missing years (their changes are not one year's): "
                            + "; ".join(f"{_e(r.doc_a)} → {_e(r.doc_b)} ({int(r.year_a)} → {int(r.year_b)}, "
                                        f"{int(r.gap_years)} year(s) without a document)" for r in records(gaps))
                            + "</p>")
        sections.append("<h2 id='evidence'>Evidence</h2><p class='cite'>By kind of document, then pair (the most "
                        "significant changes first: sum of G²), then status; within a status by G².</p>" + evidence)
    comp = t["target_comparison"]
    notes: Any = result.provenance.get("notes") or []
    if not comp.empty:
        toc.append(("targets", "Targets against the parent", []))
        per_indicator = comp.groupby(["indicator_id", "status"]).size().unstack(fill_value=0).reset_index()
        # Escalated and lowered first: they are what a reader of 层层加码 looks for.
        rank = {"escalated": 0, "lowered": 1}
        ordered = comp.assign(_r=comp["status"].map(lambda v: rank.get(v, 2))).sort_values(
            ["_r", "indicator_id", "doc_child"], kind="stable")
        sections.append("<h2 id='targets'>Targets against the parent (层层加码)</h2>" + "".join(
            f"<p class='note'>Note: {_e(n)}</p>" for n in notes) + frame_to_html(per_indicator)
                        + _folded(f"all {len(comp)} comparisons, escalated and lowered first", frame_to_html(
                            ordered, ["doc_child", "region", "indicator_id", "parent_year", "value_parent", "qualifier_parent",
                                      "value_child", "qualifier_child", "status", "reason"], limit=5000),
                                  len(comp)))
    prev = t.get("target_previous")
    if prev is not None and not prev.empty:
        toc.append(("targets-previous", "Targets against the previous year", []))
        sections.append("<h2 id='targets-previous'>Targets against the previous year</h2>"
                        "<p>Each document's own targets against the same issuer's previous document "
                        "(escalated / equal / lowered; cell: previous → this year).</p>"
                        + frame_to_html(previous_status_table(prev), limit=200))
    al = t["alignment"]
    if not al.empty:
        share = al.groupby(["doc_a", "doc_b", "status"]).size().unstack(fill_value=0).reset_index()
        toc.append(("alignment", "Passage alignment", []))
        sections.append("<h2 id='alignment'>Passage alignment</h2>" + _folded(
            f"sentences of all {len(share)} pairs by status", frame_to_html(share, limit=500), len(share)))
    formulations = formulations_section(result)
    if formulations:
        toc.append(("new-formulations", "New formulations", []))
        sections.append(formulations)
    toc.append(("provenance", "Provenance", []))
    sections.append("<h2 id='provenance'>Provenance</h2><div class='prov'>" +
                    _e(json.dumps({k: v for k, v in result.provenance.items() if k != "documents"},
                                  ensure_ascii=False, indent=2, default=str)) + "</div>")
    body.append("<nav class='toc'><ul>" + "".join(
        f"<li><a href='#{_e(a)}'>{_e(title)}</a>"
        + ("<ul>" + "".join(f"<li><a href='#{_e(x)}{'-h' if x.startswith('chart-') else ''}'>{_e(y)}</a></li>"
                            for x, y in sub) + "</ul>" if sub else "") + "</li>"
        for a, title, sub in toc) + "</ul></nav>")
    body.extend(sections)
    return render_html_page(f"plantrace: {result.name}", "".join(body), charts=charts,
                            js_bundle=_javascript_bundle(vlc))


def previous_status_table(prev: pd.DataFrame) -> pd.DataFrame:
    """One row per region and year, one column per indicator: ``status (previous → this)``.

    >>> prev = pd.DataFrame({"region": ["江西省"], "year": [2026], "parent_year": [2025],
    ...     "indicator_id": ["gdp_growth"], "value_parent": [5.0], "value_high_parent": [None],
    ...     "qualifier_parent": ["左右"], "value_child": [5.0], "value_high_child": [5.5],
    ...     "qualifier_child": [""], "status": ["escalated"]})
    >>> previous_status_table(prev).to_dict("records")
    [{'region': '江西省', 'years': '2025→2026', 'gdp_growth': 'escalated (5左右 → 5–5.5)'}]
    """
    def fmt(v: Any, h: Any, q: Any) -> str:
        core = f"{float(v):g}" + (f"–{float(h):g}" if h is not None and not pd.isna(h) else "")
        return core + (str(q) if isinstance(q, str) else "")

    cells = prev.assign(
        years=[f"{p}→{c}" for p, c in zip(prev["parent_year"], prev["year"])],
        cell=[f"{st} ({fmt(vp, hp, qp)} → {fmt(vc, hc, qc)})" for st, vp, hp, qp, vc, hc, qc in zip(
            prev["status"], prev["value_parent"], prev["value_high_parent"], prev["qualifier_parent"],
            prev["value_child"], prev["value_high_child"], prev["qualifier_child"])])
    table = cells.pivot_table(index=["region", "years"], columns="indicator_id", values="cell",
                              aggfunc="first").reset_index()
    table.columns.name = None
    # The headline indicator first, then the others alphabetically.
    first = [c for c in ("region", "years", "gdp_growth") if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]


def _javascript_bundle(vlc: Any) -> str:
    """vl-convert's offline Vega/Vega-Lite bundle (its stub wants an argument it does not need)."""
    bundle: str = vlc.javascript_bundle()
    return bundle
