"""Stage 4, ``write`` (one task, on the machine holding the output): the dataset folder, published atomically.

The marks of the components stage are joined back to the records (read in the file list's order), each record
is routed to its split (a released record keeps the split of the previous release's ledger), the shards,
quarantine, cleaning report, stats, card, Croissant and manifest are written into a staging folder, and the
folder is published in one rename (``builders.write.atomic``). The build's summary is left in the run folder
(``write/summary.pickle``) for the driver, which never loads the libraries this stage needs. With ``processes``
above one, ``processes - 1`` helpers are forked when the task starts (before it loads polars): they read the
shards back for the manifest, in parts, while the task itself writes the stats, plots and card.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from builders.common.quarantine import Ignored, Reason, Rejection
from builders.common.summary import BuildSummary, DedupStats, Routing
from builders.dedup.finder import DuplicateMark
from builders.engine.steps import BATCH, EngineError, EngineStep, count_files, read_done, read_table, write_bytes

SUMMARY = "write/summary.pickle"


def read_summary(folder: Any) -> BuildSummary:
    """The summary a finished write stage left in the run folder."""
    with folder.open(SUMMARY, "rb") as handle:
        summary: BuildSummary = pickle.load(handle)
    return summary


class WriteDataset(EngineStep):
    """Stage 4: the dataset folder from the run folder (see the module)."""

    name = "write"

    def __init__(
        self,
        run_url: str,
        parse_tasks: int,
        out_dir: str,
        threshold: float,
        against: str | None = None,
        audit: str | None = None,
        processes: int = 1,
    ) -> None:
        super().__init__(run_url)
        self.processes = processes
        self.parse_tasks = parse_tasks
        self.out_dir = out_dir
        self.threshold = threshold
        self.against = against
        self.audit = audit

    def _splits(
        self, marks: dict[str, DuplicateMark], old_ledger: dict[str, str]
    ) -> tuple[dict[str, str], Routing, set[str]]:
        """Every record's split, routed by the previous release's ledger (a released record keeps its split), and
        the build's categories (the topic labels)."""
        from builders.write.ledger import route

        clusters: dict[str, str] = {}
        categories: set[str] = set()
        for task in range(self.parse_tasks):
            table = read_table(self.folder, f"parse/records/{task:05d}.parquet", ["id", "category"])
            categories.update(table.column("category").to_pylist())
            for post_id in table.column("id").to_pylist():
                mark = marks.get(post_id)
                clusters[post_id] = mark.near_dup_cluster if mark else post_id
        split_by_id, routing = route(clusters, old_ledger)
        return split_by_id, routing, categories

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        import pandas  # noqa: F401  (pyarrow loads it on its first conversions: the helpers share it, not load it)

        from builders.pipeline.pool import helper_pool

        # The helpers that read the shards back for the manifest (this process and they make ``processes``), forked
        # while this process is still small and before polars has started its threads (a fork would deadlock them).
        # Each helper costs about 200 MB (PSS) at 100,000 posts: one per worker beyond this one, no more.
        with helper_pool(self.processes - 1) if self.processes > 1 else contextlib.nullcontext() as pool:
            self._write(pool)
        return
        yield

    def _write(self, pool: Any) -> None:
        from builders.describe.changelog import HISTORY_NAME
        from builders.describe.cleaning import CleaningTally, write_audit, write_cleaning
        from builders.describe.folder import describe_folder
        from builders.write.atomic import staging_folder
        from builders.write.ledger import LEDGER_NAME, merged, previous_ledger, write_ledger
        from builders.write.splits import SplitRouter
        from builders.write.topics import label_names, previous_label_names, with_labels

        folder = self.folder
        read_done(folder, "components", 0)
        with folder.open("input/ignored.jsonl", "rt") as handle:
            ignored = [Ignored(**json.loads(line)) for line in handle if line.strip()]
        files = count_files(folder)
        marks = {
            row["id"]: DuplicateMark(row["duplicate_of"] is not None, row["duplicate_of"], row["cluster"], row["kind"])
            for row in read_table(folder, "components/marks.parquet").to_pylist()
        }
        with folder.open("components/stats.json", "rt") as handle:
            stats = DedupStats(**json.load(handle))
        against = Path(self.against) if self.against else None
        old_ledger, against_identity = previous_ledger(against)
        summary = BuildSummary(
            files_seen=files + len(ignored), ignored=ignored, against=against_identity, dedup_threshold=self.threshold
        )
        summary.dedup = stats
        split_by_id, summary.routing, categories = self._splits(marks, old_ledger)
        summary.label_names = label_names(categories, previous=previous_label_names(against))
        with staging_folder(Path(self.out_dir)) as work:
            data_dir = work / "data"
            data_dir.mkdir()
            router = SplitRouter(data_dir, summary)
            for task in range(self.parse_tasks):
                done = read_done(folder, "parse", task)
                with folder.open(f"parse/rejections/{task:05d}.jsonl", "rt", encoding="utf-8") as handle:
                    for line in handle:
                        row = json.loads(line)
                        summary.quarantined.append(
                            Rejection(row["raw_path"], Reason(row["reason"]), row["message"], row["snippet"])
                        )
                inputs = read_table(folder, f"parse/inputs/{task:05d}.parquet")
                summary.input_files += zip(
                    inputs.column("raw_path").to_pylist(), inputs.column("raw_sha256").to_pylist(), strict=True
                )
                seen = 0
                with folder.open(f"parse/records/{task:05d}.parquet", "rb") as handle:
                    for record_batch in pq.ParquetFile(handle).iter_batches(batch_size=BATCH):
                        seen += record_batch.num_rows
                        ids = record_batch.column("id").to_pylist()
                        marked = [marks.get(i) or DuplicateMark(False, None, i) for i in ids]
                        table = with_labels(pa.Table.from_batches([record_batch]), summary.label_names)
                        router.write(table, marked, [split_by_id[i] for i in ids])
                if seen != done["records"]:
                    raise EngineError(
                        f"work dir: parse task {task} holds {seen} records, its sidecar says {done['records']}"
                    )
            del marks
            pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages: the card needs none
            router.close()
            tally = CleaningTally()  # tasks in order: the first samples of each rule are the build's first
            for task in range(self.parse_tasks):
                with folder.open(f"parse/cleaning/{task:05d}.json", "rt") as handle:
                    part = json.load(handle)
                tally.add(part["counts"], part["samples"])
            summary.cleaning = tally.as_json()["counts"]
            write_cleaning(work, summary.cleaning)
            if self.audit:
                write_audit(Path(self.audit), tally.samples)
            write_ledger(work / LEDGER_NAME, merged(old_ledger, split_by_id))
            del split_by_id, old_ledger
            if against is not None and (against / HISTORY_NAME).is_file():
                shutil.copyfile(against / HISTORY_NAME, work / HISTORY_NAME)  # the history travels with the data
            describe_folder(work, summary, pool)
        self.stat_update("records", value=summary.records)
        write_bytes(folder, SUMMARY, pickle.dumps(summary, protocol=5))
