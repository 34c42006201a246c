"""Stage 2, ``merge`` (bands x hash ranges tasks): per LSH band and hash range, buckets -> candidate pairs ->
near pairs, on integer rows with ``builders.dedup.lsh``'s search and pair rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datatrove.io import DataFolder

from builders.dedup.lsh import band_keys_of, band_pairs, near_codes
from builders.dedup.minhash import NUM_PERM
from builders.engine.steps import (
    PAIR_SCHEMA,
    SKETCH_SCHEMA,
    EngineError,
    EngineStep,
    bands_of,
    die_here,
    read_done,
    read_table,
    signature_matrix,
    write_done,
    write_table,
)


def _sketches(folder: DataFolder, parse_tasks: int, rows: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Signature matrix and shingle counts of the records of ``rows`` (``id``, ``task``, ``row``: where each one's
    sketch is), row for row: each parse task's sketch file is read once and its rows taken by position; the ids
    found there must be the ids asked for."""
    signatures = np.empty((rows.num_rows, NUM_PERM), dtype="<u4")
    shingles = np.empty(rows.num_rows, dtype=np.int64)
    tasks = rows.column("task").to_numpy()
    for rank in range(parse_tasks):
        mine = np.flatnonzero(tasks == rank)
        if not len(mine):
            continue
        path = f"parse/sketches/{rank:05d}.parquet"
        table = read_table(folder, path, ["id", "size", "sig"])
        at = rows.column("row").take(mine)
        if pc.max(at).as_py() >= table.num_rows:
            raise EngineError(f"work dir: a band file points past the end of {path}; rerun the build")
        found = table.take(at).combine_chunks()
        sig = found.column("sig").chunk(0) if found.num_rows else pa.array([], SKETCH_SCHEMA.field("sig").type)
        if not found.column("id").equals(rows.column("id").take(mine)) or sig.null_count:
            raise EngineError(f"work dir: {path} does not hold the sketches its band files name; rerun the build")
        signatures[mine] = signature_matrix(sig)
        shingles[mine] = pc.fill_null(found.column("size"), 0).to_numpy()
    return signatures, shingles


def _bucket_rows(table: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """The rows (``id``, ``task``, ``row``; sorted by id) and band keys of the rows of a band's ``table`` that share
    a bucket with another, one per exact-duplicate group of a bucket (its smallest id): the rows of the task's
    search, numbered in id order."""
    table = table.sort_by("id")
    bkeys = table.column("bkey").to_numpy()
    if not len(bkeys):
        return table.select(["id", "task", "row"]), bkeys
    xkeys = pc.dictionary_encode(table.column("xkey").combine_chunks(), null_encoding="encode").indices.to_numpy()
    order = np.lexsort((xkeys, bkeys))  # stable: the rows of an exact-duplicate group stay in id order
    by_bkey, by_xkey = bkeys[order], xkeys[order]
    first = order[np.r_[True, (by_bkey[1:] != by_bkey[:-1]) | (by_xkey[1:] != by_xkey[:-1])]]
    keys = bkeys[first]
    sizes = np.diff(np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)])
    rows = np.sort(first[np.repeat(sizes > 1, sizes)])
    return table.select(["id", "task", "row"]).take(rows).combine_chunks(), bkeys[rows]


class MergeBand(EngineStep):
    """Stage 2, ``bands * ranges`` tasks: task (band, range) merges that band's signature files of every parse
    task for band keys in its hash range, keeps one record per exact-duplicate group in each bucket (the
    smallest id), takes the candidate pairs of each bucket and keeps those passing the near-duplicate rule.

    The search is ``builders.dedup.lsh``'s (``band_pairs``, ``near_codes``) over integer rows: the records of
    buckets with company, numbered in id order, so that pair codes sort as the pairs of ids do; ids come
    back only for the pairs kept."""

    name = "merge"

    def __init__(self, run_url: str, parse_tasks: int, ranges: int, threshold: float) -> None:
        super().__init__(run_url)
        self.parse_tasks = parse_tasks
        self.ranges = ranges
        self.threshold = threshold

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        folder = self.folder
        band, part = divmod(rank, self.ranges)
        bands, rows = bands_of(self.threshold)
        low, high = part * 2**64 // self.ranges, (part + 1) * 2**64 // self.ranges
        tables = []
        for task in range(self.parse_tasks):
            read_done(folder, "parse", task)
            table = read_table(folder, f"bands/{band:03d}/{task:05d}.parquet")
            bkeys = table.column("bkey").to_numpy()
            table = table.filter(pa.array((bkeys >= np.uint64(low)) & (bkeys <= np.uint64(high - 1))))
            tables.append(table.append_column("task", pa.array(np.full(table.num_rows, task, np.int32))))
        found, keys = _bucket_rows(pa.concat_tables(tables))
        ids = found.column("id")
        codes = kept = np.empty(0, np.int64)
        if len(ids):
            signatures, shingles = _sketches(folder, self.parse_tasks, found)
            codes = band_pairs(keys, band, bands, band_keys_of(signatures, rows))
            kept = near_codes(codes, signatures, shingles, self.threshold)
        self.stat_update("candidates", value=len(codes))
        self.stat_update("pairs", value=len(kept))
        left, right = np.divmod(kept, max(len(ids), 1))
        write_table(
            folder, f"pairs/{rank:05d}.parquet", pa.table({"a": ids.take(left), "b": ids.take(right)}, PAIR_SCHEMA)
        )
        die_here(self.name, rank)
        write_done(folder, "merge", rank, {"band": band, "range": part, "pairs": len(kept)})
        return
        yield
