"""Reporting: the only module that prints (rich tables and progress bars).

Everything here takes data the API computed and shows it; nothing is computed
that a notebook user could not get from the API.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Literal, Sequence

import pandas as pd
from rich.cells import cell_len
from rich.console import Console
from rich.errors import MarkupError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ..frames import records

if TYPE_CHECKING:
    from ..corpus import Corpus, Document
    from .pipeline import ReportResult

console = Console()


# --- Tables that fit the terminal ----------------------------------------------------------
# A rich table squeezed below its columns' natural widths draws every cell as "…". Instead,
# columns are chosen in order of importance while they fit, long text columns wrap, long
# snake_case codes are abbreviated (with a legend), and what did not fit is named below.

_EDGE, _PER_COLUMN = 1, 3  # rich's default box: one left border; padding 2 + one border per column


@dataclass(frozen=True)
class Col:
    """One column of a fitted table: ``wrap`` columns may shrink to ``min_width`` and wrap."""
    key: str
    label: str = ""
    wrap: bool = False
    min_width: int = 12
    justify: Literal["left", "right"] = "left"
    whole: bool = False


def _fmt(v: object, key: str = "") -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int) and key != "year":
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.4g}"
    return str(v).replace("\n", " ")


def abbreviate(code: str) -> str:
    """A long snake_case code as its initials; short codes stay.

    >>> abbreviate("government_work_report"), abbreviate("npc_resolution_on_gwr"), abbreviate("city")
    ('GWR', 'NROG', 'city')
    """
    parts = code.split("_")
    if len(code) <= 12 or len(parts) < 2:
        return code
    return "".join(p[0] for p in parts if p).upper()


def stack_header(name: str, width: int) -> str:
    """A snake_case header over several lines, each at most ``width`` cells where the
    parts allow, so a column of short numbers is not as wide as its name.

    >>> stack_header("rate_per_10k", 6).splitlines()
    ['rate_', 'per_', '10k']
    >>> stack_header("count", 3)
    'count'
    """
    lines: list[str] = []
    for part in name.split("_"):
        if lines and cell_len(lines[-1]) + 1 + cell_len(part) <= width:
            lines[-1] += "_" + part
        else:
            if lines:
                lines[-1] += "_"
            lines.append(part)
    return "\n".join(lines)


def _visible_len(cell: str) -> int:
    """Width on screen: rich markup such as ``[green]…[/]`` takes no room."""
    if "[" not in cell:
        return cell_len(cell)
    try:
        return Text.from_markup(cell).cell_len
    except MarkupError:
        return cell_len(cell)


def fit_table(cells: dict[str, list[str]], cols: Sequence[Col], *, width: int, title: str = "",
              priority: Sequence[str] | None = None) -> tuple[Table, list[str]]:
    """A rich table of the columns that fit ``width``; returns it and the labels left out.

    ``priority`` orders the columns by importance (default: their order); the table
    keeps the display order of ``cols``.
    """
    def head(c: Col) -> int:
        return max(cell_len(line) for line in (c.label or c.key).split("\n"))

    natural = {c.key: max([head(c)] + [_visible_len(x) for x in cells[c.key]]) for c in cols}
    need = {c.key: min(natural[c.key], max(c.min_width, head(c))) if c.wrap
            else natural[c.key] for c in cols}
    by_key = {c.key: c for c in cols}
    order = list(priority or []) + [c.key for c in cols if c.key not in (priority or [])]
    chosen: set[str] = set()
    used = _EDGE
    for key in order:
        if key not in by_key:
            continue
        # A ``whole`` column (an id folded over two lines is hard to read) stays whole if it can.
        for w in ((natural[key], need[key]) if by_key[key].whole else (need[key],)):
            if used + w + _PER_COLUMN <= width:
                chosen.add(key)
                need[key] = w
                used += w + _PER_COLUMN
                break
    if not chosen and cols:  # not even one column fits: show the first, wrapped to the width
        chosen.add(order[0])
        need[order[0]] = max(1, width - _EDGE - _PER_COLUMN)
    shown = [c for c in cols if c.key in chosen]
    # Widths are set here, not left to rich: squeezed by rich, cells become "…". Each
    # column starts at what it needs; the room left is shared among the wrapped ones.
    widths = {c.key: need[c.key] for c in shown}
    spare = width - _EDGE - sum(widths[c.key] + _PER_COLUMN for c in shown)
    growing = [c.key for c in sorted(shown, key=lambda c: order.index(c.key)) if c.wrap]
    while spare > 0 and growing:  # one cell at a time, round the wrapped columns
        for key in list(growing):
            if spare == 0:
                break
            if widths[key] >= natural[key]:
                growing.remove(key)
                continue
            widths[key] += 1
            spare -= 1
    table = Table(title=title or None)
    for c in shown:
        table.add_column(c.label or c.key, justify=c.justify, width=widths[c.key],
                         overflow="fold" if c.wrap else "ellipsis", no_wrap=not c.wrap)
    n = len(next(iter(cells.values()))) if cells else 0
    for i in range(n):
        table.add_row(*(cells[c.key][i] for c in shown))
    return table, [(c.label or c.key).replace("\n", "") for c in cols if c.key not in chosen]


def _print_fitted(table: Table, left_out: Sequence[str], legend: dict[str, str] | None = None) -> None:
    console.print(table)
    if legend:
        console.print("[dim]" + " · ".join(f"{k} = {v}" for k, v in legend.items()) + "[/]")
    if left_out:
        console.print(f"[dim]not shown at {console.width} columns: {', '.join(left_out)} "
                      "(widen the terminal, or use --json / --out for every column)[/]")


def _abbreviated(values: list[str], legend: dict[str, str]) -> list[str]:
    out = []
    for v in values:
        a = abbreviate(v)
        if a != v:
            legend[a] = v
        out.append(a)
    return out


@contextmanager
def progress_loader(quiet: bool = False, label: str = "Loading documents") -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress callback for :func:`plantrace.load_corpus` drawn as a rich bar."""
    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        # No bar when stderr is a file or a pipe (CI logs): it would only leave blank lines.
        yield None
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[doc]}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(label, total=None, doc="")

        def update(doc_id: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, doc=doc_id)

        yield update


@contextmanager
def step_progress(quiet: bool = False) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress callback for the analysis steps of the main job (match, diff, align)."""
    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)  # type: ignore[arg-type]

        yield update


#: The corpus table's columns, and the order in which they give way when the terminal is narrow.
_CORPUS_COLS = [Col("doc_id", wrap=True, min_width=16, whole=True), Col("level"), Col("region", wrap=True, min_width=6),
                Col("year"), Col("doc_type", "type"), Col("encoding"), Col("script_used", "script"),
                Col("chars", justify="right"), Col("front_chars", "front", justify="right"),
                Col("body_chars", "body", justify="right"), Col("back_chars", "back", justify="right"),
                Col("duplicate_chars", "duplicate", justify="right"), Col("headings", justify="right"), Col("sentences", justify="right")]
_CORPUS_PRIORITY = ["doc_id", "year", "level", "doc_type", "body_chars", "region", "script_used", "front_chars",
                    "back_chars", "duplicate_chars", "chars", "sentences", "headings", "encoding"]


def print_corpus_table(frame: pd.DataFrame, skipped: Sequence[tuple[str, str]] = ()) -> None:
    legend: dict[str, str] = {}
    cells = {c.key: [_fmt(v, c.key) for v in frame[c.key].tolist()] for c in _CORPUS_COLS}
    cells["doc_type"] = _abbreviated(cells["doc_type"], legend)
    table, left_out = fit_table(cells, _CORPUS_COLS, width=console.width, title=f"{len(frame)} documents",
                                priority=_CORPUS_PRIORITY)
    _print_fitted(table, left_out, legend)
    for file, why in skipped:
        console.print(f"[yellow]skipped[/] {file}: {why}")


def print_explanation(docs: Sequence["Document"]) -> None:
    for d in docs:
        table = Table(title=f"{d.doc_id}: normalisation ({d.encoding}, script {d.config.script}, "
                            f"rejoin_lines {d.config.rejoin_lines})")
        table.add_column("step")
        table.add_column("changes", justify="right")
        table.add_column("chars removed", justify="right")
        table.add_column("examples (original → replacement, in context)")
        for r in d.explanation:
            ex = "  ".join(f"{a.replace(chr(10), '⏎')} → {b.replace(chr(10), '⏎') or '∅'} ({c})" for a, b, c in r.examples[:3])
            table.add_row(r.step, f"{r.changes:,}", f"{r.chars_removed:,}", ex)
        console.print(table)
        zt = Table(title=f"{d.doc_id}: zones")
        for c in ("zone", "chars", "raw lines", "why", "starts with"):
            zt.add_column(c)
        for z in d.zones:
            snippet = d.text[z.start:z.end].strip()[:30].replace("\n", " ⏎ ")
            zt.add_row(z.name, f"{z.end - z.start:,}", raw_lines(d, z.start, z.end), z.why, snippet)
        console.print(zt)
        dups = [z for z in d.zones if z.name == "duplicate"]
        if dups:
            console.print(f"{len(dups)} duplicate zone(s), {d.zone_sizes()['duplicate']:,} non-whitespace "
                          "characters: repeated copies, counted nowhere (mentions, targets, KWIC, words); "
                          "why names the 1-based lines of normalised text they copy:")
            for z in dups:
                console.print(f"  raw lines {raw_lines(d, z.start, z.end)}: {z.why} of the normalised text"
                              f"{copied_raw_lines(d, z.why)}")


def copied_raw_lines(doc: "Document", why: str) -> str:
    """``, raw lines N-M`` for a duplicate zone's ``repeats lines N-M`` (normalised lines)."""
    m = re.fullmatch(r"repeats lines (\d+)-(\d+)", why)
    if not m:
        return ""
    lines = doc.text.split("\n")
    first, last = int(m.group(1)) - 1, int(m.group(2)) - 1
    if not 0 <= first <= last < len(lines):
        return ""
    start = sum(len(x) + 1 for x in lines[:first])
    end = sum(len(x) + 1 for x in lines[:last]) + len(lines[last])
    return f" (raw lines {raw_lines(doc, start, end)})"


def raw_lines(doc: "Document", start: int, end: int) -> str:
    """The 1-based raw-file lines a normalised span comes from, as ``N-M``."""
    first, last = doc.raw_lines(start, end)
    return f"{first}-{last}" if last > first else str(first)


def print_overview(corpus: "Corpus") -> None:
    """The corpus part of the main report."""
    frame = corpus.to_frame()
    print_corpus_table(frame, corpus.skipped)
    removed = corpus.explain_frame().groupby("step", sort=False)["changes"].sum()
    table = Table(title="Normalisation across the corpus")
    table.add_column("step")
    table.add_column("changes", justify="right")
    for step, n in removed.items():
        table.add_row(str(step), f"{int(n):,}")
    console.print(table)
    prov = corpus.provenance()
    console.print(f"[dim]plantrace {prov['plantrace_version']} · manifests "
                  + ", ".join(f"{k} {v[:12]}" for k, v in corpus.manifest_hashes.items()) + "[/]")


def print_frame(frame: pd.DataFrame, *, title: str = "", limit: int | None = 40,
                priority: Sequence[str] | None = None) -> None:
    """Any result table as a rich table (the first ``limit`` rows) fitted to the terminal:
    text columns longer than 16 cells wrap, and columns that still do not fit are named."""
    shown = frame if limit is None else frame.head(limit)
    cells = {str(c): [_fmt(v, str(c)) for v in shown[c].tolist()] for c in frame.columns}
    cols = []
    for c in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[c])
        widest = max((cell_len(x) for x in cells[str(c)]), default=0)
        cols.append(Col(str(c), stack_header(str(c), max(widest, 5)), justify="right" if numeric else "left",
                        wrap=not numeric and widest > 12))
    # Columns with nothing to show (value_high of point targets) give way first.
    empty = [str(c) for c in frame.columns if not any(cells[str(c)])]
    ranked = [k for k in (priority or [str(c) for c in frame.columns]) if k not in empty]
    # The most important column (an id, usually) stays whole if it takes at most 2/5 of the width.
    if ranked and max((cell_len(x) for x in cells[ranked[0]]), default=0) <= console.width * 2 // 5:
        cols = [Col(c.key, c.label, c.wrap, c.min_width, c.justify, whole=c.key == ranked[0]) for c in cols]
    table, left_out = fit_table(cells, cols, width=console.width, title=title,
                                priority=ranked + [k for k in cells if k not in ranked and k not in empty] + empty)
    _print_fitted(table, left_out)
    if limit is not None and len(frame) > limit:
        console.print(f"[dim]… {len(frame) - limit:,} more rows (use --out FILE for all)[/]")


STATUS_STYLE = {"added": ("green", "＋"), "dropped": ("red", "－"), "escalated": ("bold magenta", "↑"),
                "softened": ("cyan", "↓"), "steady": ("dim", "·")}


def _short(text: str, n: int = 48) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


_DIFF_COLS = [Col("status", "", min_width=11), Col("concept", wrap=True, min_width=8),
              Col("A", justify="right"), Col("B", justify="right"), Col("reason", wrap=True, min_width=14),
              Col("evidence", wrap=True, min_width=14)]


def print_diff(frame: pd.DataFrame, *, limit_per_pair: int = 25, show_steady: bool = False) -> None:
    """The change table: status in colour with an arrow, the reason and an evidence excerpt.
    A pair across missing years says so above its table: its changes are several years'."""
    skipped = frame.attrs.get("skipped_pairs") or []
    if skipped:
        console.print(f"[dim]{len(skipped)} pair(s) more than --max-gap years apart left out: "
                      + ", ".join(f"{a} → {b}" for a, b in skipped[:5]) + (" …" if len(skipped) > 5 else "") + "[/]")
    if frame.empty:
        console.print("[yellow]no pairs to compare[/]")
        return
    for (a, b), part in frame.groupby(["doc_a", "doc_b"], sort=False):
        counts = part["status"].value_counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUS_STYLE)
        first = part.iloc[0]
        if "crosses_gap" in part.columns and bool(first["crosses_gap"]):
            console.print(f"[bold yellow]⚠ {a} → {b} crosses {int(first['gap_years'])} missing year(s) "
                          f"({int(first['year_a'])} → {int(first['year_b'])}): these are "
                          f"{int(first['years_apart'])} years of change, not one (--max-gap 1 leaves it out)[/]")
        order = {s: i for i, s in enumerate(STATUS_STYLE)}
        part = part.assign(_o=part["status"].map(order)).sort_values(["_o", "rate_b"], ascending=[True, False])
        if not show_steady:
            part = part[part["status"] != "steady"]
        rows = records(part.head(limit_per_pair))
        cells: dict[str, list[str]] = {c.key: [] for c in _DIFF_COLS}
        for r in rows:
            style, arrow = STATUS_STYLE[r.status]
            cells["status"].append(f"[{style}]{arrow} {r.status}[/]")
            cells["concept"].append(f"{r.label}")
            cells["A"].append(f"{r.count_a}")
            cells["B"].append(f"{r.count_b}")
            cells["reason"].append(_short(r.reasons, 60))
            cells["evidence"].append(_short(r.evidence_b if r.status != "dropped" else r.evidence_a))
        # The markup of the status cell is not printed: measure it without.
        table, left_out = fit_table(cells, _DIFF_COLS, width=console.width, title=f"{a} → {b}  ({summary})",
                                    priority=["status", "concept", "A", "B", "evidence", "reason"])
        _print_fitted(table, left_out)
        if len(part) > limit_per_pair:
            console.print(f"[dim]… {len(part) - limit_per_pair} more changes (use --out diff.csv for all)[/]")


def print_alignment(frame: pd.DataFrame, share: float) -> None:
    counts = frame["status"].value_counts()
    console.print(f"[bold]{share:.1%}[/] of B's characters are reused from A · " +
                  ", ".join(f"{n} {s}" for s, n in counts.items()))
    table = Table(show_lines=True)
    for col in ("status", "score", "A", "B"):
        table.add_column(col, overflow="fold")
    shown = frame[frame["status"].isin(["copied", "rewritten"])].head(15)
    for r in records(shown):
        table.add_row(r.status, f"{r.score:.0f}", _short(r.text_a, 60), _short(r.text_b, 60))
    console.print(table)


def print_top_concepts(counts: pd.DataFrame, *, top: int = 5) -> None:
    cells: dict[str, list[str]] = {"doc_id": [], "concepts": []}
    for doc_id, part in counts.groupby("doc_id", sort=False):
        best = part.sort_values(["count", "concept_id"], ascending=[False, True]).head(top)
        cells["doc_id"].append(str(doc_id))
        cells["concepts"].append("  ".join(f"{r.label} {r.count} ({r.rate_per_10k:.1f})" for r in records(best)))
    table, left_out = fit_table(cells, [Col("doc_id", wrap=True, min_width=16), Col("concepts", wrap=True, min_width=30)],
                                width=console.width,
                                title=f"Top {top} concepts per document (mentions per 10k body characters)")
    _print_fitted(table, left_out)


def print_target_comparison(comparison: pd.DataFrame, indicator: str = "gdp_growth") -> None:
    part = comparison[comparison["indicator_id"] == indicator]
    if part.empty:
        return
    cells: dict[str, list[str]] = {"child": [], "region": [], "parent": [], "target": [], "status": []}
    for r in records(part.sort_values(["value_child", "region"], ascending=[False, True])):
        style, arrow = {"escalated": ("bold magenta", "↑"), "lowered": ("cyan", "↓")}.get(r.status, ("dim", "＝"))
        cells["child"].append(str(r.doc_child))
        cells["region"].append(str(r.region))
        cells["parent"].append(f"{r.value_parent:g} {r.qualifier_parent}")
        cells["target"].append(f"{r.value_child:g} {r.qualifier_child}")
        cells["status"].append(f"[{style}]{arrow} {r.status}[/]")
    table, left_out = fit_table(
        cells, [Col("child", wrap=True, min_width=14), Col("region", wrap=True, min_width=6),
                Col("parent", wrap=True, min_width=8), Col("target", "child target", wrap=True, min_width=8),
                Col("status")],
        width=console.width, title=f"Targets against the parent: {indicator} (层层加码)",
        priority=["region", "status", "target", "parent", "child"])
    _print_fitted(table, left_out)


def _year_span(years: pd.Series) -> str:
    ys = sorted({int(y) for y in years.dropna()})
    if not ys:
        return ""
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}-{ys[-1]} ({len(ys)})"


def print_report_summary(result: ReportResult, *, out: Path | None = None, files: int | None = None) -> None:
    """One screen after the main job: what was read, the largest changes, targets, problems, files.

    The full tables are :func:`print_report_tables` (``plantrace report --verbose``).
    """
    t = result.tables
    docs, diff = t["documents"], t["diff"]
    width = console.width
    console.print(f"[bold]plantrace report[/] · {result.name} · {len(docs):,} documents")
    # Documents by level, year and type.
    legend: dict[str, str] = {}
    cells: dict[str, list[str]] = {"level": [], "n": [], "years": [], "types": []}
    for level, part in docs.groupby("level", sort=False):
        types = part["doc_type"].value_counts()
        cells["level"].append(str(level))
        cells["n"].append(f"{len(part):,}")
        cells["years"].append(_year_span(part["year"]))
        cells["types"].append(", ".join(f"{n} {a}" for a, n in zip(_abbreviated([str(x) for x in types.index], legend),
                                                                    types.tolist())))
    table, left_out = fit_table(cells, [Col("level"), Col("n", "docs", justify="right"), Col("years"),
                                        Col("types", wrap=True)], width=width, title="Documents")
    _print_fitted(table, left_out, legend)
    # The largest changes per kind of pair: the most significant (G²) non-steady rows.
    if not diff.empty:
        moved = diff[diff["status"] != "steady"]
        for kind, part in diff.groupby("comparison", sort=False):
            n_pairs = len(part[["doc_a", "doc_b"]].drop_duplicates())
            counts = part["status"].value_counts()
            line = ", ".join(f"{counts.get(s, 0):,} {s}" for s in STATUS_STYLE if s != "steady")
            top = moved[moved["comparison"] == kind].sort_values("g2", ascending=False).head(3)
            cells = {"status": [], "concept": [], "pair": [], "AB": []}
            for r in records(top):
                style, arrow = STATUS_STYLE[r.status]
                cells["status"].append(f"[{style}]{arrow} {r.status}[/]")
                cells["concept"].append(str(r.label))
                cells["pair"].append(f"{r.doc_a} → {r.doc_b}")
                cells["AB"].append(f"{r.count_a} → {r.count_b}")
            table, left_out = fit_table(
                cells, [Col("status", ""), Col("concept", wrap=True, min_width=8),
                        Col("pair", wrap=True, min_width=20), Col("AB", "count A → B", justify="right")],
                width=width, title=f"By {kind}: {n_pairs:,} pairs · {line}",
                priority=["status", "concept", "pair", "AB"])
            _print_fitted(table, left_out)
    # Targets escalated or lowered against the parent document (层层加码).
    comp = t["target_comparison"]
    if not comp.empty:
        counts = comp["status"].value_counts()
        console.print("[bold]Targets against the parent[/]: " + ", ".join(
            f"{n:,} {s}" for s, n in counts.items()) + f" ({comp['indicator_id'].nunique()} indicators)")
        gdp = comp[(comp["indicator_id"] == "gdp_growth") & comp["status"].isin(["escalated", "lowered"])]
        year_of = dict(zip(docs["doc_id"], docs["year"]))
        for status in ("escalated", "lowered"):
            part = gdp[gdp["status"] == status].sort_values("value_child", ascending=status == "lowered")
            if not part.empty:
                style, arrow = {"escalated": ("bold magenta", "↑"), "lowered": ("cyan", "↓")}[status]
                listed = ", ".join(f"{r.region} {year_of.get(r.doc_child, '')}: {r.value_child:g}"
                                   for r in records(part.head(6)))
                more = f" +{len(part) - 6}" if len(part) > 6 else ""
                console.print(f"  [{style}]{arrow} gdp_growth {status}[/] ({len(part)}): {listed}{more}")
    # Skipped or flagged documents: nothing is left out silently.
    skipped = list(result.corpus.skipped)
    for file, why in skipped:
        console.print(f"[yellow]skipped[/] {file}: {why}")
    replaced: object = result.provenance.get("replaced_invalid_bytes") or []
    for item in replaced if isinstance(replaced, list) else []:
        console.print(f"[yellow]flagged[/] {item.get('file')}: {item.get('count')} invalid bytes replaced")
    counts_t = t["counts"]
    silent = sorted(set(docs["doc_id"]) - set(counts_t.loc[counts_t["count"] > 0, "doc_id"])) if not counts_t.empty else []
    if silent:
        console.print(f"[yellow]flagged[/] no concept found in {len(silent)} document(s): " + ", ".join(silent[:6])
                      + (" …" if len(silent) > 6 else ""))
    if not skipped and not silent:
        console.print("[dim]no document skipped or flagged[/]")
    if out is not None:
        written = f"wrote {files:,} files to {out}/ · " if files is not None else ""
        page = out / "report.html"
        console.print(written + (f"open [bold]{page}[/]" if page.exists() else "tables and codebook.md (no page)"))
    console.print("[dim]--verbose prints every table · the CSVs and codebook.md hold everything[/]")


def print_report_tables(result: ReportResult) -> None:
    """The full terminal tables of the main job (``plantrace report --verbose``)."""
    t = result.tables
    print_corpus_table(t["documents"], result.corpus.skipped)
    print_top_concepts(t["counts"])
    print_diff(t["diff"], limit_per_pair=12)
    print_target_comparison(t["target_comparison"])
    prov = result.provenance
    console.print(f"[dim]plantrace {prov['plantrace_version']} · lexicon {prov.get('lexicon')} "
                  f"sha256 {str(prov.get('lexicon_sha256'))[:12]} · {prov.get('segmenter_model')}[/]")


def print_report(result: ReportResult, *, verbose: bool = False, out: Path | None = None,
                 files: int | None = None) -> None:
    """The terminal report of the main job: a one-screen summary, or every table with ``verbose``."""
    if verbose:
        print_report_tables(result)
    print_report_summary(result, out=out, files=files)


FORMULATION_STATUS_STYLE = {"new": ("green", "＋"), "kept": ("dim", "·"), "dropped": ("red", "－")}


def _around(sentence: str, needle: str, n: int = 60) -> str:
    """About ``n`` characters of ``sentence`` centred on ``needle`` (… where cut)."""
    sentence = (sentence or "").replace("\n", " ")
    at = sentence.find(needle)
    if len(sentence) <= n or at < 0:
        return _short(sentence, n)
    lo = max(0, min(at - (n - len(needle)) // 2, len(sentence) - n))
    hi = min(len(sentence), lo + n)
    return ("…" if lo > 0 else "") + sentence[lo:hi] + ("…" if hi < len(sentence) else "")


def _print_rows(title: str, cols: Sequence[Col], rows: Sequence[tuple[str, ...]], *,
                priority: Sequence[str] | None = None) -> None:
    """Rows of strings (one per ``cols``) as a table fitted to the terminal."""
    cells = {c.key: [row[k] for row in rows] for k, c in enumerate(cols)}
    table, left_out = fit_table(cells, cols, width=console.width, title=title, priority=priority)
    _print_fitted(table, left_out)


_FORMULATION_CHANGE_COLS = [Col("status", ""), Col("formulation", wrap=True, min_width=8), Col("kind"),
                            Col("A", justify="right"), Col("B", justify="right"), Col("G2", "G²", justify="right"),
                            Col("taken", "from parent"), Col("concept", wrap=True, min_width=10),
                            Col("evidence", wrap=True, min_width=16)]
_FORMULATION_COLS = [Col("formulation", wrap=True, min_width=8), Col("kind"), Col("count", justify="right"),
                     Col("concept", wrap=True, min_width=10), Col("sentence", "first sentence", wrap=True, min_width=16)]


def print_formulation_changes(frame: pd.DataFrame, *, top: int = 15, statuses: Sequence[str] = ("new",)) -> None:
    """Formulations per pair (``Corpus.formulation_changes``): the first ``top`` rows of each
    shown status (new by G² descending), counts in A and B, G², taken up from the parent,
    the concept and the evidence sentence."""
    if frame.empty:
        console.print("[yellow]no pairs to compare[/]")
        return
    for (a, b), part in frame.groupby(["doc_a", "doc_b"], sort=False):
        counts = part["status"].value_counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in FORMULATION_STATUS_STYLE)
        parent = str(part["parent"].iloc[0] or "")
        title = f"{a} → {b}  ({summary})" + (f"  parent of B: {parent}" if parent else "")
        rows: list[tuple[str, ...]] = []
        shown = part[part["status"].isin(list(statuses))]
        for r in records(shown.groupby("status", sort=False).head(top)):
            style, arrow = FORMULATION_STATUS_STYLE[r.status]
            taken = "" if r.taken_up_from_parent is None or r.taken_up_from_parent != r.taken_up_from_parent \
                else ("yes" if r.taken_up_from_parent else "no")
            if parent == a and r.status == "new":
                taken = "(=A)"  # A is B's parent: a new formulation is never in it
            rows.append((f"[{style}]{arrow} {r.status}[/]", str(r.formulation), str(r.kind), f"{r.count_a}",
                          f"{r.count_b}", f"{r.g2:.1f}", taken, str(r.concept_id or ""),
                          _around(str(r.evidence_sentence), str(r.formulation), 60)))
        _print_rows(title, _FORMULATION_CHANGE_COLS, rows,
                    priority=["status", "formulation", "B", "evidence", "G2", "A", "taken", "kind", "concept"])
        more = len(shown) - len(shown.groupby("status", sort=False).head(top))
        if more > 0:
            console.print(f"[dim]… {more} more (use --top N, or --out FILE for all)[/]")


def print_formulations(frame: pd.DataFrame, *, top: int = 15) -> None:
    """Formulations per document (``Corpus.formulations``): the ``top`` most frequent of each."""
    if frame.empty:
        console.print("[yellow]no formulations found[/]")
        return
    for doc_id, part in frame.groupby("doc_id", sort=False):
        rows: list[tuple[str, ...]] = []
        for r in records(part.sort_values(["count", "first_start"], ascending=[False, True]).head(top)):
            rows.append((str(r.formulation), str(r.kind), f"{r.count}", str(r.concept_id or ""),
                          _around(str(r.first_sentence), str(r.formulation), 60)))
        _print_rows(f"{doc_id}  ({len(part)} formulations)", _FORMULATION_COLS, rows,
                    priority=["formulation", "count", "sentence", "kind", "concept"])
