"""plantrace.ingest.read_raw: every common Chinese encoding, bad files, .docx, read-only.

Texts are real: slices of the bundled Chengdu documents re-encoded into tmp_path, and
the 31 provincial reports in both .docx and .txt form.
"""

from __future__ import annotations

import codecs
import hashlib
import random
import re
from pathlib import Path

import pytest

from plantrace.errors import PlantraceError
from plantrace.ingest.read import read_raw

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
CHENGDU = CORPORA / "chengdu"
PROVINCIAL = CORPORA / "gwr-provincial-2025"


def _read_utf8(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# 400 characters of the Chengdu party proposal (traditional, every character is in Big5).
_PROPOSAL = _read_utf8(CHENGDU / "chengdu_2020_party_proposal.txt")
TRAD = _PROPOSAL[_PROPOSAL.index("1.建設全面體現新發展理念"):][:400]
# The opening 400 characters of the Qingyang plan outline (simplified). Before the fix
# of the detection threshold this exact text, saved as GB18030, was refused.
SIMP = _read_utf8(CHENGDU / "qingyang_2021_plan_outline.txt")[:400]
# Xindu's article: traditional characters with tone-marked pinyin glosses 國(guó).
XINDU = _read_utf8(CHENGDU / "xindu_2021_signed_article.txt")[:400]


def test_sample_texts_are_what_the_tests_claim() -> None:
    assert len(TRAD) == len(SIMP) == 400
    assert TRAD.startswith("1.建設全面體現新發展理念的城市成效顯著")
    assert "國家中心城市" in TRAD and "国家" not in TRAD
    assert SIMP.startswith("“十四五”时期(2021—2025年),是成都加快建设")
    assert XINDU.startswith("許興國(guó)\n成都市委十三屆八次全會(huì)")
    TRAD.encode("big5")  # no character outside Big5: the Big5 test is a real one


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _error(path: Path, **kw: object) -> str:
    with pytest.raises(PlantraceError) as info:
        read_raw(path, **kw)  # type: ignore[arg-type]
    msg = str(info.value)
    assert info.value.file == str(path)
    assert msg.startswith(f"{path}: "), msg          # names the file first
    assert "\n" not in msg, msg                      # one line
    assert "(fix: " in msg, msg                      # says how to fix it
    return msg


# ---- encodings -------------------------------------------------------------------------

ENCODED = [
    ("utf8", SIMP, SIMP.encode("utf-8"), "utf-8"),
    ("utf8-trad", TRAD, TRAD.encode("utf-8"), "utf-8"),
    ("utf8-bom", SIMP, codecs.BOM_UTF8 + SIMP.encode("utf-8"), "utf-8-sig"),
    ("gb18030", SIMP, SIMP.encode("gb18030"), "gb18030"),
    ("gb18030-trad", TRAD, TRAD.encode("gb18030"), "gb18030"),
    ("gb18030-pinyin", XINDU, XINDU.encode("gb18030"), "gb18030"),
    # GBK is a subset of GB18030 and decodes identically: reported as gb18030.
    ("gbk", SIMP, SIMP.encode("gbk"), "gb18030"),
    ("big5", TRAD, TRAD.encode("big5"), "big5"),
    ("utf16le-bom", SIMP, codecs.BOM_UTF16_LE + SIMP.encode("utf-16-le"), "utf-16"),
    ("utf16be-bom", SIMP, codecs.BOM_UTF16_BE + SIMP.encode("utf-16-be"), "utf-16"),
    ("utf16le-bom-trad", TRAD, codecs.BOM_UTF16_LE + TRAD.encode("utf-16-le"), "utf-16"),
    ("utf16le-nobom", SIMP, SIMP.encode("utf-16-le"), "utf-16-le"),
    ("utf16be-nobom", SIMP, SIMP.encode("utf-16-be"), "utf-16-be"),
    ("utf32be-bom", SIMP, codecs.BOM_UTF32_BE + SIMP.encode("utf-32-be"), "utf-32"),
    ("utf32le-bom", SIMP, codecs.BOM_UTF32_LE + SIMP.encode("utf-32-le"), "utf-32"),
]


@pytest.mark.parametrize(("label", "text", "data", "expected"), ENCODED, ids=[c[0] for c in ENCODED])
def test_decodes_exact_text_and_reports_encoding(tmp_path: Path, label: str, text: str,
                                                 data: bytes, expected: str) -> None:
    p = _write(tmp_path, f"{label}.txt", data)
    raw = read_raw(p)
    assert raw.text == text
    assert raw.encoding == expected
    assert raw.source_format == "txt"
    assert raw.bytes == len(data)


def test_gbk_and_gb18030_bytes_are_the_same_for_this_text() -> None:
    # So reporting 'gb18030' for the GBK file above loses nothing.
    assert SIMP.encode("gbk") == SIMP.encode("gb18030")
    assert SIMP.encode("gbk") != SIMP.encode("utf-8")


@pytest.mark.parametrize("year", ["1957", "1982"])
def test_whole_national_report_saved_as_gb18030(tmp_path: Path, year: str) -> None:
    # Regression: charset-normalizer's default threshold refused these two real reports.
    text = _read_utf8(CORPORA / "gwr-national" / "texts" / f"gwr_national_{year}.txt")
    p = _write(tmp_path, f"gwr_{year}.txt", text.encode("gb18030"))
    raw = read_raw(p)
    assert raw.encoding == "gb18030"
    assert raw.text == text


def test_gb18030_four_byte_characters(tmp_path: Path) -> None:
    # 䶮 (U+4DAE) and 𠀾 lie outside GBK: GB18030 encodes them in four bytes.
    text = SIMP + "\n南汉刘䶮，𠀾。"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    raw = read_raw(_write(tmp_path, "four.txt", data))
    assert (raw.text, raw.encoding) == (text, "gb18030")


def test_explicit_encoding_override(tmp_path: Path) -> None:
    p = _write(tmp_path, "gbk.txt", SIMP.encode("gbk"))
    raw = read_raw(p, encoding="gbk")
    assert (raw.text, raw.encoding) == (SIMP, "gbk")
    # The override is used as given even where detection would name another codec.
    p = _write(tmp_path, "big5.txt", TRAD.encode("big5"))
    raw = read_raw(p, encoding="big5hkscs")
    assert (raw.text, raw.encoding) == (TRAD, "big5hkscs")


def test_wrong_encoding_override_is_a_clear_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "gb.txt", SIMP.encode("gb18030"))
    msg = _error(p, encoding="big5")
    assert "cannot be read as big5" in msg
    assert "remove the encoding override" in msg
    msg = _error(p, encoding="no-such-codec")
    assert "cannot be read as no-such-codec" in msg


# ---- files that are refused ----------------------------------------------------------

def test_empty_file(tmp_path: Path) -> None:
    msg = _error(_write(tmp_path, "empty.txt", b""))
    assert "empty" in msg


@pytest.mark.parametrize(
    "data",
    [
        b"  \n\t\r\n  \n",
        "\u3000\u3000\n\u3000\n".encode("utf-8"),           # ideographic spaces
        codecs.BOM_UTF8 + b"  \n\n",
        codecs.BOM_UTF16_LE + " \n\u3000\n".encode("utf-16-le"),
    ],
    ids=["ascii", "ideographic", "utf8-bom", "utf16-bom"],
)
def test_whitespace_only_file_is_refused(tmp_path: Path, data: bytes) -> None:
    msg = _error(_write(tmp_path, "blank.txt", data))
    assert "only whitespace" in msg


def test_whitespace_only_file_refused_with_encoding_override(tmp_path: Path) -> None:
    p = _write(tmp_path, "blank.txt", "\u3000 \n".encode("gb18030"))
    assert "only whitespace" in _error(p, encoding="gb18030")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # a .docx renamed .txt
    ],
    ids=["pdf", "png", "zip"],
)
def test_binary_file_renamed_txt(tmp_path: Path, data: bytes) -> None:
    msg = _error(_write(tmp_path, "report.txt", data))
    assert "binary file" in msg


def test_random_bytes_with_nul_are_binary(tmp_path: Path) -> None:
    rnd = random.Random(20250101)
    data = bytes(rnd.randrange(256) for _ in range(3000))
    assert b"\x00" in data
    assert "binary file" in _error(_write(tmp_path, "noise.txt", data))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_in_no_chinese_encoding(tmp_path: Path, seed: int) -> None:
    # No NUL bytes, so the decoder itself has to say no (not the binary sniffing).
    rnd = random.Random(seed)
    data = bytes(rnd.randrange(1, 256) for _ in range(3000))
    msg = _error(_write(tmp_path, "noise.txt", data))
    assert "not in a Chinese text encoding" in msg
    assert "encoding" in msg.split("(fix: ")[1]


def test_text_without_chinese_is_refused(tmp_path: Path) -> None:
    msg = _error(_write(tmp_path, "english.txt", b"Government work report\n"))
    assert "no Chinese characters" in msg


def test_file_over_max_bytes(tmp_path: Path) -> None:
    data = SIMP.encode("utf-8")
    assert len(data) == 1148
    p = _write(tmp_path, "big.txt", data)
    msg = _error(p, max_bytes=1000)
    assert "over the 1,000 bytes limit" in msg
    assert "1,148 bytes" in msg
    assert "limit" in msg.split("(fix: ")[1]
    # At the limit exactly the file is read.
    assert read_raw(p, max_bytes=1148).text == SIMP


def test_max_bytes_applies_to_docx(tmp_path: Path) -> None:
    p = PROVINCIAL / "docx" / "gwr_2025_anhui.docx"
    msg = _error(p, max_bytes=10_000)
    assert "over the 10,000 bytes limit" in msg


def test_missing_file(tmp_path: Path) -> None:
    msg = _error(tmp_path / "nowhere.txt")
    assert "not found" in msg


def test_folder_is_not_a_document(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path)


def test_broken_docx(tmp_path: Path) -> None:
    msg = _error(_write(tmp_path, "broken.docx", "各位代表：".encode()))
    assert "not a readable .docx" in msg


# ---- .docx against .txt: the 31 provincial reports -------------------------------------

DOCX = sorted((PROVINCIAL / "docx").glob("*.docx"))
_WS = re.compile(r"\s+")


def test_there_are_31_provincial_docx() -> None:
    assert len(DOCX) == 31
    assert {p.stem for p in DOCX} == {p.stem for p in (PROVINCIAL / "texts").glob("*.txt")}


@pytest.mark.parametrize("docx_path", DOCX, ids=[p.stem for p in DOCX])
def test_docx_body_equals_txt_body(docx_path: Path) -> None:
    from_docx = read_raw(docx_path)
    from_txt = read_raw(PROVINCIAL / "texts" / f"{docx_path.stem}.txt")
    assert from_docx.source_format == "docx" and from_docx.encoding == "docx"
    assert from_docx.bytes == docx_path.stat().st_size
    a, b = _WS.sub("", from_docx.text), _WS.sub("", from_txt.text)
    assert len(a) > 5000
    assert a == b


# ---- raw inputs are never modified -----------------------------------------------------

def _fingerprint(p: Path) -> tuple[int, int, str]:
    st = p.stat()
    return st.st_mtime_ns, st.st_size, hashlib.sha256(p.read_bytes()).hexdigest()


def test_read_raw_never_modifies_the_file(tmp_path: Path) -> None:
    files = [
        CHENGDU / "xindu_2021_signed_article.txt",
        PROVINCIAL / "docx" / "gwr_2025_sichuan.docx",
        _write(tmp_path, "bom.txt", codecs.BOM_UTF8 + SIMP.encode("utf-8")),
        _write(tmp_path, "gb.txt", SIMP.encode("gb18030")),
        _write(tmp_path, "big5.txt", TRAD.encode("big5")),
        _write(tmp_path, "u16.txt", codecs.BOM_UTF16_BE + SIMP.encode("utf-16-be")),
    ]
    before = [_fingerprint(p) for p in files]
    for p in files:
        assert read_raw(p).text
    read_raw(files[0], encoding="utf-8")
    read_raw(files[3], encoding="gb18030")
    assert [_fingerprint(p) for p in files] == before
