"""Faults: an exception costs one file; a dying worker is detected, blamed on its file, and the rest goes on.

Crashes are planted with a wrapper around ``build_post`` that reacts to a marker in the file's bytes; the
worker processes inherit it because the pool forks (the test is skipped where it would not).
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import builders.pipeline.step as process_module
from builders.build import build
from builders.common.quarantine import Reason, Rejection
from builders.pipeline.discover import discover
from builders.pipeline.pool import Budget
from builders.pipeline.step import Processed, process_all
from tests.helpers import make_post

pytestmark = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="planted crashes reach the workers through fork"
)

CRASHES: dict[str, Callable[[], None]] = {
    "EXIT-HERE": lambda: os._exit(3),
    "SIGKILL-HERE": lambda: os.kill(os.getpid(), signal.SIGKILL),
    "SEGFAULT-HERE": lambda: ctypes.string_at(0),  # type: ignore[dict-item]
    "RAISE-HERE": lambda: (_ for _ in ()).throw(ValueError("planted")),
}


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    original = process_module.build_post

    def build_post(data: bytes, raw_path: str) -> object:
        for marker, crash in CRASHES.items():
            if marker.encode() in data:
                crash()
        if b"HANG-IN-C-HERE" in data:  # a worker deaf to the soft limit: only the hard watchdog ends it
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
            time.sleep(60)
        return original(data, raw_path)

    monkeypatch.setattr(process_module, "build_post", build_post)


def write_corpus(write_post: Callable[..., Path], markers: dict[int, str], total: int = 60) -> None:
    for i in range(total):
        body = f"<p>第{i}条正文，内容各不相同：{i * 7919}。</p>" + (f"<p>{markers[i]}</p>" if i in markers else "")
        write_post(f"帖子{i:03d}", body=body, title=f"'标题{i}'")


def outcome(results: list[object]) -> dict[str, str]:
    return {
        (r.raw_path if isinstance(r, Rejection) else r.row["raw_path"]): (
            str(r.reason) if isinstance(r, Rejection) else "record"
        )
        for r in results
    }


@pytest.mark.usefixtures("planted")
def test_dying_workers_are_blamed_on_their_file_and_the_rest_is_processed(
    write_post: Callable[..., Path], tmp_path: Path
) -> None:
    markers = {3: "EXIT-HERE", 17: "SIGKILL-HERE", 18: "SEGFAULT-HERE", 40: "RAISE-HERE"}
    write_corpus(write_post, markers)
    _, files, _ = discover(tmp_path / "raw")
    results = list(process_all(files, workers=2, budget=Budget(soft=5, hard=10)))
    assert [r.raw_path if isinstance(r, Rejection) else r.row["raw_path"] for r in results] == [
        f.raw_path for f in files
    ]
    rejected = {r.raw_path: r for r in results if isinstance(r, Rejection)}
    assert {path.rsplit("/", 1)[1]: r.reason for path, r in rejected.items()} == {
        "帖子003.md": Reason.WORKER_DIED,
        "帖子017.md": Reason.WORKER_DIED,
        "帖子018.md": Reason.WORKER_DIED,
        "帖子040.md": Reason.INTERNAL_ERROR,
    }
    messages = {path.rsplit("/", 1)[1]: r.message for path, r in rejected.items()}
    assert "status 3" in messages["帖子003.md"]
    assert "SIGKILL" in messages["帖子017.md"]
    assert "SIGSEGV" in messages["帖子018.md"]
    assert "ValueError" in messages["帖子040.md"]
    assert sum(isinstance(r, Processed) for r in results) == 56


@pytest.mark.usefixtures("planted")
def test_a_worker_deaf_to_signals_is_ended_by_the_hard_limit(write_post: Callable[..., Path], tmp_path: Path) -> None:
    write_corpus(write_post, {5: "HANG-IN-C-HERE"}, total=12)
    _, files, _ = discover(tmp_path / "raw")
    started = time.perf_counter()
    results = list(process_all(files, workers=2, budget=Budget(soft=0.5, hard=1.5)))
    assert time.perf_counter() - started < 30
    (rejection,) = [r for r in results if isinstance(r, Rejection)]
    assert rejection.raw_path.endswith("帖子005.md") and rejection.reason == Reason.WORKER_DIED
    assert "hard limit" in rejection.message


@pytest.mark.usefixtures("planted")
def test_build_with_a_crashing_file_reconciles_and_reports_it(write_post: Callable[..., Path], tmp_path: Path) -> None:
    write_corpus(write_post, {7: "SEGFAULT-HERE"}, total=30)
    # One worker: the tasks run in this process (where the planted crash is patched in), the files still in an
    # isolated worker process; with more, each task runs in a clean child process that has no patch.
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.reconciles() and summary.records == 29
    rows = [json.loads(line) for line in (tmp_path / "out" / "quarantine.jsonl").read_text().splitlines()]
    assert [(Path(r["raw_path"]).name, r["reason"]) for r in rows] == [("帖子007.md", "worker_died")]


def test_same_output_whatever_the_worker_count(write_post: Callable[..., Path], tmp_path: Path) -> None:
    write_corpus(write_post, {}, total=40)
    write_post("坏的", text=make_post().replace("title:", "titel:"))
    one = build(tmp_path / "raw", tmp_path / "one", workers=1)
    two = build(tmp_path / "raw", tmp_path / "two", workers=2)
    assert one.records == two.records == 40
    for name in ["MANIFEST.json", "quarantine.jsonl", "README.md"]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
