"""Which documents to compare: successive years of one issuer, a document and its parent
level's.

>>> import plantrace
>>> corpus = plantrace.load_corpus("corpora/chengdu")
>>> pairs_by_level(corpus)[0]
('chengdu_2020_party_proposal', 'qingyang_2021_plan_outline')
"""

from __future__ import annotations

from ..engine.collection import DocumentSet
from ..ingest.manifest import LEVEL_RANK
from ..structure.document import Document


def _order_key(doc: Document) -> tuple[int, str, str]:
    return (doc.entry.year, doc.entry.date or "", doc.doc_id)


def pairs_by_year(corpus: DocumentSet, *, same_type: bool = True) -> list[tuple[str, str]]:
    """Successive documents of the same issuer and region (and document type)."""
    groups: dict[tuple[str, ...], list[Document]] = {}
    for d in corpus.docs:
        key = (d.entry.issuer, d.entry.region) + ((d.entry.doc_type,) if same_type else ())
        groups.setdefault(key, []).append(d)
    pairs: list[tuple[str, str]] = []
    for docs in groups.values():
        docs = sorted(docs, key=_order_key)
        pairs.extend((a.doc_id, b.doc_id) for a, b in zip(docs, docs[1:]))
    return pairs


def parent_document(corpus: DocumentSet, doc: Document) -> Document | None:
    """The parent region's document of the same or nearest earlier year, preferring the
    same document type (a provincial work report finds the national work report)."""
    parent_region = doc.entry.parent_region
    if not parent_region:
        return None
    candidates = [d for d in corpus.docs if d.entry.region == parent_region and d.entry.year <= doc.entry.year
                  and LEVEL_RANK.get(d.entry.level, 9) < LEVEL_RANK.get(doc.entry.level, 9)]
    if not candidates:
        return None
    best_year = max(d.entry.year for d in candidates)
    same_year = [d for d in candidates if d.entry.year == best_year]
    same_year.sort(key=lambda d: (d.entry.doc_type != doc.entry.doc_type, d.entry.date or "", d.doc_id))
    return same_year[0]


def pairs_by_level(corpus: DocumentSet) -> list[tuple[str, str]]:
    """(parent, child) for every document whose parent region has a document."""
    out = []
    for d in corpus.docs:
        p = parent_document(corpus, d)
        if p is not None:
            out.append((p.doc_id, d.doc_id))
    return out


def same_series(a: Document, b: Document) -> bool:
    """Whether two documents are successive reports of one issuer (a year pair)."""
    return (a.entry.issuer, a.entry.region, a.entry.doc_type) == (b.entry.issuer, b.entry.region, b.entry.doc_type)


def pair_context(a: Document, b: Document) -> dict[str, object]:
    """What a reader needs beside a pair's numbers: the years, levels, document types and
    regions, and for a year pair the years it skips (1988 → 1992 skips 3 years without a
    report, so its changes are not a year's change).

    >>> import plantrace
    >>> national = plantrace.load_corpus("corpora/gwr-national")
    >>> c = pair_context(national["gwr_national_1988"], national["gwr_national_1992"])
    >>> c["years_apart"], c["gap_years"], c["crosses_gap"]
    (4, 3, True)
    """
    apart = b.entry.year - a.entry.year
    gap = max(apart - 1, 0) if same_series(a, b) else 0
    return {"year_a": a.entry.year, "year_b": b.entry.year, "years_apart": apart, "gap_years": gap,
            "crosses_gap": gap > 0, "level_a": a.entry.level, "level_b": b.entry.level,
            "doc_type_a": a.entry.doc_type, "doc_type_b": b.entry.doc_type,
            "region_a": a.entry.region, "region_b": b.entry.region}
