"""Marks joined back to the records, each record sent to its split's shard writer (the split comes from the
split ledger's routing, ``builders.write.ledger.route``), the rows counted as they go (into the build summary)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from builders.common.identity import SPLITS
from builders.common.summary import BuildSummary
from builders.dedup.finder import DuplicateMark
from builders.write.shards import SplitWriter, row_bytes


def with_marks(table: pa.Table, marks: list[DuplicateMark]) -> pa.Table:
    """``table`` with its dedup columns set from ``marks`` (one per row, in order)."""
    columns = {
        "is_duplicate": [mark.is_duplicate for mark in marks],
        "duplicate_of": [mark.duplicate_of for mark in marks],
        "near_dup_cluster": [mark.near_dup_cluster for mark in marks],
    }
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, table.schema.field(index), pa.array(values, table.schema.field(index).type))
    return table


class SplitRouter:
    """One shard writer per split under ``data_dir``; ``write`` marks a batch and sends each row to its split."""

    def __init__(self, data_dir: Path, summary: BuildSummary) -> None:
        self.summary = summary
        self.writers = {split: SplitWriter(data_dir, split) for split in SPLITS}

    def write(self, table: pa.Table, marks: list[DuplicateMark], splits: list[str]) -> None:
        """Mark the rows of ``table`` and write each to its split (``splits``: one per row, in order)."""
        table = with_marks(table, marks)
        chosen_splits = np.array(splits)
        for split in SPLITS:
            chosen = np.flatnonzero(chosen_splits == split)
            if len(chosen):
                part = table.take(chosen)
                self.writers[split].write(part)
                self.summary.empty_bodies += sum(part.column("empty_body").to_pylist())
                self.summary.count_rows(
                    split,
                    part.column("category").to_pylist(),
                    part.column("is_duplicate").to_pylist(),
                    row_bytes(part).tolist(),
                    [marks[i].kind for i in chosen],
                )

    def close(self) -> None:
        """Close every shard; the summary gets the shards' paths (relative to the dataset folder)."""
        for split, writer in self.writers.items():
            self.summary.shards[split] = [f"data/{path.name}" for path in writer.close()]
