"""Atomic publication of a build: write beside the target, then swap it in with renames.

An interrupted build (an exception, Ctrl-C, kill -9) leaves the previous release untouched: the new one
only replaces it once complete. Stale staging folders of killed builds are removed by the next build.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _stale_siblings(target: Path) -> list[Path]:
    prefix = f".{target.name}."
    return [
        p
        for p in target.parent.glob(f"{prefix}*")
        if p.is_dir() and (p.name.startswith(prefix + "building-") or p.name.startswith(prefix + "old-"))
    ]


@contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """Yield an empty folder next to ``target``; on success it replaces ``target``, on failure it goes."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in _stale_siblings(target):
        shutil.rmtree(stale, ignore_errors=True)
    work = target.parent / f".{target.name}.building-{os.getpid()}"
    work.mkdir()
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)
