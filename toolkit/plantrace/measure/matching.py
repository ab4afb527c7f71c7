"""Matching a lexicon over a document collection: mentions and rejected candidates.

Every number traces to sentences: a mention carries its normalised and raw
offsets, sentence id, heading path and zone. Results are DataFrames whose
``attrs["provenance"]`` records plantrace version, lexicon sha256, normaliser
config and segmenter model (:mod:`plantrace.measure.provenance`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import pandas as pd

from ..concepts.lexicon import Lexicon, default_lexicon
from ..concepts.match import Candidate, Matcher, find_alias, nested_concepts, resolve_candidates
from ..concepts.segment import LAZY_CHARS, clauses_setup, load_model, preload_clauses, take_new_clauses
from ..concepts.segment import stats as seg_stats
from ..engine.cache import CacheKey
from ..engine.collection import DocumentSet, add_docvars
from ..engine.runner import LocalRunner, MapDecision, WorkerSetup, worth_parallel
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


def _mentions_from(doc: Document, candidates: Iterable[tuple[str, str, int, int, str | None]]) -> list[tuple[Any, ...]]:
    """Mention rows (REJECTED_COLUMNS order: raw offsets, sentence, heading path, zone)
    from judged candidates."""
    rows = list(candidates)
    raw = doc.raw_offsets_many([(start, end) for _, _, start, end, _ in rows])
    return [(doc.doc_id, concept_id, alias, start, end, raw_start, raw_end, *doc.mention_context(start), reason)
            for (concept_id, alias, start, end, reason), (raw_start, raw_end) in zip(rows, raw)]


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
    return [Mention(*row) for row in _mentions_from(doc, judge_document(doc, matcher))]


@dataclass
class _DocMatchState:
    """What matching has learnt about one document, kept on the corpus across lexicons.

    A lexicon edit touches a few aliases, so a re-run scans only aliases never seen in
    this document, reuses boundary verdicts (they depend on the text alone), and reuses
    the resolved rows of a document whose alias hits did not change at all.
    """

    #: alias -> start offsets of its occurrences (empty: scanned, none found)
    hits: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: (start, end) -> boundary verdict, before overlaps are resolved
    verdicts: dict[tuple[int, int], str | None] = field(default_factory=dict)
    #: the (alias, concept_id) pairs that hit, with the judged candidates and rows they gave
    signature: tuple = ()
    judged: list[Any] | None = None
    rows: list[Any] | None = None

    def signature_for(self, lexicon: Lexicon) -> tuple:
        """The (alias, concept_id, exclusions) of ``lexicon``'s aliases that occur in the document."""
        return self._signature(alias_table(lexicon))

    def _signature(self, aliases: dict[str, tuple[str, tuple[str, ...]]]) -> tuple:
        return tuple(sorted((a, cid, ex) for a, (cid, ex) in aliases.items() if self.hits[a]))

    @classmethod
    def from_judged(cls, doc: Document, lexicon: Lexicon | dict[str, tuple[str, tuple[str, ...]]],
                    judged: list[tuple[Any, ...]]) -> "_DocMatchState":
        """The state of a document judged elsewhere (the store, a worker process), with the
        lexicon, or the alias table (:func:`alias_table`), it was judged with."""
        aliases = alias_table(lexicon) if isinstance(lexicon, Lexicon) else lexicon
        state = cls()
        found: dict[str, list[int]] = {}
        for _cid, alias, start, end, reason in judged:
            found.setdefault(alias, []).append(start)
            # nesting hides the boundary verdict, an exclusion replaces it (and is the lexicon's)
            if not (reason or "").startswith(("nested in ", "excluded by ")):
                state.verdicts[(start, end)] = reason
        for alias in aliases:
            state.hits[alias] = tuple(sorted(found.get(alias, ())))
        state.signature = state._signature(aliases)
        state.judged, state.rows = judged, _mentions_from(doc, judged)
        return state


def alias_table(lexicon: Lexicon) -> dict[str, tuple[str, tuple[str, ...]]]:
    """alias -> (concept_id, exclusions): all that judging a candidate reads from a lexicon."""
    ex = lexicon.exclusions
    return {a: (cid, tuple(ex.get(a, ()))) for a, cid in lexicon.alias_index.items()}


#: A document whose judging segmented more clause text than this (about 0.1 s of pkuseg)
#: is committed to the store on its own; cheaper ones are committed together.
_COMMIT_AFTER_CHARS = 2_000

#: Above this many unseen aliases one automaton pass beats a str.find per alias.
_FIND_LIMIT = 12


def _judge_incrementally(doc: Document, lexicon: Lexicon, matcher: "Callable[[], Matcher]",
                         state: _DocMatchState) -> tuple[list[Any], list[Any]]:
    """Judged candidates and mention rows of one document, redoing only what the lexicon
    change requires (see :class:`_DocMatchState`)."""
    aliases = lexicon.alias_index
    unseen = [a for a in aliases if a not in state.hits]
    if len(unseen) > _FIND_LIMIT:
        found: dict[str, list[int]] = {a: [] for a in unseen}
        wanted = set(unseen)
        for start, _end, alias, _cid in matcher().raw_candidates(doc.text):
            if alias in wanted:
                found[alias].append(start)
        for alias, starts in found.items():
            state.hits[alias] = tuple(starts)
    else:
        for alias in unseen:
            state.hits[alias] = tuple(find_alias(doc.text, alias))
    signature = state.signature_for(lexicon)
    if state.judged is not None and signature == state.signature:
        return state.judged, state.rows or []
    raw = [(st, st + len(a), a, cid) for a, cid, _ex in signature for st in state.hits[a]]
    verdicts = state.verdicts

    def judge(text: str, start: int, end: int) -> str | None:
        key = (start, end)
        if key not in verdicts:
            verdicts[key] = matcher().judge(text, start, end)
        return verdicts[key]

    judged = _as_rows(resolve_candidates(doc.text, raw, judge, lexicon.exclusions))
    state.signature, state.judged, state.rows = signature, judged, _mentions_from(doc, judged)
    return judged, state.rows


def match_corpus(corpus: DocumentSet, lexicon: Lexicon | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> MatchResult:
    """Match a lexicon over every document once; cached on the corpus per lexicon hash, and
    in the corpus's store per (document, lexicon hash): an unchanged lexicon is never
    matched again, clauses segmented once are never segmented again, and after a lexicon
    edit only the edited aliases are scanned and only documents they touch re-resolved."""
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

    rows: list[tuple[Any, ...]] = []
    try:
        rows_by_doc: dict[int, list[Any]] = {}
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
                state = states[doc.doc_id] = _DocMatchState.from_judged(doc, lexicon, judged)
                rows_by_doc[i] = state.rows or []
            elif state is None and doc.key in previous:
                aliases, old = previous[doc.key]
                states[doc.doc_id] = _DocMatchState.from_judged(doc, aliases, old)
            elif state is None:
                todo.append(i)
        if (todo or previous) and store is not None:
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
            try:
                # Copies: pickling a str leaves its UTF-8 form inside it (see fresh_copy)
                results = pool.map(_judge_task, [(lexicon, fresh_copy(corpus.docs[i].text)) for i in todo],
                                   setup=(_judge_setup, (clauses_setup(), full)), sizes=sizes)
            finally:
                if pool is not runner:
                    pool.close()
            for i, (judged, used) in zip(todo, results):
                doc = corpus.docs[i]
                preload_clauses(used)
                state = states[doc.doc_id] = _DocMatchState.from_judged(doc, lexicon, judged)
                rows_by_doc[i] = state.rows or []
                if store is not None and doc.key:
                    store.put_clauses(used)
                    store.put_candidates(doc.key, stored_as, judged)
        cheap: list[tuple[str, list[Any]]] = []
        for i, doc in enumerate(corpus.docs):
            if progress:
                progress(doc.doc_id, i, len(corpus.docs))
            doc_rows = rows_by_doc.get(i)
            if doc_rows is None:
                state = states.setdefault(doc.doc_id, _DocMatchState())
                segmented = seg_stats["clause_chars"]
                judged, doc_rows = _judge_incrementally(doc, lexicon, matcher, state)
                if store is not None and doc.key:
                    store.put_clauses(take_new_clauses())
                    if seg_stats["clause_chars"] - segmented > _COMMIT_AFTER_CHARS:
                        # pkuseg worked on it: commit now, so an interrupted run keeps it
                        store.put_candidates(doc.key, stored_as, judged)
                    else:  # (nearly) free to judge again: one commit for all of them
                        cheap.append((doc.key, judged))
            rows.extend(doc_rows)
        if store is not None:
            store.put_candidates_many(stored_as, cheap)
            store.put_lexicon(stored_as, alias_table(lexicon))
    finally:
        if store is not None:
            corpus.store_stats.update({f"match_{k}": v for k, v in store.stats.items()})
            store.close()
    if progress:
        progress("", len(corpus.docs), len(corpus.docs))
    frame = pd.DataFrame(rows, columns=REJECTED_COLUMNS)
    accepted = frame[frame["reason"].isna()][MENTION_COLUMNS].reset_index(drop=True)
    # Counting is longest-match; the concepts said inside a mention's alias (碳达峰 in
    # 碳达峰碳中和) are recorded, so that presence can see them.
    inner = nested_concepts(lexicon)
    accepted["contains"] = ["|".join(inner.get(str(a), ())) for a in accepted["alias"]]
    rejected = frame[frame["reason"].notna()][REJECTED_COLUMNS].reset_index(drop=True)
    result = MatchResult(lexicon, with_provenance(accepted, corpus, lexicon),
                         with_provenance(rejected, corpus, lexicon))
    return cache.put(key, result)


def corpus_mentions(corpus: DocumentSet, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Accepted mentions in every zone (filter ``zone == 'body'`` for what is counted)."""
    return add_docvars(match_corpus(corpus, lexicon).mentions, corpus)


def corpus_rejected(corpus: DocumentSet, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Rejected candidates with their reason (split word, nested in a longer alias)."""
    return add_docvars(match_corpus(corpus, lexicon).rejected, corpus)


