"""Formulations (issue 17) wired like every output: Corpus methods (cached, with provenance),
the ``plantrace formulations`` command and ``plantrace lexicon suggest --from-formulations``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.conftest import CORPORA
from typer.testing import CliRunner

from plantrace.cli import app
from plantrace.compare.formulations import CHANGE_COLUMNS, FORMULATION_COLUMNS
from plantrace.concepts.lexicon import lexicon_from_mapping, load_lexicon
from plantrace.errors import PlantraceError

CHENGDU = CORPORA / "chengdu"
PROPOSAL, QINGYANG = "chengdu_2020_party_proposal", "qingyang_2021_plan_outline"
XINDU = "xindu_2021_signed_article"
runner = CliRunner()


def test_corpus_pair_statuses_proposal_to_qingyang(chengdu) -> None:
    d = chengdu.compare_formulations(PROPOSAL, QINGYANG)
    assert list(d.columns) == CHANGE_COLUMNS
    assert "provenance" in d.attrs and d.attrs["pairs"] == [(PROPOSAL, QINGYANG)]
    r = d.set_index("formulation")
    # the same grep-checked counts as tests/test_formulations.py, through the Corpus method
    assert tuple(r.loc["航空产业", ["status", "count_a", "count_b"]]) == ("new", 0, 11)
    assert tuple(r.loc["公园城市", ["status", "count_a", "count_b"]]) == ("kept", 11, 14)
    assert tuple(r.loc["国家中心城市", ["status", "count_a", "count_b"]]) == ("dropped", 5, 0)
    # the parent of B is the proposal, i.e. A: a new formulation is never taken up from it
    assert set(d["parent"]) == {PROPOSAL}
    assert not d.loc[d.status == "new", "taken_up_from_parent"].any()
    assert d.loc[d.status != "new", "taken_up_from_parent"].eq(False).all()
    # cached: a second call gives an equal frame, and changing it changes nothing cached
    d.loc[0, "formulation"] = "changed"
    again = chengdu.compare_formulations(PROPOSAL, QINGYANG)
    assert again.loc[0, "formulation"] != "changed"


def test_corpus_formulations_and_changes_by_level(chengdu) -> None:
    f = chengdu.formulations(doc_ids=[XINDU])
    assert list(f.columns) == FORMULATION_COLUMNS and set(f.doc_id) == {XINDU}
    assert f.attrs["provenance"]["lexicon_sha256"]
    by_level = chengdu.formulation_changes(by="level", statuses=["new"])
    assert set(by_level["status"]) == {"new"}
    assert {(PROPOSAL, XINDU), (PROPOSAL, QINGYANG)} <= set(zip(by_level.doc_a, by_level.doc_b))
    with pytest.raises(PlantraceError, match="unknown formulation status"):
        chengdu.formulation_changes(statuses=["added"])
    with pytest.raises(PlantraceError, match="unknown formulation kind"):
        chengdu.formulations(kinds=["quote"])


def test_cli_formulations_pair(tmp_path: Path) -> None:
    out = tmp_path / "changes.csv"
    res = runner.invoke(app, ["--quiet", "formulations", str(CHENGDU), "--pair", PROPOSAL, QINGYANG,
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == CHANGE_COLUMNS
    res = runner.invoke(app, ["--quiet", "formulations", str(CHENGDU), "--pair", PROPOSAL, QINGYANG,
                              "--status", "new", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows and {r["status"] for r in rows} == {"new"} and set(rows[0]) == set(CHANGE_COLUMNS)
    res = runner.invoke(app, ["--quiet", "formulations", str(CHENGDU), "--pair", PROPOSAL, QINGYANG, "--top", "3"])
    assert res.exit_code == 0 and "总部经济" in res.stdout
    res = runner.invoke(app, ["--quiet", "formulations", str(CHENGDU), "--by", "decade"])
    assert res.exit_code == 2 and "unknown --by" in res.output


def test_lexicon_suggest_from_formulations_stub_loads(tmp_path: Path) -> None:
    stub = tmp_path / "stub.yaml"
    args = ["--quiet", "lexicon", "suggest", "--from-formulations", str(CHENGDU), "--out", str(stub)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(stub.read_text(encoding="utf-8"))
    lex = lexicon_from_mapping(data)
    labels = {c.label for c in lex.concepts.values()}
    assert "五绿润城" in labels and "双城记" not in labels  # 双城记 is an alias of the bundled lexicon
    assert all(c.source.startswith("first seen in ") for c in lex.concepts.values())
    assert load_lexicon(stub).concepts  # the file itself loads (what `lexicon check` does)
    res = runner.invoke(app, args)  # refuses to overwrite
    assert res.exit_code == 2 and "exists" in res.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
