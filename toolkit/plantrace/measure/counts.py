"""Counts and keywords in context over a document collection.

Counts use the body zone only and roll children up to their parent concepts.

>>> import plantrace
>>> corpus = plantrace.load_corpus("corpora/chengdu")
>>> counts = corpus_counts(corpus)
>>> int(counts.query("doc_id == 'qingyang_2021_plan_outline' and concept_id == 'park_city'")["count"].iloc[0])
14
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Mapping

import numpy as np
import pandas as pd

from ..concepts.lexicon import Lexicon, default_lexicon, normalise_alias
from ..engine.collection import DocumentSet, add_docvars
from ..errors import PlantraceError, did_you_mean
from ..frames import records
from .matching import match_corpus
from .provenance import rate_per_10k, with_provenance

COUNT_COLUMNS = ["doc_id", "concept_id", "label", "category", "count", "count_own", "rate_per_10k", "body_chars"]
KWIC_COLUMNS = ["doc_id", "concept_id", "pre", "keyword", "post", "raw_keyword", "raw_context", "start", "end",
                "raw_start", "raw_end", "sentence_id", "year", "level", "doc_type"]


def roll_up(own: Mapping[tuple[str, str], int], lexicon: Lexicon) -> Counter[tuple[str, str]]:
    """Per (doc_id, concept_id) counts with every concept's count added to its ancestors':
    the one child → parent roll-up (the diff's profile uses it through :func:`credits`)."""
    rolled: Counter[tuple[str, str]] = Counter()
    for (doc_id, cid), n in own.items():
        for credit in credits(cid, lexicon):
            rolled[(doc_id, credit)] += n
    return rolled


def credits(concept_id: str, lexicon: Lexicon) -> list[str]:
    """The concepts a mention of ``concept_id`` counts for: itself, then its ancestors
    (the one definition of the child → parent roll-up)."""
    return [concept_id, *lexicon.ancestors(concept_id)]


def corpus_counts(corpus: DocumentSet, lexicon: Lexicon | None = None, *, zeros: bool = False,
                  metadata: bool = True, wide: bool = False, value: str = "count") -> pd.DataFrame:
    """Counts per document and concept over the body; children roll up to parents.

    ``count`` includes mentions of descendant concepts, ``count_own`` only the concept's
    own aliases; ``rate_per_10k`` is per 10,000 body characters, whitespace excluded.
    With ``wide=True``: a document × concept matrix (quanteda's dfm) of ``value``
    (count, count_own or rate_per_10k), one row per document with doc_id, body_chars,
    the metadata and docvars first, then one column per concept id (every concept, 0
    where absent), for Stata and Excel.
    """
    if wide:
        return _wide_counts(corpus, lexicon, metadata=metadata, value=value)
    result = match_corpus(corpus, lexicon)
    lex = result.lexicon
    docs, cids = corpus.docs, list(lex.concepts)
    # Counted as (document, concept) codes, not as pairs of strings: at the distinct 50×
    # benchmark corpus the mention frame has 0.6 M rows, and a Python string per row and
    # column, a dict entry per pair and a dict per output row took some 0.3 GB.
    m = result.mentions
    body = (m["zone"] == "body").to_numpy(dtype=bool)
    doc_at = pd.Index([d.doc_id for d in docs]).get_indexer(pd.Index(m["doc_id"]))[body]
    concept_at = pd.Index(cids).get_indexer(pd.Index(m["concept_id"]))[body]
    if (doc_at < 0).any() or (concept_at < 0).any():  # a frame of another corpus or lexicon
        raise PlantraceError("the match result does not belong to this corpus and lexicon",
                             hint="match the corpus again (corpus.match(lexicon))")
    n = len(cids)
    own_keys, own_n = np.unique(doc_at.astype(np.int64) * n + concept_at, return_counts=True)
    # Roll-up: each (document, concept) count is credited to the concept and its ancestors.
    index = {c: i for i, c in enumerate(cids)}
    credit = [[index[c] for c in credits(cid, lex)] for cid in cids]
    fan = np.array([len(c) for c in credit], dtype=np.int64)
    flat_credit = np.array([i for c in credit for i in c], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(fan)[:-1]])
    own_concept = own_keys % n
    repeat = fan[own_concept]
    step = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    credited = flat_credit[np.repeat(first[own_concept], repeat) + step]
    keys, inverse = np.unique(np.repeat(own_keys // n, repeat) * n + credited, return_inverse=True)
    count = np.bincount(inverse, weights=np.repeat(own_n, repeat), minlength=len(keys)).astype(np.int64)
    if zeros:  # every document × concept pair, in document then lexicon order
        all_keys = np.arange(len(docs) * n, dtype=np.int64)
        dense = np.zeros(len(all_keys), dtype=np.int64)
        dense[keys] = count
        keys, count = all_keys, dense
    at = np.minimum(np.searchsorted(own_keys, keys), max(len(own_keys) - 1, 0))
    count_own = np.where(own_keys[at] == keys, own_n[at], 0).astype(np.int64) if len(own_keys) else np.zeros(
        len(keys), dtype=np.int64)
    doc_pos, concept_pos = keys // n, keys % n
    doc_ids = np.array([d.doc_id for d in docs], dtype=object)
    body_chars = np.array([d.body_chars for d in docs], dtype=np.int64)[doc_pos]
    concepts = [lex.concepts[c] for c in cids]
    frame = pd.DataFrame({
        "doc_id": doc_ids[doc_pos], "concept_id": np.array(cids, dtype=object)[concept_pos],
        "label": np.array([c.label for c in concepts], dtype=object)[concept_pos],
        "category": np.array([c.category for c in concepts], dtype=object)[concept_pos],
        "count": count, "count_own": count_own,
        "rate_per_10k": [rate_per_10k(c, b) for c, b in zip(count.tolist(), body_chars.tolist())],
        "body_chars": body_chars} if len(keys) else [], columns=COUNT_COLUMNS)  # no rows: object columns
    if metadata:
        meta_columns = ["file", "title", "issuer", "level", "region", "parent_region", "year", "date", "doc_type",
                        "script"]
        shown, rows_of = np.unique(doc_pos, return_inverse=True)
        # one row per document with counts (typed from their values alone, as before), then repeated
        meta = pd.DataFrame([{k: v for k, v in docs[p].meta.items() if k != "doc_id"} for p in shown.tolist()],
                            columns=meta_columns)
        frame = pd.concat([frame, meta.take(rows_of).reset_index(drop=True)], axis=1)
    return with_provenance(add_docvars(frame, corpus) if metadata else frame, corpus, lex)


def _wide_counts(corpus: DocumentSet, lexicon: Lexicon | None, *, metadata: bool, value: str) -> pd.DataFrame:
    values = ("count", "count_own", "rate_per_10k")
    if value not in values:
        raise PlantraceError(f"unknown value {value!r} for the wide matrix",
                             hint=did_you_mean(value, values) + f"use one of {', '.join(values)}")
    long = corpus_counts(corpus, lexicon, zeros=True, metadata=False)
    ids = list(dict.fromkeys(long["concept_id"]))
    matrix = long.pivot(index="doc_id", columns="concept_id", values=value).reindex(
        index=corpus.doc_ids, columns=ids).fillna(0)
    matrix.columns = [str(c) for c in matrix.columns]
    info = pd.DataFrame({"doc_id": corpus.doc_ids, "body_chars": [d.body_chars for d in corpus.docs]})
    if metadata:
        meta = pd.DataFrame([{k: v for k, v in d.meta.items() if k != "doc_id"} for d in corpus.docs])
        info = add_docvars(pd.concat([info, meta], axis=1), corpus)
    clash = [c for c in matrix.columns if c in info.columns]
    if clash:
        matrix = matrix.rename(columns={c: f"concept_{c}" for c in clash})
    out = pd.concat([info.reset_index(drop=True), matrix.reset_index(drop=True)], axis=1)
    return with_provenance(out, corpus, match_corpus(corpus, lexicon).lexicon)


def corpus_kwic(corpus: DocumentSet, term: str, *, lexicon: Lexicon | None = None, window: int = 20,
                zone: str | None = "body", literal: bool = False) -> pd.DataFrame:
    """Keywords in context for a concept id (or alias/label of one) or a literal term.

    Windows are characters of normalised text; ``raw_keyword`` and ``raw_context``
    quote the original file, so a reader can check the citation. A concept is searched
    as its accepted mentions, its child concepts' included; ``literal=True`` searches
    ``term`` as typed (after normalisation) even when it names a concept.
    ``attrs["query"]`` says what the query expanded to: ``term``, ``concept_id``,
    ``concepts`` (the concept and its children), ``aliases``, ``documents`` searched
    and ``hits``.
    """
    lex = lexicon or default_lexicon()
    concept_id = None if literal else lex.resolve(term)
    rows = []
    if concept_id is not None:
        ids = {concept_id, *lex.descendants(concept_id)}
        mentions = match_corpus(corpus, lex).mentions
        hits = mentions[mentions["concept_id"].isin(ids)]
        if zone:
            hits = hits[hits["zone"] == zone]
        spans = [(r.doc_id, r.start, r.end, r.concept_id, r.sentence_id) for r in records(hits)]
    else:
        needle = normalise_alias(term)
        if not needle:
            raise PlantraceError(f"empty KWIC term {term!r}", hint="give a concept id or a word")
        spans = []
        for doc in corpus.docs:
            # Each body zone on its own: a repeated copy (zone duplicate) between two is not searched.
            bounds = [(z.start, z.end) for z in doc.body_zones] if zone == "body" else [(0, len(doc.text))]
            for s0, s1 in bounds:
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
            "year": d.entry.year, "level": d.entry.level, "doc_type": d.entry.doc_type,
        })
    if not rows and concept_id is None and term.isascii() and not literal:
        # An ascii term that is no concept id and occurs nowhere: almost always a misspelt id.
        raise PlantraceError(f"unknown concept id {term!r}",
                             hint=did_you_mean(term, lex.concepts)
                             + "see `plantrace lexicon check` for ids, or give a Chinese word")
    frame = with_provenance(add_docvars(pd.DataFrame(rows, columns=KWIC_COLUMNS), corpus), corpus,
                            lex if concept_id else None)
    concepts = sorted({concept_id, *lex.descendants(concept_id)}, key=list(lex.concepts).index) if concept_id else []
    frame.attrs["query"] = {
        "term": term, "literal": literal, "concept_id": concept_id or "", "concepts": concepts,
        "aliases": [a for c in concepts for a in lex.concepts[c].aliases] if concept_id else [normalise_alias(term)],
        "zone": zone or "all", "documents": len(corpus.docs), "hits": len(frame),
    }
    return frame


def describe_kwic_query(frame: pd.DataFrame) -> str:
    """One line saying what a KWIC query searched and found, from ``attrs["query"]``.

    >>> f = pd.DataFrame(); f.attrs["query"] = {"term": "公园城市", "literal": True, "concept_id": "",
    ...     "concepts": [], "aliases": ["公园城市"], "zone": "body", "documents": 5, "hits": 0}
    >>> describe_kwic_query(f)
    "0 hits for '公园城市' (searched as typed) in the body of 5 documents"
    """
    q = frame.attrs.get("query", {})
    if q.get("concept_id"):
        children = [c for c in q["concepts"] if c != q["concept_id"]]
        what = (f"concept {q['concept_id']}" + (f" with {len(children)} child concept(s) ({', '.join(children)})"
                                                 if children else "")
                + f": {len(q['aliases'])} alias(es) ({'、'.join(q['aliases'][:8])}{'…' if len(q['aliases']) > 8 else ''})")
    else:
        what = "searched as typed"
    hits = q.get("hits", len(frame))
    where = "the body of " if q.get("zone") == "body" else ""
    return f"{hits:,} hit{'s' * (hits != 1)} for {q.get('term', '')!r} ({what}) in {where}{q.get('documents', 0)} documents"
