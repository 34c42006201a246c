"""``SharedMap``: jobs on forked helpers, the caller taking the rest once it is free, results in job order."""

from __future__ import annotations

import os
import time

import pytest

from builders.pipeline.pool import SharedMap, helper_pool

# A helper's callback that hands out a job to a pool already closed raised in the pool's result thread: an error.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def _square(number: int, delay: float) -> tuple[int, int]:
    time.sleep(delay)
    return number * number, os.getpid()


def _fail(number: int) -> int:
    if number == 3:
        raise ValueError("job 3 fails")
    return number


def test_results_come_in_job_order_whoever_ran_them() -> None:
    with helper_pool(1) as pool:
        shared = SharedMap(pool, _square, [(n, 0.01) for n in range(40)])
        time.sleep(0.05)  # the helper works while this process is busy elsewhere
        results = shared.results()
    assert [square for square, _ in results] == [n * n for n in range(40)]
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2  # the caller took part once free, and so did the helper


@pytest.mark.parametrize("attempt", range(6))  # the race it guards against showed in about one run of three
def test_a_failing_job_is_raised_by_results(attempt: int) -> None:
    with helper_pool(2) as pool:
        shared = SharedMap(pool, _fail, [(n,) for n in range(2)] + [(3,)] + [(n,) for n in range(4, 6)])
        with pytest.raises(ValueError, match="job 3 fails"):
            shared.results()
