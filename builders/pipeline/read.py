"""Reading a raw file: the one place that reads its bytes, checks their size and decodes them."""

from __future__ import annotations

import os
import stat

from builders.common.quarantine import FileRejected, Reason

MAX_BODY_BYTES = 2 * 1024 * 1024
# A file this large is not read at all: the body limit plus room for any sane front matter.
MAX_FILE_BYTES = MAX_BODY_BYTES + 256 * 1024


def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FileRejected(Reason.FILE_TOO_LARGE, f"file is {size} bytes, over the {MAX_FILE_BYTES} byte limit")


def read_raw(path: str) -> bytes:
    """The file's bytes, read without following a symlink swapped in since discovery, and bounded."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise FileRejected(Reason.UNREADABLE, "not a regular file any more")
            check_file_size(info.st_size)
            return _read_bounded(fd, info.st_size)
        finally:
            os.close(fd)
    except OSError as error:
        raise FileRejected(Reason.UNREADABLE, f"cannot read file: {type(error).__name__}: {error}") from None


GROWTH_READ = 64 * 1024


def _read_bounded(fd: int, size: int) -> bytes:
    """Up to ``MAX_FILE_BYTES + 1`` bytes: one read of the size ``fstat`` gave (and a byte more), then more reads
    only while the file turns out longer (it grew since). A read asks for what it expects, never the limit:
    Python allocates a read's whole buffer first, and 2.3 MB a file cost 30 us of a 40 us read."""
    limit = MAX_FILE_BYTES + 1
    chunks = [os.read(fd, min(size, MAX_FILE_BYTES) + 1)]
    total = len(chunks[0])
    while chunks[-1] and total < limit:
        chunks.append(os.read(fd, min(GROWTH_READ, limit - total)))
        total += len(chunks[-1])
    return b"".join(chunks)


def decode_file(data: bytes) -> str:
    """The file as text; binary and non-UTF-8 files are rejected, never guessed at."""
    check_file_size(len(data))
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise FileRejected(Reason.BINARY, f"file contains NUL bytes (first at byte {at}): binary, not a post")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileRejected(
            Reason.NOT_UTF8,
            f"not valid UTF-8 at byte {error.start}: {error.reason}",
            repr(data[max(0, error.start - 20) : error.start + 20]),
        ) from None
