"""The bugs of issue 11, each with the test that covers it.

* the wheel had no lexicons → bundled data lives in ``plantrace/data/`` and is found with
  importlib.resources (here), and ``make wheel-check`` installs the built wheel outside
  the checkout and runs ``plantrace report`` with it;
* import circles → ``tests/test_layers.py`` (layer rule and no cycles);
* validation only in the CLI → the API raises ``PlantraceError`` (here);
* a shared mutable cache keyed on ``id()`` → copies with provenance, value keys (here);
* cue words in code, errors that were ``ValueError`` → data file and ``PlantraceError`` (here).
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tests.conftest import CORPORA
from typer.testing import CliRunner

import plantrace
from plantrace.cli import app
from plantrace.compare.targets import IndicatorLexicon, IndicatorLexiconError
from plantrace.compare.targets.cues import CUES, parse_cues
from plantrace.concepts.intensity import IntensityLexiconError
from plantrace.concepts.lexicon import LEXICON_DIR, default_lexicon, lexicon_from_mapping
from plantrace.engine.cache import CacheKey, ResultCache
from plantrace.errors import PlantraceError
from plantrace.measure.provenance import lexicon_key
from plantrace.report.pipeline import run_report
from plantrace.resources import data_dir, data_path
from plantrace.structure.zones import ZoneRulesError, load_zone_rules

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "toolkit" / "plantrace"
BUNDLED = ("planning_concepts.yaml", "intensity.yaml", "indicators.yaml", "stopwords.txt", "zones.yaml",
           "target_cues.yaml")


# --- the wheel: data inside the package ------------------------------------------------


def test_every_bundled_data_file_is_in_the_package_and_found_by_importlib_resources():
    assert data_dir() == PACKAGE / "data"
    for name in BUNDLED:
        assert data_path(name).is_file(), name
    assert LEXICON_DIR == PACKAGE / "data"
    assert Path(default_lexicon().path).resolve() == (PACKAGE / "data" / "planning_concepts.yaml").resolve()


def test_package_data_globs_ship_every_data_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["plantrace"]
    for path in (PACKAGE / "data").rglob("*"):
        if path.is_file():
            rel = path.relative_to(PACKAGE).as_posix()
            assert any(fnmatch(rel, g) for g in globs), f"{rel} would not ship in the wheel"


def test_root_lexicons_folder_is_only_a_pointer():
    assert sorted(p.name for p in (ROOT / "lexicons").iterdir()) == ["README.md"]
    text = (ROOT / "lexicons" / "README.md").read_text(encoding="utf-8")
    assert all(f"toolkit/plantrace/data/{n}" in text for n in BUNDLED[:4])


# --- validation in the API --------------------------------------------------------------


def test_kwic_with_a_misspelt_concept_id_raises_with_the_fix(chengdu):
    with pytest.raises(PlantraceError, match="unknown concept id 'park_cty'") as info:
        chengdu.kwic("park_cty")
    assert "lexicon check" in str(info.value)
    assert not chengdu.kwic("park_city").empty  # a known id, and a Chinese word, still work
    assert not chengdu.kwic("公园城市").empty


def test_unknown_indicator_kind_and_status_raise(chengdu):
    with pytest.raises(PlantraceError, match="unknown indicator 'gdp_grwth'"):
        chengdu.targets(indicator="gdp_grwth")
    with pytest.raises(PlantraceError, match="unknown indicator"):
        chengdu.compare_targets(indicator="gdp_grwth")
    with pytest.raises(PlantraceError, match="unknown kind 'goal'"):
        chengdu.targets(kinds=["goal"])
    with pytest.raises(PlantraceError, match="unknown status 'raised'"):
        chengdu.diff(by="level", statuses=["raised"])
    with pytest.raises(PlantraceError, match="unknown measure"):
        chengdu.keyness("level=city", measure="tfidf")


def test_indicator_filter_lives_in_the_api(national, provincial):
    both = plantrace.load_corpus([CORPORA / "gwr-national", CORPORA / "gwr-provincial-2025"])
    gdp = both.compare_targets(indicator="gdp_growth")
    assert not gdp.empty and set(gdp["indicator_id"]) == {"gdp_growth"}
    assert "provenance" in gdp.attrs
    assert set(national.targets(indicator="gdp_growth")["indicator_id"]) == {"gdp_growth"}


def test_cli_formats_api_validation_as_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["--no-store", "--jobs", "1", "targets", str(CORPORA / "chengdu"),
                                      "--indicator", "gdp_grwth"])
    assert result.exit_code == 2, result.output
    assert "unknown indicator 'gdp_grwth'" in result.output


def test_lexicon_errors_are_user_errors(tmp_path):
    assert issubclass(IntensityLexiconError, PlantraceError)
    assert issubclass(IndicatorLexiconError, PlantraceError)
    assert issubclass(ZoneRulesError, PlantraceError)
    bad = tmp_path / "zones.yaml"
    bad.write_text("front:\n  body_start:\n    - pattern: '('\n", encoding="utf-8")
    with pytest.raises(ZoneRulesError) as info:
        load_zone_rules(bad)
    assert str(bad) in str(info.value)


def test_indicator_loader_lists_every_problem():
    data = {"indicators": [
        {"id": "a", "better": "up"},
        {"id": "a"},
        {"id": "b", "surface_forms": []},
        {"id": "c", "surface_forms": ["地区生产总值增长"]},
    ]}
    with pytest.raises(IndicatorLexiconError) as info:
        IndicatorLexicon.from_mapping(data, source="x.yaml")
    problems = info.value.problems
    assert len(problems) == 3, problems
    assert "'better' must be one of" in problems[0] and "duplicate id" in problems[1]
    assert "'surface_forms' must be a non-empty list" in problems[2]
    assert str(info.value).startswith("x.yaml: 3 problems")


# --- the cache hands out copies with provenance -----------------------------------------


def test_frames_keep_provenance_after_the_report_job():
    corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False)
    result = run_report(corpus)
    assert all(t.attrs == {} for t in result.tables.values())  # the report's own copies
    for frame in (corpus.counts(), corpus.mentions(), corpus.rejected(), corpus.targets(),
                  corpus.compare_targets(), corpus.diff(by="level")):
        assert "provenance" in frame.attrs
    assert corpus.mentions().attrs["provenance"]["lexicon_sha256"] == result.lexicon.sha256


def test_a_changed_frame_does_not_change_the_next_result(chengdu):
    first = chengdu.mentions()
    expected = first.copy()
    first.loc[:, "concept_id"] = "mangled"
    first.attrs.clear()
    again = chengdu.mentions()
    pd.testing.assert_frame_equal(again, expected)
    assert "provenance" in again.attrs


def test_cache_keys_are_values_not_ids():
    data = {"concepts": [{"id": "park_city", "label": "公园城市"}]}
    a, b = lexicon_from_mapping(data), lexicon_from_mapping(data)
    assert a is not b and lexicon_key(a) == lexicon_key(b)
    other = {"concepts": [{"id": "new_economy", "label": "新经济"}]}
    assert lexicon_key(lexicon_from_mapping(other)) != lexicon_key(a)
    cache = ResultCache()
    key = CacheKey("x", (lexicon_key(a),))
    cache.put(key, pd.DataFrame({"n": [1]}))
    assert CacheKey("x", (lexicon_key(b),)) in cache


# --- target cue words are data -----------------------------------------------------------


def test_target_cue_words_are_a_data_file_with_a_header():
    text = data_path("target_cues.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Cue words of numeric-target extraction")
    assert "source:" in text and "license:" in text
    data = yaml.safe_load(text)
    assert parse_cues(data) == CUES
    assert "力争" in CUES.prefix_qualifiers and CUES.qualifier_class["以内"] == "cap"
    broken = dict(data, patterns={**data["patterns"], "forecast": "("})
    with pytest.raises(PlantraceError, match=r"patterns\.forecast: invalid regular expression"):
        parse_cues(broken)
