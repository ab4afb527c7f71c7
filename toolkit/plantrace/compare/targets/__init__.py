"""Numeric targets: the indicator lexicon, extraction from sentences, comparison between
levels, and the per-document tables.

The names of the former ``plantrace.targets`` module are re-exported here.
"""

from .compare import COMPARISON_COLUMNS, compare_targets, qualifier_strength
from .extract import (
    QUALIFIER_CLASS,
    QUALIFIER_RANK,
    TARGET_COLUMNS,
    SentenceLike,
    Target,
    extract_targets,
    targets_frame,
)
from .indicators import Indicator, IndicatorLexicon, IndicatorLexiconError, load_indicators

__all__ = [
    "COMPARISON_COLUMNS",
    "QUALIFIER_CLASS",
    "QUALIFIER_RANK",
    "TARGET_COLUMNS",
    "Indicator",
    "IndicatorLexicon",
    "IndicatorLexiconError",
    "SentenceLike",
    "Target",
    "compare_targets",
    "extract_targets",
    "load_indicators",
    "qualifier_strength",
    "targets_frame",
]
