"""Overlap resolution is linear and decides exactly what the former quadratic scan decided.

The former ``resolve_candidates`` compared every candidate with every span taken so
far (a 30 MB file took 234 s). The reference below is that code, kept verbatim, and
hypothesis checks that the new one returns the same candidates and reasons on any
set of spans, judged any way.
"""

from __future__ import annotations

from typing import Callable, Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from plantrace.concepts.match import Candidate, resolve_candidates


def reference_resolve(text: str, raw: Iterable[tuple[int, int, str, str]],
                      judge: Callable[[str, int, int], str | None]) -> list[Candidate]:
    ordered = sorted(raw, key=lambda c: (c[0], -(c[1] - c[0])))
    judged = [Candidate(cid, alias, s, e, judge(text, s, e)) for s, e, alias, cid in ordered]
    taken: list[Candidate] = []
    out: dict[int, Candidate] = {}
    order = sorted(range(len(judged)), key=lambda i: (-(judged[i].end - judged[i].start), judged[i].start))
    for i in order:
        c = judged[i]
        if not c.accepted:
            continue
        clash = next((t for t in taken if t.start < c.end and c.start < t.end), None)
        if clash is None:
            taken.append(c)
            out[i] = c
        else:
            out[i] = Candidate(c.concept_id, c.alias, c.start, c.end,
                               f"nested in {clash.alias} ({clash.concept_id})")
    for i, c in enumerate(judged):
        if i in out:
            continue
        clash = next((t for t in taken if t.start <= c.start and c.end <= t.end), None)
        out[i] = c if clash is None else Candidate(c.concept_id, c.alias, c.start, c.end,
                                                   f"nested in {clash.alias} ({clash.concept_id})")
    return [out[i] for i in range(len(judged))]


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from("abcde"),
                           st.booleans()), max_size=40)


@settings(max_examples=2000, deadline=None)
@given(spans)
def test_same_verdicts_as_the_quadratic_scan(items: list[tuple[int, int, str, bool]]) -> None:
    text = "公园城市" * 20
    raw = [(s, s + n, f"{cid}{s}:{n}", cid) for s, n, cid, _ in items]
    rejected = {(s, s + n) for s, n, _, bad in items if bad}

    def judge(_text: str, s: int, e: int) -> str | None:
        return "splits a word" if (s, e) in rejected else None

    assert resolve_candidates(text, raw, judge) == reference_resolve(text, raw, judge)


def test_a_rejected_candidate_inside_a_taken_one_is_nested() -> None:
    # 总部经济 rejected by the boundary rule inside an accepted 总部经济区 (a real
    # rejection of the Qingyang outline): reported as nested, which is what decided it.
    text = "建设总部经济区"
    raw = [(2, 7, "总部经济区", "hq_zone"), (2, 6, "总部经济", "hq")]
    out = resolve_candidates(text, raw, lambda t, s, e: "splits the word 经济区" if e == 6 else None)
    assert [(c.alias, c.reason) for c in out] == [("总部经济区", None), ("总部经济", "nested in 总部经济区 (hq_zone)")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="碳达峰中和城市", min_size=1, max_size=5), min_size=1, max_size=12, unique=True))
def test_nested_concepts_is_every_pair_of_aliases_one_inside_the_other(aliases: list[str]) -> None:
    """nested_concepts finds inner aliases with one automaton pass per alias; it must give
    what comparing every pair gives (the definition: a shorter alias of another concept
    occurring inside the alias, the owner's ancestors left out)."""
    from plantrace.concepts.lexicon import lexicon_from_mapping
    from plantrace.concepts.match import nested_concepts

    lex = lexicon_from_mapping({"concepts": [
        {"id": f"c{i}", "label": a, **({"parent": "c0"} if i % 3 == 1 else {})} for i, a in enumerate(aliases)]})
    index = lex.alias_index
    want = {}
    for alias, owner in index.items():
        skip = {owner, *lex.ancestors(owner)}
        inner = {cid for other, cid in index.items() if cid not in skip and len(other) < len(alias) and other in alias}
        if inner:
            want[alias] = tuple(sorted(inner))
    assert nested_concepts(lex) == want
