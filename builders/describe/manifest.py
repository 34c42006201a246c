"""MANIFEST.json: what a build contains, checksummed, with no wall-clock time (builds are reproducible).

Everything in it is a function of the raw input and the code, never of the machine, the output folder,
the worker count or the clock, so two builds of the same input give byte-identical manifests.
``builders.release.verify`` recomputes every figure from the files with the functions defined here.

Fingerprints (all SHA-256, hex):
- ``schema``: the Features as ordered ``[{"name", "type"}]`` (field order is column order);
- ``input``: the sorted ``raw_path<TAB>raw_sha256`` lines of every post file (quarantined ones included);
- ``data``: the sorted ``path<TAB>sha256`` lines of the shards (the bytes users download);
- ``records``: the sorted ``id<TAB>record_sha256`` lines, a record's hash taken over its canonical JSON
  (independent of the parquet encoding: two builds with the same rows have the same records fingerprint).

``ledger`` names the split ledger (``builders.write.ledger``: its SHA-256, how many ids, and the previous
release it extends), ``routing`` how this build's records got their splits.
It also lists the versions of the taggers that made `script`, `language`, `language_score` and `pii_masked`
(``taggers``: ``builders.annotate.TAGGER_VERSIONS``) and the `topics` ClassLabel names in id order (``label_names``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datasets import Features

from builders import __version__
from builders.annotate import TAGGER_VERSIONS
from builders.cleaners import cleaner_versions
from builders.common.dataset import DATASET_NAME, DATASET_VERSION
from builders.common.summary import BuildSummary
from builders.describe.scan import SCAN_PART, ShardScan, canonical_json, scan_part
from builders.pipeline.pool import SharedMap
from schemas.features import FEATURES

MANIFEST_NAME = "MANIFEST.json"
MANIFEST_FORMAT = 1
UNREADABLE = "unreadable"


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def raw_file_sha256(path: str | Path) -> str:
    """SHA-256 of a raw file, or ``unreadable`` (a build never crashes on a file it cannot read)."""
    try:
        return sha256_file(path)
    except OSError:
        return UNREADABLE


def _sha256_lines(lines: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def schema_fields(features: Features = FEATURES) -> list[dict[str, Any]]:
    """The Features as an ordered list of ``{"name", "type"}`` (``type``: the Features' own dict form)."""
    return [{"name": name, "type": spec} for name, spec in features.to_dict().items()]


def schema_fingerprint(features: Features = FEATURES) -> str:
    return hashlib.sha256(canonical_json(schema_fields(features)).encode("utf-8")).hexdigest()


def input_fingerprint(pairs: Iterable[tuple[str, str]]) -> str:
    """Hash of the sorted ``(raw_path, raw_sha256)`` pairs of every post file of a build."""
    return _sha256_lines(f"{raw_path}\t{sha}" for raw_path, sha in pairs)


def data_fingerprint(shards: Iterable[dict[str, Any]]) -> str:
    return _sha256_lines(f"{shard['path']}\t{shard['sha256']}" for shard in shards)


def records_fingerprint(record_hashes: Iterable[tuple[str, str]]) -> str:
    return _sha256_lines(f"{record_id}\t{sha}" for record_id, sha in record_hashes)


def cache_key(version: str, data_sha256: str) -> str:
    """The README ``configs[].description``: `datasets` hashes the README's configs into its cache key, so a
    rebuild with different bytes is never served from a stale cache (mtimes and sizes may well be equal)."""
    return f"{DATASET_NAME} {version}, data sha256 {data_sha256}"


def describe_shards(folder: Path, shards: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Per shard (sorted by path): path, split, sha256, bytes, rows."""
    described = []
    for split, paths in shards.items():
        for relative in paths:
            path = folder / relative
            described.append(
                {
                    "path": relative,
                    "split": split,
                    "sha256": sha256_file(path),
                    "bytes": path.stat().st_size,
                    "rows": pq.ParquetFile(path).metadata.num_rows,
                }
            )
    return sorted(described, key=lambda shard: shard["path"])


def start_scan(folder: Path, shards: Iterable[dict[str, Any]], pool: Pool | None = None) -> Callable[[], ShardScan]:
    """Start reading every row of the shards, in parts of ``SCAN_PART`` row groups, on ``pool``'s processes when
    given (the caller goes on meanwhile); the returned function scans the parts no helper has taken yet itself,
    waits for the rest and gives the whole scan."""
    scan = ShardScan()
    jobs = []
    for shard in shards:
        path = folder / shard["path"]
        scan.schemas[shard["path"]] = schema_fingerprint(Features.from_arrow_schema(pq.read_schema(path)))
        scan.rows[shard["path"]] = 0
        groups = list(range(pq.ParquetFile(path).num_row_groups))
        jobs += [(path, shard, groups[at : at + SCAN_PART]) for at in range(0, len(groups), SCAN_PART)]
    shared = SharedMap(pool, scan_part, jobs) if pool is not None else None

    def finish() -> ShardScan:
        for part in shared.results() if shared is not None else (scan_part(*job) for job in jobs):
            for shard_path, rows in part.rows.items():
                scan.rows[shard_path] += rows
            scan.cells.update(part.cells)
            scan.record_hashes += part.record_hashes
        return scan

    return finish


def scan_shards(folder: Path, shards: Iterable[dict[str, Any]]) -> ShardScan:
    """Read every row of the shards: row counts, schema fingerprints, config cells, record hashes."""
    return start_scan(folder, shards)()


def describe_files(folder: Path, names: Iterable[str]) -> list[dict[str, Any]]:
    """Checksums of the build's other files (README.md, quarantine.jsonl, ...) that exist."""
    return [
        {"path": name, "sha256": sha256_file(folder / name), "bytes": (folder / name).stat().st_size}
        for name in sorted(names)
        if (folder / name).is_file()
    ]


def other_files(folder: Path) -> list[str]:
    """Top-level files of a build besides the manifest and the data folder."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST_NAME)


def quarantine_count(folder: Path) -> int:
    path = folder / "quarantine.jsonl"
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def manifest_dict(folder: Path, summary: BuildSummary, scan: ShardScan | None = None) -> dict[str, Any]:
    """The manifest of the build in ``folder``; ``scan``: its shards' scan when read already (``start_scan``)."""
    shards = summary.shard_files or describe_shards(folder, summary.shards)
    scan = scan or scan_shards(folder, shards)
    return {
        "format": MANIFEST_FORMAT,
        "dataset": DATASET_NAME,
        "dataset_version": DATASET_VERSION,
        "builder_version": __version__,
        "taggers": dict(sorted(TAGGER_VERSIONS.items())),
        "label_names": list(summary.label_names),
        "schema": {"fingerprint": schema_fingerprint(), "fields": schema_fields()},
        "input": {"fingerprint": input_fingerprint(summary.input_files), "files": len(summary.input_files)},
        "data_fingerprint": data_fingerprint(shards),
        "records_fingerprint": records_fingerprint(scan.record_hashes),
        "shards": shards,
        "dedup_threshold": summary.dedup_threshold,
        "cleaners": cleaner_versions(),
        "ledger": ledger_entry(folder, summary),
        "routing": summary.routing.as_dict(),
        "files": describe_files(folder, other_files(folder)),
        "counts": {
            "files_seen": summary.files_seen,
            "records": summary.records,
            "quarantined": len(summary.quarantined),
            "ignored": len(summary.ignored),
            "duplicates": summary.duplicates,
            "per_split": scan.per_split(),
            "per_config": scan.per_config(),
        },
    }


def ledger_entry(folder: Path, summary: BuildSummary) -> dict[str, Any] | None:
    from builders.write.ledger import LEDGER_NAME

    path = folder / LEDGER_NAME
    if not path.is_file():
        return None
    return {
        "path": LEDGER_NAME,
        "sha256": sha256_file(path),
        "ids": pq.ParquetFile(path).metadata.num_rows,
        "against": summary.against,
    }


def dump_manifest(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_manifest(folder: Path, summary: BuildSummary, scan: ShardScan | None = None) -> None:
    (folder / MANIFEST_NAME).write_text(dump_manifest(manifest_dict(folder, summary, scan)), encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
