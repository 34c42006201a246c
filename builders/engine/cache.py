"""The content-addressed cache of per-file outcomes (``--cache DIR``).

An entry is one file's outcome: its record (and dedup features) or its rejection. Its key is
``sha256(raw_path NUL sha256(raw bytes) NUL shared code fingerprint)``: the path is part of it because the
record's id and raw_path come from it. An entry also carries the fingerprint of the site cleaner that made
it, and is used only while that cleaner is unchanged and still the one serving the post's feed; a
rejection carries the fingerprint of all site modules (no single cleaner decided it). Outcomes that depend
on the run rather than the file (``timeout``, ``worker_died``, ``unreadable``, ``internal_error``) are never
cached.

Layout: ``DIR/CACHE.json`` (the format) and ``DIR/segments/<sha256>.parquet``, one segment per parse task
that computed anything, named by the hash of its content and written under a temporary name first, so a
task that dies mid-write leaves no segment. Each row holds ``key``, ``kind``, ``cleaner``, ``cleaner_fp``,
``feed`` (the record's category, source and feed: which cleaner serves it now is decided without the
payload), ``digest`` (sha256 of ``payload``), ``payload`` (a pickle of the rejection, or of the record's
cleaning counts and samples), and for a record its row in Arrow (``record``, the shards' columns) and its
dedup sketch (``dedup``: time key, exact key, shingle count, signature). A hit is used as Arrow: a parse task
takes the rows it needs from the row group, never turning a cached record into Python objects (a pickled
record cost 52 us to load and 23 us to convert back, a third of a hit). Pages carry checksums, checked on
reading: a segment that cannot be read, a page that fails its checksum or an entry whose digest does not
match is reported and recomputed, never used.

Memory stays flat: a segment is written in row groups of ``ROW_GROUP`` entries as the task goes, and a
lookup reads every column but the payloads and rows; those are read a row group at a time when the task
reaches their files (``Payloads``, a few row groups kept), never all at once.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from builders.common.quarantine import Reason, Rejection
from builders.dedup.finder import time_key
from builders.dedup.minhash import NUM_PERM
from builders.engine import fingerprint

CACHE_FORMAT = {"format": "zh-rss-posts outcome cache", "layout": fingerprint.LAYOUT_VERSION}
NOT_CACHED = frozenset({Reason.TIMEOUT, Reason.WORKER_DIED, Reason.UNREADABLE, Reason.INTERNAL_ERROR})
ENTRY_SCHEMA = pa.schema(  # the columns a lookup reads (all but the payload), then the payload
    [
        ("key", pa.string()),
        ("kind", pa.string()),
        ("cleaner", pa.string()),
        ("cleaner_fp", pa.string()),
        ("feed", pa.string()),
        ("digest", pa.string()),
        ("payload", pa.binary()),
    ]
)
DEDUP_TYPE = pa.struct(
    [("time", pa.int64()), ("key", pa.string()), ("size", pa.int64()), ("sig", pa.binary(4 * NUM_PERM))]
)
PAGE_CHECKSUMS = {"write_page_checksum": True}


@functools.cache
def segment_schema() -> pa.Schema:
    """The entry columns, then a record's row (the shards' columns) and its sketch. The shards' schema comes from
    ``datasets``' Features: imported when a task first reads or writes a segment, not by the forkserver."""
    from builders.write.shards import ARROW_SCHEMA

    return pa.schema([*ENTRY_SCHEMA, ("record", pa.struct(list(ARROW_SCHEMA))), ("dedup", DEDUP_TYPE)])


# An outcome: (record row, DedupFeatures, cleaning counts per rule, cleaning samples per rule) or a Rejection.
Outcome = tuple[dict[str, Any], Any, dict[str, dict[str, int]], dict[str, list[str]]] | Rejection


class CacheError(RuntimeError):
    """The cache folder is not one this version can use."""


def entry_key(raw_path: str, raw_sha256: str) -> str:
    return hashlib.sha256(f"{raw_path}\0{raw_sha256}\0{fingerprint.shared()}".encode()).hexdigest()


def open_cache(folder: Path) -> Path:
    """Create or check the cache folder; refuse one of another format."""
    marker = folder / "CACHE.json"
    if marker.exists():
        try:
            found = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CacheError(f"cache {folder}: CACHE.json is unreadable ({error}); remove the folder") from None
        if found != CACHE_FORMAT:
            raise CacheError(f"cache {folder} has format {found}, this build uses {CACHE_FORMAT}: use another --cache")
        return folder
    if folder.exists() and any(folder.iterdir()):
        raise CacheError(f"cache {folder} is a non-empty folder without CACHE.json: not a cache, refusing to use it")
    (folder / "segments").mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(CACHE_FORMAT, sort_keys=True), encoding="utf-8")
    return folder


def _current_fp(kind: str, cleaner: str | None) -> str:
    return fingerprint.site(cleaner or "") if kind == "record" else fingerprint.all_sites()


ROW_GROUP = 2_000
SEP = "\0"


@dataclass(frozen=True)
class Entry:
    """Where a valid entry's payload is: segment file, row group, row within it, and the payload's digest."""

    segment: Path
    group: int
    row: int
    digest: str


@dataclass
class Lookup:
    """What one task found in the cache."""

    hits: dict[str, Entry] = field(default_factory=dict)
    corrupt: int = 0
    stale: int = 0  # entries of a changed cleaner (or one no longer serving the feed)
    messages: list[str] = field(default_factory=list)


def _serves(feed: str, cleaner: str | None) -> bool:
    from builders.cleaners import cleaner_for

    category, source, name = feed.split(SEP)
    return cleaner_for(category, source, name).name == cleaner


def lookup(folder: Path, keys: set[str]) -> Lookup:
    """The valid entries among ``keys`` (payloads not read: see ``Payloads``).

    A segment's ``key`` column is read whole and matched once; the other columns are read only for the row
    groups holding a match, so a task finds its slice without reading the rest of the cache."""
    found = Lookup()
    if not keys:
        return found
    wanted = pa.array(sorted(keys), pa.string())
    columns = [name for name in ENTRY_SCHEMA.names if name != "payload"]
    current: dict[tuple[str, ...], bool] = {}  # (kind, cleaner, cleaner_fp, feed) -> entries with them still valid
    for segment in sorted((folder / "segments").glob("*.parquet")):
        try:
            handle = pq.ParquetFile(segment)
            if pa.schema(list(handle.schema_arrow)[: len(ENTRY_SCHEMA)]) != ENTRY_SCHEMA:
                raise ValueError(f"unexpected columns {handle.schema_arrow.names}")
            matches = pc.indices_nonzero(pc.is_in(handle.read(columns=["key"]).column("key"), value_set=wanted))
            starts = [0]
            for group in range(handle.num_row_groups):
                starts.append(starts[-1] + handle.metadata.row_group(group).num_rows)
            by_group: dict[int, list[int]] = {}
            for index in matches.to_pylist():
                group = bisect.bisect_right(starts, index) - 1
                by_group.setdefault(group, []).append(index - starts[group])
            picked = {
                g: handle.read_row_group(g, columns=columns).take(rows).to_pylist() for g, rows in by_group.items()
            }
        except (OSError, ValueError, IndexError, pa.ArrowException) as error:
            found.messages.append(f"cache segment {segment.name} is unreadable ({error}): ignored, recomputed")
            found.corrupt += 1
            continue
        for group, rows in by_group.items():
            for row, entry in zip(rows, picked[group], strict=True):
                if entry["key"] in found.hits:
                    continue
                facts = (entry["kind"], entry["cleaner"], entry["cleaner_fp"], entry["feed"])
                if facts not in current:
                    current[facts] = entry["cleaner_fp"] == _current_fp(entry["kind"], entry["cleaner"]) and (
                        entry["kind"] != "record" or _serves(entry["feed"], entry["cleaner"])
                    )
                if not current[facts]:
                    found.stale += 1
                    continue
                found.hits[entry["key"]] = Entry(segment, group, row, entry["digest"])
    return found


@dataclass(frozen=True)
class Hit:
    """A cached outcome as a parse task uses it: a rejection, or a record left in Arrow (row ``row`` of ``rows``,
    its row group's ``record`` and ``dedup`` columns) with its cleaning counts and samples."""

    rejection: Rejection | None
    rows: pa.Table | None = None
    row: int = 0
    cleaning: dict[str, dict[str, int]] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)


class Payloads:
    """The outcomes of looked-up entries, read a row group at a time (the last few kept)."""

    KEEP = 4

    def __init__(self) -> None:
        # (segment, group) -> its payload, record and dedup columns, its payloads as bytes, which rows hold a record
        self._groups: dict[tuple[Path, int], tuple[pa.Table, list[bytes | None], Any]] = {}
        self._unreadable: set[tuple[Path, int]] = set()  # row groups that failed once: their entries are recomputed
        self.messages: list[str] = []

    def _group(self, segment: Path, group: int) -> tuple[pa.Table, list[bytes | None], Any]:
        if (segment, group) not in self._groups:
            if len(self._groups) >= self.KEEP:
                del self._groups[next(iter(self._groups))]
            handle = pq.ParquetFile(segment, page_checksum_verification=True)
            table = handle.read_row_group(group, columns=["payload", "record", "dedup"]).combine_chunks()
            expected = segment_schema()
            for name in ("record", "dedup"):
                if table.schema.field(name).type != expected.field(name).type:
                    raise ValueError(f"its {name} column is not this build's")
            payloads = table.column("payload").to_pylist()
            whole = table.column("record").is_valid().to_numpy(zero_copy_only=False)
            self._groups[(segment, group)] = (table, payloads, whole)
        return self._groups[(segment, group)]

    def get(self, entry: Entry) -> Hit | None:
        """The entry's outcome; None (and a message) when it cannot be read or fails its digest. A row group that
        cannot be read is tried once: one message for it, and each of its entries is recomputed."""
        if (entry.segment, entry.group) in self._unreadable:
            return None
        try:
            table, payloads, whole = self._group(entry.segment, entry.group)
            payload = payloads[entry.row]
        except (OSError, ValueError, IndexError, pa.ArrowException) as error:
            self._unreadable.add((entry.segment, entry.group))
            self.messages.append(
                f"cache segment {entry.segment.name}, row group {entry.group}, cannot be read ({error}): recomputed"
            )
            return None
        if payload is None or hashlib.sha256(payload).hexdigest() != entry.digest:
            self.messages.append(f"cache entry in {entry.segment.name} fails its digest: recomputed")
            return None
        try:
            loaded = pickle.loads(payload)
        except Exception as error:
            self.messages.append(f"cache entry in {entry.segment.name} cannot be loaded ({error}): recomputed")
            return None
        if isinstance(loaded, Rejection):
            return Hit(loaded)
        if not (isinstance(loaded, tuple) and len(loaded) == 2) or not whole[entry.row]:
            self.messages.append(f"cache entry in {entry.segment.name} is not a whole record: recomputed")
            return None
        return Hit(None, table, entry.row, *loaded)


def cacheable(outcome: Outcome) -> bool:
    return not isinstance(outcome, Rejection) or outcome.reason not in NOT_CACHED


def dedup_fields(record: dict[str, Any], features: Any) -> dict[str, Any]:
    """A record's ``dedup`` cell (``DEDUP_TYPE``): its time key, exact key, shingle count and signature."""
    sketch = features.sketch
    return {
        "time": time_key(record["published_at"]),
        "key": features.key,
        "size": sketch.shingles if sketch else None,
        "sig": sketch.hashvalues if sketch else None,
    }


class SegmentWriter:
    """Appends one segment, written as the task goes (row groups of ``ROW_GROUP``); named by its content's hash
    when closed, and only if it holds an entry."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "segments"
        self.partial = self.folder / f".segment.{os.getpid()}.{id(self)}.partial"
        self.rows: list[dict[str, Any]] = []
        self.name = hashlib.sha256()
        self.writer: pq.ParquetWriter | None = None

    def add(self, key: str, outcome: Outcome) -> None:
        record: dict[str, Any] | None = None
        dedup: dict[str, Any] | None = None
        if isinstance(outcome, Rejection):
            kind, cleaner, feed, payload = "rejection", None, None, pickle.dumps(outcome, protocol=5)
        else:
            record, features, cleaning, samples = outcome
            kind, cleaner = "record", record["cleaner"]
            feed = SEP.join((record["category"], record["source"], record["feed"]))
            payload = pickle.dumps((cleaning, samples), protocol=5)
            dedup = dedup_fields(record, features)
        digest = hashlib.sha256(payload).hexdigest()
        self.rows.append(
            {
                "key": key,
                "kind": kind,
                "cleaner": cleaner,
                "cleaner_fp": _current_fp(kind, cleaner),
                "feed": feed,
                "digest": digest,
                "payload": payload,
                "record": record,
                "dedup": dedup,
            }
        )
        self.name.update((key + digest).encode())
        if len(self.rows) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.partial, segment_schema(), compression="zstd", **PAGE_CHECKSUMS)
        self.writer.write_table(pa.Table.from_pylist(self.rows, schema=segment_schema()))
        self.rows = []

    def close(self) -> Path | None:
        """Publish the segment (None when it holds nothing)."""
        self._flush()
        if self.writer is None:
            return None
        self.writer.close()
        target = self.folder / f"{self.name.hexdigest()}.parquet"
        os.replace(self.partial, target)
        return target
