"""What every stage of the build shares: the work dir's file schemas, reading and writing, sidecars, faults.

The stages are datatrove pipeline steps, one small class per stage, one ``run`` each, a module each
(``stage_parse``, ``stage_merge``, ``stage_components``, ``stage_write``). Each step reads and writes files of one run folder of the work dir (a local path or an fsspec URL, opened
through datatrove's ``DataFolder``); see ``builders.engine`` for the layout. A task writes every output
under a temporary name and renames it, then writes its ``done`` sidecar (counts of what it wrote): a task
that dies mid-write leaves no sidecar and no completion marker, and the rerun redoes it. Readers check the
sidecars, so a half-written run is an error with a message, never data.
"""

from __future__ import annotations

import io
import json
import os
import signal
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.io import DataFolder, get_datafolder
from datatrove.pipeline.base import PipelineStep

from builders.common.quarantine import Reason
from builders.dedup.lsh import band_params, candidate_threshold
from builders.dedup.minhash import NUM_PERM
from builders.pipeline.discover import RawFile

BATCH = 2_000  # records per batch of the write stage's loop (per-batch Arrow work is amortised over more rows)
LZ4: dict[str, Any] = {"compression": "lz4", "use_dictionary": False}
KILL_AT = "ZH_ENGINE_KILL_AT"  # "stage:rank": that task kills the driver and itself mid-write (fault tests only)
DRIVER_PID = "ZH_ENGINE_DRIVER_PID"  # set in a task's child process: the driver's pid
FILES = "input/files.jsonl"  # the sorted file list: one JSON line per file (raw_path, path, problem, message)
SKETCH_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("time", pa.int64()),
        ("key", pa.string()),
        ("size", pa.int64()),
        ("sig", pa.binary(4 * NUM_PERM)),
    ]
)
# A band key, its record's exact key and id, and the record's row in its task's sketch file (merge reads its
# signature there by position).
BAND_SCHEMA = pa.schema([("bkey", pa.uint64()), ("xkey", pa.string()), ("id", pa.string()), ("row", pa.int64())])
PAIR_SCHEMA = pa.schema([("a", pa.string()), ("b", pa.string())])
MARK_SCHEMA = pa.schema(
    [("id", pa.string()), ("duplicate_of", pa.string()), ("cluster", pa.string()), ("kind", pa.string())]
)
INPUT_SCHEMA = pa.schema([("raw_path", pa.string()), ("raw_sha256", pa.string())])


class EngineError(RuntimeError):
    """The work dir or a stage's output is not what this build expects."""


def bands_of(threshold: float) -> tuple[int, int]:
    return band_params(candidate_threshold(threshold))


def signature_matrix(sig: pa.FixedSizeBinaryArray) -> np.ndarray:
    """A column of signatures as one (n, ``NUM_PERM``) uint32 matrix, a view of its data buffer."""
    if len(sig) == 0:
        return np.empty((0, NUM_PERM), dtype="<u4")
    data = np.frombuffer(sig.buffers()[1], dtype="<u4")
    return data[sig.offset * NUM_PERM : (sig.offset + len(sig)) * NUM_PERM].reshape(-1, NUM_PERM)


def die_here(stage: str, rank: int) -> None:
    """Fault tests only: at ``KILL_AT``'s stage and rank, SIGKILL the driver (``DRIVER_PID``), then this task."""
    if os.environ.get(KILL_AT) == f"{stage}:{rank}":
        os.kill(int(os.environ.get(DRIVER_PID, os.getpid())), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)


def file_line(item: RawFile) -> bytes:
    """A file of the list as a JSON line; a path that is not UTF-8 keeps its bytes (as surrogate escapes)."""
    problem = str(item.problem) if item.problem else None
    record = {"raw_path": item.raw_path, "path": item.path, "problem": problem, "message": item.problem_message}
    return json.dumps(record).encode() + b"\n"


def _file_lines(folder: DataFolder) -> list[bytes]:
    with folder.open(FILES, "rb") as handle:
        return handle.read().splitlines()


def count_files(folder: DataFolder) -> int:
    return len(_file_lines(folder))


def read_files(folder: DataFolder, rank: int, world_size: int) -> list[RawFile]:
    """The ``rank``-th of ``world_size`` contiguous slices of the file list."""
    lines = _file_lines(folder)
    count = len(lines)
    rows = (json.loads(line) for line in lines[rank * count // world_size : (rank + 1) * count // world_size])
    return [
        RawFile(r["raw_path"], r["path"], Reason(r["problem"]) if r["problem"] else None, r["message"]) for r in rows
    ]


def write_lines(folder: DataFolder, path: str, lines: Iterable[bytes]) -> None:
    """Write ``path`` under a temporary name, a piece at a time (never joined in memory), then rename it."""
    partial = f"{path}.partial-{os.getpid()}"
    with folder.open(partial, "wb") as handle:
        for line in lines:
            handle.write(line)
    folder.mv(partial, path)


def write_bytes(folder: DataFolder, path: str, data: bytes) -> None:
    """Write ``path`` under a temporary name, then rename it into place."""
    write_lines(folder, path, [data])


def write_table(folder: DataFolder, path: str, table: pa.Table, **options: Any) -> None:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **(options or LZ4))
    write_bytes(folder, path, buffer.getvalue())


def read_table(folder: DataFolder, path: str, columns: list[str] | None = None) -> pa.Table:
    try:
        with folder.open(path, "rb") as handle:
            return pq.read_table(handle, columns=columns)
    except (OSError, pa.ArrowException) as error:
        raise EngineError(f"work dir: {path} cannot be read ({error}); delete the work dir to start over") from None


def read_done(folder: DataFolder, stage: str, rank: int) -> dict[str, Any]:
    path = f"{stage}/done/{rank:05d}.json"
    if not folder.isfile(path):
        raise EngineError(f"work dir: stage {stage} task {rank} did not finish (no {path}); rerun the build")
    with folder.open(path, "rt") as handle:
        return json.load(handle)


def write_done(folder: DataFolder, stage: str, rank: int, counts: dict[str, Any]) -> None:
    write_bytes(folder, f"{stage}/done/{rank:05d}.json", json.dumps(counts, sort_keys=True).encode())


class EngineStep(PipelineStep):
    """A stage of the build working on the files of one run folder."""

    type = "zh-rss-posts"
    # True: each task in a child process of its own (the local executor reuses a child for the next task otherwise).
    fresh_process = False

    def __init__(self, run_url: str) -> None:
        super().__init__()
        self.run_url = run_url

    @property
    def folder(self) -> DataFolder:
        return get_datafolder(self.run_url)
