"""Sentence reuse between two documents of a collection: B's body sentences aligned to
A's (copied / rewritten / new / removed), and the share of B copied or rewritten."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..engine.collection import DocumentSet, add_pair_docvars
from ..measure.provenance import with_provenance
from .align import align_sentences, reuse_share


def corpus_align(corpus: DocumentSet, a: str, b: str, **kw: Any) -> pd.DataFrame:
    """Align B's body sentences to A's (copied / rewritten / new / removed), with texts."""
    doc_a, doc_b = corpus[a], corpus[b]
    sa = [s for s in doc_a.sentences if s.zone == "body"]
    sb = [s for s in doc_b.sentences if s.zone == "body"]
    frame = align_sentences([s.text for s in sa], [s.text for s in sb], **kw)
    frame.insert(0, "doc_b", b)
    frame.insert(0, "doc_a", a)
    frame["text_a"] = [sa[int(i)].text if pd.notna(i) else "" for i in frame["a_index"]]
    frame["text_b"] = [sb[int(i)].text if pd.notna(i) else "" for i in frame["b_index"]]
    frame["sentence_id_a"] = [sa[int(i)].id if pd.notna(i) else pd.NA for i in frame["a_index"]]
    frame["sentence_id_b"] = [sb[int(i)].id if pd.notna(i) else pd.NA for i in frame["b_index"]]
    return with_provenance(add_pair_docvars(frame, [doc_a, doc_b]), corpus, None)


def corpus_reuse_share(corpus: DocumentSet, a: str, b: str) -> float:
    """Share of B's body characters in sentences copied or rewritten from A."""
    frame = corpus_align(corpus, a, b)
    return frame_reuse_share(frame)


def frame_reuse_share(frame: pd.DataFrame) -> float:
    """:func:`plantrace.compare.align.reuse_share` of an alignment frame of this module."""
    lengths = {int(i): len(t) for i, t in zip(frame["b_index"], frame["text_b"]) if t}
    return reuse_share(frame, lengths)
