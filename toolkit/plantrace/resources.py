"""Bundled data files (lexicons, zone patterns, target cue words, intensity grades,
indicators, stop words): all under ``plantrace/data/``, found with
:mod:`importlib.resources` so that an installed wheel finds them too.

>>> data_path("planning_concepts.yaml").name
'planning_concepts.yaml'
>>> read_data_text("stopwords.txt").startswith("#")
True
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "plantrace"


def data_file(name: str) -> Traversable:
    """A bundled data file, e.g. ``data_file("zones.yaml")``."""
    return resources.files(PACKAGE).joinpath("data", name)


def data_dir() -> Path:
    """The folder of the bundled data files (the package is installed as files, never
    zipped: setuptools installs wheels unpacked)."""
    return Path(str(resources.files(PACKAGE).joinpath("data")))


def data_path(name: str) -> Path:
    """File-system path of a bundled data file (what a user passes to ``--lexicon``)."""
    return data_dir() / name


def read_data_text(name: str) -> str:
    return data_file(name).read_text(encoding="utf-8")
