"""Parallel runs give the serial run's results: local processes and a Dask LocalCluster."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import CORPORA

import plantrace
from plantrace.engine.runner import LocalRunner, make_runner
from plantrace.measure import corpus_counts, corpus_words, match_corpus


def _tables(corpus: plantrace.Corpus) -> tuple:
    result = match_corpus(corpus)
    return (corpus_counts(corpus).reset_index(drop=True), result.rejected.reset_index(drop=True),
            # the text, and the raw file behind it (workers do not send the raw text back)
            [(d.text, d.raw_span(0, len(d.text)), d.raw_sha256) for d in corpus.docs],
            corpus_words(corpus, top=40, per_document=True))


def _parent_cannot_segment_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whole documents must be segmented by the workers: forget what this process has
    # segmented and make segmenting here an error (spawned workers have the real code).
    import plantrace.concepts.segment as seg

    def refuse(*_args: object) -> None:
        raise AssertionError("a whole document was segmented in the parent process")

    monkeypatch.setattr(seg, "_doc_cache", {})
    monkeypatch.setattr(seg, "_cut_lines", refuse)


@pytest.fixture(scope="module")
def serial() -> tuple:
    return _tables(plantrace.load_corpus(CORPORA / "chengdu", store=False))


@pytest.mark.parametrize("slice_chars", [None, 30_000])
def test_local_processes_equal_serial(serial, monkeypatch: pytest.MonkeyPatch, slice_chars: int | None) -> None:
    # The Chengdu corpus is small: force the pool even below its work threshold. Its
    # documents go to the pool in slices of MAP_SLICE_CHARS (issue 16, memory: a large
    # corpus's results all at once sat beside what was made of them); Chengdu's five, 0.1 M
    # characters, in slices of 30,000: 4 maps to build them, 4 to judge their candidates.
    from plantrace.engine import load
    from plantrace.measure import matching

    _parent_cannot_segment_documents(monkeypatch)
    runner = LocalRunner(2, force=True)
    maps: list[tuple[str, int]] = []
    original = runner.map

    def counted(fn, items, **kw):  # type: ignore[no-untyped-def]
        maps.append((fn.__name__, len(items)))
        return original(fn, items, **kw)

    monkeypatch.setattr(runner, "map", counted)
    if slice_chars is not None:
        monkeypatch.setattr(load, "MAP_SLICE_CHARS", slice_chars)
        monkeypatch.setattr(matching, "_MAP_CHARS", slice_chars)
    try:
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False, runner=runner)
        counts, rejected, texts, words = _tables(corpus)
        pool = runner._pool
    finally:
        runner.close()
    pd.testing.assert_frame_equal(counts, serial[0])
    pd.testing.assert_frame_equal(rejected, serial[1])
    assert texts == serial[2]
    pd.testing.assert_frame_equal(words, serial[3])
    assert pool is not None and runner._pool is None  # one pool served every map; closed
    for task in ("_build_task", "_judge_task"):
        sizes = [n for name, n in maps if name == task]
        assert sum(sizes) == 5 and len(sizes) == (1 if slice_chars is None else 4), maps


def test_dask_local_cluster_equals_local(serial, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    _parent_cannot_segment_documents(monkeypatch)  # a cluster is used whatever the size of the work
    runner = make_runner(dask_local=2)
    try:
        assert runner.name == "dask" and runner.workers == 2
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False, runner=runner)
        counts, rejected, texts, words = _tables(corpus)
    finally:
        runner.close()
    pd.testing.assert_frame_equal(counts, serial[0])
    pd.testing.assert_frame_equal(rejected, serial[1])
    assert texts == serial[2]
    pd.testing.assert_frame_equal(words, serial[3])


def test_bad_jobs_value() -> None:
    from plantrace.errors import PlantraceError

    with pytest.raises(PlantraceError, match="--jobs must be at least 1"):
        make_runner(0)


# --- the pool starts only when the new work pays for it, and the run says so ----------

def test_small_work_runs_serial_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import plantrace.engine.runner as par

    monkeypatch.setattr(par, "CROSSOVER_CHARS", {"normalise": 10**9, "judge": 10**9, "segment": 10**9})
    runner = LocalRunner(2)
    try:
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False, runner=runner)
        counts = corpus_counts(corpus)
        assert runner._pool is None  # no worker was ever spawned
    finally:
        runner.close()
    raw = sum(len(d.raw) for d in corpus.docs)
    text = sum(len(d.text) for d in corpus.docs)
    expected = ("ran serial: "
                f"{par._mchars(raw)} characters of new work (normalising) is below the 1000 M where 2 workers pay off; "
                f"{par._mchars(text)} characters of new work (judging concept candidates) is below the 1000 M "
                "where 2 workers pay off")
    assert runner.note() == expected
    execution = counts.attrs["provenance"]["execution"]
    assert execution["runner"] == "local" and execution["workers"] == 2 and execution["note"] == expected
    assert [(m["work"], m["ran"], m["reason"], m["chars"]) for m in execution["maps"]] == [
        ("normalise", "serial", "below", raw), ("judge", "serial", "below", text)]


def test_forced_pool_is_recorded_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    import plantrace.concepts.segment as seg
    import plantrace.engine.runner as par

    monkeypatch.setattr(seg, "_doc_cache", {})  # whole documents segmented by another test would be no work

    monkeypatch.setattr(par, "CROSSOVER_CHARS", {"normalise": 10**9, "judge": 10**9, "segment": 10**9})
    runner = LocalRunner(2)
    try:
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False, runner=runner)
        runner.force = True  # from here on: the judging map starts the pool although its work is small
        corpus_counts(corpus)
        corpus_words(corpus, top=5)  # the pool runs: whole-document segmentation uses it
    finally:
        runner.close()
    reasons = [(d.work, d.parallel, d.reason) for d in runner.decisions]
    assert reasons == [("normalise", False, "below"), ("judge", True, "forced"), ("segment", True, "running")]
    note = runner.note()
    assert note is not None and note.startswith("ran on 2 local workers (forced): ")
    assert "(judging concept candidates)" in note and "(segmenting documents)" in note
    assert note.endswith("; serial: " + f"{par._mchars(sum(len(d.raw) for d in corpus.docs))} characters "
                         "(normalising; below the 1000 M where 2 workers pay off)")


def test_nothing_to_do_starts_no_pool_and_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "s.duckdb"
    plantrace.load_corpus(CORPORA / "chengdu", store=store).counts()  # fills the store
    runner = LocalRunner(2, force=True)  # even forced: with nothing to process from scratch no worker starts
    try:
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=store, runner=runner)
        counts = corpus.counts()
        assert runner._pool is None
    finally:
        runner.close()
    assert runner.decisions == []
    assert runner.note() == ("ran serial: nothing to process from scratch (the store or a cache held the documents "
                             "and earlier matches); no worker of 2 started")
    assert counts.attrs["provenance"]["execution"]["note"] == runner.note()


def test_cli_prints_the_note_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from plantrace.cli import app

    args = ["--store", str(tmp_path / "s.duckdb"), "--jobs", "2", "count", str(CORPORA / "chengdu")]
    cold = CliRunner().invoke(app, args)
    assert cold.exit_code == 0, cold.output
    notes = [line for line in cold.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith("note: ran "), cold.stderr
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "note: ran serial: nothing to process from scratch" in again.stderr
    quiet = CliRunner().invoke(app, ["-q", *args])
    assert "note:" not in quiet.stderr
    single = CliRunner().invoke(app, [*args[:2], "--jobs", "1", *args[4:]])
    assert "note:" not in single.stderr  # one process asked for: no choice was made


def test_a_script_without_main_guard_gets_the_fix_not_a_broken_pool(tmp_path) -> None:
    # Spawned workers run the user's script again from the top; there it starts a pool of
    # its own, Python stops the worker, and the parent saw only concurrent.futures'
    # BrokenProcessPool ("terminated abruptly"). The error now names the script and the fix.
    import subprocess
    import sys

    script = tmp_path / "my_analysis.py"
    script.write_text(
        "import plantrace\n"
        "from plantrace.concepts.segment import WORKER_SETUP\n"
        "from plantrace.engine.runner import LocalRunner\n"
        "runner = LocalRunner(2, WORKER_SETUP, force=True)\n"
        f"corpus = plantrace.load_corpus({str(CORPORA / 'chengdu')!r}, store=False, runner=runner)\n"
        "print('loaded')\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("plantrace.errors.PlantraceError:"), out.stderr[-2000:]
    assert str(script) in last and 'if __name__ == "__main__":' in last and "jobs=1" in last
    assert "loaded" not in out.stdout
    assert "BrokenProcessPool" not in out.stderr.split("plantrace.errors.PlantraceError")[-1]


def _sigint_handler_name(_: object = None) -> str:
    """Which SIGINT handler this process has (a task run on the workers)."""
    import signal

    handler = signal.getsignal(signal.SIGINT)
    return "ignored" if handler == signal.SIG_IGN else "default" if handler == signal.SIG_DFL else "python"


def test_pool_workers_leave_ctrl_c_to_the_driver() -> None:
    # Ctrl-C goes to the whole process group; the driver stops the workers itself.
    runner = LocalRunner(2, force=True)
    try:
        assert runner.map(_sigint_handler_name, [0, 1, 2, 3]) == ["ignored"] * 4
    finally:
        runner.close()
    assert _sigint_handler_name() == "python"  # the driver keeps Python's KeyboardInterrupt


@pytest.mark.parametrize("slice_chars", [None, 30_000])
def test_a_serial_run_past_helper_chars_judges_in_one_helper_process(
        serial, monkeypatch: pytest.MonkeyPatch, slice_chars: int | None) -> None:
    # Past HELPER_CHARS of documents to judge, a serial run's clauses would load pkuseg's
    # whole feature dict (about 0.7 GB) into this process and keep it there: the judging
    # goes to one helper process instead (issue 16, memory). Chengdu is 0.1 M characters:
    # the threshold is lowered to send it. Same tables; nothing segmented here; the note
    # and the provenance say where the work ran.
    import plantrace.concepts.segment as seg
    import plantrace.measure.matching as matching

    monkeypatch.setattr(matching, "HELPER_CHARS", 1_000)
    # The documents go to the helper in slices of _MAP_CHARS, each made into rows before
    # the next is sent (the results of all 1,400 of the distinct 10× corpus at once were
    # 0.3 GB); Chengdu's five, 0.1 M characters, in slices of 30,000 characters: 4 maps.
    maps: list[int] = []

    class Counted(LocalRunner):
        def map(self, fn, items, **kw):  # type: ignore[no-untyped-def]
            maps.append(len(items))
            return super().map(fn, items, **kw)

    monkeypatch.setattr(matching, "LocalRunner", Counted)
    if slice_chars is not None:
        monkeypatch.setattr(matching, "_MAP_CHARS", slice_chars)
    monkeypatch.setattr(seg, "_clauses", {})
    monkeypatch.setattr(seg, "_used", {})

    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("pkuseg was loaded in the driver")

    monkeypatch.setattr(seg, "_load", refuse)
    corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False)
    result = match_corpus(corpus)
    pd.testing.assert_frame_equal(result.rejected.reset_index(drop=True), serial[1])
    pd.testing.assert_frame_equal(corpus_counts(corpus).reset_index(drop=True), serial[0])
    note = corpus.runner.note()
    assert note is not None and note.startswith("ran serial: ") and "one helper process" in note
    [decision] = corpus.runner.describe()["maps"]
    assert decision["ran"] == "serial, one helper process" and decision["threshold_chars"] == 1_000
    # Chengdu's five documents, every one judged there
    assert decision["items"] == 5 and decision["chars"] == sum(len(d.text) for d in corpus.docs)
    sizes = sorted(len(d.text) for d in corpus.docs)
    assert sum(maps) == 5 and (maps == [5] if slice_chars is None else len(maps) == 4), (maps, sizes)


def test_the_helper_never_runs_a_users_script_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A spawned process imports the parent's __main__, which runs an unguarded script's
    # top level again (the pool the user asks for says so: the test above). The helper
    # is plantrace's own choice, made with jobs=1: the script runs once and succeeds.
    import subprocess
    import sys

    script = tmp_path / "my_analysis.py"
    log = tmp_path / "ran.txt"
    script.write_text(
        "import plantrace\n"
        "import plantrace.measure.matching as matching\n"
        f"open({str(log)!r}, 'a').write('top level ran\\n')\n"
        "matching.HELPER_CHARS = 1_000\n"
        f"corpus = plantrace.load_corpus({str(CORPORA / 'chengdu')!r}, store=False)\n"
        "print(len(corpus.mentions()), corpus.runner.note())\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert log.read_text(encoding="utf-8") == "top level ran\n"
    assert "one helper process" in out.stdout and int(out.stdout.split()[0]) > 100
