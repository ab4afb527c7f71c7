"""Small pandas helpers shared by every layer.

>>> import pandas as pd
>>> [r.n for r in records(pd.DataFrame({"n": [1, 2]}))]
[1, 2]
"""

from __future__ import annotations

from typing import Any, Iterator

import pandas as pd


def records(frame: pd.DataFrame) -> Iterator[Any]:
    """``frame.itertuples()`` with rows typed as ``Any``: pandas-stubs types every field
    as the union of all scalar types, which no caller can use without a cast."""
    return iter(frame.itertuples())
