"""A concept's presence, rate and intensity along chains of documents (years of one
issuer, or the levels from the nation down)."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from ..concepts.lexicon import Lexicon, default_lexicon
from ..engine.collection import DocumentSet
from ..errors import PlantraceError, did_you_mean
from ..measure.provenance import rate_per_10k, with_provenance
from ..structure.document import Document
from .pairs import _order_key, parent_document
from .profile import default_intensity, profile


def corpus_trajectory(corpus: DocumentSet, concepts: Sequence[str], *, by: str = "year",
                      lexicon: Lexicon | None = None) -> pd.DataFrame:
    """A concept's presence, rate and intensity along chains of documents.

    ``by="year"``: each issuer/region's documents in time order; ``by="level"``: each
    document's chain of parents (national → province → city → district).
    """
    lexicon = lexicon or default_lexicon()
    ids = []
    for c in concepts:
        cid = lexicon.resolve(c)
        if cid is None:
            raise PlantraceError(f"unknown concept {c!r}", hint=did_you_mean(c, lexicon.concepts)
                                 + "give a concept id or alias of the lexicon")
        ids.append(cid)
    prof = profile(corpus, lexicon, default_intensity()).set_index(["doc_id", "concept_id"])
    chains: list[list[Document]] = []
    if by == "year":
        groups: dict[tuple[str, str, str], list[Document]] = {}
        for d in corpus.docs:
            groups.setdefault((d.entry.issuer, d.entry.region, d.entry.doc_type), []).append(d)
        chains = [sorted(g, key=_order_key) for g in groups.values()]
    elif by == "level":
        for d in corpus.docs:
            chain = [d]
            p = parent_document(corpus, d)
            while p is not None and p not in chain:
                chain.insert(0, p)
                p = parent_document(corpus, p)
            if len(chain) > 1:
                chains.append(chain)
        # keep only maximal chains (a chain that is a prefix of another is dropped)
        ends = {tuple(x.doc_id for x in c) for c in chains}
        chains = [c for c in chains if not any(len(o) > len(c) and o[:len(c)] == tuple(x.doc_id for x in c)
                                               for o in ends)]
    else:
        raise PlantraceError(f"unknown chain {by!r}", hint="use year or level")
    rows = []
    for n, chain in enumerate(chains):
        for pos, d in enumerate(chain):
            for cid in ids:
                cnt = int(prof["count"].get((d.doc_id, cid), 0))
                rows.append({
                    "chain": n, "position": pos, "doc_id": d.doc_id, "level": d.entry.level,
                    "region": d.entry.region, "year": d.entry.year, "concept_id": cid,
                    "label": lexicon.concepts[cid].label, "present": cnt > 0, "count": cnt,
                    "rate_per_10k": rate_per_10k(cnt, d.body_chars),
                    "intensity_max": prof["intensity_max"].get((d.doc_id, cid), pd.NA) if cnt else pd.NA,
                })
    return with_provenance(pd.DataFrame(rows), corpus, lexicon)
