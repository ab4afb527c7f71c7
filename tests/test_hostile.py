"""Issue 12: never cost a researcher their data, never change the numbers silently.

One test per class (outputs that destroy inputs, script injection in report.html,
documents counted twice, store failures, bad option values, signals, polish), on real
bundled text, and one hostile-corpus run of every CLI command: exit 0 or 2 only, no
traceback, inputs unchanged, no partial outputs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import plantrace
from plantrace.cli import app

ROOT = Path(__file__).resolve().parents[1]
CHENGDU = ROOT / "corpora" / "chengdu"
SAMPLE = (CHENGDU / "qingyang_2021_plan_outline.txt").read_text(encoding="utf-8")[:3000]
SAMPLE_B = (CHENGDU / "tianfu_2022_development_plan_draft.txt").read_text(encoding="utf-8")[:3000]
HOSTILE = "</script><script>document.documentElement.setAttribute('data-pwned','1')</script>\u2028&amp;"
HEADER = "doc_id,file,level,region,year,title\n"


def make_corpus(tmp: Path, name: str = "c", title: str = "规划") -> Path:
    """Two real documents (Qingyang 2021, Tianfu 2022) with a parent-child relation."""
    root = tmp / name
    root.mkdir(parents=True)
    (root / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (root / "b.txt").write_text(SAMPLE_B, encoding="utf-8")
    quoted = '"' + title.replace('"', '""') + '"'
    (root / "manifest.csv").write_text(
        HEADER + f"qy2021,a.txt,district,成都市青羊区,2021,{quoted}\ntf2022,b.txt,district,成都市天府新区,2022,{quoted}\n",
        encoding="utf-8")
    return root


def tree_hashes(*roots: Path) -> dict[str, str]:
    """sha256 of every file under ``roots`` (the plantrace store excluded: derived data)."""
    out = {}
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file() and ".plantrace" not in p.parts]
        for p in files:
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def run(*args: str) -> "CliRunnerResult":
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


CliRunnerResult = object


# --- outputs that destroy inputs -----------------------------------------------------

@pytest.mark.parametrize("args", [
    ["report", "{c}", "--out", "{c}", "--force", "--no-charts"],
    ["report", "{c}", "--out", "{parent}", "--force", "--no-charts"],
    ["report", "{c}", "--out", "{c}/sub", "--no-charts"],
    ["clean", "{c}", "--out", "{c}", "--force"],
    ["clean", "{c}", "--out", "{parent}", "--force"],
    ["count", "{c}", "--out", "{c}/manifest.csv", "--force"],
    ["count", "{c}", "--out", "{c}/a.txt", "--force"],
    ["count", "{c}", "--out", "{c}", "--force"],
    ["count", "{c}", "--mentions", "{lex}", "--lexicon", "{lex}", "--force"],
    ["kwic", "{c}", "公园城市", "--out", "{c}/k.csv"],
    ["diff", "{c}", "--by", "year", "--out", "{link}", "--force"],
], ids=["report-into-corpus", "report-into-parent", "report-inside-corpus", "clean-into-corpus",
        "clean-into-parent", "count-over-manifest", "count-over-document", "count-over-corpus",
        "mentions-over-lexicon", "kwic-inside-corpus", "diff-over-symlink-to-document"])
def test_output_never_is_contains_or_lies_inside_an_input(args: list[str], tmp_path: Path) -> None:
    parent = tmp_path / "work"
    c = make_corpus(parent)
    lex = tmp_path / "lex.yaml"
    lex.write_text("name: t\nversion: '1'\nlanguage: zh\nsource: test\nlicense: CC0-1.0\nconcepts:\n"
                   "  - {id: park_city, label: 公园城市}\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(c / "a.txt")
    before = tree_hashes(parent, lex)
    argv = [a.format(c=c, parent=parent, lex=lex, link=link) for a in args]
    result = run("-q", "--no-store", *argv)
    assert result.exit_code == 2, result.output
    assert "input" in result.output and "fix:" in result.output
    assert tree_hashes(parent, lex) == before
    assert sorted(p.name for p in c.iterdir()) == ["a.txt", "b.txt", "manifest.csv"]


def test_report_from_inside_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = make_corpus(tmp_path)
    (c / "sub").mkdir()
    monkeypatch.chdir(c / "sub")
    before = tree_hashes(c)
    result = run("-q", "--no-store", "report", "..", "--no-charts", "--force")
    assert result.exit_code == 2 and "lie inside the input" in result.output
    assert tree_hashes(c) == before


def test_force_replaces_only_what_plantrace_wrote(tmp_path: Path) -> None:
    c = make_corpus(tmp_path)
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.docx").write_bytes(b"years of work")
    result = run("-q", "--no-store", "report", str(c), "--out", str(mine), "--force", "--no-charts")
    assert result.exit_code == 2 and ".plantrace-output" in result.output
    assert (mine / "chapter1.docx").read_bytes() == b"years of work"
    # A folder plantrace wrote is replaced with --force.
    out = tmp_path / "out[1]"  # glob characters in the name
    assert run("-q", "--no-store", "report", str(c), "--out", str(out), "--no-charts").exit_code == 0
    assert (out / ".plantrace-output").is_file()
    assert run("-q", "--no-store", "report", str(c), "--out", str(out), "--force", "--no-charts").exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".partial", ".old"))]
    # clean --force overwrites only in a folder plantrace wrote.
    (mine / "qy2021.txt").write_text("my notes", encoding="utf-8")
    result = run("-q", "--no-store", "clean", str(c), "--out", str(mine), "--force")
    assert result.exit_code == 2 and (mine / "qy2021.txt").read_text(encoding="utf-8") == "my notes"


def test_count_out_existing_folder_with_force(tmp_path: Path) -> None:
    c = make_corpus(tmp_path)
    folder = tmp_path / "results"
    folder.mkdir()
    result = run("-q", "--no-store", "count", str(c), "--out", str(folder), "--force")
    assert result.exit_code == 2 and "not a file" in result.output


def test_output_folder_mode_follows_umask(tmp_path: Path) -> None:
    c = make_corpus(tmp_path)
    old = os.umask(0o022)
    try:
        assert run("-q", "--no-store", "report", str(c), "--out", str(tmp_path / "o"), "--no-charts").exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "o").stat().st_mode & 0o777 == 0o755


def test_unwritable_out_is_refused_before_the_work(tmp_path: Path) -> None:
    c = make_corpus(tmp_path)
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    result = run("-q", "--no-store", "count", str(c), "--out", str(blocker / "x.csv"))
    assert result.exit_code == 2 and "cannot create the output folder" in result.output


def test_full_disk_is_said_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from plantrace.report import tables

    c = make_corpus(tmp_path)

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tables, "write_bytes_atomic", full)
    result = run("-q", "--no-store", "report", str(c), "--out", str(tmp_path / "o"), "--no-charts")
    assert result.exit_code == 2 and "disk is full" in result.output
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob(".o.*"))
    result = run("-q", "--no-store", "count", str(c), "--out", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and "disk is full" in result.output


# --- script injection in report.html ---------------------------------------------------

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="chromium not installed")
def test_hostile_titles_and_labels_do_not_run_in_the_browser(tmp_path: Path) -> None:
    from test_report import CHROME_FLAGS

    c = make_corpus(tmp_path, title=HOSTILE)
    lex = tmp_path / "lex.yaml"
    label = HOSTILE.replace("'", "''")
    lex.write_text("name: t\nversion: '1'\nlanguage: zh\nsource: test\nlicense: CC0-1.0\nconcepts:\n"
                   f"  - id: park_city\n    label: '{label}'\n    aliases: [公园城市, 高质量发展, 城市]\n",
                   encoding="utf-8")
    out = tmp_path / "o"
    result = run("-q", "--no-store", "report", str(c), "--lexicon", str(lex), "--out", str(out))
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data-pwned" in html  # the hostile text is there, escaped
    assert "<script>document.documentElement" not in html
    dom = subprocess.run([_chromium(), *CHROME_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          (out / "report.html").resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<svg" in dom.stdout  # the charts still render
    assert 'data-pwned="1"' not in dom.stdout


# --- counted twice ---------------------------------------------------------------------

def test_the_same_corpus_twice_is_one_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    c = make_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    for args in (["c", "c"], ["c", "c/"], ["c", "./c"], ["c", str(c)]):
        result = run("-q", "--no-store", "corpus", *args, "--json")
        assert result.exit_code == 0, result.output
        assert [d["doc_id"] for d in json.loads(result.output)] == ["qy2021", "tf2022"], args
    (c / "manifest.csv").write_text(HEADER + "qy2021,a.txt,district,成都市青羊区,2021,t\n"
                                    "qy2022,b.txt,district,成都市青羊区,2022,t\n", encoding="utf-8")
    once = run("-q", "--no-store", "diff", "c", "--by", "year", "--json")
    twice = run("-q", "--no-store", "diff", "c", "./c", str(c), "--by", "year", "--json")
    rows = json.loads(twice.output)
    assert rows and all(r["doc_a"] != r["doc_b"] for r in rows)
    assert rows == json.loads(once.output)


def test_the_same_file_under_two_ids(tmp_path: Path) -> None:
    c = make_corpus(tmp_path)
    os.link(c / "a.txt", c / "a_copy.txt")
    with open(c / "manifest.csv", "a", encoding="utf-8") as fh:
        fh.write("qy2021b,a_copy.txt,district,成都市青羊区,2021,规划\n")
    result = run("-q", "--no-store", "count", str(c))
    assert result.exit_code == 2 and "a_copy.txt" in result.output and "'a.txt' of row 2" in result.output
    # Across two corpora: a file of one hard-linked into the other.
    d = tmp_path / "d"
    d.mkdir()
    os.link(c / "b.txt", d / "x.txt")
    (d / "manifest.csv").write_text(HEADER + "other,x.txt,city,成都市,2023,规划\n", encoding="utf-8")
    (c / "manifest.csv").write_text(HEADER + "qy2021,a.txt,district,成都市青羊区,2021,a\n"
                                    "tf2022,b.txt,district,成都市天府新区,2022,b\n", encoding="utf-8")
    result = run("-q", "--no-store", "count", str(c), str(d))
    assert result.exit_code == 2 and "'other' is the same file as 'tf2022'" in result.output
    result = run("-q", "--no-store", "count", str(c), "--json")
    assert result.exit_code == 0


def test_a_file_listed_twice_by_two_spellings(tmp_path: Path) -> None:
    c = make_corpus(tmp_path)
    (c / "manifest.csv").write_text(HEADER + "d0,a.txt,city,成都市,2020,t\nd1,./a.txt,city,成都市,2021,t\n",
                                    encoding="utf-8")
    result = run("-q", "--no-store", "corpus", str(c))
    assert result.exit_code == 2 and "listed twice" in result.output


# --- the store -----------------------------------------------------------------------------

def _stderr_lines(result: Any) -> list[str]:
    return [ln for ln in result.output.splitlines() if ln.startswith("plantrace: warning")]


def test_truncated_store_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    import json

    c = make_corpus(tmp_path)
    first = run("-q", "count", str(c), "--json")
    assert first.exit_code == 0
    store = c / ".plantrace" / "store.duckdb"
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3])
    again = run("-q", "count", str(c), "--json")
    assert again.exit_code == 0, again.output
    warnings = _stderr_lines(again)
    assert len(warnings) == 1 and "set aside" in warnings[0], again.output
    assert "warnings.warn" not in again.output and "Warning:" not in again.output
    assert list((c / ".plantrace").glob("store.duckdb.broken-*"))
    payload = [ln for ln in again.output.splitlines() if ln.startswith("[")]
    assert json.loads(payload[0]) == json.loads(next(ln for ln in first.output.splitlines() if ln.startswith("[")))


def test_foreign_database_is_never_written(tmp_path: Path) -> None:
    import duckdb

    c = make_corpus(tmp_path)
    theirs = tmp_path / "survey.duckdb"
    con = duckdb.connect(str(theirs))
    con.execute("CREATE TABLE respondents (id INTEGER)")
    con.execute("INSERT INTO respondents VALUES (1), (2)")
    con.close()
    result = run("-q", "--store", str(theirs), "count", str(c))
    assert result.exit_code == 0 and "not a plantrace store" in result.output
    con = duckdb.connect(str(theirs))
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert tables == {"respondents"}
    notes = tmp_path / "notes.txt"
    notes.write_text("我的笔记", encoding="utf-8")
    result = run("-q", "--store", str(notes), "count", str(c))
    assert result.exit_code == 0 and notes.read_text(encoding="utf-8") == "我的笔记"
    result = run("-q", "--store", str(c / "manifest.csv"), "count", str(c))
    assert result.exit_code == 2 and "the store path is an input" in result.output


def test_store_failures_mid_run_are_set_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    from plantrace.engine.store import Store

    c = make_corpus(tmp_path)

    def full(self: Store, work: object) -> None:
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr(Store, "_transaction", full)
    result = run("-q", "count", str(c), "--json")
    assert result.exit_code == 0, result.output
    lines = _stderr_lines(result)
    assert len(lines) == 1 and "the disk is full" in lines[0]


def test_a_store_that_runs_out_of_memory_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # DuckDB's out-of-memory message advises fewer "threads"; the failure path took that
    # for a read error and renamed the user's store as broken (met with memory_limit set
    # low, 2026-12-04). Memory says nothing of the file: the run goes on without the store
    # and the file stays where it is, to serve the next run.
    import duckdb

    from plantrace.engine.store import Store

    c = make_corpus(tmp_path)
    assert run("-q", "count", str(c), "--json").exit_code == 0
    store = c / ".plantrace" / "store.duckdb"
    assert store.is_file()

    def no_memory(self: Store, keys: list[str], sql: str) -> list[tuple]:
        raise duckdb.OutOfMemoryException(
            "Out of Memory Error: failed to allocate data of size 128.0 MiB (8.9 MiB/122.0 MiB used). "
            "Possible solutions: reducing the number of threads (SET threads=X)")

    with monkeypatch.context() as m:
        m.setattr(Store, "_select_for", no_memory)
        result = run("-q", "count", str(c), "--json")
    assert result.exit_code == 0, result.output
    lines = _stderr_lines(result)
    assert len(lines) == 1 and "Out of Memory" in lines[0] and "carrying on without it" in lines[0], lines
    assert store.is_file() and not list(store.parent.glob("store.duckdb.broken-*"))
    # The next process uses it as it was: every document is there to be served.
    from plantrace.engine import store as store_module

    monkeypatch.setattr(store_module, "_GIVEN_UP", set())  # what a new process starts with
    kept = Store(store)
    try:
        assert kept.con.execute("SELECT count(*) FROM documents").fetchone() == (len(list(c.glob("*.txt"))),)
    finally:
        kept.close()


def test_failed_commit_is_not_hidden_by_the_rollback(tmp_path: Path) -> None:
    import duckdb

    from plantrace.engine.store import Store

    st = Store(tmp_path / "s.duckdb")
    st.con.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")

    def work() -> None:
        st.con.execute("INSERT INTO t VALUES (1), (1)")

    with pytest.raises(duckdb.ConstraintException):
        st._transaction(work)

    def commit_fails() -> None:
        st.con.execute("COMMIT")  # the transaction ends early: the ROLLBACK finds none

    with pytest.raises(duckdb.Error) as info:
        st._transaction(commit_fails)
    assert "no transaction is active" not in str(info.value) or "rollback" not in str(info.value)
    st.close()


# --- bad option values ---------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--max-mb", "-1", "corpus", "{c}"], ["--max-mb", "0", "corpus", "{c}"],
    ["kwic", "{c}", "公园城市", "--window", "-3"], ["words", "{c}", "--top", "-1"],
    ["keyness", "{c}", "--target", "level=district", "--top", "-5"], ["--jobs", "0", "corpus", "{c}"],
    ["targets", "{c}", "--indicator", "gdp"], ["targets", "{c}", "--kind", "goal"],
    ["targets", "{c}", "--compare-parent", "--indicator", "gdp"],
], ids=["max-mb-negative", "max-mb-zero", "window-negative", "top-negative", "keyness-top-negative",
        "jobs-zero", "unknown-indicator", "unknown-kind", "unknown-indicator-compare"])
def test_bad_option_values_exit_2_with_the_choices(args: list[str], tmp_path: Path) -> None:
    c = make_corpus(tmp_path)
    result = run("-q", "--no-store", *[a.format(c=c) for a in args])
    assert result.exit_code == 2, result.output
    assert re.search(r"range|above 0|use one of|greater than or equal", re.sub(r"[\s│]+", " ", result.output)), result.output


def test_non_utf8_folder_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"corpus\xff")
    c = make_corpus(tmp_path, name=name)
    result = run("-q", "report", str(c), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "not valid UTF-8" in result.output
    assert not (tmp_path / "o").exists()


# --- processes -------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    pairs = [tuple(int(x) for x in ln.split()) for ln in out.splitlines() if ln.strip()]
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in pairs if pp == p]
        found += kids
        todo += kids
    return found


def _pooled_report(tmp_path: Path, out: Path, stderr: Any, settle: float = 1.0,
                   **popen: Any) -> tuple[subprocess.Popen, list[int]]:
    """`plantrace report` of the national reports on a forced pool of 2 (long enough to
    be stopped mid-run; --force-pool: workers start whatever its size), returned once its
    workers run and ``settle`` seconds more have passed, with the workers' pids."""
    c = tmp_path / "national"
    shutil.copytree(ROOT / "corpora" / "gwr-national", c)
    env = {**os.environ, "PYTHONPATH": str(Path(plantrace.__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "plantrace.cli", "-q", "--no-store", "--jobs", "2", "--force-pool",
                             "report", str(c), "--out", str(out)], env=env, stderr=stderr, text=True, **popen)
    deadline = time.time() + 120
    while time.time() < deadline and len(_children(proc.pid)) < 2 and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(settle)
    kids = _children(proc.pid)
    assert proc.poll() is None and kids, "the run ended before workers started"
    return proc, kids


def _alive_after(kids: list[int], seconds: float) -> list[str]:
    """:func:`_alive` once the processes are gone or ``seconds`` have passed."""
    deadline = time.time() + seconds
    while time.time() < deadline and _alive(kids):
        time.sleep(0.2)
    return _alive(kids)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_stops_workers_and_removes_partial_output(sig: int, tmp_path: Path) -> None:
    out = tmp_path / "out[1]"
    log = tmp_path / "stderr.txt"  # a file, not a pipe: a worker left alive must not block the test
    proc, kids = _pooled_report(tmp_path, out, log.open("w"))
    proc.send_signal(sig)
    proc.wait(timeout=20)
    assert proc.returncode == 128 + sig, log.read_text()
    assert _alive_after(kids, 10) == []
    assert not out.exists() and not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_ctrl_c_to_the_process_group_stops_the_run_as_interrupted(tmp_path: Path) -> None:
    # A terminal's Ctrl-C reaches the driver and its workers at once. The workers leave it
    # to the driver (they ignore SIGINT), so the run ends as interrupted (130), not on a
    # broken pool, with no worker left and no partial output.
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    proc, kids = _pooled_report(tmp_path, out, log.open("w"),
                                start_new_session=True,  # its own group, as a terminal's foreground job
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # CI may ignore it
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=20)
    text = log.read_text()
    assert proc.returncode == 130, text
    assert "plantrace: interrupted" in text and "Traceback" not in text and "abruptly" not in text
    assert _alive_after(kids, 10) == []
    assert not out.exists() and not [p for p in tmp_path.iterdir() if "partial" in p.name]


def _alive(kids: list[int]) -> list[str]:
    """The processes still running, with their command lines (zombies are dead)."""
    out = []
    for k in kids:
        try:
            if "Z" not in Path(f"/proc/{k}/stat").read_text().split()[2]:
                out.append(Path(f"/proc/{k}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200])
        except OSError:
            continue
    return out


def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    # 8 s: the workers are past their start-up (imports, then the initializer)
    proc, kids = _pooled_report(tmp_path, tmp_path / "o", subprocess.DEVNULL, settle=8.0)
    proc.kill()
    proc.wait()
    assert _alive_after(kids, 15) == []


# --- one run of every command over a hostile corpus -----------------------------------

BROKEN_LEXICONS = {
    "bad_yaml.yaml": "name: t\nconcepts:\n  - {id: a, label: [oops\n",
    "empty_alias.yaml": "name: t\nconcepts:\n  - {id: a, label: 公园城市, aliases: ['']}\n",
    "alias_twice.yaml": "name: t\nconcepts:\n  - {id: a, label: 公园城市}\n  - {id: b, label: 城市, aliases: [公园城市]}\n",
    "cycle.yaml": "name: t\nconcepts:\n  - {id: a, label: 公园城市, parent: b}\n  - {id: b, label: 新经济, parent: a}\n",
    "no_header.csv": "公园城市,park\n",
    "binary.yaml": "\x00\x01\x02PK\x03\x04",
    "hostile_label.yaml": ("name: t\nversion: '1'\nlanguage: zh\nsource: test\nlicense: CC0-1.0\nconcepts:\n"
                           "  - {id: park_city, label: '</script><script>alert(1)</script>', aliases: [公园城市]}\n"),
}


def _hostile_inputs(tmp: Path) -> dict[str, Path]:
    """The families of issue 12 as inputs: a corpus with script-injection titles, the
    traditional-script Chengdu proposal and a truncated store; the same file under two ids;
    a folder name that is not UTF-8; a folder of broken lexicons."""
    c = make_corpus(tmp / "in", name="hostile", title=HOSTILE)
    trad = (CHENGDU / "chengdu_2020_party_proposal.txt").read_text(encoding="utf-8")[:3000]
    (c / "t.txt").write_text(trad, encoding="utf-8")
    with open(c / "manifest.csv", "a", encoding="utf-8") as fh:
        fh.write(f'cd2020,t.txt,city,成都市,2020,"{HOSTILE}"\n')
    (c / ".plantrace").mkdir()
    (c / ".plantrace" / "store.duckdb").write_bytes(b"\x00" * 8 + b"DUCK" + b"\x00" * 100)  # truncated
    twice = make_corpus(tmp / "in", name="twice")
    os.link(twice / "a.txt", twice / "a2.txt")
    with open(twice / "manifest.csv", "a", encoding="utf-8") as fh:
        fh.write("qy2021b,a2.txt,district,成都市青羊区,2021,t\n")
    badname = make_corpus(tmp / "in", name=os.fsdecode(b"name\xff"))
    lex = tmp / "in" / "lexicons"
    lex.mkdir()
    for name, text in BROKEN_LEXICONS.items():
        (lex / name).write_text(text, encoding="utf-8")
    return {"hostile": c, "twice": twice, "badname": badname, "lexicons": lex}


def _commands(c: Path, out: Path) -> dict[str, list[str]]:
    return {
        "corpus": ["corpus", str(c), "--json"],
        "clean": ["clean", str(c), "--out", str(out)],
        "count": ["count", str(c), "--out", str(out / "c.csv"), "--mentions", str(out / "m.csv")],
        "kwic": ["kwic", str(c), "公园城市", "--out", str(out / "k.csv")],
        "words": ["words", str(c), "--out", str(out / "w.csv")],
        "keyness": ["keyness", str(c), "--target", "level=district", "--out", str(out / "key.csv")],
        "diff": ["diff", str(c), "--by", "year", "--out", str(out / "d.csv")],
        "targets": ["targets", str(c), "--out", str(out / "t.csv")],
        "align": ["align", "-c", str(c), "qy2021", "tf2022", "--out", str(out / "a.csv")],
        "report": ["report", str(c), "--out", str(out / "r")],
        "lexicon suggest": ["lexicon", "suggest", str(c)],
        "formulations": ["formulations", str(c), "--out", str(out / "f.csv")],
    }


def test_hostile_corpus_every_command(tmp_path: Path) -> None:
    inputs = _hostile_inputs(tmp_path)
    root = tmp_path / "in"
    before = tree_hashes(root)
    runs: list[tuple[str, str, int]] = []

    def check(label: str, args: list[str], out: Path | None) -> None:
        result = CliRunner().invoke(app, ["-q", *args])
        assert result.exit_code in (0, 2), (label, args, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output, (label, result.output)
        assert tree_hashes(root) == before, label  # inputs unchanged
        leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith((".partial", ".tmp", ".old"))]
        assert leftovers == [], (label, leftovers)
        if result.exit_code == 2 and out is not None and out.exists() and out.parent.name == "outs":
            assert not any(p.is_file() for p in out.rglob("*")), (label, "partial output")
        runs.append((label, args[0], result.exit_code))

    n = 0
    for name in ("hostile", "twice", "badname"):
        for cmd, args in _commands(inputs[name], tmp_path / "outs" / f"{n}").items():
            n += 1
            check(f"{cmd} {name}", args, tmp_path / "outs" / f"{n - 1}")
    c = inputs["hostile"]
    # Outputs aimed at the inputs, with --force.
    for cmd, args in _commands(c, c / "out").items():
        if "--out" in args:
            check(f"{cmd} out-inside-corpus", [*args, "--force"], None)
    for cmd, args in _commands(c, c).items():
        if "--out" in args:
            i = args.index("--out")
            check(f"{cmd} out-is-corpus", [*args[:i + 1], str(c), *args[i + 2:], "--force"], None)
    # Every broken lexicon, through every command that takes one.
    for lex in sorted(inputs["lexicons"].iterdir()):
        check(f"lexicon check {lex.name}", ["lexicon", "check", str(lex)], None)
        for cmd in ("count", "kwic", "diff", "report", "lexicon suggest"):
            n += 1
            args = _commands(c, tmp_path / "outs" / f"{n}")[cmd]
            check(f"{cmd} {lex.name}", [*args, "--lexicon", str(lex)], tmp_path / "outs" / f"{n}")
    codes = {code for *_, code in runs}
    assert codes == {0, 2}
    ok = [label for label, _, code in runs if code == 0]
    assert "report hostile" in ok and "count hostile_label.yaml" in ok and "report hostile_label.yaml" in ok
    assert len(runs) >= 80
    # The hostile corpus is readable: every command succeeds on it, and on the hostile label.
    assert [label for label, _, code in runs if label.endswith((" hostile", "hostile_label.yaml")) and code] == []
    print(f"\n{len(runs)} runs: {sum(c == 0 for *_, c in runs)} exit 0, {sum(c == 2 for *_, c in runs)} exit 2")
