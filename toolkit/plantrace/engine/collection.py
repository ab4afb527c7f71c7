"""The document collection every analysis layer works on.

:class:`DocumentSet` is what the loader returns and what measurement, comparison and
the report take; :class:`plantrace.corpus.Corpus` subclasses it with the analysis
methods, so layers below the façade never import it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

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
    #: The conditions this collection was subset by (``year>=2000``…), recorded in provenance.
    selection: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __repr__(self) -> str:
        """One short line, like quanteda's print: size, years, levels, docvars.

        >>> DocumentSet([], [Path("corpora/chengdu")], NormaliserConfig())
        <DocumentSet 'chengdu': 0 documents>
        """
        years = sorted({d.entry.year for d in self.docs})
        levels = list(dict.fromkeys(d.entry.level for d in self.docs))
        span = f", {years[0]}-{years[-1]}" if len(years) > 1 else (f", {years[0]}" if years else "")
        parts = [f"<{type(self).__name__} {self.name!r}: {len(self.docs)} document{'s' * (len(self.docs) != 1)}{span}"]
        if levels:
            parts.append(f"; {', '.join(levels[:6])}{', …' if len(levels) > 6 else ''}")
        names = self.docvar_names
        if names:
            parts.append(f"; docvars: {', '.join(names[:6])}{', …' if len(names) > 6 else ''}")
        return "".join(parts) + ">"

    def subset(self: _S, *where: str, **equals: object) -> _S:
        """The documents that meet every condition, as a collection of the same kind
        (quanteda's ``corpus_subset``). A condition is ``COLUMN OP VALUE`` over the
        manifest's columns and the docvars: ``=`` / ``!=`` (a comma list means any of
        them: ``level=city,district``), ``>=``, ``<=``, ``>``, ``<`` (numbers, e.g.
        ``year>=2000``); keywords are equalities: ``subset(level="provincial")``.
        An unknown column, or a subset with no documents, is a :class:`PlantraceError`.

        >>> parse_condition("year>=2000"), parse_condition("level = city,district")
        (('year', '>=', '2000'), ('level', '=', 'city,district'))
        """
        conditions = [*where, *(f"{k}={','.join(map(str, v)) if isinstance(v, (list, tuple, set)) else v}"
                                for k, v in equals.items())]
        if not conditions:
            return self
        parsed = [parse_condition(c) for c in conditions]
        known = [*self.docs[0].meta, "corpus", *self.docvar_names] if self.docs else ["doc_id"]
        for col, _, _ in parsed:
            if col not in known:
                close = difflib.get_close_matches(col, known, n=1)
                raise PlantraceError(f"unknown column {col!r} in the condition",
                                     hint=(f"did you mean {close[0]!r}? " if close else "")
                                     + f"columns: {', '.join(known)}")
        kept = [d for d in self.docs if all(_meets(d, *c) for c in parsed)]
        if not kept:
            shown = " and ".join(conditions)
            raise PlantraceError(f"no document of {len(self.docs)} meets {shown}",
                                 hint="check the values (plantrace corpus CORPUS lists them)")
        return replace(self, docs=kept, cache=ResultCache(), owns_runner=False,
                       selection=self.selection + tuple(conditions))

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
                "raw_chars": d.raw_length, "chars": sum(sizes.values()),
                "front_chars": sizes["front"], "body_chars": sizes["body"], "back_chars": sizes["back"],
                "duplicate_chars": sizes["duplicate"],
                "headings": d.heading_count(), "sentences": d.sentence_count("body"),
            })
        frame = add_docvars(pd.DataFrame(rows), self)
        frame.attrs["provenance"] = self.provenance()
        return frame

    @property
    def docvar_names(self) -> list[str]:
        """The researcher's own manifest columns (beyond plantrace's), in header order."""
        return docvar_names(self)

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
            **({"subset": list(self.selection)} if self.selection else {}),
            "warnings": [{"file": f, "warning": w} for f, w in self.warnings],
            "replaced_invalid_bytes": [{"file": f, "count": n} for f, n in self.replaced],
        }


_S = TypeVar("_S", bound=DocumentSet)
_CONDITION = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(==|!=|>=|<=|=|>|<)\s*(.*?)\s*$")


def parse_condition(text: str) -> tuple[str, str, str]:
    """``"year>=2000"`` → ``("year", ">=", "2000")``; ``==`` is ``=``."""
    m = _CONDITION.match(text)
    if not m or not m.group(3):
        raise PlantraceError(f"cannot read the condition {text!r}",
                             hint="write COLUMN=VALUE, COLUMN!=VALUE or COLUMN>=NUMBER, e.g. "
                                  "doc_type=government_work_report or year>=2000")
    col, op, value = m.groups()
    return col, "=" if op == "==" else op, value


def _value(doc: Document, column: str) -> object:
    if column == "corpus":
        return doc.corpus_name
    meta = doc.meta
    return meta[column] if column in meta else doc.entry.extra.get(column, "")


def _meets(doc: Document, column: str, op: str, value: str) -> bool:
    have = _value(doc, column)
    if op in ("=", "!="):
        hit = str(have) in {v.strip() for v in value.split(",")}
        return hit if op == "=" else not hit
    try:
        left, right = float(str(have)), float(value)
    except ValueError:
        if not str(have).strip():
            return False  # an empty cell meets no numeric condition
        raise PlantraceError(f"{column}{op}{value}: {column} {have!r} of {doc.doc_id} is not a number",
                             hint=f"use {column}=VALUE for text columns") from None
    return {">=": left >= right, "<=": left <= right, ">": left > right, "<": left < right}[op]


#: Prefix of a docvar whose name is already a column of the frame it joins (``docvar_label``).
DOCVAR_PREFIX = "docvar_"


def docvar_names(docs: Iterable[Document] | DocumentSet) -> list[str]:
    """The extra manifest columns (document variables, as quanteda's docvars) of a
    collection, in header order; over several corpus folders, every folder's columns.

    >>> docvar_names([])
    []
    """
    names: dict[str, None] = {}
    for d in docs:
        names.update(dict.fromkeys(d.entry.extra))
    return list(names)


def docvar_column(name: str, taken: Iterable[str]) -> str:
    """The column a docvar gets in a frame that already has ``taken`` columns: its own
    name, or ``docvar_<name>`` when plantrace's frame already uses the name.

    >>> docvar_column("leader", ["doc_id", "count"]), docvar_column("label", ["doc_id", "label"])
    ('leader', 'docvar_label')
    """
    return DOCVAR_PREFIX + name if name in set(taken) else name


def docvars_frame(docs: Iterable[Document] | DocumentSet, *, key: str = "doc_id", suffix: str = "") -> pd.DataFrame:
    """One row per document: ``key`` (the doc_id) and every docvar, named ``<name><suffix>``.

    The one helper for joining the researcher's manifest columns onto a frame; for a
    pair frame join it twice, e.g. ``key="doc_a", suffix="_a"`` and
    ``key="doc_b", suffix="_b"``. Values are the manifest's text ("" where a corpus
    folder lacks the column).
    """
    docs = list(docs)
    names = docvar_names(docs)
    rows = [{key: d.doc_id, **{n + suffix: d.entry.extra.get(n, "") for n in names}} for d in docs]
    return pd.DataFrame(rows, columns=[key, *(n + suffix for n in names)])


def add_docvars(frame: pd.DataFrame, docs: Iterable[Document] | DocumentSet, *, on: str = "doc_id",
                suffix: str = "") -> pd.DataFrame:
    """``frame`` with the docvars of its documents appended as the last columns (by ``on``);
    a docvar whose name the frame already uses is renamed (:func:`docvar_column`).
    The frame is returned unchanged when the manifests have no extra columns; attrs are kept.
    """
    vars_ = docvars_frame(docs, key=on, suffix=suffix)
    if len(vars_.columns) == 1:
        return frame
    taken = list(frame.columns)
    vars_ = vars_.rename(columns={c: docvar_column(c, taken) for c in vars_.columns[1:]})
    mapping = vars_.drop_duplicates(on).set_index(on)
    out = frame.copy()
    keys = out[on]
    for col in mapping.columns:
        out[col] = keys.map(mapping[col]).fillna("").astype(object)
    out.attrs = dict(frame.attrs)
    return out


#: The two document columns of each pair frame and the suffixes their docvars get.
PAIR_KEYS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "ab": (("doc_a", "_a"), ("doc_b", "_b")),
    "child_parent": (("doc_child", "_child"), ("doc_parent", "_parent")),
}


def add_pair_docvars(frame: pd.DataFrame, docs: Iterable[Document] | DocumentSet, pair: str = "ab") -> pd.DataFrame:
    """A pair frame (a diff, an alignment, a target comparison) with the docvars of both
    of its documents as the last columns: ``leader_a``, ``leader_b`` for ``doc_a`` and
    ``doc_b`` (``pair="ab"``), ``leader_child``, ``leader_parent`` for ``doc_child`` and
    ``doc_parent`` (``pair="child_parent"``); named by :func:`docvar_column` where the
    frame already has the name. Unchanged when the manifests have no extra columns.

    >>> frame = pd.DataFrame({"doc_a": ["x"], "doc_b": ["y"]})
    >>> list(add_pair_docvars(frame, []).columns)
    ['doc_a', 'doc_b']
    """
    docs = list(docs)
    for key, suffix in PAIR_KEYS[pair]:
        frame = add_docvars(frame, docs, on=key, suffix=suffix)
    return frame
