"""A processed-corpus store: an embedded DuckDB file that remembers work already done.

Per document (keyed by the sha256 of its raw text and the hash of the normaliser
config) it keeps the normalised text with its raw offsets, zones, paragraphs,
headings and sentences, so an unchanged document is never normalised again. It
keeps every clause pkuseg has segmented, so boundary checks never segment a clause
twice, and the judged candidates per (document, lexicon sha256), so an unchanged
lexicon is never matched again and an edited one only re-matches.

Default location: ``CORPUS/.plantrace/store.duckdb``. The tables (see
:data:`SCHEMA`) are plain SQL for researchers, e.g.::

    SELECT d.doc_id, s.text FROM sentences s JOIN documents d USING (doc_key)
    WHERE s.text LIKE '%公园城市%';

Each document is committed on its own, so an interrupted run keeps what it finished.
DuckDB is the standard embedded analytical database for Python data work: one file,
no server, SQL over pandas.

>>> import tempfile, pathlib
>>> st = Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb")
>>> st.put_clauses({"推动创新经济发展": ("推动", "创新", "经济", "发展")})
>>> st.get_clauses(["推动创新经济发展"])
{'推动创新经济发展': ('推动', '创新', '经济', '发展')}
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np

from . import __version__
from .errors import PlantraceError

if TYPE_CHECKING:
    from .corpus import Document
    from .manifest import ManifestEntry
    from .normalise import NormaliserConfig

#: Bumped whenever stored results would differ for the same input (normaliser, zones,
#: structure or matching rules changed): older rows are then simply not found.
STORE_FORMAT = "1"
TOKEN_SEP = "\u241f"  # ␟, never inside a token

SCHEMA = {
    "documents": """CREATE TABLE IF NOT EXISTS documents (
        doc_key TEXT PRIMARY KEY,      -- raw sha256 : config hash : store format
        doc_id TEXT, raw_sha256 TEXT, config JSON, text TEXT, raw_length INTEGER,
        starts BLOB, ends BLOB,        -- int32 raw offsets per character of text
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
}
HEADING_SEP = " > "


def code_fingerprint(*names: str) -> str:
    """Hash of the package files whose code decides a stored result, so a changed rule
    (a new normalisation step, a fixed boundary check) never serves a stale row."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(STORE_FORMAT.encode())
    for name in names:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


_DOCUMENT_CODE = ("normalise.py", "textmap.py", "zones.py", "structure.py", "data/zones.yaml")
_MATCH_CODE = ("match.py", "segment.py", "intensity.py")


def config_hash(config: "NormaliserConfig", zone_source: str = "") -> str:
    payload = json.dumps({"config": asdict(config), "zones": zone_source,
                          "code": code_fingerprint(*_DOCUMENT_CODE)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def match_key(lexicon_sha: str) -> str:
    """What stored candidates depend on: the lexicon and the matching code."""
    return f"{lexicon_sha}:{code_fingerprint(*_MATCH_CODE)}"


def default_store_path(corpus_dir: str | Path) -> Path:
    return Path(corpus_dir) / ".plantrace" / "store.duckdb"


class Store:
    """One DuckDB file; safe to share between threads of one process."""

    def __init__(self, path: str | Path) -> None:
        try:
            import duckdb
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ImportError("DuckDB is missing: pip install duckdb") from exc
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path))
        except Exception as exc:  # duckdb raises its own IOException types
            locked = "lock" in str(exc).lower()
            raise PlantraceError(
                "the store is in use by another process" if locked else
                f"cannot open the store ({exc.__class__.__name__}: {exc})", file=str(self.path),
                hint="wait for the other run, or pass --store PATH or --no-store" if locked else
                "choose another --store path, or delete the store file (it only holds derived data)") from exc
        self._lock = threading.Lock()
        for ddl in SCHEMA.values():
            self.con.execute(ddl)
        #: What this process read from and wrote to the store (tests and benchmarks use it).
        self.stats = {"documents_hit": 0, "documents_put": 0, "matches_hit": 0, "matches_put": 0}

    def close(self) -> None:
        self.con.close()

    # --- documents -------------------------------------------------------------------

    def get_document(self, doc_key: str) -> dict | None:
        with self._lock:
            row = self.con.execute(
                "SELECT text, raw_length, starts, ends, zones, paragraphs, explanation, config "
                "FROM documents WHERE doc_key = ?", [doc_key]).fetchone()
            if row is None:
                return None
            sents = self.con.execute(
                'SELECT sentence_id, paragraph_id, start, "end", text, heading_path, zone, is_heading '
                "FROM sentences WHERE doc_key = ? ORDER BY sentence_id", [doc_key]).fetchall()
            heads = self.con.execute(
                'SELECT heading_id, paragraph_id, level, start, "end", text, zone FROM headings '
                "WHERE doc_key = ? ORDER BY heading_id", [doc_key]).fetchall()
        self.stats["documents_hit"] += 1
        text, raw_length, starts, ends, zones, paragraphs, explanation, config = row
        return {
            "text": text, "raw_length": raw_length,
            "starts": np.frombuffer(starts, dtype=np.int32).copy(),
            "ends": np.frombuffer(ends, dtype=np.int32).copy(),
            "zones": json.loads(zones), "paragraphs": json.loads(paragraphs),
            "explanation": json.loads(explanation), "config": json.loads(config),
            "sentences": sents, "headings": heads,
        }

    def put_document(self, doc_key: str, doc: "Document") -> None:
        """Store one processed document in its own transaction."""
        s = doc.structure
        sent_rows = [(doc_key, x.id, x.paragraph_id, x.start, x.end, x.text, HEADING_SEP.join(x.heading_path),
                      x.zone, x.is_heading) for x in s.sentences]
        head_rows = [(doc_key, h.id, h.paragraph_id, h.level, h.start, h.end, h.text, h.zone) for h in s.headings]
        with self._lock:
            self.con.execute("BEGIN TRANSACTION")
            try:
                for table in ("documents", "sentences", "headings"):
                    self.con.execute(f"DELETE FROM {table} WHERE doc_key = ?", [doc_key])
                self.con.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [doc_key, doc.doc_id, doc.raw_sha256, json.dumps(asdict(doc.config)), doc.text,
                     doc.mapped.raw_length, doc.mapped.starts.astype(np.int32).tobytes(),
                     doc.mapped.ends.astype(np.int32).tobytes(),
                     json.dumps([asdict(z) for z in doc.zones], ensure_ascii=False),
                     json.dumps([asdict(p) for p in s.paragraphs]),
                     json.dumps([asdict(r) for r in doc.explanation], ensure_ascii=False), __version__])
                if sent_rows:
                    self.con.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", sent_rows)
                if head_rows:
                    self.con.executemany("INSERT INTO headings VALUES (?, ?, ?, ?, ?, ?, ?, ?)", head_rows)
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
        self.stats["documents_put"] += 1

    # --- clause segmentation -----------------------------------------------------------

    def get_clauses(self, clauses: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
        """Stored segmentations (all of them when ``clauses`` is None)."""
        with self._lock:
            if clauses is None:
                rows = self.con.execute("SELECT clause, tokens FROM clauses").fetchall()
            else:
                wanted = list(dict.fromkeys(clauses))
                if not wanted:
                    return {}
                import pandas as pd

                self.con.register("_wanted", pd.DataFrame({"clause": wanted}))
                try:
                    rows = self.con.execute(
                        "SELECT c.clause, c.tokens FROM clauses c JOIN _wanted w USING (clause)").fetchall()
                finally:
                    self.con.unregister("_wanted")
        return {c: tuple(t.split(TOKEN_SEP)) for c, t in rows}

    def put_clauses(self, segmented: Mapping[str, tuple[str, ...]]) -> None:
        if not segmented:
            return
        rows = [(c, TOKEN_SEP.join(t)) for c, t in segmented.items()]
        with self._lock:
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.executemany("INSERT OR IGNORE INTO clauses VALUES (?, ?)", rows)
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise

    # --- matches -----------------------------------------------------------------------

    def get_candidates(self, doc_key: str, lexicon_sha: str) -> list[tuple] | None:
        with self._lock:
            done = self.con.execute("SELECT 1 FROM matched WHERE doc_key = ? AND lexicon_sha256 = ?",
                                    [doc_key, lexicon_sha]).fetchone()
            if done is None:
                return None
            rows = self.con.execute(
                'SELECT concept_id, alias, start, "end", reason FROM candidates '
                "WHERE doc_key = ? AND lexicon_sha256 = ? ORDER BY start, \"end\" DESC, alias",
                [doc_key, lexicon_sha]).fetchall()
        self.stats["matches_hit"] += 1
        return rows

    def put_candidates(self, doc_key: str, lexicon_sha: str, rows: list[tuple]) -> None:
        with self._lock:
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute("DELETE FROM candidates WHERE doc_key = ? AND lexicon_sha256 = ?",
                                 [doc_key, lexicon_sha])
                if rows:
                    self.con.executemany("INSERT INTO candidates VALUES (?, ?, ?, ?, ?, ?, ?)",
                                         [(doc_key, lexicon_sha, *r) for r in rows])
                self.con.execute("INSERT OR IGNORE INTO matched VALUES (?, ?)", [doc_key, lexicon_sha])
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
        self.stats["matches_put"] += 1
