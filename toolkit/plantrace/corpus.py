"""The public façade: :class:`Corpus` (a :class:`~plantrace.engine.collection.DocumentSet`
with the analysis methods) and :func:`load_corpus`.

CLI, notebooks and ``plantrace report`` call these methods; each validates its
arguments (unknown concept, indicator, kind, status → :class:`PlantraceError` with the
fix) and returns a fresh DataFrame carrying ``attrs["provenance"]``.

>>> import plantrace
>>> corpus = plantrace.load_corpus("corpora/chengdu")
>>> doc = corpus["xindu_2021_signed_article"]
>>> doc.encoding, doc.config.script, "构建区域协同枢纽" in doc.text
('utf-8', 'traditional', True)
>>> s, e = doc.find("构建区域协同枢纽")
>>> doc.raw_span(s, e)
'構(gòu)建區(qū)域協(xié)同樞紐'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from . import nlp
from .compare.diff import DiffRule, corpus_diff
from .compare.formulations import corpus_formulation_changes, corpus_formulations
from .compare.profile import corpus_intensity
from .compare.reuse import corpus_align, corpus_reuse_share
from .compare.targets.indicators import IndicatorLexicon
from .compare.targets.tables import corpus_compare_targets, corpus_targets, missing_parent_year
from .compare.trajectory import corpus_trajectory
from .concepts.intensity import IntensityLexicon
from .concepts.lexicon import Lexicon
from .concepts.segment import WORKER_SETUP
from .concepts.suggest import corpus_suggest_aliases
from .engine.collection import DocumentSet
from .engine.load import ProgressFn, StoreOption, load_documents
from .engine.runner import Runner, make_runner
from .ingest.read import DEFAULT_MAX_BYTES
from .measure.counts import corpus_counts, corpus_kwic
from .measure.matching import MatchResult, corpus_mentions, corpus_rejected, match_corpus
from .measure.words import corpus_keyness, corpus_words
from .structure.document import Document
from .structure.zones import ZoneRules
from .text.normalise import NormaliserConfig

__all__ = ["Corpus", "Document", "load_corpus"]


@dataclass
class Corpus(DocumentSet):
    """Documents from one or more corpus folders, in manifest order, with the analyses."""

    def match(self, lexicon: Lexicon | None = None,
              progress: ProgressFn | None = None) -> MatchResult:
        """Mentions and rejected candidates of a lexicon (see :func:`plantrace.measure.matching.match_corpus`)."""
        return match_corpus(self, lexicon, progress=progress)

    def counts(self, lexicon: Lexicon | None = None, *, zeros: bool = False, metadata: bool = True) -> pd.DataFrame:
        """Concept counts per document (see :func:`plantrace.measure.counts.corpus_counts`)."""
        return corpus_counts(self, lexicon, zeros=zeros, metadata=metadata)

    def mentions(self, lexicon: Lexicon | None = None) -> pd.DataFrame:
        return corpus_mentions(self, lexicon)

    def rejected(self, lexicon: Lexicon | None = None) -> pd.DataFrame:
        return corpus_rejected(self, lexicon)

    def kwic(self, term: str, window: int = 20, lexicon: Lexicon | None = None, *,
             zone: str | None = "body") -> pd.DataFrame:
        """Keywords in context; an ascii term that is no concept id and occurs nowhere raises."""
        return corpus_kwic(self, term, window=window, lexicon=lexicon, zone=zone)

    def words(self, top: int | None = 50, *, stopwords: Iterable[str] | None = None,
              lexicon: Lexicon | None = None, keep_concepts: bool = True, per_document: bool = False) -> pd.DataFrame:
        return corpus_words(self, top=top, stopwords=stopwords, lexicon=lexicon, keep_concepts=keep_concepts,
                            per_document=per_document)

    def keyness(self, target: str | Mapping[str, object], *, measure: str = "lr",
                stopwords: Iterable[str] | None = None, lexicon: Lexicon | None = None,
                min_count: int = 2) -> pd.DataFrame:
        return corpus_keyness(self, target, measure=measure, stopwords=stopwords, lexicon=lexicon,
                              min_count=min_count)

    def intensity(self, lexicon: Lexicon | None = None, intensity: IntensityLexicon | None = None) -> pd.DataFrame:
        """Body mentions with their commitment intensity."""
        return corpus_intensity(self, lexicon, intensity)

    def diff(self, by: str | None = "level", pair: tuple[str, str] | None = None, *,
             lexicon: Lexicon | None = None, intensity: IntensityLexicon | None = None,
             rule: DiffRule | None = None, statuses: Sequence[str] | None = None,
             max_gap: int | None = None) -> pd.DataFrame:
        """Concept changes (see :func:`plantrace.compare.diff.corpus_diff`); ``max_gap``
        leaves out pairs more than that many years apart."""
        return corpus_diff(self, by=by, pair=pair, lexicon=lexicon, intensity=intensity, rule=rule,
                           statuses=statuses, max_gap=max_gap)

    def formulations(self, lexicon: Lexicon | None = None, *, doc_ids: Sequence[str] | None = None,
                     kinds: Sequence[str] | None = None, **options: Any) -> pd.DataFrame:
        """Formulations (提法) per document: quoted, numbered and compound candidates with
        count, first sentence and the lexicon concept (see :mod:`plantrace.compare.formulations`)."""
        return corpus_formulations(self, lexicon, doc_ids=doc_ids, kinds=kinds, **options)

    def compare_formulations(self, a: str, b: str, *, lexicon: Lexicon | None = None,
                             statuses: Sequence[str] | None = None, **options: Any) -> pd.DataFrame:
        """Formulations new in B, kept and dropped against A (parent: B's parent document)."""
        return corpus_formulation_changes(self, pair=(a, b), lexicon=lexicon, statuses=statuses, **options)

    def formulation_changes(self, by: str | None = "level", pair: tuple[str, str] | None = None, *,
                            pairs: Sequence[tuple[str, str]] | None = None, lexicon: Lexicon | None = None,
                            statuses: Sequence[str] | None = None, **options: Any) -> pd.DataFrame:
        """:meth:`compare_formulations` for a pair, a list of pairs or every pair ``by`` year or level."""
        return corpus_formulation_changes(self, by=by, pair=pair, pairs=pairs, lexicon=lexicon,
                                          statuses=statuses, **options)

    def targets(self, indicators: IndicatorLexicon | None = None, *, kinds: Sequence[str] | None = None,
                indicator: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Numeric targets, achievements and forecasts of every document."""
        return corpus_targets(self, indicators, kinds=kinds, indicator=indicator)

    def compare_targets(self, indicators: IndicatorLexicon | None = None, *,
                        indicator: str | Sequence[str] | None = None,
                        against: str = "parent") -> pd.DataFrame:
        """层层加码: each document's own targets against its parent document's
        (``against="parent"``) or the same issuer's previous document (``"previous"``),
        with ``parent_year`` and ``years_apart``."""
        return corpus_compare_targets(self, indicators, indicator=indicator, against=against)

    def missing_parent_year(self) -> pd.DataFrame:
        """Documents whose parent level has no document of their year (compared with an
        earlier parent document instead)."""
        return missing_parent_year(self)

    def align(self, a: str, b: str, **kw: Any) -> pd.DataFrame:
        return corpus_align(self, a, b, **kw)

    def reuse_share(self, a: str, b: str) -> float:
        """Share of B's body characters in sentences copied or rewritten from A."""
        return corpus_reuse_share(self, a, b)

    def trajectory(self, concepts: Sequence[str], by: str = "year", *,
                   lexicon: Lexicon | None = None) -> pd.DataFrame:
        return corpus_trajectory(self, concepts, by=by, lexicon=lexicon)

    def suggest_aliases(self, lexicon: Lexicon, *, min_score: float = 75.0, min_len: int = 4) -> pd.DataFrame:
        """Variants of existing aliases that occur in the bodies but not in the lexicon."""
        return corpus_suggest_aliases(self, lexicon, min_score=min_score, min_len=min_len)

    def to_spacy(self, doc_id: str, lexicon: Lexicon | None = None, *, zone: str | None = "body") -> Any:
        """A spaCy ``Doc`` of one document (see :mod:`plantrace.nlp`)."""
        return nlp.document_to_spacy(self[doc_id], lexicon, zone=zone)


def load_corpus(
    paths: str | Path | Sequence[str | Path],
    *,
    config: NormaliserConfig | None = None,
    zone_rules: ZoneRules | None = None,
    skip_bad: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressFn | None = None,
    store: StoreOption = None,
    jobs: int | None = 1,
    runner: Runner | None = None,
) -> Corpus:
    """Load one or more corpus folders (each with ``manifest.csv``) as one collection.

    Unreadable documents stop the load with every problem listed at once; with
    ``skip_bad`` they are left out and recorded in ``Corpus.skipped``. Processed
    documents are kept in a DuckDB store (default ``FIRST_CORPUS/.plantrace/store.duckdb``;
    a path, or ``store=False`` for none): an unchanged document is never normalised twice.
    Documents to process are spread over ``jobs`` local processes (None: one per core) or
    a :mod:`plantrace.engine.runner` runner (e.g. Dask) when there is enough work.
    """
    own_runner = runner is None
    run = make_runner(jobs, worker_setup=WORKER_SETUP) if runner is None else runner
    corpus = load_documents(paths, runner=run, into=Corpus, config=config, zone_rules=zone_rules,
                            skip_bad=skip_bad, max_bytes=max_bytes, progress=progress, store=store)
    corpus.owns_runner = own_runner
    return corpus
