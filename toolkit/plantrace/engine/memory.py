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


def release_freed_memory() -> bool:
    """Return the pages of freed heap memory to the system (glibc's ``malloc_trim``);
    True when something could be asked, False where the C library has no such call."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
