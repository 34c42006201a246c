"""Parquet shards: one writer per split, size-capped, named ``<split>-NNNNN-of-NNNNN.parquet``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.features import FEATURES

ARROW_SCHEMA: pa.Schema = FEATURES.arrow_schema
ROWS_PER_GROUP = 1000
MAX_SHARD_BYTES = 256 * 1024 * 1024  # uncompressed Arrow bytes per shard
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 6, "use_dictionary": True}


def rows_to_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=ARROW_SCHEMA)


class SplitWriter:
    """Streams rows of one split into shards; buffers at most one row group."""

    def __init__(self, folder: Path, split: str, max_shard_bytes: int = MAX_SHARD_BYTES) -> None:
        self.folder = folder
        self.split = split
        self.max_shard_bytes = max_shard_bytes
        self.rows = 0
        self.bytes = 0
        self._buffer: list[dict[str, Any]] = []
        self._writer: pq.ParquetWriter | None = None
        self._shard_bytes = 0
        self._paths: list[Path] = []

    def write(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        table = rows_to_table(self._buffer)
        self._buffer = []
        if self._writer is not None and self._shard_bytes + table.nbytes > self.max_shard_bytes:
            self._writer.close()
            self._writer = None
        if self._writer is None:
            path = self.folder / f"{self.split}-{len(self._paths):05d}.parquet.partial"
            self._paths.append(path)
            self._writer = pq.ParquetWriter(path, ARROW_SCHEMA, **PARQUET_OPTIONS)
            self._shard_bytes = 0
        self._writer.write_table(table, row_group_size=ROWS_PER_GROUP)
        self._shard_bytes += table.nbytes
        self.rows += table.num_rows
        self.bytes += table.nbytes

    def close(self) -> list[Path]:
        """Finish the last shard and give every shard its final ``-NNNNN-of-NNNNN`` name."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
        # An empty split gets no shard (a zero-row parquet file cannot be read by `datasets`).
        total = len(self._paths)
        final = []
        for index, path in enumerate(self._paths):
            target = self.folder / f"{self.split}-{index:05d}-of-{total:05d}.parquet"
            path.rename(target)
            final.append(target)
        return final
