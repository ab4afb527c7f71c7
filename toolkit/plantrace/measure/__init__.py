"""Measurement over a document collection: matching, counts, KWIC, words and keyness.

The names of the former ``plantrace.measure`` module are re-exported here for one
release (notebooks, benchmarks); code inside the package imports the submodules.
"""

from .counts import COUNT_COLUMNS, KWIC_COLUMNS, corpus_counts, corpus_kwic, credits, roll_up
from .matching import (
                       HEADING_SEP,
                       MENTION_COLUMNS,
                       REJECTED_COLUMNS,
                       MatchResult,
                       Mention,
                       corpus_mentions,
                       corpus_rejected,
                       judge_document,
                       match_corpus,
                       match_document,
)
from .provenance import lexicon_key, provenance, rate_per_10k, with_provenance
from .words import corpus_keyness, corpus_words, document_tokens, load_stopwords, parse_target

__all__ = ["COUNT_COLUMNS", "HEADING_SEP", "KWIC_COLUMNS", "MENTION_COLUMNS", "REJECTED_COLUMNS", "MatchResult",
           "Mention", "corpus_counts", "corpus_keyness", "corpus_kwic", "corpus_mentions", "corpus_rejected",
           "corpus_words", "credits", "document_tokens", "judge_document", "lexicon_key", "load_stopwords",
           "match_corpus", "match_document", "parse_target", "provenance", "rate_per_10k", "roll_up",
           "with_provenance"]
