"""Dask worker plugin: load the pkuseg model once per worker, when the worker starts.

Kept in its own module so that importing plantrace never imports Dask.
"""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin


class PkusegWorkerPlugin(WorkerPlugin):
    """Loads pkuseg's default model on each worker at setup (once, not per task)."""

    name = "plantrace-pkuseg"

    def setup(self, worker) -> None:  # type: ignore[no-untyped-def]
        from plantrace.segment import _load

        _load()
