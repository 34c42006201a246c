"""``zh-rss-posts verify [DIR] [--version X.Y.Z] [--raw RAW]``: recompute everything MANIFEST.json claims.

Checks, each failing with a message that names the file and the two values:
- the manifest is there and readable, and (with ``--version``) is the expected dataset version;
- every listed shard exists with its bytes, SHA-256 and row count; no unlisted file sits in ``data/``;
- every shard's schema is the manifest's schema; data, records, per-split, per-config, duplicate and
  quarantine figures recomputed from the files equal the manifest's;
- README.md: every config carries the manifest's version and cache key, and its split sizes match; the
  `topics` config's ClassLabel names are the manifest's ``label_names``;
- with ``--raw``: the input fingerprint recomputed from the raw posts equals the manifest's;
- the split ledger (``split_ledger.parquet``) is well formed, holds every record in the split of its shard,
  and (with ``--against OLD``) keeps every id of OLD's ledger in OLD's split;
- the shipped history (``releases.json``), when there is one: versions sorted and unique, none above the
  build's, and the entry of the build's own version (once released) equal to what the manifest says;
- with ``--raw RAW --rebuild``: RAW is built again in a temporary folder (routed by this build's own ledger)
  and its schema, input, records and data fingerprints must equal this build's.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml

from builders.common.configs import TOPICS_CONFIG
from builders.common.semver import SEMVER, SemVer
from builders.describe.changelog import HISTORY_NAME
from builders.describe.manifest import (
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    cache_key,
    data_fingerprint,
    input_fingerprint,
    other_files,
    quarantine_count,
    raw_file_sha256,
    read_manifest,
    records_fingerprint,
    scan_shards,
    schema_fingerprint,
    sha256_file,
)
from builders.describe.scan import canonical_json

# What a release entry of the shipped history says about the content (the rest: date, changes, published).
CONTENT_KEYS: tuple[str, ...] = (
    "version",
    "builder_version",
    "schema_fingerprint",
    "input_fingerprint",
    "data_fingerprint",
    "records_fingerprint",
    "ledger_fingerprint",
    "counts",
)


def content_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a release records of a build: everything that identifies its content, nothing about where or when."""
    counts = manifest["counts"]
    return {
        "version": manifest["dataset_version"],
        "builder_version": manifest["builder_version"],
        "schema_fingerprint": manifest["schema"]["fingerprint"],
        "input_fingerprint": manifest["input"]["fingerprint"],
        "data_fingerprint": manifest["data_fingerprint"],
        "records_fingerprint": manifest["records_fingerprint"],
        "ledger_fingerprint": (manifest.get("ledger") or {}).get("sha256"),
        "counts": {
            "input_files": manifest["input"]["files"],
            "records": counts["records"],
            "duplicates": counts["duplicates"],
            "quarantined": counts["quarantined"],
            "per_split": counts["per_split"],
            "per_config": counts["per_config"],
        },
    }


def content_differences(entry: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The content keys on which two release entries differ."""
    return [key for key in CONTENT_KEYS if canonical_json(entry.get(key)) != canonical_json(other.get(key))]


def _label_feature(features: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The `dtype` of the `label` feature in a card's YAML feature list, if any."""
    for feature in features:
        if feature.get("name") == "label" and isinstance(feature.get("dtype"), dict):
            return feature["dtype"]
    return None


@dataclass
class Report:
    """The outcome of a verification: problems make it fail, notes do not."""

    folder: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def format(self) -> str:
        lines: list[str] = []
        if self.ok and self.manifest is not None:
            m = self.manifest
            lines.append(
                f"OK: {self.folder} is {m['dataset']} {m['dataset_version']}: {len(m['shards'])} shard(s), "
                f"{m['counts']['records']} records, data sha256 {m['data_fingerprint']}"
            )
        else:
            lines.append(f"FAILED: {self.folder}: {len(self.problems)} problem(s)")
            lines.extend(f"- {problem}" for problem in self.problems)
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


# libyaml's parser when PyYAML has it: a card's header is long (every config's split sizes).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def readme_header(folder: Path) -> dict[str, Any] | None:
    """The YAML header of the dataset card, or None when README.md is missing or has none."""
    path = folder / "README.md"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    parts = text.split("---\n", 2)
    if len(parts) < 3:
        return None
    header = yaml.load(parts[1], Loader=SafeLoader)
    return header if isinstance(header, dict) else None


def _same(report: Report, what: str, claimed: Any, found: Any) -> None:
    if canonical_json(claimed) != canonical_json(found):
        report.problems.append(f"{what}: manifest says {claimed}, the files say {found}")


def _check_shard_files(folder: Path, manifest: dict[str, Any], report: Report) -> bool:
    """Bytes and SHA-256 of every shard, and no extra file in data/. True when all shards are intact."""
    intact = True
    listed = {shard["path"] for shard in manifest["shards"]}
    for shard in manifest["shards"]:
        path = folder / shard["path"]
        if not path.is_file():
            report.problems.append(f"missing shard {shard['path']}")
            intact = False
            continue
        size = path.stat().st_size
        if size != shard["bytes"]:
            report.problems.append(f"shard {shard['path']} has {size} bytes, manifest says {shard['bytes']}")
            intact = False
        digest = sha256_file(path)
        if digest != shard["sha256"]:
            report.problems.append(
                f"shard {shard['path']} is corrupt: sha256 {digest}, manifest says {shard['sha256']}"
            )
            intact = False
    data = folder / "data"
    if data.is_dir():
        for path in sorted(data.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in listed:
                report.problems.append(f"extra file {relative} is not in the manifest (load_dataset would read it)")
    return intact


def _check_other_files(folder: Path, manifest: dict[str, Any], report: Report) -> None:
    listed = set()
    for entry in manifest.get("files", []):
        listed.add(entry["path"])
        path = folder / entry["path"]
        if not path.is_file():
            report.problems.append(f"missing file {entry['path']}")
        elif sha256_file(path) != entry["sha256"] or path.stat().st_size != entry["bytes"]:
            report.problems.append(f"file {entry['path']} differs from the manifest (sha256 {sha256_file(path)})")
    for name in other_files(folder):
        if name not in listed:
            report.notes.append(f"{name} is not covered by the manifest")


def _check_contents(folder: Path, manifest: dict[str, Any], report: Report) -> None:
    scan = scan_shards(folder, manifest["shards"])
    for shard in manifest["shards"]:
        _same(report, f"rows of {shard['path']}", shard["rows"], scan.rows[shard["path"]])
        if scan.schemas[shard["path"]] != manifest["schema"]["fingerprint"]:
            report.problems.append(f"shard {shard['path']} has another schema than the manifest's")
    counts = manifest["counts"]
    _same(report, "data fingerprint", manifest["data_fingerprint"], data_fingerprint(manifest["shards"]))
    _same(report, "records fingerprint", manifest["records_fingerprint"], records_fingerprint(scan.record_hashes))
    _same(report, "records", counts["records"], scan.records)
    _same(report, "duplicates", counts["duplicates"], scan.duplicates)
    _same(report, "per-split counts", counts["per_split"], scan.per_split())
    _same(report, "per-config counts", counts["per_config"], scan.per_config())
    _same(report, "quarantined", counts["quarantined"], quarantine_count(folder))
    split_sums = {
        split: sum(s["rows"] for s in manifest["shards"] if s["split"] == split)
        for split in {s["split"] for s in manifest["shards"]}
    }
    _same(report, "per-split shard rows", counts["per_split"], dict(sorted(split_sums.items())))


def _check_readme(folder: Path, manifest: dict[str, Any], report: Report) -> None:
    header = readme_header(folder)
    if header is None:
        report.problems.append("README.md is missing or has no YAML header")
        return
    version = manifest["dataset_version"]
    key = cache_key(version, manifest["data_fingerprint"])
    for config in header.get("configs", []):
        name = config.get("config_name")
        if str(config.get("version")) != version:
            report.problems.append(f"README config {name} says version {config.get('version')}, manifest {version}")
        if config.get("description") != key:
            report.problems.append(
                f"README config {name} has a stale cache key (description): {config.get('description')!r}"
            )
    per_config = manifest["counts"]["per_config"]
    for info in header.get("dataset_info", []):
        name = info.get("config_name")
        if name == TOPICS_CONFIG and "label_names" in manifest:
            label = (info.get("features") and _label_feature(info["features"])) or {}
            declared_names = list(label.get("class_label", {}).get("names", {}).values())
            _same(report, f"README label names of config {name}", manifest["label_names"], declared_names)
        declared = {split["name"]: split["num_examples"] for split in info.get("splits", [])}
        _same(report, f"README split sizes of config {name}", per_config.get(name), declared)


def _check_raw(raw: Path, manifest: dict[str, Any], report: Report) -> None:
    from builders.pipeline.discover import discover

    _, files, _ = discover(raw)
    found = input_fingerprint((item.raw_path, raw_file_sha256(item.path)) for item in files)
    if found != manifest["input"]["fingerprint"]:
        report.problems.append(
            f"input fingerprint of {raw} ({len(files)} posts) is {found}, the build was made from "
            f"{manifest['input']['fingerprint']} ({manifest['input']['files']} posts)"
        )


def _check_ledger(
    folder: Path, manifest: dict[str, Any], report: Report, against: Path | None, intact: bool = True
) -> None:
    from builders.write.ledger import LEDGER_NAME, LedgerError, read_ledger

    entry = manifest.get("ledger")
    if entry is None:
        report.problems.append(f"the manifest names no split ledger ({LEDGER_NAME})")
        return
    path = folder / entry["path"]
    if not path.is_file():
        report.problems.append(f"missing split ledger {entry['path']}")
        return
    try:
        ledger = read_ledger(path)
    except LedgerError as error:
        report.problems.append(f"split ledger: {error}")
        return
    _same(report, "split ledger ids", entry["ids"], len(ledger))
    moved: list[str] = []
    for shard in manifest["shards"] if intact else []:  # a broken shard is reported already
        shard_path = folder / shard["path"]
        for record_id in pq.read_table(shard_path, columns=["id"]).column("id").to_pylist():
            if ledger.get(record_id) != shard["split"]:
                moved.append(f"{record_id} is in {shard['split']}, the ledger says {ledger.get(record_id)}")
    if moved:
        report.problems.append(f"{len(moved)} record(s) disagree with the split ledger, e.g. {moved[0]}")
    if against is not None:
        try:
            old = read_ledger(against / LEDGER_NAME)
        except (LedgerError, FileNotFoundError) as error:
            report.problems.append(f"--against {against}: no readable split ledger ({error})")
            return
        lost = [i for i in old if i not in ledger]
        changed = [i for i in old if i in ledger and ledger[i] != old[i]]
        if lost:
            report.problems.append(
                f"{len(lost)} released id(s) of {against} are missing from the ledger, e.g. {lost[0]}"
            )
        if changed:
            first = changed[0]
            report.problems.append(
                f"{len(changed)} released record(s) changed split since {against}, e.g. {first}: "
                f"{old[first]} -> {ledger[first]}"
            )


def _check_history(folder: Path, manifest: dict[str, Any], report: Report) -> None:
    import json

    path = folder / HISTORY_NAME
    if not path.is_file():
        return
    try:
        releases = json.loads(path.read_text(encoding="utf-8"))["releases"]
        versions = [SemVer.parse(entry["version"]) for entry in releases]
    except (ValueError, KeyError, TypeError) as error:
        report.problems.append(f"{HISTORY_NAME} is unreadable: {type(error).__name__}: {error}")
        return
    if versions != sorted(set(versions)):
        report.problems.append(f"{HISTORY_NAME}: versions are not sorted and unique")
    own = manifest["dataset_version"]
    above = [str(v) for v in versions if SEMVER.match(str(own)) and v > SemVer.parse(own)]
    if above:
        report.problems.append(f"{HISTORY_NAME} records release(s) {', '.join(above)} above this build's {own}")
    recorded = next((entry for entry in releases if entry["version"] == own), None)
    if recorded is not None:
        differ = content_differences(recorded, content_of(manifest))
        if differ:
            report.problems.append(
                f"{HISTORY_NAME} records release {own} with other content than this build ({', '.join(differ)})"
            )


def rebuild_problems(folder: Path, manifest: dict[str, Any], raw: Path) -> list[str]:
    """Build ``raw`` again in a temporary folder, routed by ``folder``'s own ledger; fingerprints that differ."""
    from builders.build import build
    from builders.dedup.finder import DEFAULT_THRESHOLD

    threshold = manifest.get("dedup_threshold", DEFAULT_THRESHOLD)
    with tempfile.TemporaryDirectory(prefix="zh-rss-posts-rebuild-") as temporary:
        out = Path(temporary) / "dataset"
        build(raw, out, workers=None, dedup_threshold=threshold, against=folder)
        again = read_manifest(out)
    problems = []
    for what, key in (
        ("schema", ("schema", "fingerprint")),
        ("input", ("input", "fingerprint")),
        ("records", ("records_fingerprint",)),
        ("data", ("data_fingerprint",)),
    ):
        mine, theirs = manifest, again
        for part in key:
            mine, theirs = mine[part], theirs[part]
        if mine != theirs:
            problems.append(f"rebuild: {what} fingerprint {theirs} differs from this build's {mine}")
    return problems


def verify(
    folder: Path,
    version: str | None = None,
    raw: Path | None = None,
    against: Path | None = None,
    rebuild: bool = False,
) -> Report:
    """Recompute every figure of DIR/MANIFEST.json from the files; never raises for a broken build."""
    report = Report(folder)
    if not (folder / MANIFEST_NAME).is_file():
        report.problems.append(f"no {MANIFEST_NAME}: {folder} is not a zh-rss-posts build")
        return report
    try:
        manifest = read_manifest(folder)
        shards, claimed_version = manifest["shards"], manifest["dataset_version"]
    except (ValueError, KeyError, TypeError) as error:
        report.problems.append(f"{MANIFEST_NAME} is unreadable: {type(error).__name__}: {error}")
        return report
    report.manifest = manifest
    if manifest.get("format") != MANIFEST_FORMAT:
        report.problems.append(f"manifest format {manifest.get('format')}, this verifier reads {MANIFEST_FORMAT}")
        return report
    if not SEMVER.match(str(claimed_version)):
        report.problems.append(f"manifest version {claimed_version!r} is not X.Y.Z")
    if version is not None and claimed_version != version:
        report.problems.append(f"wrong version: {folder} holds version {claimed_version}, expected {version}")
    if schema_fingerprint_of_fields(manifest) != manifest["schema"]["fingerprint"]:
        report.problems.append("manifest schema fingerprint does not match its own field list")
    intact = _check_shard_files(folder, manifest, report)
    _check_other_files(folder, manifest, report)
    if intact:
        _check_contents(folder, manifest, report)
    if not shards:
        report.notes.append("the build has no shards (no records): nothing to load")
    _check_readme(folder, manifest, report)
    _check_ledger(folder, manifest, report, against, intact)
    _check_history(folder, manifest, report)
    if raw is not None:
        _check_raw(raw, manifest, report)
        if rebuild and report.ok:
            report.problems += rebuild_problems(folder, manifest, raw)
            if report.ok:
                report.notes.append(f"rebuilt {raw} in a temporary folder: the same fingerprints")
    return report


def schema_fingerprint_of_fields(manifest: dict[str, Any]) -> str:
    from datasets import Features

    fields = manifest["schema"]["fields"]
    return schema_fingerprint(Features.from_dict({f["name"]: f["type"] for f in fields}))
