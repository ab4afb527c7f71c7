"""Targets per document of a collection, and 层层加码 of each document against its
parent level's: the tables ``corpus.targets()`` and ``corpus.compare_targets()`` give."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from ...engine.cache import CacheKey
from ...engine.collection import DocumentSet, add_docvars
from ...errors import PlantraceError, did_you_mean
from ...measure.provenance import with_provenance
from ...resources import data_path
from ..pairs import pairs_by_level
from .compare import COMPARISON_COLUMNS, compare_targets
from .extract import extract_targets, targets_frame
from .indicators import IndicatorLexicon, load_indicators

KINDS = ("target", "achievement", "forecast")


def check_kinds(kinds: Sequence[str] | None) -> None:
    """An unknown figure kind is a user mistake, not an empty table."""
    bad = [k for k in kinds or () if k not in KINDS]
    if bad:
        raise PlantraceError(f"unknown kind {bad[0]!r}", hint=did_you_mean(bad[0], KINDS) + f"use one of {', '.join(KINDS)}")


def check_indicators(indicator: str | Sequence[str] | None, indicators: IndicatorLexicon) -> list[str]:
    """The indicator ids asked for (none: all); an unknown id raises with the known ones."""
    if indicator is None:
        return []
    wanted = [indicator] if isinstance(indicator, str) else list(indicator)
    known = [ind.id for ind in indicators.indicators]
    bad = [i for i in wanted if i not in known]
    if bad:
        raise PlantraceError(f"unknown indicator {bad[0]!r}",
                             hint=did_you_mean(bad[0], known)
                             + f"use one of {', '.join(known[:12])}{', …' if len(known) > 12 else ''}")
    return wanted


_indicator_cache: dict[str, IndicatorLexicon] = {}


def default_indicators() -> IndicatorLexicon:
    """The bundled ``data/indicators.yaml`` (loaded once)."""
    if "default" not in _indicator_cache:
        _indicator_cache["default"] = load_indicators(data_path("indicators.yaml"))
    return _indicator_cache["default"]


def corpus_targets(corpus: DocumentSet, indicators: IndicatorLexicon | None = None, *,
                   kinds: Sequence[str] | None = None, indicator: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Numeric figures of every document: targets, achievements and forecasts.

    Columns: doc_id, region, level, year (the document's), then the target's
    ``indicator_id, indicator, value, value_high, unit, qualifier, kind, scope,
    sentence_id, start, end, text`` and the raw offsets ``raw_start, raw_end``.
    """
    indicators = indicators or default_indicators()
    check_kinds(kinds)
    wanted = check_indicators(indicator, indicators)
    key = CacheKey("targets", (indicators.sha256,))
    out: pd.DataFrame | None = corpus.cache.get(key)
    if out is None:
        frames = []
        for doc in corpus.docs:
            found = extract_targets(doc.sentences, year=doc.entry.year, indicators=indicators)
            f = targets_frame(found)
            if f.empty:
                continue
            f = f.rename(columns={"year": "target_year"})
            offsets = [doc.raw_offsets(int(s), int(e)) for s, e in zip(f["start"], f["end"])]
            f["raw_start"] = [o[0] for o in offsets]
            f["raw_end"] = [o[1] for o in offsets]
            f.insert(0, "year", doc.entry.year)
            f.insert(0, "level", doc.entry.level)
            f.insert(0, "region", doc.entry.region)
            f.insert(0, "doc_id", doc.doc_id)
            frames.append(f)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["doc_id", "region", "level", "year"])
        out = corpus.cache.put(key, out)
    if kinds:
        out = out[out["kind"].isin(kinds)].reset_index(drop=True)
    if wanted:
        out = out[out["indicator_id"].isin(wanted)].reset_index(drop=True)
    return with_provenance(add_docvars(out.copy(), corpus), corpus, None)


def corpus_compare_targets(corpus: DocumentSet, indicators: IndicatorLexicon | None = None, *,
                           indicator: str | Sequence[str] | None = None) -> pd.DataFrame:
    """层层加码: each document's own targets against its parent document's (by level).

    Adds ``doc_child, doc_parent, region`` to :func:`plantrace.targets.compare_targets`.
    """
    indicators = indicators or default_indicators()
    wanted = check_indicators(indicator, indicators)
    targets = corpus_targets(corpus, indicators)
    units = {ind.id: ind.unit for ind in indicators.indicators}
    frames = []
    for parent_id, child_id in pairs_by_level(corpus):
        child = targets[targets["doc_id"] == child_id].rename(columns={"year": "doc_year"})
        parent = targets[targets["doc_id"] == parent_id].rename(columns={"year": "doc_year"})
        if child.empty or parent.empty:
            continue
        # compare_targets keys on the target year; a district plan of 2021 is compared
        # with its city's plan of 2020, so both sides take the child's year.
        child = child.assign(year=child["doc_year"])
        parent = parent.assign(year=int(child["doc_year"].iloc[0]))
        cmp = compare_targets(child, parent, indicators.better)
        if cmp.empty:
            continue
        # Across levels only rates compare: a province's 85万 new jobs is not "lower" than
        # the nation's 1200万. Amounts (万人, 亿斤, 亿元) are incomparable between levels.
        amounts = cmp["indicator_id"].map(units).fillna("%") != "%"
        cmp.loc[amounts, "status"] = "incomparable"
        cmp.loc[amounts, "reason"] = ("an amount (" + cmp.loc[amounts, "indicator_id"].map(units)
                                      + ") of a smaller jurisdiction; only rates compare across levels")
        cmp.insert(0, "region", corpus[child_id].entry.region)
        cmp.insert(0, "doc_parent", parent_id)
        cmp.insert(0, "doc_child", child_id)
        frames.append(cmp)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["doc_child", "doc_parent", "region", *COMPARISON_COLUMNS])
    if wanted:
        out = out[out["indicator_id"].isin(wanted)].reset_index(drop=True)
    return with_provenance(out, corpus, None)
