"""Where the lazily loaded pkuseg model stops paying: ``segment.LAZY_CHARS``.

The lazy model (plantrace/concepts/model_index.py) opens in a fraction of a second but
looks features up clause by clause; the full model costs a 2.6 M-entry dict load once.
This prints both load times and both segmentation speeds on the clauses of bundled
documents, and the break-even number of characters:

    load_full / (1 / lazy_rate - 1 / full_rate)

Run: ``python benchmarks/lazy_model.py [CHARS]`` (default 40,000 characters of clauses).
Every figure comes from this one run; nothing is asserted.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FILES = ["corpora/gwr-national/texts/gwr_national_2023.txt", "corpora/gwr-provincial-2026/texts/gwr_2026_hubei.txt",
         "corpora/chengdu/tianfu_2022_development_plan_draft.txt"]


def clauses(limit: int) -> list[str]:
    out: list[str] = []
    total = 0
    for rel in FILES:
        for clause in re.split(r"[，。；：！？\n]", (REPO / rel).read_text(encoding="utf-8")):
            if clause.strip():
                out.append(clause)
                total += len(clause)
                if total >= limit:
                    return out
    return out


def main() -> int:
    import pkuseg

    from plantrace.concepts import model_index

    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    sample = clauses(limit)
    chars = sum(map(len, sample))
    t = time.perf_counter()
    full = pkuseg.pkuseg()
    load_full = time.perf_counter() - t
    if not model_index.index_ready():
        model_index.build_index_from_model(full)
    t = time.perf_counter()
    lazy = model_index.open_lazy_model()
    load_lazy = time.perf_counter() - t
    assert lazy is not None
    t = time.perf_counter()
    want = [full.cut(c) for c in sample]
    full_s = time.perf_counter() - t
    t = time.perf_counter()
    got = [lazy.cut(c) for c in sample]
    lazy_s = time.perf_counter() - t
    assert got == want, "the lazy model must give pkuseg's tokens"
    full_rate, lazy_rate = chars / full_s, chars / lazy_s
    extra = 1 / lazy_rate - 1 / full_rate
    print(f"clauses: {len(sample):,} ({chars:,} characters)")
    print(f"load: full {load_full:.2f} s, lazy {load_lazy:.2f} s")
    print(f"segment: full {full_rate:,.0f} chars/s, lazy {lazy_rate:,.0f} chars/s "
          f"({extra * 1e6:.0f} µs more per character)")
    print(f"break-even: {(load_full - load_lazy) / extra:,.0f} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
