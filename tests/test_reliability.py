"""Reliability: a killed run leaves nothing half-written and a re-run equals an
uninterrupted one; a 20 MB document without a line break is read in bounded memory."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import CORPORA

PLANTRACE = [sys.executable, "-m", "plantrace.cli"]


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _report(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*PLANTRACE, "-q", "report", str(CORPORA / "chengdu"), "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_half_way_then_rerun_equals_uninterrupted(tmp_path: Path) -> None:
    # The uninterrupted reference run.
    ref = tmp_path / "ref"
    assert _report(ref).wait(timeout=600) == 0
    # A run killed while it writes its outputs (its staging folder exists).
    out = tmp_path / "killed"
    proc = _report(out)
    deadline = time.time() + 600
    while time.time() < deadline and not list(tmp_path.glob(".killed.*.partial")):
        time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert not out.exists(), "a killed run must not leave a (half-written) output folder"
    assert list(tmp_path.glob(".killed.*.partial")), "the kill came before any writing"
    # The re-run completes, removes the dead run's staging folder, and equals the reference.
    rerun = _report(out)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read()
    assert not list(tmp_path.glob(".killed.*.partial"))
    assert _digest(out) == _digest(ref)


def test_twenty_megabytes_without_a_line_break(tmp_path: Path) -> None:
    # 20 million characters on one line: read, normalised, zoned and split into sentences
    # in a child process whose peak memory is measured.
    script = tmp_path / "big.py"
    script.write_text(
        "import sys\n"
        "from plantrace.ingest.read import read_raw\n"
        "from plantrace.structure.document import build_document\n"
        "from plantrace.ingest.manifest import ManifestEntry\n"
        "from plantrace.text.normalise import NormaliserConfig\n"
        "from pathlib import Path\n"
        "p = Path(sys.argv[1])\n"
        "raw = read_raw(p)\n"
        "e = ManifestEntry('big', p.name, p, 'national', '中华人民共和国', 2025, 2)\n"
        "doc = build_document(e, raw, NormaliserConfig())\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child of a large
        # pytest process would report the parent's peak.
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "print(len(doc.text), len(doc.sentences), int(hwm.split()[1]) // 1024)\n",
        encoding="utf-8")
    base = (CORPORA / "gwr-national" / "texts" / "gwr_national_2025.txt").read_text(encoding="utf-8")
    base = base.split("本作品是中华人民共和国的")[0].replace("\n", "")
    big = (base * (20_000_000 // len(base) + 1))[:20_000_000]
    path = tmp_path / "big.txt"
    path.write_text(big, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    chars, sentences, peak_mb = (int(x) for x in proc.stdout.split())
    assert chars == 20_000_000 and sentences > 500_000
    # Bounded: well under the 1 GB a worker may use (the text itself is 40 MB in memory).
    assert peak_mb < 1024, f"peak RSS {peak_mb} MB"
