"""Suggest lexicon aliases: variants of existing aliases that occur in the corpus.

Given only 成渝地区双城经济圈, the Qingyang work-report summary's 成渝双城经济圈 is a
variant the lexicon misses. Candidates are corpus substrings that begin with an
alias's first two characters and end with its last two, within a length band; they
are ranked by rapidfuzz similarity and frequency, and must pass the same word-boundary
check as mentions.

>>> from plantrace.concepts.lexicon import lexicon_from_mapping
>>> lex = lexicon_from_mapping({"concepts": [{"id": "cy", "label": "成渝地区双城经济圈"}]})
>>> suggest_aliases(["积极融入成渝双城经济圈发展。推动成渝地区双城经济圈建设"], lex)[["concept_id", "suggestion", "count"]].values.tolist()
[['cy', '成渝双城经济圈', 1]]
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

import pandas as pd

from ..engine.collection import DocumentSet
from .lexicon import Lexicon
from .match import Matcher

_BREAK = re.compile(r"[，。；：、！？,.;:!?“”《》（）()\s]")


def suggest_aliases(texts: Iterable[str], lexicon: Lexicon, *, min_score: float = 75.0,
                    min_len: int = 4) -> pd.DataFrame:
    """Ranked alias suggestions: ``concept_id, alias, suggestion, score, count``."""
    from rapidfuzz import fuzz

    texts = list(texts)
    known = set(lexicon.alias_index)
    matcher = Matcher(lexicon)
    found: Counter[tuple[str, str, str]] = Counter()
    for alias, cid in lexicon.alias_index.items():
        if len(alias) < min_len:
            continue
        head, tail, n = alias[:2], alias[-2:], len(alias)
        lo, hi = max(min_len, n - n // 2), n + n // 2
        for text in texts:
            for m in re.finditer(re.escape(head), text):
                s = m.start()
                for e in range(s + lo, min(len(text), s + hi) + 1):
                    if text[e - 2:e] != tail:
                        continue
                    cand = text[s:e]
                    if cand in known or _BREAK.search(cand) or alias in cand:
                        continue
                    if matcher.judge(text, s, e) is not None:
                        continue
                    found[(cid, alias, cand)] += 1
    rows = []
    for (cid, alias, cand), count in found.items():
        score = fuzz.ratio(alias, cand)
        if score >= min_score:
            rows.append({"concept_id": cid, "alias": alias, "suggestion": cand,
                         "score": round(score, 1), "count": count})
    frame = pd.DataFrame(rows, columns=["concept_id", "alias", "suggestion", "score", "count"])
    return frame.sort_values(["score", "count", "suggestion"], ascending=[False, False, True]).reset_index(drop=True)


def corpus_suggest_aliases(corpus: DocumentSet, lexicon: Lexicon, *, min_score: float = 75.0,
                           min_len: int = 4) -> pd.DataFrame:
    """Suggestions from the body text of every document of a corpus."""
    return suggest_aliases((d.body_text for d in corpus.docs), lexicon, min_score=min_score, min_len=min_len)
