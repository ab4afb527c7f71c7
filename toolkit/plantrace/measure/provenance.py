"""Provenance and rates: the one builder of ``attrs["provenance"]`` and the one
per-10k rate formula every table uses.

>>> rate_per_10k(3, 2000)
15.0
>>> rate_per_10k(1, 0)
0.0
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from .._version import __version__
from ..concepts.intensity import IntensityLexicon
from ..concepts.lexicon import Lexicon
from ..concepts.segment import segmenter_info
from ..engine.collection import DocumentSet


def provenance(corpus: DocumentSet, lexicon: Lexicon | None = None, **extra: Any) -> dict[str, object]:
    """What produced a result: plantrace version, normaliser config, segmenter model,
    manifest hashes and (given one) the lexicon; ``extra`` entries are added last."""
    prov: dict[str, object] = {
        "plantrace_version": __version__,
        "normaliser_config": corpus.config.to_dict(),
        **segmenter_info(),
        "manifest_sha256": corpus.manifest_hashes,
    }
    if corpus.selection:
        prov["subset"] = list(corpus.selection)
    if lexicon is not None:
        prov.update({"lexicon": lexicon.name, "lexicon_sha256": lexicon.sha256})
    if corpus.runner is not None:
        # How the work was executed so far (serial, or on which workers and why): a
        # reviewer sees that a run with --jobs 2 ran serial because its work was small.
        prov["execution"] = corpus.runner.describe()
    prov.update(extra)
    return prov


def with_provenance(frame: pd.DataFrame, corpus: DocumentSet, lexicon: Lexicon | None) -> pd.DataFrame:
    frame.attrs["provenance"] = provenance(corpus, lexicon)
    return frame


def rate_per_10k(count: float, body_chars: int, digits: int | None = 4) -> float:
    """Occurrences per 10,000 body characters (whitespace excluded); 0.0 for an empty body."""
    if not body_chars:
        return 0.0
    rate = count / body_chars * 10_000
    return round(rate, digits) if digits is not None else rate


def lexicon_key(lexicon: Lexicon) -> str:
    """A value that identifies a lexicon's content: its file sha256, or for a lexicon built
    in memory a hash of its concepts and aliases (never ``id()``, which Python reuses)."""
    if lexicon.sha256:
        return lexicon.sha256
    payload = repr((lexicon.name, sorted(lexicon.concepts.items()), sorted(lexicon.alias_index.items())))
    return "mem:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


def intensity_key(intensity: IntensityLexicon) -> str:
    """Like :func:`lexicon_key`, for a commitment-intensity lexicon."""
    if intensity.sha256:
        return intensity.sha256
    return "mem:" + hashlib.sha256(repr(intensity).encode("utf-8")).hexdigest()
