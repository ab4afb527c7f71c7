"""A typed cache of results computed from one document collection.

Keys are frozen dataclasses of value-typed fields (a lexicon's sha256, never an
``id()`` Python may reuse). :meth:`ResultCache.get` hands out copies: a caller
that changes a frame (or its ``attrs``) never changes what the next caller gets.

>>> import pandas as pd
>>> cache = ResultCache()
>>> key = CacheKey("counts", ("abc",))
>>> _ = cache.put(key, pd.DataFrame({"n": [1]}))
>>> cache.get(key).attrs["x"] = 1
>>> cache.get(key).attrs
{}
>>> got = cache.get(key)
>>> got.loc[0, "n"] = 2
>>> int(cache.get(key).loc[0, "n"])
1
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")


@dataclass(frozen=True)
class CacheKey:
    """What a cached result depends on: its kind and value-typed parts (hashes, names)."""

    kind: str
    parts: tuple[str, ...] = ()


#: pandas >= 3 always copies on write: a shallow copy then shares the columns until one
#: side changes them, and a change never reaches the other. At the distinct 50×
#: benchmark corpus the match frames are some 160 MB, held by the cache and by the caller.
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3


def copy_result(value: Any) -> Any:
    """A copy of a cached value: frames (with their attrs), dataclasses holding frames."""
    if isinstance(value, pd.DataFrame):
        out = value.copy(deep=not _COPY_ON_WRITE)
        out.attrs = copy.deepcopy(value.attrs)
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: copy_result(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if isinstance(getattr(value, f.name), pd.DataFrame)}
        return dataclasses.replace(value, **changes) if changes else value
    return value


class ResultCache:
    """Results keyed by :class:`CacheKey`; ``get`` and ``put`` return copies."""

    def __init__(self) -> None:
        self._items: dict[CacheKey, Any] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: CacheKey) -> Any:
        """A copy of the cached value, or None."""
        if key not in self._items:
            return None
        return copy_result(self._items[key])

    def put(self, key: CacheKey, value: T) -> T:
        """Keep ``value`` (a copy of it) and return another copy for the caller."""
        self._items[key] = copy_result(value)
        return copy_result(value)

    def clear(self) -> None:
        self._items.clear()
