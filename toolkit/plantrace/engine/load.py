"""Loading: manifests and files read, the store asked, documents built on the runner.

What :func:`plantrace.load_corpus` does below the façade: it returns a
:class:`~plantrace.engine.collection.DocumentSet` (or the subclass asked for).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from ..errors import PlantraceError
from ..ingest.manifest import ManifestEntry, manifest_sha256, read_manifest
from ..ingest.read import DEFAULT_MAX_BYTES, RawSource, RawText, read_raw
from ..structure.document import Document, build_document
from ..structure.structure import compact_structure
from ..structure.zones import ZoneRules
from ..text.normalise import NormaliserConfig, shared_report
from .codec import document_from_row, document_key
from .collection import DocumentSet
from .memory import prefer_system_arrow_pool, release_freed_memory
from .runner import MAP_SLICE_CHARS, Runner, slices_by_size, worth_parallel
from .store import Store, StoreError, StoreWarning, default_store_path, fresh_copy, set_aside

ProgressFn = Callable[[str, int, int], None]
#: Documents read from the store per query (see load_documents).
_READ_BATCH = 400

#: Raw characters of a corpus's text files above which their raw texts are not kept in
#: memory but read again when quoted (``Document.raw``, :class:`~plantrace.ingest.read.RawSource`).
#: 40 M characters is 80 MB of strings; the distinct 50× benchmark corpus holds 146 M (0.3 GB
#: beside the same again of normalised text). Below it nothing changes: quoting a KWIC line
#: or a report's evidence reads no file. PDF and .docx texts stay in memory at any size:
#: extracting them again takes seconds, not milliseconds.
RAW_IN_MEMORY_CHARS = 40_000_000


def raw_on_demand(docs: list[Document], max_bytes: int = DEFAULT_MAX_BYTES) -> list[Document]:
    """``docs`` with the raw text of each text file replaced by where to read it again."""
    out = []
    for d in docs:
        if d.source_format == "txt" and isinstance(d.raw_text, str):
            sha = d.key.split(":", 1)[0] if d.key else ""  # the key starts with the raw text's sha256
            source = RawSource.of(d.entry.path, d.raw_text, sha256=sha, max_bytes=max_bytes,
                                  encoding=d.entry.extra.get("encoding") or None,
                                  errors=d.entry.extra.get("encoding_errors") or "strict")
            d = replace(d, raw_text=source)
        out.append(d)
    return out
StoreOption = str | Path | bool | None
D = TypeVar("D", bound=DocumentSet)


def _open_store(store: StoreOption, folders: list[Path], inputs: Sequence[Path] = ()) -> Store | None:
    """The store to use, or None; never an error. A store another process holds, or a file
    that is not a plantrace store, is left alone and the run goes on without it (one plain
    warning); an unreadable store file is set aside (renamed) and rebuilt."""
    if store is False:
        return None
    path = default_store_path(folders[0]) if store is None or store is True else Path(store)
    real = os.path.realpath(path)
    for item in [*inputs, *(f / "manifest.csv" for f in folders), *folders]:
        if os.path.realpath(item) == real:
            raise PlantraceError("the store path is an input of this run", file=str(path),
                                 hint="pass --store a new file outside the corpus's documents, or --no-store")
    try:
        return Store(path)
    except StoreError as exc:
        if exc.reason == "given-up":
            return None  # said when it was given up
        if exc.reason != "corrupt" or not path.is_file():
            warnings.warn(f"working without the store: {exc}", StoreWarning, stacklevel=3)
            return None
        try:
            aside = set_aside(path)
        except OSError:
            warnings.warn(f"working without the store: {exc}", StoreWarning, stacklevel=3)
            return None
        warnings.warn(f"the store {path} could not be read ({exc.message}); set aside as {aside.name} "
                      "and rebuilt", StoreWarning, stacklevel=3)
    try:
        return Store(path)
    except StoreError as exc:
        warnings.warn(f"working without the store: {exc}", StoreWarning, stacklevel=3)
        return None


def _unique_folders(folders: list[Path]) -> list[Path]:
    """Each corpus folder once, however it was written (``C``, ``C/``, ``./C``, absolute, a symlink)."""
    seen: set[str] = set()
    unique = []
    for folder in folders:
        key = os.path.realpath(folder)
        if key not in seen:
            seen.add(key)
            unique.append(folder)
    return unique


def load_documents(
    paths: str | Path | Sequence[str | Path],
    *,
    runner: Runner,
    into: type[D],
    config: NormaliserConfig | None = None,
    zone_rules: ZoneRules | None = None,
    skip_bad: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressFn | None = None,
    store: StoreOption = None,
) -> D:
    """Read the manifests and files of one or more corpus folders, take the documents
    the store already holds, build the others on ``runner``, and return them as a
    collection of type ``into`` (:class:`DocumentSet` or a subclass).

    Unreadable documents stop the load with every problem listed at once; with
    ``skip_bad`` they are left out and recorded in ``skipped``.
    """
    prefer_system_arrow_pool()
    try:
        return _load_documents(paths, runner, into, config, zone_rules, skip_bad, max_bytes, progress, store)
    finally:
        # After the loader's locals are gone (raw texts, a pool's results): see engine.memory.
        release_freed_memory()


def _load_documents(paths: str | Path | Sequence[str | Path], run: Runner, into: type[D],
                    config: NormaliserConfig | None, zone_rules: ZoneRules | None, skip_bad: bool,
                    max_bytes: int, progress: ProgressFn | None, store: StoreOption) -> D:
    folders = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    for folder in folders:
        try:
            str(folder).encode("utf-8")
        except UnicodeEncodeError:
            shown = str(folder).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise PlantraceError("the folder's name is not valid UTF-8 (it cannot be recorded in the outputs)",
                                 file=shown, hint="rename the folder, e.g. with only letters, digits and Chinese "
                                 "characters") from None
    folders = _unique_folders(folders)  # the same corpus given twice is read once, never counted twice
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
    same_file: dict[tuple[int, int], tuple[Path, ManifestEntry]] = {}
    for folder, entry in entries:
        try:
            st = entry.path.stat()
        except OSError:
            continue  # read_raw says what is wrong with it
        first = same_file.setdefault((st.st_dev, st.st_ino), (folder, entry))
        if first[1] is not entry:
            raise PlantraceError(f"{entry.doc_id!r} is the same file as {first[1].doc_id!r} "
                                 f"({first[0] / 'manifest.csv'}:{first[1].line}): it would be counted twice",
                                 file=str(folder / "manifest.csv"), line=entry.line, hint="list each document once")
    docs: list[Document] = []
    errors: list[PlantraceError] = []
    skipped: list[tuple[str, str]] = []
    replaced: list[tuple[str, int]] = []
    opened = _open_store(store, folders, [e.path for _, e in entries])
    slots: list[Document | None] = []
    todo: list[tuple[int, str, tuple[Any, ...]]] = []
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
        # The store is read in batches of documents: a query per document costs DuckDB a
        # scan of every stored text, one query for all of them held every stored row of
        # the corpus at once (0.3 GB more than the documents at 1,400 of them).
        for start in range(0, len(read), _READ_BATCH):
            batch = read[start:start + _READ_BATCH]
            stored = opened.get_documents(k for *_, k in batch) if opened else {}
            for folder, entry, raw, key in batch:
                data = stored.get(key)
                if data is not None:
                    slots.append(replace(document_from_row(entry, raw, data, folder.name), key=key))
                else:
                    slots.append(None)
                    todo.append((len(slots) - 1, key, (entry, raw, cfg, zone_rules, folder.name)))
            del stored
        if todo:
            tasks = [t for _, _, t in todo]
            built: Iterable[Document]
            if worth_parallel(run, (len(t[1].text) for t in tasks), "normalise"):
                built = _build_on(run, tasks)
            else:  # one at a time: each is stored and made compact before the next is built
                built = (build_document(*t) for t in tasks)
            for (slot, key, task), doc in zip(todo, built):
                # a worker's result has no raw text, and its own copy of each step report
                doc = replace(doc, raw_text=task[1].text, key=key,
                              explanation=tuple(shared_report(r) for r in doc.explanation))
                if opened:
                    opened.put_document(key, doc)  # committed per document
                # Sentences as rows until something asks for them, as a stored document has them
                slots[slot] = replace(doc, structure=compact_structure(doc.structure, doc.text))
        docs = []
        for d in slots:
            if d is None:
                continue
            if d.body_chars == 0:
                # Only front or back matter (e.g. a table of contents): no rate can be computed.
                empty = PlantraceError("has no body text (only front or back matter, e.g. a table of contents)",
                                       file=str(d.entry.path), hint="check the file is the whole document, "
                                       "or remove it from the manifest")
                if skip_bad:
                    skipped.append((str(d.entry.path), empty.message))
                else:
                    errors.append(empty)
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
    if sum(d.raw_length for d in docs) > RAW_IN_MEMORY_CHARS:
        docs = raw_on_demand(docs, max_bytes)
    collection = into(docs, folders, cfg, hashes, skipped)
    collection.replaced = replaced
    collection.store_path = store_path
    collection.store_stats = store_stats
    collection.runner = run
    return collection


def _build_on(run: Runner, tasks: list[tuple[Any, ...]]) -> Iterator[Document]:
    """The documents of ``tasks`` built on the runner's workers, a slice at a time
    (MAP_SLICE_CHARS): each slice is stored and made compact before the next is sent."""
    sizes = [len(t[1].text) for t in tasks]
    for chunk in slices_by_size(tasks, sizes, MAP_SLICE_CHARS):
        # The raw texts go as copies: pickling a str leaves its UTF-8 form inside it, and
        # these strings stay with the documents (see fresh_copy)
        sent = [(t[0], replace(t[1], text=fresh_copy(t[1].text)), *t[2:]) for t in chunk]
        built = run.map(_build_task, sent, sizes=[len(t[1].text) for t in chunk])
        del sent
        yield from built
        del built
        release_freed_memory()  # unpickled in the pool's thread (engine.memory)


def _build_task(args: tuple[Any, ...]) -> Document:
    """One document's normalisation and structure (a picklable task for worker processes).

    The raw text is left out of the result: the caller has it, and a worker would only
    send it back (a sixth of what a document pickles to)."""
    return replace(build_document(*args), raw_text="")


