"""Atomic publication: a build replaces the previous release whole, or not at all."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from datasets import load_dataset

from builders.build import build
from builders.commands import main
from builders.write.atomic import PublishError, exchange, replace_folder, staging_folder
from tests.helpers import REPO

# A build slowed down to a crawl (each file waits), which says on stdout when it is in the middle.
# The build is slowed by a ``sitecustomize`` module on PYTHONPATH: every interpreter of the build imports it,
# the driver and the forkserver its task processes fork from (a patch in the driver alone would not reach them).
# A parse task says MIDWAY in one write of its own (two tasks run at once with two workers: one line each).
SLOW_SITE = """
import os, time
import builders.pipeline.step as step
real = step.process_all
def slow(files, workers, *args, **kwargs):
    for i, result in enumerate(real(files, workers, *args, **kwargs)):
        if i == 3:
            os.write(1, b"MIDWAY\\n")
        time.sleep(0.2)
        yield result
step.process_all = slow
"""
SLOW_BUILD = """
import sys
import builders.build as b
b.build(b.Path(sys.argv[1]), b.Path(sys.argv[2]), workers=int(sys.argv[3]))
print("FINISHED", flush=True)
"""


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.is_dir())


@pytest.fixture
def corpus(write_post: Callable[..., Path], tmp_path: Path) -> Path:
    for i in range(40):
        write_post(f"文章{i:02d}", title=f"'第{i}篇'", body=f"<p>正文{i}，数字{i * 104729}。</p>")
    return tmp_path / "raw"


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "mark").write_text("a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mark").write_text("b")
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here")
    assert (tmp_path / "a" / "mark").read_text() == "b" and (tmp_path / "b" / "mark").read_text() == "a"


def test_replace_folder_into_nothing_and_over_a_release(tmp_path: Path) -> None:
    target = tmp_path / "ds"
    for generation in ("one", "two"):
        new = tmp_path / f".ds.building-{generation}"
        new.mkdir()
        (new / "MANIFEST.json").write_text(generation)
        replace_folder(new, target)
        assert (target / "MANIFEST.json").read_text() == generation and not new.exists()


def test_the_target_never_disappears_while_releases_are_swapped(tmp_path: Path) -> None:
    target = tmp_path / "ds"
    target.mkdir()
    (target / "MANIFEST.json").write_text("0")
    missing: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (target / "MANIFEST.json").exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for generation in range(200):
            new = tmp_path / f".ds.building-{generation}"
            new.mkdir()
            (new / "MANIFEST.json").write_text(str(generation))
            replace_folder(new, target)
    finally:
        stop.set()
        watcher.join()
    assert missing == []


def test_a_failing_build_leaves_the_previous_release(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    build(corpus, out, workers=1)
    before = tree_digest(out)
    with pytest.raises(RuntimeError, match="boom"), staging_folder(out) as work:
        (work / "README.md").write_text("half")
        raise RuntimeError("boom")
    assert tree_digest(out) == before and leftovers(out) == []


def test_a_folder_that_is_not_a_build_is_never_replaced(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("三年的心血")
    with pytest.raises(PublishError):
        build(corpus, precious, workers=1)
    assert main(["build", str(corpus), "--out", str(precious), "--workers", "1"]) == 2
    assert "refusing" in capsys.readouterr().err
    assert [p.name for p in precious.iterdir()] == ["thesis.tex"] and leftovers(precious) == []


def test_two_builds_cannot_write_one_target_at_once(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    with staging_folder(out):
        with pytest.raises(PublishError, match="another build"):
            build(corpus, out, workers=1)
        assert not out.exists()


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line holds ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.parametrize(
    ("sig", "workers"),
    [(signal.SIGKILL, 1), (signal.SIGINT, 1), (signal.SIGKILL, 2), (signal.SIGINT, 2)],
    ids=["kill-9", "ctrl-c", "kill-9-pool", "ctrl-c-pool"],
)
def test_an_interrupted_build_leaves_the_previous_release_loadable(
    corpus: Path, tmp_path: Path, sig: signal.Signals, workers: int
) -> None:
    out = tmp_path / "ds"
    build(corpus, out, workers=1)
    before = tree_digest(out)
    (corpus / "source" / "_posts" / "金融" / "测试源" / "快讯" / "文章00.md").unlink()  # the next release differs
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_SITE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{REPO}", "HF_DATASETS_OFFLINE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(corpus), str(out), str(workers)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "MIDWAY"
    assert leftovers(out), "the build is not writing its staging folder"
    child.send_signal(sig)
    stdout, _ = child.communicate(timeout=60)
    assert child.returncode != 0 and "FINISHED" not in stdout
    if sys.platform.startswith("linux"):  # no worker outlives its build, even after kill -9
        deadline = time.monotonic() + 10
        while processes_mentioning(str(out)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_mentioning(str(out)) == []
    assert tree_digest(out) == before
    loaded = load_dataset(str(out), "all", cache_dir=str(tmp_path / "cache"))
    assert sum(split.num_rows for split in loaded.values()) == 40
    if sig == signal.SIGINT:  # Ctrl-C cleans up its staging folder; the work dir stays, so a rerun resumes
        assert [name for name in leftovers(out) if not name.endswith(".work")] == []
    summary = build(corpus, out, workers=1)  # and the next build sweeps what kill -9 left
    assert summary.records == 39 and leftovers(out) == []
