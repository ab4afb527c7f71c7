"""Targets per document of a collection, and 层层加码 of each document against its
parent level's: the tables ``corpus.targets()`` and ``corpus.compare_targets()`` give."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from ...engine.cache import CacheKey
from ...engine.collection import DocumentSet, add_docvars, add_pair_docvars
from ...errors import PlantraceError, did_you_mean
from ...measure.provenance import with_provenance
from ...resources import data_path
from ..pairs import pairs_by_level, pairs_by_year, parent_document
from .compare import COMPARISON_COLUMNS, compare_targets
from .extract import extract_targets, targets_frame
from .indicators import IndicatorLexicon, load_indicators

KINDS = ("target", "achievement", "forecast", "not_set")


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
            # A repeated copy of the report (zone duplicate) states its targets once more: not counted.
            sentences = [s for s in doc.sentences if s.zone != "duplicate"]
            found = extract_targets(sentences, year=doc.entry.year, indicators=indicators,
                                    level=doc.entry.level)
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


AGAINST = ("parent", "previous")
COMPARE_EXTRA_COLUMNS: tuple[str, ...] = ("doc_child", "doc_parent", "region", "parent_year", "years_apart")


def missing_parent_year(corpus: DocumentSet) -> pd.DataFrame:
    """Documents whose parent level has no document of their year, with the earlier parent
    document they are compared with instead (``--compare-parent`` takes the nearest earlier
    year; this table says so): ``doc_id, region, year, doc_parent, parent_year``.

    The 2026 provincial reports have no 2026 national report in the bundled corpora, so
    each is compared with the national report of 2025.
    """
    rows = []
    for doc in corpus.docs:
        parent = parent_document(corpus, doc)
        if parent is not None and parent.entry.year != doc.entry.year:
            rows.append({"doc_id": doc.doc_id, "region": doc.entry.region, "year": doc.entry.year,
                         "doc_parent": parent.doc_id, "parent_year": parent.entry.year})
    out = pd.DataFrame.from_records(rows, columns=["doc_id", "region", "year", "doc_parent", "parent_year"])
    return with_provenance(out, corpus, None)


def missing_parent_note(missing: pd.DataFrame) -> str:
    """One sentence naming the documents of :func:`missing_parent_year` ('' when none).

    >>> import pandas as pd
    >>> missing_parent_note(pd.DataFrame({"doc_id": ["gwr_2026_anhui"], "region": ["安徽省"],
    ...     "year": [2026], "doc_parent": ["gwr_national_2025"], "parent_year": [2025]}))
    '1 document has no parent-level document of its year and is compared with an earlier one: gwr_2026_anhui (2026) with gwr_national_2025 (2025).'
    """
    if missing.empty:
        return ""
    n = len(missing)
    groups = missing.groupby(["doc_parent", "parent_year", "year"], sort=True)
    parts = []
    for (parent, p_year, year), g in groups:
        docs = ", ".join(g["doc_id"].astype(str))
        parts.append(f"{docs} ({year}) with {parent} ({p_year})")
    noun = "document has" if n == 1 else "documents have"
    return (f"{n} {noun} no parent-level document of {'its' if n == 1 else 'their'} year "
            f"and {'is' if n == 1 else 'are'} compared with an earlier one: " + "; ".join(parts) + ".")


def corpus_compare_targets(corpus: DocumentSet, indicators: IndicatorLexicon | None = None, *,
                           indicator: str | Sequence[str] | None = None,
                           against: str = "parent") -> pd.DataFrame:
    """层层加码: each document's own targets against its parent document's (``against="parent"``,
    by level) or against the same issuer's previous document (``against="previous"``: same
    issuer, region and doc_type, the latest earlier year).

    Adds ``doc_child, doc_parent, region, parent_year, years_apart`` to
    :func:`plantrace.compare.targets.compare_targets`; with ``against="previous"`` the
    ``*_parent`` columns and ``doc_parent`` hold the earlier document.  Both sides are
    keyed on the child's year (a 2026 province is compared with the 2025 national target:
    ``parent_year`` says so, and :func:`missing_parent_year` lists such documents).
    Across levels amounts are ``incomparable``; against the previous year they compare.
    """
    if against not in AGAINST:
        raise PlantraceError(f"unknown comparison {against!r}", hint="use against='parent' or 'previous'")
    indicators = indicators or default_indicators()
    wanted = check_indicators(indicator, indicators)
    targets = corpus_targets(corpus, indicators)
    units = {ind.id: ind.unit for ind in indicators.indicators}
    pairs = pairs_by_level(corpus) if against == "parent" else pairs_by_year(corpus, same_type=True)
    frames = []
    for parent_id, child_id in pairs:
        child = targets[targets["doc_id"] == child_id].rename(columns={"year": "doc_year"})
        parent = targets[targets["doc_id"] == parent_id].rename(columns={"year": "doc_year"})
        if child.empty or parent.empty:
            continue
        # compare_targets keys on the target year; a district plan of 2021 is compared
        # with its city's plan of 2020, so both sides take the child's year.
        child_year = int(corpus[child_id].entry.year)
        parent_year = int(corpus[parent_id].entry.year)
        child = child.assign(year=child["doc_year"])
        parent = parent.assign(year=child_year)
        cmp = compare_targets(child, parent, indicators.better)
        if cmp.empty:
            continue
        if against == "parent":
            # Across levels only rates compare: a province's 85万 new jobs is not "lower" than
            # the nation's 1200万. Amounts (万人, 亿斤, 亿元) are incomparable between levels.
            amounts = cmp["indicator_id"].map(units).fillna("%") != "%"
            cmp.loc[amounts, "status"] = "incomparable"
            cmp.loc[amounts, "reason"] = ("an amount (" + cmp.loc[amounts, "indicator_id"].map(units)
                                          + ") of a smaller jurisdiction; only rates compare across levels")
        cmp.insert(0, "years_apart", child_year - parent_year)
        cmp.insert(0, "parent_year", parent_year)
        cmp.insert(0, "region", corpus[child_id].entry.region)
        cmp.insert(0, "doc_parent", parent_id)
        cmp.insert(0, "doc_child", child_id)
        frames.append(cmp)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[*COMPARE_EXTRA_COLUMNS, *COMPARISON_COLUMNS])
    for col in ("parent_year", "years_apart"):
        out[col] = out[col].astype("Int64")
    if wanted:
        out = out[out["indicator_id"].isin(wanted)].reset_index(drop=True)
    return with_provenance(add_pair_docvars(out, corpus, "child_parent"), corpus, None)
