#!/usr/bin/env python3
"""A large benchmark corpus made of distinct text: the bundled corpora and variants of them.

    python benchmarks/distinct_corpus.py OUT --scale 10          # 1,400 documents in OUT/
    python benchmarks/distinct_corpus.py OUT --scale 3 --check   # and check it against 1×

Ten copies of the same files make a "10×" corpus that plantrace's caches (segmentations
per clause string, results per document hash) turn back into a 1× job. Here replica 1 is
the original files of the four bundled corpora (140 documents) and replicas 2..N are
variants of each raw file, built so that the concept job must do the work again:

* every clause that ends at a clause delimiter (，；。！？：, and ASCII ,;!?: unless after a
  digit, a Latin letter or a space) gets the replica's marker just before the delimiter:
  ``（b）`` for replica 2, ``（c）`` for replica 3, … (consonants only, ``（bb）`` after
  ``（z）``). So no marked clause string of one replica occurs in another, and no document
  hash repeats; inside one replica a clause repeats exactly where the original repeats it,
  so a variant costs what its original costs, not less and not more (but for the
  markers' characters, about 16 % of a variant's body, which the check reports);
* the sentences of each line (paragraph) after its first are re-ordered, seeded by the
  replica, the document and the line's text (a line said twice in a document is
  re-ordered the same way twice, so repeated-copy detection still sees the repeat).

What is kept, so zoning, normalisation and counting see the same document:

* the line structure: no line moves, none is split or joined; the first sentence of
  every line stays first, so headings (一、, （一）, 第…章, 1.) and the 各位代表 opening stay
  at the start of their line;
* what a zone rule matches (``data/zones.yaml``: the body opener 各位代表, front-matter and
  back-matter lines, a byline) is left untouched (see :func:`variant_text`), and so are clauses that end at a line
  break without a delimiter (headings, titles, and the lines a Wikisource transcription
  breaks inside a sentence, where a marker would land inside a word once the lines are
  rejoined) — those clauses repeat across replicas, which ``--check`` measures;
* whole sentences move (split after 。！？ outside brackets and quotes), so no clause and
  no concept mention is cut. The marker holds no digit (it cannot form a target figure)
  and no Han character (it cannot form an alias), normalisation keeps it, and pkuseg
  cuts it off cleanly: full-width parentheses were chosen by measurement. Over 1,500
  clauses of the bundled corpora holding 1,821 candidates, each with six codes appended,
  （x） changed no boundary verdict, while 〔x〕 changed 0.65 % (pkuseg glued 〔 to the
  word before it: 圈〔, 农田〔d) and 【x】 0.02 %.

Files are copied, not linked, into ``rNN/<corpus>/<file>``, with one ``manifest.csv``
whose doc_ids are ``rNN_<doc_id>``: a manifest lists a file only once and never points
outside its folder.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Iterable, Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: The 1× corpus: every bundled corpus (140 documents).
CORPORA = ("corpora/chengdu", "corpora/gwr-national", "corpora/gwr-provincial-2025",
           "corpora/gwr-provincial-2026")

# Clause delimiters of plantrace.concepts.intensity (CLAUSE_DELIMITERS) that a marker goes
# before; a line break ends a clause too but gets no marker (see the module docstring).
_FULL_DELIMS = "，；。！？："
_ASCII_DELIMS = ",;!?:"
_SENTENCE_END = "。！？"
# Consonants only ('v' is a vowel to the pinyin step, which reads it as ü).
_CODE_LETTERS = "bcdfghjklmnpqrstwxyz"
#: A marker in normalised text (the check strips them to compare lengths with the originals).
MARKER_RE = re.compile(f"（[{_CODE_LETTERS}]+）")
_OPEN = "“‘《（(「『【〔[〈"
_CLOSE = "”’》）)」』】〕]〉"


def replica_code(replica: int) -> str:
    """The letters of replica ``replica``'s marker: bijective base 20 over the consonants
    (2 → b, 21 → z, 22 → bb). No vowel, so no code is a pinyin syllable that the
    normaliser's pinyin-gloss step would strip (它(ta) → 它).

    >>> [replica_code(r) for r in (2, 3, 21, 22, 50)]
    ['b', 'c', 'z', 'bb', 'cl']
    """
    if replica < 2:
        raise ValueError("replica 1 is the original text: it has no marker")
    n, out = replica - 1, ""
    while n:
        n, rem = divmod(n - 1, len(_CODE_LETTERS))
        out = _CODE_LETTERS[rem] + out
    return out


def marker(replica: int) -> str:
    """The marker put before each clause delimiter of replica ``replica``: ``（b）`` for 2."""
    return f"（{replica_code(replica)}）"


def _protected_line_patterns() -> list[re.Pattern[str]]:
    """The zone rules' line patterns: a line one of them matches stays as it is."""
    from plantrace.structure.zones import default_zone_rules

    rules = default_zone_rules()
    pats = [p for p, _ in (*rules.body_start, *rules.front_lines, *rules.back_start)]
    return pats + ([rules.byline] if rules.byline is not None else [])


def split_sentences(line: str) -> list[str]:
    """A line cut after each 。！？ outside brackets and quotes (the pieces join back to it).

    >>> split_sentences("一、总体要求。他说：“好。很好。”再见！尾巴")
    ['一、总体要求。', '他说：“好。很好。”再见！', '尾巴']
    """
    out, depth, start = [], 0, 0
    for i, ch in enumerate(line):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END and depth == 0:
            j = i + 1
            while j < len(line) and line[j] in _SENTENCE_END:
                j += 1  # ！？ and 。。 stay with their sentence
            if i >= start:  # not a second 。 already taken with the first
                out.append(line[start:j])
                start = j
    if start < len(line):
        out.append(line[start:])
    return [s for s in out if s]


# Where a marker goes: before a full-width delimiter that ends a non-empty clause, and
# before an ASCII one that does not follow a digit, a Latin letter or a space (1,000 and
# 10:30 are figures, http:// a link); after a pinyin gloss it does: 標(biāo),描繪 → 標(biāo)（b）,描繪.
_MARK_AT = re.compile(
    f"(?<=[^{_FULL_DELIMS}{_ASCII_DELIMS}\n])(?=[{_FULL_DELIMS}])"
    rf"|(?<=[^0-9A-Za-z\s{_FULL_DELIMS}{re.escape(_ASCII_DELIMS)}])(?=[{re.escape(_ASCII_DELIMS)}])")


def _mark_clauses(text: str, mark: str) -> str:
    """``mark`` before every clause delimiter that ends a non-empty clause.

    >>> _mark_clauses("现在，我报告：增长5%,1,000元。http://x 標(biāo),描繪", "（b）")
    '现在（b），我报告（b）：增长5%（b）,1,000元（b）。http://x 標(biāo)（b）,描繪'
    """
    return _MARK_AT.sub(mark, text)


def _vary_line(line: str, mark: str, seed_key: str) -> str:
    """One line re-ordered (its first sentence stays first) and marked."""
    head, *rest = split_sentences(line)
    # Only sentences that end a sentence move: a tail without 。！？ stays last, or it
    # would be glued to the sentence placed after it (one clause made of two).
    last = rest[-1].rstrip() if rest else ""
    tail = rest[-1:] if rest and not (last and last[-1] in _SENTENCE_END) else []
    movable = rest[:len(rest) - len(tail)]
    if len(movable) > 1:
        random.Random(hashlib.sha256(seed_key.encode()).digest()).shuffle(movable)
    return _mark_clauses("".join([head, *movable, *tail]), mark)


def variant_text(raw: str, replica: int, doc_key: str) -> str:
    r"""Replica ``replica`` (≥ 2) of the raw text ``raw`` of document ``doc_key``.

    A line a zone rule matches keeps what the rule matched: when the match starts the
    line (各位代表！, 来源：) the rest of the line is varied, as a line of its own; a match
    elsewhere in the line (…》全文, 征求意见) leaves the whole line as it is.

    >>> variant_text("各位代表：甲，乙。丙。丁。戊。\n来源：日报", 2, "d")
    '各位代表：甲（b），乙（b）。丁（b）。戊（b）。丙（b）。\n来源：日报'
    """
    mark = marker(replica)
    protected = _protected_line_patterns()
    out = []
    for line in raw.split("\n"):
        body = line.strip()
        if not body:
            out.append(line)
            continue
        # Seeded by the line without whitespace, as repeated-copy detection compares
        # lines: a paragraph copied twice is re-ordered the same way twice.
        seed_key = f"{replica}\0{doc_key}\0{''.join(line.split())}"
        match = next((m for m in (p.search(body) for p in protected) if m), None)
        if match is None:
            out.append(_vary_line(line, mark, seed_key))
        elif match.start() == 0 and match.end() < len(body):
            cut = line.index(body) + match.end()
            out.append(line[:cut] + _vary_line(line[cut:], mark, seed_key))
        else:
            out.append(line)
    return "\n".join(out)


def _read_manifest(folder: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(folder / "manifest.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if any((v or "").strip() for v in r.values())]
        return list(reader.fieldnames or []), rows


def build_distinct_corpus(out: str | Path, scale: int, corpora: Sequence[str | Path] = CORPORA,
                          doc_ids: Iterable[str] | None = None, *, identical: bool = False) -> Path:
    """Write the ``scale``× corpus into ``out`` (created; must be empty or absent) and
    return it: ``out/manifest.csv`` plus ``rNN/<corpus>/<file>`` for replicas 1..scale.

    ``corpora``: corpus folders (relative ones are taken from the repository root);
    ``doc_ids``: only these documents of them (the unit test uses two or three);
    ``identical``: every replica a byte-for-byte copy of the original files (the
    benchmark's row that shows what the caches do with repeated text)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    root = Path(out)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    root.mkdir(parents=True, exist_ok=True)
    wanted = set(doc_ids) if doc_ids is not None else None
    header: list[str] = []
    sources: list[tuple[Path, list[dict[str, str]]]] = []
    for c in corpora:
        folder = Path(c) if Path(c).is_absolute() else REPO / c
        fields, rows = _read_manifest(folder)
        header += [h for h in fields if h not in header]
        sources.append((folder, [r for r in rows if wanted is None or r["doc_id"] in wanted]))
    width = max(2, len(str(scale)))
    entries: list[dict[str, str]] = []
    for r in range(1, scale + 1):
        tag = f"r{r:0{width}d}"
        for folder, rows in sources:
            for row in rows:
                rel = Path(tag) / folder.name / row["file"]
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                if identical:  # a manifest may list a file once: copies, not links
                    shutil.copyfile(folder / row["file"], root / rel)
                else:
                    raw = (folder / row["file"]).read_text(encoding="utf-8")
                    text = raw if r == 1 else variant_text(raw, r, row["doc_id"])
                    (root / rel).write_text(text, encoding="utf-8")
                entries.append({**row, "doc_id": f"{tag}_{row['doc_id']}", "file": rel.as_posix()})
    with open(root / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(entries)
    return root


def check_corpus(root: str | Path, lexicon: str | Path | None = None) -> dict[str, object]:
    """Load the corpus written by :func:`build_distinct_corpus` and compare each replica
    with replica 1 (the originals): documents, body characters, concept mentions, clause
    characters segmented by a cold count, and each variant's body length against its
    original's. Returns the figures (``problems`` lists what is out of line)."""
    import plantrace
    from plantrace.concepts import segment
    from plantrace.concepts.lexicon import load_lexicon
    from plantrace.measure.counts import corpus_counts
    from plantrace.resources import data_path

    corpus = plantrace.load_corpus(root, store=False)
    lex = load_lexicon(lexicon or data_path("planning_concepts.yaml"))
    replica = {d.doc_id: d.doc_id.split("_", 1)[0] for d in corpus.docs}
    first = min(replica.values())
    base = corpus.subset(doc_id=[d for d, r in replica.items() if r == first])
    # Cold: replica 1 alone, then everything in the same process, so the second count
    # segments only the clauses replica 1 did not have.
    before, known = segment.stats["clause_chars"], set(segment._clauses)
    corpus_counts(base, lex)
    clause_1 = segment.stats["clause_chars"] - before
    clauses_1 = len(segment._clauses) - len(known)
    counts = corpus_counts(corpus, lex)
    clause_all = segment.stats["clause_chars"] - before
    new = [c for c in segment._clauses if c not in known]
    bare = sum(len(MARKER_RE.sub("", c)) for c in new)  # clause characters without the markers
    mentions: dict[str, int] = {}
    for doc_id, n in zip(counts["doc_id"], counts["count_own"]):
        mentions[replica[doc_id]] = mentions.get(replica[doc_id], 0) + int(n)
    body: dict[str, int] = {}
    bare_body = 0
    for d in corpus.docs:
        body[replica[d.doc_id]] = body.get(replica[d.doc_id], 0) + len(d.body_text)
        bare_body += len(MARKER_RE.sub("", d.body_text))
    originals = {d.doc_id.split("_", 1)[1]: len(d.body_text) for d in base.docs}
    # A variant's body without its markers is its original's body re-ordered: same length.
    shortest = min(((len(MARKER_RE.sub("", d.body_text)) / originals[d.doc_id.split("_", 1)[1]], d.doc_id)
                    for d in corpus.docs if replica[d.doc_id] != first and originals[d.doc_id.split("_", 1)[1]]),
                   default=(1.0, ""))
    hashes = {d.doc_id: hashlib.sha256(d.body_text.encode()).hexdigest() for d in corpus.docs}
    n = len(body)
    problems = []
    if len(set(hashes.values())) != len(hashes):
        problems.append("some body texts are identical")
    if shortest[0] < 0.99:
        problems.append(f"body of {shortest[1]} (markers aside) is {shortest[0]:.0%} of its original's")
    m1 = mentions.get(first, 0)
    worst = max((abs(v - m1) / m1 for v in mentions.values()), default=0.0) if m1 else 0.0
    if worst > 0.01:
        problems.append(f"a replica's mentions differ from replica 1's by {worst:.1%}")
    return {
        "replicas": n, "docs": len(corpus.docs), "docs_per_replica": len(base.docs),
        "body_chars": sum(body.values()), "body_chars_replica_1": body[first],
        "body_chars_ratio": sum(body.values()) / body[first],
        "body_chars_without_markers": bare_body, "body_chars_without_markers_ratio": bare_body / body[first],
        "mentions": sum(mentions.values()), "mentions_replica_1": m1,
        "mentions_ratio": sum(mentions.values()) / m1 if m1 else None,
        "mentions_per_replica": mentions, "mentions_max_deviation": worst,
        "clause_chars_replica_1": clause_1, "clause_chars": clause_all,
        "clause_chars_ratio": clause_all / clause_1 if clause_1 else None,
        "clause_chars_without_markers": bare, "clause_chars_without_markers_ratio": bare / clause_1 if clause_1 else None,
        "clauses_replica_1": clauses_1, "clauses": len(new),
        "clauses_ratio": len(new) / clauses_1 if clauses_1 else None,
        "shortest_variant_body_without_markers_vs_original": round(shortest[0], 4), "shortest_variant": shortest[1],
        "distinct_body_hashes": len(set(hashes.values())), "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write (absent or empty)")
    ap.add_argument("--scale", type=int, default=10, help="replicas, the first being the originals (default 10)")
    ap.add_argument("--check", action="store_true",
                    help="then load it and compare every replica with the originals (a cold count: minutes at 10×)")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be at least 1")
    try:
        root = build_distinct_corpus(args.out, args.scale)
    except (FileExistsError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {root}/manifest.csv: {args.scale} replica(s)")
    if args.check:
        import json

        result = check_corpus(root)
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 1 if result["problems"] else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
