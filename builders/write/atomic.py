"""Atomic publication of a build: write beside the target, then swap it in.

The build writes into ``.<name>.building-<pid>`` next to the target. On success the folders are swapped
with one ``renameat2(RENAME_EXCHANGE)`` (Linux): at every instant ``<name>`` is either the complete old
release or the complete new one, never missing. Where that call does not exist (another OS, an old
kernel or a file system without it), two renames do the swap, with a moment in between where ``<name>``
is missing but never half-written. An interrupted build (an exception, Ctrl-C, kill -9) leaves the previous
release untouched; folders left by killed builds are removed by the next build to the same target.

Two builds to one target at once are refused (a lock file beside it), and a target that is neither
empty nor a previous build (no ``MANIFEST.json``) is never replaced: ``--out ~`` cannot eat a home folder.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2
RELEASE_MARKER = "MANIFEST.json"


class PublishError(RuntimeError):
    """The target cannot be published to (not a previous build, or another build holds it)."""


def _renameat2() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; False when the system cannot (the caller falls back)."""
    call = _renameat2()
    if call is None:
        return False
    result = call(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)  # type: ignore[operator]
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def replace_folder(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; the old release (if any) is swapped out and removed."""
    if not os.path.lexists(target):
        new.rename(target)
        return
    if exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old release
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def check_replaceable(target: Path) -> None:
    """Refuse a target that is a file, or a non-empty folder that no build wrote."""
    if not os.path.lexists(target):
        return
    if target.is_symlink() or not target.is_dir():
        raise PublishError(f"{target} exists and is not a folder: refusing to replace it")
    if any(target.iterdir()) and not (target / RELEASE_MARKER).is_file():
        raise PublishError(
            f"{target} is a non-empty folder without {RELEASE_MARKER}: not a build, refusing to replace it"
        )


def _stale_siblings(target: Path) -> list[Path]:
    prefix = f".{target.name}."
    return [
        p
        for p in target.parent.glob(f"{prefix}*")
        if p.is_dir() and (p.name.startswith(prefix + "building-") or p.name.startswith(prefix + "old-"))
    ]


@contextmanager
def _lock(target: Path) -> Iterator[None]:
    """An exclusive lock beside the target for the whole build (released by the OS if the build dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    with (target.parent / f".{target.name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another build is writing {target} right now") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """Yield an empty folder next to ``target``; on success it replaces ``target``, on failure it goes."""
    target = target.resolve()  # a symlinked target: the folder it points to is replaced
    target.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(target)
    with _lock(target):
        for stale in _stale_siblings(target):  # only killed builds leave these: we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        work = target.parent / f".{target.name}.building-{os.getpid()}"
        work.mkdir()
        try:
            yield work
            check_replaceable(target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        replace_folder(work, target)


__all__ = ["PublishError", "check_replaceable", "exchange", "replace_folder", "staging_folder"]
