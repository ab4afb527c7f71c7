"""Measurement: concept mentions, counts, KWIC, word frequencies and keyness.

Every number traces to sentences: a mention carries its normalised and raw
offsets, sentence id, heading path and zone. Counts use the body zone only and
roll children up to their parent concepts. Results are DataFrames whose
``attrs["provenance"]`` records plantrace version, lexicon sha256, normaliser
config and segmenter model.

>>> import plantrace
>>> corpus = plantrace.load_corpus("corpora/chengdu")
>>> counts = corpus_counts(corpus)
>>> int(counts.query("doc_id == 'qingyang_2021_plan_outline' and concept_id == 'park_city'")["count"].iloc[0])
14
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

import pandas as pd

from . import __version__
from .errors import PlantraceError
from .lexicon import LEXICON_DIR, Lexicon, default_lexicon
from .match import Candidate, Matcher, find_alias, resolve_candidates
from .segment import segment_document, segment_documents, segmenter_info

if TYPE_CHECKING:
    from .corpus import Corpus, Document

MENTION_COLUMNS = ["doc_id", "concept_id", "alias", "start", "end", "raw_start", "raw_end",
                   "sentence_id", "heading_path", "zone", "in_heading"]
REJECTED_COLUMNS = MENTION_COLUMNS + ["reason"]
COUNT_COLUMNS = ["doc_id", "concept_id", "label", "category", "count", "count_own", "rate_per_10k"]
HEADING_SEP = " > "


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


def provenance(corpus: "Corpus", lexicon: Lexicon | None = None) -> dict[str, object]:
    prov: dict[str, object] = {
        "plantrace_version": __version__,
        "normaliser_config": corpus.config.to_dict(),
        **segmenter_info(),
        "manifest_sha256": corpus.manifest_hashes,
    }
    if lexicon is not None:
        prov.update({"lexicon": lexicon.name, "lexicon_sha256": lexicon.sha256})
    return prov


def _with_provenance(frame: pd.DataFrame, corpus: "Corpus", lexicon: Lexicon | None) -> pd.DataFrame:
    frame.attrs["provenance"] = provenance(corpus, lexicon)
    return frame


def _mentions_from(doc: "Document", candidates: Iterable[tuple[str, str, int, int, str | None]]) -> list[tuple]:
    """Mention rows (REJECTED_COLUMNS order: raw offsets, sentence, heading path, zone)
    from judged candidates."""
    out: list[tuple] = []
    for concept_id, alias, start, end, reason in candidates:
        sentence = doc.sentence_at(start)
        raw_start, raw_end = doc.raw_offsets(start, end)
        out.append((
            doc.doc_id, concept_id, alias, start, end, raw_start, raw_end,
            sentence.id if sentence else -1,
            HEADING_SEP.join(sentence.heading_path) if sentence else "",
            sentence.zone if sentence else "body",
            bool(sentence and sentence.is_heading), reason,
        ))
    return out


def _as_rows(candidates: Iterable[Candidate]) -> list[tuple[str, str, int, int, str | None]]:
    return [(c.concept_id, c.alias, c.start, c.end, c.reason) for c in candidates]


def judge_document(doc: "Document", matcher: Matcher) -> list[tuple[str, str, int, int, str | None]]:
    """Every candidate of one document with its verdict: (concept_id, alias, start, end, reason)."""
    return _as_rows(matcher.candidates_in(doc.text))


_matchers: dict[str, Matcher] = {}


def _judge_task(args: tuple) -> tuple[list, dict]:
    """Judge one document's candidates in a worker; return them with the clauses used."""
    from .segment import take_new_clauses

    lexicon, text = args
    matcher = _matchers.get(lexicon.sha256)
    if matcher is None:
        matcher = _matchers[lexicon.sha256] = Matcher(lexicon)
    take_new_clauses()
    judged = _as_rows(matcher.candidates_in(text))
    return judged, take_new_clauses()


def match_document(doc: "Document", matcher: Matcher) -> list[Mention]:
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
    judged: list | None = None
    rows: list | None = None

    def signature_for(self, lexicon: Lexicon) -> tuple:
        """The (alias, concept_id) pairs of ``lexicon`` that occur in the document."""
        return tuple(sorted((a, cid) for a, cid in lexicon.alias_index.items() if self.hits[a]))

    @classmethod
    def from_judged(cls, doc: "Document", lexicon: Lexicon, judged: list[tuple]) -> "_DocMatchState":
        """The state of a document judged elsewhere (the store, a worker process)."""
        state = cls()
        found: dict[str, list[int]] = {}
        for _cid, alias, start, end, reason in judged:
            found.setdefault(alias, []).append(start)
            if not (reason or "").startswith("nested in "):  # nesting hides the verdict
                state.verdicts[(start, end)] = reason
        for alias in lexicon.alias_index:
            state.hits[alias] = tuple(sorted(found.get(alias, ())))
        state.signature = state.signature_for(lexicon)
        state.judged, state.rows = judged, _mentions_from(doc, judged)
        return state


#: A document whose judging segmented more clause text than this (about 0.1 s of pkuseg)
#: is committed to the store on its own; cheaper ones are committed together.
_COMMIT_AFTER_CHARS = 2_000

#: Above this many unseen aliases one automaton pass beats a str.find per alias.
_FIND_LIMIT = 12


def _judge_incrementally(doc: "Document", lexicon: Lexicon, matcher: "Callable[[], Matcher]",
                         state: _DocMatchState) -> tuple[list, list]:
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
        return state.judged, state.rows  # type: ignore[return-value]
    raw = [(st, st + len(a), a, cid) for a, cid in signature for st in state.hits[a]]
    verdicts = state.verdicts

    def judge(text: str, start: int, end: int) -> str | None:
        key = (start, end)
        if key not in verdicts:
            verdicts[key] = matcher().judge(text, start, end)
        return verdicts[key]

    judged = _as_rows(resolve_candidates(doc.text, raw, judge))
    state.signature, state.judged, state.rows = signature, judged, _mentions_from(doc, judged)
    return judged, state.rows


def match_corpus(corpus: "Corpus", lexicon: Lexicon | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> MatchResult:
    """Match a lexicon over every document once; cached on the corpus per lexicon hash, and
    in the corpus's store per (document, lexicon hash): an unchanged lexicon is never
    matched again, clauses segmented once are never segmented again, and after a lexicon
    edit only the edited aliases are scanned and only documents they touch re-resolved."""
    lexicon = lexicon or default_lexicon()
    key = ("match", lexicon.sha256 or id(lexicon))
    cache = corpus.cache
    if key in cache:
        return cache[key]  # type: ignore[no-any-return]
    from .segment import preload_clauses, take_new_clauses

    states: dict[str, _DocMatchState] = cache.setdefault("match_state", {})  # type: ignore[assignment]
    store = None
    if corpus.store_path is not None and lexicon.sha256:
        from .store import Store, match_key

        stored_as = match_key(lexicon.sha256)
        try:
            store = Store(corpus.store_path)
        except PlantraceError:
            store = None  # held by another process: work without it
    from .parallel import worth_parallel

    built: list[Matcher] = []

    def matcher() -> Matcher:  # built only when some alias has to be scanned or judged
        if not built:
            built.append(Matcher(lexicon))
        return built[0]

    rows: list[tuple] = []
    try:
        rows_by_doc: dict[int, list] = {}
        todo = []
        for i, doc in enumerate(corpus.docs):
            state = states.get(doc.doc_id)
            judged = None
            if state is None and store is not None and doc.key:
                judged = store.get_candidates(doc.key, stored_as)
            if judged is not None:
                state = states[doc.doc_id] = _DocMatchState.from_judged(doc, lexicon, judged)
                rows_by_doc[i] = state.rows
            elif state is None:
                todo.append(i)
        if todo and store is not None:
            preload_clauses(store.get_clauses())
        runner = corpus.runner
        # Documents never matched before are the expensive ones (their clauses need pkuseg):
        # they go to the worker pool when it pays; known documents are cheap and stay here.
        if todo and runner is not None and worth_parallel(runner, (len(corpus.docs[i].text) for i in todo)):
            from .segment import _clauses

            results = runner.map(_judge_task, [(lexicon, corpus.docs[i].text) for i in todo],
                                 clauses=dict(_clauses) or None)
            for i, (judged, used) in zip(todo, results):
                doc = corpus.docs[i]
                preload_clauses(used)
                state = states[doc.doc_id] = _DocMatchState.from_judged(doc, lexicon, judged)
                rows_by_doc[i] = state.rows
                if store is not None and doc.key:
                    store.put_clauses(used)
                    store.put_candidates(doc.key, stored_as, judged)
        from .segment import stats as seg_stats

        cheap: list[tuple[str, list]] = []
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
    finally:
        if store is not None:
            corpus.store_stats.update({f"match_{k}": v for k, v in store.stats.items()})
            store.close()
    if progress:
        progress("", len(corpus.docs), len(corpus.docs))
    frame = pd.DataFrame(rows, columns=REJECTED_COLUMNS)
    accepted = frame[frame["reason"].isna()][MENTION_COLUMNS].reset_index(drop=True)
    rejected = frame[frame["reason"].notna()][REJECTED_COLUMNS].reset_index(drop=True)
    result = MatchResult(lexicon, _with_provenance(accepted, corpus, lexicon),
                         _with_provenance(rejected, corpus, lexicon))
    cache[key] = result
    return result


def corpus_mentions(corpus: "Corpus", lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Accepted mentions in every zone (filter ``zone == 'body'`` for what is counted)."""
    return match_corpus(corpus, lexicon).mentions


def corpus_rejected(corpus: "Corpus", lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Rejected candidates with their reason (split word, nested in a longer alias)."""
    return match_corpus(corpus, lexicon).rejected


def corpus_counts(corpus: "Corpus", lexicon: Lexicon | None = None, *, zeros: bool = False,
                  metadata: bool = True) -> pd.DataFrame:
    """Counts per document and concept over the body; children roll up to parents.

    ``count`` includes mentions of descendant concepts, ``count_own`` only the concept's
    own aliases; ``rate_per_10k`` is per 10,000 body characters, whitespace excluded.
    """
    result = match_corpus(corpus, lexicon)
    lex = result.lexicon
    body = result.mentions[result.mentions["zone"] == "body"]
    own = Counter(zip(body["doc_id"].tolist(), body["concept_id"].tolist()))  # arrow iteration is slow
    rolled: Counter[tuple[str, str]] = Counter()
    for (doc_id, cid), n in own.items():
        rolled[(doc_id, cid)] += n
        for anc in lex.ancestors(cid):
            rolled[(doc_id, anc)] += n
    rows = []
    by_doc: dict[str, set[str]] = {}
    for doc_id, cid in rolled:
        by_doc.setdefault(doc_id, set()).add(cid)
    for doc in corpus.docs:
        # Lexicon order; only the concepts that occur unless zeros are asked for.
        hit = by_doc.get(doc.doc_id, set())
        for cid, concept in lex.concepts.items():
            if not zeros and cid not in hit:
                continue
            n = rolled.get((doc.doc_id, cid), 0)
            rate = n / doc.body_chars * 10_000 if doc.body_chars else 0.0
            row = {"doc_id": doc.doc_id, "concept_id": cid, "label": concept.label,
                   "category": concept.category, "count": n, "count_own": own.get((doc.doc_id, cid), 0),
                   "rate_per_10k": round(rate, 4)}
            if metadata:
                row.update({k: v for k, v in doc.meta.items() if k not in ("doc_id",)})
            rows.append(row)
    columns = COUNT_COLUMNS + ([c for c in ("file", "title", "issuer", "level", "region", "parent_region",
                                            "year", "date", "doc_type", "script")] if metadata else [])
    return _with_provenance(pd.DataFrame(rows, columns=columns), corpus, lex)


def corpus_kwic(corpus: "Corpus", term: str, *, lexicon: Lexicon | None = None, window: int = 20,
                zone: str | None = "body") -> pd.DataFrame:
    """Keywords in context for a concept id (or alias/label of one) or a literal term.

    Windows are characters of normalised text; ``raw_keyword`` and ``raw_context``
    quote the original file, so a reader can check the citation.
    """
    lex = lexicon or default_lexicon()
    concept_id = lex.resolve(term)
    rows = []
    if concept_id is not None:
        ids = {concept_id, *lex.descendants(concept_id)}
        mentions = corpus_mentions(corpus, lex)
        hits = mentions[mentions["concept_id"].isin(ids)]
        if zone:
            hits = hits[hits["zone"] == zone]
        spans = [(r.doc_id, r.start, r.end, r.concept_id, r.sentence_id) for r in hits.itertuples()]
    else:
        from .lexicon import normalise_alias

        needle = normalise_alias(term)
        if not needle:
            raise PlantraceError(f"empty KWIC term {term!r}", hint="give a concept id or a word")
        spans = []
        for doc in corpus.docs:
            s0, s1 = doc.body_span if zone == "body" else (0, len(doc.text))
            for m in re.finditer(re.escape(needle), doc.text[s0:s1]):
                st = s0 + m.start()
                sent = doc.sentence_at(st)
                spans.append((doc.doc_id, st, st + len(needle), "", sent.id if sent else -1))
    docs = {d.doc_id: d for d in corpus.docs}
    for doc_id, s, e, cid, sid in spans:
        d = docs[doc_id]
        rs, re_ = d.raw_offsets(s, e)
        rows.append({
            "doc_id": doc_id, "concept_id": cid, "pre": d.text[max(0, s - window):s].replace("\n", " "),
            "keyword": d.text[s:e], "post": d.text[e:e + window].replace("\n", " "),
            "raw_keyword": d.raw[rs:re_], "raw_context": d.raw[max(0, rs - window):re_ + window].replace("\n", " "),
            "start": s, "end": e, "raw_start": rs, "raw_end": re_, "sentence_id": sid,
        })
    return _with_provenance(pd.DataFrame(rows, columns=["doc_id", "concept_id", "pre", "keyword", "post",
                                                        "raw_keyword", "raw_context", "start", "end",
                                                        "raw_start", "raw_end", "sentence_id"]),
                            corpus, lex if concept_id else None)


# --- words and keyness ---------------------------------------------------------------

_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def load_stopwords(path: str | Path | None = None) -> frozenset[str]:
    """Stop words: one per line, '#' lines are the header (format, source, licence)."""
    p = Path(path) if path else LEXICON_DIR / "stopwords.txt"
    if not p.is_file():
        raise PlantraceError("stop-word list not found", file=str(p), hint="give a file with one word per line")
    return frozenset(ln.strip() for ln in p.read_text(encoding="utf-8").splitlines()
                     if ln.strip() and not ln.startswith("#"))


def document_tokens(doc: "Document", *, user_dict: Sequence[str] = ()) -> tuple[str, ...]:
    """pkuseg tokens of the body text (cached per text, model and user dictionary)."""
    return segment_document(doc.body_text, user_dict)


def corpus_words(corpus: "Corpus", *, top: int | None = 50, stopwords: Iterable[str] | None = None,
                 lexicon: Lexicon | None = None, keep_concepts: bool = True,
                 per_document: bool = False) -> pd.DataFrame:
    """Word frequencies from pkuseg tokens, stop words and punctuation removed.

    With ``keep_concepts`` the lexicon's aliases join pkuseg's user dictionary so that
    concept phrases (公园城市) stay whole in the word table.
    """
    stop = frozenset(stopwords) if stopwords is not None else load_stopwords()
    lex = lexicon or (default_lexicon() if keep_concepts else None)
    user = tuple(sorted(lex.alias_index)) if (keep_concepts and lex) else ()
    rows = []
    # Whole documents are segmented here only, in parallel when the corpus has a runner.
    tokens_by_doc = segment_documents([d.body_text for d in corpus.docs], user, corpus.runner)
    for doc, tokens in zip(corpus.docs, tokens_by_doc):
        counts = Counter(t for t in tokens if _WORDLIKE.search(t) and t not in stop and len(t) > 1)
        for w, n in counts.items():
            rows.append({"doc_id": doc.doc_id, "word": w, "count": n,
                         "rate_per_10k": round(n / doc.body_chars * 10_000, 4) if doc.body_chars else 0.0})
    frame = pd.DataFrame(rows, columns=["doc_id", "word", "count", "rate_per_10k"])
    if not per_document:
        frame = (frame.groupby("word", as_index=False)
                 .agg(count=("count", "sum"), docs=("doc_id", "nunique"))
                 .sort_values(["count", "word"], ascending=[False, True]))
    else:
        frame = frame.sort_values(["doc_id", "count", "word"], ascending=[True, False, True])
    if top:
        frame = frame.groupby("doc_id").head(top) if per_document else frame.head(top)
    return _with_provenance(frame.reset_index(drop=True), corpus, lex)


def parse_target(spec: str | Mapping[str, object]) -> dict[str, str]:
    """``"level=city"`` or ``{"level": "city"}`` → {"level": "city"}."""
    if isinstance(spec, Mapping):
        return {str(k): str(v) for k, v in spec.items()}
    out = {}
    for part in spec.split(","):
        if "=" not in part:
            raise PlantraceError(f"target {spec!r} is not COLUMN=VALUE", hint="write e.g. --target level=city")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def corpus_keyness(corpus: "Corpus", target: str | Mapping[str, object], *, measure: str = "lr",
                   stopwords: Iterable[str] | None = None, lexicon: Lexicon | None = None,
                   min_count: int = 2) -> pd.DataFrame:
    """Keyness of words in target documents against the rest (quanteda's textstat_keyness)."""
    from .stats import textstat_keyness

    cond = parse_target(target)
    frame = corpus.to_frame()
    for k in cond:
        if k not in frame.columns:
            raise PlantraceError(f"unknown column {k!r} in target", hint=f"use one of {', '.join(frame.columns[:11])}")
    is_target = pd.Series(True, index=frame.index)
    for k, v in cond.items():
        is_target &= frame[k].astype(str) == v
    if not is_target.any() or is_target.all():
        raise PlantraceError(f"target {cond} selects {'no' if not is_target.any() else 'every'} document",
                             hint="choose a condition that splits the corpus into two groups")
    words = corpus_words(corpus, top=None, stopwords=stopwords, lexicon=lexicon, per_document=True)
    target_ids = set(frame.loc[is_target, "doc_id"])
    tgt = words[words["doc_id"].isin(target_ids)].groupby("word")["count"].sum()
    ref = words[~words["doc_id"].isin(target_ids)].groupby("word")["count"].sum()
    # Totals are all tokens of each group; rare words are dropped after the test.
    result = textstat_keyness({w: int(n) for w, n in tgt.items()}, {w: int(n) for w, n in ref.items()},
                              measure=measure)
    result = result[(result["n_target"] + result["n_reference"]) >= min_count].reset_index(drop=True)
    result.attrs["target"] = cond
    return _with_provenance(result, corpus, lexicon)
