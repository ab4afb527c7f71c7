"""Document: the original text, what was done to it, and its structure.

Like a quanteda corpus, a :class:`Document` keeps its raw text untouched; the
normalised text, zones, headings and sentences are derived once at load time and
carry offsets back to the raw file (the example is in :mod:`plantrace.corpus`).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

from ..errors import PlantraceError
from ..ingest.manifest import ManifestEntry
from ..ingest.read import RawSource, RawText
from ..text.normalise import NormaliserConfig, StepReport, normalise_mapped, script_mismatch
from ..text.textmap import MappedText
from .repeats import DUPLICATE, detect_zones_with_repeats
from .structure import HEADING_SEP, DeferredStructure, Heading, Paragraph, Sentence, Structure, split_structure
from .zones import ZONE_NAMES, Zone, ZoneRules

ProgressFn = Callable[[str, int, int], None]
#: Set by :mod:`plantrace.nlp` (the corpus layer) so that ``Document.to_spacy`` works
#: without this layer importing the concepts and measurement layers above it.
_SPACY_BRIDGE: Callable[..., Any] | None = None


def register_spacy_bridge(bridge: Callable[..., Any]) -> None:
    global _SPACY_BRIDGE
    _SPACY_BRIDGE = bridge
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Document:
    """One document: raw text, normalised text with raw offsets, zones and structure."""

    entry: ManifestEntry
    #: The raw text, or where to read it again (a large corpus: see ``engine.load.RAW_IN_MEMORY_CHARS``).
    raw_text: str | RawSource
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

    def __repr__(self) -> str:
        """One short line (the text is ``doc.text``), like quanteda's print."""
        e = self.entry
        return (f"<Document {e.doc_id!r}: {e.level} {e.region} {e.year}"
                f"{' ' + e.doc_type if e.doc_type else ''}, {len(self.text):,} characters>")

    @property
    def doc_id(self) -> str:
        return self.entry.doc_id

    @property
    def raw(self) -> str:
        """The original text as read from the file; offsets ``raw_start``/``raw_end`` index it."""
        raw = self.raw_text
        return raw if isinstance(raw, str) else raw.read()

    @property
    def raw_length(self) -> int:
        """Characters of the raw text (without reading it again)."""
        return self.mapped.raw_length

    @property
    def meta(self) -> dict[str, object]:
        return self.entry.metadata()

    @cached_property
    def script_warning(self) -> str:
        """Why the script used is not the one declared ('' when it is): a traditional
        text declared simplified (:func:`plantrace.text.normalise.script_mismatch`).
        Cached: documents.csv, ``Corpus.warnings`` and provenance each ask for it."""
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

    def heading_count(self) -> int:
        """Headings, without building the sentences where the document holds rows."""
        return self.structure.heading_count()

    def sentence_count(self, zone: str = "body") -> int:
        """Sentences in ``zone``, without building them where the document holds rows."""
        return self.structure.sentence_count(zone)

    @cached_property
    def raw_sha256(self) -> str:
        if isinstance(self.raw_text, RawSource):
            return self.raw_text.sha256
        return hashlib.sha256(self.raw_text.encode("utf-8")).hexdigest()

    def zone(self, name: str) -> Zone | None:
        """The first zone of a name (a crawled page may hold several body zones around
        ``duplicate`` ones: see :attr:`body_zones`)."""
        return next((z for z in self.zones if z.name == name), None)

    @property
    def body_zones(self) -> tuple[Zone, ...]:
        """Every body zone in text order: one, or several when a repeated block
        (``duplicate``, :mod:`plantrace.structure.repeats`) is carved out of the body."""
        return tuple(z for z in self.zones if z.name == "body")

    @property
    def body_span(self) -> tuple[int, int]:
        """From the start of the first body zone to the end of the last one; ``duplicate``
        zones may lie inside it (search :attr:`body_zones` for what is counted)."""
        zs = self.body_zones
        return (zs[0].start, zs[-1].end) if zs else (0, 0)

    @property
    def body_text(self) -> str:
        """The text of every body zone, joined by a newline (never a duplicate copy).

        >>> from plantrace.structure.zones import Zone
        >>> from plantrace.structure.structure import Structure
        >>> text = "各位代表：\\n发展新质生产力。\\n（重复）\\n坚持稳中求进。"
        >>> zones = (Zone("body", 0, 15), Zone("duplicate", 15, 20, "repeats lines 1-1"),
        ...          Zone("body", 20, 27))
        >>> d = Document(None, text, "utf-8", "txt", NormaliserConfig(),  # type: ignore[arg-type]
        ...              MappedText.from_raw(text), zones, Structure((), (), ()), ())
        >>> d.body_text.split(), d.body_chars
        (['各位代表：', '发展新质生产力。', '坚持稳中求进。'], 20)
        >>> d.zone_sizes()
        {'front': 0, 'body': 20, 'back': 0, 'duplicate': 4}
        """
        return "\n".join(self.text[z.start:z.end] for z in self.body_zones)

    @cached_property
    def body_chars(self) -> int:
        """Characters of body text, whitespace excluded: the denominator of rates."""
        body = self.body_text
        # ``\s`` on str patterns is exactly str.isspace() (CPython's sre uses Py_UNICODE_ISSPACE).
        return len(body) - len(_WHITESPACE.findall(body))

    def zone_sizes(self) -> dict[str, int]:
        """Non-whitespace characters per zone name: front, body, back and duplicate
        (repeated copies, counted nowhere)."""
        sizes = dict.fromkeys((*ZONE_NAMES, DUPLICATE), 0)
        for z in self.zones:
            part = self.text[z.start:z.end]
            sizes[z.name] = sizes.get(z.name, 0) + len(part) - len(_WHITESPACE.findall(part))
        return sizes

    def raw_offsets(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` of a normalised span."""
        return self.mapped.raw_span(start, end)

    def raw_offsets_many(self, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """:meth:`raw_offsets` of many normalised spans at once."""
        return self.mapped.raw_spans([a for a, _ in spans], [b for _, b in spans])

    def raw_lines(self, start: int, end: int) -> tuple[int, int]:
        """The first and last 1-based lines of the raw file behind a normalised span."""
        a, b = self.mapped.raw_span(start, end)
        return self.raw.count("\n", 0, a) + 1, self.raw.count("\n", 0, max(a, b - 1)) + 1

    def raw_span(self, start: int, end: int) -> str:
        """The raw text behind a normalised span: what a citation quotes."""
        a, b = self.mapped.raw_span(start, end)
        return self.raw[a:b]

    def find(self, needle: str, start: int = 0) -> tuple[int, int]:
        """Normalised span of the first occurrence of ``needle`` (ValueError if absent)."""
        i = self.text.index(needle, start)
        return i, i + len(needle)

    @cached_property
    def _sentence_ends(self) -> list[int]:
        return [x.end for x in self.sentences]

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing a normalised offset (binary search).

        >>> from plantrace.structure.structure import Sentence, Structure
        >>> doc = Document.__new__(Document)
        >>> object.__setattr__(doc, "structure", Structure((), (), (
        ...     Sentence(0, 0, 0, 5, "建设公园城", (), "body", False),
        ...     Sentence(1, 0, 6, 9, "新经济", (), "body", False))))
        >>> doc.sentence_at(2).id, doc.sentence_at(6).id, doc.sentence_at(5)
        (0, 1, None)
        """
        sents = self.sentences
        i = bisect_right(self._sentence_ends, offset)  # the first sentence ending after offset
        if i < len(sents) and sents[i].start <= offset:
            return sents[i]
        return None

    def mention_context(self, offset: int) -> tuple[int, str, str, bool]:
        """What a mention row records of the sentence at ``offset``: its id, heading path
        joined by " > ", zone and whether it is a heading; ``(-1, "", "body", False)``
        outside every sentence. A document read from the store answers from its stored
        rows, so counting never builds the sentences of documents it does not judge again.
        """
        s = self.structure
        if isinstance(s, DeferredStructure) and s.rows_pending:
            row = s.sentence_row_at(offset)
            if row is None:
                return (-1, "", "body", False)
            path = self._joined_paths.setdefault(row[4], row[4])  # each stored row has its own copy
            return (row[0], path, row[5], bool(row[6]))
        sentence = self.sentence_at(offset)
        if sentence is None:
            return (-1, "", "body", False)
        # One string per heading path, not one per row: the corpus keeps every document's
        # rows across lexicons, a million of them in a large corpus.
        joined = self._joined_paths.get(sentence.heading_path)
        if joined is None:
            joined = self._joined_paths[sentence.heading_path] = HEADING_SEP.join(sentence.heading_path)
        return (sentence.id, joined, sentence.zone, bool(sentence.is_heading))

    @cached_property
    def _joined_paths(self) -> dict[tuple[str, ...] | str, str]:
        """Heading path (a sentence's tuple, or a stored row's joined text) → the one string
        this document's mention rows share."""
        return {}

    def to_spacy(self, lexicon: object = None, *, zone: str | None = "body") -> Any:
        """A spaCy ``Doc`` (pkuseg tokens) with concept mentions in ``doc.spans["concepts"]``
        (the bridge lives in :mod:`plantrace.nlp`, a higher layer, which registers itself)."""
        if _SPACY_BRIDGE is None:
            raise PlantraceError("the spaCy bridge is not loaded", hint="import plantrace (or plantrace.nlp) first")
        return _SPACY_BRIDGE(self, lexicon, zone=zone)

    def explain_frame(self) -> pd.DataFrame:
        """Each normalisation step and how many changes it made to this document."""
        return pd.DataFrame(
            [{"doc_id": self.doc_id, "step": r.step, "changes": r.changes,
              "chars_removed": r.chars_removed,
              "examples": " | ".join(f"{a!r} → {b or '∅'!r} in {c}" for a, b, c in r.examples)}
             for r in self.explanation]
        )


def declared_config(entry: ManifestEntry, raw: RawText, config: NormaliserConfig) -> NormaliserConfig:
    """The config as the manifest declares it for this file: its script, and
    ``remove_page_furniture`` only for PDFs. This is what the store key hashes: together
    with the raw text it decides the document, so no text is converted to compute a key.

    ``remove_page_furniture`` reads the layout plantrace's PDF reader writes (a single
    newline is a line wrap, ``\\f`` ends a page): it is switched off for .txt and .docx
    files, where a form feed is a stray character and every newline a real break."""
    if raw.source_format != "pdf" and config.remove_page_furniture:
        config = replace(config, remove_page_furniture=False)
    return config if entry.script == "auto" else replace(config, script=entry.script)


def checked_config(entry: ManifestEntry, raw: RawText, config: NormaliserConfig) -> NormaliserConfig:
    """:func:`declared_config`, except a traditional text declared simplified: converted
    as auto would (see :func:`plantrace.text.normalise.script_mismatch`)."""
    cfg = declared_config(entry, raw, config)
    if cfg.script == "simplified" and script_mismatch(entry.script, raw.text):
        return replace(cfg, script="traditional")
    return cfg


def build_document(entry: ManifestEntry, raw: RawText, config: NormaliserConfig,
                   zone_rules: ZoneRules | None = None, corpus_name: str = "") -> Document:
    """Normalise, zone and structure one ingested document."""
    cfg = checked_config(entry, raw, config)
    mapped, resolved, reports = normalise_mapped(raw.text, cfg, explain=True)
    # Second and later copies of the report (or of a long block) are ``duplicate`` zones.
    zones = tuple(detect_zones_with_repeats(mapped.text, zone_rules))
    structure = split_structure(mapped.text, list(zones))
    return Document(entry, raw.text, raw.encoding, raw.source_format, resolved, mapped, zones,
                    structure, tuple(reports), corpus_name)


def iter_body_sentences(doc: Document) -> Iterable[Sentence]:
    return (s for s in doc.sentences if s.zone == "body")
