"""Fuzzing the normaliser and the matcher with hypothesis (marked ``fuzz``; CI runs it).

At least 10,000 generated cases each: the normaliser never raises, is idempotent and
keeps valid offsets; an alias of the bundled lexicon inserted between two punctuation
marks in noisy text is always found.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plantrace.concepts.lexicon import default_lexicon
from plantrace.concepts.match import Matcher
from plantrace.text.normalise import NormaliserConfig, normalise_mapped, normalise_text

pytestmark = pytest.mark.fuzz

EXAMPLES = 10_000

# Noise the corpora carry, plus arbitrary Unicode: scraped text can hold anything.
PIECES = st.sampled_from([
    "公园城市", "國家", "發展", "(guó)", "（huì）", "(TOD)", "(2021—2025年)", "**", "· ", "u", "\u3000", "\u200b",
    "\ufeff", "\r\n", "\n", "\n\n", " ", "１９９２", "1 9 9 3 年", "８ ．８ ％", "《", "》", "“", "”", "，", "。",
    "；", "…", "—", "党的十八届六中全会\n正式明确\n", "各位代表：", "......- 2 -", "\t", "\x00", "\x7f",
])
NOISY = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=40).map("".join)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(NOISY, st.sampled_from(["auto", "simplified", "traditional"]), st.sampled_from(["auto", "on", "off"]))
def test_normaliser_never_raises_is_idempotent_and_keeps_offsets(text: str, script: str, rejoin: str) -> None:
    cfg = NormaliserConfig(script=script, rejoin_lines=rejoin)  # type: ignore[arg-type]
    mapped, resolved, _reports = normalise_mapped(text, cfg, explain=True)
    out = mapped.text
    assert len(mapped.starts) == len(out) == len(mapped.ends)
    assert all(0 <= s < e <= len(text) for s, e in zip(mapped.starts.tolist(), mapped.ends.tolist()))
    assert mapped.starts.tolist() == sorted(mapped.starts.tolist())
    fixed = NormaliserConfig(script=resolved.script, rejoin_lines="off")
    assert normalise_text(out, fixed) == normalise_text(normalise_text(out, fixed), fixed)


_LEX = default_lexicon()
_ALIASES = sorted(_LEX.alias_index)
_MATCHER = Matcher(_LEX)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(NOISY, st.sampled_from(_ALIASES), NOISY, st.sampled_from(["，", "。", "；", "：", "\n"]),
       st.sampled_from(["，", "。", "；", "！", "\n"]))
def test_alias_between_punctuation_is_always_found(before: str, alias: str, after: str, left: str, right: str) -> None:
    # remove_page_furniture is off as it is for every .txt/.docx document (declared_config):
    # in the PDF layout it reads, a single newline is a line wrap, not a boundary.
    cfg = NormaliserConfig(script="simplified", rejoin_lines="off", remove_page_furniture=False)
    text = normalise_text(before + left + alias + right + after, cfg)
    # Where the alias sits in the normalised text: between its punctuation marks.
    anchor = normalise_text(left + alias + right, cfg)
    start = text.rfind(anchor) + len(normalise_text(left, cfg)) if anchor.strip() else -1
    found = [c for c in _MATCHER.candidates_in(text) if c.accepted]
    assert any(c.alias == alias for c in found), (text, alias, start)
