"""The document collection every analysis layer works on.

:class:`DocumentSet` is what the loader returns and what measurement, comparison and
the report take; :class:`plantrace.corpus.Corpus` subclasses it with the analysis
methods, so layers below the façade never import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from .._version import __version__
from ..errors import PlantraceError
from ..structure.document import Document
from ..text.normalise import NormaliserConfig
from .cache import ResultCache
from .runner import Runner


@dataclass
class DocumentSet:
    """Documents from one or more corpus folders, in manifest order."""

    docs: list[Document]
    paths: list[Path]
    config: NormaliserConfig
    manifest_hashes: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Results computed from this collection (matches per lexicon hash …): no stage redoes work.
    cache: ResultCache = field(default_factory=ResultCache, repr=False, compare=False)
    #: What matching has learnt per document (doc_id → state), kept across lexicons.
    match_state: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: The DuckDB store documents and matches are kept in (None: no store).
    store_path: Path | None = field(default=None, repr=False, compare=False)
    store_stats: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    #: Files read with invalid bytes replaced (encoding_errors=replace), with the count.
    replaced: list[tuple[str, int]] = field(default_factory=list, repr=False, compare=False)
    #: Where per-document work runs (serial, local processes, Dask); see plantrace.engine.runner.
    runner: Runner | None = field(default=None, repr=False, compare=False)
    owns_runner: bool = field(default=False, repr=False, compare=False)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.docs)

    def __len__(self) -> int:
        return len(self.docs)

    def __getitem__(self, doc_id: str) -> Document:
        for d in self.docs:
            if d.doc_id == doc_id:
                return d
        known = ", ".join(d.doc_id for d in self.docs[:8])
        raise PlantraceError(f"no document with doc_id {doc_id!r}",
                             hint=f"use one of the manifest's doc_ids ({known}{', …' if len(self.docs) > 8 else ''})")

    @property
    def doc_ids(self) -> list[str]:
        return [d.doc_id for d in self.docs]

    @property
    def warnings(self) -> list[tuple[str, str]]:
        """(file, message) for every document used otherwise than declared (script)."""
        return [(str(d.entry.path), d.script_warning) for d in self.docs if d.script_warning]

    @property
    def name(self) -> str:
        return "+".join(p.name for p in self.paths)

    def to_frame(self) -> pd.DataFrame:
        """One row per document: manifest metadata, size, encoding, script, zone sizes."""
        rows = []
        for d in self.docs:
            sizes = d.zone_sizes()
            rows.append({
                **d.meta, "corpus": d.corpus_name, "encoding": d.encoding,
                "script_used": d.config.script, "script_warning": d.script_warning,
                "rejoin_lines": d.config.rejoin_lines,
                "raw_chars": len(d.raw), "chars": sum(sizes.values()),
                "front_chars": sizes["front"], "body_chars": sizes["body"], "back_chars": sizes["back"],
                "duplicate_chars": sizes["duplicate"],
                "headings": len(d.headings), "sentences": sum(1 for s in d.sentences if s.zone == "body"),
            })
        return pd.DataFrame(rows)

    def explain_frame(self) -> pd.DataFrame:
        return pd.concat([d.explain_frame() for d in self.docs], ignore_index=True)

    def provenance(self) -> dict[str, object]:
        """What produced every result of this collection (recorded in every output)."""
        return {
            "plantrace_version": __version__,
            "corpora": [str(p) for p in self.paths],
            "manifest_sha256": self.manifest_hashes,
            "normaliser_config": self.config.to_dict(),
            "documents": {d.doc_id: {"raw_sha256": d.raw_sha256, "encoding": d.encoding,
                                     "script": d.config.script, "rejoin_lines": d.config.rejoin_lines}
                          for d in self.docs},
            "skipped": [{"file": f, "reason": r} for f, r in self.skipped],
            "warnings": [{"file": f, "warning": w} for f, w in self.warnings],
            "replaced_invalid_bytes": [{"file": f, "count": n} for f, n in self.replaced],
        }
