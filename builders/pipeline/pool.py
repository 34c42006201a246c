"""A worker pool in which no single item can take the run down. It knows nothing of posts: a ``Task``
says what to do with an item, and what its result is when the item times out or kills its process.

- Each item has a time budget: past ``SOFT_TIME_LIMIT`` seconds a signal interrupts it and its result is
  ``task.timed_out``; a worker stuck in C code past ``HARD_TIME_LIMIT`` exits (faulthandler's watchdog
  thread), which the next point turns into ``task.died``.
- A worker that dies (a segfault, ``os._exit``, SIGKILL, the hard limit) breaks the process pool. The
  results already back are kept; every item that was in flight is then run again alone, each in its own
  child process: the item that kills its child gets ``task.died`` (with the signal or exit status) and
  the others their normal result. A fresh pool takes the rest of the items.
- Results come back in input order whatever the worker count, so a build is the same byte for byte.

With ``workers <= 1`` items are processed in this process (soft time budget only): no isolation, but a
dying item still cannot publish anything, since publication is the last step of a build.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import gc
import multiprocessing
import multiprocessing.pool
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

SOFT_TIME_LIMIT = 30.0
HARD_TIME_LIMIT = 90.0
CHUNK_FILES = 16  # items per pool job: a worker death puts at most a window of chunks under suspicion
CHUNKS_IN_FLIGHT_PER_WORKER = 16

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Budget:
    """Per-file time limits in seconds; ``hard`` None means no watchdog (in-process runs)."""

    soft: float | None = SOFT_TIME_LIMIT
    hard: float | None = HARD_TIME_LIMIT


@dataclass(frozen=True)
class Task(Generic[Item, Result]):
    """What the pool does with each item (module-level functions: they travel to the workers by name)."""

    run: Callable[[Item], Result]
    timed_out: Callable[[Item, float | None], Result]  # the soft limit (seconds) ran out
    died: Callable[[Item, str], Result]  # the process running the item died: how


NO_LIMITS = Budget(None, None)


class FileTimeout(BaseException):
    """Raised by the SIGALRM handler; a BaseException so that no ``except Exception`` swallows it."""


_armed = threading.Event()  # set while a file's soft limit runs: a late alarm outside it is ignored


def _on_alarm(signum: int, frame: object) -> None:
    if _armed.is_set():
        _armed.clear()
        raise FileTimeout


@contextlib.contextmanager
def time_budget(budget: Budget) -> Iterator[None]:
    """Arm the soft limit (main thread only: signals need it) and the hard watchdog for one file."""
    soft = budget.soft if threading.current_thread() is threading.main_thread() else None
    previous: Any = None
    if soft:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        _armed.set()
        signal.setitimer(signal.ITIMER_REAL, soft)
    watchdog = False
    if budget.hard:
        try:  # to file descriptor 2: sys.stderr may be a Python object without one (pytest capture)
            faulthandler.dump_traceback_later(budget.hard, exit=True, file=2)  # type: ignore[arg-type]
            watchdog = True
        except (OSError, ValueError, TypeError):
            watchdog = False
    try:
        yield
    finally:
        _armed.clear()
        if watchdog:
            faulthandler.cancel_dump_traceback_later()
        if soft:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def run_one(task: Task[Item, Result], item: Item, budget: Budget = NO_LIMITS) -> Result:
    """One item under its time budget, in this process."""
    try:
        with time_budget(budget):
            return task.run(item)
    except FileTimeout:
        return task.timed_out(item, budget.soft)


def _run_chunk(task: Task[Item, Result], items: list[Item], budget: Budget) -> list[Result]:
    return [run_one(task, item, budget) for item in items]


def _die_with_parent() -> None:
    """Worker initializer: leave Ctrl-C to the parent, and die when the parent dies (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def helper_pool(processes: int) -> multiprocessing.pool.Pool:
    """``processes`` forked helpers for work that is not per file (no isolation, no budget): they leave Ctrl-C to
    this process and die with it. Fork them before this process starts threads (polars' pool deadlocks a fork)."""
    return multiprocessing.get_context("fork").Pool(processes, initializer=_die_with_parent)


class SharedMap(Generic[Result]):
    """``function`` over ``jobs``, started now on ``pool``'s helpers, one job each at a time: a helper's next job
    is handed out from the pool's result thread as its last one comes back, so the helpers keep working while
    this process does something else. ``results()``, called once this process is free, runs the jobs no helper
    has taken yet here, waits for the rest and gives every result in job order (the same whoever ran which)."""

    def __init__(
        self, pool: multiprocessing.pool.Pool, function: Callable[..., Result], jobs: list[tuple[Any, ...]]
    ) -> None:
        self.pool, self.function = pool, function
        self.waiting = deque(enumerate(jobs))
        self.results_by_job: dict[int, Result] = {}
        self.errors: list[BaseException] = []
        self.count = len(jobs)
        self.changed = threading.Condition()
        for _ in range(pool._processes):  # type: ignore[attr-defined]  # multiprocessing keeps a pool's size there
            self._hand_out()

    def _take(self) -> tuple[int, tuple[Any, ...]] | None:
        with self.changed:
            return self.waiting.popleft() if self.waiting and not self.errors else None

    def _hand_out(self) -> None:
        job = self._take()
        if job is not None:
            index, arguments = job
            # ValueError: the pool was closed, the caller has given up (a job failed) and there is nothing to hand out
            with contextlib.suppress(ValueError):
                self.pool.apply_async(
                    self.function,
                    arguments,
                    callback=lambda result: self._back(index, result),
                    error_callback=self._failed,
                )

    def _back(self, index: int, result: Result) -> None:
        with self.changed:
            self.results_by_job[index] = result
            self.changed.notify_all()
        self._hand_out()

    def _failed(self, error: BaseException) -> None:
        with self.changed:
            self.errors.append(error)
            self.changed.notify_all()

    def results(self) -> list[Result]:
        while (job := self._take()) is not None:
            index, arguments = job
            try:
                result = self.function(*arguments)
            except BaseException as error:
                self._failed(error)  # the helpers take no more jobs
                raise
            with self.changed:
                self.results_by_job[index] = result
        with self.changed:
            self.changed.wait_for(lambda: self.errors or len(self.results_by_job) == self.count)
            if self.errors:
                raise self.errors[0]
        return [self.results_by_job[index] for index in range(self.count)]


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "did not finish"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


def _isolated_child(conn: Connection, task: Task[Item, Result], item: Item, budget: Budget) -> None:
    _die_with_parent()
    conn.send(run_one(task, item, budget))
    conn.close()


def run_isolated(task: Task[Item, Result], item: Item, budget: Budget, context: Any = None) -> Result:
    """Run one item in a child process of its own; its death is this item's ``task.died``."""
    context = context or multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_isolated_child, args=(sender, task, item, budget), daemon=True)
    started = time.monotonic()
    child.start()
    sender.close()
    result: Result | None = None
    try:
        patience = (budget.hard or budget.soft or 600.0) + 30.0
        if receiver.poll(patience):
            result = receiver.recv()
    except (EOFError, OSError):
        result = None
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()
    if result is None:
        how = describe_exit(child.exitcode)
        if budget.hard and time.monotonic() - started >= budget.hard:
            how += f", after the hard limit of {budget.hard} s per file"
        return task.died(item, how)
    return result


def _chunks(items: list[Item], size: int) -> deque[list[Item]]:
    return deque(items[i : i + size] for i in range(0, len(items), size))


def run_all(
    task: Task[Item, Result], items: list[Item], workers: int, budget: Budget | None = None, isolated: bool = False
) -> Iterator[Result]:
    """Results in input order, whatever the worker count; every item yields exactly one result.

    ``isolated`` keeps the worker processes (and so the per-item isolation) even with one worker."""
    workers = max(1, workers) if isolated else workers
    if workers <= 1 and not isolated:
        in_process = Budget((budget or Budget()).soft, None)
        for item in items:
            yield run_one(task, item, in_process)
        return
    budget = budget or Budget()
    context = multiprocessing.get_context("fork")  # the parent's pages shared, whatever the default start method
    gc.freeze()  # forked workers share the parent's objects: keep their GC from touching (copying) those pages
    waiting = _chunks(items, CHUNK_FILES)
    in_flight: deque[tuple[list[Item], Future[list[Result]] | None]] = deque()
    pool: ProcessPoolExecutor | None = None
    try:
        while waiting or in_flight:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent)
            while waiting and len(in_flight) < workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                chunk = waiting.popleft()
                try:
                    in_flight.append((chunk, pool.submit(_run_chunk, task, chunk, budget)))
                except BrokenProcessPool:
                    in_flight.append((chunk, None))
                    break
            chunk, future = in_flight.popleft()
            outcome = _outcome(future)
            if outcome == "ok":
                yield from future.result()  # type: ignore[union-attr]
            elif outcome == "failed":  # the chunk failed without breaking the pool (a result that cannot pickle)
                yield from (run_isolated(task, item, budget, context) for item in chunk)
            else:  # the pool is gone: keep what came back, rerun the rest one file per child process
                pool.shutdown(wait=True, cancel_futures=True)
                pool = None
                for suspect_chunk, suspect in [(chunk, future), *in_flight]:
                    if _outcome(suspect) == "ok":
                        yield from suspect.result()  # type: ignore[union-attr]
                    else:
                        yield from (run_isolated(task, item, budget, context) for item in suspect_chunk)
                in_flight.clear()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _outcome(future: Future[list[Result]] | None) -> str:
    """Wait for a task: "ok", "broken" (the pool died under it) or "failed" (it raised)."""
    if future is None or future.cancelled():
        return "broken"
    try:
        future.result()
    except BrokenProcessPool:
        return "broken"
    except Exception:
        return "failed"
    return "ok"
