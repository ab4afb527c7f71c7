"""The main job: one pass from corpus folders to every table the report shows.

``run_report`` loads the corpora once and computes counts, mentions, diffs (by
level and by year wherever the manifests allow), targets with their comparison
against the parent level and against the same issuer's previous document, and sentence alignment of every compared pair, calling the
same :class:`~plantrace.corpus.Corpus` methods as the CLI and the notebooks. Writing
files is :func:`plantrace.report.outputs.write_report`'s job.

>>> result = run_report(["corpora/chengdu"])
>>> sorted(result.tables)
['alignment', 'counts', 'diff', 'documents', 'formulation_changes', 'formulations', 'mentions', 'rejected', 'target_comparison', 'target_previous', 'targets']
>>> int(result.tables["diff"].query("concept_id == 'headquarters_economy' and doc_b == 'qingyang_2021_plan_outline'")["count_b"].iloc[0])
21
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from ..compare.pairs import pairs_by_level, pairs_by_year
from ..compare.profile import default_intensity
from ..compare.targets.tables import default_indicators, missing_parent_note
from ..concepts.lexicon import Lexicon, load_lexicons
from ..corpus import Corpus, load_corpus
from ..engine.load import StoreOption
from ..engine.runner import Runner
from ..ingest.read import DEFAULT_MAX_BYTES
from ..measure.provenance import provenance

#: A step callback: (step name, done, total) — the CLI draws it as a progress bar.
StepFn = Callable[[str, int, int], None]


@dataclass
class ReportResult:
    corpus: Corpus
    lexicon: Lexicon
    tables: dict[str, pd.DataFrame]
    pairs: dict[str, list[tuple[str, str]]]
    provenance: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.corpus.name


def _align_all(corpus: Corpus, pairs: Sequence[tuple[str, str]], step: StepFn | None) -> pd.DataFrame:
    frames = []
    for i, (a, b) in enumerate(pairs):
        if step:
            step("align", i, len(pairs))
        frames.append(corpus.align(a, b))
    if step:
        step("align", len(pairs), len(pairs))
    if not frames:
        return pd.DataFrame(columns=["doc_a", "doc_b", "b_index", "a_index", "score", "status",
                                     "text_a", "text_b", "sentence_id_a", "sentence_id_b"])
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {}
    return out


def _formulations_all(corpus: Corpus, lexicon: Lexicon, all_pairs: Sequence[tuple[str, tuple[str, str]]],
                      step: StepFn | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Formulations of every document and their changes over the report's pairs (the
    per-document frames are computed once and reused by every pair through the cache)."""
    if step:
        step("formulations", 0, 1)
    formulations = corpus.formulations(lexicon)  # every document once; the pairs reuse them
    if step:
        step("formulations", 1, 1)
    frames = []
    for kind, (a, b) in all_pairs:
        f = corpus.compare_formulations(a, b, lexicon=lexicon)
        f.insert(0, "comparison", kind)
        frames.append(f)
    frames = [f for f in frames if not f.empty]
    changes = pd.concat(frames, ignore_index=True) if frames else \
        corpus.formulation_changes(pairs=[], lexicon=lexicon).assign(comparison=pd.Series(dtype="str"))
    if changes.columns[0] != "comparison":
        changes = changes[["comparison", *[c for c in changes.columns if c != "comparison"]]]
    return formulations, changes


def run_report(paths: Sequence[str | Path] | Corpus, *, lexicons: Sequence[str | Path] | None = None,
               skip_bad: bool = False, progress: Callable[[str, int, int], None] | None = None,
               step: StepFn | None = None, store: StoreOption = None,
               runner: Runner | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ReportResult:
    """Compute everything the report shows. ``progress`` follows document loading,
    ``step`` the analysis steps."""
    corpus = paths if isinstance(paths, Corpus) else load_corpus(list(paths), skip_bad=skip_bad, progress=progress,
                                                                 store=store, runner=runner, max_bytes=max_bytes)
    lexicon = load_lexicons(lexicons)
    corpus.match(lexicon, progress=(lambda d, i, n: step("match", i, n)) if step else None)
    if step:
        step("intensity", 0, 1)
    corpus.intensity(lexicon)
    counts = corpus.counts(lexicon)
    result_match = corpus.match(lexicon)
    pairs = {"level": pairs_by_level(corpus), "year": pairs_by_year(corpus)}
    diffs = []
    all_pairs = [("level", p) for p in pairs["level"]] + [("year", p) for p in pairs["year"]]
    for i, (kind, (a, b)) in enumerate(all_pairs):
        if step:
            step("diff", i, len(all_pairs))
        d = corpus.diff(pair=(a, b), lexicon=lexicon)
        d.insert(0, "comparison", kind)
        diffs.append(d)
    diff = pd.concat(diffs, ignore_index=True) if diffs else corpus.diff(pair=None, by="level", lexicon=lexicon)
    if "comparison" not in diff.columns:
        diff.insert(0, "comparison", pd.Series(dtype="str"))
    if step:
        step("targets", 0, 1)
    targets = corpus.targets()
    comparison = corpus.compare_targets()
    previous = corpus.compare_targets(against="previous")
    note = missing_parent_note(corpus.missing_parent_year())
    unique_pairs = list(dict.fromkeys(p for _, p in all_pairs))
    alignment = _align_all(corpus, unique_pairs, step)
    formulations, formulation_changes = _formulations_all(corpus, lexicon, all_pairs, step)
    whole = corpus.provenance()
    prov = provenance(corpus, lexicon, intensity_sha256=default_intensity().sha256,
                      indicators_sha256=default_indicators().sha256,
                      documents=whole["documents"], skipped=whole["skipped"])
    # Said in the report page and the codebook, never left to the reader to discover.
    prov["notes"] = [f"target_comparison: {note}"] if note else []
    tables = {
        "documents": corpus.to_frame(),
        "counts": counts,
        "mentions": result_match.mentions,
        "rejected": result_match.rejected,
        "diff": diff,
        "targets": targets,
        "target_comparison": comparison,
        "target_previous": previous,
        "alignment": alignment,
        "formulations": formulations,
        "formulation_changes": formulation_changes,
    }
    for t in tables.values():
        t.attrs = {}  # the report's provenance is recorded once, in the codebook
    return ReportResult(corpus, lexicon, tables, pairs, prov)
