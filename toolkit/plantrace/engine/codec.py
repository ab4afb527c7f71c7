"""The one place a :class:`~plantrace.structure.document.Document` is turned into store
rows and back, and where its store key is made.

The key of a processed document is the sha256 of its raw text and the hash of the
normaliser config it is normalised with, the zone rules, and the code that decides
the result (normaliser, zones, structure): a changed rule never serves a stale row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from .._version import __version__
from ..ingest.manifest import ManifestEntry
from ..ingest.read import RawText
from ..structure.document import Document, declared_config
from ..structure.structure import HEADING_SEP, DeferredStructure, Heading, Paragraph, SentenceRows, Structure
from ..structure.zones import Zone, ZoneRules
from ..text.normalise import NormaliserConfig, StepReport, shared_report
from ..text.textmap import MappedText

#: Bumped whenever stored results would differ for the same input (normaliser, zones,
#: structure or matching rules changed): older rows are then simply not found.
STORE_FORMAT = "2"  # 2: offset maps stored as runs (MappedText.run_pairs), not per character

#: Package files (paths inside ``plantrace/``) whose code decides a stored document.
_DOCUMENT_CODE = ("text/normalise.py", "text/textmap.py", "structure/zones.py", "structure/structure.py",
                  "structure/repeats.py", "structure/document.py", "data/zones.yaml", "data/t2s_phrases.txt")


def code_fingerprint(*names: str) -> str:
    """Hash of the package files whose code decides a stored result, so a changed rule
    (a new normalisation step, a fixed boundary check) never serves a stale row. The files
    are read again only when their size or modification time changes."""
    here = _PACKAGE
    stamp = tuple((st.st_mtime_ns, st.st_size) for st in ((here / n).stat() for n in names))
    cached = _FINGERPRINTS.get(names)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    h = hashlib.sha256(STORE_FORMAT.encode())
    for name in names:
        h.update((here / name).read_bytes())
    _FINGERPRINTS[names] = (stamp, h.hexdigest()[:16])
    return _FINGERPRINTS[names][1]


_FINGERPRINTS: dict[tuple[str, ...], tuple[tuple[tuple[int, int], ...], str]] = {}
_PACKAGE = Path(__file__).resolve().parents[1]  # the package: names are paths inside it


def config_hash(config: NormaliserConfig, zone_source: str = "") -> str:
    return _config_hash(config, zone_source, code_fingerprint(*_DOCUMENT_CODE))


@lru_cache(maxsize=64)
def _config_hash(config: NormaliserConfig, zone_source: str, code: str) -> str:
    # Cached: a corpus has a config or two, asked for once per document on every load.
    payload = json.dumps({"config": asdict(config), "zones": zone_source, "code": code}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def document_key(entry: ManifestEntry, raw: RawText, config: NormaliserConfig,
                 zone_rules: ZoneRules | None) -> str:
    """Store key: raw text hash, the config this entry is normalised with, the zone rules."""
    cfg = declared_config(entry, raw, config)
    raw_sha = hashlib.sha256(raw.text.encode("utf-8")).hexdigest()
    return f"{raw_sha}:{config_hash(cfg, zone_rules.source if zone_rules else 'default')}"


def _shallow(obj: object) -> dict[str, Any]:
    """A flat dataclass's fields as a dict (``asdict`` without its deep copies: the same JSON)."""
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))  # type: ignore[arg-type]
    return {n: getattr(obj, n) for n in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def document_to_rows(doc_key: str, doc: Document) -> tuple[list[Any], dict[str, list[Any]], dict[str, list[Any]]]:
    """The ``documents`` row and the ``sentences`` and ``headings`` columns of one document."""
    s = doc.structure
    sents, heads = s.sentences, s.headings
    row = [doc_key, doc.doc_id, doc.raw_sha256, json.dumps(asdict(doc.config)), doc.text,
           doc.mapped.raw_length, *(runs.tobytes() for runs in doc.mapped.run_pairs()),
           json.dumps([_shallow(z) for z in doc.zones], ensure_ascii=False),
           json.dumps([_shallow(p) for p in s.paragraphs]),
           json.dumps([_shallow(r) for r in doc.explanation], ensure_ascii=False), __version__]
    sent_cols: dict[str, list[Any]] = {
        "doc_key": [doc_key] * len(sents), "sentence_id": [x.id for x in sents],
        "paragraph_id": [x.paragraph_id for x in sents], "start": [x.start for x in sents],
        "end": [x.end for x in sents], "text": [x.text for x in sents],
        "heading_path": [HEADING_SEP.join(x.heading_path) for x in sents],
        "zone": [x.zone for x in sents], "is_heading": [bool(x.is_heading) for x in sents]}
    head_cols: dict[str, list[Any]] = {
        "doc_key": [doc_key] * len(heads), "heading_id": [h.id for h in heads],
        "paragraph_id": [h.paragraph_id for h in heads], "level": [h.level for h in heads],
        "start": [h.start for h in heads], "end": [h.end for h in heads],
        "text": [h.text for h in heads], "zone": [h.zone for h in heads]}
    return row, sent_cols, head_cols


def document_from_row(entry: ManifestEntry, raw: RawText, data: dict[str, Any], corpus_name: str = "") -> Document:
    """Rebuild a Document from a store row (no normalisation, no structure detection)."""
    mapped = MappedText.from_run_pairs(data["text"], data["starts"], data["ends"], data["raw_length"])
    zones = tuple(Zone(**z) for z in data["zones"])
    text = data["text"]
    # Only what the sentences are built from is kept for later: not ``data``, whose
    # stored rows the columns replace.
    rows = SentenceRows.from_rows(data["sentences"])
    paragraphs, headings = data["paragraphs"], data["headings"]

    def build() -> Structure:
        paras = json.loads(paragraphs) if isinstance(paragraphs, str) else paragraphs  # decoded only now
        return Structure(tuple(Paragraph(**p) for p in paras), tuple(Heading(*h) for h in headings),
                         rows.sentences(text))

    explanation = tuple(shared_report(StepReport(r["step"], r["changes"], r["chars_removed"],
                                                 tuple(tuple(x) for x in r["examples"]))) for r in data["explanation"])
    return Document(entry, raw.text, raw.encoding, raw.source_format, NormaliserConfig(**data["config"]),
                    mapped, zones, DeferredStructure(build, rows, len(headings)), explanation, corpus_name)
