"""Reporting: the only module that prints (rich tables and progress bars).

Everything here takes data the API computed and shows it; nothing is computed
that a notebook user could not get from the API.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..frames import records

if TYPE_CHECKING:
    from ..corpus import Corpus, Document
    from .pipeline import ReportResult

console = Console()


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


def print_corpus_table(frame: pd.DataFrame, skipped: Sequence[tuple[str, str]] = ()) -> None:
    table = Table(title=f"{len(frame)} documents", show_lines=False)
    cols = [("doc_id", "doc_id"), ("level", "level"), ("region", "region"), ("year", "year"),
            ("doc_type", "type"), ("encoding", "encoding"), ("script_used", "script"),
            ("chars", "chars"), ("front_chars", "front"), ("body_chars", "body"),
            ("back_chars", "back"), ("duplicate_chars", "duplicate"), ("headings", "headings"),
            ("sentences", "sentences")]
    for key, label in cols:
        numeric = pd.api.types.is_numeric_dtype(frame[key]) and key != "year"
        table.add_column(label, justify="right" if numeric else "left", no_wrap=key == "doc_id")
    for _, row in frame.iterrows():
        table.add_row(*(f"{row[k]:,}" if isinstance(row[k], int) and k != "year" else str(row[k])
                        for k, _ in cols))
    console.print(table)
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


def print_frame(frame: pd.DataFrame, *, title: str = "", limit: int | None = 40) -> None:
    """Any result table as a rich table (the first ``limit`` rows)."""
    table = Table(title=title)
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    shown = frame if limit is None else frame.head(limit)
    for row in shown.itertuples(index=False):
        table.add_row(*("" if v is None or (isinstance(v, float) and v != v) else
                        (f"{v:,.4g}" if isinstance(v, float) else str(v)) for v in row))
    console.print(table)
    if limit is not None and len(frame) > limit:
        console.print(f"[dim]… {len(frame) - limit:,} more rows (use --out FILE for all)[/]")


STATUS_STYLE = {"added": ("green", "＋"), "dropped": ("red", "－"), "escalated": ("bold magenta", "↑"),
                "softened": ("cyan", "↓"), "steady": ("dim", "·")}


def _short(text: str, n: int = 48) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


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
        table = Table(title=f"{a} → {b}  ({summary})", show_lines=False)
        for col in ("", "concept", "A", "B", "reason", "evidence"):
            table.add_column(col, overflow="fold")
        order = {s: i for i, s in enumerate(STATUS_STYLE)}
        part = part.assign(_o=part["status"].map(order)).sort_values(["_o", "rate_b"], ascending=[True, False])
        if not show_steady:
            part = part[part["status"] != "steady"]
        for r in records(part.head(limit_per_pair)):
            style, arrow = STATUS_STYLE[r.status]
            evidence = r.evidence_b if r.status != "dropped" else r.evidence_a
            table.add_row(f"[{style}]{arrow} {r.status}[/]", f"{r.label}", f"{r.count_a}", f"{r.count_b}",
                          _short(r.reasons, 60), _short(evidence))
        console.print(table)
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
    table = Table(title=f"Top {top} concepts per document (mentions per 10k body characters)")
    table.add_column("doc_id", no_wrap=True)
    table.add_column("concepts", overflow="fold")
    for doc_id, part in counts.groupby("doc_id", sort=False):
        best = part.sort_values(["count", "concept_id"], ascending=[False, True]).head(top)
        table.add_row(str(doc_id), "  ".join(f"{r.label} {r.count} ({r.rate_per_10k:.1f})" for r in records(best)))
    console.print(table)


def print_target_comparison(comparison: pd.DataFrame, indicator: str = "gdp_growth") -> None:
    part = comparison[comparison["indicator_id"] == indicator]
    if part.empty:
        return
    table = Table(title=f"Targets against the parent: {indicator} (层层加码)")
    for col in ("child", "region", "parent", "child target", "status"):
        table.add_column(col, overflow="fold")
    for r in records(part.sort_values(["value_child", "region"], ascending=[False, True])):
        style, arrow = {"escalated": ("bold magenta", "↑"), "lowered": ("cyan", "↓")}.get(r.status, ("dim", "＝"))
        table.add_row(str(r.doc_child), str(r.region), f"{r.value_parent:g} {r.qualifier_parent}",
                      f"{r.value_child:g} {r.qualifier_child}", f"[{style}]{arrow} {r.status}[/]")
    console.print(table)


def print_report(result: ReportResult) -> None:
    """The terminal report of the main job."""
    t = result.tables
    print_corpus_table(t["documents"], result.corpus.skipped)
    print_top_concepts(t["counts"])
    print_diff(t["diff"], limit_per_pair=12)
    print_target_comparison(t["target_comparison"])
    prov = result.provenance
    console.print(f"[dim]plantrace {prov['plantrace_version']} · lexicon {prov.get('lexicon')} "
                  f"sha256 {str(prov.get('lexicon_sha256'))[:12]} · {prov.get('segmenter_model')}[/]")


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
        table = Table(title=f"{a} → {b}  ({summary})" + (f"  parent of B: {parent}" if parent else ""))
        for col in ("", "formulation", "kind", "A", "B", "G²", "from parent", "concept", "evidence"):
            table.add_column(col, overflow="fold")
        shown = part[part["status"].isin(list(statuses))]
        for r in records(shown.groupby("status", sort=False).head(top)):
            style, arrow = FORMULATION_STATUS_STYLE[r.status]
            taken = "" if r.taken_up_from_parent is None or r.taken_up_from_parent != r.taken_up_from_parent \
                else ("yes" if r.taken_up_from_parent else "no")
            if parent == a and r.status == "new":
                taken = "(=A)"  # A is B's parent: a new formulation is never in it
            table.add_row(f"[{style}]{arrow} {r.status}[/]", str(r.formulation), str(r.kind), f"{r.count_a}",
                          f"{r.count_b}", f"{r.g2:.1f}", taken, str(r.concept_id or ""),
                          _around(str(r.evidence_sentence), str(r.formulation), 60))
        console.print(table)
        more = len(shown) - len(shown.groupby("status", sort=False).head(top))
        if more > 0:
            console.print(f"[dim]… {more} more (use --top N, or --out FILE for all)[/]")


def print_formulations(frame: pd.DataFrame, *, top: int = 15) -> None:
    """Formulations per document (``Corpus.formulations``): the ``top`` most frequent of each."""
    if frame.empty:
        console.print("[yellow]no formulations found[/]")
        return
    for doc_id, part in frame.groupby("doc_id", sort=False):
        table = Table(title=f"{doc_id}  ({len(part)} formulations)")
        for col in ("formulation", "kind", "count", "concept", "first sentence"):
            table.add_column(col, overflow="fold")
        for r in records(part.sort_values(["count", "first_start"], ascending=[False, True]).head(top)):
            table.add_row(str(r.formulation), str(r.kind), f"{r.count}", str(r.concept_id or ""),
                          _around(str(r.first_sentence), str(r.formulation), 60))
        console.print(table)
