"""The fast-load model (concepts/model_index.py) must segment exactly as pkuseg does.

The lazy model looks up only the feature strings its template can form from a clause;
if one family of strings were missing, tokens would drift on some clauses and every
boundary verdict built on them with it. So the tokens, and the feature indices of every
node, are compared with pkuseg's own full model on real bundled text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from plantrace.concepts import model_index, segment

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def full_model():  # type: ignore[no-untyped-def]
    import pkuseg

    model = pkuseg.pkuseg()
    if not model_index.index_ready():
        with pytest.warns(model_index.ModelIndexNote):  # the note says it was written
            model_index.build_index_from_model(model)
    return model


@pytest.fixture()
def lazy_model(full_model):  # type: ignore[no-untyped-def]
    lazy = model_index.open_lazy_model()
    assert lazy is not None, f"no index in {model_index.cache_root()}"
    return lazy


def _lines(paths: list[str], limit: int) -> list[str]:
    out: list[str] = []
    for rel in paths:
        text = (ROOT / rel).read_text(encoding="utf-8")
        out += [ln for ln in text.split("\n") if ln.strip()]
    total, kept = 0, []
    for ln in out:
        kept.append(ln)
        total += len(ln)
        if total > limit:
            break
    return kept


# Simplified planning prose of three levels and a crawled page with its web chrome,
# digits, Latin letters and full-width forms (what the normaliser leaves to pkuseg).
SAMPLE = ["corpora/chengdu/qingyang_2021_plan_outline.txt",
          "corpora/gwr-national/texts/gwr_national_2024.txt",
          "corpora/gwr-provincial-2026/texts/gwr_2026_sichuan.txt"]


def test_lazy_model_gives_pkuseg_tokens_line_by_line(full_model, lazy_model) -> None:
    lines = _lines(SAMPLE, 60_000)
    assert sum(map(len, lines)) > 60_000
    differ = [ln for ln in lines if lazy_model.cut(ln) != full_model.cut(ln)]
    assert differ == []


def test_lazy_model_finds_every_feature_of_every_node(full_model, lazy_model) -> None:
    lines = _lines(SAMPLE[1:2], 8_000)
    fe_full, fe_lazy = full_model.feature_extractor, lazy_model.feature_extractor
    for line in lines:
        nodes = list(fe_full.normalize_text(line))
        want = [fe_full.get_node_features_idx(i, nodes) for i in range(len(nodes))]
        got = [fe_lazy.get_node_features_idx(i, nodes) for i in range(len(nodes))]
        assert got == want, line


def test_a_missing_feature_family_is_caught(full_model, lazy_model, monkeypatch) -> None:
    """The comparison above can fail: without the word-pair features the tokens drift."""
    real = model_index.candidate_features

    def without_pairs(*args, **kwargs):  # type: ignore[no-untyped-def]
        return {f for f in real(*args, **kwargs) if not f.startswith("ww.")}

    monkeypatch.setattr(model_index, "candidate_features", without_pairs)
    lines = _lines(SAMPLE, 20_000)
    assert any(lazy_model.cut(ln) != full_model.cut(ln) for ln in lines)


def test_clauses_with_digits_latin_and_punctuation(full_model, lazy_model) -> None:
    for clause in ["GDP增长5.5%左右", "2026年１２月", "推动AI+产业深度融合", "“十五五”规划",
                   "建设践行新发展理念的公园城市示范区", "a", "，", "5G基站3.2万个"]:
        assert lazy_model.cut(clause) == full_model.cut(clause), clause


def test_index_is_built_atomically_and_found(tmp_path, full_model, monkeypatch) -> None:
    monkeypatch.setenv("PLANTRACE_CACHE", str(tmp_path / "cache"))
    assert not model_index.index_ready()
    assert model_index.open_lazy_model() is None
    with pytest.warns(model_index.ModelIndexNote, match="once per machine"):  # said, with its size and place
        path = model_index.build_index_from_model(full_model)
    assert path is not None and model_index.index_ready(path)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]  # no half-built folder left
    assert re.fullmatch(r"pkuseg-default-[0-9a-f]{16}", path.name)


def test_unwritable_cache_falls_back_to_the_full_model(tmp_path, full_model, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PLANTRACE_CACHE", str(blocker / "cache"))
    with pytest.warns(model_index.ModelIndexNote, match="PLANTRACE_CACHE"):
        assert model_index.build_index_from_model(full_model) is None


def test_segment_switches_to_the_full_dict_past_lazy_chars(lazy_model, monkeypatch) -> None:
    monkeypatch.setattr(segment, "_models", {"": lazy_model})
    monkeypatch.setattr(segment, "_clauses", {})
    monkeypatch.setattr(segment, "_used", {})  # else later tests would hand these on to a store
    monkeypatch.setitem(segment.stats, "lazy_chars", 0)
    monkeypatch.setattr(segment, "LAZY_CHARS", 30)
    assert segment.segment_clause("推动成渝地区双城经济圈建设") == ("推动", "成渝", "地区", "双城", "经济圈", "建设")
    assert not lazy_model.feature_extractor.full
    segment.segment_clause("加快建设践行新发展理念的公园城市示范区，全面建设社会主义现代化国家")
    segment.segment_clause("高质量发展")
    assert lazy_model.feature_extractor.full
    assert segment.segment_clause("建设公园城市") == ("建设", "公园", "城市")


def test_fast_load_can_be_turned_off(monkeypatch) -> None:
    monkeypatch.setenv("PLANTRACE_FAST_LOAD", "0")
    model = segment._default_model()
    assert not hasattr(model.feature_extractor, "full")
    assert os.environ["PLANTRACE_FAST_LOAD"] == "0"


def test_post_processing_words_answer_as_pkuseg_set(lazy_model) -> None:
    """The lazy model's Postprocesser asks a sorted array (and a set of the long words)
    what pkuseg asks its 390 k-word set."""
    words = model_index._post_words()
    other = lazy_model.postprocesser.other_words
    assert isinstance(other, model_index.SortedWords)
    assert all(w in other for w in words)
    longest = max(words, key=lambda w: len(w.encode("utf-8")))
    assert len(longest.encode("utf-8")) > model_index._WORD_BYTES and longest in other
    near = [w + "的" for w in list(words)[:20_000]] + [w[:-1] for w in list(words)[:20_000] if len(w) > 1]
    assert [w in other for w in near] == [w in words for w in near]
    assert "" not in other and 3 not in other
    # A clause's runs asked at once (what the lazy Postprocesser does before pkuseg's
    # merge loop) answer as the set does, the long words' set and the empty run included.
    tokens = [longest, "", *list(words)[:3], "的", "公园", "城市"]
    other.prefetch(tokens)
    runs = {"".join(tokens[i:i + m]) for m in range(1, 8) for i in range(len(tokens) - m + 1)}
    assert set(other._batch) == runs
    assert {r: r in other for r in runs} == {r: r in words for r in runs}
    assert any(r in words for r in runs) and not all(r in words for r in runs)


def test_outdated_and_half_written_indexes_are_replaced(tmp_path, full_model, monkeypatch) -> None:
    monkeypatch.setenv("PLANTRACE_CACHE", str(tmp_path))
    target = model_index.index_dir()
    target.mkdir(parents=True)
    (target / "keys.npy").write_bytes(b"half")  # a crash mid-build left this
    old = tmp_path / "pkuseg-default-0000000000000000"
    old.mkdir()
    (old / "meta.json").write_text('{"format": 1}')
    other = tmp_path / "pkuseg-default-1111111111111111"  # another install's, same format
    other.mkdir()
    (other / "meta.json").write_text(f'{{"format": {model_index.INDEX_FORMAT}}}')
    with pytest.warns(model_index.ModelIndexNote):
        assert model_index.build_index_from_model(full_model) == target
    assert model_index.index_ready(target) and not old.exists() and other.exists()


def test_pkuseg_imports_without_its_downloader_which_still_works_when_called(tmp_path) -> None:
    # In a fresh process: plantrace's import of pkuseg leaves requests and tqdm unimported
    # (they cost 0.1 s of a command-line run), and pkuseg's download_model, if something
    # calls it, is the real one. A file already in the model folder makes the real
    # function return without any network (pkuseg/download.py: `if not os.path.exists`).
    import subprocess
    import sys

    (tmp_path / "m.zip").write_bytes(b"")
    code = (
        "import sys\n"
        "from plantrace.concepts.model_index import import_pkuseg\n"
        "pkuseg = import_pkuseg()\n"
        "assert 'requests' not in sys.modules and 'tqdm' not in sys.modules, sorted(sys.modules)\n"
        "assert not hasattr(sys.modules['pkuseg.download'], '_download_url_to_file')\n"
        f"pkuseg.download_model('https://example.invalid/m.zip', {str(tmp_path)!r}, None)\n"
        "real = sys.modules['pkuseg.download']\n"
        "assert hasattr(real, '_download_url_to_file') and pkuseg.download is real\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
