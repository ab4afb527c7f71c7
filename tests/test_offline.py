"""Counting with the default lexicon needs no network and downloads nothing.

A fresh interpreter (the venv's python) replaces socket.socket, socket.create_connection
and socket.getaddrinfo with functions that record the attempt and raise, then loads the
Chengdu corpus, counts concepts (pkuseg judges the candidates) and tabulates words
(pkuseg segments whole documents with the lexicon as user dictionary).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHENGDU = ROOT / "corpora" / "chengdu"

SCRIPT = r'''
import socket
import sys

# pkuseg imports requests (for its optional model download); at import urllib3 probes
# IPv6 support by binding a socket to ::1. That probe is not network access, so urllib3
# is imported before the blocker; any later socket use is recorded and refused.
try:
    import urllib3  # noqa: F401
except ImportError:
    pass

attempts = []


class BlockedSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        attempts.append(("socket.socket", args))
        raise OSError("network blocked by test_offline")


def blocked(name):
    def refuse(*args, **kwargs):
        attempts.append((name, args))
        raise OSError(f"network blocked by test_offline ({name})")
    return refuse


socket.socket = BlockedSocket
socket.create_connection = blocked("socket.create_connection")
socket.getaddrinfo = blocked("socket.getaddrinfo")

# The blocker works (and these three probes are not counted).
for probe in (lambda: socket.socket(), lambda: socket.create_connection(("example.org", 80)),
              lambda: socket.getaddrinfo("example.org", 443)):
    try:
        probe()
    except OSError:
        pass
    else:
        sys.exit("socket blocker not effective")
attempts.clear()

import plantrace
from plantrace.measure import corpus_counts, corpus_words

corpus = plantrace.load_corpus(sys.argv[1])
counts = corpus_counts(corpus)
row = counts[(counts["doc_id"] == "qingyang_2021_plan_outline") & (counts["concept_id"] == "park_city")]
words = corpus_words(corpus, top=20)
print(int(row["count"].iloc[0]))
print("words", len(words), int(words["count"].sum()))
print("attempts", len(attempts), attempts[:3])
'''


def test_counting_needs_no_network(tmp_path: Path) -> None:
    script = tmp_path / "offline.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(CHENGDU)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0] == "14", proc.stdout
    n_words, total = (int(x) for x in lines[1].split()[1:])
    assert n_words == 20 and total > 1000, lines[1]
    assert lines[2] == "attempts 0 []", proc.stdout


def test_the_blocker_catches_a_network_call(tmp_path: Path) -> None:
    # The same preamble must fail a script that does reach for the network.
    preamble = SCRIPT.split("import plantrace")[0]
    script = tmp_path / "online.py"
    script.write_text(preamble + "\nimport urllib.request\n"
                      "try:\n    urllib.request.urlopen('http://example.org', timeout=2)\n"
                      "except Exception:\n    pass\n"
                      "print('attempts', len(attempts))\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() != "attempts 0"
    assert int(proc.stdout.split()[-1]) >= 1


PIPELINE = '''
from plantrace.report.pipeline import run_report
from plantrace.report.outputs import write_report

result = run_report([sys.argv[1]])
files = write_report(result, sys.argv[2])
print(len(files))
print("attempts", len(attempts), attempts[:3])
'''


def test_whole_pipeline_needs_no_network(tmp_path: Path) -> None:
    # The main job end to end (matching, diffs, targets, alignment, charts, report.html)
    # with every Python-level socket refused.
    script = tmp_path / "offline_pipeline.py"
    script.write_text(SCRIPT.split("import plantrace")[0] + PIPELINE, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(CHENGDU), str(tmp_path / "out")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert int(lines[0]) >= 19 and lines[1] == "attempts 0 []", proc.stdout
    assert (tmp_path / "out" / "report.html").exists()
