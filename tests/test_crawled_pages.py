"""Issue 13 §2, crawled pages: page chrome, link blocks and repeated copies.

Expected values were read by hand in the files named (``corpora/gwr-provincial-2026/texts``
and ``corpora/gwr-provincial-2025/texts``; line numbers are 1-based lines of the raw file).
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from plantrace import normalise_text
from plantrace.ingest.manifest import read_manifest
from plantrace.ingest.read import read_raw
from plantrace.structure.document import build_document
from plantrace.structure.repeats import detect_zones_with_repeats
from plantrace.structure.zones import Zone, default_zone_rules, detect_zones, zone_at
from plantrace.text.normalise import NormaliserConfig

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
TEXTS_2026 = CORPORA / "gwr-provincial-2026" / "texts"


def _text_2026(province: str) -> tuple[str, str]:
    raw = (TEXTS_2026 / f"gwr_2026_{province}.txt").read_text(encoding="utf-8")
    return raw, normalise_text(raw)


def _body(text: str, zones: list[Zone]) -> str:
    return "".join(text[z.start:z.end] for z in zones if z.name == "body")


# (province, raw line of "各位代表：", raw line of the closing sentence, its last characters,
#  first line after the body or None when the file ends with the closing sentence).
# Read by hand: every closing line is the "各位代表！……" appeal that ends the report; what
# follows it is the page chrome or the appendix the 2026 README lists.
BODY_ENDS = [
    ("anhui", 15, 114, "力谱写中国式现代化安徽篇章！", "相关报道："),
    ("beijing", 16, 105, "族复兴伟业作出新的更大贡献！", "相关报道："),
    ("chongqing", 15, 104, "力谱写中国式现代化重庆篇章！", "相关报道："),
    ("fujian", 15, 123, "谱写新征程新福建建设新篇章！", "相关报道："),
    ("gansu", 16, 95, "力谱写中国式现代化甘肃篇章！", "相关报道："),
    ("guangdong", 5, 157, "族复兴伟业作出新的更大贡献！", "附件1"),
    ("guangxi", 15, 74, "、民族复兴伟业贡献广西力量！", "相关报道："),
    ("guizhou", 5, 83, "族伟大复兴作出新的更大贡献！", None),
    ("hainan", 4, 202, "力谱写中国式现代化海南篇章！", "注释"),
    ("hebei", 16, 67, "写中国式现代化建设河北篇章！", "相关报道："),
    ("heilongjiang", 15, 109, "国式现代化龙江新局面而奋斗！", "相关报道："),
    ("henan", 15, 98, "族复兴伟业作出新的更大贡献！", "相关报道："),
    ("hubei", 15, 129, "式现代化湖北篇章而努力奋斗！", "相关报道："),
    ("hunan", 16, 121, "国式现代化湖南篇章不懈奋斗！", "相关报道："),
    ("jiangsu", 16, 59, "、民族复兴伟业作出更大贡献！", "相关报道："),
    ("jiangxi", 16, 82, "化江西篇章作出新的更大贡献！", "附件"),
    ("jilin", 15, 74, "化新吉林作出新的更大的贡献！", "相关报道："),
    ("liaoning", 15, 102, "力谱写中国式现代化辽宁篇章！", "相关报道："),
    ("neimenggu", 16, 60, "写中国式现代化内蒙古新篇章！", "附件"),
    ("ningxia", 22, 113, "、共圆伟大中国梦而团结奋斗！", "扫一扫在手机打开当前页"),
    ("qinghai", 6, 120, "国式现代化青海篇章不懈奋斗！", "（来源：青海日报）"),
    ("shaanxi", 19, 83, "设的陕西新篇章作出更大贡献！", "扫一扫在手机打开当前页"),
    ("shandong", 15, 62, "、民族复兴伟业作出更大贡献！", "相关报道："),
    ("shanghai", 15, 122, "现代化建设作出新的更大贡献！", "相关报道："),
    ("shanxi", 16, 111, "大地推进中国式现代化新篇章！", "相关报道："),
    ("sichuan", 13, 100, "式现代化四川新篇章不懈奋斗！", "名词解释"),
    ("tianjin", 16, 116, "力谱写中国式现代化天津篇章！", "相关报道："),
    ("xinjiang", 16, 84, "族复兴伟业作出新的更大贡献！", "相关报道："),
    ("xizang", 15, 88, "中国式现代化的绚丽雪域篇章！", "相关报道："),
    ("yunnan", 16, 119, "擘画的美好蓝图变为幸福实景！", "》》点击图片进入专题《《"),
    ("zhejiang", 15, 117, "现代化的生动图景而努力奋斗！", "相关报道："),
]


@pytest.mark.parametrize("province,first_line,last_line,closing,after", BODY_ENDS,
                         ids=[row[0] for row in BODY_ENDS])
def test_2026_body_runs_from_address_to_closing_sentence(
        province: str, first_line: int, last_line: int, closing: str, after: str | None) -> None:
    raw, text = _text_2026(province)
    raw_lines = raw.split("\n")
    assert raw_lines[first_line - 1].strip().startswith("各位代表")
    assert closing in raw_lines[last_line - 1]
    zones = detect_zones(text)
    body = next(z for z in zones if z.name == "body")
    assert text[body.start:body.end].startswith("各位代表")
    assert text[body.start:body.end].rstrip().endswith(closing)
    rest = text[body.end:].strip()
    if after is None:
        assert rest == ""
    else:
        assert rest.split("\n")[0].strip() == after
        assert zone_at(zones, body.end) == "back"


def test_2026_related_coverage_line_is_back_matter() -> None:
    # gwr_2026_anhui.txt:115 is the bare "相关报道：" the link list of the page hangs from.
    _, text = _text_2026("anhui")
    zones = detect_zones(text)
    assert zones[-1].name == "back" and text[zones[-1].start:].strip() == "相关报道："
    assert zones[-1].why == "related-coverage links of a news or government page"


def test_2026_glossaries_after_closing_sentence_are_back_matter() -> None:
    # gwr_2026_hainan.txt:203 "注释", then 28 notes "［1］一降三减：" (:204) … "［28］三个立法权：" (:258).
    _, text = _text_2026("hainan")
    back = detect_zones(text)[-1]
    assert back.name == "back" and back.why == "heading of appended numbered notes"
    notes = text[back.start:]
    assert notes.startswith("注释\n［1］一降三减：") and "［28］三个立法权：" in notes
    # Without the heading the first numbered note opens the back matter on its own.
    headless = text.replace("\n注释\n", "\n", 1)
    back = detect_zones(headless)[-1]
    assert headless[back.start:].startswith("［1］一降三减：")


def test_2026_sichuan_footer_and_second_title_copy_are_back_matter() -> None:
    # gwr_2026_sichuan.txt:101 "名词解释" (notes 1-20), :128 "责任编辑：", :131-138 related
    # links with hexadecimal ids, :139-140 "打印本页 / 关闭窗口", then :141-142 a second copy
    # of the title and opening sentence.
    _, text = _text_2026("sichuan")
    zones = detect_zones(text)
    back = zones[-1]
    assert back.name == "back" and text[back.start:].startswith("名词解释")
    for line in ("责任编辑：", "abcd39f1fb7f426d9dfb6bd0fa1f2146:", "关闭窗口", "2026年四川省人民政府工作报告"):
        offset = text.rindex(line)
        assert offset >= back.start, line
    assert back.end == len(text)  # labelled, never deleted


# (province, the raw line the front zone ends on when no "各位代表" line opens the body).
# Read by hand: the last line of the page chrome before the title block or the report.
CHROME_ENDS = [
    ("anhui", 13, "时间：2026-02-11"),            # after 下载/打印/…/】 (:1-9) and 来源 (:12)
    ("yunnan", 13, "】"),                         # 您的位置: 首页 > … (:1-5), 【字体： 大 中 小 】 (:9-13)
    ("sichuan", 10, "分享："),                     # date-time stamp (:2), 来源 (:3), 【字体：…】, 分享：
    ("shaanxi", 17, "分享:"),                      # breadcrumb (:4-10), 时间/来源 (:13-16), 分享: (:17)
    ("guizhou", 1, "政府工作报告。贵州日报天眼新闻记者李森摄"),  # the photo caption
    ("ningxia", 21, "宁夏日报记者王鼎摄"),            # 当前位置：首页 > … 【字体：…】 … photo caption
]


@pytest.mark.parametrize("province,last_line,tail", CHROME_ENDS, ids=[row[0] for row in CHROME_ENDS])
def test_2026_page_chrome_is_front_matter_without_the_address(province: str, last_line: int, tail: str) -> None:
    # Take the opener rule away: the front-lines patterns alone must still find the chrome
    # (a crawled page of a plan or a notice has no "各位代表").
    _, text = _text_2026(province)
    rules = replace(default_zone_rules(), body_start=())
    front = detect_zones(text, rules)[0]
    assert front.name == "front"
    assert text[:front.end].count("\n") + 1 == last_line
    assert text[:front.end].endswith(tail)


def test_bundled_documents_keep_their_zones() -> None:
    """Zone boundaries of the 108 bundled documents as computed at commit 668051a
    (``tests/golden/zones_bundled.json``: doc_id -> [front end, back start, length]).
    The crawled-page patterns must not move any of them; a deliberate change updates the
    golden file in the same commit, with the reason in its message."""
    golden = json.loads((ROOT / "tests" / "golden" / "zones_bundled.json").read_text(encoding="utf-8"))
    seen: dict[str, list[int]] = {}
    for name in ("chengdu", "gwr-national", "gwr-provincial-2025"):
        for entry in read_manifest(CORPORA / name):
            doc = build_document(entry, read_raw(entry.path), NormaliserConfig())
            n = len(doc.text)
            front_end = next((z.end for z in doc.zones if z.name == "front"), 0)
            back_start = next((z.start for z in doc.zones if z.name == "back"), n)
            seen[entry.doc_id] = [front_end, back_start, n]
    # 108 at 668051a + gwr_national_2020 (front = its title, date and speaker: 48 chars).
    # gwr_national_1957 is one character longer since fix_t2s_phrases: 瓩 (a 1950s
    # traditional unit) becomes 千瓦, so its back start and length moved by one.
    assert len(seen) == 109
    assert {k: v for k, v in seen.items() if golden.get(k) != v} == {}


# --- The show case: one report six times inside one page of web chrome -----------------

def _raw_lines(relative: str, first: int, last: int) -> list[str]:
    """Raw lines ``first``-``last`` (1-based, inclusive) of a bundled file."""
    return (CORPORA / relative).read_text(encoding="utf-8").split("\n")[first - 1:last]


def _show_case_parts() -> list[tuple[str, str]]:
    """(kind, raw text) parts of a page holding gwr_2025_sichuan.txt six times.

    The chrome is real: the toolbar of gwr_2026_anhui.txt:1-9 (下载 … 】) and the Sichuan
    site's header gwr_2026_sichuan.txt:2-10 (date-time, 来源, 【字体： 大 中 小 】, 分享：)
    before each copy; its footer gwr_2026_sichuan.txt:128-140 (责任编辑：, 扫一扫…, related
    links with hexadecimal ids, 打印本页 / 关闭窗口) after each copy; "相关报道："
    (gwr_2026_anhui.txt:115) and the footer again at the end of the page.
    """
    report = (CORPORA / "gwr-provincial-2025/texts/gwr_2025_sichuan.txt").read_text(encoding="utf-8").strip()
    head = "\n".join(_raw_lines("gwr-provincial-2026/texts/gwr_2026_anhui.txt", 1, 9)
                     + _raw_lines("gwr-provincial-2026/texts/gwr_2026_sichuan.txt", 2, 10))
    footer = "\n".join(_raw_lines("gwr-provincial-2026/texts/gwr_2026_sichuan.txt", 128, 140))
    parts: list[tuple[str, str]] = []
    for copy in range(6):
        parts += [("chrome", head), (f"copy{copy + 1}", report), ("chrome", footer)]
    parts.append(("chrome", "相关报道：\n" + footer))
    return parts


def test_show_case_six_copies_in_page_chrome() -> None:
    parts = [(kind, normalise_text(raw)) for kind, raw in _show_case_parts()]
    page = "\n".join(text for _, text in parts)
    single = normalise_text(dict(_show_case_parts())["copy1"])
    single_zones = detect_zones(single)
    front, body, back = (next(z for z in single_zones if z.name == n) for n in ("front", "body", "back"))
    # gwr_2025_sichuan.txt: front is :1-4 (title, 来源, subtitle, speaker), body runs from
    # "各位代表：" (:5) to the closing "……努力奋斗！", back from "名词解释" (its 50 notes).
    assert single[front.start:front.end].strip().endswith("四川省人民政府省长施小琳")
    assert single[body.start:].startswith("各位代表：") and single[back.start:].startswith("名词解释")

    zones = detect_zones_with_repeats(page)
    assert zones[0].start == 0 and zones[-1].end == len(page)
    assert all(a.end == b.start for a, b in pairwise(zones))

    # Each part's lines, by what they are: chrome front or back, each copy's front, body and
    # back as in the single file; copy 1's body is body, copies 2-6's bodies are duplicate.
    offset = 0
    for kind, text in parts:
        for line_start in [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]:
            if not text[line_start:].split("\n")[0].strip():
                continue
            got = zone_at(zones, offset + line_start)
            if kind == "chrome":
                assert got in ("front", "back"), (kind, text[line_start:line_start + 20])
            else:
                want = zone_at(single_zones, line_start)
                if want == "body" and kind != "copy1":
                    want = "duplicate"
                assert got == want, (kind, text[line_start:line_start + 20])
        offset += len(text) + 1
    duplicates = [z for z in zones if z.name == "duplicate"]
    assert len(duplicates) == 5
    assert all(page[z.start:z.end].strip() == single[body.start:body.end].strip() for z in duplicates)
    body_lines = next(z.why for z in duplicates)
    assert all(z.why == body_lines for z in duplicates)  # every copy repeats copy 1's body lines
    # The body is one copy's body, character for character.
    assert "".join(page[z.start:z.end] for z in zones if z.name == "body") == single[body.start:body.end]


def _show_case_corpus(folder: Path) -> Path:
    """``single``: gwr_2025_sichuan.txt; ``page``: it six times inside page chrome."""
    parts = _show_case_parts()
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "single.txt").write_text(dict(parts)["copy1"], encoding="utf-8")
    (folder / "texts" / "page.txt").write_text("\n".join(raw for _, raw in parts), encoding="utf-8")
    header = "doc_id,file,title,issuer,level,region,parent_region,year,date,doc_type,script"
    rows = [f"{doc_id},texts/{doc_id}.txt,2025年四川省政府工作报告,四川省人民政府,provincial,四川省,"
            f"中华人民共和国,2025,,government_work_report,simplified" for doc_id in ("single", "page")]
    (folder / "manifest.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


def test_show_case_counts_targets_and_kwic_equal_one_copy(tmp_path: Path) -> None:
    import plantrace

    corpus = plantrace.load_corpus(_show_case_corpus(tmp_path), store=False, jobs=1)
    docs = {d.doc_id: d for d in corpus.docs}
    assert docs["page"].body_chars == docs["single"].body_chars

    counts = corpus.counts()
    by_doc = {doc_id: dict(zip(g["concept_id"], g["count"], strict=True))
              for doc_id, g in counts.groupby("doc_id")}
    assert by_doc["page"] == by_doc["single"]

    targets = corpus.targets()
    keys = ["indicator_id", "value", "value_high", "unit", "kind", "text"]
    per_doc = {doc_id: sorted(map(tuple, g[keys].astype(str).values.tolist()))
               for doc_id, g in targets.groupby("doc_id")}
    assert per_doc["page"] == per_doc["single"]

    kwic = corpus.kwic("高质量发展")
    assert (kwic["doc_id"] == "page").sum() == (kwic["doc_id"] == "single").sum() > 0
    # a literal term (no concept) is searched in each body zone, never in a copy
    kwic = corpus.kwic("成渝")
    assert (kwic["doc_id"] == "page").sum() == (kwic["doc_id"] == "single").sum() > 0

    # documents.csv: the five later copies are duplicate, each one body of the single file
    frame = corpus.to_frame().set_index("doc_id")
    assert frame.loc["single", "duplicate_chars"] == 0
    assert frame.loc["page", "duplicate_chars"] == 5 * frame.loc["single", "body_chars"] > 20_000
    assert docs["page"].body_text == docs["single"].body_text
    # words are those of one copy too (segmented from the body zones)
    words = corpus.words(top=None, per_document=True)
    page, single = (words[words["doc_id"] == d].drop(columns="doc_id").reset_index(drop=True)
                    for d in ("page", "single"))
    assert len(single) > 2000
    assert page.equals(single)


def test_clean_explain_lists_each_duplicate_copy_with_its_raw_lines(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from plantrace.cli import app

    folder = _show_case_corpus(tmp_path / "c")
    result = CliRunner().invoke(app, ["--no-store", "clean", str(folder), "--doc", "page", "--explain"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "5 duplicate zone(s)" in result.output
    # page.txt: copy 2's body is raw lines 190 ("各位代表：") to 270 ("各位代表！迎接风险挑战，…"),
    # a copy of copy 1's lines 23-103 (the same two lines), read with sed -n in the file.
    assert "raw lines 190-270: repeats lines 23-103 of the normalised text (raw lines 23-103)" in result.output
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["--no-store", "clean", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "page.txt").read_text(encoding="utf-8") == (out / "single.txt").read_text(encoding="utf-8")
