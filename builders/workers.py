"""Process files in worker processes so that no single file can take the build down.

- Each file has a time budget: past ``SOFT_TIME_LIMIT`` seconds a signal interrupts it and it is
  quarantined as ``timeout``; a worker stuck in C code past ``HARD_TIME_LIMIT`` exits (faulthandler's
  watchdog thread), which the next point turns into ``worker_died``.
- A worker that dies (a segfault, ``os._exit``, SIGKILL, the hard limit) breaks the process pool. The
  results already back are kept; every file that was in flight is then run again alone, each in its own
  child process: the file that kills its child is quarantined as ``worker_died`` (with the signal or
  exit status) and the others get their normal result. A fresh pool takes the rest of the files.
- Results come back in input order whatever the worker count, so a build is the same byte for byte.

With ``workers <= 1`` files are processed in this process (soft time budget only): no isolation, but a
dying file still cannot publish anything, since publication is the last step of a build.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import gc
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from builders.dedup import DEDUP_FEATURES, features_of
from builders.discover import RawFile
from builders.process import MAX_FILE_BYTES, process_file
from builders.quarantine import Reason, Rejected, Rejection
from schemas.record import Post

SOFT_TIME_LIMIT = 30.0
HARD_TIME_LIMIT = 90.0
CHUNK_FILES = 16  # files per task: a worker death puts at most a window of chunks under suspicion
CHUNKS_IN_FLIGHT_PER_WORKER = 4

Result = dict[str, Any] | Rejection


@dataclass(frozen=True)
class Budget:
    """Per-file time limits in seconds; ``hard`` None means no watchdog (in-process runs)."""

    soft: float | None = SOFT_TIME_LIMIT
    hard: float | None = HARD_TIME_LIMIT


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


def read_raw(item: RawFile) -> bytes:
    """The file's bytes, read without following a symlink swapped in since discovery, and bounded."""
    fd = os.open(item.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Rejected(Reason.UNREADABLE, "not a regular file any more")
        if info.st_size > MAX_FILE_BYTES:
            raise Rejected(Reason.FILE_TOO_LARGE, f"file is {info.st_size} bytes, over the {MAX_FILE_BYTES} byte limit")
        return handle.read(MAX_FILE_BYTES + 1)


def process_one(item: RawFile, budget: Budget = Budget(None, None)) -> Result:
    """One file, whatever happens to it, as a record dict (cheap to pickle) or a rejection."""
    if item.problem is not None:
        return Rejection(item.raw_path, item.problem, item.problem_message or str(item.problem))
    try:
        with time_budget(budget):
            try:
                data = read_raw(item)
            except OSError as error:
                return Rejection(item.raw_path, Reason.UNREADABLE, f"cannot read file: {type(error).__name__}: {error}")
            result = process_file(data, item.raw_path)
            if not isinstance(result, Post):
                return result
            row = result.model_dump()
            row[DEDUP_FEATURES] = features_of(result.text)  # MinHash here, in the workers, in parallel
    except FileTimeout:
        return Rejection(item.raw_path, Reason.TIMEOUT, f"processing took over the {budget.soft} s budget per file")
    except Rejected as rejected:
        return Rejection(item.raw_path, rejected.reason, rejected.message, rejected.snippet)
    except Exception as error:
        return Rejection(item.raw_path, Reason.INTERNAL_ERROR, f"{type(error).__name__}: {error}"[:500])
    return row


def _process_chunk(items: list[RawFile], budget: Budget) -> list[Result]:
    return [process_one(item, budget) for item in items]


def _die_with_parent() -> None:
    """Worker initializer: leave Ctrl-C to the parent, and die when the parent dies (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "did not finish"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


def _isolated_child(conn: Connection, item: RawFile, budget: Budget) -> None:
    _die_with_parent()
    conn.send(process_one(item, budget))
    conn.close()


def process_isolated(item: RawFile, budget: Budget, context: Any = None) -> Result:
    """Run one file in a child process of its own; its death is this file's rejection."""
    context = context or multiprocessing.get_context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_isolated_child, args=(sender, item, budget), daemon=True)
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
        return Rejection(item.raw_path, Reason.WORKER_DIED, f"the worker process died on this file ({how})")
    return result


def _chunks(files: list[RawFile], size: int) -> deque[list[RawFile]]:
    return deque(files[i : i + size] for i in range(0, len(files), size))


def process_all(
    files: list[RawFile], workers: int, budget: Budget | None = None, isolated: bool = False
) -> Iterator[Result]:
    """Results in input order, whatever the worker count; every file yields exactly one result.

    ``isolated`` keeps the worker processes (and so the per-file isolation) even with one worker."""
    workers = max(1, workers) if isolated else workers
    if workers <= 1 and not isolated:
        in_process = Budget((budget or Budget()).soft, None)
        for item in files:
            yield process_one(item, in_process)
        return
    budget = budget or Budget()
    context = multiprocessing.get_context()
    gc.freeze()  # forked workers share the parent's objects: keep their GC from touching (copying) those pages
    waiting = _chunks(files, CHUNK_FILES)
    in_flight: deque[tuple[list[RawFile], Future[list[Result]] | None]] = deque()
    pool: ProcessPoolExecutor | None = None
    try:
        while waiting or in_flight:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent)
            while waiting and len(in_flight) < workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                chunk = waiting.popleft()
                try:
                    in_flight.append((chunk, pool.submit(_process_chunk, chunk, budget)))
                except BrokenProcessPool:
                    in_flight.append((chunk, None))
                    break
            chunk, future = in_flight.popleft()
            outcome = _outcome(future)
            if outcome == "ok":
                yield from future.result()  # type: ignore[union-attr]
            elif outcome == "failed":  # the chunk failed without breaking the pool (a result that cannot pickle)
                yield from (process_isolated(item, budget, context) for item in chunk)
            else:  # the pool is gone: keep what came back, rerun the rest one file per child process
                pool.shutdown(wait=True, cancel_futures=True)
                pool = None
                for suspect_chunk, suspect in [(chunk, future), *in_flight]:
                    if _outcome(suspect) == "ok":
                        yield from suspect.result()  # type: ignore[union-attr]
                    else:
                        yield from (process_isolated(item, budget, context) for item in suspect_chunk)
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
