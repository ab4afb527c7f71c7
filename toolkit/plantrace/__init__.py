"""plantrace: measure how Chinese planning language changes between levels and years.

>>> from plantrace import normalise_text
>>> normalise_text("公园城 市")
'公园城市'

The package is layered by stage (see README "Architecture"); a module imports only its
own layer and the layers below it (``tests/test_layers.py``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

from ._version import __version__
from .concepts.lexicon import load_lexicon
from .corpus import Corpus, Document, corpus_from_frame, load_corpus
from .errors import PlantraceError
from .text.normalise import STEPS, NormaliserConfig, normalise_text

__all__ = [
    "STEPS",
    "Corpus",
    "Document",
    "NormaliserConfig",
    "PlantraceError",
    "__version__",
    "corpus_from_frame",
    "load_corpus",
    "load_lexicon",
    "normalise_text",
]

#: Former flat module paths → where the code lives now. Kept for one release so that
#: notebooks and scripts written against 0.1 keep importing (``import plantrace.segment``
#: gives the very module ``plantrace.concepts.segment``, so monkeypatching works too).
#: Nothing inside the package uses them (tests/test_layers.py fails on such an import).
MOVED_MODULES = {
    "plantrace.textmap": "plantrace.text.textmap",
    "plantrace.normalise": "plantrace.text.normalise",
    "plantrace.manifest": "plantrace.ingest.manifest",
    "plantrace.zones": "plantrace.structure.zones",
    "plantrace.parallel": "plantrace.engine.runner",
    "plantrace.store": "plantrace.engine.store",
    "plantrace.lexicon": "plantrace.concepts.lexicon",
    "plantrace.intensity": "plantrace.concepts.intensity",
    "plantrace.segment": "plantrace.concepts.segment",
    "plantrace.match": "plantrace.concepts.match",
    "plantrace.suggest": "plantrace.concepts.suggest",
    "plantrace.stats": "plantrace.measure.stats",
    "plantrace.align": "plantrace.compare.align",
    "plantrace.diff": "plantrace.compare.diff",
    "plantrace.targets": "plantrace.compare.targets",
    "plantrace.pipeline": "plantrace.report.pipeline",
    "plantrace.outputs": "plantrace.report.outputs",
    "plantrace.export": "plantrace.report.tables",
    "plantrace.codebook": "plantrace.report.codebook",
    "plantrace.charts": "plantrace.report.charts",
    "plantrace.htmlreport": "plantrace.report.html",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves a former module path to the module that now holds its code."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(MOVED_MODULES[spec.name])

    def exec_module(self, module: ModuleType) -> None:
        pass


if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())
