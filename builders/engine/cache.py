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
task that dies mid-write leaves no segment. Each row holds ``key``, ``kind``, ``cleaner``,
``cleaner_fp``, ``digest`` (sha256 of ``payload``) and ``payload`` (a pickle of the outcome). A segment that
cannot be read, or an entry whose digest does not match, is reported and recomputed, never used.
"""

from __future__ import annotations

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
from builders.engine import fingerprint

CACHE_FORMAT = {"format": "zh-rss-posts outcome cache", "layout": fingerprint.LAYOUT_VERSION}
NOT_CACHED = frozenset({Reason.TIMEOUT, Reason.WORKER_DIED, Reason.UNREADABLE, Reason.INTERNAL_ERROR})
SEGMENT_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("kind", pa.string()),
        ("cleaner", pa.string()),
        ("cleaner_fp", pa.string()),
        ("digest", pa.string()),
        ("payload", pa.binary()),
    ]
)
# An outcome: (record row without features, DedupFeatures) or a Rejection.
Outcome = tuple[dict[str, Any], Any] | Rejection


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


@dataclass
class Lookup:
    """What one task found in the cache."""

    hits: dict[str, Outcome] = field(default_factory=dict)
    corrupt: int = 0
    stale: int = 0  # entries of a changed cleaner (or one no longer serving the feed)
    messages: list[str] = field(default_factory=list)


def _still_serves(row: dict[str, Any]) -> bool:
    from builders.cleaners import cleaner_for

    return cleaner_for(row["category"], row["source"], row["feed"]).name == row["cleaner"]


def lookup(folder: Path, keys: set[str]) -> Lookup:
    """The valid entries among ``keys``."""
    found = Lookup()
    if not keys:
        return found
    wanted = pa.array(sorted(keys), pa.string())
    for segment in sorted((folder / "segments").glob("*.parquet")):
        try:
            table = pq.read_table(segment)
            if table.schema != SEGMENT_SCHEMA:
                raise ValueError(f"unexpected columns {table.schema.names}")
        except (OSError, ValueError, pa.ArrowException) as error:
            found.messages.append(f"cache segment {segment.name} is unreadable ({error}): ignored, recomputed")
            found.corrupt += 1
            continue
        table = table.filter(pc.is_in(table.column("key"), value_set=wanted))
        for row in table.to_pylist():
            if row["key"] in found.hits:
                continue
            payload = row["payload"]
            if hashlib.sha256(payload).hexdigest() != row["digest"]:
                found.corrupt += 1
                found.messages.append(f"cache entry {row['key'][:16]} in {segment.name} fails its digest: recomputed")
                continue
            try:
                outcome = pickle.loads(payload)
            except Exception as error:
                found.corrupt += 1
                found.messages.append(f"cache entry {row['key'][:16]} cannot be loaded ({error}): recomputed")
                continue
            if row["cleaner_fp"] != _current_fp(row["kind"], row["cleaner"]) or (
                row["kind"] == "record" and not _still_serves(outcome[0])
            ):
                found.stale += 1
                continue
            found.hits[row["key"]] = outcome
    return found


def cacheable(outcome: Outcome) -> bool:
    return not isinstance(outcome, Rejection) or outcome.reason not in NOT_CACHED


def write_segment(folder: Path, entries: list[tuple[str, Outcome]]) -> Path | None:
    """Append ``entries`` (key, outcome) as one new segment; None when there is nothing to write."""
    rows = []
    for key, outcome in sorted(entries, key=lambda entry: entry[0]):
        payload = pickle.dumps(outcome, protocol=5)
        if isinstance(outcome, Rejection):
            kind, cleaner = "rejection", None
        else:
            kind, cleaner = "record", outcome[0]["cleaner"]
        rows.append(
            {
                "key": key,
                "kind": kind,
                "cleaner": cleaner,
                "cleaner_fp": _current_fp(kind, cleaner),
                "digest": hashlib.sha256(payload).hexdigest(),
                "payload": payload,
            }
        )
    if not rows:
        return None
    table = pa.Table.from_pylist(rows, schema=SEGMENT_SCHEMA)
    name = hashlib.sha256("".join(row["key"] + row["digest"] for row in rows).encode()).hexdigest()
    target = folder / "segments" / f"{name}.parquet"
    partial = target.with_name(f".{name}.{os.getpid()}.partial")
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, target)
    return target
