"""The release history a dataset folder carries (``releases.json``), read, and rendered as the card's Changelog.

Writing and checking the history is ``builders.release.history``'s; reading it is here, below, so the card can
show it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builders.common.semver import SemVer

HISTORY_NAME = "releases.json"


def load_history(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("releases", []))


def find(releases: list[dict[str, Any]], version: str) -> dict[str, Any] | None:
    return next((entry for entry in releases if entry["version"] == version), None)


def _count(value: Any) -> str:
    return "-" if value is None else str(value)


def changelog_table(releases: list[dict[str, Any]], unreleased: str | None = None) -> str:
    """The card's Changelog: every release, newest first (``unreleased``: a build's version not yet recorded)."""
    lines = []
    if unreleased is not None and find(releases, unreleased) is None:
        lines.append(f"This build ({unreleased}) is not a recorded release yet.\n")
    if not releases:
        return "\n".join(lines) + "No release recorded yet." if lines else "No release recorded yet."
    lines += [
        "| version | date | records | added | removed | changed | split bridges | schema | data sha256 | bump: why |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for entry in sorted(releases, key=lambda e: SemVer.parse(e["version"]), reverse=True):
        changes = entry.get("changes") or {}
        why = f"{changes.get('bump', '?')}: {changes.get('why', '')}".rstrip(": ")
        if changes.get("note"):
            why += f" ({changes['note']})"
        published = entry.get("published")
        version = entry["version"] + (f" (commit `{published['commit'][:10]}`)" if published else "")
        lines.append(
            f"| {version} | {entry.get('date', '-')} | {entry['counts']['records']} | {_count(changes.get('added'))} | "
            f"{_count(changes.get('removed'))} | {_count(changes.get('changed'))} | {_count(changes.get('bridges'))} | "
            f"`{entry['schema_fingerprint'][:12]}` | `{entry['data_fingerprint']}` | "
            + why.replace("|", "\\|").replace("\n", " ")
            + " |"
        )
    return "\n".join(lines)
