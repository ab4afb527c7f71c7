"""The cue words of target extraction, read from ``data/target_cues.yaml`` (a data file
with a header, like ``zones.yaml``): qualifiers and their commitment classes, compound
prefixes, and the regular expressions of the classification rules.

>>> CUES.prefix_qualifiers[:3]
('力争达到', '力争实现', '力争')
>>> bool(CUES.pattern("forecast").search("预计全年增长5%左右"))
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ...errors import PlantraceError
from ...resources import read_data_text

CUES_FILE = "target_cues.yaml"
PATTERN_NAMES = ("forecast", "lookback_start", "result_after", "this_year", "this_year_start", "target_clause",
                 "list_intro", "parent_attribution", "compliance_start", "reporting_end", "review_heading",
                 "plan_heading", "plan_period", "not_set")


@dataclass(frozen=True)
class TargetCues:
    prefix_qualifiers: tuple[str, ...]
    suffix_qualifiers: tuple[str, ...]
    qualifier_aliases: dict[str, str]
    qualifier_class: dict[str, str]
    qualifier_rank: dict[str, dict[str, int]]
    target_qualifiers: frozenset[str]
    compound_prefixes: tuple[str, ...]
    measures: tuple[str, ...]
    not_set_indicators: dict[str, re.Pattern[str]]
    patterns: dict[str, re.Pattern[str]] = field(repr=False)

    def pattern(self, name: str) -> re.Pattern[str]:
        return self.patterns[name]


def parse_cues(data: Any, source: str = CUES_FILE) -> TargetCues:
    """Validate and compile a cue mapping; every problem is listed at once."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise PlantraceError("target cue file is not a YAML mapping", file=source)
    lists = ("prefix_qualifiers", "suffix_qualifiers", "target_qualifiers", "compound_prefixes", "measures")
    for key in lists:
        if not isinstance(data.get(key), list) or not all(isinstance(x, str) for x in data[key]):
            problems.append(f"{key}: a list of words is required")
    for key in ("qualifier_aliases", "qualifier_class", "qualifier_rank", "patterns", "not_set_indicators"):
        if not isinstance(data.get(key), dict):
            problems.append(f"{key}: a mapping is required")
    compiled: dict[str, re.Pattern[str]] = {}
    for name in PATTERN_NAMES:
        text = (data.get("patterns") or {}).get(name) if isinstance(data.get("patterns"), dict) else None
        if not isinstance(text, str):
            problems.append(f"patterns.{name}: missing")
            continue
        try:
            compiled[name] = re.compile(text)
        except re.error as exc:
            problems.append(f"patterns.{name}: invalid regular expression ({exc})")
    not_set: dict[str, re.Pattern[str]] = {}
    for ind, text in (data.get("not_set_indicators") or {}).items() if isinstance(
            data.get("not_set_indicators"), dict) else ():
        try:
            not_set[str(ind)] = re.compile(str(text))
        except re.error as exc:
            problems.append(f"not_set_indicators.{ind}: invalid regular expression ({exc})")
    if problems:
        raise PlantraceError("; ".join(problems), file=source, hint="compare with the bundled data/target_cues.yaml")
    return TargetCues(
        prefix_qualifiers=tuple(data["prefix_qualifiers"]),
        suffix_qualifiers=tuple(data["suffix_qualifiers"]),
        qualifier_aliases=dict(data["qualifier_aliases"]),
        qualifier_class=dict(data["qualifier_class"]),
        qualifier_rank={k: dict(v) for k, v in data["qualifier_rank"].items()},
        target_qualifiers=frozenset(data["target_qualifiers"]),
        compound_prefixes=tuple(data["compound_prefixes"]),
        measures=tuple(data["measures"]),
        not_set_indicators=not_set,
        patterns=compiled,
    )


def load_cues() -> TargetCues:
    """The bundled cue words."""
    return parse_cues(yaml.safe_load(read_data_text(CUES_FILE)), source=f"plantrace/data/{CUES_FILE}")


CUES = load_cues()
