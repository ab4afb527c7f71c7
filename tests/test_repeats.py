"""Repeated blocks (plantrace.repeats) on real text.

Expected values were read by hand in the files named (1-based raw line numbers).
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from itertools import pairwise
from pathlib import Path

import pytest

from plantrace import normalise_text
from plantrace.ingest.manifest import read_manifest
from plantrace.ingest.read import read_raw
from plantrace.structure.document import build_document
from plantrace.structure.repeats import DUPLICATE, Repeat, detect_zones_with_repeats, find_repeats
from plantrace.structure.zones import Zone, detect_zones, zone_at
from plantrace.text.normalise import NormaliserConfig

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"


def _text(relative: str) -> str:
    return normalise_text((CORPORA / relative).read_text(encoding="utf-8"))


def _line_no(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _assert_partition(text: str, zones: list[Zone]) -> None:
    assert zones[0].start == 0 and zones[-1].end == len(text)
    assert all(a.end == b.start for a, b in pairwise(zones))
    assert all(z.end > z.start for z in zones)


def test_no_repeats_in_any_bundled_or_2026_document() -> None:
    # 140 documents (139 + the national 2020 report). The longest line any of them holds twice is 37 characters (the subtitle
    # at gwr_2026_shaanxi.txt:3 and :12); "各位代表！" stands 8 times in gwr_national_2018.
    # At the default thresholds none of them is a repeat, and the zones stay detect_zones'.
    folders = ["chengdu", "gwr-national", "gwr-provincial-2025", "gwr-provincial-2026"]
    seen = 0
    for name in folders:
        for entry in read_manifest(CORPORA / name):
            text = build_document(entry, read_raw(entry.path), NormaliserConfig()).text
            assert find_repeats(text) == [], entry.doc_id
            seen += 1
    assert seen == 140
    text = _text("gwr-national/texts/gwr_national_2018.txt")
    assert text.count("\n各位代表！\n") == 8
    assert detect_zones_with_repeats(text) == detect_zones(text)


def test_thresholds_are_parameters_shaanxi_chrome_title() -> None:
    # gwr_2026_shaanxi.txt:2-3 (title and subtitle in the share bar) are repeated at :11-12
    # under the breadcrumb: 14 + 37 characters, far below a copied block; with the
    # thresholds lowered to 30 characters they are found, pointing at lines 2-3.
    text = _text("gwr-provincial-2026/texts/gwr_2026_shaanxi.txt")
    assert find_repeats(text) == []
    [rep] = find_repeats(text, min_chars=30)
    assert (_line_no(text, rep.start), _line_no(text, rep.end)) == (11, 12)
    assert (_line_no(text, rep.original_start), _line_no(text, rep.original_end)) == (2, 3)
    assert text[rep.start:rep.end] == text[rep.original_start:rep.original_end]


def test_print_view_appended_is_one_repeat_of_the_whole_report() -> None:
    single = _text("gwr-provincial-2025/texts/gwr_2025_sichuan.txt")
    page = single + "\n打印本页\n" + single
    [rep] = find_repeats(page)
    assert rep == Repeat(len(single) + len("\n打印本页\n"), len(page.rstrip()), 0, len(single.rstrip()))
    assert page[rep.start:rep.end] == single.rstrip()


def test_six_copies_give_five_repeats_of_copy_one() -> None:
    single = _text("gwr-provincial-2025/texts/gwr_2025_hebei.txt").strip()
    page = "\n".join([single] * 6)
    reps = find_repeats(page)
    assert len(reps) == 5
    assert all((r.original_start, r.original_end) == (0, len(single)) for r in reps)
    assert [r.start for r in reps] == [k * (len(single) + 1) for k in range(1, 6)]


def test_repeated_stretch_opening_with_a_refrain() -> None:
    # gwr_2026_anhui.txt:111 "各位代表！" and :112 the paragraph "“十五五”和开局之年的目标任务，
    # 考验着各级政府……" (760 characters); the refrain first stands at :36. Pasted again after
    # the closing sentence (:114), before "相关报道：": the repeat starts on the refrain,
    # because the block it opens copies :111-112, and it is carved out of the body.
    text = _text("gwr-provincial-2026/texts/gwr_2026_anhui.txt")
    lines = text.split("\n")
    assert lines[35] == lines[110] == "各位代表！" and lines[111].startswith("“十五五”和开局之年")
    page = "\n".join(lines[:114] + lines[110:112] + lines[114:])
    [rep] = find_repeats(page)
    assert (_line_no(page, rep.start), _line_no(page, rep.end)) == (115, 116)
    assert page[rep.start:rep.end] == "各位代表！\n" + lines[111]
    assert (_line_no(page, rep.original_start), _line_no(page, rep.original_end)) == (111, 112)
    zones = detect_zones_with_repeats(page)
    _assert_partition(page, zones)
    assert [(z.name, z.why) for z in zones] == [
        ("front", "before: the address that opens a work report; collector headers stand before it"),
        ("body", ""), (DUPLICATE, "repeats lines 111-112"),
        ("back", "related-coverage links of a news or government page")]
    assert zones[2].start == rep.start


def test_sentence_quoted_twice_and_heading_are_not_repeats() -> None:
    # gwr_2025_sichuan.txt:31 "2025年工作安排建议" (a part heading) and the first sentence over
    # 30 characters of the longest body paragraph, each pasted once more as a line of its own further down
    # (next to each other, and the heading also right after its own line): both stay body,
    # neither is a copied block.
    text = _text("gwr-provincial-2025/texts/gwr_2025_sichuan.txt")
    lines = text.split("\n")
    heading = "2025年工作安排建议"
    assert lines[30] == heading
    mid = len(lines) // 2
    sentence = next(x + "。" for x in max(lines[40:mid], key=len).split("。") if len(x) > 30)
    assert 30 < len(sentence) < 400
    page_lines = lines[:31] + [heading] + lines[31:mid] + [sentence, heading] + lines[mid:]
    page = "\n".join(page_lines)
    assert page.count(sentence) == 2 and page_lines.count(heading) == 3
    assert find_repeats(page) == []
    assert [z.name for z in detect_zones_with_repeats(page)] == ["front", "body", "back"]


def test_repeat_inside_the_body_is_carved_out() -> None:
    # Four consecutive paragraphs of gwr_2025_sichuan.txt's body pasted again right after
    # themselves (a page template printing a section twice): one duplicate zone inside the
    # body, body before and after it, and the body characters those of the original.
    text = _text("gwr-provincial-2025/texts/gwr_2025_sichuan.txt")
    body = next(z for z in detect_zones(text) if z.name == "body")
    lines = text.split("\n")
    k = _line_no(text, body.start) + 20  # 0-based index of the 21st body line's successor
    block = "\n".join(lines[k:k + 4])
    assert len(block) > 200
    at = text.index(block) + len(block)
    page = text[:at] + "\n" + block + text[at:]
    zones = detect_zones_with_repeats(page)
    _assert_partition(page, zones)
    names = [z.name for z in zones]
    assert names == ["front", "body", DUPLICATE, "body", "back"]
    dup = zones[2]
    assert page[dup.start:dup.end].strip() == block
    assert dup.why == f"repeats lines {k + 1}-{k + 4}"
    body_now = "".join(page[z.start:z.end] for z in zones if z.name == "body")
    assert body_now.split() == text[body.start:body.end].split()  # equal up to the newline
    assert zone_at(zones, dup.start + 10) == DUPLICATE and zone_at(zones, dup.end + 10) == "body"


@pytest.mark.parametrize("min_chars", [200, 1000])
def test_synthetic_5mb_page_every_appended_copy_is_covered(min_chars: int) -> None:
    # All 62 provincial reports once, then random copies of them up to 5 million
    # characters (about 15 MB of UTF-8). Every line after the originals is in a repeat.
    # The run time is reported, not asserted: about 0.1 s on the development machine.
    texts = [_text(str(p.relative_to(CORPORA)))
             for p in sorted(CORPORA.glob("gwr-provincial-202[56]/texts/*.txt"))]
    assert len(texts) == 62
    originals = "\n".join(texts)
    rnd = random.Random(13)
    parts = [originals]
    while sum(map(len, parts)) < 5_000_000:
        parts.append(rnd.choice(texts))
    page = "\n".join(parts)
    reps = find_repeats(page, min_chars=min_chars)
    line_starts = [0] + [m.end() for m in re.finditer("\n", page)]
    covered = [False] * len(line_starts)
    for r in reps:
        for n in range(bisect_right(line_starts, r.start) - 1, bisect_right(line_starts, r.end)):
            covered[n] = True
    first_copy_line = originals.count("\n") + 1
    missing = [n for n, line in enumerate(page.split("\n")) if n >= first_copy_line and line.strip()
               and not covered[n]]
    assert missing == []
    assert not any(covered[:first_copy_line])
