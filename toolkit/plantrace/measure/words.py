"""Word frequencies (pkuseg tokens) and keyness of a target group against the rest."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Literal, Mapping, Sequence

import pandas as pd

from ..concepts.lexicon import Lexicon, default_lexicon
from ..concepts.segment import segment_document, segment_documents
from ..engine.collection import DocumentSet
from ..errors import PlantraceError
from ..resources import data_path
from ..structure.document import Document
from .provenance import rate_per_10k, with_provenance
from .stats import textstat_keyness

_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def load_stopwords(path: str | Path | None = None) -> frozenset[str]:
    """Stop words: one per line, '#' lines are the header (format, source, licence)."""
    p = Path(path) if path else data_path("stopwords.txt")
    if not p.is_file():
        raise PlantraceError("stop-word list not found", file=str(p), hint="give a file with one word per line")
    return frozenset(ln.strip() for ln in p.read_text(encoding="utf-8").splitlines()
                     if ln.strip() and not ln.startswith("#"))


def document_tokens(doc: Document, *, user_dict: Sequence[str] = ()) -> tuple[str, ...]:
    """pkuseg tokens of the body text (cached per text, model and user dictionary)."""
    return segment_document(doc.body_text, user_dict)


def corpus_words(corpus: DocumentSet, *, top: int | None = 50, stopwords: Iterable[str] | None = None,
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
                         "rate_per_10k": rate_per_10k(n, doc.body_chars)})
    frame = pd.DataFrame(rows, columns=["doc_id", "word", "count", "rate_per_10k"])
    if not per_document:
        frame = (frame.groupby("word", as_index=False)
                 .agg(count=("count", "sum"), docs=("doc_id", "nunique"))
                 .sort_values(["count", "word"], ascending=[False, True]))
    else:
        frame = frame.sort_values(["doc_id", "count", "word"], ascending=[True, False, True])
    if top:
        frame = frame.groupby("doc_id").head(top) if per_document else frame.head(top)
    return with_provenance(frame.reset_index(drop=True), corpus, lex)


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


def corpus_keyness(corpus: DocumentSet, target: str | Mapping[str, object], *, measure: str = "lr",
                   stopwords: Iterable[str] | None = None, lexicon: Lexicon | None = None,
                   min_count: int = 2) -> pd.DataFrame:
    """Keyness of words in target documents against the rest (quanteda's textstat_keyness)."""
    if measure not in ("lr", "chi2"):
        raise PlantraceError(f"unknown measure {measure!r}", hint="use lr or chi2")
    keyness_measure: Literal["lr", "chi2"] = "chi2" if measure == "chi2" else "lr"
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
    result = textstat_keyness({str(w): int(n) for w, n in tgt.items()}, {str(w): int(n) for w, n in ref.items()},
                              measure=keyness_measure)
    result = result[(result["n_target"] + result["n_reference"]) >= min_count].reset_index(drop=True)
    result.attrs["target"] = cond
    return with_provenance(result, corpus, lexicon)
