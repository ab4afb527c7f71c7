#!/usr/bin/env python3
"""Speed and memory of plantrace against raw pkuseg, jieba and cntext, measured in one run.

    python benchmarks/run.py            # 1×, distinct 10× and 50× corpora (see benchmarks/README.md)
    python benchmarks/run.py --quick    # 1× only, segmentation loops capped: a smoke check (4-5 minutes)
    python benchmarks/run.py --scales 1,10 --only store,dask   # some scales and job groups (see --help)

1× is the four bundled corpora (140 documents); N× is the distinct corpus of
benchmarks/distinct_corpus.py (the originals and N - 1 variants of each, so no cache
serves a repeated text); one more row, on identical copies, shows what the caches do.

Every job runs in its own subprocess, so its peak RSS (the process's own ``VmHWM``) is
its own and the plantrace "cold" job really starts cold. Pool and Dask jobs report the
peak of every worker too. jieba runs in ``benchmarks/.venv`` and
cntext in ``benchmarks/.venv-cntext``, both created here on first use, so neither
enters the project environment. The table is printed and written to
``benchmarks/results/latest.json``. See benchmarks/README.md for what each row means.

This file imports only the standard library at module level: the same file is the
worker that runs inside each of the three virtual environments (``--worker JOB``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PROJECT_PYTHON = REPO / ".venv" / "bin" / "python"
# The 1× corpus: the four bundled corpora (140 documents). The same list as
# distinct_corpus.CORPORA, which builds the larger scales from them.
CORPORA = ["corpora/chengdu", "corpora/gwr-national", "corpora/gwr-provincial-2025",
           "corpora/gwr-provincial-2026"]
# The bundled lexicon moved into the package (lexicons/README.md); the old path is gone.
LEXICON = REPO / "toolkit" / "plantrace" / "data" / "planning_concepts.yaml"
JIEBA_VENV = HERE / ".venv"
CNTEXT_VENV = HERE / ".venv-cntext"
# cntext imports IPython at top level (cntext/hello.py) without declaring it.
CNTEXT_PACKAGES = ["cntext", "jieba", "ipython"]
RESULTS = HERE / "results"
TARGET_CONCEPTS = 200
#: Scales run by default: 1× and distinct 10× and 50× corpora (benchmarks/distinct_corpus.py).
SCALES = (1, 10, 50)
#: Copies in the "identical copies" corpus, kept only to show what plantrace's caches do.
IDENTICAL = 10
#: Groups left out from a scale up, and why: the default run must finish within 45 minutes
#: on 2 cores (estimated from a 10× run: benchmarks/README.md, "Caps and scales"). What is
#: left out are loops whose chars per second do not depend on corpus size once no text
#: repeats (stateless per document, or with no cache to serve distinct text), or the pair
#: the store rows already time; the table gets a "not run" row for each.
LEFT_OUT = (
    (10, ("jieba", "cntext"),
     "jieba and cntext keep no state between documents, so their 1× chars per second hold at any size; "
     "the cold jobs here are compared with the 1× cntext row (vs says so)"),
    (50, ("pkuseg", "segment", "seg-pool", "nostore"),
     "to keep the default run within 45 minutes on 2 cores: on distinct text no cache serves the "
     "segmentation loops, so their chars per second are the 10× ones (a sample) and 1× ones (whole); "
     "the store rows time the cold and warm jobs at this scale"),
    (50, ("dask",),
     "to keep the default run within 45 minutes on 2 cores (Dask's concept job would add about 6 minutes "
     "here); Dask against the pool is measured at 1× and on the 27 M characters of 10× "
     "(--scales 50 --only dask runs it, with the pool rows it is compared with)"),
)


def groups_at(n: int, only: set[str]) -> tuple[set[str], dict[str, str]]:
    """The groups of ``only`` that run at scale ``n``, and why each other one does not."""
    why = {g: reason for start, groups, reason in LEFT_OUT if n >= start for g in groups if g in only}
    return only - set(why), why

# Real planning concepts added to the bundled lexicon to reach 200; any whose id or
# alias the bundled lexicon already has is skipped, so the lexicon always validates.
EXTRA_CONCEPTS = [
    ("river_chief_system", "河长制", "green", ["河长制", "湖长制"]),
    ("forest_chief_system", "林长制", "green", ["林长制"]),
    ("sharing_economy", "共享经济", "economy", ["共享经济"]),
    ("digital_government", "数字政府", "reform", ["数字政府"]),
    ("open_competition_mechanism", "揭榜挂帅", "industry", ["揭榜挂帅"]),
    ("whole_process_democracy", "全过程人民民主", "strategy", ["全过程人民民主"]),
    ("cross_cyclical_adjustment", "跨周期调节", "economy", ["跨周期调节"]),
    ("countercyclical_adjustment", "逆周期调节", "economy", ["逆周期调节"]),
    ("community_embedded_services", "社区嵌入式服务", "livelihood", ["社区嵌入式服务"]),
    ("rent_and_purchase", "租购并举", "livelihood", ["租购并举"]),
    ("seed_industry_revitalisation", "种业振兴", "rural", ["种业振兴"]),
    ("east_data_west_computing", "东数西算", "industry", ["东数西算"]),
    ("enclave_economy", "飞地经济", "regional", ["飞地经济"]),
    ("hub_economy", "枢纽经济", "opening", ["枢纽经济", "口岸经济", "临空经济"]),
    ("per_mu_efficiency", "亩均论英雄", "industry", ["亩均论英雄"]),
]
# The "lexicon edit" of the warm job: one alias of one concept replaced.
EDIT = ("affordable_housing", "保障房", "保障性安居工程")


# --------------------------------------------------------------------------------------
# Workers: run in a subprocess, read a JSON spec, write a JSON result.
# --------------------------------------------------------------------------------------

def _vmhwm_mb(pid: int | str = "self") -> float | None:
    """Peak RSS of one process's own address space (``VmHWM`` in /proc/PID/status), or None.

    Unlike ``ru_maxrss`` it starts afresh at ``exec``: Linux carries ``ru_maxrss`` across
    exec, so a process spawned by a big parent (a pool worker spawned by a job that holds
    a corpus) would otherwise report at least the parent's size."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _rss_mb() -> float:
    """Peak RSS of this process: VmHWM where /proc has it, else ru_maxrss."""
    hwm = _vmhwm_mb()
    if hwm is not None:
        return hwm
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _ChildPeaks:
    """The peak RSS (VmHWM) of this process's child processes, read from /proc every 0.2 s
    while a job runs: a helper process the job starts and closes
    (plantrace.measure.matching.HELPER_CHARS).

    Not ru_maxrss of RUSAGE_CHILDREN: a spawned child's ru_maxrss starts from its parent's
    RSS at the fork, so a driver holding 1.5 GB made a helper that judged five documents
    report 1,613 MB (2026-12-04). VmHWM starts afresh at exec; sampled, it can miss growth
    in a child's last 0.2 s."""

    def __init__(self) -> None:
        import threading

        self.peaks: dict[str, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = str(os.getpid())
        while not self._done.wait(0.2):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
                        fields = dict(line.split(":", 1) for line in fh if ":" in line)
                except OSError:
                    continue
                if fields.get("PPid", "").strip() == me and "VmHWM" in fields:
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), int(fields["VmHWM"].split()[0]) / 1024)

    def peak(self) -> float:
        """The largest child's peak so far (0 if none)."""
        return max(self.peaks.values(), default=0.0)


_CHILDREN: _ChildPeaks | None = None


def _job_peak(driver_mb: float) -> dict:
    """The job's peak RSS per process: the largest of this process and its helpers."""
    helper = _CHILDREN.peak() if _CHILDREN else 0.0
    return {"peak_rss_mb": max(driver_mb, helper), "driver_peak_rss_mb": driver_mb, "helper_peak_rss_mb": helper}


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (a process pool's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _clock() -> tuple[float, float]:
    return time.perf_counter(), _cpu()


def _since(t0: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - t0[0], _cpu() - t0[1]


def _load_corpus(paths, store):  # type: ignore[no-untyped-def]
    """plantrace.load_corpus with an explicit store (a path, or False for none), so the
    benchmark never reads or writes the store inside the repository's corpus folders."""
    import inspect

    import plantrace

    kw = {"store": store} if "store" in inspect.signature(plantrace.load_corpus).parameters else {}
    return plantrace.load_corpus(paths, **kw)


def _bodies(spec: dict) -> list[str]:
    return [Path(p).read_text(encoding="utf-8") for p in spec["bodies"]]


def _segment_lines(texts: list[str], cut, cap: float) -> dict:  # type: ignore[no-untyped-def]
    """Cut every non-blank line of every text; stop between documents after ``cap`` s."""
    chars = tokens = docs = 0
    t0 = _clock()
    for text in texts:
        for line in text.split("\n"):
            if line.strip():
                tokens += len(cut(line))
        chars += len(text)
        docs += 1
        if cap and time.perf_counter() - t0[0] > cap and docs < len(texts):
            break
    wall, cpu = _since(t0)
    return {"chars": chars, "seconds": wall, "cpu_seconds": cpu, "tokens": tokens, "docs": docs,
            "docs_total": len(texts), "sampled": docs < len(texts)}


def _export_bodies(corpus, body_dir: Path) -> list[str]:  # type: ignore[no-untyped-def]
    body_dir.mkdir(parents=True, exist_ok=True)
    bodies = []
    for i, doc in enumerate(corpus.docs):
        p = body_dir / f"{i:05d}_{doc.doc_id}.txt"
        p.write_text(doc.body_text, encoding="utf-8")
        bodies.append(str(p))
    return bodies


#: A clause marker of benchmarks/distinct_corpus.py in normalised text (the same pattern
#: as distinct_corpus.MARKER_RE; repeated here because this file imports only the
#: standard library at module level and runs in three environments).
_MARKER = "（[bcdfghjklmnpqrstwxyz]+）"


def _marker_chars(texts) -> int:  # type: ignore[no-untyped-def]
    import re

    pattern = re.compile(_MARKER)
    return sum(len(m) for t in texts for m in pattern.findall(t))


def worker_bodies(spec: dict) -> dict:
    """Export the body texts of a corpus folder (a distinct N× corpus or a sample of it),
    for the segmentation baselines at that scale."""
    corpus = _load_corpus(spec["corpus"], False)
    bodies = _export_bodies(corpus, Path(spec["out"]))
    texts = [d.body_text for d in corpus.docs]
    return {"bodies": bodies, "docs": len(texts), "body_chars": sum(map(len, texts)),
            "marker_chars": _marker_chars(texts)}


def worker_prepare(spec: dict) -> dict:
    """Load the 1× corpus, export body texts, write the 200-concept and edited lexicons."""
    import yaml

    from plantrace.concepts.lexicon import load_lexicon

    work = Path(spec["workdir"])
    corpus = _load_corpus([REPO / c for c in CORPORA], False)
    bodies = _export_bodies(corpus, work / "bodies")

    base = load_lexicon(LEXICON)
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    known = set(base.alias_index)
    added = []
    for cid, label, category, aliases in EXTRA_CONCEPTS:
        if len(base.concepts) + len(added) >= TARGET_CONCEPTS:
            break
        fresh = [a for a in aliases if a not in known]
        if cid in base.concepts or label not in fresh:
            continue
        known.update(fresh)
        added.append({"id": cid, "label": label, "category": category, "aliases": fresh,
                      "parent": None, "note": "added by benchmarks/run.py", "source": "benchmark"})
    data["concepts"] = list(data["concepts"]) + added
    data["name"] = f"planning_concepts_bench{len(data['concepts'])}"
    lex_path = work / "lexicon.yaml"
    lex_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    lex = load_lexicon(lex_path)

    # One alias changed: the edit a researcher makes between two runs.
    cid, old, new = EDIT
    entry = next((c for c in data["concepts"] if c["id"] == cid and old in (c.get("aliases") or [])), None)
    if entry is None or new in lex.alias_index:  # the bundled lexicon changed: edit the first multi-alias concept
        entry = next(c for c in data["concepts"] if len(c.get("aliases") or []) > 1)
        old = entry["aliases"][-1]
        new = old + "建设"
    entry["aliases"] = [new if a == old else a for a in entry["aliases"]]
    edited_path = work / "lexicon_edited.yaml"
    edited_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_lexicon(edited_path)  # validates
    # The re-run job needs an edit the store has not seen: the same alias changed again.
    entry["aliases"] = [new + "建设" if a == new else a for a in entry["aliases"]]
    edited2_path = work / "lexicon_edited2.yaml"
    edited2_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_lexicon(edited2_path)

    # The command-line loop's second edit: a new concept whose alias (职业教育, 135 times in
    # the bundled texts) sits mostly in clauses no other alias brought to pkuseg, so the
    # fresh process has clauses to segment.
    data["concepts"].append({"id": "vocational_education", "label": "职业教育", "category": "livelihood",
                             "aliases": ["职业教育"], "parent": None, "note": "benchmark edit", "source": "benchmark"})
    edited3_path = work / "lexicon_edited3.yaml"
    edited3_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_lexicon(edited3_path)
    # ... and another (跨境电商, 108 times), for the same kind of edit with the full model load.
    data["concepts"].append({"id": "cross_border_ecommerce", "label": "跨境电商", "category": "opening",
                             "aliases": ["跨境电商"], "parent": None, "note": "benchmark edit", "source": "benchmark"})
    edited4_path = work / "lexicon_edited4.yaml"
    edited4_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_lexicon(edited4_path)

    diction = {c.id: list(c.aliases) for c in lex.concepts.values()}
    (work / "diction.json").write_text(json.dumps(diction, ensure_ascii=False), encoding="utf-8")
    return {
        "bodies": bodies, "docs": len(corpus.docs), "body_chars": sum(len(d.body_text) for d in corpus.docs),
        "raw_chars": sum(d.raw_length for d in corpus.docs), "concepts": len(lex.concepts),
        "aliases": len(lex.alias_index), "added_concepts": [a["id"] for a in added],
        "lexicon": str(lex_path), "lexicon_edited": str(edited_path), "lexicon_edited2": str(edited2_path),
        "lexicon_edited3": str(edited3_path), "lexicon_edited4": str(edited4_path),
        "edit": f"{entry['id']}: {old} → {new}", "edit2": f"{entry['id']}: {new} → {new}建设",
        "diction": str(work / "diction.json"),
    }


def worker_pkuseg(spec: dict) -> dict:
    texts = _bodies(spec)
    t0 = _clock()
    import pkuseg

    model = pkuseg.pkuseg()
    load = _since(t0)[0]
    out = _segment_lines(texts, model.cut, spec.get("cap", 0))
    out.update(model_load_seconds=load, version=getattr(pkuseg, "__version__", "0.0.25"))
    return out


def _cut_share(texts: list[str], cap: float, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One of N raw pkuseg processes: load the model, wait for the others, cut its share."""
    import pkuseg

    model = pkuseg.pkuseg()
    barrier.wait()
    out = _segment_lines(texts, model.cut, cap)
    out["hwm_mb"] = _vmhwm_mb()
    results.put(out)


def worker_pkuseg_concurrent(spec: dict) -> dict:
    """N raw pkuseg processes at once, each on every N-th document, started together after
    their model loads: what N cores give pkuseg on this machine with no plantrace at all.
    Two processes on two cores share caches and memory bandwidth (and, on a virtual
    machine, maybe a physical core), so each cuts fewer characters per second than one
    alone: this row is the ceiling any N-worker pool can reach."""
    import multiprocessing

    texts = _bodies(spec)
    if spec.get("docs_limit"):  # the same documents as a sampled raw-pkuseg run
        texts = texts[: spec["docs_limit"]]
    n = spec["workers"]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(n + 1), ctx.Queue()
    procs = [ctx.Process(target=_cut_share, args=(texts[i::n], spec.get("cap", 0), barrier, results))
             for i in range(n)]
    for p in procs:
        p.start()
    barrier.wait()  # every model loaded: the clock starts
    t0 = time.perf_counter()
    parts = [results.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    chars = sum(r["chars"] for r in parts)
    return {"chars": chars, "seconds": wall, "cpu_seconds": sum(r["cpu_seconds"] for r in parts),
            "tokens": sum(r["tokens"] for r in parts), "docs": sum(r["docs"] for r in parts),
            "docs_total": len(texts), "sampled": any(r["sampled"] for r in parts),
            "per_process_chars_per_s": [r["chars"] / r["seconds"] for r in parts],
            "peak_rss_mb": max(r["hwm_mb"] or 0 for r in parts)}


def worker_jieba(spec: dict) -> dict:
    import logging

    texts = _bodies(spec)
    t0 = _clock()
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    load = _since(t0)[0]
    out = _segment_lines(texts, jieba.lcut, spec.get("cap", 0))
    out.update(model_load_seconds=load, version=jieba.__version__)
    return out


def worker_cntext(spec: dict) -> dict:
    """cntext's dictionary count: ``ct.sentiment(text, diction)`` per document body."""
    import logging
    import warnings

    warnings.simplefilter("ignore")
    texts = _bodies(spec)
    diction = json.loads(Path(spec["diction"]).read_text(encoding="utf-8"))
    t0 = _clock()
    import cntext as ct

    logging.getLogger("jieba").setLevel(logging.CRITICAL)
    import_s = _since(t0)[0]
    cap = spec.get("cap", 0)
    chars = docs = hits = 0
    t0 = _clock()
    for text in texts:
        result = ct.sentiment(text, diction=diction)
        hits += sum(int(result.get(f"{cid}_num", 0)) for cid in diction)
        chars += len(text)
        docs += 1
        if cap and time.perf_counter() - t0[0] > cap and docs < len(texts):
            break
    wall, cpu = _since(t0)
    return {"chars": chars, "seconds": wall, "cpu_seconds": cpu, "docs": docs, "docs_total": len(texts),
            "sampled": docs < len(texts), "import_seconds": import_s, "mentions": hits,
            "version": getattr(ct, "__version__", "?"), "function": "cntext.sentiment(text, diction=…)"}


def _seg_chars() -> int:
    from plantrace.concepts import segment

    return int(getattr(segment, "stats", {}).get("clause_chars", 0))


def _store_stats(corpus) -> dict:  # type: ignore[no-untyped-def]
    return dict(getattr(corpus, "store_stats", {}) or {})


def worker_concepts(spec: dict) -> dict:
    """Cold job (fresh process: load + counts), then in the same process the warm job
    (the lexicon with one alias edited). ``spec["store"]``: a new store path, or False."""
    global _CHILDREN
    _CHILDREN = _ChildPeaks()
    t0 = _clock()
    import plantrace  # noqa: F401
    from plantrace.concepts.lexicon import load_lexicon
    from plantrace.measure.counts import corpus_counts

    import_s = _since(t0)[0]
    store = spec["store"] or False
    t0 = _clock()
    corpus = _load_corpus(spec["corpus"], store)
    load_s = _since(t0)[0]
    lexicon = load_lexicon(spec["lexicon"])
    counts = corpus_counts(corpus, lexicon)
    cold_wall, cold_cpu = _since(t0)
    cold = {"seconds": cold_wall, "cpu_seconds": cold_cpu, "load_corpus_seconds": load_s,
            "counts_seconds": cold_wall - load_s, **_job_peak(_rss_mb()),
            "mentions": int(counts["count_own"].sum()), "clause_chars_segmented": _seg_chars(),
            "store_stats": _store_stats(corpus), "runner": getattr(corpus.runner, "name", "serial"),
            "runner_note": corpus.runner.note() if hasattr(corpus.runner, "note") else None}
    out = {"docs": len(corpus.docs), "chars": sum(len(d.body_text) for d in corpus.docs),
           "marker_chars": _marker_chars(d.body_text for d in corpus.docs),  # after the clock
           "import_seconds": import_s, "cold": cold}
    if spec.get("lexicon_edited"):
        before = _seg_chars()
        t1 = _clock()
        edited = load_lexicon(spec["lexicon_edited"])
        counts2 = corpus_counts(corpus, edited)
        wall, cpu = _since(t1)
        out["warm"] = {"seconds": wall, "cpu_seconds": cpu, **_job_peak(_rss_mb()),
                       "mentions": int(counts2["count_own"].sum()),
                       "clause_chars_segmented": _seg_chars() - before, "store_stats": _store_stats(corpus)}
    return out


def worker_rerun(spec: dict) -> dict:
    """A later run over a populated store: fresh process, same lexicon (load + counts);
    then, in that process, a lexicon edit the store has not seen (counts only)."""
    global _CHILDREN
    _CHILDREN = _ChildPeaks()
    from plantrace.concepts.lexicon import load_lexicon
    from plantrace.measure.counts import corpus_counts

    t0 = _clock()
    corpus = _load_corpus(spec["corpus"], spec["store"])
    load_s = _since(t0)[0]
    counts = corpus_counts(corpus, load_lexicon(spec["lexicon"]))
    wall, cpu = _since(t0)
    same = {"seconds": wall, "cpu_seconds": cpu, "load_corpus_seconds": load_s, "counts_seconds": wall - load_s,
            **_job_peak(_rss_mb()), "mentions": int(counts["count_own"].sum()),
            "clause_chars_segmented": _seg_chars(), "store_stats": _store_stats(corpus)}
    before = _seg_chars()
    t1 = _clock()
    counts2 = corpus_counts(corpus, load_lexicon(spec["lexicon_edited"]))
    wall, cpu = _since(t1)
    edited = {"seconds": wall, "cpu_seconds": cpu, **_job_peak(_rss_mb()),
              "mentions": int(counts2["count_own"].sum()), "clause_chars_segmented": _seg_chars() - before,
              "store_stats": _store_stats(corpus)}
    return {"docs": len(corpus.docs), "chars": sum(len(d.body_text) for d in corpus.docs),
            "same": same, "edited": edited}


def worker_segment(spec: dict) -> dict:
    """plantrace.concepts.segment.segment_document over every body (model loaded before timing)."""
    from plantrace.concepts import segment

    texts = _bodies(spec)
    if spec.get("docs_limit"):  # the same documents as a sampled raw-pkuseg run
        texts = texts[: spec["docs_limit"]]
    t0 = _clock()
    segment.segment_document("模型预热")  # loads the model through the public function
    load = _since(t0)[0]
    before = segment.stats.get("document_chars", 0)
    cap = spec.get("cap", 0)
    chars = tokens = docs = 0
    t0 = _clock()
    for text in texts:
        tokens += len(segment.segment_document(text))
        chars += len(text)
        docs += 1
        if cap and time.perf_counter() - t0[0] > cap and docs < len(texts):
            break
    wall, cpu = _since(t0)
    return {"chars": chars, "seconds": wall, "cpu_seconds": cpu, "tokens": tokens, "docs": docs,
            "docs_total": len(texts), "sampled": docs < len(texts), "model_load_seconds": load,
            "chars_segmented": segment.stats.get("document_chars", 0) - before}


def _probe(fn, item):  # type: ignore[no-untyped-def]
    """Runs inside a pool or Dask worker: one task, plus facts about the worker process."""
    begin = time.time()
    seg = sys.modules.get("plantrace.concepts.segment")
    load = 0.0
    if getattr(fn, "__name__", "") in ("segment_document", "_segment_task") and seg is not None and not seg._models:
        # The model would load inside this call anyway: load it first, to time it apart.
        t = time.time()
        seg._load()
        load = time.time() - t
    start = time.time()
    out = fn(item)
    end = time.time()
    stats = getattr(seg, "stats", {}) if seg else {}
    t = os.times()
    return out, {"pid": os.getpid(), "begin": begin, "start": start, "end": end, "model_load": load,
                 "hwm_mb": _vmhwm_mb(),
                 "cpu": t.user + t.system, "document_chars": int(stats.get("document_chars", 0)),
                 "clause_chars": int(stats.get("clause_chars", 0))}


def _warm(_: int) -> int:
    """Runs in a worker before the clock starts: load pkuseg (as raw pkuseg's row loads its
    model before timing). The pause keeps a worker from taking a second warm-up task, so
    each of the N tasks lands on its own worker (the pids are counted in the notes)."""
    from plantrace.concepts import segment

    segment._load()
    time.sleep(1.0)
    return os.getpid()


def _instrument(runner, maps: list) -> None:  # type: ignore[no-untyped-def]
    """Wrap ``runner.map`` (on the instance, so isinstance checks still hold) so that every
    task also reports its worker's pid, task times, peak RSS (VmHWM), CPU and chars segmented."""
    import functools

    inner = runner.map

    def map(fn, items, **kw):  # type: ignore[no-untyped-def]
        t0 = time.time()
        res = inner(functools.partial(_probe, fn), items, **kw)
        maps.append({"fn": getattr(fn, "__name__", str(fn)), "start": t0, "end": time.time(),
                     "tasks": [info for _, info in res]})
        return [r for r, _ in res]

    runner.map = map


def _summarise_maps(maps: list) -> dict:
    """Per-worker figures from the probes: peak RSS, CPU, chars segmented, busy time."""
    workers: dict[int, dict] = {}
    for m in maps:
        for t in sorted(m["tasks"], key=lambda t: t["start"]):
            w = workers.get(t["pid"])
            if w is None:  # ready: from the map's start to its first task proper (after a model load)
                w = workers[t["pid"]] = {"hwm_mb": 0.0, "cpu": 0.0, "document_chars": 0, "clause_chars": 0,
                                         "busy": 0.0, "tasks": 0, "ready": t["start"] - m["start"]}
            w["hwm_mb"] = max(w["hwm_mb"], t["hwm_mb"] or 0.0)
            for k in ("cpu", "document_chars", "clause_chars"):  # cumulative in the worker: keep the last
                w[k] = max(w[k], t[k])
            w["busy"] += t["end"] - t["start"]
            w["tasks"] += 1
            w["model_load"] = w.get("model_load", 0.0) + t.get("model_load", 0.0)
    first = [min((t.get("begin", t["start"]) for t in m["tasks"]), default=m["start"]) - m["start"] for m in maps]
    tail = [m["end"] - max((t["end"] for t in m["tasks"]), default=m["end"]) for m in maps]
    return {"workers": len(workers), "worker_peak_rss_mb": [round(w["hwm_mb"], 1) for w in workers.values()],
            "worker_cpu_seconds": round(sum(w["cpu"] for w in workers.values()), 2),
            "worker_busy_seconds": [round(w["busy"], 2) for w in workers.values()],
            "worker_tasks": [w["tasks"] for w in workers.values()],
            "worker_model_load_seconds": [round(w["model_load"], 2) for w in workers.values()],
            "worker_ready_seconds": [round(w["ready"], 2) for w in workers.values()],
            "document_chars_segmented": sum(w["document_chars"] for w in workers.values()),
            "clause_chars_segmented": sum(w["clause_chars"] for w in workers.values()),
            "maps": [{"fn": m["fn"], "seconds": round(m["end"] - m["start"], 2), "tasks": len(m["tasks"]),
                      "first_task_after_s": round(f, 2), "after_last_task_s": round(e, 2)}
                     for m, f, e in zip(maps, first, tail)]}


def worker_pool(spec: dict) -> dict:
    """A job on plantrace's parallel runner: ``spec["runner"]`` "local" (a process pool of
    ``workers``, ``parallel.make_runner(jobs=N)``) or "dask" (``make_runner(dask_local=N)``,
    a Dask LocalCluster). ``spec["mode"]``:

    * "segment": ``segment.segment_documents(bodies, runner=runner)``, every body segmented
      whole on the runner's workers (what word tables and keyness do), tokens sent back;
    * "concepts": the cold concept job without a store, ``load_corpus(paths, store=False,
      runner=runner)`` + ``load_lexicon`` + ``corpus_counts``.

    Timed end to end: creating the runner (a Dask cluster starts, and its plugin loads
    pkuseg on every worker), the job, and closing the runner (the local pool is spawned at
    its first map and kept; its workers load pkuseg inside the timed part). Imports are not timed."""
    import plantrace
    from plantrace.concepts import segment
    from plantrace.engine import runner as parallel

    if spec["runner"] == "dask":
        import distributed  # noqa: F401  (imported before timing, like plantrace)
    texts: list[str] = []
    if spec["mode"] == "segment":
        texts = _bodies(spec)
        if spec.get("docs_limit"):
            texts = texts[: spec["docs_limit"]]
    maps: list = []
    t0 = _clock()
    runner = (parallel.make_runner(dask_local=spec["workers"], worker_setup=segment.WORKER_SETUP)
              if spec["runner"] == "dask" else
              # Full segmentation measures the pool's throughput, so its pool starts whatever
              # the size; the concept job gets what `--jobs N` gives (serial below the crossover).
              parallel.make_runner(jobs=spec["workers"], force=spec["mode"] == "segment"))
    start_s = _since(t0)[0]
    out: dict = {"runner": getattr(runner, "name", "?"), "runner_workers": getattr(runner, "workers", None)}
    if spec.get("warm"):
        # A long-lived pool (a notebook's, or the one `plantrace report` used for the
        # concept job before its word tables): workers spawned and pkuseg loaded before
        # the clock starts, like raw pkuseg's model load.
        pids = runner.map(_warm, list(range(spec["workers"])))
        out.update(warm_up_seconds=_since(t0)[0] - start_s, warm_workers=len(set(pids)))
        t0 = _clock()
        start_s = 0.0
    _instrument(runner, maps)
    try:
        t1 = _clock()
        if spec["mode"] == "segment":
            tokens = segment.segment_documents(texts, runner=runner)
            out.update(chars=sum(len(t) for t in texts), docs=len(texts), tokens=sum(len(t) for t in tokens))
        else:
            from plantrace.concepts.lexicon import load_lexicon
            from plantrace.measure.counts import corpus_counts

            corpus = plantrace.load_corpus(spec["corpus"], store=False, runner=runner)
            load_s = _since(t1)[0]
            counts = corpus_counts(corpus, load_lexicon(spec["lexicon"]))
            out.update(chars=sum(len(d.body_text) for d in corpus.docs), docs=len(corpus.docs),
                       mentions=int(counts["count_own"].sum()), load_corpus_seconds=load_s,
                       runner_used=getattr(corpus.runner, "name", "?"))
        job_s = _since(t1)[0]
    finally:
        t2 = time.perf_counter()
        runner.close()
        close_s = time.perf_counter() - t2
    wall, cpu = _since(t0)  # after close: a Dask cluster's worker processes are reaped by then
    if hasattr(runner, "describe"):
        out["execution"] = runner.describe()  # how each map ran (serial below the crossover), and why
    out.update(seconds=wall, cpu_seconds=cpu, runner_start_seconds=start_s, job_seconds=job_s,
               close_seconds=close_s, driver_peak_rss_mb=_rss_mb(), **_summarise_maps(maps))
    out["peak_rss_mb"] = max([out["driver_peak_rss_mb"], *out["worker_peak_rss_mb"]])
    return out


def worker_build(spec: dict) -> dict:
    """Write the distinct ``scale``× corpus (benchmarks/distinct_corpus.py) and a sample of
    it for the capped loops: one variant of each bundled document, taken from the replicas
    in turn (document d from replica 2 + d mod (scale - 1)), in its own folder, so a loop
    stopped by its cap has timed variants of many documents, not the originals that come
    first in the manifest."""
    sys.path.insert(0, str(HERE))
    import distinct_corpus

    t0 = time.perf_counter()
    root = distinct_corpus.build_distinct_corpus(spec["out"], spec["scale"], CORPORA)
    seconds = time.perf_counter() - t0
    with open(root / "manifest.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or []), list(reader)
    per_replica = len(rows) // spec["scale"]
    sample = Path(spec["sample"])
    picked = []
    for d in range(per_replica):
        r = 1 + d % (spec["scale"] - 1)  # 0-based replica index: never 0, the originals
        entry = rows[r * per_replica + d]
        (sample / entry["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / entry["file"], sample / entry["file"])  # a manifest never points outside its folder
        picked.append(entry)
    with open(sample / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(picked)
    return {"root": str(root), "sample": str(sample), "docs": len(rows), "sample_docs": len(picked),
            "build_seconds": seconds}


def worker_cli(spec: dict) -> dict:
    """The researcher's loop on the command line: ``plantrace count`` in fresh processes.
    A cold run with a new store; the same with one alias edited; with a new concept whose
    alias needs clauses segmented; that edit again with the fast model load switched off
    (PLANTRACE_FAST_LOAD=0: what the edit cost before); a re-run with nothing changed.
    Each command's wall time, CPU (its own and its children's: rusage) and peak RSS."""
    import resource

    work = Path(spec["workdir"])
    store = work / "cli-store.duckdb"
    exe = str(Path(sys.executable).with_name("plantrace"))
    out: dict = {"chars": spec["chars"], "docs": spec["docs"]}
    steps = [("cold", spec["lexicon"], {}), ("edit", spec["lexicon_edited"], {}),
             ("edit_segmenting", spec["lexicon_edited3"], {}),
             ("edit_segmenting_full_model", spec["lexicon_edited4"], {"PLANTRACE_FAST_LOAD": "0"}),
             ("rerun", spec["lexicon_edited4"], {})]

    def clauses() -> tuple[int, int]:
        import duckdb

        if not store.exists():
            return 0, 0
        con = duckdb.connect(str(store), read_only=True)
        try:
            n, chars = con.execute("SELECT count(*), coalesce(sum(length(clause)), 0) FROM clauses").fetchone()
        finally:
            con.close()
        return int(n), int(chars)

    def child_env(extra: dict[str, str]) -> dict[str, str]:
        # A user's Python caches compiled modules (__pycache__) after the first command; a
        # machine with PYTHONDONTWRITEBYTECODE set (this one) would recompile plantrace's
        # modules in every command, 0.1-0.2 s no user pays.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        return {**env, **extra}

    def timed(cmd: list[str], env: dict[str, str]) -> tuple[dict, str]:
        """One command in a fresh process: wall, CPU (rusage of the child), peak RSS; stderr."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env(env))
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {err[-400:]}")
        return {"seconds": wall, "cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                "peak_rss_mb": usage.ru_maxrss / 1024}, err

    for name, lexicon, env in steps:
        clauses_before = clauses()
        timing, err = timed([exe, "--quiet", "--store", str(store), "count", *spec["corpus"], "-l", lexicon,
                             "--out", str(work / f"cli-{name}.csv"), "--force"], env)
        counts = (work / f"cli-{name}.csv").read_text(encoding="utf-8").count("\n") - 1
        clauses_after = clauses()
        out[name] = {**timing, "rows": counts, "stderr": err.strip()[-300:],
                     "clauses_segmented": clauses_after[0] - clauses_before[0],
                     "clause_chars_segmented": clauses_after[1] - clauses_before[1]}
    # The floor every command pays before any work: the interpreter, plantrace's imports
    # (pandas among them) and typer; the best of three, as the machine drifts.
    floor = [timed([exe, "--version"], {})[0] for _ in range(3)]
    out["floor"] = min(floor, key=lambda f: f["seconds"])
    return out


WORKERS = {"prepare": worker_prepare, "build": worker_build, "bodies": worker_bodies, "cli": worker_cli,
           "pkuseg": worker_pkuseg, "jieba": worker_jieba,
           "cntext": worker_cntext, "concepts": worker_concepts, "rerun": worker_rerun,
           "segment": worker_segment, "pool": worker_pool,
           "pkuseg_concurrent": worker_pkuseg_concurrent}


def worker_main(job: str, spec_path: str, out_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = WORKERS[job](spec)
    result["child_peak_rss_mb"] = _rss_mb()  # this process's own VmHWM, just before it exits
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class JobFailed(RuntimeError):
    pass


def run_worker(python: Path | str, job: str, spec: dict, work: Path, tag: str,
               timeout: float = 1800) -> dict:
    """Run one job in a fresh process; return its JSON plus wall time and peak RSS (wait4)."""
    spec_path, out_path = work / f"{tag}.spec.json", work / f"{tag}.out.json"
    log_path = work / f"{tag}.log"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    with open(log_path, "wb") as logf:
        start = time.perf_counter()
        proc = subprocess.Popen([str(python), str(Path(__file__).resolve()), "--worker", job,
                                 str(spec_path), str(out_path)], stdout=logf, stderr=logf,
                                cwd=REPO)
        # wait4 gives this child's own rusage: a peak RSS per job, not a running maximum.
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0 or not out_path.is_file():
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-8:]
        raise JobFailed(f"{job} exited {proc.returncode}: " + " | ".join(tail))
    result = json.loads(out_path.read_text(encoding="utf-8"))
    result["process_wall_seconds"] = wall
    # wait4's ru_maxrss covers the job and its reaped children, but Linux carries ru_maxrss
    # across exec, so it can never be below this driver's own size: kept only as a cross-check.
    # The figure used is the job process's own VmHWM, read just before it exits (worker_main),
    # unless the job reported its own peak (pool jobs: the largest of driver and workers).
    result["wait4_maxrss_mb"] = usage.ru_maxrss / 1024
    result.setdefault("peak_rss_mb", result.get("child_peak_rss_mb") or result["wait4_maxrss_mb"])
    return result


def ensure_venv(path: Path, packages: list[str], create: bool) -> tuple[Path | None, str]:
    """A benchmark virtualenv with ``packages``; (python, '') or (None, why not)."""
    python = path / "bin" / "python"
    stamp = path / ".installed"
    wanted = " ".join(packages)
    if python.exists() and stamp.is_file() and stamp.read_text().strip() == wanted:
        return python, ""
    if not create:
        return None, f"{path.name} absent (skipped with --quick; a full run creates it)"
    log(f"  creating {path.relative_to(REPO)} and installing {wanted} (once) …")
    base = getattr(sys, "_base_executable", sys.executable) or sys.executable
    install_log = path.parent / f"{path.name}.install.log"
    try:
        if not python.exists():
            subprocess.run([base, "-m", "venv", str(path)], check=True, capture_output=True)
        with open(install_log, "wb") as f:
            subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                            *packages], check=True, stdout=f, stderr=subprocess.STDOUT, timeout=1200)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        return None, f"install failed ({type(exc).__name__}; see {install_log.relative_to(REPO)})"
    stamp.write_text(wanted + "\n")
    return python, ""


def build_replicated_corpus(work: Path, replicas: int) -> Path:
    """The bundled corpora ``replicas`` times, identical copies, as one folder with its own
    manifest.csv (distinct_corpus.build_distinct_corpus with ``identical=True``)."""
    sys.path.insert(0, str(HERE))
    import distinct_corpus

    return distinct_corpus.build_distinct_corpus(work / f"corpus-{replicas}x", replicas, CORPORA, identical=True)


_UNSET = object()


def row(job: str, scale: str, res: dict | None, *, vs: str = "", baseline: dict | None = None,
        notes: str = "", seconds: float | None = None, cpu: float | None = None,
        rss: float | None = None, chars: int | None = None, status: str = "ok",
        ratio: object = _UNSET, target: str = "") -> dict:
    """One table row. ``ratio`` defaults to chars per CPU-second ÷ the baseline's; a row
    whose ratio means something else (pool and Dask rows) passes it, and ``vs`` says what."""
    out = {"job": job, "corpus": scale, "status": status, "notes": notes, "vs": vs, "target": target}
    if res is None:
        out.update(chars=None, seconds=None, cpu_seconds=None, chars_per_s=None, chars_per_cpu_s=None,
                   peak_rss_mb=None, ratio=None)
        return out
    chars = res["chars"] if chars is None else chars
    seconds = res["seconds"] if seconds is None else seconds
    cpu = res.get("cpu_seconds", seconds) if cpu is None else cpu
    rss = res["peak_rss_mb"] if rss is None else rss
    out.update(chars=chars, seconds=round(seconds, 3), cpu_seconds=round(cpu, 3),
               chars_per_s=round(chars / seconds) if seconds and chars is not None else None,
               chars_per_cpu_s=round(chars / cpu) if cpu and chars is not None else None, peak_rss_mb=round(rss, 1))
    if ratio is not _UNSET:
        out["ratio"] = round(ratio, 3) if isinstance(ratio, (int, float)) else None
    elif baseline and baseline.get("chars_per_cpu_s") and out["chars_per_cpu_s"]:
        out["ratio"] = round(out["chars_per_cpu_s"] / baseline["chars_per_cpu_s"], 3)
    else:
        out["ratio"] = None
    return out


#: Job groups for ``--only`` (comma-separated), in the order they run.
JOBS = {
    "pkuseg": "raw pkuseg cut(line): the segmentation baseline",
    "jieba": "jieba lcut(line)",
    "cntext": "cntext dictionary count: the concept-job baseline",
    "store": "cold + warm concept job with a new store, then the two re-runs from it",
    "nostore": "cold + warm concept job, store=False",
    "segment": "plantrace segment_document, serial",
    "concepts-pool": "cold concept job, store=False, on a local pool of --workers processes",
    "seg-pool": "full segmentation (segment_document over every body) on a local pool, cold and warm, "
                "and N raw pkuseg processes at once (the ceiling)",
    "dask": "the two pool jobs on a Dask LocalCluster of --workers workers (runs their local-pool rows too)",
    "cli": "plantrace count on the command line, fresh processes: cold, after a lexicon edit, re-run (1× only)",
}
TARGETS = {  # the targets, shown next to the rows they concern
    "cli": "≤ 1.5 s and ≥ 5× faster than cold",
    "cold": "≥ 2× (per core)", "warm": "≥ 10 M chars/s", "seg-pool": "≥ 0.90×", "dask": "≥ 0.87× (time ≤ 1.15×)",
}


def _dask_missing() -> str:
    """Why the Dask rows cannot run in this environment ('' when they can)."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None or importlib.util.find_spec("dask") is None:
        return "dask/distributed not installed in .venv (pip install -e '.[dask]')"
    return ""


def _pool_notes(res: dict) -> str:
    """What a pool or cluster run did: start-up, per-worker busy time, per-process peaks."""
    maps = res.get("maps") or []
    parts = []
    if res.get("runner") == "dask":
        parts.append(f"cluster start + pkuseg load on workers {res['runner_start_seconds']:.1f} s, "
                     f"job {res['job_seconds']:.1f} s, close {res['close_seconds']:.1f} s")
    elif res.get("warm_workers"):
        parts.append(f"{res['warm_workers']} workers spawned and pkuseg loaded before the clock "
                     f"({res['warm_up_seconds']:.1f} s, not timed, like raw pkuseg's model load; CPU seconds include it)")
    else:
        spawn = ", ".join(f"{m['first_task_after_s']:.1f}" for m in maps)
        loads = [x for x in res.get("worker_model_load_seconds", []) if x]
        parts.append(f"{len(maps)} pool(s) spawned inside the timed part (first task begins after {spawn} s; "
                     + (f"pkuseg load {'/'.join(f'{x:.1f}' for x in loads)} s per worker)" if loads
                        else "pkuseg loads in each worker's first task)"))
    if maps:
        parts.append("maps: " + ", ".join(f"{m['fn']} {m['tasks']} tasks {m['seconds']:.1f} s" for m in maps))
    if (res.get("execution") or {}).get("note"):
        parts.append(res["execution"]["note"])
    parts.append(f"{res.get('workers', 0)} workers busy "
                 + "/".join(f"{b:.0f}" for b in res.get("worker_busy_seconds", [])) + " s")
    parts.append(f"CPU incl. workers {res['cpu_seconds']:.1f} s")
    parts.append(f"peak RSS per process: driver {res['driver_peak_rss_mb']:.0f} MB, workers "
                 + "/".join(f"{m:.0f}" for m in res.get("worker_peak_rss_mb", [])) + " MB")
    return "; ".join(parts)


def cli_rows(prep: dict, work: Path, python: Path, corpus: list[str]) -> list[dict]:
    """The ``cli`` group's rows: the command-line loop on 1× (worker_cli)."""
    log("  1× plantrace count on the command line (cold, edits, re-run) …")
    # pkuseg's fast-load index exists before the clock, as after `make install` (once per machine).
    subprocess.run([str(python), "-c", "from plantrace.concepts.model_index import ensure_index; ensure_index()"],
                   check=True, capture_output=True)
    spec = {"workdir": str(work), "corpus": corpus, "chars": prep["body_chars"], "docs": prep["docs"],
            **{k: prep[k] for k in ("lexicon", "lexicon_edited", "lexicon_edited3", "lexicon_edited4")}}
    try:
        res = run_worker(python, "cli", spec, work, "cli")
    except JobFailed as exc:
        return [row("plantrace count (command line)", "1×", None, status=f"failed: {exc}")]
    cold = res["cold"] | {"chars": res["chars"]}
    rows = [row("plantrace count, cold (CLI, new store)", "1×", cold, vs="",
                notes=f"{cold['seconds']:.2f} s wall, {cold['cpu_seconds']:.2f} CPU-s with its workers; default "
                      f"--jobs; {cold['rows']} count rows; {cold['clauses_segmented']:,} clauses "
                      f"({cold['clause_chars_segmented']:,} characters) segmented")]
    labels = {"edit": f"… fresh process after a one-alias edit ({prep['edit']})",
              "edit_segmenting": "… fresh process after adding a concept (职业教育: clauses to segment)",
              "edit_segmenting_full_model": "… adding another (跨境电商) with the full model load (PLANTRACE_FAST_LOAD=0)",
              "rerun": "… fresh process, nothing changed"}
    for name, label in labels.items():
        r = res[name] | {"chars": res["chars"]}
        rows.append(row(label, "1×", r, vs="cold CLI run (wall)", ratio=cold["seconds"] / r["seconds"],
                        target=TARGETS["cli"] if name in ("edit", "edit_segmenting") else "",
                        notes=f"{r['seconds']:.2f} s wall, {r['cpu_seconds']:.2f} CPU-s; {r['rows']} count rows; "
                              f"{r['clauses_segmented']:,} clauses ({r['clause_chars_segmented']:,} characters) "
                              "segmented"))
    if "floor" in res:
        f = res["floor"] | {"chars": None}
        rows.append(row("… plantrace --version: the floor of every command (interpreter, imports, typer)", "1×", f,
                        vs="", notes=f"{f['seconds']:.2f} s wall, {f['cpu_seconds']:.2f} CPU-s, best of 3; "
                                     "what a command costs before it reads anything"))
    return rows


def run_scale(scale: str, corpus: list[str], bodies: list[str], prep: dict, work: Path,
              pythons: dict[str, Path | None], why: dict[str, str], cap: float, cap_plantrace: float,
              only: set[str], workers: int, cores: int, baselines: dict[str, dict],
              bodies_note: str = "", timeout: float = 1800) -> list[dict]:
    """The rows of one corpus scale. ``bodies``: the body texts the segmentation loops read
    (at N× a sample of variants, ``bodies_note`` says which); ``baselines``: rows of an
    earlier scale to compare with when this scale does not run a baseline (cntext at 50×),
    updated with this scale's."""
    rows: list[dict] = []
    base_spec = {"bodies": bodies}

    def attempt(label: str, python: Path | None, job: str, spec: dict, tag: str = "") -> dict | None:
        if python is None:
            return None
        log(f"  {scale:>3} {label} …")
        key = tag or job
        try:
            return run_worker(python, job, spec, work, f"{key}-{scale.replace('×', 'x')}", timeout=timeout)
        except JobFailed as exc:
            why[f"{key}-{scale}"] = str(exc)
            log(f"      failed: {exc}")
            return None

    def sampled(res: dict) -> str:
        out = f"sampled: {res['docs']}/{res['docs_total']} docs in {cap:.0f} s cap; " if res.get("sampled") else ""
        return out + bodies_note

    pk = pk_row = None
    if "pkuseg" in only:
        pk = attempt("raw pkuseg", pythons["project"], "pkuseg", {**base_spec, "cap": cap})
        pk_row = row("raw pkuseg cut(line)", scale, pk, vs="baseline",
                     notes=(sampled(pk) + f"model load {pk['model_load_seconds']:.1f} s not timed") if pk else why.get(f"pkuseg-{scale}", ""),
                     status="ok" if pk else "failed")
        rows.append(pk_row)
        if pk:
            baselines["pkuseg"] = pk_row

    if "jieba" in only:
        jb = attempt("jieba", pythons["jieba"], "jieba", {**base_spec, "cap": cap})
        rows.append(row("jieba lcut(line)", scale, jb, vs="raw pkuseg", baseline=pk_row,
                        notes=(sampled(jb) + f"jieba {jb['version']}; dict load {jb['model_load_seconds']:.1f} s not timed")
                        if jb else (why.get("jieba") or why.get(f"jieba-{scale}", "")),
                        status="ok" if jb else "not run"))

    ct = ct_row = None
    if "cntext" in only:
        ct = attempt("cntext", pythons["cntext"], "cntext",
                     {**base_spec, "cap": cap, "diction": prep["diction"]})
        ct_row = row("cntext dictionary count", scale, ct, vs="raw pkuseg", baseline=pk_row,
                     notes=(sampled(ct) + f"cntext {ct['version']} sentiment(); {prep['concepts']} concepts; "
                            f"{ct['mentions']} hits; import {ct['import_seconds']:.1f} s not timed")
                     if ct else ("not run: " + (why.get("cntext") or why.get(f"cntext-{scale}", "unknown"))),
                     status="ok" if ct else "not run")
        rows.append(ct_row)
        if ct:
            baselines["cntext"] = ct_row
    elif baselines.get("cntext"):
        ct, ct_row = baselines["cntext"], baselines["cntext"]  # an earlier scale's, named in vs

    def concept_rows(store: str | bool) -> dict | None:
        """Cold + warm job in one fresh process, with a new store or (False) none."""
        label = "" if store else ", no store"
        tag = "concepts" + ("-store" if store else "-nostore")
        cc = attempt(f"plantrace cold + warm concept job{label}", pythons["project"], "concepts",
                     {"corpus": corpus, "store": store, "lexicon": prep["lexicon"],
                      "lexicon_edited": prep["lexicon_edited"]}, tag=tag)
        if not cc:
            msg = why.get(f"{tag}-{scale}", "")
            rows.append(row(f"plantrace cold concept job{label}", scale, None, notes=msg, status="failed"))
            rows.append(row(f"plantrace warm job, 1 alias edited{label}", scale, None, notes=msg, status="failed"))
            return None
        cold, warm = cc["cold"], cc["warm"]
        ct_vs = "" if not ct else "cntext" if ct_row and ct_row["corpus"] == scale else f"cntext ({ct_row['corpus']})"
        cold_row = row(f"plantrace cold concept job{label}", scale, cc, seconds=cold["seconds"],
                       cpu=cold["cpu_seconds"], rss=cold["peak_rss_mb"], vs=ct_vs,
                       baseline=ct_row if ct else None, target=TARGETS["cold"],
                       notes=(("new empty store; " if store else "store=False; ")
                              + f"load_corpus {cold['load_corpus_seconds']:.1f} s + counts {cold['counts_seconds']:.1f} s "
                              f"(pkuseg load inside); {cc['docs']} docs; {cold['mentions']} mentions; "
                              f"{cold['clause_chars_segmented']} clause chars segmented; "
                              + (f"{cc['marker_chars']} of the chars are variant markers; " if cc.get("marker_chars") else "")
                              + f"runner {cold['runner']}; import {cc['import_seconds']:.1f} s not timed"
                              + (f"; peak RSS per process: driver {cold['driver_peak_rss_mb']:.0f} MB, helper "
                                 f"{cold['helper_peak_rss_mb']:.0f} MB (the judging: {cold['runner_note']})"
                                 if cold.get("helper_peak_rss_mb") else "")))
        cold_row["clause_chars_segmented"] = cold["clause_chars_segmented"]
        cold_row["mentions"] = cold["mentions"]
        rows.append(cold_row)
        rows.append(row(f"plantrace warm job, 1 alias edited{label}", scale, cc, seconds=warm["seconds"],
                        cpu=warm["cpu_seconds"], rss=warm["peak_rss_mb"], vs="cold job", baseline=cold_row,
                        target=TARGETS["warm"],
                        notes=(f"same process; {warm['clause_chars_segmented']} chars re-segmented; "
                               f"edit {prep['edit']}; RSS = whole process")))
        return cold_row

    if "store" in only:
        store = str(work / f"store-{scale.replace('×', 'x')}.duckdb")  # new and empty: a first run
        cold_row = concept_rows(store)
        rr = attempt("plantrace re-run from the store", pythons["project"], "rerun",
                     {"corpus": corpus, "store": store, "lexicon": prep["lexicon"],
                      "lexicon_edited": prep["lexicon_edited2"]}) if cold_row else None
        if rr:
            same, edited = rr["same"], rr["edited"]
            rows.append(row("plantrace re-run from store", scale, rr, seconds=same["seconds"],
                            cpu=same["cpu_seconds"], rss=same["peak_rss_mb"], vs="cold job", baseline=cold_row,
                            target=TARGETS["warm"],
                            notes=(f"fresh process, same lexicon; load_corpus {same['load_corpus_seconds']:.1f} s + "
                                   f"counts {same['counts_seconds']:.1f} s; {same['clause_chars_segmented']} chars "
                                   f"segmented; store {same['store_stats']}")))
            rows.append(row("plantrace re-run from store, 1 alias edited", scale, rr, seconds=edited["seconds"],
                            cpu=edited["cpu_seconds"], rss=edited["peak_rss_mb"], vs="cold job", baseline=cold_row,
                            target=TARGETS["warm"],
                            notes=(f"counts only, after the re-run's load; edit {prep['edit2']} (new to the store); "
                                   f"{edited['clause_chars_segmented']} chars segmented")))
        elif cold_row:
            for job in ("plantrace re-run from store", "plantrace re-run from store, 1 alias edited"):
                rows.append(row(job, scale, None, status="failed", notes=why.get(f"rerun-{scale}", "")))
    nostore_row = concept_rows(False) if "nostore" in only else None

    # --quick: time the very documents raw pkuseg did, serially and on the pools
    docs_limit = pk["docs"] if (cap_plantrace and pk and pk.get("sampled")) else 0
    sg = None
    if "segment" in only:
        seg_spec = {**base_spec, "cap": 0 if docs_limit else cap_plantrace, "docs_limit": docs_limit}
        sg = attempt("plantrace full segmentation", pythons["project"], "segment", seg_spec)
        if sg:
            cached = sg["chars"] - sg["chars_segmented"]
            note = sampled(sg)
            if docs_limit:
                note += f"the same {sg['docs']} docs as the raw pkuseg sample; "
            if cached > 0:
                note += f"{cached} of {sg['chars']} chars served from segment_document's per-text cache; "
            note += f"model load {sg['model_load_seconds']:.1f} s not timed"
            rows.append(row("plantrace segment_document", scale, sg, vs="raw pkuseg", baseline=pk_row, notes=note))
        else:
            rows.append(row("plantrace segment_document", scale, None, notes=why.get(f"segment-{scale}", ""),
                            status="failed"))

    # ---- parallel runner: local pool and Dask LocalCluster, same number of workers ----------
    n = workers
    dask_why = _dask_missing() if "dask" in only else ""
    pool_label = f"local pool (jobs={n})"
    dask_label = f"Dask LocalCluster ({n} workers)"

    def dask_row(job: str, local: dict | None, local_row: dict | None, spec: dict, tag: str) -> None:
        if dask_why:
            rows.append(row(job, scale, None, status="not run", notes=f"not run: {dask_why}", target=TARGETS["dask"]))
            return
        dk = attempt(job, pythons["project"], "pool", {**spec, "runner": "dask"}, tag=tag)
        if not dk:
            rows.append(row(job, scale, None, status="failed", notes=why.get(f"{tag}-{scale}", ""),
                            target=TARGETS["dask"]))
            return
        note = ""
        if local:
            note = (f"dask {dk['seconds']:.1f} s vs local pool {local['seconds']:.1f} s "
                    f"({(dk['seconds'] / local['seconds'] - 1) * 100:+.0f} % time; without the cluster's "
                    f"start and close {dk['job_seconds']:.1f} s, {(dk['job_seconds'] / local['seconds'] - 1) * 100:+.0f} %); ")
            for k in ("mentions", "tokens"):
                if k in dk and k in local:
                    note += f"{k} {'equal' if dk[k] == local[k] else 'DIFFER'} ({dk[k]}); "
        rows.append(row(job, scale, dk, vs="local pool, wall" if local_row else "",
                        ratio=(local["seconds"] / dk["seconds"]) if local else None,
                        target=TARGETS["dask"], notes=note + _pool_notes(dk)))

    if "concepts-pool" in only:
        job = f"plantrace cold concept job, no store, {pool_label}"
        spec = {"mode": "concepts", "corpus": corpus, "lexicon": prep["lexicon"], "workers": n}
        lp = attempt(job, pythons["project"], "pool", {**spec, "runner": "local"}, tag="concepts-pool")
        lp_row = None
        if lp:
            serial = nostore_row if nostore_row and nostore_row.get("seconds") else None
            note = f"store=False; load_corpus {lp['load_corpus_seconds']:.1f} s; {lp['mentions']} mentions; "
            if serial:
                note += f"serial no-store cold job {serial['seconds']:.1f} s; "
            lp_row = row(job, scale, lp, vs="cold job, no store, serial (wall)" if serial else "",
                         ratio=(serial["seconds"] / lp["seconds"]) if serial else None,
                         notes=note + _pool_notes(lp))
            rows.append(lp_row)
        else:
            rows.append(row(job, scale, None, status="failed", notes=why.get(f"concepts-pool-{scale}", "")))
        if "dask" in only:
            dask_row(f"plantrace cold concept job, no store, {dask_label}", lp, lp_row, spec, "concepts-dask")

    if "seg-pool" in only:
        spec = {**base_spec, "mode": "segment", "workers": n, "docs_limit": docs_limit}
        k = min(n, cores)
        base = pk_row.get("chars_per_cpu_s") if pk_row else None

        ceiling = None
        if base:
            job = f"raw pkuseg cut(line), {n} processes at once"
            pc = attempt(job, pythons["project"], "pkuseg_concurrent", {**spec, "cap": cap}, tag="pkuseg-concurrent")
            if pc:
                ceiling = (pc["chars"] / pc["seconds"]) / (k * base)
                rows.append(row(job, scale, pc, vs=f"{k} × raw pkuseg (wall)", ratio=ceiling,
                                notes=sampled(pc) + "each process alone "
                                + "/".join(f"{x / 1e3:.1f}" for x in pc["per_process_chars_per_s"])
                                + f" k chars/s while the other(s) run, against {base / 1e3:.1f} k for one process "
                                "alone; the ceiling of any pool of this size on this machine (models loaded "
                                "before the clock)"))
            else:
                rows.append(row(job, scale, None, status="failed", notes=why.get(f"pkuseg-concurrent-{scale}", "")))

        def seg_pool_row(job: str, warm: bool) -> tuple[dict | None, dict | None]:
            tag = "seg-pool-warm" if warm else "seg-pool"
            sp = attempt(job, pythons["project"], "pool", {**spec, "runner": "local", "warm": warm}, tag=tag)
            if not sp:
                rows.append(row(job, scale, None, status="failed", notes=why.get(f"{tag}-{scale}", ""),
                                target=TARGETS["seg-pool"] if warm else ""))
                return None, None
            note = bodies_note + (f"the same {sp['docs']} docs as the raw pkuseg sample; " if docs_limit else "")
            if ceiling:
                note += (f"{(sp['chars'] / sp['seconds']) / (k * base) / ceiling:.2f}× of {n} raw pkuseg "
                         "processes at once (the row above); ")
            if not warm:
                note += ("pool spawn and each worker's pkuseg load inside the time (raw pkuseg's load is "
                         "not timed: the target is judged on the warm row); ")
            if base:
                note += (f"{sp['chars'] / sp['seconds'] / 1e3:.0f} k chars/s ÷ ({k} × raw pkuseg "
                         f"{base / 1e3:.1f} k chars/CPU-s); ")
            cached = sp["chars"] - sp["document_chars_segmented"]
            note += f"{sp['document_chars_segmented']} chars segmented in the workers"
            note += f" ({cached} from caches); " if cached else "; "
            if sg and sg.get("docs") == sp["docs"]:
                note += f"tokens {'equal to' if sg['tokens'] == sp['tokens'] else 'DIFFER from'} the serial row; "
            ready = sp.get("worker_ready_seconds") or []
            mean_ready = sum(ready) / len(ready) if ready else 0.0
            if not warm and base and ready and sp["seconds"] > mean_ready:
                note += (f"start-up (spawn, import, pkuseg load) {'/'.join(f'{r:.1f}' for r in ready)} s per "
                         f"worker; without its mean ≈ {sp['chars'] / (sp['seconds'] - mean_ready) / (k * base):.2f}×; ")
            made = row(job, scale, sp, vs=f"{k} × raw pkuseg (wall)" if base else "",
                       ratio=(sp["chars"] / sp["seconds"]) / (k * base) if base else None,
                       target=TARGETS["seg-pool"] if warm else "", notes=note + _pool_notes(sp))
            rows.append(made)
            return sp, made

        sp, sp_row = seg_pool_row(f"plantrace full segmentation, {pool_label}", warm=False)
        seg_pool_row(f"plantrace full segmentation, {pool_label}, workers warm", warm=True)
        if "dask" in only:
            dask_row(f"plantrace full segmentation, {dask_label}", sp, sp_row, spec, "seg-dask")
    return rows


def fmt_rate(x: float | None) -> str:
    if not x:
        return "—"
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def print_table(rows: list[dict]) -> None:
    head = ["job", "corpus", "characters", "seconds", "chars/s", "chars/CPU-s", "peak RSS MB", "ratio", "vs",
            "target"]
    body = []
    for r in rows:
        body.append([
            r["job"], r["corpus"], f"{r['chars']:,}" if r["chars"] else "—",
            f"{r['seconds']:.2f}" if r["seconds"] is not None else "—",
            fmt_rate(r["chars_per_s"]), fmt_rate(r["chars_per_cpu_s"]),
            f"{r['peak_rss_mb']:.0f}" if r["peak_rss_mb"] is not None else "—",
            f"{r['ratio']:.2f}×" if r["ratio"] is not None else (r["status"] if r["status"] != "ok" else "—"),
            r["vs"] or "", r.get("target") or "",
        ])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    right = {2, 3, 4, 5, 6, 7}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    print(line(head))
    print("  ".join("-" * w for w in widths))
    for cells in body:
        print(line(cells))
    print()
    print("ratio = chars per CPU-second of the job / the same figure for the job in 'vs' (>1: faster), except:")
    print("  '(wall)' in vs: wall-clock chars/s against wall-clock chars/s, or against k × raw pkuseg's chars per")
    print("  CPU-second (k workers: what k cores would do with no overhead); 'local pool, wall': local pool's")
    print("  wall time / Dask's (>1: Dask faster; ≥ 0.87 means Dask's time is within 15 % of the pool's).")
    print("peak RSS = each process's own VmHWM; pool and Dask rows: the largest process (driver or one worker).")
    print("notes:")
    for r in rows:
        if r["notes"]:
            print(f"  {r['job']} ({r['corpus']}): {r['notes']}")


def _git_state() -> dict[str, object]:
    """The commit measured, and whether the working tree had local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "toolkit"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        return {"commit": head, "toolkit_modified": bool(dirty)}
    except OSError:
        return {}


def ensure_project_python() -> None:
    """Re-run under the project venv when this interpreter cannot import plantrace."""
    import importlib.util

    # find_spec, not import: this driver stays small (it imports neither numpy nor pkuseg).
    if importlib.util.find_spec("pkuseg") and importlib.util.find_spec("plantrace"):
        return
    # Compare prefixes, not resolved paths: a venv's python is a symlink to the base one.
    if PROJECT_PYTHON.exists() and Path(sys.prefix).resolve() != PROJECT_PYTHON.parent.parent.resolve():
        os.execv(str(PROJECT_PYTHON), [str(PROJECT_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.exit("plantrace is not importable and .venv/bin/python is missing: run `make install` first")


def run_one_scale(n: int, args: argparse.Namespace, prep: dict, work: Path, pythons: dict[str, Path | None],
                  why: dict[str, str], only: set[str], workers: int, cores: int, baselines: dict[str, dict],
                  scale_info: dict[str, dict]) -> list[dict]:
    """Rows of scale ``n``: 1× = the bundled corpora; N× = the distinct corpus, built here
    (not timed) and removed afterwards unless --keep."""
    scale = f"{n}×"
    if n == 1:
        cap = args.cap if args.cap is not None else 20.0
        return run_scale(scale, [str(REPO / c) for c in CORPORA], prep["bodies"], prep, work, pythons, why,
                         cap=cap if args.quick else 0, cap_plantrace=cap if args.quick else 0,
                         only=only, workers=workers, cores=cores, baselines=baselines)
    # The groups --only names run at every scale asked for; LEFT_OUT trims the default run.
    groups, left_out = (only, {}) if args.only else groups_at(n, only)
    if not groups:
        return [_not_run(g, scale, left_out[g]) for g in JOBS if g in left_out]
    log(f"  building the distinct {scale} corpus …")
    folder = work / f"corpus-{n}x"
    try:
        built = run_worker(pythons["project"], "build",
                           {"out": str(folder), "sample": str(work / f"sample-{n}x"), "scale": n},
                           work, f"build-{n}x", timeout=1800)
    except JobFailed as exc:
        why[f"build-{scale}"] = str(exc)
        log(f"      failed: {exc}")
        return [row(f"distinct {scale} corpus", scale, None, status="failed", notes=str(exc))]
    scale_info[scale] = {"docs": built["docs"], "variants": n - 1, "build_seconds": round(built["build_seconds"], 1)}
    cap = args.cap if args.cap is not None else 30.0
    bodies: list[str] = []
    note = ""
    if groups & {"pkuseg", "jieba", "cntext", "segment", "seg-pool"}:
        # Capped loops read a sample of variants (see worker_build); uncapped ones every body.
        source = built["root"] if cap == 0 else built["sample"]
        log(f"  exporting the {scale} bodies for the segmentation loops …")
        exported = run_worker(pythons["project"], "bodies",
                              {"corpus": [source], "out": str(work / f"bodies-{n}x")}, work, f"bodies-{n}x",
                              timeout=1800)
        bodies = exported["bodies"]
        note = ("every body of the distinct corpus; " if cap == 0 else
                f"the loop reads one variant of each of the {exported['docs']} bundled documents, from replicas "
                f"2-{n} in turn, {exported['marker_chars']} of their chars being markers; ")
    rows = run_scale(scale, [built["root"]], bodies, prep, work, pythons, why, cap=cap,
                     cap_plantrace=cap, only=groups, workers=workers, cores=cores, baselines=baselines,
                     bodies_note=note, timeout=1800 * max(1.0, n / 10))
    rows += [_not_run(g, scale, left_out[g]) for g in JOBS if g in left_out]
    if not args.keep:  # 50× is 7,000 files and a store of its own: free the disk for the next scale
        shutil.rmtree(folder, ignore_errors=True)
        for p in work.glob(f"store-{n}x.duckdb*"):
            p.unlink(missing_ok=True)
    return rows


def _not_run(group: str, scale: str, reason: str) -> dict:
    return row(JOBS[group], scale, None, status="not run", notes=f"not run at {scale}: {reason}")


def run_identical(copies: int, rows: list[dict], prep: dict, work: Path, pythons: dict[str, Path | None],
                  why: dict[str, str], keep: bool) -> list[dict]:
    """The no-store cold job on ``copies`` identical copies of the 1× files: only to show
    what the caches do (the old "10×"), next to the distinct corpus of the same size."""
    scale = f"{copies}× identical"
    log(f"  building {copies} identical copies …")
    root = build_replicated_corpus(work, copies)
    tag = f"concepts-identical-{copies}x"
    try:
        cc = run_worker(pythons["project"], "concepts", {"corpus": [str(root)], "store": False,
                                                         "lexicon": prep["lexicon"]},
                        work, tag, timeout=1800 * max(1.0, copies / 10))
    except JobFailed as exc:
        why[tag] = str(exc)
        return [row("plantrace cold concept job, no store", scale, None, status="failed", notes=str(exc))]
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    cold = cc["cold"]
    distinct = next((r for r in rows if r["job"] == "plantrace cold concept job, no store"
                     and r["corpus"] == f"{copies}×" and r.get("seconds")), None)
    note = (f"ONLY TO SHOW THE CACHE: {copies} copies of the same 1× files; store=False; "
            f"load_corpus {cold['load_corpus_seconds']:.1f} s + counts {cold['counts_seconds']:.1f} s; "
            f"{cold['mentions']} mentions; {cold['clause_chars_segmented']} clause chars segmented")
    if distinct:
        note += (f" against {distinct['clause_chars_segmented']} on the distinct {copies}× corpus (each clause "
                 f"string is segmented once per process, so the copies after the first cost no segmentation)")
    return [row("plantrace cold concept job, no store", scale, cc, seconds=cold["seconds"], cpu=cold["cpu_seconds"],
                rss=cold["peak_rss_mb"], vs=f"no-store cold job, distinct {copies}×" if distinct else "",
                baseline=distinct, notes=note)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="1× corpus only (unless --scales is given), every segmentation loop capped; "
                         "cntext only if its env exists")
    ap.add_argument("--scales", default=None,
                    help="comma-separated corpus scales (default " + ",".join(map(str, SCALES)) + "; 1 = the "
                         "bundled corpora, N > 1 = the distinct N× corpus of benchmarks/distinct_corpus.py; "
                         "; by default some groups are left out from 10× and 50× up, see benchmarks/README.md; "
                         "the groups --only names run at every scale)")
    ap.add_argument("--identical", type=int, default=IDENTICAL,
                    help=f"copies in the identical-copies corpus whose no-store cold job shows the caches "
                         f"(default {IDENTICAL}; 0 = none); run with the 'nostore' group, not with --quick")
    ap.add_argument("--cap", type=float, default=None,
                    help="seconds after which a capped loop stops between documents "
                         "(default: 30 for the baselines at N×, 20 with --quick; 0 = never, which at N× "
                         "also makes the segmentation loops read every N× body, not a sample)")
    ap.add_argument("--only", default="",
                    help="comma-separated job groups to run (default: all): " + ", ".join(JOBS)
                         + "; 'dask' also runs the two local-pool jobs it is compared with")
    ap.add_argument("--workers", type=int, default=None,
                    help="processes of the local pool and workers of the Dask LocalCluster (default: one per core)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work folder (its path is printed)")
    ap.add_argument("--out", type=Path, default=None,
                    help="JSON output (default results/latest.json; results/quick.json with --quick, "
                         "so a smoke check never replaces the full table; '-only' is added to the name "
                         "with --only)")
    args = ap.parse_args(argv)
    try:
        scales = sorted({int(x) for x in (args.scales or "").split(",") if x.strip()}) if args.scales else (
            [1] if args.quick else list(SCALES))
    except ValueError:
        ap.error(f"--scales takes whole numbers separated by commas, not {args.scales!r}")
    if not scales or scales[0] < 1:
        ap.error("--scales: every scale is at least 1")
    only = {j.strip() for j in args.only.split(",") if j.strip()} or set(JOBS)
    unknown = only - set(JOBS)
    if unknown:
        ap.error(f"unknown job group(s) {', '.join(sorted(unknown))}; choose from {', '.join(JOBS)}")
    if "dask" in only:
        only |= {"concepts-pool", "seg-pool"}
    partial = only != set(JOBS) or scales != ([1] if args.quick else list(SCALES))
    default_out = "quick" if args.quick else "latest"
    # A partial run never replaces the full table either.
    args.out = args.out or RESULTS / f"{default_out}{'-only' if partial else ''}.json"
    ensure_project_python()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = args.workers or cores

    started = time.perf_counter()
    scale_info: dict[str, dict] = {}
    work = Path(tempfile.mkdtemp(prefix="plantrace-bench-"))
    why: dict[str, str] = {}
    try:
        log(f"work folder {work}")
        pythons: dict[str, Path | None] = {"project": Path(sys.executable), "jieba": None, "cntext": None}
        if "jieba" in only:
            pythons["jieba"], why["jieba"] = ensure_venv(JIEBA_VENV, ["jieba"], create=True)
        if "cntext" in only:
            pythons["cntext"], why["cntext"] = ensure_venv(CNTEXT_VENV, CNTEXT_PACKAGES, create=not args.quick)
        log("  preparing bodies and lexicons …")
        prep = run_worker(pythons["project"], "prepare", {"workdir": str(work)}, work, "prepare")
        rows: list[dict] = []
        baselines: dict[str, dict] = {}
        identical = args.identical if "nostore" in only and not (args.quick and not args.scales) else 0
        for n in scales:
            rows += run_one_scale(n, args, prep, work, pythons, why, only, workers, cores, baselines, scale_info)
            if n == 1 and "cli" in only:  # the command-line loop runs on 1× only
                rows += cli_rows(prep, work, pythons["project"] or Path(sys.executable),
                                 [str(REPO / c) for c in CORPORA])
            if identical and n == max((s for s in scales if s <= identical), default=scales[-1]):
                rows += run_identical(identical, rows, prep, work, pythons, why, args.keep)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    total = time.perf_counter() - started
    print()
    print(f"plantrace benchmarks — 1×: {prep['docs']} documents (the {len(CORPORA)} bundled corpora), "
          f"{prep['body_chars']:,} body characters ({prep['raw_chars']:,} raw); "
          f"lexicon {prep['concepts']} concepts / {prep['aliases']} aliases")
    for scale, info in scale_info.items():
        print(f"  {scale}: {info['docs']:,} documents, distinct (the originals and {info['variants']} variants of "
              f"each, benchmarks/distinct_corpus.py; written in {info['build_seconds']:.0f} s, not timed)")
    print()
    print_table(rows)
    # Spawned jobs start with this process's ru_maxrss (Linux keeps it across exec); the table
    # uses each process's own VmHWM, so this only shows that run.py itself stays small.
    self_mb = _rss_mb()
    print(f"\nrun.py itself peaked at {self_mb:.0f} MB RSS; {workers} workers on {cores} cores"
          + (f"; only: {', '.join(j for j in JOBS if j in only)}" if partial else ""))
    print(f"total {total:.0f} s; written to {args.out}")

    versions = {}
    for mod in ("pkuseg", "pandas", "numpy", "ahocorasick"):
        try:
            from importlib.metadata import version

            versions[mod] = version({"ahocorasick": "pyahocorasick"}.get(mod, mod))
        except Exception:
            pass
    import plantrace

    report = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "python benchmarks/run.py" + (" --quick" if args.quick else "")
                   + (f" --scales {args.scales}" if args.scales else "")
                   + (f" --only {','.join(j for j in JOBS if j in only)}" if partial else "")
                   + (f" --workers {args.workers}" if args.workers else ""),
        "driver_peak_rss_mb": round(self_mb, 1), "workers": workers,
        "total_seconds": round(total, 1),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(), "processor": platform.processor(),
                    "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")},
        "plantrace_version": plantrace.__version__, "versions": versions, "git": _git_state(),
        "corpus": {k: prep[k] for k in ("docs", "body_chars", "raw_chars")} | {"corpora": CORPORA},
        "scales": {"run": [f"{n}×" for n in scales], **scale_info, "identical_copies": identical or None,
                   "left_out": [{"from": f"{n}×", "groups": list(g), "why": w} for n, g, w in LEFT_OUT]},
        "lexicon": {"concepts": prep["concepts"], "aliases": prep["aliases"],
                    "added_concepts": prep["added_concepts"], "edit": prep["edit"]},
        "characters": "len(body_text) of each document: normalised body zone, whitespace included",
        "ratio": ("chars per CPU-second of the job divided by that of the job named in 'vs'; where 'vs' "
                  "says '(wall)': wall-clock chars/s of the job divided by the wall-clock chars/s of that job, "
                  "or by k × its chars per CPU-second ('k × raw pkuseg'); 'local pool, wall': the local "
                  "pool's wall time divided by Dask's"),
        "peak_rss": "each process's own VmHWM (/proc/PID/status) just before it exits; pool and Dask rows: "
                    "the largest of the driver and each worker",
        "rows": rows,
        "problems": {k: v for k, v in why.items() if v},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        sys.exit(worker_main(*sys.argv[2:5]))
    sys.exit(main())
