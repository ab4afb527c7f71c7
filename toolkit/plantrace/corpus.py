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
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, TypeAlias

import pandas as pd

from . import nlp
from .concepts.intensity import IntensityLexicon, load_intensity
from .concepts.lexicon import Lexicon, load_lexicon
from .concepts.segment import WORKER_SETUP
from .engine.collection import DocumentSet
from .engine.load import ProgressFn, StoreOption, load_documents
from .engine.runner import Runner, make_runner
from .errors import PlantraceError, Problem, ValidationError
from .ingest.read import DEFAULT_MAX_BYTES
from .measure.counts import corpus_counts, corpus_kwic
from .measure.matching import MatchResult, corpus_mentions, corpus_rejected, match_corpus
from .structure.document import Document
from .structure.zones import ZoneRules
from .text.normalise import NormaliserConfig

if TYPE_CHECKING:
    from .compare.diff import DiffRule
    from .compare.targets.indicators import IndicatorLexicon

__all__ = ["Corpus", "Document", "LexiconLike", "corpus_from_frame", "load_corpus"]

# The compare stage and word tables are imported by the methods that use them: a
# `plantrace count` never needs them, and they cost about a tenth of a second to import.

#: A lexicon argument: a loaded :class:`Lexicon`, or the path of a YAML/CSV lexicon file.
LexiconLike = Lexicon | str | Path | None
IntensityLike = IntensityLexicon | str | Path | None
IndicatorsLike: TypeAlias = "IndicatorLexicon | str | Path | None"


def _lexicon(lexicon: LexiconLike) -> Lexicon | None:
    """A loaded lexicon from a path (``"my.csv"``, ``Path("my.yaml")``) or a lexicon."""
    return load_lexicon(lexicon) if isinstance(lexicon, (str, Path)) else lexicon


def _intensity(intensity: IntensityLike) -> IntensityLexicon | None:
    return load_intensity(intensity) if isinstance(intensity, (str, Path)) else intensity


def _indicators(indicators: IndicatorsLike) -> IndicatorLexicon | None:
    from .compare.targets.indicators import load_indicators
    return load_indicators(indicators) if isinstance(indicators, (str, Path)) else indicators


@dataclass(repr=False)
class Corpus(DocumentSet):
    """Documents from one or more corpus folders, in manifest order, with the analyses.

    Every argument named ``lexicon`` (``intensity``, ``indicators``) takes a loaded
    lexicon or the path of its file.
    """

    def match(self, lexicon: LexiconLike = None,
              progress: ProgressFn | None = None) -> MatchResult:
        """Mentions and rejected candidates of a lexicon (see :func:`plantrace.measure.matching.match_corpus`)."""
        return match_corpus(self, _lexicon(lexicon), progress=progress)

    def counts(self, lexicon: LexiconLike = None, *, zeros: bool = False, metadata: bool = True,
               wide: bool = False, value: str = "count") -> pd.DataFrame:
        """Concept counts per document; ``wide=True``: a document × concept matrix (a dfm)
        of ``value`` (see :func:`plantrace.measure.counts.corpus_counts`)."""
        return corpus_counts(self, _lexicon(lexicon), zeros=zeros, metadata=metadata, wide=wide, value=value)

    def mentions(self, lexicon: LexiconLike = None) -> pd.DataFrame:
        return corpus_mentions(self, _lexicon(lexicon))

    def rejected(self, lexicon: LexiconLike = None) -> pd.DataFrame:
        return corpus_rejected(self, _lexicon(lexicon))

    def kwic(self, term: str, window: int = 20, lexicon: LexiconLike = None, *,
             zone: str | None = "body", literal: bool = False) -> pd.DataFrame:
        """Keywords in context; an ascii term that is no concept id and occurs nowhere raises.
        ``attrs["query"]`` says what the term expanded to; ``literal=True`` searches it as typed."""
        return corpus_kwic(self, term, window=window, lexicon=_lexicon(lexicon), zone=zone, literal=literal)

    def words(self, top: int | None = 50, *, stopwords: Iterable[str] | None = None,
              lexicon: LexiconLike = None, keep_concepts: bool = True, per_document: bool = False) -> pd.DataFrame:
        from .measure.words import corpus_words
        return corpus_words(self, top=top, stopwords=stopwords, lexicon=_lexicon(lexicon), keep_concepts=keep_concepts,
                            per_document=per_document)

    def keyness(self, target: str | Mapping[str, object], *, measure: str = "lr",
                stopwords: Iterable[str] | None = None, lexicon: LexiconLike = None,
                min_count: int = 2) -> pd.DataFrame:
        from .measure.words import corpus_keyness
        return corpus_keyness(self, target, measure=measure, stopwords=stopwords, lexicon=_lexicon(lexicon),
                              min_count=min_count)

    def intensity(self, lexicon: LexiconLike = None, intensity: IntensityLike = None) -> pd.DataFrame:
        """Body mentions with their commitment intensity."""
        from .compare.profile import corpus_intensity
        return corpus_intensity(self, _lexicon(lexicon), _intensity(intensity))

    def diff(self, by: str | None = "level", pair: tuple[str, str] | None = None, *,
             lexicon: LexiconLike = None, intensity: IntensityLike = None,
             rule: DiffRule | None = None, statuses: Sequence[str] | None = None,
             max_gap: int | None = None) -> pd.DataFrame:
        """Concept changes (see :func:`plantrace.compare.diff.corpus_diff`); ``max_gap``
        leaves out pairs more than that many years apart."""
        from .compare.diff import corpus_diff
        return corpus_diff(self, by=by, pair=pair, lexicon=_lexicon(lexicon), intensity=_intensity(intensity), rule=rule,
                           statuses=statuses, max_gap=max_gap)

    def formulations(self, lexicon: LexiconLike = None, *, doc_ids: Sequence[str] | None = None,
                     kinds: Sequence[str] | None = None, **options: Any) -> pd.DataFrame:
        """Formulations (提法) per document: quoted, numbered and compound candidates with
        count, first sentence and the lexicon concept (see :mod:`plantrace.compare.formulations`)."""
        from .compare.formulations import corpus_formulations
        return corpus_formulations(self, _lexicon(lexicon), doc_ids=doc_ids, kinds=kinds, **options)

    def compare_formulations(self, a: str, b: str, *, lexicon: LexiconLike = None,
                             statuses: Sequence[str] | None = None, **options: Any) -> pd.DataFrame:
        """Formulations new in B, kept and dropped against A (parent: B's parent document)."""
        from .compare.formulations import corpus_formulation_changes
        return corpus_formulation_changes(self, pair=(a, b), lexicon=_lexicon(lexicon), statuses=statuses, **options)

    def formulation_changes(self, by: str | None = "level", pair: tuple[str, str] | None = None, *,
                            pairs: Sequence[tuple[str, str]] | None = None, lexicon: LexiconLike = None,
                            statuses: Sequence[str] | None = None, **options: Any) -> pd.DataFrame:
        """:meth:`compare_formulations` for a pair, a list of pairs or every pair ``by`` year or level."""
        from .compare.formulations import corpus_formulation_changes
        return corpus_formulation_changes(self, by=by, pair=pair, pairs=pairs, lexicon=_lexicon(lexicon),
                                          statuses=statuses, **options)

    def targets(self, indicators: IndicatorsLike = None, *, kinds: Sequence[str] | None = None,
                indicator: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Numeric targets, achievements and forecasts of every document."""
        from .compare.targets.tables import corpus_targets
        return corpus_targets(self, _indicators(indicators), kinds=kinds, indicator=indicator)

    def compare_targets(self, indicators: IndicatorsLike = None, *,
                        indicator: str | Sequence[str] | None = None,
                        against: str = "parent") -> pd.DataFrame:
        """层层加码: each document's own targets against its parent document's
        (``against="parent"``) or the same issuer's previous document (``"previous"``),
        with ``parent_year`` and ``years_apart``."""
        from .compare.targets.tables import corpus_compare_targets
        return corpus_compare_targets(self, _indicators(indicators), indicator=indicator, against=against)

    def missing_parent_year(self) -> pd.DataFrame:
        """Documents whose parent level has no document of their year (compared with an
        earlier parent document instead)."""
        from .compare.targets.tables import missing_parent_year
        return missing_parent_year(self)

    def align(self, a: str, b: str, **kw: Any) -> pd.DataFrame:
        from .compare.reuse import corpus_align
        return corpus_align(self, a, b, **kw)

    def reuse_share(self, a: str, b: str) -> float:
        """Share of B's body characters in sentences copied or rewritten from A."""
        from .compare.reuse import corpus_reuse_share
        return corpus_reuse_share(self, a, b)

    def trajectory(self, concepts: Sequence[str], by: str = "year", *,
                   lexicon: LexiconLike = None) -> pd.DataFrame:
        from .compare.trajectory import corpus_trajectory
        return corpus_trajectory(self, concepts, by=by, lexicon=_lexicon(lexicon))

    def suggest_aliases(self, lexicon: Lexicon | str | Path, *, min_score: float = 75.0,
                        min_len: int = 4) -> pd.DataFrame:
        """Variants of existing aliases that occur in the bodies but not in the lexicon."""
        from .concepts.suggest import corpus_suggest_aliases
        return corpus_suggest_aliases(self, load_lexicon(lexicon) if isinstance(lexicon, (str, Path)) else lexicon,
                                      min_score=min_score, min_len=min_len)

    def to_spacy(self, doc_id: str, lexicon: LexiconLike = None, *, zone: str | None = "body") -> Any:
        """A spaCy ``Doc`` of one document (see :mod:`plantrace.nlp`)."""
        return nlp.document_to_spacy(self[doc_id], _lexicon(lexicon), zone=zone)


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


def _cell(value: object) -> str:
    """A frame value as manifest text: 2021.0 → '2021', NaN/None → ''."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def corpus_from_frame(
    data: pd.DataFrame | Sequence[Mapping[str, object]],
    *,
    text: str = "text",
    doc_id: str = "doc_id",
    name: str = "frame",
    columns: Mapping[str, str] | None = None,
    config: NormaliserConfig | None = None,
    zone_rules: ZoneRules | None = None,
    store: StoreOption = False,
    jobs: int | None = 1,
) -> Corpus:
    """A corpus from documents that already sit in pandas (or a list of dicts): one row
    per document, the text in column ``text``, the manifest's columns (level, region,
    year; parent_region, doc_type, title … as you have them) under their own names or
    renamed with ``columns={"level": "admin_level"}``. Every other column is a docvar.
    Without a ``doc_id`` column the ids are doc0001, doc0002 … The rows are validated as
    a manifest is (every problem at once, named by row position, from 0). The texts are kept
    unchanged (written to a temporary folder that is the corpus's path).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["各位代表：建设公园城市。", "推进乡村振兴，建设公园城市。"],
    ...                    "level": ["city", "district"], "region": ["成都市", "成都市青羊区"],
    ...                    "parent_region": ["四川省", "成都市"], "year": [2021, 2022], "leader": ["王", "李"]})
    >>> corpus = corpus_from_frame(df)
    >>> corpus
    <Corpus 'frame': 2 documents, 2021-2022; city, district; docvars: leader>
    >>> corpus.counts().query("concept_id == 'park_city'")[["doc_id", "count", "leader"]].to_dict("records")
    [{'doc_id': 'doc0001', 'count': 1, 'leader': '王'}, {'doc_id': 'doc0002', 'count': 1, 'leader': '李'}]
    """
    import csv
    import tempfile

    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))
    frame = frame.rename(columns={v: k for k, v in (columns or {}).items()})
    if text not in frame.columns:
        raise PlantraceError(f"no text column {text!r} in the frame (columns: {', '.join(map(str, frame.columns))})",
                             hint="pass text='COLUMN' naming the column that holds each document's text")
    if doc_id != "doc_id":
        frame = frame.rename(columns={doc_id: "doc_id"})
    if "doc_id" not in frame.columns:
        frame = frame.assign(doc_id=[f"doc{i + 1:04d}" for i in range(len(frame))])
    missing = [c for c in ("level", "region", "year") if c not in frame.columns]
    if missing:
        raise PlantraceError(f"the frame lacks the column(s) {', '.join(missing)}",
                             hint="add them, or map yours with columns={'level': 'YOUR_COLUMN', …}")
    if frame.empty:
        raise PlantraceError("the frame has no rows", hint="give one row per document")
    root = Path(tempfile.mkdtemp(prefix="plantrace-frame-")) / name
    root.mkdir()
    meta_cols = ["doc_id", "file", *[str(c) for c in frame.columns if c not in ("doc_id", text, "file")]]
    with open(root / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(meta_cols)
        for i, row in enumerate(frame.to_dict("records")):
            ident = _cell(row["doc_id"])
            file = f"{i + 1:05d}.txt"
            (root / file).write_text(_cell(row[text]), encoding="utf-8")
            writer.writerow([ident, file, *(_cell(row[c]) for c in meta_cols[2:])])
    try:
        return load_corpus(root, config=config, zone_rules=zone_rules, store=store, jobs=jobs)
    except ValidationError as exc:
        raise ValidationError("the frame", [Problem(None, f"row {p.line - 2 if p.line else '?'}: {p.message}", p.hint)
                                            for p in exc.problems]) from None
    except PlantraceError as exc:
        raise PlantraceError(exc.message.replace(str(root), "the frame"),
                             file=(exc.file or "").replace(str(root), "the frame") or None,
                             hint=exc.hint) from None
