#!/usr/bin/env python3
"""Where a local pool of N workers starts to pay off: the crossover sizes behind
``plantrace.engine.runner.CROSSOVER_CHARS``.

    python benchmarks/crossover.py                      # 4 sizes up to the 1× corpora, N = 2
    python benchmarks/crossover.py --sizes 0.5,1.5,2.4 --kinds judge

For each kind of map the engine decides on (``normalise``: building documents in
``load_corpus``; ``judge``: judging concept candidates in ``match_corpus``;
``segment``: whole documents in ``segment_documents``) and each size, a fresh process
times the map serially and another on a new ``LocalRunner(N, force=True)``: spawning,
imports and every model load are inside the time (serial loads pkuseg in the process,
the pool in each worker), what a first run sees. Nothing is cached or stored: every
character is work. A line ``t = a + b × chars`` is fitted to each mode; the crossover is
where they meet, ``(a_pool - a_serial) / (b_serial - b_pool)``. The documents are the
four bundled corpora (chengdu, gwr-national, gwr-provincial-2025, gwr-provincial-2026),
in a fixed shuffled order, copied into temporary corpus folders of each size. ``concept``
(the whole cold concept job, no store) is also timed at the largest size, as a check
of the decisions ``worth_parallel`` makes with the current constants.

Fresh processes and wall time: a shared machine moves these figures; run it on a quiet
one, and record the figures, the command and the date next to the constants.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = ["corpora/chengdu", "corpora/gwr-national", "corpora/gwr-provincial-2025", "corpora/gwr-provincial-2026"]
LEXICON = REPO / "toolkit" / "plantrace" / "data" / "planning_concepts.yaml"
KINDS = ("normalise", "judge", "segment")


def _subset_folders(work: Path, target_chars: int) -> list[str]:
    """Copies of the bundled corpora holding the first documents (fixed shuffled order)
    until ``target_chars`` characters of raw text."""
    rows = []
    for c in CORPORA:
        folder = REPO / c
        with open(folder / "manifest.csv", encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = reader.fieldnames or []
            for row in reader:
                rows.append((c, fields, row, len((folder / row["file"]).read_text(encoding="utf-8"))))
    random.Random(16).shuffle(rows)
    chosen, total = [], 0
    for r in rows:
        if total >= target_chars:
            break
        chosen.append(r)
        total += r[3]
    folders = []
    for c in CORPORA:
        mine = [r for r in chosen if r[0] == c]
        if not mine:
            continue
        dest = work / f"{target_chars}" / Path(c).name
        dest.mkdir(parents=True)
        with open(dest / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=mine[0][1])
            w.writeheader()
            for _, _, row, _ in mine:
                w.writerow(row)
                (dest / row["file"]).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(REPO / c / row["file"], dest / row["file"])
        folders.append(str(dest))
    return folders


def worker(kind: str, mode: str, workers: int, folders: list[str]) -> dict:
    """One timed map in this (fresh) process."""
    import plantrace
    from plantrace.concepts import segment
    from plantrace.concepts.lexicon import load_lexicon
    from plantrace.engine.runner import LocalRunner, make_runner
    from plantrace.measure.counts import corpus_counts
    from plantrace.measure.matching import match_corpus

    lexicon = load_lexicon(LEXICON)
    corpus = None
    if kind in ("judge", "segment"):  # the documents, built before the clock (serially)
        corpus = plantrace.load_corpus(folders, store=False, jobs=1)
    t0 = time.perf_counter()
    runner = make_runner(1) if mode == "serial" else LocalRunner(workers, force=True)
    try:
        if kind == "normalise":
            plantrace.load_corpus(folders, store=False, runner=runner)
        elif kind == "judge":
            assert corpus is not None
            corpus.runner = runner
            match_corpus(corpus, lexicon)
        elif kind == "segment":
            assert corpus is not None
            segment.segment_documents([d.body_text for d in corpus.docs], runner=runner)
        else:  # the whole cold concept job, with the decisions the constants make
            runner.force = False
            corpus = plantrace.load_corpus(folders, store=False, runner=runner)
            corpus_counts(corpus, lexicon)
    finally:
        runner.close()
    seconds = time.perf_counter() - t0
    return {"kind": kind, "mode": mode, "seconds": seconds, "execution": runner.describe(),
            "parent_loaded_model": bool(segment._models)}


def _run(kind: str, mode: str, workers: int, folders: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", json.dumps([kind, mode, workers, folders])],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"crossover: the {kind}/{mode} job failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares ``t = a + b × x``."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - b * mx, b


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="0.3,0.8,1.6,2.4",
                    help="raw characters of each size, in millions (normalise, judge)")
    ap.add_argument("--segment-sizes", default="0.1,0.2,0.4,0.8",
                    help="the same for segment (pkuseg over whole documents: ≈ 35 k chars/s per core)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: normalise, judge, segment")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1,
                    help="time each point this many times and keep the fastest (other work on the machine only slows a run)")
    ap.add_argument("--no-check", action="store_true", help="skip the whole cold concept job at the largest size")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        kind, mode, workers, folders = json.loads(args.worker)
        print(json.dumps(worker(kind, mode, workers, folders), ensure_ascii=False))
        return 0
    sizes = [int(float(s) * 1e6) for s in args.sizes.split(",")]
    seg_sizes = [int(float(s) * 1e6) for s in args.segment_sizes.split(",")]
    kinds = [k for k in args.kinds.split(",") if k]
    if len(sizes) < 2 or len(seg_sizes) < 2:
        ap.error("give at least two sizes")
    results: dict = {"workers": args.workers, "date": time.strftime("%Y-%m-%d"), "command": " ".join(sys.argv),
                     "kinds": {}}
    with tempfile.TemporaryDirectory(prefix="plantrace-crossover-") as tmp:
        folders = {s: _subset_folders(Path(tmp), s) for s in sorted({*sizes, *seg_sizes})}
        for kind in kinds:
            rows = []
            for s in seg_sizes if kind == "segment" else sizes:
                pair = {m: min((_run(kind, m, args.workers, folders[s]) for _ in range(max(1, args.repeat))),
                               key=lambda r: r["seconds"]) for m in ("serial", "pool")}
                maps = [d for d in pair["pool"]["execution"]["maps"] if d["work"] == kind]
                chars = maps[0]["chars"] if maps else s
                rows.append({"chars": chars, "serial_s": round(pair["serial"]["seconds"], 2),
                             "pool_s": round(pair["pool"]["seconds"], 2)})
                print(f"{kind:9} {chars / 1e6:5.2f} M chars: serial {pair['serial']['seconds']:6.2f} s, "
                      f"pool of {args.workers} {pair['pool']['seconds']:6.2f} s", flush=True)
            a_s, b_s = _fit([(r["chars"], r["serial_s"]) for r in rows])
            a_p, b_p = _fit([(r["chars"], r["pool_s"]) for r in rows])
            cross = (a_p - a_s) / (b_s - b_p) if b_s > b_p else None
            results["kinds"][kind] = {"points": rows, "serial_fit": [a_s, b_s], "pool_fit": [a_p, b_p],
                                      "crossover_chars": cross}
            said = f"{cross / 1e6:.2f} M chars" if cross is not None else "never (the pool is not faster per character)"
            print(f"{kind:9} serial {a_s:.2f} s + {b_s * 1e6:.2f} µs/char; pool {a_p:.2f} s + "
                  f"{b_p * 1e6:.2f} µs/char → crossover {said}", flush=True)
        found = {k: v["crossover_chars"] for k, v in results["kinds"].items()}
        print("CROSSOVER_CHARS = {" + ", ".join(
            f'"{k}": {int(round(v, -5)) if v is not None else None}' for k, v in found.items()) + "}  # None: never")
        if not args.no_check:
            big = max(sizes)
            check = {m: _run("concept", m, args.workers, folders[big]) for m in ("serial", "pool")}
            results["concept_check"] = {m: {"seconds": round(r["seconds"], 2), "note": r["execution"]["note"],
                                            "parent_loaded_model": r["parent_loaded_model"]}
                                        for m, r in check.items()}
            for m, r in check.items():
                print(f"cold concept job, {big / 1e6:.1f} M, {m}: {r['seconds']:.2f} s — {r['execution']['note']}")
    out = HERE / "results" / "crossover.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
