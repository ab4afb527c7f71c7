"""Concept lexicons: data files with a header, checked on load, hashed for provenance.

A lexicon is YAML (``name, version, language, source, license`` and ``concepts:``
entries ``{id, label, category, aliases, parent, note, source, exclude}``) or, for quick
work, a two-column CSV ``concept,alias`` (with an optional third column ``exclude``).
Aliases pass through the same normaliser as documents, so a traditional alias matches
simplified text.

``exclude`` says what a concept is not: longer expressions inside which an alias is no
mention (新经济 inside 新经济体制). It is a list, whose expressions apply to every alias of
the concept they contain, or, where one alias needs its own, a mapping alias → list.
Each expression must contain an alias of its concept (the alias named, in the mapping
form) and be longer than it; a candidate inside one is rejected with the reason
``excluded by <expression>``. In a CSV the ``exclude`` cell holds the row's alias's
expressions, separated by ``|``.

Nothing in a lexicon is dropped or turned into something else silently: YAML is read
with :func:`plantrace.yamlsafe.load_yaml` (a key written twice at any depth, and any
anchor/alias, is an error with its line); ``id``, ``label``, ``category``, ``parent``,
``note`` and ``source`` must be strings, ``aliases`` a list of strings (or one string),
and a misspelt key (``alias:``) is an error. A CSV is decoded like a corpus text (UTF-8,
or GB18030/GBK as Excel saves it on Chinese Windows, with or without a BOM); a row with
more cells than the header is an error.

>>> lex = lexicon_from_mapping({"name": "demo", "concepts": [
...     {"id": "park_city", "label": "公园城市", "aliases": ["公园城市", "公園城市"]}]})
>>> lex.concepts["park_city"].aliases
('公园城市',)
>>> lex = lexicon_from_mapping({"name": "demo", "concepts": [
...     {"id": "new_economy", "label": "新经济", "exclude": ["新经济体制", "新经济政策"]},
...     {"id": "jingjinji", "label": "京津冀协同发展", "aliases": ["京津冀"],
...      "exclude": {"京津冀": ["京津冀及周边"]}}]})
>>> lex.exclusions
{'新经济': ('新经济体制', '新经济政策'), '京津冀': ('京津冀及周边',)}
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import PlantraceError, Problem, ValidationError
from ..ingest.read import decode_text
from ..resources import data_dir
from ..text.normalise import NormaliserConfig, normalise_text
from ..yamlsafe import load_yaml

LEXICON_DIR = data_dir()  # the bundled lexicons: plantrace/data/ (importlib.resources)
DEFAULT_LEXICONS = ("planning_concepts.yaml",)
HEADER_FIELDS = ("name", "version", "language", "source", "license")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
# Aliases are normalised like document text; script 'auto' converts an alias only when
# it is written in traditional characters.
_ALIAS_CONFIG = NormaliserConfig(script="auto", rejoin_lines="off")


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    category: str
    aliases: tuple[str, ...]
    parent: str | None = None
    note: str = ""
    source: str = ""
    line: int | None = None
    #: (alias, expression): the alias inside the expression is not a mention
    exclude: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Concepts by id, the alias index, and the file's sha256."""

    name: str
    concepts: dict[str, Concept]
    path: str = "<memory>"
    sha256: str = ""
    header: dict[str, str] = field(default_factory=dict)

    @property
    def alias_index(self) -> dict[str, str]:
        return {a: c.id for c in self.concepts.values() for a in c.aliases}

    @property
    def exclusions(self) -> dict[str, tuple[str, ...]]:
        """Alias → the expressions inside which it is not a mention (``exclude:``)."""
        out: dict[str, tuple[str, ...]] = {}
        for c in self.concepts.values():
            for alias, expr in c.exclude:
                if expr not in out.get(alias, ()):
                    out[alias] = out.get(alias, ()) + (expr,)
        return out

    def ancestors(self, concept_id: str) -> list[str]:
        """Parent, grandparent, … of a concept (validated acyclic on load)."""
        out: list[str] = []
        parent = self.concepts[concept_id].parent
        while parent:
            out.append(parent)
            parent = self.concepts[parent].parent
        return out

    def descendants(self, concept_id: str) -> list[str]:
        return [c for c in self.concepts if concept_id in self.ancestors(c)]

    def resolve(self, key: str) -> str | None:
        """A concept id from an id, a label or an alias (None when unknown)."""
        if key in self.concepts:
            return key
        norm = normalise_alias(key)
        for c in self.concepts.values():
            if c.label == key or norm in c.aliases:
                return c.id
        return None

    def to_frame(self):  # type: ignore[no-untyped-def]
        import pandas as pd

        return pd.DataFrame([
            {"concept_id": c.id, "label": c.label, "category": c.category, "parent": c.parent,
             "aliases": "|".join(c.aliases), "note": c.note, "source": c.source,
             "exclude": "|".join(e for _a, e in c.exclude)}
            for c in self.concepts.values()
        ])


@lru_cache(maxsize=65536)
def normalise_alias(alias: str) -> str:
    """An alias as it will appear in normalised text.

    >>> normalise_alias("成渝地區雙城經濟圈"), normalise_alias("人工智能＋")
    ('成渝地区双城经济圈', '人工智能+')
    """
    # Cached: a lexicon reloaded after an edit normalises its unchanged aliases again,
    # through the whole normaliser (about 0.1 ms each, 0.04 s for the bundled lexicon).
    return normalise_text(alias.strip(), _ALIAS_CONFIG).strip()


#: The keys of a concept entry; ``label_is_alias`` is set by the CSV reader only.
CONCEPT_KEYS = ("id", "label", "category", "aliases", "parent", "note", "source", "exclude")
_STRING_KEYS = ("id", "label", "category", "parent", "note", "source")
_INTERNAL_KEYS = ("__line__", "label_is_alias")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _wrong_types(entry: Mapping[str, Any], name: str, line: int | None) -> list[Problem]:
    """A value of the wrong type would be turned into a string that never matches (an
    alias ``{'zh': …}``) or quietly change (``1.10`` → ``1.1``): each is a problem."""
    import difflib

    out: list[Problem] = []
    quote = "(in quotes if it looks like a number, a date or yes/no)"
    for key in _STRING_KEYS:
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            out.append(Problem(line, f"{key} of concept {name} is {_kind(value)}, not a string",
                               f"write {key} as text {quote}"))
    aliases = entry.get("aliases")
    if aliases is not None and not isinstance(aliases, (str, list)):
        out.append(Problem(line, f"aliases of concept {name} is {_kind(aliases)}, not a list",
                           "write aliases: [甲, 乙]"))
    elif isinstance(aliases, list):
        for a in aliases:
            if a is not None and not isinstance(a, str):
                shown = repr(a) if not isinstance(a, (dict, list)) else _kind(a)
                out.append(Problem(line, f"an alias of concept {name} is {_kind(a)} ({shown}), not a string",
                                   f"write each alias as text {quote}: aliases: [甲, 乙]"))
    exclude = entry.get("exclude")
    how = "write exclude: [甲乙丙, …] or exclude: {甲乙: [甲乙丙, …]}"

    def strings(value: object) -> bool:
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))

    if exclude is not None and not (strings(exclude) or (
            isinstance(exclude, dict) and all(isinstance(k, str) and strings(v) for k, v in exclude.items()
                                              if k != "__line__"))):
        out.append(Problem(line, f"exclude of concept {name} is {_kind(exclude)}, not a list of expressions "
                           "(or a mapping alias → list of expressions)", how))
    for key in entry:
        if key in CONCEPT_KEYS or key in _INTERNAL_KEYS:
            continue
        near = difflib.get_close_matches(str(key).lower(), CONCEPT_KEYS, n=1, cutoff=0.75)
        if near:
            out.append(Problem(line, f"concept {name} has the key {key!r}: a misspelt {near[0]!r}?",
                               f"write {near[0]}:"))
    return out


def lexicon_from_mapping(data: Mapping[str, Any], *, path: str = "<memory>", sha256: str = "") -> Lexicon:
    """Build and validate a lexicon from parsed YAML; every problem is reported at once."""
    problems: list[Problem] = []
    entries = data.get("concepts")
    if not isinstance(entries, list) or not entries:
        raise PlantraceError("lexicon has no 'concepts:' list", file=path,
                             hint="add concepts: with entries {id, label, aliases}")
    concepts: dict[str, Concept] = {}
    alias_owner: dict[str, tuple[str, int | None]] = {}
    pending_aliases: list[tuple[str, str, int | None]] = []
    for entry in entries:
        line = entry.get("__line__") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            problems.append(Problem(line, "a concept entry is not a mapping", "write {id: …, label: …, aliases: […]}"))
            continue
        name = repr(entry["id"]) if isinstance(entry.get("id"), str) else f"on line {line}"
        wrong = _wrong_types(entry, name, line)
        problems.extend(wrong)
        cid = str(entry.get("id") or "").strip()
        if wrong:
            continue
        if not cid:
            problems.append(Problem(line, "concept without id", "give every concept an id"))
            continue
        if cid in concepts:
            problems.append(Problem(line, f"concept id {cid!r} repeats line {concepts[cid].line}",
                                    "make ids unique"))
            continue
        label = str(entry.get("label") or "").strip()
        raw_aliases = entry.get("aliases") or []
        if isinstance(raw_aliases, str):
            raw_aliases = [raw_aliases]
        aliases: list[str] = []
        # In YAML the label is itself an alias; a CSV's concept column only names the concept.
        label_alias = [label] if label and entry.get("label_is_alias", True) else []
        for a in label_alias + [x if x is not None else "" for x in raw_aliases]:
            norm = normalise_alias(a)
            if not norm:
                problems.append(Problem(line, f"concept {cid!r} has an empty alias", "remove the empty alias"))
                continue
            if norm not in aliases:
                aliases.append(norm)
        if not aliases:
            problems.append(Problem(line, f"concept {cid!r} has no alias", "give a label or at least one alias"))
        exclude = _exclusions(entry.get("exclude"), cid, aliases, line, problems)
        parent = entry.get("parent")
        concepts[cid] = Concept(
            id=cid, label=label or (aliases[0] if aliases else cid),
            category=str(entry.get("category") or "uncategorised"), aliases=tuple(aliases),
            parent=str(parent) if parent else None, note=str(entry.get("note") or ""),
            source=str(entry.get("source") or ""), line=line, exclude=exclude,
        )
        pending_aliases.extend((a, cid, line) for a in aliases)
    for cid, c in concepts.items():
        if c.parent and c.parent not in concepts:
            problems.append(Problem(c.line, f"concept {cid!r} has unknown parent {c.parent!r}",
                                    "use the id of a concept in this lexicon, or null"))
    # Cycles: follow parents; a chain longer than the lexicon loops.
    cycles: set[frozenset[str]] = set()
    for cid, c in concepts.items():
        seen, p = [cid], c.parent
        while p and p in concepts:
            if p in seen:
                loop = frozenset(seen[seen.index(p):])
                if loop not in cycles:  # one message per cycle, not one per member
                    cycles.add(loop)
                    problems.append(Problem(c.line, f"a cycle of parents: {' → '.join(seen[seen.index(p):] + [p])}",
                                            "break the cycle: one of them must have another parent or null"))
                break
            seen.append(p)
            p = concepts[p].parent
    for alias, cid, line in pending_aliases:
        if alias in alias_owner and alias_owner[alias][0] != cid:
            other, other_line = alias_owner[alias]
            related = concepts[cid].parent == other or concepts[other].parent == cid
            # The issue allows a shared alias between parent and child; we still keep
            # one owner (the child, which is more specific) so a match is unambiguous.
            if related:
                child = cid if concepts[cid].parent == other else other
                alias_owner[alias] = (child, line)
                continue
            problems.append(Problem(line, f"alias {alias!r} of {cid!r} is also an alias of {other!r} "
                                    f"(line {other_line})", "keep it under one concept, or make one the other's parent"))
        else:
            alias_owner[alias] = (cid, line)
    if problems:
        raise ValidationError(path, problems)
    # Drop an alias from a parent when its child owns it.
    final = {
        cid: Concept(c.id, c.label, c.category, tuple(a for a in c.aliases if alias_owner[a][0] == cid),
                     c.parent, c.note, c.source, c.line, c.exclude)
        for cid, c in concepts.items()
    }
    header = {k: str(data.get(k, "")) for k in HEADER_FIELDS}
    return Lexicon(name=str(data.get("name") or Path(path).stem), concepts=final, path=path,
                   sha256=sha256, header=header)


def _exclusions(value: object, cid: str, aliases: list[str], line: int | None,
                problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """The (alias, expression) pairs of a concept's ``exclude:`` (types checked before).

    An expression of the list form applies to every alias of the concept it contains;
    one that contains none, or that is no longer than its alias, is a problem.
    """
    if value is None:
        return ()
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if k != "__line__"]
    else:
        items = [(None, value)]
    pairs: list[tuple[str, str]] = []
    for key, exprs in items:
        alias = normalise_alias(key) if key is not None else None
        if alias is not None and alias not in aliases:
            problems.append(Problem(line, f"exclude of concept {cid!r} names {key!r}, which is not one of its "
                                    f"aliases ({', '.join(aliases)})", "key the mapping by an alias of the concept"))
            continue
        for raw in [exprs] if isinstance(exprs, str) else exprs:  # type: ignore[union-attr]
            expr = normalise_alias(raw)
            inside = [a for a in ([alias] if alias else aliases) if a in expr]
            if not inside:
                problems.append(Problem(line, f"exclusion {raw!r} of concept {cid!r} contains none of its aliases "
                                        f"({', '.join([alias] if alias else aliases)})",
                                        "an exclusion is a longer expression around an alias: 新经济体制 for 新经济"))
                continue
            if expr in inside:
                problems.append(Problem(line, f"exclusion {raw!r} of concept {cid!r} is the alias itself",
                                        "remove the alias instead, or give the longer expression"))
                continue
            pairs.extend((a, expr) for a in inside if (a, expr) not in pairs)
    return tuple(pairs)


def _lexicon_from_csv(text: str, path: str, sha: str) -> Lexicon:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows or [h.strip().lower() for h in rows[0][:2]] != ["concept", "alias"]:
        raise PlantraceError("a CSV lexicon needs the header 'concept,alias'", file=path, line=1,
                             hint="write concept,alias as the first line")
    by_concept: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    width = len(rows[0])
    header = [h.strip().lower() for h in rows[0]]
    ex_col = header.index("exclude") if "exclude" in header[2:] else None
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > width and any(c.strip() for c in row[width:]):
            # concept,alias1,alias2 would keep alias1 only
            problems.append(Problem(i, f"row has {len(row)} cells, the header {width}",
                                    "one alias per row (concept,alias); quote a cell that holds a comma"))
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            problems.append(Problem(i, "row needs a concept and an alias", "write concept,alias"))
            continue
        concept, alias = row[0].strip(), row[1].strip()
        entry = by_concept.setdefault(concept, {"id": concept, "label": concept, "aliases": [],
                                                "category": "custom", "__line__": i,
                                                "label_is_alias": False})
        entry["aliases"].append(alias)
        if ex_col is not None and ex_col < len(row) and row[ex_col].strip():
            # the row's alias's exclusions, separated by |
            exprs = [x.strip() for x in row[ex_col].split("|") if x.strip()]
            entry.setdefault("exclude", {}).setdefault(alias, []).extend(exprs)
    if problems:
        raise ValidationError(path, problems)
    return lexicon_from_mapping({"name": Path(path).stem, "concepts": list(by_concept.values())},
                                path=path, sha256=sha)


def load_lexicon(path: str | Path) -> Lexicon:
    """Load a YAML or CSV lexicon; errors name the file and line."""
    p = Path(path)
    shown = str(p)
    if not p.is_file():
        raise PlantraceError("lexicon file not found", file=shown,
                             hint="check the path given to --lexicon")
    data = p.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if p.suffix.lower() == ".csv":
        # Excel on Chinese Windows saves CSV as GB18030/GBK (sometimes with a BOM): read
        # it the way a corpus text is read, never refuse it as "not UTF-8".
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = decode_text(data, shown)[0]
            except PlantraceError as exc:
                raise PlantraceError(f"lexicon cannot be decoded: {exc.message}", file=shown, line=exc.line,
                                     hint="save it as UTF-8 CSV (or GB18030)") from exc
        return _lexicon_from_csv(text.lstrip("\ufeff"), shown, sha)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlantraceError(f"lexicon is not UTF-8 (byte {exc.start})", file=shown,
                             line=data.count(b"\n", 0, exc.start) + 1, hint="save it as UTF-8") from exc
    # Strict: a key written twice (at any depth) and any anchor/alias are errors.
    parsed = load_yaml(text, file=shown, what="lexicons", line_key="__line__")
    if not isinstance(parsed, dict):
        raise PlantraceError("lexicon is not a YAML mapping", file=shown,
                             hint="start with name:, version: … and concepts:")
    return lexicon_from_mapping(parsed, path=shown, sha256=sha)


@lru_cache(maxsize=4)
def _default_lexicon_cached() -> Lexicon:
    return merge_lexicons([load_lexicon(LEXICON_DIR / n) for n in DEFAULT_LEXICONS])


def default_lexicon() -> Lexicon:
    """The bundled concept lexicon (``plantrace/data/planning_concepts.yaml``)."""
    return _default_lexicon_cached()


def load_lexicons(paths: Iterable[str | Path] | None) -> Lexicon:
    """One lexicon from several files (the bundled one when ``paths`` is empty)."""
    paths = list(paths or [])
    if not paths:
        return default_lexicon()
    return merge_lexicons([load_lexicon(p) for p in paths])


def merge_lexicons(lexicons: list[Lexicon]) -> Lexicon:
    if len(lexicons) == 1:
        return lexicons[0]
    concepts: dict[str, Concept] = {}
    owner: dict[str, tuple[str, str]] = {}
    problems: list[str] = []
    for lex in lexicons:
        for cid, c in lex.concepts.items():
            if cid in concepts:
                problems.append(f"concept id {cid!r} is in {owner_path(concepts, cid, lexicons)} and {lex.path}")
                continue
            for a in c.aliases:
                if a in owner:
                    problems.append(f"alias {a!r} is in {owner[a][1]} ({owner[a][0]}) and {lex.path} ({cid})")
                owner[a] = (cid, lex.path)
            concepts[cid] = c
    if problems:
        raise PlantraceError("lexicons overlap: " + "; ".join(problems[:5]),
                             hint="rename the concept or drop the alias in one file")
    sha = hashlib.sha256("".join(lex.sha256 for lex in lexicons).encode()).hexdigest()
    return Lexicon(name="+".join(lex.name for lex in lexicons), concepts=concepts,
                   path=";".join(lex.path for lex in lexicons), sha256=sha)


def owner_path(concepts: dict[str, Concept], cid: str, lexicons: list[Lexicon]) -> str:
    return next((lex.path for lex in lexicons if cid in lex.concepts), "?")


def lexicon_provenance(lexicon: Lexicon) -> dict[str, str]:
    return {"lexicon": lexicon.name, "lexicon_path": lexicon.path, "lexicon_sha256": lexicon.sha256}
