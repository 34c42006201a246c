"""MANIFEST.json: what a build contains, checksummed, with no wall-clock time (builds are reproducible)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq

from builders import __version__

if TYPE_CHECKING:
    from builders.build import BuildSummary


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, summary: BuildSummary) -> None:
    shards = []
    for split, paths in sorted(summary.shards.items()):
        for relative in paths:
            path = folder / relative
            shards.append(
                {
                    "path": relative,
                    "split": split,
                    "sha256": sha256_file(path),
                    "bytes": path.stat().st_size,
                    "rows": pq.ParquetFile(path).metadata.num_rows,
                }
            )
    manifest = {
        "builder_version": __version__,
        "shards": shards,
        "counts": {
            "files_seen": summary.files_seen,
            "records": summary.records,
            "quarantined": len(summary.quarantined),
            "ignored": len(summary.ignored),
            "duplicates": summary.duplicates,
            "per_split": dict(sorted(summary.per_split.items())),
        },
    }
    (folder / "MANIFEST.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
