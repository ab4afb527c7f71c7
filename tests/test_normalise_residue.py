"""Web and escape residue (issue 13 §2): HTML comments, tags and entities, escaped code points.

The bundled corpora hold no residue, but they hold the characters a careless step would
eat: ``<4`` and ``>96`` in Qingyang's indicator table, ``R&D`` in Qingyang and Jiangxi.
``test_residue_steps_change_nothing_in_the_bundled_corpora`` checks all 108 raw files with
the step functions alone (under a second).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plantrace.text.normalise import (
    STEPS,
    NormaliserConfig,
    normalise_mapped,
    normalise_text,
)

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((Path(__file__).parent / "golden" / "normalise_residue_cases.json").read_text(encoding="utf-8"))
RESIDUE = ("decode_codepoint_escapes", "decode_html_entities", "remove_html_comments", "remove_html_tags")
SIMPLIFIED = NormaliserConfig(script="simplified")


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: f"{c['step']}:{c['input'][:10]}")
def test_golden_residue_case(case: dict[str, str]) -> None:
    assert STEPS[case["step"]](case["input"]) == case["output"]


def test_golden_cases_cover_every_residue_step_both_ways() -> None:
    # Each step has a case it changes and a case it must leave alone.
    for name in RESIDUE:
        cases = [c for c in GOLDEN["cases"] if c["step"] == name]
        assert any(c["input"] != c["output"] for c in cases), name
        assert any(STEPS[name].edits(c["output"]) == [] for c in cases), name


def test_residue_steps_run_first_and_are_on_by_default() -> None:
    names = list(STEPS)
    # Only the PDF steps come before them (compatibility folding, page furniture).
    assert names[:6] == ["fold_compatibility", "remove_page_furniture", *RESIDUE]
    assert names.index("remove_html_tags") < names.index("remove_invisibles") < names.index("unify_spaces")
    cfg = NormaliserConfig()
    assert all(getattr(cfg, n) is True for n in RESIDUE)
    assert [s.name for s in cfg.steps()][2:6] == list(RESIDUE)


def test_off_switch_keeps_the_residue() -> None:
    raw = "<p>公园城市&nbsp;建设</p>"
    off = NormaliserConfig(script="simplified", decode_html_entities=False, remove_html_tags=False)
    assert normalise_text(raw, off) == raw
    assert normalise_text(raw, SIMPLIFIED) == "公园城市建设"


def test_what_residue_steps_produce_is_normalised_in_the_same_pass() -> None:
    # A crawled paragraph of the Chengdu proposal: NBSP and ideographic-space entities,
    # an escaped zero-width space, Word's <o:p>. One round must leave the final text, so
    # the second round finds nothing (normalise twice = once).
    raw = ('<p class="MsoNormal">&#12288;&#12288;加快建设践行新发展理念的<U+200B>公园城市，'
           '&ldquo;十四五&rdquo;时期&nbsp;&nbsp;经济社会发展<o:p></o:p></p>\r\n')
    mapped, _, reports = normalise_mapped(raw, SIMPLIFIED, explain=True)
    assert mapped.text == "加快建设践行新发展理念的公园城市，“十四五”时期经济社会发展\n"
    changed = {r.step: r.changes for r in reports if r.changes}
    assert changed == {"decode_codepoint_escapes": 1, "decode_html_entities": 6, "remove_html_tags": 4,
                       "remove_invisibles": 2, "unify_spaces": 2, "trim_lines": 1, "remove_cjk_spaces": 1}
    assert normalise_text(mapped.text, SIMPLIFIED) == mapped.text


def test_raw_spans_map_back_through_residue() -> None:
    raw = '<p>公园&amp;城市<a href="x">天府新区</a>&#12288;</p>'
    mapped, _, _ = normalise_mapped(raw, SIMPLIFIED)
    assert mapped.text == "公园&城市天府新区"
    i = mapped.text.index("天府新区")
    s, e = mapped.raw_span(i, i + 4)
    assert raw[s:e] == "天府新区"
    amp = mapped.text.index("&")
    s, e = mapped.raw_span(amp, amp + 1)
    assert raw[s:e] == "&amp;"  # the decoded character cites its whole entity


def test_double_escaped_markup_goes_in_one_pass() -> None:
    # A CMS that escaped the page twice: the tags are shown as text, and are debris.
    raw = "&lt;p&gt;城镇登记失业率&amp;lt;4%&lt;/p&gt;"
    mapped, _, reports = normalise_mapped(raw, SIMPLIFIED, explain=True)
    assert mapped.text == "城镇登记失业率<4%"
    changed = {r.step: r.changes for r in reports if r.changes}
    assert changed == {"decode_html_entities": 5, "remove_html_tags": 2}


def test_residue_steps_change_nothing_in_the_bundled_corpora() -> None:
    files = sorted(ROOT.glob("corpora/*/*.txt")) + sorted(ROOT.glob("corpora/*/texts/*.txt"))
    assert len(files) == 140  # 108 + national 2020 + the 31 provincial 2026 crawled pages
    changes = []
    seen = {"<": 0, ">": 0, "&": 0}
    for path in files:
        raw = path.read_text(encoding="utf-8")
        for ch in seen:
            seen[ch] += raw.count(ch)
        for name in RESIDUE:
            changes += [(path.name, name, raw[s:e], r) for s, e, r in STEPS[name].edits(raw)]
    assert changes == []
    # The test can fail: the corpora hold the characters these steps look for.
    assert seen["<"] >= 1 and seen[">"] >= 3 and seen["&"] >= 2
    qingyang = (ROOT / "corpora/chengdu/qingyang_2021_plan_outline.txt").read_text(encoding="utf-8")
    assert "\n<4\n" in qingyang and "(>42250)" in qingyang and "(R&D)" in qingyang


def test_real_sentences_with_comparisons_survive_the_whole_normaliser() -> None:
    raw = "2.城镇登记失业率(%)\n<4\n比2010年翻一番以上(>42250)\n研究与试验发展(R&D)经费支出占GDP比重"
    assert normalise_text(raw, SIMPLIFIED) == raw


PIECES = st.sampled_from([
    "<p>", "</p>", "<br/>", "<br>", "</span>", '<a href="x?a=1&amp;b=2">', "<!--", "-->", "<!-- c -->", "<o:p>",
    "<td>", "</td>", "&nbsp;", "&amp;", "&amp;amp;", "&#12288;", "&#x3000;", "&lt;", "&gt;", "&ldquo;", "&#13;",
    "&foo;", "R&D", "<U+00A0>", "<U+200B>", "\\u3000", "\\U0001F600", "\\ud83d", "\\ude00", "\\\\", "<4", ">5",
    "<5%", "《", "》", "公园城市", "國家", "\n", " ", "\u3000", "**", "(guó)",
])
RESIDUE_TEXT = st.lists(st.one_of(PIECES, st.text(alphabet="<>&#;/!-pbru\\+0A", max_size=4)), max_size=30).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(RESIDUE_TEXT, st.sampled_from(["simplified", "traditional"]))
def test_residue_normalising_twice_equals_once_and_offsets_stay_valid(text: str, script: str) -> None:
    cfg = NormaliserConfig(script=script, rejoin_lines="off")
    mapped, _, _ = normalise_mapped(text, cfg)
    assert all(0 <= s < e <= len(text) for s, e in zip(mapped.starts.tolist(), mapped.ends.tolist()))
    assert mapped.starts.tolist() == sorted(mapped.starts.tolist())
    assert normalise_text(mapped.text, cfg) == mapped.text


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(RESIDUE_TEXT, st.sampled_from(["simplified", "traditional"]))
def test_fuzz_residue_normalising_twice_equals_once(text: str, script: str) -> None:
    # The same property at the fuzz suite's 10,000 cases (CI runs -m fuzz; about 70 s).
    test_residue_normalising_twice_equals_once_and_offsets_stay_valid.hypothesis.inner_test(text, script)
