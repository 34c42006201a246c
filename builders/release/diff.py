"""``zh-rss-posts diff OLD NEW``: what changed between two builds, and the smallest semver bump it needs.

Records are matched by ``id`` (a hash of the post's identity). A record is *changed* when any field
(``text`` compared by hash, like every other field) or its split differs. The bump follows the policy of
``builders.common.semver``: schema change -> major; changed or removed records -> minor; only added records (or
other byte-level changes with the same rows) -> patch; nothing -> none.

*Split bridges*: near-duplicate clusters of NEW whose records sit in more than one split. The split ledger
makes them: released records keep their splits, so when a new post joins clusters released in different
splits (``builders.write.ledger``: it takes test > validation > train) the merged cluster spans them. Each is listed
with its splits and its new records.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from builders.common.semver import Bump, bump_between, bumped
from builders.describe.cleaning import read_cleaning
from builders.describe.manifest import MANIFEST_NAME, read_manifest
from builders.describe.scan import canonical_json, iter_rows

SPLIT_FIELD = "(split)"


DIGEST_SIZE = 12


@dataclass(frozen=True)
class RecordView:
    """One record as the diff sees it: where it came from, and its field digests packed in one bytes object
    (a 60,000-record build then costs some 25 MB to compare)."""

    raw_path: str
    packed: bytes


@dataclass
class BuildRecords:
    fields: tuple[str, ...]
    records: dict[str, RecordView]

    def digest(self, record_id: str, name: str) -> bytes | None:
        if name not in self.fields:
            return None
        index = self.fields.index(name)
        return self.records[record_id].packed[index * DIGEST_SIZE : (index + 1) * DIGEST_SIZE]


@dataclass
class BuildDiff:
    old_version: str
    new_version: str
    schema_changes: list[str] = field(default_factory=list)
    added: dict[str, str] = field(default_factory=dict)  # id -> raw_path
    removed: dict[str, str] = field(default_factory=dict)
    changed: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (raw_path, fields)
    counts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (config, split) -> old, new
    other_changes: list[str] = field(default_factory=list)
    # cluster id -> (its splits in NEW, the ids of its records added in NEW)
    bridges: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    # "name: old -> new version (N changed records cleaned by it)", for every cleaner or rule whose version moved
    cleaner_versions: list[str] = field(default_factory=list)
    # "rule: posts old -> new, chars old -> new", for every rule whose counts moved (stats.json ``cleaning``)
    cleaning: list[str] = field(default_factory=list)

    @property
    def required(self) -> Bump:
        if self.schema_changes:
            return Bump.MAJOR
        if self.changed or self.removed:
            return Bump.MINOR
        if self.added or self.other_changes:
            return Bump.PATCH
        return Bump.NONE

    @property
    def version_ok(self) -> bool:
        """Whether OLD -> NEW moves the version at least as much as the changes require."""
        actual = bump_between(self.old_version, self.new_version)
        return actual is not None and actual >= self.required


def field_digest(value: Any) -> bytes:
    return hashlib.blake2b(canonical_json(value).encode("utf-8"), digest_size=DIGEST_SIZE).digest()


def read_records(folder: Path, manifest: dict[str, Any]) -> BuildRecords:
    fields = (*(f["name"] for f in manifest["schema"]["fields"]), SPLIT_FIELD)
    records: dict[str, RecordView] = {}
    for shard in manifest["shards"]:
        for row in iter_rows(folder / shard["path"]):
            row[SPLIT_FIELD] = shard["split"]
            packed = b"".join(field_digest(row.get(name)) for name in fields)
            records[row["id"]] = RecordView(row.get("raw_path", ""), packed)
    return BuildRecords(fields, records)


def _type_name(spec: dict[str, Any]) -> str:
    return canonical_json(spec)


def schema_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """Field by field: added, removed, retyped, and a changed column order."""
    old_types = {f["name"]: f["type"] for f in old}
    new_types = {f["name"]: f["type"] for f in new}
    changes = [f"+ {name}: {_type_name(new_types[name])}" for name in new_types if name not in old_types]
    changes += [f"- {name}: {_type_name(old_types[name])}" for name in old_types if name not in new_types]
    changes += [
        f"~ {name}: {_type_name(old_types[name])} -> {_type_name(new_types[name])}"
        for name in new_types
        if name in old_types and canonical_json(old_types[name]) != canonical_json(new_types[name])
    ]
    common_old = [n for n in old_types if n in new_types]
    common_new = [n for n in new_types if n in old_types]
    if common_old != common_new:
        changes.append(f"order: {', '.join(common_old)} -> {', '.join(common_new)}")
    return changes


def count_changes(
    old: dict[str, dict[str, int]], new: dict[str, dict[str, int]]
) -> dict[tuple[str, str], tuple[int, int]]:
    keys = {(c, s) for c, splits in old.items() for s in splits} | {(c, s) for c, splits in new.items() for s in splits}
    return {
        (config, split): (old.get(config, {}).get(split, 0), new.get(config, {}).get(split, 0))
        for config, split in sorted(keys)
    }


def split_bridges(
    folder: Path, manifest: dict[str, Any], added: dict[str, str]
) -> dict[str, tuple[list[str], list[str]]]:
    """Clusters of a build whose records are in more than one split, with their newly added records."""
    from builders.common.identity import SPLITS

    splits: dict[str, set[str]] = {}
    members: dict[str, list[str]] = {}
    for shard in manifest["shards"]:
        table = pq.read_table(folder / shard["path"], columns=["id", "near_dup_cluster"])
        for record_id, cluster in zip(
            table.column("id").to_pylist(), table.column("near_dup_cluster").to_pylist(), strict=True
        ):
            splits.setdefault(cluster, set()).add(shard["split"])
            if record_id in added:
                members.setdefault(cluster, []).append(record_id)
    return {
        cluster: ([s for s in SPLITS if s in found], sorted(members.get(cluster, [])))
        for cluster, found in sorted(splits.items())
        if len(found) > 1
    }


def change_summary(result: BuildDiff) -> dict[str, Any]:
    """The figures a release records of a diff (the card's Changelog): counts, the bump and why."""
    reasons = []
    if result.schema_changes:
        reasons.append("schema: " + "; ".join(result.schema_changes[:5]))
    if result.changed:
        fields = Counter(name for _, names in result.changed.values() for name in names)
        top = ", ".join(f"{name} {count}" for name, count in fields.most_common(4))
        reasons.append(f"{len(result.changed)} record(s) changed ({top})")
    if result.removed:
        reasons.append(f"{len(result.removed)} record(s) removed")
    if result.added:
        reasons.append(f"{len(result.added)} record(s) added")
    reasons += result.other_changes
    return {
        "added": len(result.added),
        "removed": len(result.removed),
        "changed": len(result.changed),
        "bridges": len(result.bridges),
        "bump": str(result.required),
        "why": "; ".join(reasons) or "no change",
    }


def diff_builds(old_dir: Path, new_dir: Path) -> BuildDiff:
    """Compare two build folders (each with its MANIFEST.json)."""
    for folder in (old_dir, new_dir):
        if not (folder / MANIFEST_NAME).is_file():
            raise FileNotFoundError(f"{folder} has no {MANIFEST_NAME}: not a zh-rss-posts build")
    old_m, new_m = read_manifest(old_dir), read_manifest(new_dir)
    result = BuildDiff(old_m["dataset_version"], new_m["dataset_version"])
    if old_m["schema"]["fingerprint"] != new_m["schema"]["fingerprint"]:
        result.schema_changes = schema_changes(old_m["schema"]["fields"], new_m["schema"]["fields"]) or [
            "schema fingerprint changed"
        ]
    old, new = read_records(old_dir, old_m), read_records(new_dir, new_m)
    for record_id in sorted(new.records.keys() - old.records.keys()):
        result.added[record_id] = new.records[record_id].raw_path
    for record_id in sorted(old.records.keys() - new.records.keys()):
        result.removed[record_id] = old.records[record_id].raw_path
    names = list(new.fields) + [name for name in old.fields if name not in new.fields]
    for record_id in sorted(old.records.keys() & new.records.keys()):
        if old.fields == new.fields and old.records[record_id].packed == new.records[record_id].packed:
            continue
        fields = [name for name in names if old.digest(record_id, name) != new.digest(record_id, name)]
        if fields:
            result.changed[record_id] = (new.records[record_id].raw_path, fields)
    result.counts = count_changes(old_m["counts"]["per_config"], new_m["counts"]["per_config"])
    for key in ("quarantined", "ignored", "files_seen"):
        if old_m["counts"][key] != new_m["counts"][key]:
            result.other_changes.append(f"{key}: {old_m['counts'][key]} -> {new_m['counts'][key]}")
    if not result.other_changes and old_m["data_fingerprint"] != new_m["data_fingerprint"]:
        result.other_changes.append("shard bytes differ (same rows)")
    result.bridges = split_bridges(new_dir, new_m, result.added)
    result.cleaner_versions = cleaner_version_changes(old_m, new_m, new_dir, set(result.changed))
    result.cleaning = cleaning_changes(read_cleaning(old_dir), read_cleaning(new_dir))
    return result


def cleaner_version_changes(
    old_m: dict[str, Any], new_m: dict[str, Any], new_dir: Path, changed: set[str]
) -> list[str]:
    """Each cleaner, rule or parser whose version moved, with how many changed records its cleaner made."""
    old_v, new_v = old_m.get("cleaners", {}), new_m.get("cleaners", {})
    moved = sorted(name for name in old_v.keys() | new_v.keys() if old_v.get(name) != new_v.get(name))
    if not moved:
        return []
    by_cleaner: dict[str, int] = {}
    for shard in new_m["shards"]:
        table = pq.read_table(new_dir / shard["path"], columns=["id", "cleaner"])
        for post_id, cleaner in zip(table.column("id").to_pylist(), table.column("cleaner").to_pylist(), strict=True):
            if post_id in changed:
                by_cleaner[cleaner] = by_cleaner.get(cleaner, 0) + 1
    lines = []
    for name in moved:
        owner = name.split(".", 1)[0]  # "generic.drop_noise_line" -> records of every cleaner run generic rules
        made = sum(by_cleaner.values()) if owner in ("generic", "html") else by_cleaner.get(owner, 0)
        lines.append(
            f"{name}: {old_v.get(name, '-')} -> {new_v.get(name, '-')} ({made} changed record(s) it may explain)"
        )
    return lines


def cleaning_changes(old: dict[str, dict[str, int]], new: dict[str, dict[str, int]]) -> list[str]:
    lines = []
    for rule in sorted(old.keys() | new.keys()):
        a, b = old.get(rule, {}), new.get(rule, {})
        if a != b:
            lines.append(
                f"{rule}: posts {a.get('posts', 0)} -> {b.get('posts', 0)}, "
                f"chars {a.get('chars', 0)} -> {b.get('chars', 0)}, fields {a.get('fields', 0)} -> {b.get('fields', 0)}"
            )
    return lines


def _listing(title: str, items: list[str], limit: int) -> list[str]:
    lines = [f"{title}: {len(items)}"]
    lines += [f"  {item}" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"  ... and {len(items) - limit} more")
    return lines


def format_diff(result: BuildDiff, limit: int = 50) -> str:
    lines = [f"versions: {result.old_version} -> {result.new_version}"]
    if result.schema_changes:
        lines += _listing("schema changes", result.schema_changes, limit)
    else:
        lines.append("schema: unchanged")
    lines += _listing("added records", [f"+ {i} {p}" for i, p in result.added.items()], limit)
    lines += _listing("removed records", [f"- {i} {p}" for i, p in result.removed.items()], limit)
    lines += _listing(
        "changed records", [f"~ {i} {p}: {', '.join(fields)}" for i, (p, fields) in result.changed.items()], limit
    )
    lines.append("counts (config/split: old -> new):")
    for (config, split), (old, new) in result.counts.items():
        delta = f" ({new - old:+d})" if new != old else ""
        lines.append(f"  {config}/{split}: {old} -> {new}{delta}")
    lines += _listing(
        "split bridges (clusters in more than one split)",
        [
            f"* {cluster}: {' + '.join(splits)}; new: {', '.join(new) or 'none'}"
            for cluster, (splits, new) in result.bridges.items()
        ],
        limit,
    )
    lines += _listing("cleaner versions changed", result.cleaner_versions, limit)
    lines += _listing("cleaning per rule (old -> new)", result.cleaning, limit)
    lines += [f"other: {change}" for change in result.other_changes]
    required = result.required
    lines.append(f"minimum bump: {required}")
    if result.version_ok:
        lines.append(f"version: {result.old_version} -> {result.new_version} is enough")
    else:
        lines.append(
            f"version: {result.old_version} -> {result.new_version} is NOT enough: "
            f"needs at least {bumped(result.old_version, required)}"
        )
    return "\n".join(lines)
