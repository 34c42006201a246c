"""The split ledger: every record id ever released, with the split it was released in.

Once a record has been released in a split it stays there in every later release. A build made with
``--against OLD`` reads OLD's ``split_ledger.parquet`` and routes each record of the new corpus:

1. a record the ledger knows keeps its ledger split;
2. a new record whose near-duplicate cluster holds ledger records takes their split; when they are in
   different splits (the new post *bridges* clusters released apart) it takes the first of
   ``SPLIT_PRIORITY`` (test > validation > train), so a copy of a test post never lands in train;
3. a record of a brand-new cluster is routed by the hash of the cluster's canonical id
   (``builders.common.identity.split_of``), as without a ledger.

The build then writes the new ledger (the old one plus every record of this build) into its folder, so
each release ships the ledger of every release up to it. The file is sorted by id (one spelling per
content: a rebuild gives the same bytes); about 8.5 MB for a million ids (``benchmarks/ledger_size.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from builders.common.identity import SPLITS, split_of
from builders.common.summary import Routing

LEDGER_NAME = "split_ledger.parquet"
SPLIT_PRIORITY: tuple[str, ...] = ("test", "validation", "train")
LEDGER_SCHEMA = pa.schema([pa.field("id", pa.string(), nullable=False), pa.field("split", pa.string(), nullable=False)])
# Sorted ids compress well with zstd; the split column is a dictionary of three values.
LEDGER_OPTIONS: dict[str, object] = {"compression": "zstd", "compression_level": 19, "use_dictionary": ["split"]}


class LedgerError(ValueError):
    """A ledger file that cannot be trusted (unreadable, unsorted, repeated ids, unknown split)."""


class AgainstError(ValueError):
    """``--against`` is not a previous release's folder with a split ledger."""


def previous_ledger(against: Path | None) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The split ledger of the previous release (empty without one) and what identifies it."""
    if against is None:
        return {}, None
    path = against / LEDGER_NAME
    if not (against / "MANIFEST.json").is_file() or not path.is_file():
        raise AgainstError(f"--against {against}: not a build with a split ledger (MANIFEST.json, {LEDGER_NAME})")
    try:
        ledger = read_ledger(path)
    except LedgerError as error:
        raise AgainstError(f"--against {against}: {error}") from None
    manifest = json.loads((against / "MANIFEST.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ledger, {"version": manifest["dataset_version"], "ledger_sha256": digest}


def read_ledger(path: Path) -> dict[str, str]:
    """id -> split of a ledger file; raises ``LedgerError`` when it is malformed."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise LedgerError(f"{path.name} is unreadable: {error}") from None
    if table.schema.names != LEDGER_SCHEMA.names:
        raise LedgerError(f"{path.name} has columns {table.schema.names}, expected {LEDGER_SCHEMA.names}")
    ids = table.column("id").to_pylist()
    splits = table.column("split").to_pylist()
    if any(a >= b for a, b in pairwise(ids)):
        raise LedgerError(f"{path.name}: ids are not sorted and unique")
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise LedgerError(f"{path.name}: unknown split(s) {unknown}")
    return dict(zip(ids, splits, strict=True))


def write_ledger(path: Path, ledger: Mapping[str, str]) -> None:
    ids = sorted(ledger)
    table = pa.table({"id": ids, "split": [ledger[i] for i in ids]}, schema=LEDGER_SCHEMA)
    pq.write_table(table, path, **LEDGER_OPTIONS)  # type: ignore[arg-type]


def merged(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """The ledger after a build: every released id keeps its old split, this build's records are added."""
    conflicts = [i for i in new.keys() & old.keys() if new[i] != old[i]]
    if conflicts:
        raise LedgerError(f"{len(conflicts)} record(s) would change split, e.g. {sorted(conflicts)[0]}")
    return {**new, **old}


def first_in_priority(splits: Iterable[str]) -> str:
    chosen = set(splits)
    return next(split for split in SPLIT_PRIORITY if split in chosen)


def route(clusters: Mapping[str, str], ledger: Mapping[str, str]) -> tuple[dict[str, str], Routing]:
    """The split of every record, given record id -> cluster id (its canonical's id) and the old ledger."""
    released: dict[str, set[str]] = {}
    for record_id, cluster in clusters.items():
        split = ledger.get(record_id)
        if split is not None:
            released.setdefault(cluster, set()).add(split)
    routing = Routing()
    splits: dict[str, str] = {}
    for record_id, cluster in clusters.items():
        known = ledger.get(record_id)
        if known is not None:
            splits[record_id] = known
            routing.by_ledger += 1
        elif cluster in released:
            splits[record_id] = first_in_priority(released[cluster])
            routing.by_cluster += 1
        else:
            splits[record_id] = split_of(cluster)
            routing.by_hash += 1
    routing.bridges = {
        cluster: [s for s in SPLIT_PRIORITY if s in found] for cluster, found in released.items() if len(found) > 1
    }
    return splits, routing
