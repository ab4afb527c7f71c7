"""The codebook: every column of every exported file defined, plus provenance.

A paper cites the codebook; a test checks each exported file's columns against it,
so a column cannot be added without being defined.

>>> CODEBOOK["counts"]["rate_per_10k"]
'Mentions per 10,000 characters of normalised body text (whitespace excluded).'
"""

from __future__ import annotations

import json
from typing import Mapping, Sequence

from ..engine.collection import PAIR_KEYS, docvar_column

_META = {
    "file": "Path of the raw document relative to its corpus folder (manifest).",
    "title": "Document title (manifest).",
    "issuer": "Issuing body (manifest).",
    "level": "Level of government: national, provincial, city, prefecture, new_area, district, county, township or village (manifest; README 'Levels of government').",
    "region": "Region the document governs (manifest).",
    "parent_region": "Region one level up, whose document is this one's parent (manifest).",
    "year": "Year of the document (manifest).",
    "date": "Date of the document as given in the manifest (free text).",
    "doc_type": "Document type, e.g. government_work_report, plan_outline (manifest).",
    "script": "Script declared in the manifest: simplified, traditional, traditional-tw, traditional-hk or auto.",
}

_SPAN = {
    "start": "Start offset (characters) in the normalised text.",
    "end": "End offset (exclusive) in the normalised text.",
    "raw_start": "Start offset (characters) in the raw file as decoded: cite the original with raw[raw_start:raw_end].",
    "raw_end": "End offset (exclusive) in the raw file.",
    "sentence_id": "Id of the sentence (order within the document, 0-based) that holds the span.",
}

CODEBOOK: dict[str, dict[str, str]] = {
    "documents": {
        "doc_id": "Document id (manifest).", **_META,
        "corpus": "Name of the corpus folder the document comes from.",
        "encoding": "Encoding the raw file was read with (detected unless overridden).",
        "script_used": "Script the normaliser applied: traditional means OpenCC converted it to simplified.",
        "script_warning": "Empty, or why script_used differs from the declared script (a traditional text declared simplified is converted).",
        "rejoin_lines": "Whether wiki-link line breaks were rejoined (on/off, decided per document).",
        "raw_chars": "Characters in the raw file as decoded.",
        "chars": "Non-whitespace characters of normalised text, all zones.",
        "front_chars": "Non-whitespace characters of front matter (cover notes, contents, collector headers).",
        "body_chars": "Non-whitespace characters of the body: the denominator of every rate.",
        "back_chars": "Non-whitespace characters of back matter (licence footers, promotions, appendices).",
        "duplicate_chars": ("Non-whitespace characters of repeated copies (zone duplicate): the second and later "
                            "copies of the report in a crawled page, or of a block of at least 200 characters "
                            "over two lines (or one line of 400); counted nowhere, shown by clean --explain."),
        "headings": "Headings detected in the document.",
        "sentences": "Sentences in the body.",
    },
    "counts": {
        "doc_id": "Document id.",
        "concept_id": "Concept id from the lexicon.",
        "label": "Canonical Chinese label of the concept.",
        "category": "Concept category from the lexicon.",
        "count": "Body mentions of the concept, including mentions of its child concepts (roll-up).",
        "count_own": "Body mentions of the concept's own aliases only.",
        "rate_per_10k": "Mentions per 10,000 characters of normalised body text (whitespace excluded).",
        "body_chars": "Non-whitespace characters of the document's body: the denominator of rate_per_10k.",
        **_META,
    },
    "mentions": {
        "doc_id": "Document id.",
        "concept_id": "Concept whose alias matched (before roll-up).",
        "alias": "The alias found, as in the normalised text.",
        **_SPAN,
        "heading_path": "Headings above the sentence, outermost first, joined by ' > '.",
        "zone": "front, body or back; counts use the body only.",
        "in_heading": "True when the mention is in a heading line.",
        "contains": ("Other concepts whose alias this mention's alias contains, '|'-joined (碳达峰碳中和 "
                     "contains carbon_neutrality|carbon_peaking): not counted (longest match), but present "
                     "for added/dropped. Only lexicon aliases count: 千万工程 in 百千万工程 (no alias) is not."),
    },
    "rejected": {
        "doc_id": "Document id.",
        "concept_id": "Concept whose alias was found as a substring.",
        "alias": "The alias found.",
        **_SPAN,
        "heading_path": "Headings above the sentence, joined by ' > '.",
        "zone": "front, body or back.",
        "in_heading": "True when the candidate is in a heading line.",
        "reason": ("Why it is not a mention: it splits a real word (创新经济 → 新经济), it is nested in a longer alias, "
                   "or it is excluded by <expression>: inside an expression the lexicon's exclude: says is not "
                   "the concept (新经济 in 新经济体制)."),
    },
    "diff": {
        "comparison": "How the pair was chosen: level (parent → child) or year (earlier → later).",
        "doc_a": "Reference document A (the parent, or the earlier year).",
        "doc_b": "Compared document B.",
        "year_a": "Year of A (manifest).",
        "year_b": "Year of B (manifest).",
        "years_apart": "year_b - year_a; max_gap / --max-gap N leaves out pairs more than N years apart.",
        "gap_years": ("For a year pair (same issuer, region and doc_type): years between A and B without a "
                      "document (1988 → 1992: 3), so its changes are several years' change; 0 for level pairs."),
        "crosses_gap": "True when gap_years > 0 (flagged in the terminal and on the report page).",
        "level_a": "Level of A (national, provincial, city, new_area, district, county).",
        "level_b": "Level of B.",
        "doc_type_a": "Document type of A (manifest).",
        "doc_type_b": "Document type of B.",
        "region_a": "Region of A.",
        "region_b": "Region of B.",
        "concept_id": "Concept id.",
        "label": "Concept label.",
        "category": "Concept category.",
        "status": ("added (absent from A's body, even inside other concepts' aliases; present in B's), "
                   "dropped (the reverse), escalated, softened or steady: the rule is DiffRule, explained "
                   "with one example per status in README 'Diff statuses'."),
        "count_a": "Body mentions in A (with roll-up; longest match).",
        "count_b": "Body mentions in B (with roll-up; longest match).",
        "nested_a": ("Mentions in A of the concept said only inside another concept's alias (碳达峰 in "
                     "碳达峰碳中和): not in count_a, but they make the concept present and enter the rate test."),
        "nested_b": "The same for B.",
        "rate_a": "Mentions per 10k body characters in A.",
        "rate_b": "Mentions per 10k body characters in B.",
        "log2_ratio": "Log2 of rate_b / rate_a with 0.5 smoothing of zero counts (Hardie's log ratio).",
        "g2": "Signed log-likelihood G² of the rate change (Williams-corrected); positive when B is higher.",
        "p": "p-value of G² (chi-square, 1 df), on count + nested mentions.",
        "heading_a": ("Mentions of the concept in headings of A. Headings vote only when both documents have "
                      "≥ DiffRule.min_headings headings and at most max_heading_ratio × the other's."),
        "heading_b": "Mentions of the concept in headings of B.",
        "intensity_a": ("Strongest commitment grade (1-4, data/intensity.yaml) of a governing marker in A: the "
                        "strongest marker before the mention in its clause, outside any concept alias and any "
                        "《》 title. Shown, not voted: the rule compares means."),
        "intensity_b": "Strongest commitment grade in B.",
        "intensity_mean_a": "Mean grade of graded mentions in A (what the intensity vote compares).",
        "intensity_mean_b": "Mean grade of graded mentions in B.",
        "graded_a": "Mentions in A with a governing marker; intensity votes only with ≥ DiffRule.min_graded on both sides.",
        "graded_b": "Mentions in B with a governing marker.",
        "marker_a": "The marker (verb or adverb) behind intensity_a.",
        "marker_b": "The marker behind intensity_b.",
        "target_a": "An own numeric target stated in a sentence of A that mentions the concept.",
        "target_b": "An own numeric target stated in a sentence of B that mentions the concept.",
        "reasons": ("Why the status was given: every signal of the diff rule, counted or not (e.g. 'dropped "
                    "from headings, not compared: heading structures differ (61 vs 18 headings)')."),
        "evidence_a": "The deciding sentence of A (normalised text).",
        "evidence_b": "The deciding sentence of B (normalised text).",
        "evidence_a_sentence_id": "Sentence id of evidence_a (-1 when none).",
        "evidence_b_sentence_id": "Sentence id of evidence_b (-1 when none).",
        "evidence_a_raw_start": "Raw offset where evidence_a starts in A's file (-1 when none).",
        "evidence_a_raw_end": "Raw offset where evidence_a ends in A's file.",
        "evidence_b_raw_start": "Raw offset where evidence_b starts in B's file.",
        "evidence_b_raw_end": "Raw offset where evidence_b ends in B's file.",
    },
    "targets": {
        "doc_id": "Document id.",
        "region": "Region of the document.",
        "level": "Level of the document.",
        "year": "Year of the document.",
        "indicator_id": "Indicator id (lexicons/indicators.yaml), e.g. gdp_growth.",
        "indicator": "Surface form seen in the text, e.g. 地区生产总值增长.",
        "value": "The figure (low end of a range), in the indicator's unit.",
        "value_high": "High end of a range such as 5.0%—5.5%, else empty.",
        "unit": "Unit of the indicator.",
        "qualifier": "左右, 以上, 以内, 不低于, 达到, 力争 … (empty when none).",
        "kind": ("target (a plan: this year's, or a five-year plan's that has not ended), achievement "
                 "(a reported result), forecast (预计 …) or not_set: the report says it sets no target "
                 "for the indicator (我们没有提出全年经济增速具体目标, national 2020; value empty), "
                 "so a time series shows a declared gap, not a missing value."),
        "scope": ("own; parent_quote when the figure is attributed to a higher level (never in a "
                  "national report: 中央 there is the issuer); plan_period for a five-year average or "
                  "cumulative figure (年均, 平均每年, “十五”期间, 2005年与2000年相比), which is never the "
                  "year's target (target_period gives its years)."),
        "target_year": "Year the figure refers to, when the text or context gives it.",
        "sentence_id": _SPAN["sentence_id"],
        "start": _SPAN["start"],
        "end": _SPAN["end"],
        "text": "The figure expression in the normalised text.",
        "measure": ("For gdp_growth, the aggregate the surface form names: 国内生产总值, 地区生产总值, "
                    "生产总值, 国民生产总值 (national 1986-1993), 工农业总产值 (1956-1986), 国民收入; "
                    "empty when the text says only 经济增长 (the measure of the time is then implied). "
                    "One indicator with a measure column, not one indicator per measure, so the national "
                    "series 1956-2025 is one series; filter on measure to keep GDP proper."),
        "target_period": ("Years the figure covers: the target_year for an annual figure, the plan's "
                          "years (e.g. 2001-2005) for scope plan_period; empty when the text does not say."),
        "raw_start": _SPAN["raw_start"],
        "raw_end": _SPAN["raw_end"],
    },
    "target_comparison": {
        "doc_child": "Child document (e.g. a provincial report).",
        "doc_parent": ("Parent document: the parent region's report of the same year, or of the nearest "
                       "earlier year when the parent level has none (parent_year says which; the report's "
                       "note lists such documents)."),
        "region": "Region of the child.",
        "parent_year": "Year of doc_parent (the child's targets are compared with it even when earlier).",
        "years_apart": "Child's year minus parent_year (0 for a same-year parent).",
        "indicator_id": "Indicator id.",
        "year": "Year compared.",
        "value_parent": "Parent's own target.",
        "value_high_parent": "High end of the parent's range, if any.",
        "qualifier_parent": "Parent's qualifier.",
        "value_child": "Child's own target.",
        "value_high_child": "High end of the child's range, if any.",
        "qualifier_child": "Child's qualifier.",
        "status": "escalated (more ambitious value, or same value with a stronger qualifier), equal, lowered, or incomparable.",
        "reason": "Human-readable explanation of the status.",
    },
    "target_previous": {
        "doc_child": "The later document.",
        "doc_parent": "The same issuer's previous document (same region and doc_type, latest earlier year).",
        "region": "Region of both documents.",
        "parent_year": "Year of the previous document.",
        "years_apart": "Years between the two documents (1 for successive annual reports).",
        "indicator_id": "Indicator id.",
        "year": "Year of the later document (its targets' year).",
        "value_parent": "Previous document's own target.",
        "value_high_parent": "High end of the previous document's range, if any.",
        "qualifier_parent": "Previous document's qualifier.",
        "value_child": "Later document's own target.",
        "value_high_child": "High end of the later document's range, if any.",
        "qualifier_child": "Later document's qualifier.",
        "status": ("escalated (more ambitious than the previous year's target), equal or lowered, by the "
                   "rule of target_comparison; amounts compare too (same jurisdiction)."),
        "reason": "Human-readable explanation of the status.",
    },
    "alignment": {
        "doc_a": "Reference document.",
        "doc_b": "Compared document.",
        "b_index": "Index of B's body sentence (empty for a removed A sentence).",
        "a_index": "Index of the best-matching A body sentence (empty when none).",
        "score": "rapidfuzz ratio (0-100) of the two sentences without punctuation.",
        "status": "copied (≥90), rewritten (60-90), new, removed (an A sentence no B sentence matched) or trivial (too short).",
        "text_a": "A's sentence.",
        "text_b": "B's sentence.",
        "sentence_id_a": "Sentence id in A.",
        "sentence_id_b": "Sentence id in B.",
    },
    "formulations": {
        "doc_id": "Document id.",
        "formulation": "The formulation (提法) as in the normalised body text: a quoted span, a numbered formula or a compound ending in a head word.",
        "kind": "quoted (in “…”), numbered (两个确立, 一核四区, 人工智能+) or compound (pkuseg tokens ending in a head word of data/formulation_heads.txt); the first of these when found as several.",
        "kinds": "Every kind the formulation was found as, joined by |.",
        "count": "Occurrences of the formulation's text in the body on pkuseg word boundaries (quoted or not).",
        "first_sentence": "The body sentence of its first occurrence (normalised text).",
        "first_sentence_id": "Sentence id of first_sentence (-1 when none).",
        "first_start": "Start offset of the first occurrence in the normalised text.",
        "first_raw_start": "Raw offset where the first occurrence starts: cite it with raw[first_raw_start:first_raw_end].",
        "first_raw_end": "Raw offset where the first occurrence ends (exclusive).",
        "concept_id": "Lexicon concept of the formulation, empty when the lexicon lacks it.",
        "concept_rule": "alias_equals (a lexicon alias is the formulation) or alias_contained (the longest alias inside it); empty when none.",
        "year": "Year of the document (manifest).",
        "level": "Level of government of the document (manifest).",
        "doc_type": "Document type (manifest).",
    },
    "formulation_changes": {
        "comparison": "How the pair was chosen: level (parent → child) or year (earlier → later).",
        "formulation": "The formulation (of A or of B), normalised text.",
        "kind": "quoted, numbered or compound (B's kind when both documents have it).",
        "status": "new (in B's body, not in A's), kept (in both) or dropped (in A's, not in B's).",
        "count_a": "Occurrences in A's body on word boundaries.",
        "count_b": "Occurrences in B's body on word boundaries.",
        "g2": "Signed log-likelihood G² of B's rate against A's (body characters, whitespace excluded); positive when B is higher. New formulations are ranked by it.",
        "log_ratio": "Log2 of B's rate over A's with 0.5 smoothing of zero counts (Hardie's log ratio).",
        "taken_up_from_parent": "For a new formulation: True when it occurs in the body of B's parent document (column parent); empty when B has no parent or the formulation is not new.",
        "concept_id": "Lexicon concept of the formulation, empty when the lexicon lacks it.",
        "doc_a": "Reference document A (the parent, or the earlier year).",
        "doc_b": "Compared document B.",
        "parent": "B's parent document (the parent region's document of the same or nearest earlier year), empty when none.",
        "evidence_doc": "Document the evidence is quoted from: B, or A for a dropped formulation.",
        "evidence_sentence": "The first sentence of evidence_doc holding the formulation (normalised text).",
        "evidence_start": "Offset of the formulation in evidence_doc's normalised text.",
        "evidence_raw_start": "Raw offset where the formulation starts in evidence_doc's file.",
        "evidence_raw_end": "Raw offset where the formulation ends in evidence_doc's file (exclusive).",
    },
}


#: Tables that carry the researcher's own manifest columns (docvars) as their last columns.
DOCVAR_TABLES = ("documents", "counts", "mentions", "rejected", "targets", "formulations")
DOCVAR_DEFINITION = ("Manifest column {name!r}, passed through unchanged as a document variable "
                     "(a column of the researcher's manifest that plantrace does not interpret).")
#: Pair tables: the docvars of both documents, with these suffixes (see add_pair_docvars).
DOCVAR_PAIR_TABLES = {"diff": "ab", "alignment": "ab", "formulation_changes": "ab",
                      "target_comparison": "child_parent", "target_previous": "child_parent"}
DOCVAR_PAIR_DEFINITION = ("Manifest column {name!r} of the document in {key}, passed through unchanged as a "
                          "document variable.")


def table_columns(table: str, docvars: Sequence[str] = ()) -> dict[str, str]:
    """Every column of an exported table with its definition: CODEBOOK's, then the
    docvars (named as :func:`~plantrace.engine.collection.docvar_column` names them).

    >>> list(table_columns("counts", ["leader"]))[-2:]
    ['script', 'leader']
    >>> table_columns("counts", ["label"])["docvar_label"][:24]
    "Manifest column 'label',"
    """
    columns = dict(CODEBOOK[table])
    if table in DOCVAR_TABLES:
        taken = list(columns)
        for name in docvars:
            columns[docvar_column(name, taken)] = DOCVAR_DEFINITION.format(name=name)
    elif table in DOCVAR_PAIR_TABLES:
        for key, suffix in PAIR_KEYS[DOCVAR_PAIR_TABLES[table]]:
            taken = list(columns)  # as add_pair_docvars: the second side sees the first's columns
            for name in docvars:
                columns[docvar_column(name + suffix, taken)] = DOCVAR_PAIR_DEFINITION.format(name=name, key=key)
    return columns


def codebook_markdown(provenance: Mapping[str, object], files: Mapping[str, str],
                      docvars: Sequence[str] = ()) -> str:
    """The codebook as Markdown: provenance first, then one table per file."""
    lines = ["# Codebook", "", "## Provenance", "", "```json",
             json.dumps(provenance, ensure_ascii=False, indent=2, default=str), "```", ""]
    notes = provenance.get("notes") or []
    if isinstance(notes, list) and notes:
        lines += ["## Notes", ""] + [f"* {n}" for n in notes] + [""]
    for table, filename in files.items():
        lines += [f"## {filename}", "", "| column | definition |", "|---|---|"]
        for col, definition in table_columns(table, docvars).items():
            lines.append(f"| `{col}` | {definition} |")
        lines.append("")
    return "\n".join(lines)


def codebook_json(provenance: Mapping[str, object], files: Mapping[str, str],
                  docvars: Sequence[str] = ()) -> str:
    return json.dumps({"provenance": provenance, "docvars": list(docvars),
                       "files": {filename: table_columns(table, docvars) for table, filename in files.items()}},
                      ensure_ascii=False, indent=2, default=str)
