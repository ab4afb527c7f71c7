"""Corpus and Document: the original text, what was done to it, and its structure.

Like a quanteda corpus, a :class:`Document` keeps its raw text untouched; the
normalised text, zones, headings and sentences are derived once at load time and
carry offsets back to the raw file.

>>> import plantrace
>>> corpus = plantrace.load_corpus("corpora/chengdu")
>>> doc = corpus["xindu_2021_signed_article"]
>>> doc.encoding, doc.config.script, "构建区域协同枢纽" in doc.text
('utf-8', 'traditional', True)
>>> s, e = doc.find("构建区域协同枢纽")
>>> doc.raw_span(s, e)
'構(gòu)建區(qū)域協(xié)同樞紐'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import pandas as pd

from . import __version__
from .errors import PlantraceError
from .ingest import DEFAULT_MAX_BYTES, RawText, read_raw
from .manifest import ManifestEntry, manifest_sha256, read_manifest
from .normalise import NormaliserConfig, StepReport, normalise_mapped, script_mismatch
from .structure import Heading, Paragraph, Sentence, Structure, split_structure
from .textmap import MappedText
from .zones import Zone, ZoneRules, detect_zones

ProgressFn = Callable[[str, int, int], None]
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Document:
    """One document: raw text, normalised text with raw offsets, zones and structure."""

    entry: ManifestEntry
    raw: str
    encoding: str
    source_format: str
    config: NormaliserConfig  # resolved: script and line joining decided
    mapped: MappedText
    zones: tuple[Zone, ...]
    structure: Structure
    explanation: tuple[StepReport, ...]
    corpus_name: str = ""
    #: Store key: raw sha256 and config hash (see :func:`document_key`).
    key: str = ""

    @property
    def doc_id(self) -> str:
        return self.entry.doc_id

    @property
    def meta(self) -> dict[str, object]:
        return self.entry.metadata()

    @property
    def script_warning(self) -> str:
        """Why the script used is not the one declared ('' when it is): a traditional
        text declared simplified (:func:`plantrace.normalise.script_mismatch`)."""
        if self.entry.script == "simplified" and self.config.script != "simplified":
            return script_mismatch(self.entry.script, self.raw) or (
                f"declared script=simplified, but converted as {self.config.script}")
        return ""

    @property
    def text(self) -> str:
        """The normalised text (all zones)."""
        return self.mapped.text

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return self.structure.paragraphs

    @property
    def headings(self) -> tuple[Heading, ...]:
        return self.structure.headings

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return self.structure.sentences

    @cached_property
    def raw_sha256(self) -> str:
        return hashlib.sha256(self.raw.encode("utf-8")).hexdigest()

    def zone(self, name: str) -> Zone | None:
        return next((z for z in self.zones if z.name == name), None)

    @property
    def body_span(self) -> tuple[int, int]:
        z = self.zone("body")
        return (z.start, z.end) if z else (0, 0)

    @property
    def body_text(self) -> str:
        s, e = self.body_span
        return self.text[s:e]

    @cached_property
    def body_chars(self) -> int:
        """Characters of body text, whitespace excluded: the denominator of rates."""
        body = self.body_text
        # ``\s`` on str patterns is exactly str.isspace() (CPython's sre uses Py_UNICODE_ISSPACE).
        return len(body) - len(_WHITESPACE.findall(body))

    def zone_sizes(self) -> dict[str, int]:
        sizes = {"front": 0, "body": 0, "back": 0}
        for z in self.zones:
            sizes[z.name] += sum(1 for ch in self.text[z.start:z.end] if not ch.isspace())
        return sizes

    def raw_offsets(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` of a normalised span."""
        return self.mapped.raw_span(start, end)

    def raw_span(self, start: int, end: int) -> str:
        """The raw text behind a normalised span: what a citation quotes."""
        a, b = self.mapped.raw_span(start, end)
        return self.raw[a:b]

    def find(self, needle: str, start: int = 0) -> tuple[int, int]:
        """Normalised span of the first occurrence of ``needle`` (ValueError if absent)."""
        i = self.text.index(needle, start)
        return i, i + len(needle)

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing a normalised offset (binary search)."""
        sents = self.sentences
        lo, hi = 0, len(sents)
        while lo < hi:
            mid = (lo + hi) // 2
            if sents[mid].end <= offset:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(sents) and sents[lo].start <= offset < sents[lo].end:
            return sents[lo]
        return None

    def to_spacy(self, lexicon: object = None, *, zone: str | None = "body"):  # type: ignore[no-untyped-def]
        """A spaCy ``Doc`` (pkuseg tokens) with concept mentions in ``doc.spans["concepts"]``."""
        from .nlp import document_to_spacy

        return document_to_spacy(self, lexicon, zone=zone)

    def explain_frame(self) -> pd.DataFrame:
        """Each normalisation step and how many changes it made to this document."""
        return pd.DataFrame(
            [{"doc_id": self.doc_id, "step": r.step, "changes": r.changes,
              "chars_removed": r.chars_removed,
              "examples": " | ".join(f"{a!r} → {b or '∅'!r} in {c}" for a, b, c in r.examples)}
             for r in self.explanation]
        )


def _declared_config(entry: ManifestEntry, raw: RawText, config: NormaliserConfig) -> NormaliserConfig:
    """The config with the manifest's script, except a traditional text declared simplified:
    converted as auto would (see :func:`plantrace.normalise.script_mismatch`)."""
    if entry.script == "auto":
        return config
    if script_mismatch(entry.script, raw.text):
        return replace(config, script="traditional")
    return replace(config, script=entry.script)


def build_document(entry: ManifestEntry, raw: RawText, config: NormaliserConfig,
                   zone_rules: ZoneRules | None = None, corpus_name: str = "") -> Document:
    """Normalise, zone and structure one ingested document."""
    cfg = _declared_config(entry, raw, config)
    mapped, resolved, reports = normalise_mapped(raw.text, cfg, explain=True)
    zones = tuple(detect_zones(mapped.text, zone_rules))
    structure = split_structure(mapped.text, list(zones))
    return Document(entry, raw.text, raw.encoding, raw.source_format, resolved, mapped, zones,
                    structure, tuple(reports), corpus_name)


@dataclass
class Corpus:
    """Documents from one or more corpus folders, in manifest order."""

    docs: list[Document]
    paths: list[Path]
    config: NormaliserConfig
    manifest_hashes: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Results computed from this corpus (matches per lexicon hash …): no stage redoes work.
    cache: dict[object, object] = field(default_factory=dict, repr=False, compare=False)
    #: The DuckDB store documents and matches are kept in (None: no store).
    store_path: Path | None = field(default=None, repr=False, compare=False)
    store_stats: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    #: Files read with invalid bytes replaced (encoding_errors=replace), with the count.
    replaced: list[tuple[str, int]] = field(default_factory=list, repr=False, compare=False)
    #: Where per-document work runs (serial, local processes, Dask); see plantrace.parallel.
    runner: object = field(default=None, repr=False, compare=False)
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
                "rejoin_lines": d.config.rejoin_lines, "raw_chars": len(d.raw), "chars": sum(sizes.values()),
                "front_chars": sizes["front"], "body_chars": sizes["body"], "back_chars": sizes["back"],
                "headings": len(d.headings), "sentences": sum(1 for s in d.sentences if s.zone == "body"),
            })
        return pd.DataFrame(rows)

    def explain_frame(self) -> pd.DataFrame:
        return pd.concat([d.explain_frame() for d in self.docs], ignore_index=True)

    # Analysis methods: thin delegates, so notebooks read ``corpus.counts()``; the
    # work lives in measure.py and diff.py and is cached in ``self.cache``.
    def counts(self, lexicon=None, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        """Concept counts per document (see :func:`plantrace.measure.corpus_counts`)."""
        from .measure import corpus_counts

        return corpus_counts(self, lexicon, **kw)

    def mentions(self, lexicon=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .measure import corpus_mentions

        return corpus_mentions(self, lexicon)

    def rejected(self, lexicon=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .measure import corpus_rejected

        return corpus_rejected(self, lexicon)

    def kwic(self, term: str, window: int = 20, lexicon=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .measure import corpus_kwic

        return corpus_kwic(self, term, window=window, lexicon=lexicon)

    def words(self, top: int | None = 50, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .measure import corpus_words

        return corpus_words(self, top=top, **kw)

    def keyness(self, target: str, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .measure import corpus_keyness

        return corpus_keyness(self, target, **kw)

    def diff(self, by: str | None = "level", pair: tuple[str, str] | None = None, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        """Concept changes (see :func:`plantrace.diff.corpus_diff`)."""
        from .diff import corpus_diff

        return corpus_diff(self, by=by, pair=pair, **kw)

    def targets(self, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .diff import corpus_targets

        return corpus_targets(self, **kw)

    def compare_targets(self, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .diff import corpus_compare_targets

        return corpus_compare_targets(self, **kw)

    def align(self, a: str, b: str, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .diff import corpus_align

        return corpus_align(self, a, b, **kw)

    def reuse_share(self, a: str, b: str) -> float:
        """Share of B's body characters in sentences copied or rewritten from A."""
        from .align import reuse_share

        frame = self.align(a, b)
        lengths = {int(i): len(t) for i, t in zip(frame["b_index"], frame["text_b"]) if t}
        return reuse_share(frame, lengths)

    def trajectory(self, concepts, by: str = "year", **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        from .diff import corpus_trajectory

        return corpus_trajectory(self, concepts, by=by, **kw)

    def provenance(self) -> dict[str, object]:
        """What produced every result of this corpus (recorded in every output)."""
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


def document_key(entry: ManifestEntry, raw: RawText, config: NormaliserConfig,
                 zone_rules: ZoneRules | None) -> str:
    """Store key: raw text hash, the config this entry is normalised with, the zone rules."""
    from .store import config_hash

    cfg = _declared_config(entry, raw, config)
    raw_sha = hashlib.sha256(raw.text.encode("utf-8")).hexdigest()
    return f"{raw_sha}:{config_hash(cfg, zone_rules.source if zone_rules else 'default')}"


def document_from_store(entry: ManifestEntry, raw: RawText, data: dict, corpus_name: str = "") -> Document:
    """Rebuild a Document from a store row (no normalisation, no structure detection)."""
    mapped = MappedText(data["text"], data["starts"], data["ends"], data["raw_length"])
    zones = tuple(Zone(**z) for z in data["zones"])
    paragraphs = tuple(Paragraph(**p) for p in data["paragraphs"])
    headings = tuple(Heading(*h) for h in data["headings"])
    sentences = tuple(Sentence(sid, pid, a, b, text, tuple(path.split(" > ")) if path else (), zone, bool(is_h))
                      for sid, pid, a, b, text, path, zone, is_h in data["sentences"])
    explanation = tuple(StepReport(r["step"], r["changes"], r["chars_removed"],
                                   tuple(tuple(x) for x in r["examples"])) for r in data["explanation"])
    return Document(entry, raw.text, raw.encoding, raw.source_format, NormaliserConfig(**data["config"]),
                    mapped, zones, Structure(paragraphs, headings, sentences), explanation, corpus_name)


def _open_store(store: "str | Path | bool | None", folders: list[Path]):  # type: ignore[no-untyped-def]
    """The store to use, or None. A store another process holds is skipped with a warning."""
    if store is False:
        return None
    from .store import Store, default_store_path

    path = default_store_path(folders[0]) if store in (None, True) else Path(store)  # type: ignore[arg-type]
    try:
        return Store(path)
    except PlantraceError as exc:
        import warnings

        warnings.warn(f"working without the store: {exc}", RuntimeWarning, stacklevel=3)
        return None


def load_corpus(
    paths: str | Path | Sequence[str | Path],
    *,
    config: NormaliserConfig | None = None,
    zone_rules: ZoneRules | None = None,
    skip_bad: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressFn | None = None,
    store: "str | Path | bool | None" = None,
    jobs: int | None = 1,
    runner: "object | None" = None,
) -> Corpus:
    """Load one or more corpus folders (each with ``manifest.csv``) as one collection.

    Unreadable documents stop the load with every problem listed at once; with
    ``skip_bad`` they are left out and recorded in ``Corpus.skipped``. Processed
    documents are kept in a DuckDB store (default ``FIRST_CORPUS/.plantrace/store.duckdb``;
    a path, or ``store=False`` for none): an unchanged document is never normalised twice.
    Documents to process are spread over ``jobs`` local processes (None: one per core) or
    a :mod:`plantrace.parallel` runner (e.g. Dask) when there is enough work.
    """
    from .parallel import Runner, make_runner, worth_parallel

    own_runner = runner is None
    run: Runner = make_runner(jobs) if runner is None else runner  # type: ignore[assignment]
    folders = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    cfg = config or NormaliserConfig()
    entries: list[tuple[Path, ManifestEntry]] = []
    hashes: dict[str, str] = {}
    for folder in folders:
        for entry in read_manifest(folder):
            entries.append((folder, entry))
        hashes[str(folder)] = manifest_sha256(folder)
    seen: dict[str, Path] = {}
    for folder, entry in entries:
        if entry.doc_id in seen and seen[entry.doc_id] != folder:
            raise PlantraceError(f"doc_id {entry.doc_id!r} is used in two corpora "
                                 f"({seen[entry.doc_id]} and {folder})", file=str(folder / "manifest.csv"),
                                 line=entry.line, hint="rename one of them")
        seen[entry.doc_id] = folder
    docs: list[Document] = []
    errors: list[PlantraceError] = []
    skipped: list[tuple[str, str]] = []
    replaced: list[tuple[str, int]] = []
    opened = _open_store(store, folders)
    slots: list[Document | None] = []
    todo: list[tuple[int, str, tuple]] = []
    read: list[tuple[Path, ManifestEntry, RawText, str]] = []
    try:
        for i, (folder, entry) in enumerate(entries):
            if progress:
                progress(entry.doc_id, i, len(entries))
            try:
                raw = read_raw(entry.path, encoding=entry.extra.get("encoding") or None, max_bytes=max_bytes,
                               errors=entry.extra.get("encoding_errors") or "strict")
            except PlantraceError as exc:
                if skip_bad:
                    skipped.append((str(entry.path), exc.message))
                    continue
                errors.append(exc)
                continue
            if raw.replaced:
                replaced.append((str(entry.path), raw.replaced))
            read.append((folder, entry, raw, document_key(entry, raw, cfg, zone_rules)))
        # One read of the store for every document (a query per document costs DuckDB a
        # scan of every stored text).
        stored = opened.get_documents(k for *_, k in read) if opened else {}
        for folder, entry, raw, key in read:
            data = stored.get(key)
            if data is not None:
                slots.append(replace(document_from_store(entry, raw, data, folder.name), key=key))
            else:
                slots.append(None)
                todo.append((len(slots) - 1, key, (entry, raw, cfg, zone_rules, folder.name)))
        if todo:
            tasks = [t for _, _, t in todo]
            if worth_parallel(run, (len(t[1].text) for t in tasks)):
                built = run.map(_build_task, tasks)
            else:
                built = [build_document(*t) for t in tasks]
            for (slot, key, task), doc in zip(todo, built):
                doc = replace(doc, raw=task[1].text, key=key)  # a worker's result has no raw text
                if opened:
                    opened.put_document(key, doc)  # committed per document
                slots[slot] = doc
        docs = []
        for d in slots:
            if d is None:
                continue
            if d.body_chars == 0:
                # Only front or back matter (e.g. a table of contents): no rate can be computed.
                exc = PlantraceError("has no body text (only front or back matter, e.g. a table of contents)",
                                     file=str(d.entry.path), hint="check the file is the whole document, "
                                     "or remove it from the manifest")
                if skip_bad:
                    skipped.append((str(d.entry.path), exc.message))
                else:
                    errors.append(exc)
                continue
            docs.append(d)
    finally:
        store_path = opened.path if opened else None
        store_stats = dict(opened.stats) if opened else {}
        if opened:
            opened.close()
    if progress:
        progress("", len(entries), len(entries))
    if errors:
        if len(errors) == 1:
            raise errors[0]
        listing = "; ".join(str(e) for e in errors)
        raise PlantraceError(f"{len(errors)} documents cannot be read: {listing}",
                             hint="fix them, or pass --skip-bad to go on without them (they are recorded)")
    corpus = Corpus(docs, folders, cfg, hashes, skipped)
    corpus.replaced = replaced
    corpus.store_path = store_path
    corpus.store_stats = store_stats
    corpus.runner = run
    corpus.owns_runner = own_runner
    return corpus


def _build_task(args: tuple) -> Document:
    """One document's normalisation and structure (a picklable task for worker processes).

    The raw text is left out of the result: the caller has it, and a worker would only
    send it back (a sixth of what a document pickles to)."""
    return replace(build_document(*args), raw="")


def iter_body_sentences(doc: Document) -> Iterable[Sentence]:
    return (s for s in doc.sentences if s.zone == "body")
