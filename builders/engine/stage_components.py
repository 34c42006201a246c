"""Stage 3, ``components`` (one task): union-find over exact groups and near pairs, canonical members, marks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from builders.dedup.finder import EPOCH, NO_DATE, DuplicateFinder
from builders.engine.steps import (
    MARK_SCHEMA,
    EngineError,
    EngineStep,
    die_here,
    read_done,
    read_table,
    write_bytes,
    write_done,
    write_table,
)


class Components(EngineStep):
    """Stage 3, one task: exact groups and near pairs joined (union-find) into clusters, the canonical member
    chosen by ``builders.dedup.DuplicateFinder``'s rule (earliest date, then smallest id: it depends only on
    the cluster's members); the marks of clustered records and the dedup figures are written."""

    name = "components"

    def __init__(self, run_url: str, parse_tasks: int, merge_tasks: int, threshold: float) -> None:
        super().__init__(run_url)
        self.parse_tasks = parse_tasks
        self.merge_tasks = merge_tasks
        self.threshold = threshold

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        folder = self.folder
        parts = []
        for task in range(self.parse_tasks):
            expected = read_done(folder, "parse", task)["sketches"]
            table = read_table(folder, f"parse/sketches/{task:05d}.parquet", ["id", "time", "key"])
            if table.num_rows != expected:
                raise EngineError(
                    f"work dir: parse task {task} wrote {table.num_rows} sketches, its sidecar says {expected}"
                )
            parts.append(table)
        table = pa.concat_tables(parts).sort_by("id")
        ids = table.column("id").to_pylist()
        finder = DuplicateFinder(self.threshold)
        from builders.dedup.features import DedupFeatures

        for post_id, time, key in zip(
            ids, table.column("time").to_pylist(), table.column("key").to_pylist(), strict=True
        ):
            published = None if time == NO_DATE else EPOCH + timedelta(microseconds=time)
            finder.add_features(post_id, published, DedupFeatures(key, None))
        order = np.array(ids, dtype=object)
        pairs: list[tuple[int, int]] = []
        for task in range(self.merge_tasks):
            read_done(folder, "merge", task)
            found = read_table(folder, f"pairs/{task:05d}.parquet")
            a = np.searchsorted(order, np.array(found.column("a").to_pylist(), dtype=object))
            b = np.searchsorted(order, np.array(found.column("b").to_pylist(), dtype=object))
            pairs += list(zip(a.tolist(), b.tolist(), strict=True))
        self.stat_update("near_pairs", value=len(pairs))
        marks = finder.resolve(near_pairs=sorted(set(pairs)))
        stats = finder.stats
        del finder
        clustered = sorted(
            (post_id, mark) for post_id, mark in marks.items() if mark.is_duplicate or mark.near_dup_cluster != post_id
        )
        mark_table = pa.table(
            {
                "id": [p for p, _ in clustered],
                "duplicate_of": [m.duplicate_of for _, m in clustered],
                "cluster": [m.near_dup_cluster for _, m in clustered],
                "kind": [m.kind for _, m in clustered],
            },
            MARK_SCHEMA,
        )
        write_table(folder, "components/marks.parquet", mark_table)
        write_bytes(folder, "components/stats.json", json.dumps(stats.__dict__, sort_keys=True).encode())
        self.stat_update("clustered", value=len(clustered))
        die_here(self.name, rank)
        write_done(folder, "components", rank, {"marks": len(clustered)})
        return
        yield
