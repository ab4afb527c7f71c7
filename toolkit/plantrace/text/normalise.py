"""Normalisation: a registry of small, named, explainable steps (ftfy's design).

Each step is a pure ``str -> str`` function (call the :class:`Step`); underneath,
it reports the edits it makes, so :func:`normalise_mapped` can keep every
character's raw offsets and :func:`explain` can say how many changes each step
made and show examples. :class:`NormaliserConfig` switches steps on and off by
the same names as the registry.

The manifest's ``script`` is used as given, with one exception (:func:`script_mismatch`):
a document declared ``simplified`` whose text is clearly traditional (t2s changes at
least 2% of its Han characters — 70 times the most any bundled simplified document
changes) is converted as ``auto`` would, and the document carries a warning saying so.

>>> STEPS["remove_pinyin_glosses"]("許興國(guó)")
'許興國'
>>> normalise_text("１９９２年，公园 城市(TOD)")
'1992年，公园城市(TOD)'
>>> normalise_text("國(guó)家發(fā)展", NormaliserConfig(script="traditional"))
'国家发展'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from html import entities as html_entities
from html import unescape as html_unescape
from typing import Callable, Iterable, Literal

from .textmap import Edit, MappedText, apply_edits_str

Script = Literal["simplified", "traditional", "traditional-tw", "traditional-hk", "auto"]
SCRIPTS: tuple[str, ...] = ("simplified", "traditional", "traditional-tw", "traditional-hk", "auto")

# Character classes shared by several steps. Han covers the URO and extension A;
# the CJK punctuation is what Chinese prose puts between words.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f\u201c\u201d\u2018\u2019\u2014\u2026\u00b7"
_HAN_RE = re.compile(f"[{HAN}]")


@dataclass(frozen=True)
class Step:
    """One named normalisation step: call it as ``str -> str``; ``edits`` explains it."""

    name: str
    edits: Callable[[str], list[Edit]]
    doc: str

    def __call__(self, text: str) -> str:
        return apply_edits_str(text, self.edits(text))


def _regex_step(name: str, pattern: str, repl: str | Callable[[re.Match[str]], str], doc: str,
                flags: int = 0) -> Step:
    compiled = re.compile(pattern, flags)

    def edits(text: str) -> list[Edit]:
        out: list[Edit] = []
        for m in compiled.finditer(text):
            new = repl(m) if callable(repl) else m.expand(repl)
            if new != m.group(0):
                out.append((m.start(), m.end(), new))
        return out

    return Step(name, edits, doc)


def _translate_step(name: str, table: dict[int, str], doc: str) -> Step:
    """A 1:1 character fold: only characters in ``table`` change."""
    chars = "".join(re.escape(chr(c)) for c in table)
    compiled = re.compile(f"[{chars}]+")

    def edits(text: str) -> list[Edit]:
        return [(m.start(), m.end(), m.group(0).translate(table)) for m in compiled.finditer(text)]

    return Step(name, edits, doc)


# --- the steps ----------------------------------------------------------------------

# Web residue: what a crawler or an export tool leaves of markup and escapes. These
# steps run first, so the characters they produce (NBSP, U+3000, zero-width spaces,
# CR) are folded by remove_invisibles and unify_spaces in the same pass.


def _codepoint_repl(m: re.Match[str]) -> str:
    hi, lo, one = m.group("hi"), m.group("lo"), m.group("cp") or m.group("u4") or m.group("u8")
    if hi:  # a JSON surrogate pair \ud83d\ude00 is one character
        cp = 0x10000 + ((int(hi, 16) - 0xD800) << 10) + (int(lo, 16) - 0xDC00)
    else:
        cp = int(one, 16)
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        return m.group(0)  # not a character (a lone surrogate): leave the escape as it is
    return chr(cp)


decode_codepoint_escapes = _regex_step(
    "decode_codepoint_escapes",
    # <U+00A0> (R, some exporters), \u3000 (JSON, Python), \U0001F600 (Python) and a
    # JSON surrogate pair. A bare U+3000 in prose names a code point and is kept; an
    # escaped backslash (\\u3000) is a literal backslash and is kept.
    # (The look-behind sits after the first backslash, so the regex engine can skip
    # to the next '<' or '\\' instead of trying every position.)
    r"<[Uu]\+(?P<cp>[0-9A-Fa-f]{4,6})>"
    r"|\\(?<!\\\\)(?:u(?P<hi>[dD][89abAB][0-9a-fA-F]{2})\\u(?P<lo>[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|u(?P<u4>[0-9a-fA-F]{4})|U(?P<u8>[0-9a-fA-F]{8}))",
    _codepoint_repl,
    "Code points escaped by other tools become characters: <U+00A0>, \\u3000, \\U0001F600.",
)


def _entity_repl(m: re.Match[str]) -> str:
    # &amp;nbsp; (escaped twice) is one token; every &amp; layer goes at once, so one
    # pass decodes it. The core is decoded with html.unescape's table only when it is
    # a real entity; &foo; stays literal.
    core = m.group("core")
    if core.startswith("#") or core in html_entities.html5:
        return html_unescape("&" + core)
    return "&" + core


decode_html_entities = _regex_step(
    "decode_html_entities",
    # Entity tokens only, terminated by ';' (R&D, AT&T and a bare &nbsp stay as written).
    r"&(?:amp;)*(?P<core>#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)",
    _entity_repl,
    "HTML entities become characters: &nbsp; → NBSP, &#12288; → U+3000, &ldquo; → “, &amp;amp; → &.",
)

remove_html_comments = _regex_step(
    "remove_html_comments",
    r"<!--.*?-->|<![Dd][Oo][Cc][Tt][Yy][Pp][Ee][^<>]*>",
    "",
    "Remove HTML comments <!-- … --> (Word's conditional comments too) and <!DOCTYPE …>.",
    re.DOTALL,
)

# Element names of HTML and of Word's HTML export (o:p, st1:chsdate); a '<' before
# anything else (<5%, <4, <U+00A0>, 《》) is text. Block elements end a line: they
# become a line break unless one is already there; a table cell starts with a space.
_HTML_NAMES = (
    "a|abbr|address|area|article|aside|b|base|basefont|bdi|bdo|big|blockquote|body|br|button|caption|center"
    "|cite|code|col|colgroup|dd|del|details|dfn|dir|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer"
    "|form|frame|frameset|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|main|map"
    "|mark|meta|nav|nobr|noscript|object|ol|optgroup|option|p|param|picture|pre|q|s|samp|script|section"
    "|select|small|source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|textarea|tfoot|th"
    "|thead|time|title|tr|tt|u|ul|var|video|wbr|o:p|(?:st1|[ovw]):[a-z]+"
)
_HTML_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "title", "tr", "ul",
})
_HTML_TAG_RE = (
    rf"</?(?P<name>{_HTML_NAMES})(?![A-Za-z0-9:_-])"
    r"""(?:\s(?:[^<>"'\n]|"[^"\n]*"|'[^'\n]*')*)?/?>"""
)


def _tag_repl(m: re.Match[str]) -> str:
    name = m.group("name").lower()
    if name in ("td", "th"):
        return "" if m.group(0).startswith("</") else " "
    if name not in _HTML_BLOCK:
        return ""
    text = m.string
    i, j = m.start(), m.end()
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    while j < len(text) and text[j] in " \t":
        j += 1
    if i == 0 or text[i - 1] in "\r\n" or j == len(text) or text[j] in "\r\n":
        return ""  # already at a line boundary
    return "\n"


remove_html_tags = _regex_step(
    "remove_html_tags",
    _HTML_TAG_RE,
    _tag_repl,
    "Remove HTML tags (<p>, <br/>, </span>, <a href=…>); block tags end the line. <5% and 《》 stay.",
    re.IGNORECASE,
)


remove_invisibles = _regex_step(
    "remove_invisibles",
    # BOM, zero-width space/joiners, word joiner, soft hyphen, and C0/C1 controls other
    # than newline and tab; a CR (alone or before LF) becomes a plain newline.
    "\r\n?|[\ufeff\u200b-\u200d\u2060\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]",
    lambda m: "\n" if m.group(0).startswith("\r") else "",
    "Remove BOM, zero-width and control characters; CR/CRLF become LF.",
)

unify_spaces = _translate_step(
    "unify_spaces",
    {c: " " for c in (0x3000, 0x00A0, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
                      0x2008, 0x2009, 0x200A, 0x202F, 0x205F, 0x0009)},
    "Ideographic space (U+3000), NBSP, thin spaces and tabs become a plain space.",
)

# Full-width digits, Latin letters, ％ and ＋ are folded; full-width Chinese punctuation
# (，：（）) is part of the prose and stays.
_FULLWIDTH = {c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH.update({c: chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH.update({c: chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})
_FULLWIDTH.update({0xFF05: "%", 0xFF0B: "+", 0xFF0E: "."})
fold_fullwidth = _translate_step(
    "fold_fullwidth", _FULLWIDTH,
    "Full-width digits, Latin letters, ％, ＋ and ． become ASCII (１９９２ → 1992).",
)

join_spaced_digits = _regex_step(
    "join_spaced_digits",
    # Single digits separated by single spaces ("1 9 9 3", "8 .8 %") are one number
    # typeset letter-spaced; a run of multi-digit numbers ("25 30") is left alone.
    r"(?<![\d.])\d(?=[ .])(?:(?: | ?\. ?)\d(?!\d))+(?: %)?",
    lambda m: m.group(0).replace(" ", ""),
    "Join letter-spaced digits: 1 9 9 3 → 1993, 8 .8 % → 8.8%.",
)

# A pinyin syllable: optional initial, a vowel nucleus with a tone mark, optional final
# nasal. Neutral-tone syllables carry no mark, so a short list of them is accepted too.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_VOWELS = "aeiouüv" + _TONED
_PINYIN = (
    f"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?=[{_VOWELS}]*[{_TONED}])[{_VOWELS}]{{1,4}}(?:ng|n|r)?"
    "|de|le|me|men|ma|ne|ba|zi|zhe|guo|la|ya|wa)"
)
remove_pinyin_glosses = _regex_step(
    "remove_pinyin_glosses",
    # Ruby annotation flattened by a scraper: one lower-case pinyin syllable in brackets
    # right after a Han character (once, in 004, after a Latin letter). Anything else in brackets ((TOD), (2021—2025年),
    # (征求意见稿)) is a real parenthetical and is kept.
    f"(?<=[{HAN}A-Za-z])(?:[(（]{_PINYIN}[)）])+",  # a doubled gloss goes too (idempotence)
    "",
    "Remove pinyin glosses left by ruby annotation: 國(guó) → 國.",
)

strip_markdown = _regex_step(
    "strip_markdown",
    # ** and __ emphasis markers anywhere; bullet glyphs at a line start, including the
    # Wingdings bullet that PDF extraction renders as a Latin 'u', 'l', 'n' or 'q' before Han.
    rf"\*\*|__|(?m:^[ ]*(?:(?:[•●○◆◇■□▪▫·・◦‣∙][ ]*)+(?:[ulnq](?=[{HAN}]))?|[ulnq](?=[{HAN}]))[ ]*)",
    "",
    "Strip markdown emphasis (**) and line-initial bullet glyphs (·, •, Wingdings 'u').",
)

trim_lines = _regex_step(
    "trim_lines",
    r"(?m)^[ ]+|[ ]+$",
    "",
    "Remove indentation and trailing spaces on every line.",
)

remove_cjk_spaces = _regex_step(
    "remove_cjk_spaces",
    # PDF line wraps leave spaces inside words (公园城 市, 2022 年). A space between two
    # Han characters or CJK punctuation, or between Han and a digit, is debris; a space
    # between Latin words is not.
    rf"(?<=[{HAN}{CJK_PUNCT}])[ ]+(?=[{HAN}{CJK_PUNCT}\d])|(?<=\d)[ ]+(?=[{HAN}{CJK_PUNCT}])",
    "",
    "Remove spaces between two CJK characters (PDF wrap debris): 公园 城市 → 公园城市.",
)

# Headings must never be glued to the paragraph below when lines are rejoined.
HEADING_START = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[篇章节部分]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|\d+[.、．](?!\d)|[①-⑳])"
)
_TERMINALS = ("。", "！", "？", "；", "!", "?", ";", "：", ":")


def _is_fragment(line: str) -> bool:
    return len(line) < 25 and not line.endswith(_TERMINALS)




# --- paged text (PDF extractions): running headers/footers, wraps, page breaks ------------

# Page-number and running lines a page's edge holds: `1/35`, `- 12 -`, `第 3 页`,
# `第3页 共35页`, `Page 3 of 35`, a browser's URL footer and date header. A bare number
# (`12`) is furniture only when it repeats (digits aside) on the pages: a table's last
# cell may be one.
_PAGE_MARK = re.compile(
    r"^(?:[-–—]\s*\d{1,4}\s*[-–—]|\d{1,4}\s*/\s*\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?"
    r"|(?:file|https?)://\S+(?:\s+\d{1,4}\s*/\s*\d{1,4})?"
    r"|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?\s+\d{1,2}:\d{2}(?:\s*[AaPp][Mm])?(?:\s+.{0,80})?)$"
)
_DIGITS = re.compile(r"\d+")
_CJK_EDGE = re.compile(f"[{HAN}{CJK_PUNCT}\u3000-\u303f\uff00-\uffef]")
#: How many lines at a page's top and bottom may be running headers or footers.
_EDGE_LINES = 3


def _page_lines(text: str) -> list[list[tuple[int, int, int]]]:
    """Per page (split at form feeds): (start, end, newlines after) of each non-blank line."""
    pages, pos = [], 0
    for page in text.split("\f"):
        lines = []
        for m in re.finditer(r"[^\n]+", page):
            if m.group(0).strip():
                s, e = pos + m.start(), pos + m.end()
                n = len(page) - len(page[m.end():].lstrip("\n"))
                lines.append((s, e, n - m.end()))
        pages.append(lines)
        pos += len(page) + 1
    while pages and not pages[-1]:
        pages.pop()  # the text after the last \f
    return pages


def _furniture(text: str, pages: list[list[tuple[int, int, int]]]) -> set[int]:
    """Start offsets of the running header/footer lines of paged text."""
    seen: dict[tuple[str, int, str], set[int]] = {}
    for p, lines in enumerate(pages):
        for rank, (s, e, _) in enumerate(lines[:_EDGE_LINES]):
            seen.setdefault(("top", rank, _DIGITS.sub("#", text[s:e].strip())), set()).add(p)
        for rank, (s, e, _) in enumerate(reversed(lines[-_EDGE_LINES:])):
            seen.setdefault(("bottom", rank, _DIGITS.sub("#", text[s:e].strip())), set()).add(p)
    # A line repeated (digits aside) at the same place on half the pages, at least two.
    need = max(2, (len(pages) + 1) // 2)
    repeated = {k for k, v in seen.items() if len(v) >= need and len(k[2]) <= 120}
    out: set[int] = set()
    for lines in pages:
        edge = [("top", r, ln) for r, ln in enumerate(lines[:_EDGE_LINES])]
        edge += [("bottom", r, ln) for r, ln in enumerate(reversed(lines[-_EDGE_LINES:]))]
        for side, rank, (s, e, _) in edge:
            line = text[s:e].strip()
            if (side, rank, _DIGITS.sub("#", line)) in repeated or (rank == 0 and _PAGE_MARK.match(line)):
                out.add(s)
    return out


def _page_furniture_edits(text: str) -> list[Edit]:
    r"""Paged text only: a PDF extraction (:mod:`plantrace.pdftext`) ends each page with
    \f, puts one \n after a line that runs on and a blank line after a paragraph's end.
    Running lines go with the breaks around them; a wrap is joined (nothing between Chinese
    characters, a space between Latin words); a paragraph end is a blank line.

    >>> STEPS["remove_page_furniture"]("报告\n\n推动公园城\n- 1 -\n\n\f报告\n\n市建设。\n\n其他。\n\n- 2 -\n\n\f")
    '推动公园城市建设。\n\n其他。\n'
    """
    if "\f" not in text:
        return []
    pages = _page_lines(text)
    furniture = _furniture(text, pages)
    kept = [ln for lines in pages for ln in lines if ln[0] not in furniture]
    out: list[Edit] = []
    prev_end = 0
    for i, (s, e, _) in enumerate(kept):
        if i == 0:
            gap_new = ""
        else:
            _, pe, pn = kept[i - 1]
            if pn >= 2 or HEADING_START.match(text[s:e]):
                # A paragraph end keeps its blank line (the extraction's own, so on one
                # page it is no edit and explain() shows the furniture and the wraps).
                gap_new = "\n\n"
            elif _CJK_EDGE.match(text[pe - 1]) or _CJK_EDGE.match(text[s]):
                gap_new = ""  # a wrap inside Chinese text: 公园城\n市
            else:
                gap_new = " "  # a wrap between Latin words
        if text[prev_end:s] != gap_new:
            out.append((prev_end, s, gap_new))
        prev_end = e
    tail = "\n" if kept else ""
    if text[prev_end:] and text[prev_end:] != tail:
        out.append((prev_end, len(text), tail))
    return out


def _rejoin_edits(text: str) -> list[Edit]:
    # Lone newlines (no blank line around them) are the breaks a wiki link leaves inside
    # a sentence; paragraphs are separated by blank lines in such documents. A break
    # next to a heading is a real boundary and stays.
    out: list[Edit] = []
    for m in re.finditer(r"(?<=[^\n])\n(?=[^\n])", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        next_end = text.find("\n", m.end())
        prev_line = text[line_start:m.start()]
        next_line = text[m.end(): next_end if next_end >= 0 else len(text)]
        if HEADING_START.match(next_line) or HEADING_START.match(prev_line):
            continue
        # After a full stop, a lone break before a whole paragraph is a paragraph break
        # the transcriber typed without a blank line; before a short fragment (a linked
        # term such as 党的十八届六中全会) it is link debris.
        if prev_line.endswith(_TERMINALS) and not _is_fragment(next_line):
            continue
        out.append((m.start(), m.end(), ""))
    return out


remove_page_furniture = Step(
    "remove_page_furniture", _page_furniture_edits,
    "Paged (PDF) text: drop running headers/footers (lines repeated at a page's edge, digits "
    "aside; 1/35, - 12 -, 第 3 页), join lines wrapped inside a paragraph, remove page breaks.",
)

# Ligatures and compatibility characters some fonts' ToUnicode maps emit: ﬁ (U+FB01),
# Kangxi radicals (⾦ U+2FA6 for 金), CJK radicals, CJK compatibility ideographs. NFKC on
# those ranges only: full-width punctuation (，：) must stay as it is.
_COMPAT = re.compile("[\ufb00-\ufb4f\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]+")
fold_compatibility = _regex_step(
    "fold_compatibility", _COMPAT.pattern,
    lambda m: unicodedata.normalize("NFKC", m.group(0)),
    "NFKC on ligatures and CJK compatibility characters only: ﬁ → fi, ⾦ (Kangxi radical) → 金.",
)

rejoin_lines = Step(
    "rejoin_lines", _rejoin_edits,
    "Rejoin lines broken mid-sentence (wiki-link breaks); never glue a heading.",
)


_NO_LINE_START = "，。、；：”》）),.;:!?！？"
_NO_LINE_END = "“《（("


def rejoin_applies(text: str) -> bool:
    r"""Was this document broken by wiki links, so its lone line breaks are debris?

    A line that starts with a comma or closing quote, or ends with an opening one, is
    a break no author types; wiki transcriptions have many (《\n著作权法\n》).
    Documents with one paragraph per line or one list item per line have none and
    are left alone.

    >>> rejoin_applies("根据《\n中华人民共和国著作权法\n》，属于\n公有领域\n。在\n中国大陆\n，也")
    True
    >>> rejoin_applies("不断提升履职能力\n推动学习型政府建设\n提升应对把握复杂形势的能力")
    False
    """
    lone = list(re.finditer(r"(?<=[^\n])\n(?=[^\n])", text))
    telling = sum(1 for m in lone if text[m.end()] in _NO_LINE_START or text[m.start() - 1] in _NO_LINE_END)
    return telling >= 3 and telling >= 0.1 * len(lone)


@lru_cache(maxsize=8)
def _opencc(config: str):  # type: ignore[no-untyped-def]
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError("OpenCC is missing: pip install opencc") from exc
    return opencc.OpenCC(config)


OPENCC_CONFIG = {"traditional": "t2s", "traditional-tw": "tw2s", "traditional-hk": "hk2s"}


def detect_script(text: str, threshold: float = 0.003) -> str:
    """``traditional`` when t2s changes at least ``threshold`` of the Han characters.

    The threshold is low on purpose: the 1957 report is only partly traditional
    (0.7% of its characters change) and must be converted; a simplified report
    changes at most 0.01% (a variant such as 拚).

    >>> detect_script("國家發展改革委員會")
    'traditional'
    >>> detect_script("国家发展改革委员会")
    'simplified'
    """
    changed, total = _t2s_changes(text, 400_000)
    return "traditional" if total and changed / total >= threshold else "simplified"


def _t2s_changes(text: str, limit: int) -> tuple[int, int]:
    """(Han characters t2s changes, Han characters) in the first ``limit`` characters."""
    # A sample is enough, and findall over a 20 MB text would build 20 million strings.
    han = _HAN_RE.findall(text, 0, limit)
    if not han:
        return 0, 0
    sample = "".join(han)
    converted = _opencc("t2s").convert(sample)
    return sum(1 for a, b in zip(sample, converted) if a != b), len(sample)


#: A document declared ``script=simplified`` is treated as traditional when t2s changes
#: at least this share of its Han characters (and at least ``MISMATCH_MIN_CHANGED`` of
#: them). The margin: no bundled simplified document changes more than 0.03% (the 103
#: simplified or auto-simplified ones; the highest is the 1975 report at 0.02%), the
#: traditional ones change 31-36%, the half-converted 1957 report 0.7%.
MISMATCH_THRESHOLD = 0.02
MISMATCH_MIN_CHANGED = 20


def script_mismatch(declared: str, text: str) -> str | None:
    """A warning when the manifest says ``simplified`` but the text is clearly traditional.

    Declared ``simplified`` switches conversion off, so a traditional document would lose
    most of its mentions (23 of 29 in the Chengdu proposal) without a word. When t2s
    changes at least ``MISMATCH_THRESHOLD`` of the first 60,000 characters' Han (and at
    least ``MISMATCH_MIN_CHANGED`` characters), the document is converted as ``auto``
    would (script ``traditional``, t2s) and this message is recorded on it
    (``Document.script_warning``, the ``script_warning`` column of ``corpus.to_frame()``).
    Any other declaration is used as given.

    >>> script_mismatch("simplified", "國家發展改革委員會關於實施鄉村振興戰略的意見" * 3)[:48]
    'declared script=simplified, but 50% of its Han c'
    >>> script_mismatch("simplified", "国家发展改革委员会") is None
    True
    """
    if declared != "simplified":
        return None
    changed, total = _t2s_changes(text, 60_000)
    if not total or changed < MISMATCH_MIN_CHANGED or changed / total < MISMATCH_THRESHOLD:
        return None
    return (f"declared script=simplified, but {changed / total:.0%} of its Han characters are "
            "traditional: converted to simplified as script=auto would (set script=traditional or "
            "auto in the manifest to silence this)")


def _simplify_edits(config: str) -> Callable[[str], list[Edit]]:
    def edits(text: str) -> list[Edit]:
        converter = _opencc(config)
        out: list[Edit] = []
        # Line by line keeps a length-changing phrase conversion from shifting the
        # offsets of the rest of the document.
        pos = 0
        for line in text.split("\n"):
            if _HAN_RE.search(line):
                new = converter.convert(line)
                if new != line:
                    if len(new) == len(line):
                        # Report character runs, so explain() counts real changes.
                        i = 0
                        while i < len(line):
                            if line[i] != new[i]:
                                j = i
                                while j < len(line) and line[j] != new[j]:
                                    j += 1
                                out.append((pos + i, pos + j, new[i:j]))
                                i = j
                            else:
                                i += 1
                    else:
                        out.append((pos, pos + len(line), new))
            pos += len(line) + 1
        return out

    return edits


def to_simplified_step(config: str = "t2s") -> Step:
    return Step("to_simplified", _simplify_edits(config),
                f"Traditional → simplified with native OpenCC ({config}).")


# --- after OpenCC: phrases it leaves traditional -----------------------------------
# OpenCC's t2s keeps 著 everywhere (著力, 随著, 意味著 stay), where mainland text writes
# 着 except in 著名, 显著, 著作…; and it does not fold variants such as 衞 (卫) or 擧
# (举). data/t2s_phrases.txt lists those phrases as t2s leaves them with the mainland
# form, identity entries included (著名 → 著名) so that longest match first keeps
# 名著手稿 from becoming 名着手稿. The audit behind it is data/t2s_phrases.md.

PHRASES_FORMAT = "plantrace-phrases/1"


@lru_cache(maxsize=1)
def t2s_phrases() -> dict[str, str]:
    """The bundled phrase table, checked: format header, tab-separated pairs, sorted, unique.

    >>> t2s_phrases()["著力"], t2s_phrases()["著名"]
    ('着力', '著名')
    """
    from importlib import resources

    text = resources.files("plantrace").joinpath("data/t2s_phrases.txt").read_text(encoding="utf-8")
    return parse_phrases(text, "plantrace/data/t2s_phrases.txt")


def parse_phrases(text: str, origin: str = "<phrases>") -> dict[str, str]:
    """Parse a ``plantrace-phrases/1`` file: ``#`` header lines, then sorted ``from<TAB>to`` lines."""
    lines = text.splitlines()
    header = [ln for ln in lines if ln.startswith("#")]
    if not any(ln.split(":", 1)[-1].strip() == PHRASES_FORMAT for ln in header if ln.lower().startswith("# format:")):
        raise ValueError(f"{origin}: no '# format: {PHRASES_FORMAT}' header line")
    table: dict[str, str] = {}
    keys: list[str] = []
    for no, ln in enumerate(lines, 1):
        if not ln or ln.startswith("#"):
            continue
        parts = ln.split("\t")
        if len(parts) != 2 or not parts[0] or not parts[1] or parts[0] != parts[0].strip():
            raise ValueError(f"{origin}:{no}: expected 'from<TAB>to', got {ln!r}")
        if parts[0] in table:
            raise ValueError(f"{origin}:{no}: duplicate entry {parts[0]!r}")
        keys.append(parts[0])
        table[parts[0]] = parts[1]
    if keys != sorted(keys):
        raise ValueError(f"{origin}: entries are not sorted (by code point)")
    return table


@lru_cache(maxsize=1)
def _phrase_re() -> re.Pattern[str]:
    # Longest first: at each position the regex takes the first alternative that
    # matches, so this is OpenCC's maximum forward matching.
    keys = sorted(t2s_phrases(), key=lambda k: (-len(k), k))
    return re.compile("|".join(map(re.escape, keys)))


def _phrase_edits(text: str) -> list[Edit]:
    table = t2s_phrases()
    out: list[Edit] = []
    for m in _phrase_re().finditer(text):
        new = table[m.group(0)]
        if new != m.group(0):
            out.append((m.start(), m.end(), new))
    return out


@lru_cache(maxsize=1)
def _phrase_out_re() -> re.Pattern[str]:
    outs = sorted({v for k, v in t2s_phrases().items() if k != v and len(v) > 1}, key=lambda v: (-len(v), v))
    return re.compile("|".join(map(re.escape, outs)))


def t2s_phrase_spans(text: str) -> list[tuple[int, int]]:
    """Spans of normalised ``text`` that ``fix_t2s_phrases`` writes as a unit (着力, 随着, 千瓦).

    The layer decides from context, so a raw slice that cuts such a phrase (``…,著``
    without its ``力``) cannot re-normalise to the document's ``着``: a test that slices
    a converted document re-normalises only slices that do not cut these spans.

    >>> t2s_phrase_spans("要着力推进，随着发展，显著")
    [(1, 3), (6, 8)]
    """
    return [m.span() for m in _phrase_out_re().finditer(text)]


fix_t2s_phrases = Step(
    "fix_t2s_phrases", _phrase_edits,
    "After OpenCC, phrases it leaves traditional: 著力 → 着力, 随著 → 随着, 衞生 → 卫生; 著名 stays.",
)


#: The registry: step names in the order they run. Config flags use the same names.
STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        # fold_compatibility first: Chromium's fonts print a URL footer as ﬁle://; then
        # remove_page_furniture, which needs the \f page breaks remove_invisibles drops.
        fold_compatibility, remove_page_furniture,
        # Web residue next: what it decodes (&nbsp;, \u3000, <U+200B>) is folded by
        # remove_invisibles and unify_spaces in the same pass; entities before tags, so
        # &lt;p&gt; escaped once more by a crawler goes in the same pass too.
        decode_codepoint_escapes, decode_html_entities, remove_html_comments, remove_html_tags,
        remove_invisibles, unify_spaces, fold_fullwidth, join_spaced_digits,
        # strip_markdown runs before the glosses: 國**(guó) must lose its gloss in one pass.
        strip_markdown, remove_pinyin_glosses, trim_lines, rejoin_lines,
        remove_cjk_spaces, to_simplified_step(), fix_t2s_phrases,
    )
}


@dataclass(frozen=True)
class NormaliserConfig:
    """Which steps run, by the registry's names, and how script and line joining are decided.

    ``script`` and ``rejoin_lines`` may be ``auto``; :meth:`resolve` fixes them for one
    document so that the same resolved config re-normalises any slice of it identically.
    """

    fold_compatibility: bool = True
    remove_page_furniture: bool = True
    decode_codepoint_escapes: bool = True
    decode_html_entities: bool = True
    remove_html_comments: bool = True
    remove_html_tags: bool = True
    remove_invisibles: bool = True
    unify_spaces: bool = True
    fold_fullwidth: bool = True
    join_spaced_digits: bool = True
    remove_pinyin_glosses: bool = True
    strip_markdown: bool = True
    trim_lines: bool = True
    rejoin_lines: Literal["auto", "on", "off"] = "auto"
    remove_cjk_spaces: bool = True
    to_simplified: bool = True
    #: runs only on documents ``to_simplified`` converted (see :func:`t2s_phrases`)
    fix_t2s_phrases: bool = True
    script: str = "auto"

    def resolve(self, raw: str) -> "NormaliserConfig":
        """Decide ``script='auto'`` from the document's text (once per document).

        ``rejoin_lines='auto'`` is decided by :func:`normalise_mapped` on the text as
        the earlier steps leave it (indentation-only lines must be blank by then).
        """
        if self.script == "auto":
            return replace(self, script=detect_script(raw))
        return self

    def steps(self) -> list[Step]:
        """The steps this config runs, in registry order (``rejoin_lines`` included
        unless it is ``off``; ``auto`` is decided when the step is reached)."""
        out: list[Step] = []
        for name, step in STEPS.items():
            if name == "rejoin_lines":
                if self.rejoin_lines != "off":
                    out.append(step)
            elif name == "to_simplified":
                if self.to_simplified and self.script in OPENCC_CONFIG:
                    out.append(to_simplified_step(OPENCC_CONFIG[self.script]))
            elif name == "fix_t2s_phrases":
                if self.fix_t2s_phrases and self.to_simplified and self.script in OPENCC_CONFIG:
                    out.append(step)
            elif getattr(self, name):
                out.append(step)
        return out

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class StepReport:
    """What one step did to one document."""

    step: str
    changes: int
    chars_removed: int
    #: (original, replacement, context) of the first few changes
    examples: tuple[tuple[str, str, str], ...] = field(default=())


_MAX_ROUNDS = 4


def _context(text: str, start: int, end: int, width: int = 6) -> str:
    return text[max(0, start - width):end + width].replace("\n", "⏎")


def normalise_mapped(
    raw: str, config: NormaliserConfig | None = None, *, explain: bool = False,
    max_examples: int = 5,
) -> tuple[MappedText, NormaliserConfig, list[StepReport]]:
    """Normalise ``raw`` keeping raw offsets; also return the resolved config and,
    when ``explain`` is set, a report per step (including steps that changed nothing).

    >>> m, cfg, rep = normalise_mapped("公园 城市", explain=True)
    >>> m.text, m.raw_span(0, 4), [r.changes for r in rep if r.step == "remove_cjk_spaces"]
    ('公园城市', (0, 5), [1])
    """
    cfg = (config or NormaliserConfig()).resolve(raw)
    mapped = MappedText.from_raw(raw)
    counts: dict[str, list] = {}  # step -> [changes, chars_removed, examples]
    # One step's deletion can make another step's pattern appear (國**(guó): the gloss
    # only touches its character once ** is gone; a rejoined line break can do the same),
    # so the steps run again until a round changes nothing: normalising twice equals
    # normalising once. On real documents the second round finds nothing.
    for _round in range(_MAX_ROUNDS):
        changed = False
        for step in cfg.steps():
            if step.name == "rejoin_lines" and cfg.rejoin_lines == "auto":
                cfg = replace(cfg, rejoin_lines="on" if rejoin_applies(mapped.text) else "off")
                if cfg.rejoin_lines == "off":
                    continue
            edits = step.edits(mapped.text)
            if explain:
                entry = counts.setdefault(step.name, [0, 0, []])
                entry[0] += len(edits)
                entry[1] += sum((e - s) - len(r) for s, e, r in edits)
                room = max_examples - len(entry[2])
                entry[2].extend((mapped.text[s:e], repl, _context(mapped.text, s, e)) for s, e, repl in edits[:room])
            if edits:
                changed = True
                mapped = mapped.apply(edits)
        if not changed:
            break
    reports = [shared_report(StepReport(name, c, r, tuple(ex))) for name, (c, r, ex) in counts.items()]
    return mapped, cfg, reports


#: One object per step for the reports of steps that changed nothing, most of them: a
#: corpus holds a report per step per document (30 MB of them at 7,000 documents).
_UNCHANGED: dict[str, StepReport] = {}


def shared_report(report: StepReport) -> StepReport:
    """``report``, or the one equal object when its step changed nothing.

    >>> shared_report(StepReport("fold_compatibility", 0, 0)) is shared_report(StepReport("fold_compatibility", 0, 0))
    True
    """
    if report.changes or report.chars_removed or report.examples:
        return report
    return _UNCHANGED.setdefault(report.step, report)


def normalise_text(raw: str, config: NormaliserConfig | None = None) -> str:
    """The normalised text alone (what lexicon aliases are passed through too)."""
    return normalise_mapped(raw, config)[0].text


def step_edits(raw: str, step_name: str, config: NormaliserConfig | None = None) -> list[tuple[str, str]]:
    """Every change one step makes to ``raw`` as (original, replacement) pairs, in the
    state of the text that step sees: the full list behind :func:`explain`'s count."""
    cfg = (config or NormaliserConfig()).resolve(raw)
    text = raw
    for step in cfg.steps():
        if step.name == "rejoin_lines" and cfg.rejoin_lines == "auto":
            cfg = replace(cfg, rejoin_lines="on" if rejoin_applies(text) else "off")
            if cfg.rejoin_lines == "off":
                continue
        edits = step.edits(text)
        if step.name == step_name:
            return [(text[s:e], r) for s, e, r in edits]
        text = apply_edits_str(text, edits)
    return []


def iter_step_names() -> Iterable[str]:
    return iter(STEPS)
