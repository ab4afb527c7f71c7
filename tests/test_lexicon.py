"""Lexicons: the bundled data files are linted; loading errors name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from plantrace.concepts.lexicon import LEXICON_DIR, load_lexicon, normalise_alias
from plantrace.errors import PlantraceError, ValidationError

CONCEPTS = LEXICON_DIR / "planning_concepts.yaml"


@pytest.fixture(scope="module")
def raw_concepts() -> dict:
    return yaml.safe_load(CONCEPTS.read_text(encoding="utf-8"))


def test_header_names_format_and_source(raw_concepts) -> None:
    for key in ("name", "version", "language", "source", "license"):
        assert raw_concepts.get(key), key


def test_at_least_80_concepts_sorted_by_id(raw_concepts) -> None:
    ids = [c["id"] for c in raw_concepts["concepts"]]
    assert len(ids) >= 80
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))


def test_no_alias_twice_and_every_alias_normalised(raw_concepts) -> None:
    seen: dict[str, str] = {}
    for c in raw_concepts["concepts"]:
        assert c["label"] in c["aliases"], c["id"]
        assert c.get("note") or c.get("source"), c["id"]
        for a in c["aliases"]:
            assert a not in seen, (a, c["id"], seen.get(a))
            seen[a] = c["id"]
            assert normalise_alias(a) == a, a


def test_required_concepts_present() -> None:
    lex = load_lexicon(CONCEPTS)
    index = lex.alias_index
    for alias in ("新发展格局", "高质量发展", "共同富裕", "新质生产力", "碳达峰", "碳中和", "公园城市",
                  "成渝地区双城经济圈", "双城经济圈", "成渝双城经济圈", "双城记", "成德眉资同城化", "新经济",
                  "国际消费中心城市", "产业生态圈", "场景营城"):
        assert alias in index, alias
    cy = {index[a] for a in ("成渝地区双城经济圈", "双城经济圈", "成渝双城经济圈", "双城记")}
    assert len(cy) == 1
    assert lex.concepts[index["碳达峰"]].parent == lex.concepts[index["碳中和"]].parent


def test_traditional_alias_matches_simplified() -> None:
    assert normalise_alias("雙城經濟圈") == "双城经济圈"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "lex.yaml"
    p.write_text(text, encoding="utf-8")
    return p


HEADER = "name: t\nversion: '1'\nlanguage: zh\nsource: test\nlicense: CC0-1.0\nconcepts:\n"


def test_alias_in_two_concepts_names_both_lines(tmp_path: Path) -> None:
    p = _write(tmp_path, HEADER + "  - {id: a, label: 新经济}\n  - {id: b, label: 数字经济, aliases: [新经济]}\n")
    with pytest.raises(ValidationError) as err:
        load_lexicon(p)
    assert "lex.yaml:8" in err.value.report() and "line 7" in err.value.report()


def test_shared_alias_allowed_between_parent_and_child(tmp_path: Path) -> None:
    p = _write(tmp_path, HEADER + "  - {id: a, label: 公园城市}\n  - {id: b, label: 公园城市示范区, parent: a, aliases: [公园城市]}\n")
    lex = load_lexicon(p)
    assert lex.alias_index["公园城市"] == "b"


@pytest.mark.parametrize("body,message", [
    ("  - {id: a, label: 甲乙, parent: zz}\n", "unknown parent"),
    ("  - {id: a, label: 甲乙, parent: b}\n  - {id: b, label: 丙丁, parent: a}\n", "cycle"),
    ("  - {id: a, label: 甲乙, aliases: ['  ']}\n", "empty alias"),
    ("  - {id: a, label: 甲乙}\n  - {id: a, label: 丙丁}\n", "repeats"),
])
def test_lexicon_problems(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        load_lexicon(_write(tmp_path, HEADER + body))
    assert message in err.value.report()


def test_bad_yaml_names_line(tmp_path: Path) -> None:
    with pytest.raises(PlantraceError) as err:
        load_lexicon(_write(tmp_path, HEADER + "  - {id: a, label: [unclosed\n"))
    assert "lex.yaml:" in str(err.value) and "invalid YAML" in str(err.value)


def test_csv_lexicon_and_hash(tmp_path: Path) -> None:
    p = tmp_path / "quick.csv"
    p.write_text("concept,alias\n公园城市,公园城市\n公园城市,公園城市\n双城,双城经济圈\n", encoding="utf-8")
    lex = load_lexicon(p)
    assert sorted(lex.alias_index) == ["公园城市", "双城经济圈"]
    import hashlib
    assert lex.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
