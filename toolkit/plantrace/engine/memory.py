"""Giving freed memory back to the system after a large stage.

A pool's results are unpickled in :class:`concurrent.futures.ProcessPoolExecutor`'s
management thread, so glibc serves them from that thread's own malloc arena. Once
they are turned into compact rows and freed, glibc keeps the arena's pages: it returns
memory on its own only from the top of the main heap. On the distinct 3× benchmark
corpus a judging map through the helper process left the driver 212 MB above its RSS
after loading while 59 MB were live (tracemalloc); ``malloc_trim(0)`` gave back 135 MB
of it. Elsewhere (macOS, Windows, musl) there is nothing to call and nothing is done.

>>> release_freed_memory() in (True, False)
True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def prefer_system_arrow_pool() -> None:
    """Have pyarrow allocate from the C library's heap, as Python does, unless the user
    chose a pool (``ARROW_DEFAULT_MEMORY_POOL``).

    pandas 3 keeps strings in pyarrow arrays, allocated by pyarrow's own mimalloc heap:
    what a frame frees there cannot serve Python objects, and the reverse. One heap for
    both, trimmed by :func:`release_freed_memory`, took the distinct 10× cold concept
    job's peak from 525 to 485 MB (the same job, ``ARROW_DEFAULT_MEMORY_POOL=system``).
    """
    arrow = sys.modules.get("pyarrow")  # never imported here
    if arrow is None or "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    if arrow.default_memory_pool().backend_name != "system":
        arrow.set_memory_pool(arrow.system_memory_pool())


def release_freed_memory() -> bool:
    """Return the pages of freed heap memory to the system (glibc's ``malloc_trim``, and
    pyarrow's pool where pandas has used it); True when something could be asked, False
    where the C library has no such call."""
    arrow = sys.modules.get("pyarrow")  # never imported here: only a pool pandas has used
    if arrow is not None:
        # pyarrow's own allocator (mimalloc or jemalloc: see prefer_system_arrow_pool)
        # keeps what arrays freed: 57 of 76 MB given back after a match at the distinct 10×.
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
