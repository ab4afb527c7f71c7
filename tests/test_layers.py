"""The layer rule: a module of plantrace imports only its own layer or the layers below it.

Layers, lowest first (a layer is a subpackage, or a few top-level modules):

    base      _version, errors, frames, resources, yamlsafe
    text      text/        (textmap, normalise)
    ingest    ingest/      (manifest, read)
    structure structure/   (zones, structure, document)
    engine    engine/      (runner, dask_plugin, store, codec, cache, collection, load)
    concepts  concepts/    (lexicon, intensity, segment, match, suggest)
    measure   measure/     (stats, provenance, matching, counts, words)
    compare   compare/     (pairs, profile, diff, align, reuse, trajectory, targets/)
    corpus    corpus, nlp  (the Corpus façade and load_corpus; the spaCy bridge)
    report    report/      (pipeline, tables, outputs, codebook, charts, html, console)
    cli       cli
    package   __init__     (the public API)

Every import counts: module level, inside functions, under ``if TYPE_CHECKING``,
relative or absolute. An import of ``plantrace.X`` that names no module of the
package (e.g. a pre-0.2 flat path such as ``plantrace.segment``) fails too, and so
does any import cycle between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "toolkit" / "plantrace"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("plantrace._version", "plantrace.errors", "plantrace.frames", "plantrace.resources",
              "plantrace.yamlsafe")),
    ("text", ("plantrace.text",)),
    ("ingest", ("plantrace.ingest",)),
    ("structure", ("plantrace.structure",)),
    ("engine", ("plantrace.engine",)),
    ("concepts", ("plantrace.concepts",)),
    ("measure", ("plantrace.measure",)),
    ("compare", ("plantrace.compare",)),
    ("corpus", ("plantrace.corpus", "plantrace.nlp")),
    ("report", ("plantrace.report",)),
    ("cli", ("plantrace.cli",)),
    ("package", ("plantrace",)),
]


def layer_of(module: str) -> int:
    """Index of the layer a module belongs to (the longest matching prefix wins)."""
    best, best_len = -1, -1
    for i, (_name, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = i, len(p)
    if best < 0:
        raise KeyError(module)
    return best


def package_modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Module name → (file, is_package) for every .py file under ``root`` (the package dir)."""
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


def imports_of(module: str, is_package: bool, source: str) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, imported names) of every import statement, resolved to absolute."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, alias.name, []))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target, [a.name for a in node.names]))
    return found


def resolve(target: str, names: list[str], known: set[str]) -> list[str] | None:
    """The package modules an import reaches: ``from a import b`` reaches ``a.b`` when that is
    a module, else ``a``. None when a ``plantrace`` path names no module of the package."""
    reached = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
    if len(reached) < len(names) or not names:
        if target not in known:
            return None
        reached.append(target)
    return reached


def check(modules: dict[str, tuple[bool, str]]) -> tuple[list[str], dict[str, set[str]]]:
    """Layer violations of ``modules`` (name → (is_package, source)) and the import graph."""
    known = set(modules)
    problems: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, (is_pkg, source) in sorted(modules.items()):
        src_layer = layer_of(module)
        for line, target, names in imports_of(module, is_pkg, source):
            if target != "plantrace" and not target.startswith("plantrace."):
                continue  # the standard library or a third-party package
            reached = resolve(target, names, known)
            if reached is None:
                problems.append(f"{module}:{line}: imports {target}, which is no module of the package "
                                "(a former path? import the module that holds the code)")
                continue
            for dest in reached:
                if dest == module:
                    continue
                graph[module].add(dest)
                if layer_of(dest) > src_layer:
                    problems.append(f"{module}:{line}: imports {dest} — layer '{LAYERS[layer_of(dest)][0]}' "
                                    f"is above '{LAYERS[src_layer][0]}'")
    return problems, graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles (each as a path that returns to its start), by depth-first search."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def _real_package() -> dict[str, tuple[bool, str]]:
    return {name: (is_pkg, path.read_text(encoding="utf-8"))
            for name, (path, is_pkg) in package_modules(PACKAGE_DIR).items()}


def test_every_module_has_a_layer():
    for name in package_modules(PACKAGE_DIR):
        layer_of(name)  # KeyError names a module outside every layer


def test_imports_go_to_the_same_or_a_lower_layer():
    problems, _ = check(_real_package())
    assert not problems, "\n".join(problems)


def test_no_import_cycles():
    # Imports of a package's own __init__ by its submodules are implicit in Python and
    # not written, so only written imports are edges here.
    _, graph = check(_real_package())
    found = cycles(graph)
    assert not found, "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize("source, expected", [
    # a function-level import of a higher layer
    ("def f():\n    from ..report import charts\n", "layer 'report' is above 'text'"),
    # an absolute import of a higher layer under TYPE_CHECKING
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from plantrace.corpus import Corpus\n",
     "layer 'corpus' is above 'text'"),
    # a former flat path
    ("import plantrace.segment\n", "no module of the package"),
])
def test_the_check_fails_on_a_violating_module(source: str, expected: str):
    modules = _real_package()
    modules["plantrace.text.bad"] = (False, source)
    problems, _ = check(modules)
    assert any(p.startswith("plantrace.text.bad:") and expected in p for p in problems), problems


def test_the_cycle_check_finds_a_cycle():
    modules = _real_package()
    modules["plantrace.text.loop_a"] = (False, "from . import loop_b\n")
    modules["plantrace.text.loop_b"] = (False, "from .loop_a import x\n")
    _, graph = check(modules)
    assert ["plantrace.text.loop_a", "plantrace.text.loop_b", "plantrace.text.loop_a"] in cycles(graph)


def test_relative_imports_resolve():
    assert imports_of("plantrace.compare.targets.tables", False, "from ...engine.cache import CacheKey\n") == [
        (1, "plantrace.engine.cache", ["CacheKey"])]
    assert imports_of("plantrace.measure", True, "from .counts import roll_up\n") == [
        (1, "plantrace.measure.counts", ["roll_up"])]
