"""plantrace: measure how Chinese planning language changes between levels and years.

>>> from plantrace import normalise_text
>>> normalise_text("公园城 市")
'公园城市'
"""

__version__ = "0.1.0"

from .corpus import Corpus, Document, load_corpus  # noqa: E402
from .errors import PlantraceError  # noqa: E402
from .normalise import STEPS, NormaliserConfig, normalise_text  # noqa: E402

__all__ = ["Corpus", "Document", "NormaliserConfig", "PlantraceError", "STEPS", "__version__",
           "load_corpus", "normalise_text"]
