"""Ingest: read .txt (any common Chinese encoding), .docx and .pdf into a raw string.

The raw string is what offsets refer to: citations slice it. Files on disk are
only ever read.

A text is never guessed into mojibake: BOM-less UTF-16 has its byte order chosen by
:func:`plausibility` (both orders decoded, the one that reads as Chinese wins by a wide
margin); an invalid sequence (a bad byte after a UTF-8 BOM, a lone UTF-16 surrogate, an
odd trailing byte) is an error naming the byte and line unless ``errors="replace"``,
which counts only the sequences it replaced (a U+FFFD already in the file is text); a
declared encoding that yields implausible text (``encoding=utf-16`` on a UTF-8 file) is
an error naming what detection finds.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "gbk.txt"
>>> _ = p.write_bytes("推动成渝地区双城经济圈建设，打造西部经济中心。".encode("gb18030"))
>>> r = read_raw(p)
>>> r.text[:6], r.encoding
('推动成渝地区', 'gb18030')
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import PlantraceError

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Encodings a Chinese document is realistically in; charset-normalizer is asked to
# choose among these only, so GBK text is never "detected" as Korean cp949.
CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "big5", "big5hkscs", "utf_16", "utf_32")
# charset-normalizer's default mess threshold (0.2) rejects real GB18030 government
# reports (long runs of Han without spaces score ~0.23: e.g. the 1957 and 1982 national
# reports). Among Chinese candidates only, 0.35 accepts them and still refuses random bytes.
CHAOS_THRESHOLD = 0.35
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
         codecs.BOM_UTF16_BE)
# What a Chinese document is written in: Han, CJK and full-width punctuation, ASCII,
# Latin with pinyin tone marks, Greek/Cyrillic letters, general punctuation, symbols
# (℃ Ⅲ ① → ≤ ■), kana, CJK unit symbols (㎡). Not Bopomofo, enclosed CJK, the rest of
# CJK compatibility or extension A: ASCII read in the wrong byte order lands there
# (U+3100 … U+4D00 from the digits and capitals), and documents hardly use them.
# Text decoded in the wrong byte order or with the wrong codec is mostly unassigned,
# private-use, Hangul, Yi, … code points:
# on the 108 bundled documents the right decoding scores 1.0 (to two places), UTF-16
# read in the wrong byte order at most 0.43 and UTF-8 read as UTF-16 at most 0.40.
_TEXTLIKE = re.compile(
    "[\u0020-\u007e\u00a0-\u024f\u0300-\u036f\u0391-\u03c9\u0401-\u0451\u2000-\u206f"
    "\u2100-\u218f\u2190-\u23ff\u2460-\u27bf\u3000-\u30ff\u3380-\u33df\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\ufeff\U00020000-\U0003134f]")
_NOT_COUNTED = re.compile(r"[\s\ufffd]")
#: A declared encoding whose text scores below this is refused (see :func:`plausibility`).
IMPLAUSIBLE_BELOW = 0.7
_UTF16_ORDERS = ("utf-16-le", "utf-16-be")


@dataclass(frozen=True)
class RawText:
    text: str
    encoding: str
    source_format: str  # txt, docx or pdf
    bytes: int
    #: Invalid byte sequences replaced by U+FFFD (only when asked for with errors="replace").
    replaced: int = 0


def plausibility(text: str, sample: int = 100_000) -> float:
    """The share of a text's characters (whitespace and U+FFFD aside) that a Chinese
    document is written in (see ``_TEXTLIKE``): about 1 for a right decoding, under 0.5
    for UTF-16 in the wrong byte order or UTF-8 read as UTF-16.

    >>> text = "推动成渝地区双城经济圈建设，打造西部经济中心。"
    >>> plausibility(text), round(plausibility(text.encode("utf-16-le").decode("utf-16-be")), 2)
    (1.0, 0.3)
    """
    chars = _NOT_COUNTED.sub("", text[:sample])
    if not chars:
        return 0.0
    return 1 - len(_TEXTLIKE.sub("", chars)) / len(chars)


def _line_at(data: bytes, enc: str, pos: int) -> int:
    return data[:pos].decode(enc, errors="replace").count("\n") + 1


def _decode(data: bytes, enc: str, name: str, errors: str) -> tuple[str, int]:
    """``data`` in ``enc``: an error naming the byte and line for an invalid sequence
    (a bad UTF-8 byte, a lone UTF-16 surrogate, an odd trailing byte), or with
    ``errors="replace"`` the text and the number of sequences replaced."""
    try:
        return data.decode(enc), 0
    except UnicodeDecodeError as exc:
        if errors == "replace":
            text = data.decode(enc, errors="replace")
            # U+FFFD already in the file is text, not a replacement: count only the
            # replacements (``ignore`` drops exactly the sequences ``replace`` replaces).
            return text, text.count("\ufffd") - data.decode(enc, errors="ignore").count("\ufffd")
        raise PlantraceError(
            f"invalid {enc} byte sequence at byte {exc.start} ({exc.reason})", file=name,
            line=_line_at(data, enc, exc.start),
            hint="repair the file, or set encoding_errors=replace in the manifest to replace "
                 "invalid bytes (they are counted)") from exc


def _decode_txt(data: bytes, name: str, errors: str = "strict") -> tuple[str, str, int]:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                     (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            # The BOM says the encoding: a broken byte is an error (or replaced), never
            # a reason to guess another encoding.
            text, replaced = _decode(data, enc, name, errors)
            return text, enc, replaced
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError as exc:
        # A UTF-8 file with a few broken bytes must not be "detected" as GB18030 and read
        # as quiet mojibake: say where the bytes are, or replace them when asked to.
        lenient = data.decode("utf-8", errors="replace")
        if lenient.count("\ufffd") <= max(8, len(lenient) // 500):
            if errors == "replace":
                return (lenient, "utf-8",
                        lenient.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd"))
            line = data.count(b"\n", 0, exc.start) + 1
            raise PlantraceError(
                f"invalid UTF-8 byte sequence at byte {exc.start}", file=name, line=line,
                hint="repair the file, or set encoding_errors=replace in the manifest to replace "
                     "invalid bytes (they are counted)") from exc
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS), threshold=CHAOS_THRESHOLD).best()
    if best is None:
        raise PlantraceError(
            "not in a Chinese text encoding (tried UTF-8, GB18030, Big5, UTF-16)", file=name,
            hint="re-save the file as UTF-8, or give its encoding in the manifest column 'encoding'",
        )
    text = str(best)
    return text, best.encoding, 0


def decode_text(data: bytes, name: str, errors: str = "strict") -> tuple[str, str, int]:
    """Decode a text file's bytes the way documents are read: BOM, UTF-8, BOM-less UTF-16
    (byte order chosen by :func:`plausibility`), else GB18030/Big5/UTF-16 detection.
    Returns ``(text, encoding, replaced)``; an error names the file (and line)."""
    if not data.strip():
        _refuse_blank("", name)
    binary = _looks_binary(data)
    bomless = None
    if not _has_magic(data) and not data.startswith(_BOMS):
        if not binary:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                _refuse_blank(text, name)
                return text, "utf-8", 0
        # NUL bytes, or not UTF-8: BOM-less UTF-16? A paragraph of Han alone has no NUL
        # byte, and GB18030 detection would read it as mojibake.
        bomless = _utf16_without_bom(data)
    if binary and not bomless:
        raise PlantraceError("is a binary file, not text", file=name,
                             hint="give the real .pdf/.docx file, or convert it to UTF-8 text")
    # Decode BOM-less UTF-16 here: charset-normalizer does not recognise it.
    if bomless:
        text, replaced = _decode(data, bomless, name, errors)
        enc = bomless
    else:
        text, enc, replaced = _decode_txt(data, name, errors)
    _refuse_blank(text, name)
    return text, enc, replaced


def _has_magic(data: bytes) -> bool:
    return data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"PK\x03\x04", b"GIF8"))


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if _has_magic(head):
        return True
    # NUL bytes mean binary unless the file is UTF-16/32 (which has NULs in ASCII);
    # the UTF-32-BE BOM itself starts with NULs.
    return b"\x00" in head and not head.startswith(_BOMS)


def read_raw(path: str | Path, *, encoding: str | None = None,
             max_bytes: int = DEFAULT_MAX_BYTES, errors: str = "strict") -> RawText:
    """Read one document. ``encoding`` overrides detection for a .txt file; ``errors="replace"``
    replaces invalid byte sequences with U+FFFD and counts them in ``RawText.replaced``."""
    if errors not in ("strict", "replace"):
        raise PlantraceError(f"encoding_errors {errors!r} is not strict or replace", file=str(path),
                             hint="use encoding_errors=replace, or leave it empty")
    p = Path(path)
    name = str(p)
    if not p.is_file():
        raise PlantraceError("document not found", file=name, hint="check the manifest's file column")
    size = p.stat().st_size
    if size > max_bytes:
        raise PlantraceError(
            f"file is {_size(size)}, over the {_size(max_bytes)} limit", file=name,
            hint="split the document, or raise the limit (plantrace --max-mb N …, or load_corpus(max_bytes=N))",
        )
    suffix = p.suffix.lower()
    if suffix == ".docx":
        return RawText(_read_docx(p), "docx", "docx", size)
    if suffix == ".pdf":
        return RawText(_read_pdf(p), "pdf", "pdf", size)
    data = p.read_bytes()
    if not data:
        raise PlantraceError("file is empty (0 bytes)", file=name, hint="remove it from the manifest or fill it")
    if encoding:
        try:
            text, replaced = _decode(data, encoding, name, errors)
        except LookupError as exc:  # an unknown name, or a codec such as rot13 that is not text
            raise PlantraceError(f"cannot be read as {encoding}: {exc}", file=name,
                                 hint="remove the encoding override to detect it") from exc
        except PlantraceError as exc:
            found = _detected(data, name, encoding)
            raise PlantraceError(f"cannot be read as {encoding}: {exc.message} on line {exc.line}"
                                 + (f"; the file reads cleanly as {found} Chinese text" if found else ""),
                                 file=name,
                                 hint=(f"set encoding={found} in the manifest, or " if found else "")
                                 + "remove the encoding override to detect it, or "
                                   "set encoding_errors=replace to replace invalid bytes") from exc
        _refuse_blank(text, name)
        _check_declared(data, text, encoding, name)
        return RawText(text, encoding, "txt", size, replaced)
    text, enc, replaced = decode_text(data, name, errors)
    if not _HAN.search(text):
        raise PlantraceError(f"decoded as {enc} but holds no Chinese characters", file=name,
                             hint="check the file is the document, or give its encoding")
    return RawText(text, enc, "txt", size, replaced)


@dataclass(frozen=True)
class RawSource:
    """Where a document's raw text is read again when it is not kept in memory: the file,
    read as at load time, and the sha256 and length it had then.

    A large corpus's raw texts are as large as its normalised ones (2 bytes a Chinese
    character each); a text file costs milliseconds to read again, and most work never
    looks at the raw text (counts, diffs and alignments read the normalised one). A file
    changed since the corpus was loaded is refused: its offsets would point into another
    text.

    >>> import hashlib, tempfile
    >>> f = Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = f.write_text("建設公園城市。", encoding="utf-8")
    >>> src = RawSource.of(f, read_raw(f).text)
    >>> src.read()
    '建設公園城市。'
    >>> _ = f.write_text("建设公园城市。", encoding="utf-8")
    >>> _read_again.cache_clear()  # the last few reads are kept (they were checked)
    >>> src.read()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    plantrace.errors.PlantraceError: ...a.txt: the file changed after the corpus was loaded ...
    """

    path: Path
    sha256: str
    length: int
    encoding: str | None = None  # the manifest's override, as at load time
    errors: str = "strict"
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def of(cls, path: str | Path, text: str, *, sha256: str = "", encoding: str | None = None,
           errors: str = "strict", max_bytes: int = DEFAULT_MAX_BYTES) -> "RawSource":
        """The source of ``text``, read from ``path`` (``sha256``: its UTF-8 hash, when known)."""
        digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(Path(path), digest, len(text), encoding, errors, max_bytes)

    def read(self) -> str:
        """The raw text again (PlantraceError if the file is gone or changed)."""
        return _read_again(self)


@lru_cache(maxsize=4)
def _read_again(source: RawSource) -> str:
    # A few at a time: KWIC and the HTML report quote one document's mentions after another.
    try:
        text = read_raw(source.path, encoding=source.encoding, max_bytes=source.max_bytes,
                        errors=source.errors).text
    except PlantraceError as exc:
        raise PlantraceError(f"cannot read the raw text again: {exc.message}", file=str(source.path),
                             hint="put the file back as it was when the corpus was loaded, or load the corpus "
                                  "again") from None
    if len(text) != source.length or hashlib.sha256(text.encode("utf-8")).hexdigest() != source.sha256:
        raise PlantraceError("the file changed after the corpus was loaded (its raw text is read again when "
                             "quoted): the offsets recorded no longer point into it", file=str(source.path),
                             hint="load the corpus again")
    return text


def _detected(data: bytes, name: str, declared: str) -> str:
    """The encoding detection finds for a file whose declared encoding failed ('' if none
    gives plausible Chinese text, or it is the declared one)."""
    try:
        text, enc, _ = decode_text(data, name)
    except PlantraceError:
        return ""
    same = enc.replace("_", "-").lower() == declared.replace("_", "-").lower()
    return enc if not same and plausibility(text) >= IMPLAUSIBLE_BELOW and _HAN.search(text) else ""


def _check_declared(data: bytes, text: str, encoding: str, name: str) -> None:
    """A declared encoding that gives mojibake (``encoding=utf-16`` on a UTF-8 file) is
    an error, not 0 counts: refused when :func:`plausibility` is under
    ``IMPLAUSIBLE_BELOW`` or the text holds no Han; the fix names what detection finds."""
    share = plausibility(text)
    if share >= IMPLAUSIBLE_BELOW and _HAN.search(text):
        return
    found = _detected(data, name, encoding)
    what = (f"only {share:.0%} of its characters are Chinese, Latin, digits or punctuation "
            "(the rest unassigned, private-use or unrelated scripts)" if share < IMPLAUSIBLE_BELOW
            else "it holds no Chinese characters")
    raise PlantraceError(
        f"declared encoding {encoding} gives implausible text: {what}"
        + (f"; the file reads cleanly as {found} Chinese text" if found else ""), file=name,
        hint=(f"set encoding={found} in the manifest, or leave it empty to detect it" if found
              else "check the file and its encoding column, or leave the encoding empty to detect it"))


def _size(n: int) -> str:
    return f"{n:,} bytes" + (f" ({n / 2**20:.1f} MiB)" if n >= 2**20 else "")


def _refuse_blank(text: str, name: str) -> None:
    if not text.replace("\ufeff", "").strip():
        raise PlantraceError("file holds only whitespace, no text", file=name,
                             hint="remove it from the manifest or fill it")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when ``data`` is BOM-less UTF-16 Chinese text, else None."""
    # Counting NUL bytes cannot choose the byte order: Han such as 一 (U+4E00), 开, 最
    # hold a 00 byte too, and a text with little ASCII tips the count the wrong way.
    # Decode both orders and keep the one that reads as Chinese, by a wide margin; a
    # single bad unit (an odd trailing byte, a lone surrogate) does not decide it.
    head = data[:131_072]
    scores = {}
    for enc in _UTF16_ORDERS:
        text = head.decode(enc, errors="replace")
        scores[enc] = (plausibility(text), bool(_HAN.search(text)) and "\x00" not in text)
    best, other = sorted(_UTF16_ORDERS, key=lambda e: scores[e][0], reverse=True)
    (score, han_no_nul), (other_score, _) = scores[best], scores[other]
    if han_no_nul and score >= 0.8 and score - other_score >= 0.3:
        return best
    return None


def _read_docx(p: Path) -> str:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise PlantraceError("python-docx is missing", file=str(p), hint="pip install python-docx") from exc
    try:
        document = docx.Document(str(p))
    except Exception as exc:  # python-docx raises several types for a bad package
        raise PlantraceError(f"not a readable .docx ({exc.__class__.__name__})", file=str(p),
                             hint="open and re-save it in Word or LibreOffice") from exc
    # Paragraph order is reading order; tables are appended after, one cell per line,
    # the way the provincial collector flattened them.
    lines = [para.text for para in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def _read_pdf(p: Path) -> str:
    # pdfplumber, chosen by measurement (see plantrace.ingest.pdftext): lines in page order,
    # a blank line after a paragraph's last line, \f between pages; a scan without a text
    # layer is refused with a hint to OCR it.
    from .pdftext import read_pdf_text

    return read_pdf_text(p)
