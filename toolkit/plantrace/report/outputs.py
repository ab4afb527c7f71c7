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


def report_charts(result: ReportResult, *, top_concepts: int = 6) -> dict[str, "alt.TopLevelMixin"]:
    """The report's charts, keyed by file stem: heatmap, trajectory, x-ray, diff, targets."""
    t = result.tables
    counts, docs = t["counts"], t["documents"]
    charts: dict[str, alt.TopLevelMixin] = {}
    if counts.empty:
        return charts
    charts["heatmap"] = chart_heatmap(counts, docs=docs)
    top = counts.groupby("concept_id")["count"].sum().sort_values(ascending=False).head(top_concepts).index.tolist()
    by: Literal["year", "level"] = "level" if result.pairs.get("level") else "year"
    charts["trajectory"] = chart_trajectory(counts, top[:4], by=by, docs=docs)
    charts["xray"] = chart_xray(t["mentions"], result.corpus, top[:4])
    diff = t["diff"]
    if not diff.empty:
        first = diff[["doc_a", "doc_b"]].drop_duplicates().iloc[0]
        pair = diff[(diff["doc_a"] == first["doc_a"]) & (diff["doc_b"] == first["doc_b"])]
        charts["diff"] = chart_diff(pair)
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
        (staging / "codebook.md").write_text(codebook_markdown(result.provenance, files), encoding="utf-8")
        (staging / "codebook.json").write_text(codebook_json(result.provenance, files), encoding="utf-8")
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
            (staging / "report.html").write_text(build_report_html(result, specs), encoding="utf-8")
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
