"""Dask worker plugin: run a worker setup (e.g. loading a model) once per worker, when
the worker starts.

Kept in its own module so that importing plantrace never imports Dask.
"""

from __future__ import annotations

from typing import Any, Callable

from distributed.diagnostics.plugin import WorkerPlugin


class SetupWorkerPlugin(WorkerPlugin):
    """Runs a :data:`~plantrace.engine.runner.WorkerSetup` on each worker at setup
    (once, not per task)."""

    name = "plantrace-setup"

    def __init__(self, setup: tuple[Callable[..., Any], tuple[Any, ...]]) -> None:
        self.setup_call = setup

    def setup(self, worker: Any) -> None:
        fn, args = self.setup_call
        fn(*args)
