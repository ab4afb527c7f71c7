"""Writing the main job's outputs: tables, codebook, charts and report.html.

Everything is written into a temporary folder next to the destination and moved
into place at the end, so an interrupted run leaves no half-written output; an
existing destination is replaced only with ``force``.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from ..errors import PlantraceError
from .charts import chart_diff, chart_heatmap, chart_spec, chart_targets, chart_trajectory, chart_xray, save_chart
from .codebook import codebook_json, codebook_markdown
from .guard import MARKER, MARKER_TEXT, check_output, check_writable, os_error
from .html import build_report_html
from .pipeline import ReportResult
from .tables import write_frame

if TYPE_CHECKING:
    import altair as alt

#: table name → file stem, in the order the codebook lists them.
REPORT_TABLES = {
    "documents": "documents", "counts": "counts", "mentions": "mentions", "rejected": "rejected",
    "diff": "diff", "targets": "targets", "target_comparison": "target_comparison",
    "target_previous": "target_previous", "alignment": "alignment",
    "formulations": "formulations", "formulation_changes": "formulation_changes",
}


#: Above this many documents the charts are chosen for a large corpus: panels by level and
#: type, the same-year family of parent and children, and the diff chart of a chosen pair.
LARGE_CORPUS = 30


def _same_year_level_pairs(result: ReportResult) -> list[tuple[str, str]]:
    """Level pairs whose parent document is of the child's year (each child against its
    actual parent); all level pairs when no pair is of one year."""
    year = dict(zip(result.tables["documents"]["doc_id"], result.tables["documents"]["year"]))
    pairs = result.pairs.get("level") or []
    same = [(a, b) for a, b in pairs if year.get(a) == year.get(b)]
    return same or list(pairs)


def _family(result: ReportResult, pairs: list[tuple[str, str]], *, latest: bool) -> pd.DataFrame:
    """The documents of these pairs (with exact body spans), or only the latest year's."""
    docs = result.tables["documents"]
    members = list(dict.fromkeys(d for p in pairs for d in p))
    if latest and pairs:
        year = dict(zip(docs["doc_id"], docs["year"]))
        last = max(year.get(b, 0) for _, b in pairs)
        members = list(dict.fromkeys(d for a, b in pairs if year.get(b) == last for d in (a, b)))
    frame = docs[docs["doc_id"].isin(members)].copy()
    spans = {d: result.corpus[d].body_span for d in frame["doc_id"]}
    frame["body_start"] = frame["doc_id"].map(lambda d: spans[d][0])
    frame["body_end"] = frame["doc_id"].map(lambda d: spans[d][1])
    return frame


def diff_pair_order(result: ReportResult) -> list[tuple[str, str, str]]:
    """Every compared pair as (comparison, doc_a, doc_b), the most changed first.

    "Most changed" is the sum of G² over the pair's non-steady concepts, so a 600-character
    resolution with one added mention does not outrank a report that doubles a concept.
    """
    diff = result.tables["diff"]
    if diff.empty:
        return []
    moved = diff[diff["status"] != "steady"]
    weight = moved.groupby(["comparison", "doc_a", "doc_b"])["g2"].sum()
    pairs = diff[["comparison", "doc_a", "doc_b"]].drop_duplicates()
    pairs = pairs.assign(_w=[float(weight.get((c, a, b), 0.0)) for c, a, b in pairs.itertuples(index=False)])
    pairs = pairs.sort_values("_w", ascending=False, kind="stable")
    return [(str(c), str(a), str(b)) for c, a, b, _ in pairs.itertuples(index=False)]


def diff_pair_specs(result: ReportResult, *, limit: int = 400) -> list[tuple[str, str, str, dict]]:
    """(comparison, doc_a, doc_b, Vega-Lite spec) of the diff chart of each pair, for the
    page's pair selector; the first is the one drawn when the page opens."""
    diff = result.tables["diff"]
    out = []
    for kind, a, b in diff_pair_order(result)[:limit]:
        part = diff[(diff["comparison"] == kind) & (diff["doc_a"] == a) & (diff["doc_b"] == b)]
        out.append((kind, a, b, chart_diff(part).to_dict(validate=False)))
    return out


def report_charts(result: ReportResult, *, top_concepts: int = 6) -> dict[str, "alt.TopLevelMixin"]:
    """The report's charts, keyed by file stem: heatmap, trajectory, x-ray, diff, targets.

    On a corpus of more than :data:`LARGE_CORPUS` documents the heatmap shows the top
    20 concepts in panels by level and document type, the level trajectory and the
    x-ray only the documents compared with their actual (same-year) parent — the x-ray
    the latest year's. The diff chart is of the most changed pair (the page has a selector).
    """
    t = result.tables
    counts, docs = t["counts"], t["documents"]
    charts: dict[str, alt.TopLevelMixin] = {}
    if counts.empty:
        return charts
    large = len(docs) > LARGE_CORPUS
    facet = [c for c in ("level", "doc_type") if c in docs.columns and docs[c].nunique() > 1]
    charts["heatmap"] = (chart_heatmap(counts, docs=docs, top=20, facet=facet or ["level"], step=14) if large
                         else chart_heatmap(counts, docs=docs))
    top = counts.groupby("concept_id")["count"].sum().sort_values(ascending=False).head(top_concepts).index.tolist()
    by: Literal["year", "level"] = "level" if result.pairs.get("level") else "year"
    level_pairs = _same_year_level_pairs(result) if by == "level" else []
    if large and level_pairs:
        # Averaging 72 national reports of 1954-2025 against the 2025 provinces says little:
        # the chart compares children with their own parent document.
        family = _family(result, level_pairs, latest=False)
        years = sorted({int(y) for y in family["year"].dropna()})
        span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        charts["trajectory"] = chart_trajectory(counts, top[:4], by=by, docs=family).properties(
            title=f"Concept rate down the levels, {span}: each child with its parent document")
        latest = _family(result, level_pairs, latest=True)
        # One thin line per document: 32 documents in 4 panels stay one screen tall.
        xray = chart_xray(t["mentions"], latest, top[:4], lexicon=result.lexicon, step=11)
        charts["xray"] = xray.properties(
            title=f"Lexical dispersion (body zone), {int(latest['year'].max())}: parent and children")
    else:
        charts["trajectory"] = chart_trajectory(counts, top[:4], by=by, docs=docs)
        charts["xray"] = chart_xray(t["mentions"], result.corpus, top[:4])
    diff = t["diff"]
    if not diff.empty:
        kind, a, b = diff_pair_order(result)[0]
        charts["diff"] = chart_diff(diff[(diff["comparison"] == kind) & (diff["doc_a"] == a) & (diff["doc_b"] == b)])
    comp = t["target_comparison"]
    if not comp.empty and (comp["indicator_id"] == "gdp_growth").any():
        charts["targets"] = chart_targets(comp, indicator="gdp_growth")
    return charts


def _remove_stale_staging(target: Path) -> None:
    """Remove what a killed run left: staging folders whose process no longer exists."""
    for folder in target.parent.glob(f".{glob.escape(target.name)}.*.*.partial"):
        try:
            pid = int(folder.name[len(target.name) + 2:].split(".", 1)[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # alive, another user's
            continue


def _write_table(frame: pd.DataFrame, folder: Path, stem: str, fmt: str, excel: bool) -> Path:
    """One table of the report, through the one table writer (:func:`write_frame`)."""
    return write_frame(frame, folder / f"{stem}.{fmt}", excel=excel, force=True)


def report_inputs(result: ReportResult) -> list[Path]:
    """What a report is made from: its corpus folders and lexicon files (never to be overwritten)."""
    inputs = [Path(p) for p in result.corpus.paths]
    for lex_path in str(getattr(result.lexicon, "path", "") or "").split(";"):
        if lex_path and not lex_path.startswith("<") and Path(lex_path).exists():
            inputs.append(Path(lex_path))
    return inputs


def write_report(result: ReportResult, out_dir: str | Path, *, fmt: str = "csv", excel: bool = False,
                 force: bool = False, charts: bool = True, html: bool = True,
                 inputs: list[Path] | None = None) -> list[Path]:
    """Write every table, the codebook (.md and .json), charts (.png, .svg) and report.html.

    The folder may not be, contain or lie inside an input; ``force`` replaces only a
    folder plantrace wrote (marked by a ``.plantrace-output`` file)."""
    if fmt not in ("csv", "parquet"):
        raise PlantraceError(f"unknown format {fmt!r}", hint="use --format csv or --format parquet")
    target = Path(out_dir)
    check_output(target, report_inputs(result) + list(inputs or []), folder=True, force=force)
    check_writable(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlantraceError(f"cannot create the output folder ({exc.strerror})", file=str(target.parent),
                             hint="choose a writable --out folder") from exc
    _remove_stale_staging(target)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".partial",
                                        dir=target.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it owner-only; the output follows the umask
    except OSError as exc:
        raise os_error(exc, target.parent) from exc
    try:
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        written = []
        files = {}
        for name, stem in REPORT_TABLES.items():
            path = _write_table(result.tables[name], staging, stem, fmt, excel)
            files[name] = path.name
            written.append(path)
        (staging / "codebook.md").write_text(codebook_markdown(result.provenance, files, result.corpus.docvar_names), encoding="utf-8")
        (staging / "codebook.json").write_text(codebook_json(result.provenance, files, result.corpus.docvar_names), encoding="utf-8")
        specs: dict[str, dict] = {}
        if charts or html:
            built = report_charts(result)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # no CJK font: said once by the CLI
                for stem, chart in built.items():
                    specs[f"chart-{stem}"] = chart_spec(chart)
                    if charts:
                        (staging / "charts").mkdir(exist_ok=True)
                        save_chart(chart, staging / "charts" / f"{stem}.svg")
                        save_chart(chart, staging / "charts" / f"{stem}.png")
        if html:
            # The page's diff chart has a pair selector; every pair's spec is inline.
            options = diff_pair_specs(result)
            (staging / "report.html").write_text(build_report_html(result, specs, diff_options=options),
                                                 encoding="utf-8")
        # Swap into place: the old output (with --force) is removed only once the new one is complete.
        backup = None
        if target.exists():
            backup = target.with_name(f".{target.name}.{os.getpid()}.old")
            if backup.exists():
                shutil.rmtree(backup)
            target.rename(backup)
        staging.rename(target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise os_error(exc, target) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in target.rglob("*") if p.is_file() and p.name != MARKER)
