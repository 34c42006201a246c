"""Stage 1, ``parse`` (``--tasks`` tasks): files -> records, rejections, inputs, dedup sketches, band signatures.

Task r takes the r-th contiguous slice of the sorted file list and runs the per-file step with per-file
isolation (``builders.pipeline.pool``, always in worker processes: a file that hangs or kills its process is
its own ``timeout`` / ``worker_died`` rejection), answering from the outcome cache what it can. Records are
held to the pandera rules (``builders.write.invariants``) and written ``CHUNK`` files at a time, so a task's
memory holds one chunk of records, never its whole slice; the cache keeps outcomes *after* the rules, so a
cached record is not checked again.

The libraries a task needs (the per-file pipeline, pandera and polars) are imported in ``run``: the driver
builds the step without loading them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from builders.common.quarantine import Rejection
from builders.dedup.lsh import band_keys
from builders.engine import cache
from builders.engine.steps import (
    BAND_SCHEMA,
    INPUT_SCHEMA,
    LZ4,
    SKETCH_SCHEMA,
    EngineStep,
    bands_of,
    die_here,
    read_files,
    signature_matrix,
    write_bytes,
    write_done,
    write_lines,
    write_table,
)
from builders.pipeline.discover import RawFile

CHUNK = 2_000  # files per chunk: held to the rules and written together


def _started(results: Iterator[Any]) -> Iterator[Any]:
    """``results`` with its first item already asked for (which starts the file workers)."""
    first = next(results, _END)
    return results if first is _END else itertools.chain([first], results)


_END = object()


def _outcome(result: Any) -> cache.Outcome:
    """A per-file result as the cache keeps it: a rejection, or (row, features, cleaning counts, samples)."""
    return result if isinstance(result, Rejection) else (result.row, result.features, result.cleaning, result.samples)


def _rejection_line(rejection: Rejection, sha: str) -> bytes:
    line = {**rejection.to_json_dict(), "raw_sha256": sha}
    return json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n"


class ChunkRecords:
    """A chunk's records in file order, as Arrow: the shards' columns and the sketch's. Cached records are taken
    from their row groups (never turned into Python objects), records computed now are converted."""

    def __init__(self) -> None:
        self.sources: list[pa.Table] = []  # cached row groups, in first use
        self.taken: list[list[int]] = []  # per source, its rows in file order
        self.computed: list[tuple[dict[str, Any], Any]] = []  # (row, features) computed now
        self.order: list[tuple[int, int]] = []  # per record: (source, its place among the source's rows)
        self._source_of: dict[int, int] = {}

    @property
    def size(self) -> int:
        return len(self.order)

    def add(self, outcome: cache.Hit | tuple[Any, ...]) -> None:
        if isinstance(outcome, cache.Hit):
            source = self._source_of.setdefault(id(outcome.rows), len(self.sources))
            if source == len(self.sources):
                self.sources.append(outcome.rows)
                self.taken.append([])
            self.order.append((source, len(self.taken[source])))
            self.taken[source].append(outcome.row)
        else:
            self.order.append((-1, len(self.computed)))
            self.computed.append((outcome[0], outcome[1]))

    def tables(self, computed: pa.Table) -> tuple[pa.Table, pa.Table]:
        """The records (``computed``'s schema) and their sketches (``SKETCH_SCHEMA``), row for row, in file order;
        ``computed``: the records computed now, in the order they were added, as the rules already converted them."""
        if computed.num_rows != len(self.computed):
            raise ValueError(f"{computed.num_rows} computed rows given for {len(self.computed)} records added")
        records, sketches = [], []
        for source, rows in zip(self.sources, self.taken, strict=True):
            taken = source.select(["record", "dedup"]).take(rows)
            record, dedup = (column.combine_chunks() for column in taken.columns)
            records.append(pa.Table.from_arrays(record.flatten(), schema=computed.schema))
            sketches.append(pa.Table.from_arrays([record.field("id"), *dedup.flatten()], schema=SKETCH_SCHEMA))
        records.append(computed)
        computed = [{"id": row["id"], **cache.dedup_fields(row, features)} for row, features in self.computed]
        sketches.append(pa.Table.from_pylist(computed, schema=SKETCH_SCHEMA))
        starts = list(itertools.accumulate([len(rows) for rows in self.taken], initial=0))
        order = pa.array([starts[s] + k if s >= 0 else starts[-1] + k for s, k in self.order], pa.int64())
        return pa.concat_tables(records).take(order), pa.concat_tables(sketches).take(order)


class ParseFiles(EngineStep):
    """Stage 1: one contiguous slice of the file list per task (see the module)."""

    name = "parse"
    # A task forks its file workers before it loads pandera, polars and datasets; in a child reused from an earlier
    # task they would be forked from all of that (and from its leftovers): 100,000 posts in 10 tasks on 2 workers
    # peaked at 1,244 MB of PSS, file workers of 375 MB each. A fresh child costs about 0.9 s a task.
    fresh_process = True

    def __init__(
        self, run_url: str, processes: int, threshold: float, cache_dir: str | None, soft_limit: float | None = None
    ) -> None:
        super().__init__(run_url)
        self.processes = processes
        self.threshold = threshold
        self.cache_dir = cache_dir
        self.soft_limit = soft_limit

    def _cached(self, items: list[RawFile]) -> tuple[dict[int, cache.Entry], dict[int, str]]:
        """The outcomes the cache holds for ``items`` (by index), and the raw sha256 of every readable file."""
        from builders.pipeline.read import read_raw

        shas: dict[int, str] = {}
        if self.cache_dir is None:
            return {}, shas
        keys: dict[int, str] = {}
        for index, item in enumerate(items):
            if item.problem is None:
                try:
                    shas[index] = hashlib.sha256(read_raw(item.path)).hexdigest()
                except Exception:  # unreadable, too large, not a file: the per-file step says why
                    continue
                keys[index] = cache.entry_key(item.raw_path, shas[index])
        found = cache.lookup(Path(self.cache_dir), set(keys.values()))
        self._report_corrupt(found.messages)
        self.stat_update("cache_stale", value=found.stale)
        return {index: found.hits[key] for index, key in keys.items() if key in found.hits}, shas

    def _report_corrupt(self, messages: list[str]) -> None:
        """Cache entries or segments that could not be used (each recomputed): counted and printed."""
        for message in messages:
            self.stat_update("cache_corrupt")
            print(f"warning: {message}")

    def _process(self, items: list[RawFile], budget: Any) -> Iterator[Any]:
        from builders.pipeline.step import process_all

        return process_all(items, self.processes, budget, isolated=True)

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        from builders.describe.cleaning import CleaningTally
        from builders.pipeline.pool import Budget

        folder = self.folder
        name = f"{rank:05d}"
        items = read_files(self.folder, rank, world_size)
        hits, shas = self._cached(items)
        todo = [index for index in range(len(items)) if index not in hits]
        self.stat_update("cache_hits", value=len(hits))
        self.stat_update("cache_misses", value=len(todo))
        budget = Budget() if self.soft_limit is None else Budget(self.soft_limit, max(self.soft_limit * 3, 5.0))
        fresh = _started(self._process([items[i] for i in todo], budget))
        # Only now the libraries of the rules and the records (pandera, polars, datasets): the file workers have
        # forked already, and do not carry their pages.
        from builders.describe.manifest import raw_file_sha256
        from builders.write.invariants import hold_to_rules
        from builders.write.shards import ARROW_SCHEMA, rows_to_table

        segment = cache.SegmentWriter(Path(self.cache_dir)) if self.cache_dir is not None else None
        payloads = cache.Payloads()
        rejections: list[bytes] = []
        inputs: list[tuple[str, str]] = []
        sketches: list[pa.Table] = []
        tally = CleaningTally()
        records = 0
        empty = ARROW_SCHEMA.empty_table()
        partial = f"parse/records/{name}.parquet.partial-{os.getpid()}"
        with folder.open(partial, "wb") as handle, pq.ParquetWriter(handle, ARROW_SCHEMA, **LZ4) as writer:
            for start in range(0, len(items), CHUNK):
                rows: list[tuple[int, Any]] = []  # (index, a cache hit or an outcome computed now)
                for index in range(start, min(start + CHUNK, len(items))):
                    hit = payloads.get(hits[index]) if index in hits else None
                    if hit is not None:
                        rows.append((index, hit))
                        continue
                    with self.track_time("file"):  # a miss, or a hit whose payload turned out unreadable
                        result = next(fresh) if index not in hits else next(self._process([items[index]], budget))
                    rows.append((index, _outcome(result)))
                # Invariants at build time, on the records computed now (a cached record kept them already).
                computed = [o for _, o in rows if isinstance(o, tuple)]
                # The records that keep the rules, converted once: the chunk writes this very table.
                kept, broken = hold_to_rules(rows_to_table([o[0] for o in computed])) if computed else (empty, [])
                broken_by_path = {rejection.raw_path: rejection for rejection in broken}
                chunk = ChunkRecords()
                for index, outcome in rows:
                    item = items[index]
                    if isinstance(outcome, cache.Hit):  # keyed by the bytes hashed before
                        sha, cleaning, samples = shas[index], outcome.cleaning, outcome.samples
                        if outcome.rejection is not None:
                            outcome = outcome.rejection
                    elif isinstance(outcome, Rejection):  # keyed by the bytes hashed before, if they could be read
                        key_sha, sha = shas.get(index), shas.get(index) or raw_file_sha256(item.path)
                        if segment is not None and key_sha is not None and cache.cacheable(outcome):
                            segment.add(cache.entry_key(item.raw_path, key_sha), outcome)
                    else:  # keyed by the bytes the record was made from
                        sha = outcome[0]["raw_sha256"]
                        outcome = broken_by_path.get(item.raw_path, outcome)
                        if segment is not None and cache.cacheable(outcome):
                            segment.add(cache.entry_key(item.raw_path, sha), outcome)
                        if not isinstance(outcome, Rejection):
                            _, _, cleaning, samples = outcome
                    inputs.append((item.raw_path, sha))
                    if isinstance(outcome, Rejection):
                        rejections.append(_rejection_line(outcome, sha))
                        self.stat_update("rejections")
                        continue
                    chunk.add(outcome)
                    tally.add_post(cleaning, samples, item.raw_path)
                if chunk.size:
                    table, sketch_table = chunk.tables(kept)
                    writer.write_table(table)
                    sketches.append(sketch_table)
                    records += chunk.size
                    self.stat_update("records", value=chunk.size)
                del rows, chunk
        folder.mv(partial, f"parse/records/{name}.parquet")
        if segment is not None:
            segment.close()
        self._report_corrupt(payloads.messages)
        self.stat_update("files", value=len(items))
        die_here(self.name, rank)
        write_lines(folder, f"parse/rejections/{name}.jsonl", rejections)
        write_bytes(folder, f"parse/cleaning/{name}.json", json.dumps(tally.as_json(), sort_keys=True).encode())
        inputs_table = pa.table(
            {"raw_path": [p for p, _ in inputs], "raw_sha256": [s for _, s in inputs]}, INPUT_SCHEMA
        )
        write_table(folder, f"parse/inputs/{name}.parquet", inputs_table)
        self._write_sketches(name, sketches)
        write_done(
            folder,
            "parse",
            rank,
            {
                "files": len(items),
                "records": records,
                "rejections": len(rejections),
                "sketches": records,
                "cache_hits": len(hits),
                "cache_misses": len(todo),
            },
        )
        return
        yield

    def _write_sketches(self, name: str, sketches: list[pa.Table]) -> None:
        """The task's sketches (sorted by id) and, per LSH band, its band keys (sorted by key, then id)."""
        folder = self.folder
        sketch_table = pa.concat_tables([SKETCH_SCHEMA.empty_table(), *sketches]).sort_by("id")
        write_table(folder, f"parse/sketches/{name}.parquet", sketch_table)
        valid = pc.is_valid(sketch_table.column("sig"))
        with_sig = sketch_table.filter(valid)
        sketch_rows = pc.indices_nonzero(valid).cast(pa.int64())
        bands, rows = bands_of(self.threshold)
        signatures = signature_matrix(with_sig.column("sig").combine_chunks())
        for band in range(bands):
            table = pa.table(
                {
                    "bkey": band_keys(signatures, band, rows),
                    "xkey": with_sig.column("key"),
                    "id": with_sig.column("id"),
                    "row": sketch_rows,
                },
                schema=BAND_SCHEMA,
            ).sort_by([("bkey", "ascending"), ("id", "ascending")])
            write_table(folder, f"bands/{band:03d}/{name}.parquet", table)
