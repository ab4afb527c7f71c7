"""Running per-document work in parallel: local processes or a Dask cluster.

Normalising a document and judging its concept candidates are independent per
document, so they map over documents. Results come back in document order, so a
parallel run's outputs equal a serial run's. The engine knows nothing of what a worker
needs: a :data:`WorkerSetup` (a picklable function and its arguments) runs once per
worker when the runner starts (the pool initializer; a Dask worker plugin), and a map
may bring its own setup (e.g. the segmentations the store already holds).

>>> runner = make_runner(jobs=1)
>>> runner.map(len, ["公园城市", "新经济"])
[4, 3]
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import weakref
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Sequence

from ..errors import PlantraceError

#: Below this many characters of work a pool costs more (a model load per worker) than it saves.
MIN_PARALLEL_CHARS = 400_000


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


#: What a worker runs before its tasks: a picklable function and its arguments.
WorkerSetup = tuple[Callable[..., Any], tuple[Any, ...]]


def _die_with_parent() -> None:
    """Linux: this worker gets SIGTERM when the process that started it dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        pass


def _pool_initializer(parent: int, *setups: WorkerSetup | None) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above: no signal will come
        os._exit(1)
    run_setup(*setups)


def run_setup(*setups: WorkerSetup | None) -> None:
    """Run worker setups in order (the pool initializer, and a task per worker)."""
    for setup in setups:
        if setup is not None:
            fn, args = setup
            fn(*args)


#: Tasks per worker in one map. Items travel in batches: each task costs the driver
#: (and Dask's scheduler) time on the cores the workers need, so a thousand small
#: documents go as some tens of tasks, still enough to balance the load.
_BATCHES_PER_WORKER = 8


def _batch_size(items: int, workers: int) -> int:
    """
    >>> _batch_size(1080, 2), _batch_size(108, 2), _batch_size(3, 2)
    (68, 7, 1)
    """
    return max(1, -(-items // (workers * _BATCHES_PER_WORKER)))


def _call_batch(fn: Callable[[Any], Any], batch: Sequence[Any]) -> list[Any]:
    return [fn(x) for x in batch]


class Runner:
    """Maps a function over items, in order; serial unless configured otherwise."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *,
            setup: WorkerSetup | None = None) -> list[Any]:
        """``fn`` over ``items`` in order; ``setup`` runs first in every worker (not in
        this process: a serial runner's caller has already done it)."""
        return [fn(x) for x in items]

    def close(self, abort: bool = False) -> None:
        """Stop the workers; ``abort`` (an interrupt, SIGTERM) stops them now, mid-task."""


class LocalRunner(Runner):
    """A pool of local processes (spawned, so no state leaks in from the parent).

    The pool lives until :meth:`close`, so each worker loads pkuseg once for the whole
    run (documents, then concept candidates, then word tables), not once per map.
    """

    name = "local"

    def __init__(self, jobs: int, worker_setup: WorkerSetup | None = None) -> None:
        self.workers = jobs
        self.worker_setup = worker_setup
        self._pool: ProcessPoolExecutor | None = None

    def _start(self, setup: WorkerSetup | None) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_pool_initializer, initargs=(os.getpid(), self.worker_setup, setup))
            # A corpus loaded in a notebook is rarely closed: stop the workers when the
            # runner is garbage-collected or the interpreter exits.
            weakref.finalize(self, self._pool.shutdown, False)
        elif setup is not None:
            # Workers that already run get the setup through a task per worker (e.g. the
            # store's segmentations; a worker that misses it only redoes work, same result).
            list(self._pool.map(run_setup, [setup] * self.workers))
        return self._pool

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *,
            setup: WorkerSetup | None = None) -> list[Any]:
        if not items:
            return []
        return list(self._start(setup).map(fn, items, chunksize=_batch_size(len(items), self.workers)))

    def close(self, abort: bool = False) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            if abort:
                processes = list((getattr(pool, "_processes", None) or {}).values())
                for proc in processes:
                    proc.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                for proc in processes:
                    proc.join(5)
            else:
                pool.shutdown()


class DaskRunner(Runner):
    """Tasks on a Dask cluster: a scheduler address, or a LocalCluster of N workers."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None,
                 worker_setup: WorkerSetup | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise PlantraceError("Dask is not installed",
                                 hint="pip install 'plantrace[dask]'  (or: pip install 'dask[distributed]')") from exc
        self._cluster: Any = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise PlantraceError(f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                                     hint="check the address, or use --dask-local N") from exc
        else:
            self._cluster = LocalCluster(n_workers=local_workers or default_jobs(), threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self.client = Client(self._cluster)
        if worker_setup is not None:
            from .dask_plugin import SetupWorkerPlugin

            register: Any = getattr(self.client, "register_plugin", None) or getattr(self.client, "register_worker_plugin", None)
            register(SetupWorkerPlugin(worker_setup))
        self.workers = len(self.client.scheduler_info().get("workers", {})) or 1

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *,
            setup: WorkerSetup | None = None) -> list[Any]:
        if not items:
            return []
        if setup is not None:  # e.g. each worker starts with the segmentations the store holds
            self.client.run(run_setup, setup)
        from distributed import as_completed

        items = list(items)
        size = _batch_size(len(items), self.workers)
        batches = [items[i:i + size] for i in range(0, len(items), size)]
        futures = self.client.map(_call_batch, [fn] * len(batches), batches, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[list[Any]] = [[] for _ in batches]
        # Collect results as they finish, not with one gather at the end: the transfer
        # overlaps the remaining work, and a worker drops each result once it is fetched
        # (a worker holding all its results grows with the corpus).
        done = as_completed(futures, with_results=True)
        del futures
        for future, result in done:
            results[index[future.key]] = result
            future.release()
        return [r for batch in results for r in batch]

    def close(self, abort: bool = False) -> None:
        try:
            self.client.close(timeout=5 if abort else None)
        finally:
            if self._cluster is not None:
                self._cluster.close(timeout=5 if abort else None)


def make_runner(jobs: int | None = 1, *, dask_scheduler: str | None = None,
                dask_local: int | None = None, worker_setup: WorkerSetup | None = None) -> Runner:
    """Serial for ``jobs=1``; local processes for ``jobs>1`` (None: one per core); Dask
    when a scheduler address or a LocalCluster size is given. ``worker_setup`` runs once
    in every worker when it starts (e.g. loading a model)."""
    if dask_scheduler or dask_local:
        return DaskRunner(dask_scheduler, dask_local, worker_setup)
    n = default_jobs() if jobs is None else jobs
    if n < 1:
        raise PlantraceError(f"--jobs must be at least 1, not {n}", hint="give a number of processes such as 2")
    return Runner() if n == 1 else LocalRunner(n, worker_setup)


def worth_parallel(runner: Runner, chars: Iterable[int]) -> bool:
    """Use the pool only when there is enough work to pay for a model load per worker."""
    return runner.workers > 1 and (isinstance(runner, DaskRunner) or sum(chars) >= MIN_PARALLEL_CHARS)
