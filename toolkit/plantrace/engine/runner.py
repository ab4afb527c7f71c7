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
import threading
import types
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from ..errors import PlantraceError

T = TypeVar("T")

#: Characters of new work (not served by a cache or the store) of one kind above which
#: a local pool of 2 finishes before serial: below it, starting the pool (spawning and
#: importing plantrace in each worker ≈ 1 s, a pkuseg load per worker ≈ 3.5 s where the
#: work segments) costs more than the second core saves. None: never.
#:
#: Measured 2026-12-02 on the idle 2-core machine (no other job running), wall clock,
#: fresh processes, spawning and model loads inside the time (``python
#: benchmarks/crossover.py``, then ``--kinds judge --sizes 0.2,0.4,0.6,0.8 --repeat 2``):
#: * normalise: serial 0.98 µs/char, pool 0.70 s + 0.81 µs/char → 4.4 M;
#: * judge, the map alone: serial is faster at 0.21, 0.41 and 0.62 M characters (0.60
#:   against 1.05 s, 0.99 / 1.29, 1.47 / 1.64) and slower from 0.82 M on (5.35 / 2.31 s;
#:   2.4 M: 6.74 / 5.86 s): a step, not a line, where a serial run passes LAZY_CHARS of
#:   clauses and loads pkuseg's whole model (3.8 s) while each of 2 workers keeps the
#:   lazy one. But the whole cold concept job at 2.4 M (normalising serial in both) was
#:   no faster with the judging on the pool: 10.38, 11.00 and 10.93 s against 9.96, 10.19
#:   and 11.65 s serial (the check at the end of crossover.py, then twice by hand). So
#:   judging stays serial past the 1× corpora: 6 M, as before, until a quiet run of the
#:   whole job at 5-10 M shows where the pool wins;
#: * segment: serial 28.98 µs/char, pool 3.48 s + 14.09 µs/char → 0.16 M (at 0.41 M:
#:   13.71 s serial, 9.18 s on the pool).
#: Rounded up (towards serial). At 1× (2.4 M characters) a cold concept job runs serial;
#: word tables segment on the pool. The constants before these (8 M / 6 M / 0.5 M) came
#: from a machine other sessions kept at a load average of 3-6.
CROSSOVER_CHARS: dict[str, int | None] = {"normalise": 4_500_000, "judge": 6_000_000, "segment": 200_000}
#: The pool size the crossovers were measured with. More workers save more per
#: character, so for them the constants err on the side of serial (never slower).
CROSSOVER_WORKERS = 2

#: What each kind of map does, for the run's note.
_WORK = {"normalise": "normalising", "judge": "judging concept candidates", "segment": "segmenting documents"}


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


@contextmanager
def _spawning_without_sigint() -> Iterator[None]:
    """SIGINT ignored while tasks are submitted, which is when the pool spawns its
    workers: a worker then starts with SIGINT ignored (a spawned process inherits the
    setting) instead of only from its initializer on, after its imports, so a Ctrl-C
    during a worker's start-up cannot kill it and break the pool under the driver. The
    window is the few milliseconds of the submits; outside the main thread (where no
    handler can be set) nothing changes."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield  # None: a handler not set from Python, which could not be put back
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _main_hidden(hide: bool) -> Iterator[None]:
    """While ``hide``, ``__main__`` is a bare module, for workers spawned meanwhile.

    A spawned worker imports the parent's ``__main__`` from its file, which runs the
    top level of a user's script again unless it sits under ``if __name__ ==
    "__main__":``. A pool the user asked for (``jobs=2``) may require that guard (the
    error says so); a helper process plantrace starts on its own (``jobs=1``, see
    :data:`plantrace.measure.matching.HELPER_CHARS`) must not: its tasks are plantrace's
    functions and need nothing of ``__main__``. The window is the submits, in which the
    pool spawns its workers."""
    main = sys.modules.get("__main__")
    if not hide or main is None:
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _pool_initializer(parent: int, *setups: WorkerSetup | None) -> None:
    # Ctrl-C in a terminal reaches the whole process group: the driver stops the workers
    # (close(abort=True)) and removes partial outputs. A worker that died of the same
    # SIGINT first would instead break the pool under a task, and the run would end on
    # that error rather than as interrupted. Workers spawned from the main thread start
    # with SIGINT ignored already (_spawning_without_sigint); this covers the others.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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


#: Characters of documents sent to a pool at a time, each slice's results made into
#: documents or rows before the next is sent: the results of a whole large corpus at once
#: (0.3 GB of judged candidates at the distinct 10× benchmark corpus) sat in memory beside
#: what was made of them. About 4 s of judging for each of 2 workers: the pool's start and
#: a slice's last batch cost nothing it would notice.
MAP_SLICE_CHARS = 8_000_000


def slices_by_size(items: Sequence[T], sizes: Sequence[int], limit: int) -> Iterator[list[T]]:
    """``items`` in order, in slices of at most ``limit`` by ``sizes`` (at least one each).

    >>> list(slices_by_size([4, 5, 6, 7], [3, 3, 5, 1], 6))
    [[4, 5], [6, 7]]
    """
    chunk: list[T] = []
    held = 0
    for item, size in zip(items, sizes):
        if chunk and held + size > limit:
            yield chunk
            chunk, held = [], 0
        chunk.append(item)
        held += size
    if chunk:
        yield chunk


def _balanced_batches(sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Item indices in batches of about equal size, the largest items first: a map ends
    when its last batch does, so a long document must not start last while the other
    workers idle (longest-processing-time first).

    >>> _balanced_batches([1, 50, 2, 30, 1, 1], 1)
    [[1], [3], [2, 0, 4, 5]]
    """
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    target = max(1, sum(sizes) // (workers * _BATCHES_PER_WORKER))
    batches: list[list[int]] = []
    current: list[int] = []
    filled = 0
    for i in order:
        current.append(i)
        filled += sizes[i]
        if filled >= target:
            batches.append(current)
            current, filled = [], 0
    if current:
        batches.append(current)
    return batches


@dataclass(frozen=True)
class MapDecision:
    """How one map's work was run, and why (the run's note and its provenance)."""

    work: str  # a key of CROSSOVER_CHARS
    items: int
    chars: int
    parallel: bool
    #: "below", "above", "never", "running" (the pool was already started), "forced",
    #: "cluster"; "helper": serial, in one helper process (threshold: the size that sends it there)
    reason: str
    threshold: int | None  # None: a local pool never pays off for this kind of work

    def as_dict(self) -> dict[str, object]:
        ran = "parallel" if self.parallel else "serial, one helper process" if self.reason == "helper" else "serial"
        return {"work": self.work, "items": self.items, "chars": self.chars, "ran": ran,
                "reason": self.reason, "threshold_chars": self.threshold}


def _mchars(n: int) -> str:
    """
    >>> _mchars(24), _mchars(412_345), _mchars(2_400_000), _mchars(12_000_000)
    ('24', '0.41 M', '2.4 M', '12 M')
    """
    if n < 10_000:
        return f"{n:,}"
    m = n / 1e6
    return f"{m:.2g} M" if m < 10 else f"{m:.0f} M"


class Runner:
    """Maps a function over items, in order; serial unless configured otherwise."""

    name = "serial"
    workers = 1
    #: Use the workers whatever the size of the work (``--force-pool``): for timing
    #: experiments, and tests that need a pool on a small corpus.
    force = False
    #: Has a pool been started (its cost is paid: later maps use it whatever their size)?
    started = False

    def __init__(self) -> None:
        self.decisions: list[MapDecision] = []

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *,
            setup: WorkerSetup | None = None, sizes: Sequence[int] | None = None) -> list[Any]:
        """``fn`` over ``items``, results in order; ``setup`` runs first in every worker
        (not in this process: a serial runner's caller has already done it); ``sizes``
        (e.g. characters per item) lets workers take the largest items first."""
        return [fn(x) for x in items]

    def close(self, abort: bool = False) -> None:
        """Stop the workers; ``abort`` (an interrupt, SIGTERM) stops them now, mid-task."""

    def note(self) -> str | None:
        """One line on how this run used its workers, or None with a single worker (no
        choice was made, no helper process used) or nothing to do.

        >>> r = LocalRunner(2)
        >>> worth_parallel(r, [400_000], "judge") or None, r.note()  # doctest: +ELLIPSIS
        (None, 'ran serial: 0.4 M characters of new work (judging concept candidates) is below the ... M where 2 workers pay off')
        """
        helped = [d for d in self.decisions if d.reason == "helper"]
        helper = "; ".join(f"{_mchars(d.chars)} characters of new work ({_WORK.get(d.work, d.work)}) ran in one "
                           "helper process, so that this one never holds pkuseg's whole model (about 0.7 GB)"
                           for d in helped)
        if self.workers <= 1:
            return f"ran serial: {helper}" if helper else None
        done = [d for d in self.decisions if d.chars and d.reason != "helper"]
        if helped and not done:
            return f"ran serial: {helper}; no worker of {self.workers} started"
        if not done:
            return ("ran serial: nothing to process from scratch (the store or a cache held the documents and "
                    f"earlier matches); no worker of {self.workers} started")
        serial = [d for d in done if not d.parallel]
        pooled = [d for d in done if d.parallel]

        def why_serial(d: MapDecision) -> str:
            if d.threshold is None:
                return f"{CROSSOVER_WORKERS} workers never pay off for it"
            return f"below the {_mchars(d.threshold)} where {CROSSOVER_WORKERS} workers pay off"

        def what(ds: list[MapDecision]) -> str:
            return ", ".join(f"{_mchars(d.chars)} characters ({_WORK.get(d.work, d.work)}"
                             + (f"; {why_serial(d)})" if not d.parallel else ")") for d in ds)

        if not pooled:
            parts = []
            for d in serial:
                work = f"{_mchars(d.chars)} characters of new work ({_WORK.get(d.work, d.work)})"
                parts.append(f"{work} is {why_serial(d)}" if d.threshold is not None else f"{work}: {why_serial(d)}")
            return "ran serial: " + "; ".join(parts + ([helper] if helper else []))
        why = {"forced": " (forced)", "cluster": ""}
        line = f"ran on {self.workers} {self.name} workers{why.get(pooled[0].reason, '')}: {what(pooled)}"
        if serial:
            line += f"; serial: {what(serial)}"
        return line + (f"; {helper}" if helper else "")

    def describe(self) -> dict[str, object]:
        """How the run was executed, for the provenance recorded with results."""
        return {"runner": self.name, "workers": self.workers, "force": self.force,
                "maps": [d.as_dict() for d in self.decisions],
                "note": self.note() or f"ran serial: {self.workers} worker asked for"}


class LocalRunner(Runner):
    """A pool of local processes (spawned, so no state leaks in from the parent).

    The pool lives until :meth:`close`, so each worker loads pkuseg once for the whole
    run (documents, then concept candidates, then word tables), not once per map.
    """

    name = "local"

    def __init__(self, jobs: int, worker_setup: WorkerSetup | None = None, *, force: bool = False,
                 helper: bool = False) -> None:
        super().__init__()
        self.workers = jobs
        self.worker_setup = worker_setup
        self.force = force
        #: Started by plantrace, not asked for: its workers never import ``__main__`` (:func:`_main_hidden`).
        self.helper = helper
        self._pool: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:  # type: ignore[override]
        return self._pool is not None

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
            setup: WorkerSetup | None = None, sizes: Sequence[int] | None = None) -> list[Any]:
        if not items:
            return []
        try:
            pool = self._start(setup)  # a running pool's workers get the setup as tasks: they can break too
            if sizes is None:
                with _spawning_without_sigint(), _main_hidden(self.helper):
                    chunks = pool.map(fn, items, chunksize=_batch_size(len(items), self.workers))
                return list(chunks)
            batches = _balanced_batches(sizes, self.workers)
            with _spawning_without_sigint(), _main_hidden(self.helper):
                futures = [pool.submit(_call_batch, fn, [items[i] for i in batch]) for batch in batches]
            results: list[Any] = [None] * len(items)
            for batch, future in zip(batches, futures):
                for i, result in zip(batch, future.result()):
                    results[i] = result
            return results
        except BrokenProcessPool:
            self.close(abort=True)
            message, fix = _broken_pool_message()
            raise PlantraceError(message, hint=fix) from None

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


def _broken_pool_message() -> tuple[str, str]:
    """What to tell the user when a worker process died: the message and the fix.

    The usual cause is a script without a main guard: a spawned worker starts by running
    the script's file again, which loads the corpus and starts a pool of its own, and
    Python stops that worker."""
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) if getattr(main, "__spec__", None) is None else None
    if script:
        return (f"the worker processes stopped before finishing: each one starts by running {script} again, "
                "which starts workers of its own",
                'put the script\'s work under `if __name__ == "__main__":` (see the multiprocessing docs, '
                '"Safe importing of main module"), or pass jobs=1 to run in this process')
    return ("a worker process stopped before finishing its task (killed, e.g. by the system when memory ran out)",
            "run again with fewer workers (--jobs 1 runs in this process), or on a machine with more memory")


class DaskRunner(Runner):
    """Tasks on a Dask cluster: a scheduler address, or a LocalCluster of N workers."""

    name = "dask"
    #: The cluster runs before any map: its start is paid, so every map uses it.
    started = True

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None,
                 worker_setup: WorkerSetup | None = None) -> None:
        super().__init__()
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
            setup: WorkerSetup | None = None, sizes: Sequence[int] | None = None) -> list[Any]:
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
                dask_local: int | None = None, worker_setup: WorkerSetup | None = None,
                force: bool = False) -> Runner:
    """Serial for ``jobs=1``; local processes for ``jobs>1`` (None: one per core); Dask
    when a scheduler address or a LocalCluster size is given.

    ``worker_setup`` runs once in every Dask worker when it starts (e.g. loading a
    model): a cluster starts before any work. A local pool starts only at the first map
    whose work pays for it (:func:`worth_parallel`; ``force``: at the first map), and its
    workers load what they use when they first use it, so a worker that only normalises
    never loads pkuseg (≈ 3.5 s of CPU each)."""
    if dask_scheduler or dask_local:
        return DaskRunner(dask_scheduler, dask_local, worker_setup)
    n = default_jobs() if jobs is None else jobs
    if n < 1:
        raise PlantraceError(f"--jobs must be at least 1, not {n}", hint="give a number of processes such as 2")
    return Runner() if n == 1 else LocalRunner(n, force=force)


def worth_parallel(runner: Runner, chars: Iterable[int], work: str) -> bool:
    """Should this map's work go to the runner's workers? Recorded on the runner (its
    :meth:`~Runner.note` and provenance). ``chars``: the characters of each item that
    needs work (what a cache or the store serves is not work); ``work``: a key of
    :data:`CROSSOVER_CHARS`.

    A Dask cluster is always used (it runs already, maybe on more machines). A local pool
    never for a kind of work it is slower at per character (crossover None); else a
    started pool is used (its start is paid, and a worker loading pkuseg costs no more
    than this process loading it), and a pool not started yet only for work above the
    measured crossover. ``force`` (``--force-pool``) uses the pool for any work."""
    sizes = list(chars)
    total = sum(sizes)
    threshold = CROSSOVER_CHARS[work]
    if runner.workers <= 1 or not sizes:
        parallel, reason = False, "serial"
    elif isinstance(runner, DaskRunner):
        parallel, reason = True, "cluster"
    elif runner.force:
        parallel, reason = True, "forced" if not runner.started else "running"
    elif threshold is None:
        parallel, reason = False, "never"
    elif runner.started:
        parallel, reason = True, "running"
    else:
        parallel = total >= threshold
        reason = "above" if parallel else "below"
    if runner.workers > 1:
        runner.decisions.append(MapDecision(work, len(sizes), total, parallel, reason, threshold))
    return parallel
