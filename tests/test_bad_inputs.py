"""Every bad input a researcher may feed plantrace, through the CLI, in one table.

Each case builds its input in a temporary folder and runs one command. User mistakes exit
with code 2 and one line on stderr naming the file (and line or row) and the fix; no
traceback, no output written. Readable oddities (other encodings, a BOM) exit 0.
The messages are printed by ``python tests/test_bad_inputs.py`` for the issue's list.
"""

from __future__ import annotations

import codecs
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from plantrace.cli import app

ROOT = Path(__file__).resolve().parents[1]
CHENGDU = ROOT / "corpora" / "chengdu"
SAMPLE = (CHENGDU / "qingyang_2021_plan_outline.txt").read_text(encoding="utf-8")[:3000]
TRAD = (CHENGDU / "chengdu_2020_party_proposal.txt").read_text(encoding="utf-8")[200:2000]
HEADER = "doc_id,file,level,region,year\n"


def corpus(tmp: Path, files: dict[str, bytes], manifest: str | None = None) -> Path:
    root = tmp / "c"
    root.mkdir()
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    rows = manifest if manifest is not None else HEADER + "".join(
        f"d{i},{n},district,成都市青羊区,2021\n" for i, n in enumerate(files))
    (root / "manifest.csv").write_text(rows, encoding="utf-8")
    return root


def good(tmp: Path) -> Path:
    return corpus(tmp, {"a.txt": SAMPLE.encode("utf-8")})


def lexicon(tmp: Path, body: str) -> Path:
    p = tmp / "lex.yaml"
    p.write_text("name: t\nversion: '1'\nlanguage: zh\nsource: test\nlicense: CC0-1.0\nconcepts:\n" + body,
                 encoding="utf-8")
    return p


@dataclass
class Case:
    name: str
    build: Callable[[Path], list[str]]
    code: int
    fragment: str


def _bad_utf8(tmp: Path) -> list[str]:
    head, tail = SAMPLE[:200].encode("utf-8"), SAMPLE[200:].encode("utf-8")
    assert len(head) == 568  # 200 characters: Han and punctuation 3 bytes each, digits 1
    return ["corpus", str(corpus(tmp, {"a.txt": head + b"\xff\xfe" + tail}))]


def _replace_utf8(tmp: Path) -> list[str]:
    head, tail = SAMPLE[:200].encode("utf-8"), SAMPLE[200:].encode("utf-8")
    root = corpus(tmp, {"a.txt": head + b"\xff" + tail},
                  HEADER.strip() + ",encoding_errors\nd0,a.txt,district,成都市青羊区,2021,replace\n")
    return ["count", str(root), "--json"]


def _existing_out(tmp: Path) -> list[str]:
    (tmp / "o").mkdir()
    return ["report", str(good(tmp)), "--out", str(tmp / "o")]


def _unwritable(tmp: Path) -> list[str]:
    blocker = tmp / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    return ["report", str(good(tmp)), "--out", str(blocker / "out"), "--no-charts"]


CASES = [
    Case("GB18030 file is read, encoding reported", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode("gb18030")})), "--json"], 0, '"encoding":"gb18030"'),
    Case("Big5 file is read, encoding reported", lambda t: ["corpus", str(corpus(t, {"a.txt": TRAD.encode("big5", "ignore")})), "--json"], 0, '"encoding":"big5'),
    Case("UTF-16 file is read, encoding reported", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode("utf-16")})), "--json"], 0, '"encoding":"utf-16"'),
    Case("UTF-8 with BOM is read", lambda t: ["corpus", str(corpus(t, {"a.txt": codecs.BOM_UTF8 + SAMPLE.encode()})), "--json"], 0, '"encoding":"utf-8-sig"'),
    Case("bytes in no Chinese encoding", lambda t: ["corpus", str(corpus(t, {"a.txt": bytes(range(128, 256)) * 40}))], 2, "not in a Chinese text encoding"),
    Case("invalid UTF-8 byte sequence", _bad_utf8, 2, "a.txt:2: invalid UTF-8 byte sequence at byte 568"),
    Case("invalid bytes replaced when asked, and counted", _replace_utf8, 0, '"doc_id":"d0"'),
    Case("empty file", lambda t: ["corpus", str(corpus(t, {"a.txt": b""}))], 2, "file is empty"),
    Case("whitespace-only file", lambda t: ["corpus", str(corpus(t, {"a.txt": " \n\u3000\n".encode()}))], 2, "only whitespace"),
    Case("table of contents only", lambda t: ["corpus", str(corpus(t, {"a.txt": "目录\n第一章 总体要求........- 1 -\n第二章 空间格局........- 5 -\n".encode()}))], 2, "has no body text"),
    Case("PDF renamed .txt", lambda t: ["corpus", str(corpus(t, {"a.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"}))], 2, "is a binary file"),
    Case("PNG renamed .txt", lambda t: ["corpus", str(corpus(t, {"a.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}))], 2, "is a binary file"),
    Case("file over the size limit", lambda t: ["--max-mb", "0.001", "corpus", str(good(t))], 2, "over the 1,048 bytes limit"),
    Case("corrupt .docx", lambda t: ["corpus", str(corpus(t, {"a.docx": b"PK\x03\x04 not really a zip"}))], 2, "not a readable .docx"),
    Case("document missing from disk", lambda t: ["corpus", str(corpus(t, {}, HEADER + "d0,missing.txt,city,成都市,2020\n"))], 2, "file 'missing.txt' not found"),
    Case("file listed twice", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode()}, HEADER + "d0,a.txt,city,成都市,2020\nd1,a.txt,city,成都市,2020\n"))], 2, "listed twice"),
    Case("duplicate doc ids", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode(), "b.txt": SAMPLE.encode()}, HEADER + "d0,a.txt,city,成都市,2020\nd0,b.txt,city,成都市,2020\n"))], 2, "doc_id 'd0' repeats row 2"),
    Case("manifest without required columns", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode()}, "doc_id,file\nd0,a.txt\n"))], 2, "lacks required column(s): level, region, year"),
    Case("bad level", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode()}, HEADER + "d0,a.txt,town,成都市,2020\n"))], 2, "manifest.csv:2: level 'town'"),
    Case("bad year", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode()}, HEADER + "d0,a.txt,city,成都市,20x0\n"))], 2, "manifest.csv:2: year '20x0'"),
    Case("manifest with a BOM loads", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode()}, "\ufeff" + HEADER + "d0,a.txt,city,成都市,2020\n")), "--json"], 0, '"doc_id":"d0"'),
    Case("semicolons instead of commas", lambda t: ["corpus", str(corpus(t, {"a.txt": SAMPLE.encode()}, "doc_id;file;level;region;year\nd0;a.txt;city;成都市;2020\n"))], 2, "uses semicolons"),
    Case("path outside the corpus folder", lambda t: ["corpus", str(corpus(t, {}, HEADER + "d0,../../etc/passwd,city,成都市,2020\n"))], 2, "lies outside the corpus folder"),
    Case("empty manifest", lambda t: ["corpus", str(corpus(t, {}, ""))], 2, "manifest is empty"),
    Case("corpus folder missing", lambda t: ["corpus", str(t / "nowhere")], 2, "corpus folder not found"),
    Case("lexicon with bad YAML", lambda t: ["count", str(good(t)), "--lexicon", str(lexicon(t, "  - {id: a, label: [oops\n"))], 2, "invalid YAML"),
    Case("lexicon with an empty alias", lambda t: ["count", str(good(t)), "--lexicon", str(lexicon(t, "  - {id: a, label: 公园城市, aliases: ['']}\n"))], 2, "empty alias"),
    Case("alias in two concepts", lambda t: ["count", str(good(t)), "--lexicon", str(lexicon(t, "  - {id: a, label: 公园城市}\n  - {id: b, label: 城市, aliases: [公园城市]}\n"))], 2, "is also an alias of 'a'"),
    Case("unknown parent", lambda t: ["count", str(good(t)), "--lexicon", str(lexicon(t, "  - {id: a, label: 公园城市, parent: zz}\n"))], 2, "unknown parent 'zz'"),
    Case("cycle of parents", lambda t: ["count", str(good(t)), "--lexicon", str(lexicon(t, "  - {id: a, label: 公园城市, parent: b}\n  - {id: b, label: 新经济, parent: a}\n"))], 2, "cycle of parents"),
    Case("missing lexicon file", lambda t: ["count", str(good(t)), "--lexicon", str(t / "nope.yaml")], 2, "lexicon file not found"),
    Case("unknown concept id for KWIC", lambda t: ["kwic", str(good(t)), "no_such_concept"], 2, "unknown concept id 'no_such_concept'"),
    Case("unknown doc id for --pair", lambda t: ["diff", str(good(t)), "--pair", "d0", "zz"], 2, "no document with doc_id 'zz'"),
    Case("diff without a comparison", lambda t: ["diff", str(good(t))], 2, "say what to compare"),
    Case("output folder exists", _existing_out, 2, "output folder exists"),
    Case("output folder cannot be written", _unwritable, 2, "cannot create the output folder"),
    Case("output file exists", lambda t: ["count", str(good(t)), "--out", str(Path(shutil.copy(CHENGDU / "manifest.csv", t / "x.csv")))], 2, "output file exists"),
    Case("unknown keyness target column", lambda t: ["keyness", str(good(t)), "--target", "colour=red"], 2, "unknown column 'colour'"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    args = case.build(tmp_path)
    result = CliRunner().invoke(app, ["-q", "--no-store", *args])
    assert result.exit_code == case.code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    if case.code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("plantrace: error: "), result.stderr
        assert case.fragment in lines[0], lines[0]
        assert "(fix: " in lines[0]
        assert result.stdout == ""
    else:
        assert case.fragment in result.stdout.replace(" ", ""), result.stdout[:500]


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_skip_bad_goes_on_and_records(tmp_path: Path) -> None:
    root = corpus(tmp_path, {"a.txt": SAMPLE.encode(), "b.txt": b""})
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["-q", "--no-store", "report", str(root), "--out", str(out), "--skip-bad",
                                      "--no-charts"])
    assert result.exit_code == 0, result.output
    book = (out / "codebook.json").read_text(encoding="utf-8")
    assert "file is empty" in book and "b.txt" in book


if __name__ == "__main__":  # print the list of cases and their messages
    import tempfile

    for i, case in enumerate(CASES, 1):
        with tempfile.TemporaryDirectory() as d:
            r = CliRunner().invoke(app, ["-q", "--no-store", *case.build(Path(d))])
            msg = (r.stderr.strip() or r.stdout.strip()[:80]).replace(d, "…")
            print(f"{i}. {case.name} → exit {r.exit_code}: {msg}")
    sys.exit(0)
