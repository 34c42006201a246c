"""The local executor: datatrove's ``LocalPipelineExecutor``, with each task in a child process of its own.

- ``in_children=False`` (a build with one worker): the tasks run one after another in this process, as
  datatrove's own local executor does with one worker (no child, no pickling; what a debugger or a test's
  monkeypatch sees).
- ``in_children=True`` (the default): each task runs in a fresh child process, ``workers`` at once. The children come from a
  *forkserver* started clean (it imports the stages and their libraries, runs nothing): forking them from
  the driver would copy a polars thread pool that a library user may have started (polars deadlocks in
  such a child; seen here), and spawning a fresh interpreter per task costs seconds of imports. So the
  driver keeps only the file list and the run folder's paths: the records, the dedup state and the
  heavy libraries (pandera, polars, datasets, matplotlib) live in the task processes and go with them.

A child dies with the driver: a thread of the child waits on the driver's pidfd (Linux; elsewhere it polls
the pid) and kills the child when the driver is gone; the per-file workers a parse task forks die with it
(``PR_SET_PDEATHSIG``), and the forkserver exits once no child holds its pipe. A driver killed with SIGKILL
leaves no task running. (The forkserver alone would not do it: each child holds the pipe whose end-of-file
tells the forkserver that its driver is gone.) A task that dies leaves no
completion marker; the stage reports it and a rerun of the same command does it again.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import select
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from copy import deepcopy
from typing import Any

from datatrove.executor import LocalPipelineExecutor
from datatrove.utils.stats import PipelineStats
from loguru import logger

from builders.engine.steps import DRIVER_PID
from builders.pipeline.pool import _die_with_parent

# Imported once by the forkserver, so that each task's child starts with them loaded: the stages and the
# per-file pipeline (numpy, pyarrow, lxml, pydantic). Not pandera, polars, datasets or matplotlib: only the
# parse and write tasks need those (they import them), and a merge task's process should not carry them.
PRELOAD = [
    "builders.engine.local",
    "builders.engine.stage_parse",
    "builders.engine.stage_write",
    "builders.engine.stage_merge",
    "builders.engine.stage_components",
    "builders.pipeline.step",
]


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _exit_with(driver_pid: int) -> None:
    """In the child: a daemon thread that SIGKILLs this process once the driver has exited."""

    def watch() -> None:
        try:
            descriptor = os.pidfd_open(driver_pid)
        except (AttributeError, OSError):
            descriptor = None
        if descriptor is not None:
            select.select([descriptor], [], [])
        else:
            while True:
                try:
                    os.kill(driver_pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="exit-with-driver", daemon=True).start()


def _start_child(driver_pid: int) -> None:
    _die_with_parent()
    _exit_with(driver_pid)


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have exited (a parse task's file workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run_task(executor: LocalExecutor, rank: int, local_rank: int) -> tuple[PipelineStats, int, float]:
    """In the child: one task; the child's peak RSS in bytes (Linux reports KiB) and the task's CPU seconds."""
    os.environ[DRIVER_PID] = str(executor.driver_pid)
    started = _cpu_seconds()
    stats = executor._run_for_rank(rank, local_rank)
    return stats, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, _cpu_seconds() - started


class LocalExecutor(LocalPipelineExecutor):  # type: ignore[misc]
    """datatrove's local executor with tasks in children from a clean forkserver (see the module)."""

    def __init__(self, *args: Any, in_children: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_children = in_children
        self.driver_pid = os.getpid()
        self.peak_rss = 0  # the largest task process (bytes); 0 when the tasks ran in this process
        self.cpu_seconds = 0.0  # CPU of the task processes (a benchmark cannot see them: they are not its children)

    def run(self) -> PipelineStats | None:
        self._launched = True
        ranks = self.get_incomplete_ranks(range(self.local_rank_offset, self.local_rank_offset + self.local_tasks))
        done = self.local_tasks - len(ranks)
        if done:
            logger.info(f"{self.pipeline[0].name}: {done} of {self.local_tasks} tasks already complete, skipped")
        if not ranks:
            return None
        self.save_executor_as_json()
        stats = PipelineStats()
        if not self.in_children:
            template = self.pipeline
            for rank in ranks:
                self.pipeline = deepcopy(template)
                stats += self._run_for_rank(rank, 0)
            self.pipeline = template
        else:
            stats = self._run_in_children(ranks)
        with self.logging_dir.open("stats.json", "wt") as handle:
            stats.save_to_disk(handle)
        return stats

    def _run_in_children(self, ranks: list[int]) -> PipelineStats:
        stats = PipelineStats()
        workers = min(self.workers, len(ranks))
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_context(),
            initializer=_start_child,
            initargs=(self.driver_pid,),
            # A step that forks per-file workers wants a fresh child per task (see ``EngineStep.fresh_process``).
            max_tasks_per_child=1 if getattr(self.pipeline[0], "fresh_process", False) else None,
        )
        try:
            futures: list[Future[tuple[PipelineStats, int, float]]] = [
                pool.submit(_run_task, self, rank, index % workers) for index, rank in enumerate(ranks)
            ]
            for rank, future in zip(ranks, futures, strict=True):
                try:
                    task_stats, peak, cpu = future.result()
                except BrokenProcessPool:
                    logger.error(f"{self.pipeline[0].name}: the process of task {rank} died")
                    continue
                stats += task_stats
                self.peak_rss = max(self.peak_rss, peak)
                self.cpu_seconds += cpu
        except BaseException:  # Ctrl-C or a task's error: the children stop now (they ignore SIGINT)
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return stats
