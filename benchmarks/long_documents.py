"""Count time against document length: one document of N characters of distinct planning prose.

Issue 16 item 2 asks that 4x the text cost at most ~4.5x the time. The document is built
from the bundled national and provincial reports' sentences in a seeded random order, with
a unique marker in every clause (so the clause-level segmentation cache cannot make a long
document cheap), without lines the zone rules would take for front or back matter.
Run: ``python benchmarks/long_documents.py 1000000 4000000`` (CPU seconds, one process).
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from pathlib import Path

import plantrace
from plantrace.concepts.segment import segment_clause
from plantrace.structure.zones import default_zone_rules

ROOT = Path(__file__).resolve().parents[1]


def _sentences() -> list[str]:
    rules = default_zone_rules()
    skip = [p for p, _ in rules.back_start] + [p for p, _ in rules.front_lines] + [p for p, _ in rules.body_start]
    out = []
    for folder in ("gwr-national", "gwr-provincial-2025"):
        for path in sorted((ROOT / "corpora" / folder / "texts").glob("*.txt")):
            for s in re.split(r"(?<=[。；！？])", path.read_text(encoding="utf-8")):
                s = s.strip()
                if len(s) > 8 and "\n" not in s and not any(p.search(s) for p in skip):
                    out.append(s)
    return out


def build(n: int, seed: int, sentences: list[str]) -> str:
    rnd, parts, size, k = random.Random(seed), [], 0, 0
    while size < n:
        k += 1
        # A marker in every clause: no two clauses of the document are the same text.
        mark = f"第{k}条"
        s = mark + re.sub(r"([，；])", r"\1" + mark, rnd.choice(sentences))
        parts.append(s + ("\n" if k % 10 == 0 else ""))
        size += len(parts[-1])
    return "".join(parts)


def main(sizes: list[int]) -> None:
    sentences = _sentences()
    segment_clause("推动成渝地区双城经济圈建设")  # load pkuseg before the clock, as for raw pkuseg's row
    first: float | None = None
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            (d / "doc.txt").write_text(build(n, 7, sentences), encoding="utf-8")
            (d / "manifest.csv").write_text("doc_id,file,level,region,year\nd,doc.txt,city,成都市,2021\n",
                                            encoding="utf-8")
            t0 = time.process_time()
            corpus = plantrace.load_corpus(d, store=False, jobs=1)
            t1 = time.process_time()
            counts = corpus.counts()
            t2 = time.process_time()
            doc = corpus["d"]
            first = first or (t2 - t0) / n
            print(f"{n:>10,} chars (body {doc.body_chars:,}): load {t1 - t0:6.1f} CPU-s, "
                  f"count {t2 - t1:6.1f} CPU-s, mentions {int(counts['count_own'].sum()):,}; "
                  f"time per char {(t2 - t0) / n / first:.2f}x the first size's", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000_000, 4_000_000])
