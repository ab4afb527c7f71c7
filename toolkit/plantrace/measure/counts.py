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

import pandas as pd

from ..concepts.lexicon import Lexicon, default_lexicon, normalise_alias
from ..engine.collection import DocumentSet
from ..errors import PlantraceError
from ..frames import records
from .matching import corpus_mentions, match_corpus
from .provenance import rate_per_10k, with_provenance

COUNT_COLUMNS = ["doc_id", "concept_id", "label", "category", "count", "count_own", "rate_per_10k"]
KWIC_COLUMNS = ["doc_id", "concept_id", "pre", "keyword", "post", "raw_keyword", "raw_context", "start", "end",
                "raw_start", "raw_end", "sentence_id"]


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
                  metadata: bool = True) -> pd.DataFrame:
    """Counts per document and concept over the body; children roll up to parents.

    ``count`` includes mentions of descendant concepts, ``count_own`` only the concept's
    own aliases; ``rate_per_10k`` is per 10,000 body characters, whitespace excluded.
    """
    result = match_corpus(corpus, lexicon)
    lex = result.lexicon
    body = result.mentions[result.mentions["zone"] == "body"]
    own = Counter(zip(body["doc_id"].tolist(), body["concept_id"].tolist()))  # arrow iteration is slow
    rolled = roll_up(own, lex)
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
            row = {"doc_id": doc.doc_id, "concept_id": cid, "label": concept.label,
                   "category": concept.category, "count": n, "count_own": own.get((doc.doc_id, cid), 0),
                   "rate_per_10k": rate_per_10k(n, doc.body_chars)}
            if metadata:
                row.update({k: v for k, v in doc.meta.items() if k not in ("doc_id",)})
            rows.append(row)
    columns = COUNT_COLUMNS + ([c for c in ("file", "title", "issuer", "level", "region", "parent_region",
                                            "year", "date", "doc_type", "script")] if metadata else [])
    return with_provenance(pd.DataFrame(rows, columns=columns), corpus, lex)


def corpus_kwic(corpus: DocumentSet, term: str, *, lexicon: Lexicon | None = None, window: int = 20,
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
        })
    if not rows and concept_id is None and term.isascii():
        # An ascii term that is no concept id and occurs nowhere: almost always a misspelt id.
        raise PlantraceError(f"unknown concept id {term!r}",
                             hint="see `plantrace lexicon check` for ids, or give a Chinese word")
    return with_provenance(pd.DataFrame(rows, columns=KWIC_COLUMNS), corpus, lex if concept_id else None)
