"""Matching a lexicon over a document collection: mentions and rejected candidates.

Every number traces to sentences: a mention carries its normalised and raw
offsets, sentence id, heading path and zone. Results are DataFrames whose
``attrs["provenance"]`` records plantrace version, lexicon sha256, normaliser
config and segmenter model (:mod:`plantrace.measure.provenance`).
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from ..concepts.lexicon import Lexicon, default_lexicon
from ..concepts.match import Candidate, Matcher, find_alias, nested_concepts, resolve_candidates
from ..concepts.segment import LAZY_CHARS, clauses_setup, load_model, preload_clauses, take_new_clauses
from ..concepts.segment import stats as seg_stats
from ..engine.cache import CacheKey
from ..engine.collection import DocumentSet, add_docvars
from ..engine.memory import prefer_system_arrow_pool, release_freed_memory
from ..engine.runner import MAP_SLICE_CHARS, LocalRunner, MapDecision, WorkerSetup, slices_by_size, worth_parallel
from ..engine.store import Store, fresh_copy, match_code, match_key
from ..errors import PlantraceError
from ..structure.document import Document
from ..structure.structure import HEADING_SEP as HEADING_SEP  # re-exported by plantrace.measure
from .provenance import lexicon_key, with_provenance

MENTION_COLUMNS = ["doc_id", "concept_id", "alias", "start", "end", "raw_start", "raw_end",
                   "sentence_id", "heading_path", "zone", "in_heading"]
REJECTED_COLUMNS = MENTION_COLUMNS + ["reason"]


@dataclass(frozen=True)
class Mention:
    doc_id: str
    concept_id: str
    alias: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    sentence_id: int
    heading_path: str
    zone: str
    in_heading: bool
    reason: str | None = None


@dataclass
class MatchResult:
    """Mentions and rejected candidates of one lexicon over one corpus."""

    lexicon: Lexicon
    mentions: pd.DataFrame
    rejected: pd.DataFrame


#: Judged candidate: (concept_id, alias, start, end, reason), reason None when accepted.
Judged = tuple[str, str, int, int, "str | None"]
#: Reasons that are not a boundary verdict: nesting hides it, an exclusion replaces it.
_NOT_BOUNDARY = ("nested in ", "excluded by ")


@dataclass(frozen=True, eq=False)
class MentionRows:
    """One document's judged candidates and their mention rows, as columns
    (REJECTED_COLUMNS without doc_id).

    The corpus keeps them per document across lexicons: at the distinct 50× benchmark
    corpus some 700,000 rows, which as a tuple per row (and a tuple per judged candidate,
    and an int object per offset) took some 450 bytes each. Columns take about 60: offsets
    as int32 arrays, the strings shared (one object per alias, concept, reason, heading path).

    >>> rows = MentionRows.from_columns([("park", "公园城市", 3, 7, None)], [(3, 7)], [(0, "", "body", False)])
    >>> len(rows), rows.judged(), rows.to_columns("d1")["raw_end"].tolist()
    (1, [('park', '公园城市', 3, 7, None)], [7])
    """

    concept_id: tuple[str, ...]
    alias: tuple[str, ...]
    start: Any  # np.ndarray of int32, as the offsets below
    end: Any
    raw_start: Any
    raw_end: Any
    sentence_id: Any
    heading_path: tuple[str, ...]
    zone: tuple[str, ...]
    in_heading: Any  # np.ndarray of bool
    reason: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.concept_id)

    @classmethod
    def from_columns(cls, judged: list[Judged], raw: list[tuple[int, int]],
                     context: list[tuple[int, str, str, bool]]) -> "MentionRows":
        if not judged:
            return _NO_ROWS
        intern = sys.intern  # rows from a worker or the store bring their own copy of each string
        cid, alias, start, end, reason = zip(*judged)
        sid, path, zone, head = zip(*context)
        raw_start, raw_end = zip(*raw)
        return cls(tuple(map(intern, cid)), tuple(map(intern, alias)), _int32(start), _int32(end),
                   _int32(raw_start), _int32(raw_end), _int32(sid), path, tuple(map(intern, zone)),
                   np.array(head, dtype=bool), tuple(None if r is None else intern(r) for r in reason))

    def judged(self) -> list[Judged]:
        """The judged candidates, as the store and a worker give them."""
        return list(zip(self.concept_id, self.alias, self.start.tolist(), self.end.tolist(), self.reason))

    def boundary_verdicts(self) -> dict[tuple[int, int], str | None]:
        """(start, end) -> the boundary verdict, where the rows show it (not nested, not excluded)."""
        return {(s, e): r for s, e, r in zip(self.start.tolist(), self.end.tolist(), self.reason)
                if not (r or "").startswith(_NOT_BOUNDARY)}

    def to_columns(self, doc_id: str) -> dict[str, Any]:
        return {"doc_id": [doc_id] * len(self), **{c: getattr(self, c) for c in REJECTED_COLUMNS[1:]}}


def _int32(values: Iterable[int]) -> Any:
    # Offsets fit: a document is at most DEFAULT_MAX_BYTES (ingest.read) long.
    return np.fromiter(values, dtype=np.int32)


_NONE = np.zeros(0, np.int32)
_NO_ROWS = MentionRows((), (), _NONE, _NONE, _NONE, _NONE, _NONE, (), (), np.zeros(0, bool), ())


def _mentions_from(doc: Document, judged: list[Judged]) -> MentionRows:
    """Mention rows (raw offsets, sentence, heading path, zone) of judged candidates."""
    raw = doc.raw_offsets_many([(start, end) for _, _, start, end, _ in judged])
    return MentionRows.from_columns(judged, raw, [doc.mention_context(start) for _, _, start, _, _ in judged])


def _rows_frame(parts: list[tuple[str, MentionRows]], accepted: bool | None = None) -> pd.DataFrame:
    """One frame of many documents' rows, column by column: all of them (REJECTED_COLUMNS),
    or only the accepted ones (MENTION_COLUMNS) or only the rejected ones. Built apart,
    the two never sit beside a frame of both (0.15 GB at the distinct 50× corpus)."""
    chosen: list[tuple[str, MentionRows, Any]] = []
    for doc_id, rows in parts:
        if not len(rows):
            continue
        if accepted is None:
            chosen.append((doc_id, rows, None))
            continue
        keep = np.fromiter(((r is None) == accepted for r in rows.reason), dtype=bool, count=len(rows))
        if keep.all():
            chosen.append((doc_id, rows, None))
        elif keep.any():
            chosen.append((doc_id, rows, np.flatnonzero(keep)))
    names = MENTION_COLUMNS if accepted else REJECTED_COLUMNS
    if not chosen:
        return pd.DataFrame([], columns=names)  # object columns, as a frame of no rows always had
    columns: dict[str, Any] = {"doc_id": [d for d, r, at in chosen for _ in range(len(r) if at is None else len(at))]}
    for name in names[1:]:
        if name in ("start", "end", "raw_start", "raw_end", "sentence_id", "in_heading"):
            arrays = [getattr(r, name) if at is None else getattr(r, name)[at] for _, r, at in chosen]
            columns[name] = np.concatenate(arrays).astype(bool if name == "in_heading" else np.int64)
        else:
            columns[name] = [x for _, r, at in chosen
                             for x in (getattr(r, name) if at is None else [getattr(r, name)[i] for i in at.tolist()])]
    return pd.DataFrame(columns, columns=names)


def _as_rows(candidates: Iterable[Candidate]) -> list[tuple[str, str, int, int, str | None]]:
    return [(c.concept_id, c.alias, c.start, c.end, c.reason) for c in candidates]


def judge_document(doc: Document, matcher: Matcher) -> list[tuple[str, str, int, int, str | None]]:
    """Every candidate of one document with its verdict: (concept_id, alias, start, end, reason)."""
    return _as_rows(matcher.candidates_in(doc.text))


_matchers: dict[str, Matcher] = {}


#: Clause characters segmented per text character judged: 166 k of 2.40 M on the four
#: bundled corpora (2026-12-02).
_CLAUSE_SHARE = 0.07


#: Characters of documents to judge from scratch above which a run that judges them in
#: this process (serial, or below the pool's crossover) judges them in one helper process
#: instead: their clauses would pass LAZY_CHARS and load pkuseg's whole feature dict here,
#: some 680 MB held to the end of the process, on top of the documents. The helper loads
#: it and exits with it; what it costs is a process start and the texts pickled to it
#: (≈ 1-2 s, against the 2.4-2.8 s model load both ways). At the 1× bundled corpora
#: (2.4 M characters, 168 k of clauses) the lazy model does the work here, as before.
HELPER_CHARS = int(LAZY_CHARS / _CLAUSE_SHARE)


def _judge_setup(known: WorkerSetup | None, full: bool) -> None:
    """A judging map's setup in each worker: the clauses this process knows, and pkuseg's
    whole model when the worker's share of clauses is past LAZY_CHARS anyway (the lazy
    model segments 68 µs a character slower until it switches: ≈ 3.4 CPU-s a worker)."""
    if known is not None:
        fn, args = known
        fn(*args)
    if full:
        load_model()


def _judge_task(args: tuple[Lexicon, str]) -> tuple[list[Any], dict[str, tuple[str, ...]]]:
    """Judge one document's candidates in a worker; return them with the clauses used."""
    lexicon, text = args
    matcher = _matchers.get(lexicon.sha256)
    if matcher is None:
        matcher = _matchers[lexicon.sha256] = Matcher(lexicon)
    take_new_clauses()
    judged = _as_rows(matcher.candidates_in(text))
    return judged, take_new_clauses()


def match_document(doc: Document, matcher: Matcher) -> list[Mention]:
    """All candidates of one document, accepted (reason None) and rejected."""
    frame = _rows_frame([(doc.doc_id, _mentions_from(doc, judge_document(doc, matcher)))])
    return [Mention(*row) for row in frame.itertuples(index=False)] if len(frame) else []


#: One frozenset object per distinct set of scanned aliases, shared by the documents.
_scanned_sets: dict[frozenset[str], frozenset[str]] = {}


def _shared(aliases: Iterable[str]) -> frozenset[str]:
    new = frozenset(aliases)
    return _scanned_sets.setdefault(new, new)


@dataclass(eq=False)
class _DocMatchState:
    """What matching has learnt about one document, kept on the corpus across lexicons.

    A lexicon edit touches a few aliases, so a re-run scans only aliases never seen in
    this document, reuses boundary verdicts (they depend on the text alone), and reuses
    the resolved rows of a document whose alias hits did not change at all.
    """

    #: the aliases this document was scanned for (one set shared by the documents)
    scanned: frozenset[str] = frozenset()
    #: alias -> start offsets of its occurrences, for the scanned aliases that occur
    hits: dict[str, array[int]] = field(default_factory=dict)  # int32 arrays: 4 bytes an offset
    #: (start, end) -> boundary verdict the rows do not show (a candidate nested or excluded)
    hidden_verdicts: dict[tuple[int, int], str | None] = field(default_factory=dict)
    #: the (alias, concept_id, exclusions) that hit, with the rows they gave
    signature: tuple = ()
    rows: MentionRows | None = None

    def verdicts(self) -> dict[tuple[int, int], str | None]:
        """(start, end) -> boundary verdict, before overlaps are resolved, of every
        candidate judged so far."""
        known = self.rows.boundary_verdicts() if self.rows is not None else {}
        known.update(self.hidden_verdicts)
        return known

    def signature_for(self, triples: dict[str, tuple[str, str, tuple[str, ...]]]) -> tuple:
        """The (alias, concept_id, exclusions) of the aliases in ``triples`` (see
        :func:`alias_triples`) that occur in the document."""
        return tuple(sorted(triples[a] for a in self.hits if a in triples))

    @classmethod
    def from_judged(cls, doc: Document, aliases: dict[str, tuple[str, tuple[str, ...]]],
                    judged: list[Judged]) -> "_DocMatchState":
        """The state of a document judged elsewhere (the store, a worker process), with the
        alias table (:func:`alias_table`) it was judged with."""
        state = cls(scanned=_shared(aliases))
        found: dict[str, list[int]] = {}
        for _cid, alias, start, _end, _reason in judged:
            found.setdefault(alias, []).append(start)
        state.hits = {a: array("i", sorted(v)) for a, v in found.items() if a in aliases}
        state.signature = state.signature_for(alias_triples(aliases))
        state.rows = _mentions_from(doc, judged)
        return state


def alias_table(lexicon: Lexicon) -> dict[str, tuple[str, tuple[str, ...]]]:
    """alias -> (concept_id, exclusions): all that judging a candidate reads from a lexicon."""
    ex = lexicon.exclusions
    return {a: (cid, tuple(ex.get(a, ()))) for a, cid in lexicon.alias_index.items()}


#: alias_triples of the last alias tables (by identity): one set of triples for the
#: documents, as the signatures hold them.
_triples: dict[int, tuple[object, dict[str, tuple[str, str, tuple[str, ...]]]]] = {}


def alias_triples(aliases: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """alias -> (alias, concept_id, exclusions), the items of a document's signature."""
    known = _triples.get(id(aliases))
    if known is not None and known[0] is aliases:
        return known[1]
    triples = {a: (a, cid, ex) for a, (cid, ex) in aliases.items()}
    if len(_triples) >= 8:  # a run uses one or two tables (this lexicon's, the stored one's)
        _triples.clear()
    _triples[id(aliases)] = (aliases, triples)
    return triples


#: A document whose judging segmented more clause text than this (about 0.1 s of pkuseg)
#: is committed to the store on its own; cheaper ones are committed together.
_COMMIT_AFTER_CHARS = 2_000

#: Documents (nearly) free to judge again committed to the store together.
_COMMIT_DOCS = 1_000

#: Characters of documents sent to the workers (or the helper) at a time.
_MAP_CHARS = MAP_SLICE_CHARS

#: Above this many unseen aliases one automaton pass beats a str.find per alias.
_FIND_LIMIT = 12


def _judge_incrementally(doc: Document, lexicon: Lexicon, aliases: dict[str, tuple[str, tuple[str, ...]]],
                         matcher: "Callable[[], Matcher]", state: _DocMatchState) -> MentionRows:
    """The mention rows of one document, redoing only what the lexicon change requires
    (see :class:`_DocMatchState`); ``aliases`` is the lexicon's :func:`alias_table`."""
    unseen = [a for a in aliases if a not in state.scanned]
    if unseen:
        if len(unseen) > _FIND_LIMIT:
            found: dict[str, list[int]] = {}
            wanted = set(unseen)
            for start, _end, alias, _cid in matcher().raw_candidates(doc.text):
                if alias in wanted:
                    found.setdefault(alias, []).append(start)
            state.hits.update((a, array("i", v)) for a, v in found.items())
        else:
            for alias in unseen:
                starts = find_alias(doc.text, alias)
                if starts:
                    state.hits[alias] = array("i", starts)
        state.scanned = _shared(state.scanned.union(unseen))
    signature = state.signature_for(alias_triples(aliases))
    if state.rows is not None and signature == state.signature:
        return state.rows
    raw = [(st, st + len(a), a, cid) for a, cid, _ex in signature for st in state.hits[a]]
    verdicts = state.verdicts()

    def judge(text: str, start: int, end: int) -> str | None:
        key = (start, end)
        if key not in verdicts:
            verdicts[key] = matcher().judge(text, start, end)
        return verdicts[key]

    judged = _as_rows(resolve_candidates(doc.text, raw, judge, lexicon.exclusions))
    state.signature, state.rows = signature, _mentions_from(doc, judged)
    shown = state.rows.boundary_verdicts()
    state.hidden_verdicts = {k: v for k, v in verdicts.items() if k not in shown}
    return state.rows


def match_corpus(corpus: DocumentSet, lexicon: Lexicon | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> MatchResult:
    """Match a lexicon over every document once; cached on the corpus per lexicon hash, and
    in the corpus's store per (document, lexicon hash): an unchanged lexicon is never
    matched again, clauses segmented once are never segmented again, and after a lexicon
    edit only the edited aliases are scanned and only documents they touch re-resolved."""
    prefer_system_arrow_pool()
    lexicon = lexicon or default_lexicon()
    key = CacheKey("match", (lexicon_key(lexicon),))
    cache = corpus.cache
    cached: MatchResult | None = cache.get(key)
    if cached is not None:
        return cached
    states: dict[str, _DocMatchState] = corpus.match_state
    store = None
    stored_as = ""
    if corpus.store_path is not None and lexicon.sha256:
        stored_as = match_key(lexicon.sha256)
        try:
            store = Store(corpus.store_path)
        except PlantraceError:
            store = None  # held by another process: work without it

    built: list[Matcher] = []

    def matcher() -> Matcher:  # built only when some alias has to be scanned or judged
        if not built:
            built.append(Matcher(lexicon))
        return built[0]

    aliases = alias_table(lexicon)
    parts: list[tuple[str, MentionRows]] = []
    try:
        rows_by_doc: dict[int, MentionRows] = {}
        todo = []
        unknown = [doc.key for doc in corpus.docs if doc.doc_id not in states and doc.key]
        stored = store.get_candidates_many(unknown, stored_as) if store is not None and unknown else {}
        # Not matched with this lexicon, but with an earlier one (a lexicon edit in a new
        # process): start from that match, so only the edited aliases are scanned and only
        # the documents they touch re-resolved, as within one process.
        previous = (store.get_previous_matches([k for k in unknown if k not in stored], match_code())
                    if store is not None and len(stored) < len(unknown) else {})
        for i, doc in enumerate(corpus.docs):
            state = states.get(doc.doc_id)
            judged = stored.get(doc.key) if state is None else None
            if judged is not None:
                state = states[doc.doc_id] = _DocMatchState.from_judged(doc, aliases, judged)
                rows_by_doc[i] = state.rows or _NO_ROWS
            elif state is None and doc.key in previous:
                old_aliases, old = previous[doc.key]
                states[doc.doc_id] = _DocMatchState.from_judged(doc, old_aliases, old)
            elif state is None:
                todo.append(i)
        started_from_previous = bool(previous)
        del stored, previous
        if (todo or started_from_previous) and store is not None:
            preload_clauses(store.get_clauses())
        runner = corpus.runner
        # Documents never matched before are the expensive ones (their clauses need pkuseg):
        # they go to the worker pool when it pays; known documents are cheap and stay here.
        # Work that needs pkuseg's whole model but not the pool goes to one helper process,
        # so this one never holds the model (see HELPER_CHARS).
        sizes = [len(corpus.docs[i].text) for i in todo]
        total = sum(sizes)
        pool: Any = None
        if todo and runner is not None and worth_parallel(runner, sizes, "judge"):
            pool, workers = runner, runner.workers
        elif todo and runner is not None and total > HELPER_CHARS:
            pool, workers = LocalRunner(1, force=True, helper=True), 1
            if runner.decisions and runner.decisions[-1].work == "judge" and runner.workers > 1:
                runner.decisions.pop()  # worth_parallel's "below": this map runs in the helper
            runner.decisions.append(MapDecision("judge", len(todo), total, False, "helper", HELPER_CHARS))
        if pool is not None:
            full = total * _CLAUSE_SHARE / workers > LAZY_CHARS
            setup: WorkerSetup | None = (_judge_setup, (clauses_setup(), full))
            try:
                # In slices, each turned into rows and stored before the next is sent: the
                # workers' results for the whole corpus at once were 0.3 GB at the distinct
                # 10× benchmark corpus, on top of the rows made from them.
                for chunk in slices_by_size(todo, sizes, _MAP_CHARS):
                    # Copies: pickling a str leaves its UTF-8 form inside it (see fresh_copy)
                    results = pool.map(_judge_task, [(lexicon, fresh_copy(corpus.docs[i].text)) for i in chunk],
                                       setup=setup, sizes=[len(corpus.docs[i].text) for i in chunk])
                    setup = None  # the workers have it
                    for i, (judged, used) in zip(chunk, results):
                        doc = corpus.docs[i]
                        preload_clauses(used)
                        state = states[doc.doc_id] = _DocMatchState.from_judged(doc, aliases, judged)
                        rows_by_doc[i] = state.rows or _NO_ROWS
                        if store is not None and doc.key:
                            store.put_clauses(used)
                            store.put_candidates(doc.key, stored_as, judged)
                    del results
                    release_freed_memory()  # unpickled in the pool's thread (engine.memory)
            finally:
                if pool is not runner:
                    pool.close()
        cheap: list[tuple[str, MentionRows]] = []
        for i, doc in enumerate(corpus.docs):
            if progress:
                progress(doc.doc_id, i, len(corpus.docs))
            doc_rows = rows_by_doc.pop(i, None)
            if doc_rows is None:
                state = states.setdefault(doc.doc_id, _DocMatchState())
                segmented = seg_stats["clause_chars"]
                doc_rows = _judge_incrementally(doc, lexicon, aliases, matcher, state)
                if store is not None and doc.key:
                    store.put_clauses(take_new_clauses())
                    if seg_stats["clause_chars"] - segmented > _COMMIT_AFTER_CHARS:
                        # pkuseg worked on it: commit now, so an interrupted run keeps it
                        store.put_candidates(doc.key, stored_as, doc_rows.judged())
                    else:  # (nearly) free to judge again: committed together
                        cheap.append((doc.key, doc_rows))
                        if len(cheap) >= _COMMIT_DOCS:
                            store.put_candidates_many(stored_as, [(k, r.judged()) for k, r in cheap])
                            cheap = []
            parts.append((doc.doc_id, doc_rows))
        if store is not None:
            store.put_candidates_many(stored_as, [(k, r.judged()) for k, r in cheap])
            store.put_lexicon(stored_as, aliases)
    finally:
        if store is not None:
            corpus.store_stats.update({f"match_{k}": v for k, v in store.stats.items()})
            store.close()
    if progress:
        progress("", len(corpus.docs), len(corpus.docs))
    accepted = _rows_frame(parts, accepted=True)
    # Counting is longest-match; the concepts said inside a mention's alias (碳达峰 in
    # 碳达峰碳中和) are recorded, so that presence can see them.
    inner = {a: "|".join(ids) for a, ids in nested_concepts(lexicon).items()}
    contains = [inner.get(a, "") for r in (rows for _, rows in parts) for a, why in zip(r.alias, r.reason)
                if why is None]
    accepted["contains"] = contains if contains else pd.Series([], dtype=object)  # no rows: object, as the rest
    rejected = _rows_frame(parts, accepted=False)
    result = MatchResult(lexicon, with_provenance(accepted, corpus, lexicon),
                         with_provenance(rejected, corpus, lexicon))
    del parts
    release_freed_memory()  # the workers' results, unpickled in a thread's arena (engine.memory)
    return cache.put(key, result)


def corpus_mentions(corpus: DocumentSet, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Accepted mentions in every zone (filter ``zone == 'body'`` for what is counted)."""
    return add_docvars(match_corpus(corpus, lexicon).mentions, corpus)


def corpus_rejected(corpus: DocumentSet, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Rejected candidates with their reason (split word, nested in a longer alias)."""
    return add_docvars(match_corpus(corpus, lexicon).rejected, corpus)


