"""A strict YAML loader for plantrace's data files (lexicons; meant for every YAML file
a user gives plantrace).

PyYAML's ``safe_load`` keeps the last of two equal keys without a word (a second
``concepts:`` block discards the first, a second ``aliases:`` the first list), and it
expands anchors and aliases, so a few hundred bytes ("billion laughs") can build a
structure that eats all memory. :func:`load_yaml` refuses both, with file and line:

* a key written twice in one mapping, at any depth (every repeat is listed at once);
* any anchor (``&name``) or alias (``*name``, also ``<<: *name`` merges), found in the
  event stream before anything is built.

YAML syntax errors and unsafe tags become a :class:`~plantrace.errors.PlantraceError`
naming the line. With ``line_key`` every mapping also gets its line under that key.

>>> load_yaml("a: 1\\nb: [x, y]\\n", file="t.yaml")
{'a': 1, 'b': ['x', 'y']}
>>> load_yaml("a: 1\\na: 2\\n", file="t.yaml")
Traceback (most recent call last):
...
plantrace.errors.ValidationError: t.yaml:2: key 'a' is written twice (first on line 1) (fix: keep one of them: YAML would keep only the last, silently)
>>> load_yaml("a: &x [1]\\nb: *x\\n", file="t.yaml")
Traceback (most recent call last):
...
plantrace.errors.PlantraceError: t.yaml:1: YAML anchors/aliases are not allowed in lexicons (&x) (fix: write the value out in full where it is used)
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import PlantraceError, Problem, ValidationError

# libyaml's parser when PyYAML was built with it (the wheels are): the pure-Python one
# is about ten times slower on the bundled lexicon.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_anchors(text: str, file: str, what: str) -> None:
    """Raise on the first anchor or alias, before any node is composed or built."""
    try:
        for event in yaml.parse(text, Loader=_Base):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor:
                mark = "*" if isinstance(event, yaml.AliasEvent) else "&"
                raise PlantraceError(f"YAML anchors/aliases are not allowed in {what} ({mark}{anchor})",
                                     file=file, line=event.start_mark.line + 1 if event.start_mark else None,
                                     hint="write the value out in full where it is used")
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from exc


def _syntax_error(exc: yaml.YAMLError, file: str) -> PlantraceError:
    mark = getattr(exc, "problem_mark", None)
    return PlantraceError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file=file,
                          line=mark.line + 1 if mark else None,
                          hint="fix the YAML syntax (indentation, quotes, colons)")


def _key_text(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return f"<{getattr(node, 'id', type(node).__name__)}>"


def _duplicate_keys(root: yaml.Node) -> list[Problem]:
    problems: list[Problem] = []
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # only an alias can share a node; refused already
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                k = (key.tag, _key_text(key))
                line = key.start_mark.line + 1
                if k in first:
                    problems.append(Problem(line, f"key {k[1]!r} is written twice (first on line {first[k]})",
                                            "keep one of them: YAML would keep only the last, silently"))
                else:
                    first[k] = line
                stack.extend((value, key))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    problems.sort(key=lambda p: p.line or 0)
    return problems


def load_yaml(text: str, *, file: str, what: str = "lexicons", line_key: str | None = None) -> Any:
    """Parse ``text`` strictly (see the module docstring); ``file`` names it in errors,
    ``what`` says what kind of file it is ("lexicons")."""
    if "&" in text or "*" in text:  # no anchor or alias can be written without one of them
        _refuse_anchors(text, file, what)  # a second parse: 0.05 s on a 2,000-line lexicon
    loader = _Base(text)
    if line_key:
        def construct_mapping(node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            mapping = _Base.construct_mapping(loader, node, deep=deep)
            mapping[line_key] = node.start_mark.line + 1
            return mapping

        # An instance-level table: this loader alone records lines, the class stays plain.
        loader.yaml_constructors = {**loader.yaml_constructors,  # type: ignore[misc]
                                    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG:
                                        lambda _loader, node: construct_mapping(node)}
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problems = _duplicate_keys(node)
        if problems:
            raise ValidationError(file, problems)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from exc
    finally:
        loader.dispose()
