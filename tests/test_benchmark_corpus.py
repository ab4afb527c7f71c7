"""benchmarks/distinct_corpus.py: the benchmark's large corpus must be distinct text that
keeps every clause and mention of the originals, or its N× rows time a cache, not N× work."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

import plantrace
from plantrace.concepts.intensity import CLAUSE_DELIMITERS

ROOT = Path(__file__).resolve().parents[1]
# Short documents of three kinds: a traditional signed article with pinyin glosses, ASCII
# commas and a byline; a simplified summary with headings and **bold**; a 2026 report
# crawled with page chrome before 各位代表 and related links after it.
DOCS = ["xindu_2021_signed_article", "qingyang_2021_work_report_summary", "gwr_2026_xizang"]
SCALE = 3


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("distinct_corpus", ROOT / "benchmarks" / "distinct_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    dc = _generator()
    root = dc.build_distinct_corpus(tmp_path_factory.mktemp("distinct") / "c", SCALE, doc_ids=DOCS)
    return dc, plantrace.load_corpus(root, store=False)


_SPLIT = re.compile("([" + re.escape("".join(sorted(CLAUSE_DELIMITERS))) + "])")


def _clauses(text: str) -> list[str]:
    """The clauses of a body that end at a delimiter other than a line break (the ones a
    variant marks), in order."""
    parts = _SPLIT.split(text)
    return [c for c, d in zip(parts[::2], parts[1::2]) if c.strip() and d not in "\n\r"]


def test_manifest_loads_with_unique_ids(built) -> None:  # type: ignore[no-untyped-def]
    _, corpus = built
    ids = [d.doc_id for d in corpus.docs]
    assert len(ids) == len(set(ids)) == SCALE * len(DOCS)
    assert {i.split("_", 1)[0] for i in ids} == {"r01", "r02", "r03"}
    assert {i.split("_", 1)[1] for i in ids} == set(DOCS)


def test_variants_differ_in_every_marked_clause_and_keep_them_all(built) -> None:  # type: ignore[no-untyped-def]
    dc, corpus = built
    for doc in DOCS:
        original = corpus[f"r01_{doc}"].body_text
        seen = set(_clauses(original))
        assert len(seen) > 20
        for r in range(2, SCALE + 1):
            variant = corpus[f"r{r:02d}_{doc}"].body_text
            mark = dc.marker(r)
            clauses = _clauses(variant)
            # Unmarked: the 各位代表 opening (a zone rule's match) and clauses ending in a
            # figure or a Latin letter before an ASCII comma (新政2.0, : a marker there would
            # split a number such as 1,000).
            unmarked = [c for c in clauses if not c.endswith(mark)]
            assert all(c == "各位代表" or re.search("[0-9A-Za-z]$", c) for c in unmarked), (doc, unmarked)
            assert len(unmarked) < 0.05 * len(clauses)
            marked = [c for c in clauses if c.endswith(mark)]
            # no marked clause of this variant is in the original or in another variant
            assert not seen & set(marked), doc
            seen |= set(marked)
            # the same clauses, only re-ordered: markers aside, nothing cut, lost or added
            assert Counter([c[: -len(mark)] for c in marked] + unmarked) == Counter(_clauses(original)), doc
            bare = dc.MARKER_RE.sub("", variant)
            assert sorted(bare) == sorted(original)
            if doc != "qingyang_2021_work_report_summary":  # its lines hold few sentences to move
                assert bare != original, (r, doc)  # re-ordered, not only marked
    assert len({d.body_text for d in corpus.docs}) == len(corpus.docs)


def test_zones_survive(built) -> None:  # type: ignore[no-untyped-def]
    _, corpus = built
    for doc in DOCS:
        zones = [(z.name, z.why) for z in corpus[f"r01_{doc}"].zones]
        for r in range(2, SCALE + 1):
            assert [(z.name, z.why) for z in corpus[f"r{r:02d}_{doc}"].zones] == zones, doc


def test_mentions_kept(built) -> None:  # type: ignore[no-untyped-def]
    _, corpus = built
    counts = corpus.counts()
    own = {(d, c): n for d, c, n in zip(counts["doc_id"], counts["concept_id"], counts["count_own"])}
    # Read in the raw files: 总部经济 on lines 11, 17, 24, 32, 63, 95, 105 (总部经济区) and 107
    # of qingyang_2021_work_report_summary.txt; 成都都市圈 on lines 2 and 5 of
    # xindu_2021_signed_article.txt (traditional, the same characters).
    checked = {("qingyang_2021_work_report_summary", "headquarters_economy"): 8,
               ("xindu_2021_signed_article", "chengdu_metropolitan_area"): 2}
    for (doc, cid), n in checked.items():
        for r in range(1, SCALE + 1):
            assert own.get((f"r{r:02d}_{doc}", cid), 0) == n, (r, doc, cid)
    for doc in DOCS:  # and every other concept of these documents
        base = {c: n for (d, c), n in own.items() if d == f"r01_{doc}"}
        for r in range(2, SCALE + 1):
            assert {c: n for (d, c), n in own.items() if d == f"r{r:02d}_{doc}"} == base, (r, doc)


def test_refuses_a_folder_in_use(tmp_path: Path) -> None:
    dc = _generator()
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):
        dc.build_distinct_corpus(tmp_path, 2, doc_ids=DOCS[:1])


def test_run_py_counts_the_same_markers() -> None:
    # benchmarks/run.py imports only the standard library at module level, so it repeats
    # the marker pattern instead of importing it: the two must not drift apart.
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec and spec.loader
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    dc = _generator()
    assert run._MARKER == dc.MARKER_RE.pattern
    assert run.CORPORA == list(dc.CORPORA)
    assert run._marker_chars([f"发展{dc.marker(2)}，建设{dc.marker(50)}。"]) == 3 + 4
