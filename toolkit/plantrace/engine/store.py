"""A processed-corpus store: an embedded DuckDB file that remembers work already done.

Per document (keyed by the sha256 of its raw text and the hash of the normaliser
config) it keeps the normalised text with its raw offsets, zones, paragraphs,
headings and sentences, so an unchanged document is never normalised again. It
keeps every clause pkuseg has segmented, so boundary checks never segment a clause
twice, and the judged candidates per (document, lexicon sha256), so an unchanged
lexicon is never matched again and an edited one only re-matches.

Default location: ``CORPUS/.plantrace/store.duckdb``. The tables (columns in
:data:`SCHEMA`) are plain SQL for researchers:

* ``documents``: one row per processed document (normalised text, raw offsets, zones,
  paragraphs, normalisation report), keyed by ``doc_key``;
* ``sentences`` and ``headings``: one row per sentence / heading of a document;
* ``clauses``: every clause pkuseg segmented, with its tokens;
* ``candidates``: every judged candidate mention per (document, lexicon), accepted
  (``reason`` NULL) or rejected, and ``matched``: which (document, lexicon) pairs are done.

For example::

    SELECT d.doc_id, s.text FROM sentences s JOIN documents d USING (doc_key)
    WHERE s.text LIKE '%公园城市%';

Each document is committed on its own, so an interrupted run keeps what it finished:
a document's ``documents``, ``sentences`` and ``headings`` rows in one transaction
(:meth:`Store.put_document`); its ``candidates`` and ``matched`` rows for one lexicon,
with the clauses first segmented for it, in another (:meth:`Store.put_candidates`).
Rows go in a table at a time, never row by row. DuckDB is the standard embedded
analytical database for Python data work: one file, no server, SQL over pandas.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "s.duckdb"
>>> st = Store(path)
>>> st.put_clauses({"推动创新经济发展": ("推动", "创新", "经济", "发展")})
>>> st.get_clauses(["推动创新经济发展"])
{'推动创新经济发展': ('推动', '创新', '经济', '发展')}
>>> st.close()  # clauses not yet written with a document's candidates are written now
>>> Store(path).get_clauses()
{'推动创新经济发展': ('推动', '创新', '经济', '发展')}
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
import warnings
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from ..errors import PlantraceError
from ..structure.document import Document
from .codec import STORE_FORMAT, code_fingerprint, document_to_rows

__all__ = ["SCHEMA", "STORE_FORMAT", "TOKEN_SEP", "Store", "code_fingerprint", "default_store_path", "match_code",
           "match_key"]

TOKEN_SEP = "\u241f"  # ␟, never inside a token

SCHEMA = {
    "documents": """CREATE TABLE IF NOT EXISTS documents (
        doc_key TEXT PRIMARY KEY,      -- raw sha256 : config hash : store format
        doc_id TEXT, raw_sha256 TEXT, config JSON, text TEXT, raw_length INTEGER,
        starts BLOB, ends BLOB,        -- raw offsets of text's characters, as int32 (i, offset)
                                       -- pairs where offset(i) != offset(i - 1) + 1
        zones JSON, paragraphs JSON, explanation JSON, plantrace_version TEXT)""",
    "sentences": """CREATE TABLE IF NOT EXISTS sentences (
        doc_key TEXT, sentence_id INTEGER, paragraph_id INTEGER, start INTEGER, "end" INTEGER,
        text TEXT, heading_path TEXT, zone TEXT, is_heading BOOLEAN)""",
    "headings": """CREATE TABLE IF NOT EXISTS headings (
        doc_key TEXT, heading_id INTEGER, paragraph_id INTEGER, level INTEGER, start INTEGER,
        "end" INTEGER, text TEXT, zone TEXT)""",
    "clauses": """CREATE TABLE IF NOT EXISTS clauses (
        clause TEXT PRIMARY KEY, tokens TEXT)   -- pkuseg tokens joined by U+241F""",
    "candidates": """CREATE TABLE IF NOT EXISTS candidates (
        doc_key TEXT, lexicon_sha256 TEXT, concept_id TEXT, alias TEXT, start INTEGER, "end" INTEGER,
        reason TEXT)                            -- reason NULL: an accepted mention""",
    "matched": """CREATE TABLE IF NOT EXISTS matched (
        doc_key TEXT, lexicon_sha256 TEXT, PRIMARY KEY (doc_key, lexicon_sha256))""",
    # The aliases a stored match was made with (alias -> [concept_id, exclusions]), so that a
    # new process can start a lexicon edit from the last match instead of from nothing.
    "lexicons": """CREATE TABLE IF NOT EXISTS lexicons (
        lexicon_sha256 TEXT PRIMARY KEY, aliases JSON, used_at DOUBLE)""",
}
_MATCH_CODE = ("concepts/match.py", "concepts/segment.py", "concepts/intensity.py", "concepts/lexicon.py")


def match_code() -> str:
    """The fingerprint of the code that judges candidates."""
    return code_fingerprint(*_MATCH_CODE)


def match_key(lexicon_sha: str) -> str:
    """What stored candidates depend on: the lexicon and the matching code."""
    return f"{lexicon_sha}:{match_code()}"


class StoreWarning(UserWarning):
    """The store was set aside or stopped being used; the run goes on without it."""


class StoreError(PlantraceError):
    """The store cannot be used: ``reason`` is ``locked``, ``foreign`` (a database or file
    that is not a plantrace store: never written to) or ``corrupt`` (a DuckDB file that
    cannot be read: safe to set aside and rebuild, it only holds derived data)."""

    def __init__(self, message: str, *, reason: str, file: str, hint: str | None = None) -> None:
        self.reason = reason
        super().__init__(message, file=file, hint=hint)


def _plain(exc: BaseException) -> str:
    """A store failure in a few words (a full disk said as such)."""
    text = str(exc)
    if "No space left" in text or getattr(exc, "errno", None) == 28:
        return "the disk is full"
    return f"{exc.__class__.__name__}: {text.splitlines()[0] if text else ''}"[:200]


#: Store files given up in this process (a write failed, e.g. a full disk): not opened
#: again by this run's later stages, so the user is told once.
_GIVEN_UP: set[str] = set()


def set_aside(path: Path) -> Path:
    """Rename an unreadable store file out of the way (it only holds derived data)."""
    aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%dT%H%M%S')}")
    path.rename(aside)
    for extra in (path.with_name(path.name + ".wal"),):
        if extra.exists():
            extra.rename(aside.with_name(aside.name + ".wal"))
    return aside


def _failsafe(default: Callable[[], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A store method that never fails the run: on a database or disk error the store is
    given up (one plain warning) and ``default()`` returned, now and on every later call.
    A store that cannot be read is also set aside (renamed), so the next run rebuilds it."""
    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def guarded(self: "Store", *args: Any, **kwargs: Any) -> Any:
            import duckdb

            if self.failed:
                return default()
            try:
                return method(self, *args, **kwargs)
            except (duckdb.Error, OSError, MemoryError) as exc:
                self.failed = _plain(exc)
                # Running out of memory says nothing about the file (and DuckDB's advice in
                # that message names "threads", which a plain "read" test took for a read
                # error: the store was renamed as broken).
                out_of_memory = isinstance(exc, (MemoryError, duckdb.OutOfMemoryException))
                unreadable = (not out_of_memory and re.search(r"\bread", str(exc).lower()) is not None
                              and self.failed != "the disk is full")
                note = "carrying on without it"
                if unreadable:
                    try:
                        self.con.close()
                        note = f"set aside as {set_aside(self.path).name}; rebuilding it"
                    except (duckdb.Error, OSError):
                        _GIVEN_UP.add(str(self.path))
                else:
                    _GIVEN_UP.add(str(self.path))
                warnings.warn(f"the store {self.path} failed ({self.failed}); {note}", StoreWarning, stacklevel=2)
                return default()
        return guarded
    return wrap


def _is_duckdb_file(path: Path) -> bool:
    """A DuckDB database file: its header holds the magic bytes ``DUCK`` at offset 8."""
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def default_store_path(corpus_dir: str | Path) -> Path:
    return Path(corpus_dir) / ".plantrace" / "store.duckdb"


def fresh_copy(text: str) -> str:
    """A new ``str`` equal to ``text``, for handing to DuckDB, pyarrow or pickle.

    Why: all three read a Python string through CPython's UTF-8 view of it, which CPython
    then keeps inside the string for as long as the string lives: three bytes a Chinese
    character on top of the two the string already holds (pickle: the texts sent to a
    worker process). Handed the corpus's own strings (every document's text, every
    sentence's), a cold run over 1,400 documents
    kept some 230 MB of such views after writing the store. A copy takes the view with it
    when the statement is done.

    >>> s = "公园城市" * 100
    >>> c = fresh_copy(s)
    >>> c == s, c is s
    (True, False)
    """
    if text.isascii():  # an ASCII string is its own UTF-8: CPython adds nothing to it
        return text
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def _is_text(values: list) -> bool:
    """A column of str (None aside)."""
    return isinstance(next((v for v in values if v is not None), None), str)


def _arrow_table(columns: dict[str, list]) -> Any:
    """Columns as a pyarrow table; text columns go in as UTF-8 bytes (see :func:`fresh_copy`)."""
    import pyarrow

    def column(values: list) -> Any:
        if not _is_text(values):
            return values
        encoded = [None if v is None else v.encode("utf-8") for v in values]
        return pyarrow.array(encoded, pyarrow.binary()).cast(pyarrow.string())

    return pyarrow.table({k: column(v) for k, v in columns.items()})


def _frame_table(columns: dict[str, list]) -> Any:
    """Columns as a pandas DataFrame (no pyarrow); text columns as copies (:func:`fresh_copy`)."""
    import pandas

    def column(values: list) -> list:
        return [None if v is None else fresh_copy(v) for v in values] if _is_text(values) else values

    return pandas.DataFrame({k: column(v) for k, v in columns.items()})


@lru_cache(maxsize=None)
def _table_maker() -> Callable[[dict[str, list]], object]:
    """How rows are handed to DuckDB in bulk: as an Arrow table when pyarrow is installed
    (DuckDB scans it with the least overhead), else as a pandas DataFrame. Either way the
    caller's strings are left as they were (:func:`fresh_copy`)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return _frame_table
    return _arrow_table


def _table(columns: dict[str, list]) -> Any:
    return _table_maker()(columns)


class Store:
    """One DuckDB file; safe to share between threads of one process.

    DuckDB spends about a millisecond on any statement, so the store keeps statements
    few: rows go in a table at a time (an Arrow table or pandas DataFrame scanned by one
    ``INSERT``), documents are read many at a time (:meth:`get_documents`), rows known
    to be absent are not deleted first, and clauses already stored are not written again.
    """

    def __init__(self, path: str | Path) -> None:
        try:
            import duckdb
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ImportError("DuckDB is missing: pip install duckdb") from exc
        self.path = Path(path)
        #: Why the store stopped being used during this run ("" while it works).
        self.failed = ""
        if str(self.path) in _GIVEN_UP:
            raise StoreError("was given up earlier in this run", reason="given-up", file=str(self.path))
        if self.path.is_file() and self.path.stat().st_size and not _is_duckdb_file(self.path):
            raise StoreError("is not a plantrace store (not a DuckDB file); it was left untouched",
                             reason="foreign", file=str(self.path), hint="pass another --store PATH, or --no-store")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path))
        except Exception as exc:  # duckdb raises its own IOException types
            locked = "lock" in str(exc).lower()
            raise StoreError(
                "the store is in use by another process" if locked else
                f"cannot open the store ({_plain(exc)})", reason="locked" if locked else "corrupt",
                file=str(self.path),
                hint="wait for the other run, or pass --store PATH or --no-store" if locked else
                "choose another --store path, or delete the store file (it only holds derived data)") from exc
        try:
            tables = {r[0] for r in self.con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
            foreign = sorted(tables - set(SCHEMA))
            if foreign:
                raise StoreError(f"is not a plantrace store (it holds the tables {', '.join(foreign[:5])}); "
                                 "nothing was written to it", reason="foreign", file=str(self.path),
                                 hint="pass another --store PATH, or --no-store")
            self._lock = threading.Lock()
            # The store's statements are small: DuckDB's worker threads would only add CPU time
            # to each (about a fifth of the store's cost). The setting belongs to the database
            # instance, which connections to this file in this process share; close() restores it.
            self._threads = self.con.execute("SELECT current_setting('threads')").fetchall()[0][0]
            self.con.execute("SET threads = 1")
            for ddl in SCHEMA.values():
                self.con.execute(ddl)
        except StoreError:
            self.con.close()
            raise
        except (duckdb.Error, OSError) as exc:
            self.con.close()
            raise StoreError(f"cannot read the store ({_plain(exc)})", reason="corrupt", file=str(self.path),
                             hint="delete the store file (it only holds derived data)") from exc
        #: Clauses known to be stored: read once (by get_clauses() or the first
        #: put_clauses), so put_clauses never writes a clause twice.
        self._known_clauses: set[str] | None = None
        #: Clauses given to put_clauses, written with the next put_candidates (or close).
        self._pending_clauses: dict[str, str] = {}
        #: Keys this Store found absent: written without deleting first. Should another
        #: Store write one meanwhile, the primary key refuses the insert and the write
        #: is redone with the delete.
        self._absent_documents: set[str] = set()
        self._unmatched: set[tuple[str, str]] = set()
        #: lexicon sha256 -> doc_keys stored as matched for it (read once, kept up to date).
        self._matched_keys: dict[str, set[str]] = {}
        #: What this process read from and wrote to the store (tests and benchmarks use it).
        self.stats = {"documents_hit": 0, "documents_put": 0, "matches_hit": 0, "matches_put": 0}

    def close(self) -> None:
        """Write clauses still pending (they are a cache: lost only if this fails) and close."""
        import duckdb

        try:
            with self._lock:
                if self._pending_clauses and not self.failed:
                    self._transaction(lambda: self._insert_clauses(safe=True))
                    self._committed_clauses()
                self.con.execute(f"SET threads = {int(self._threads)}")
        except (duckdb.Error, OSError):
            pass
        finally:
            try:
                self.con.close()
            except (duckdb.Error, OSError):
                pass

    # --- helpers (called with the lock held) -------------------------------------------

    def _settle(self) -> None:
        """Finish a result left open on the connection (e.g. by ``store.con.execute(…).fetchone()``):
        DuckDB 2 refuses to register or scan a Python object while one is open."""
        complete = getattr(self.con, "complete", None)  # DuckDB >= 2
        if complete is not None:
            complete()

    def _insert(self, table: str, columns: dict[str, list]) -> None:
        """Append whole columns (in the table's column order) in one statement."""
        rows = _table(columns)
        self._settle()
        if type(rows).__module__.startswith("pandas"):
            self.con.from_df(rows).insert_into(table)
        else:
            self.con.from_arrow(rows).insert_into(table)

    @contextmanager
    def _registered(self, name: str, columns: dict[str, list]) -> Iterator[None]:
        """``columns`` visible to SQL as the table ``name`` for the duration of the block."""
        self._settle()
        self.con.register(name, _table(columns))
        try:
            yield
        finally:
            self.con.unregister(name)

    def _select_for(self, keys: list[str], sql: str) -> list[tuple]:
        """Run ``sql``, which names the wanted keys as the table ``_keys(k)``."""
        with self._registered("_keys", {"k": keys}):
            return self.con.execute(sql).fetchall()

    def _select_by_key(self, keys: list[str], table: str, columns: str, order: str) -> dict[str, list[tuple]]:
        """``columns`` of the rows of ``table`` whose doc_key is in ``keys``, by key, each
        key's rows ordered by ``order``. Fetched as columns, with the key as a small number
        rather than its 100-character text on every row: four times faster than fetchall()."""
        with self._registered("_keys", {"k": keys, "i": list(range(len(keys)))}):
            cols = self.con.execute(
                f"SELECT _keys.i AS _i, {columns} FROM {table} JOIN _keys ON {table}.doc_key = _keys.k "
                f"ORDER BY _i, {order}").fetchnumpy()
        names = list(cols)
        index = np.asarray(cols[names[0]])
        rows = list(zip(*(cols[n].tolist() for n in names[1:])))
        bounds: list[int] = [0, *(np.flatnonzero(np.diff(index)) + 1).tolist(), len(rows)]
        which: list[int] = index.tolist()
        return {keys[which[a]]: rows[a:b] for a, b in zip(bounds, bounds[1:]) if b > a}

    def _transaction(self, work: Callable[[], None]) -> None:
        import duckdb

        self.con.execute("BEGIN TRANSACTION")  # if BEGIN fails there is nothing to roll back
        try:
            work()
            self.con.execute("COMMIT")
        except BaseException:
            # A failed COMMIT has already rolled back; a ROLLBACK then fails with "no
            # transaction is active" and must not hide the real error.
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise

    def _write(self, work: Callable[[bool], None], fast: bool) -> None:
        """``work(safe)`` in one transaction; ``fast`` first tries it with plain INSERTs
        (no deletes, no conflict checks), redone safely if a primary key refuses a row."""
        import duckdb

        if fast:
            try:
                self._transaction(lambda: work(False))
                return
            except duckdb.ConstraintException:
                pass  # another Store on this file wrote some of these rows meanwhile
        self._transaction(lambda: work(True))

    def _insert_clauses(self, safe: bool) -> None:
        pending = self._pending_clauses
        if not pending:
            return
        columns = {"clause": list(pending), "tokens": list(pending.values())}
        if safe:
            with self._registered("_new", columns):
                self.con.execute("INSERT OR IGNORE INTO clauses SELECT * FROM _new")
        else:
            self._insert("clauses", columns)  # half the cost of INSERT OR IGNORE in DuckDB

    def _committed_clauses(self) -> None:
        if self._known_clauses is not None:
            self._known_clauses.update(self._pending_clauses)
        self._pending_clauses.clear()

    # --- documents -------------------------------------------------------------------

    def get_document(self, doc_key: str) -> dict | None:
        return self.get_documents([doc_key]).get(doc_key)

    @_failsafe(dict)
    def get_documents(self, doc_keys: Iterable[str]) -> dict[str, dict]:
        """Stored documents by key (keys not stored are left out), in three queries for
        all of them: DuckDB reads a column a block at a time, so a query per document
        would read every stored text once per document."""
        keys = list(dict.fromkeys(doc_keys))
        if not keys:
            return {}
        with self._lock:
            docs = self._select_for(keys, (
                "SELECT doc_key, text, raw_length, starts, ends, zones, paragraphs, explanation, config "
                "FROM documents WHERE doc_key IN (SELECT k FROM _keys)"))
            if docs:
                # Not the text: a sentence is a slice of the document's text (structure.py
                # builds it so), and reading it again cost a third of the load.
                sents_by = self._select_by_key(keys, "sentences", 'sentence_id, paragraph_id, start, "end", '
                                               "heading_path, zone, is_heading", "sentence_id")
                heads_by = self._select_by_key(keys, "headings", 'heading_id, paragraph_id, level, start, "end", '
                                               "text, zone", "heading_id")
            else:
                sents_by, heads_by = {}, {}
            found = {row[0] for row in docs}
            self._absent_documents.update(k for k in keys if k not in found)
        out: dict[str, dict] = {}
        for key, text, raw_length, starts, ends, zones, paragraphs, explanation, config in docs:
            out[key] = {
                "text": text, "raw_length": raw_length,
                "starts": np.frombuffer(starts, dtype=np.int32).copy(),
                "ends": np.frombuffer(ends, dtype=np.int32).copy(),
                "zones": json.loads(zones), "paragraphs": paragraphs,  # JSON: decoded when used
                "explanation": json.loads(explanation), "config": json.loads(config),
                "sentences": sents_by.get(key, []), "headings": heads_by.get(key, []),
            }
        self.stats["documents_hit"] += len(out)
        return out

    @_failsafe(lambda: None)
    def put_document(self, doc_key: str, doc: "Document") -> None:
        """Store one processed document in its own transaction."""
        row, sent_cols, head_cols = document_to_rows(doc_key, doc)
        row = [fresh_copy(v) if isinstance(v, str) else v for v in row]  # doc.text among them
        sents, heads = sent_cols["sentence_id"], head_cols["heading_id"]

        def work(safe: bool) -> None:
            if safe:
                [(deleted,)] = self.con.execute("DELETE FROM documents WHERE doc_key = ?", [doc_key]).fetchall()
                if deleted:  # sentences and headings are only ever written with their document
                    for table in ("sentences", "headings"):
                        self.con.execute(f"DELETE FROM {table} WHERE doc_key = ?", [doc_key])
            self.con.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            if sents:
                self._insert("sentences", sent_cols)
            if heads:
                self._insert("headings", head_cols)

        with self._lock:
            self._write(work, fast=doc_key in self._absent_documents)
            self._absent_documents.discard(doc_key)
        self.stats["documents_put"] += 1

    # --- clause segmentation -----------------------------------------------------------

    @_failsafe(dict)
    def get_clauses(self, clauses: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
        """Stored segmentations (all of them when ``clauses`` is None)."""
        with self._lock:
            pending = dict(self._pending_clauses)
            if clauses is None:
                rows = self.con.execute("SELECT clause, tokens FROM clauses").fetchall()
                self._known_clauses = {c for c, _ in rows}
                rows += [(c, t) for c, t in pending.items() if c not in self._known_clauses]
            else:
                wanted = list(dict.fromkeys(clauses))
                if not wanted:
                    return {}
                rows = self._select_for(
                    wanted, "SELECT clause, tokens FROM clauses WHERE clause IN (SELECT k FROM _keys)")
                rows += [(c, pending[c]) for c in wanted if c in pending]
        return {c: tuple(t.split(TOKEN_SEP)) for c, t in rows}

    @_failsafe(lambda: None)
    def put_clauses(self, segmented: Mapping[str, tuple[str, ...]]) -> None:
        """Keep the segmentations not stored yet: they are written (one bulk INSERT) in the
        transaction of the next :meth:`put_candidates`, i.e. with the candidates of the
        document that used them, or on :meth:`close`. Stored ones are skipped, unread."""
        if not segmented:
            return
        with self._lock:
            if self._known_clauses is None:
                self._known_clauses = {c for (c,) in self.con.execute("SELECT clause FROM clauses").fetchall()}
            known, pending = self._known_clauses, self._pending_clauses
            for clause, tokens in segmented.items():
                if clause not in known and clause not in pending:
                    pending[clause] = TOKEN_SEP.join(tokens)

    # --- matches -----------------------------------------------------------------------

    def get_candidates(self, doc_key: str, lexicon_sha: str) -> list[tuple] | None:
        """One document's judged candidates for a lexicon (None: not matched with it)."""
        return self.get_candidates_many([doc_key], lexicon_sha).get(doc_key)

    @_failsafe(dict)
    def get_candidates_many(self, doc_keys: Iterable[str], lexicon_sha: str) -> dict[str, list[tuple]]:
        """:meth:`get_candidates` for many documents in one query (keys not matched for
        this lexicon are left out): a query per document costs ~3 ms, 0.4 s for 140."""
        keys = list(dict.fromkeys(doc_keys))
        if not keys:
            return {}
        with self._lock:
            with self._registered("_keys", {"k": keys}):
                done = {k for (k,) in self.con.execute(
                    "SELECT doc_key FROM matched WHERE lexicon_sha256 = ? AND doc_key IN (SELECT k FROM _keys)",
                    [lexicon_sha]).fetchall()}
                rows = self.con.execute(
                    'SELECT doc_key, concept_id, alias, start, "end", reason FROM candidates '
                    "WHERE lexicon_sha256 = ? AND doc_key IN (SELECT k FROM _keys) "
                    'ORDER BY doc_key, start, "end" DESC, alias', [lexicon_sha]).fetchall() if done else []
        out: dict[str, list[tuple]] = {k: [] for k in keys if k in done}
        for key, *row in rows:
            out[key].append(tuple(row))
        self._unmatched.update((k, lexicon_sha) for k in keys if k not in done)
        self.stats["matches_hit"] += len(out)
        return out

    @_failsafe(lambda: None)
    def put_lexicon(self, lexicon_sha: str, aliases: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        """Record the aliases of a lexicon whose matches are stored (and when it was last used)."""
        with self._lock:
            self._settle()
            self.con.execute("INSERT OR REPLACE INTO lexicons VALUES (?, ?, ?)",
                             [lexicon_sha, json.dumps(aliases, ensure_ascii=False), time.time()])

    @_failsafe(dict)
    def get_previous_matches(self, doc_keys: Iterable[str], code: str
                             ) -> dict[str, tuple[dict[str, tuple[str, tuple[str, ...]]], list[tuple]]]:
        """For each document, its most recently used stored match made by the same matching
        code (``lexicon_sha256`` ending in ``:code``): the aliases it was made with and its
        judged candidates. What a lexicon edit in a new process starts from."""
        keys = list(dict.fromkeys(doc_keys))
        if not keys:
            return {}
        with self._lock:
            with self._registered("_keys", {"k": keys}):
                latest = self.con.execute(
                    "SELECT m.doc_key, m.lexicon_sha256 FROM matched m JOIN lexicons l USING (lexicon_sha256) "
                    "WHERE m.doc_key IN (SELECT k FROM _keys) AND suffix(m.lexicon_sha256, ?) "
                    "QUALIFY row_number() OVER (PARTITION BY m.doc_key ORDER BY l.used_at DESC) = 1",
                    [":" + code]).fetchall()
            if not latest:
                return {}
            shas = sorted({sha for _, sha in latest})
            aliases = {sha: {a: (v[0], tuple(v[1])) for a, v in json.loads(text).items()}
                       for sha, text in self.con.execute(
                           "SELECT lexicon_sha256, aliases FROM lexicons WHERE list_contains(?, lexicon_sha256)",
                           [shas]).fetchall()}
            with self._registered("_pairs", {"k": [k for k, _ in latest], "s": [s for _, s in latest]}):
                rows = self.con.execute(
                    'SELECT c.doc_key, c.concept_id, c.alias, c.start, c."end", c.reason FROM candidates c '
                    "JOIN _pairs p ON c.doc_key = p.k AND c.lexicon_sha256 = p.s "
                    'ORDER BY c.doc_key, c.start, c."end" DESC, c.alias').fetchall()
        by_doc: dict[str, list[tuple]] = {k: [] for k, _ in latest}
        for key, *row in rows:
            by_doc[key].append(tuple(row))
        return {k: (aliases[sha], by_doc[k]) for k, sha in latest}

    def put_candidates(self, doc_key: str, lexicon_sha: str, rows: list[tuple]) -> None:
        """Store one document's judged candidates (and the clauses put since the last call)
        in one transaction."""
        self.put_candidates_many(lexicon_sha, [(doc_key, rows)])

    @_failsafe(lambda: None)
    def put_candidates_many(self, lexicon_sha: str, items: list[tuple[str, list[tuple]]]) -> None:
        """Store several documents' judged candidates in one transaction: for documents
        that cost nothing to judge again (a lexicon edit re-resolved from memory), where
        a commit per document would cost more than the matching."""
        # Identical files share a key: the last rows for a key stand, as if put one by one.
        by_key = dict(items)
        if not by_key:
            return
        keys = list(by_key)
        flat = [(k, *row) for k, rows in by_key.items() for row in rows]
        if flat:
            doc_key, concept_id, alias, start, end, reason = (list(c) for c in zip(*flat))
            columns = {"doc_key": doc_key, "lexicon_sha256": [lexicon_sha] * len(flat),
                       "concept_id": concept_id, "alias": alias, "start": start, "end": end, "reason": reason}

        def work(safe: bool) -> None:
            self._insert_clauses(safe)
            # One statement for all documents, not one per document (~1 ms each).
            with self._registered("_keys", {"k": keys}) if safe else nullcontext():
                if safe:
                    self.con.execute("DELETE FROM candidates WHERE lexicon_sha256 = ? AND doc_key IN "
                                     "(SELECT k FROM _keys)", [lexicon_sha])
                if flat:  # with safe=False none to delete: candidates come only with their matched row
                    self._insert("candidates", columns)
                if safe:
                    self.con.execute("INSERT INTO matched SELECT k, $1 FROM _keys WHERE NOT EXISTS "
                                     "(SELECT 1 FROM matched m WHERE m.doc_key = k AND m.lexicon_sha256 = $1)",
                                     [lexicon_sha])
                else:
                    self._insert("matched", {"doc_key": keys, "lexicon_sha256": [lexicon_sha] * len(keys)})

        with self._lock:
            if any((k, lexicon_sha) not in self._unmatched for k in keys):
                # Documents this Store has not looked up (a run that judged them from
                # memory): the lexicon's matched keys, read once per lexicon, tell which
                # are absent, so that a lexicon never stored goes in with plain INSERTs
                # instead of a DELETE scan of the table.
                stored = self._matched_keys.get(lexicon_sha)
                if stored is None:
                    stored = self._matched_keys[lexicon_sha] = {k for (k,) in self.con.execute(
                        "SELECT doc_key FROM matched WHERE lexicon_sha256 = ?", [lexicon_sha]).fetchall()}
                self._unmatched.update((k, lexicon_sha) for k in keys if k not in stored)
            self._write(work, fast=all((k, lexicon_sha) in self._unmatched for k in keys))
            self._committed_clauses()
            for k in keys:
                self._unmatched.discard((k, lexicon_sha))
            if lexicon_sha in self._matched_keys:
                self._matched_keys[lexicon_sha].update(keys)
        self.stats["matches_put"] += len(keys)
