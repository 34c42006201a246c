"""Releases: ``releases.json`` (repository root) records every published version, and pinned loads check it.

``zh-rss-posts release [DIR] [--against OLD_DIR]`` is a deliberate step, never part of a build:
1. the build must pass ``verify``;
2. a version already recorded may be recorded again only with the very same content (else: refused);
3. a new version must be above every recorded one, and move at least as much as the policy requires
   against the previous release (``builders.release.version``): schema change -> MAJOR; with ``--against`` (the
   previous release's build) the full ``diff`` decides MINOR vs PATCH; without it, a same-input build
   with other records needs MINOR, and changed inputs need at least PATCH (a warning says a diff is wiser);
4. the entry is added, and the history table of DATASET_CARD.md (``<!-- build:releases -->``) re-rendered.

``load_release(path, version="X.Y.Z")`` is the pinning helper for research code: it verifies the build
and its version (and, when the version is recorded here, that it is that release) before loading.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from builders.common.dataset import DATASET_NAME, DATASET_VERSION
from builders.describe.manifest import canonical_json, schema_fingerprint
from builders.release.verify import verify
from builders.release.version import Bump, SemVer, bump_between, bumped

REPO_ROOT = Path(__file__).resolve().parents[2]
RELEASES_PATH = REPO_ROOT / "releases.json"
CARD_PATH = REPO_ROOT / "DATASET_CARD.md"
TABLE_START = "<!-- build:releases -->\n"
TABLE_END = "\n<!-- /build:releases -->"


class ReleaseError(Exception):
    """A release cannot be recorded, or a pinned load does not get what it pinned."""


def release_entry(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a release records: everything that identifies its content, nothing about where or when."""
    counts = manifest["counts"]
    return {
        "version": manifest["dataset_version"],
        "builder_version": manifest["builder_version"],
        "schema_fingerprint": manifest["schema"]["fingerprint"],
        "input_fingerprint": manifest["input"]["fingerprint"],
        "data_fingerprint": manifest["data_fingerprint"],
        "records_fingerprint": manifest["records_fingerprint"],
        "counts": {
            "input_files": manifest["input"]["files"],
            "records": counts["records"],
            "duplicates": counts["duplicates"],
            "quarantined": counts["quarantined"],
            "per_split": counts["per_split"],
            "per_config": counts["per_config"],
        },
    }


def load_history(path: Path = RELEASES_PATH) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("releases", []))


def write_history(path: Path, releases: list[dict[str, Any]]) -> None:
    ordered = sorted(releases, key=lambda entry: SemVer.parse(entry["version"]))
    text = json.dumps({"dataset": DATASET_NAME, "releases": ordered}, ensure_ascii=False, indent=2, sort_keys=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, path)


def latest(releases: list[dict[str, Any]]) -> dict[str, Any] | None:
    return max(releases, key=lambda entry: SemVer.parse(entry["version"]), default=None)


def find(releases: list[dict[str, Any]], version: str) -> dict[str, Any] | None:
    return next((entry for entry in releases if entry["version"] == version), None)


def schema_policy_problems(
    releases: list[dict[str, Any]], fingerprint: str | None = None, version: str = DATASET_VERSION
) -> list[str]:
    """The code's schema and version against the latest release: a schema change needs a MAJOR bump."""
    fingerprint = fingerprint or schema_fingerprint()
    last = latest(releases)
    if last is None:
        return []
    bump = bump_between(last["version"], version)
    if bump is None:
        return [f"DATASET_VERSION {version} is below the latest release {last['version']}"]
    if fingerprint != last["schema_fingerprint"] and bump is not Bump.MAJOR:
        return [
            f"the schema (Features) changed since release {last['version']} "
            f"({last['schema_fingerprint'][:12]} -> {fingerprint[:12]}) but DATASET_VERSION is {version}: "
            f"a schema change needs a MAJOR bump, set DATASET_VERSION = {bumped(last['version'], Bump.MAJOR)!r}"
        ]
    return []


def required_bump(entry: dict[str, Any], previous: dict[str, Any]) -> tuple[Bump, list[str]]:
    """The bump from ``previous`` to ``entry`` that the fingerprints alone prove, and warnings."""
    if entry["schema_fingerprint"] != previous["schema_fingerprint"]:
        return Bump.MAJOR, []
    if entry["records_fingerprint"] == previous["records_fingerprint"]:
        same_bytes = entry["data_fingerprint"] == previous["data_fingerprint"]
        return (Bump.NONE if same_bytes and entry["counts"] == previous["counts"] else Bump.PATCH), []
    if entry["input_fingerprint"] == previous["input_fingerprint"]:
        return Bump.MINOR, []  # same raw posts, other records: the cleaning output changed
    return Bump.PATCH, [
        f"inputs changed since {previous['version']}: whether existing records changed (MINOR) cannot be told "
        "from fingerprints; pass --against <the previous release's build> to decide with a full diff"
    ]


def record_release(
    folder: Path, releases_path: Path = RELEASES_PATH, against: Path | None = None, card_path: Path | None = CARD_PATH
) -> str:
    """Record the build in ``folder`` as a release; returns what happened, raises ``ReleaseError`` when refused."""
    report = verify(folder)
    if not report.ok or report.manifest is None:
        raise ReleaseError("the build does not verify, nothing recorded:\n" + report.format())
    entry = release_entry(report.manifest)
    version = entry["version"]
    releases = load_history(releases_path)
    existing = find(releases, version)
    if existing is not None:
        if canonical_json(existing) == canonical_json(entry):
            return f"release {version} is already recorded with this content: nothing to do"
        changed = sorted(key for key in entry if canonical_json(entry[key]) != canonical_json(existing.get(key)))
        raise ReleaseError(
            f"release {version} is already recorded with different content ({', '.join(changed)}): "
            f"a released version never changes; bump DATASET_VERSION in builders/common/dataset.py and rebuild"
        )
    last = latest(releases)
    messages: list[str] = []
    if last is not None:
        if bump_between(last["version"], version) is None:
            raise ReleaseError(f"version {version} is not above the latest release {last['version']}")
        need, warnings = required_bump(entry, last)
        if against is not None:
            need = max(need, _bump_from_diff(against, folder, last))
            warnings = []
        messages += [f"warning: {warning}" for warning in warnings]
        bump = bump_between(last["version"], version)
        if bump is None or bump < need:
            raise ReleaseError(
                f"{last['version']} -> {version} is a {bump} bump, but the changes need {need}: "
                f"set DATASET_VERSION = {bumped(last['version'], need)!r} and rebuild"
            )
    releases.append(entry)
    write_history(releases_path, releases)
    if card_path is not None and card_path.is_file():
        render_history(card_path, releases)
    messages.append(f"recorded release {version} in {releases_path}")
    return "\n".join(messages)


def _bump_from_diff(against: Path, folder: Path, previous: dict[str, Any]) -> Bump:
    from builders.release.diff import diff_builds

    old = verify(against)
    if not old.ok or old.manifest is None:
        raise ReleaseError(f"--against {against} does not verify:\n" + old.format())
    if old.manifest["records_fingerprint"] != previous["records_fingerprint"]:
        raise ReleaseError(f"--against {against} is not the build of release {previous['version']}")
    return diff_builds(against, folder).required


def history_table(releases: list[dict[str, Any]]) -> str:
    if not releases:
        return "No release recorded yet."
    lines = [
        "| version | records | train / validation / test | schema | input | data |",
        "|---|---|---|---|---|---|",
    ]
    for entry in sorted(releases, key=lambda e: SemVer.parse(e["version"]), reverse=True):
        splits = entry["counts"]["per_split"]
        lines.append(
            f"| {entry['version']} | {entry['counts']['records']} | "
            f"{splits.get('train', 0)} / {splits.get('validation', 0)} / {splits.get('test', 0)} | "
            f"`{entry['schema_fingerprint'][:12]}` | `{entry['input_fingerprint'][:12]}` | "
            f"`{entry['data_fingerprint'][:12]}` |"
        )
    return "\n".join(lines)


def render_history(card_path: Path, releases: list[dict[str, Any]]) -> None:
    """Rewrite the release history block of the card (left alone when the card has no such block)."""
    text = card_path.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return
    card_path.write_text(text[: start + len(TABLE_START)] + history_table(releases) + text[end:], encoding="utf-8")


def load_release(
    path: str | Path, version: str, config: str | None = None, releases_path: Path = RELEASES_PATH, **kwargs: Any
) -> Any:
    """Load a local build pinned to ``version``; raise ``ReleaseError`` unless it verifies as exactly that.

    ``config`` and ``kwargs`` go to ``datasets.load_dataset`` (e.g. ``cache_dir``). When ``version`` is a
    release recorded in ``releases.json``, the build must also match that release's fingerprints.
    """
    from datasets import load_dataset

    folder = Path(path)
    SemVer.parse(version)
    report = verify(folder, version=version)
    if not report.ok or report.manifest is None:
        raise ReleaseError(f"refusing to load {folder} as zh-rss-posts {version}:\n" + report.format())
    recorded = find(load_history(releases_path), version)
    if recorded is not None:
        entry = release_entry(report.manifest)
        for key in ("schema_fingerprint", "data_fingerprint", "records_fingerprint"):
            if entry[key] != recorded[key]:
                raise ReleaseError(
                    f"refusing to load {folder}: it says version {version} but its {key} {entry[key][:12]} is not "
                    f"the recorded release's {recorded[key][:12]}"
                )
    return load_dataset(str(folder), config, **kwargs)
