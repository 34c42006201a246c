"""Releases: the history travels with the data, and pinned loads check it.

Two copies of the history, one format (``{"dataset", "releases": [entry, ...]}``, sorted by version):
- ``DIR/releases.json``, in the dataset folder and published with it: every release up to and including
  the one in the folder. ``build --against OLD`` carries OLD's history into the new folder, ``release DIR``
  adds the new entry there. This is the copy research code checks (``load_release``).
- the project's ``releases.json`` (repository root): the same entries, plus what ``publish`` learnt (the Hub
  commit of each release). ``release DIR --history FILE`` also records the entry in FILE, and ``FILE``
  defaults to the project's copy when the command runs from a checkout (never a file next to an installed
  package: outside a checkout there is no default). Both copies must agree on every release they share
  (its content: version and fingerprints, counts): a disagreement is refused.

``zh-rss-posts release DIR [--against OLD] [--history FILE] [--note TEXT]`` is a deliberate step:
1. the build must pass ``verify`` (with ``--against``: no released record changed split);
2. a version already recorded may be recorded again only with the very same content (else: refused);
3. a new version must be above every recorded one, and move at least as much as the policy requires
   against the previous release (``builders.common.semver``): schema change -> MAJOR; with ``--against`` (the
   previous release's folder) the full ``diff`` decides MINOR vs PATCH; without it, a same-input build
   with other records needs MINOR, and changed inputs need at least PATCH (a warning says a diff is wiser);
4. the entry (content, date, and the changes: records added/removed/changed, split bridges, the bump and
   why) is added to both copies, and the card's Changelog (``<!-- build:changelog -->``) is re-rendered in
   ``DIR/README.md`` (and the project card); ``MANIFEST.json`` then lists the new files' checksums (the
   data, records and ledger fingerprints never change at release).

``load_release(path_or_repo, version="X.Y.Z", data_sha256=None, revision=None)`` is the pinning helper.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from builders.common.dataset import DATASET_VERSION
from builders.common.semver import Bump, SemVer, bump_between, bumped
from builders.describe.changelog import changelog_table, find, load_history
from builders.describe.manifest import (
    DATASET_NAME,
    MANIFEST_NAME,
    describe_files,
    dump_manifest,
    other_files,
    read_manifest,
    schema_fingerprint,
)
from builders.release.verify import HISTORY_NAME, content_differences, content_of, verify

REPO_ROOT = Path(__file__).resolve().parents[2]
RELEASES_PATH = REPO_ROOT / "releases.json"  # the project's copy (only meaningful in a checkout)
CARD_PATH = REPO_ROOT / "DATASET_CARD.md"
TABLE_START = "<!-- build:changelog -->\n"
TABLE_END = "\n<!-- /build:changelog -->"
HUB_REPO = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
CACHE_ENV = "ZH_RSS_POSTS_CACHE"


class ReleaseError(Exception):
    """A release cannot be recorded, or a pinned load does not get what it pinned."""


def release_entry(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a release records of a build's content (``builders.release.verify.content_of``)."""
    return content_of(manifest)


def checkout_history() -> Path | None:
    """The project's releases.json when this code runs from a checkout (pyproject.toml beside it), else None."""
    if (REPO_ROOT / "pyproject.toml").is_file() and RELEASES_PATH.is_file():
        return RELEASES_PATH
    return None


def write_history(path: Path, releases: list[dict[str, Any]]) -> None:
    ordered = sorted(releases, key=lambda entry: SemVer.parse(entry["version"]))
    text = json.dumps({"dataset": DATASET_NAME, "releases": ordered}, ensure_ascii=False, indent=2, sort_keys=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, path)


def latest(releases: list[dict[str, Any]]) -> dict[str, Any] | None:
    return max(releases, key=lambda entry: SemVer.parse(entry["version"]), default=None)


def merge_histories(*histories: tuple[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One history from several copies (name, entries); refused when two copies disagree on a release.
    Fields beyond the content (date, changes, published) are taken from whichever copy has them."""
    merged: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    for name, releases in histories:
        for entry in releases:
            version = entry["version"]
            if version not in merged:
                merged[version], origin[version] = dict(entry), name
                continue
            differ = content_differences(merged[version], entry)
            if differ:
                raise ReleaseError(
                    f"the histories disagree on release {version}: {origin[version]} and {name} differ in "
                    f"{', '.join(differ)}"
                )
            merged[version] = {**entry, **merged[version]}
    return sorted(merged.values(), key=lambda entry: SemVer.parse(entry["version"]))


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


def release_date() -> str:
    """Today (UTC), or the day of ``SOURCE_DATE_EPOCH`` when set (a reproducible release step)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.date().isoformat()


def _changes_from_fingerprints(entry: dict[str, Any], last: dict[str, Any] | None) -> dict[str, Any]:
    if last is None:
        return {"against": None, "bump": "initial", "why": "first release"}
    need, _ = required_bump(entry, last)
    why = {
        Bump.MAJOR: "the schema changed",
        Bump.MINOR: "same raw posts, other records (the cleaning output changed)",
        Bump.PATCH: "other inputs or other bytes (decided from fingerprints alone, no diff)",
        Bump.NONE: "the same content",
    }[need]
    return {"against": last["version"], "bump": str(need), "why": why}


def _changes_from_diff(against: Path, folder: Path, previous: dict[str, Any]) -> tuple[Bump, dict[str, Any]]:
    from builders.release.diff import change_summary, diff_builds

    old = verify(against)
    if not old.ok or old.manifest is None:
        raise ReleaseError(f"--against {against} does not verify:\n" + old.format())
    if old.manifest["records_fingerprint"] != previous["records_fingerprint"]:
        raise ReleaseError(f"--against {against} is not the build of release {previous['version']}")
    result = diff_builds(against, folder)
    return result.required, {"against": previous["version"], **change_summary(result)}


def record_release(
    folder: Path,
    history_path: Path | None = None,
    against: Path | None = None,
    card_path: Path | None = None,
    note: str | None = None,
) -> str:
    """Record the build in ``folder`` as a release: in ``folder/releases.json`` (and its card), and in
    ``history_path`` (the project's copy) when given. Returns what happened; raises ``ReleaseError``."""
    report = verify(folder, against=against)
    if not report.ok or report.manifest is None:
        raise ReleaseError("the build does not verify, nothing recorded:\n" + report.format())
    entry = release_entry(report.manifest)
    version = entry["version"]
    shipped_path = folder / HISTORY_NAME
    copies = [(str(shipped_path), load_history(shipped_path))]
    if against is not None:
        copies.append((str(against / HISTORY_NAME), load_history(against / HISTORY_NAME)))
    if history_path is not None:
        copies.append((str(history_path), load_history(history_path)))
    releases = merge_histories(*copies)
    existing = find(releases, version)
    if existing is not None:
        differ = content_differences(existing, entry)
        if differ:
            raise ReleaseError(
                f"release {version} is already recorded with different content ({', '.join(differ)}): "
                f"a released version never changes; bump DATASET_VERSION in builders/version.py and rebuild"
            )
        _write_everywhere(folder, history_path, card_path, releases)
        return f"release {version} is already recorded with this content: nothing to do"
    last = latest(releases)
    messages: list[str] = []
    changes = _changes_from_fingerprints(entry, last)
    if last is not None:
        if bump_between(last["version"], version) is None:
            raise ReleaseError(f"version {version} is not above the latest release {last['version']}")
        need, warnings = required_bump(entry, last)
        if against is not None:
            from_diff, changes = _changes_from_diff(against, folder, last)
            need, warnings = max(need, from_diff), []
        messages += [f"warning: {warning}" for warning in warnings]
        bump = bump_between(last["version"], version)
        if bump is None or bump < need:
            raise ReleaseError(
                f"{last['version']} -> {version} is a {bump} bump, but the changes need {need}: "
                f"set DATASET_VERSION = {bumped(last['version'], need)!r} and rebuild"
            )
    if note:
        changes["note"] = note
    releases.append({**entry, "date": release_date(), "changes": changes})
    _write_everywhere(folder, history_path, card_path, releases)
    messages.append(f"recorded release {version} in {shipped_path}")
    if history_path is not None:
        messages.append(f"recorded release {version} in {history_path}")
    return "\n".join(messages)


def _write_everywhere(
    folder: Path, history_path: Path | None, card_path: Path | None, releases: list[dict[str, Any]]
) -> None:
    """The history into the folder (its card's changelog, its manifest's file list) and the project copy."""
    shipped = folder / HISTORY_NAME
    if load_history(shipped) != releases or not shipped.is_file():
        write_history(shipped, releases)
        render_changelog(folder / "README.md", releases)
        manifest = read_manifest(folder)
        manifest["files"] = describe_files(folder, other_files(folder))
        (folder / MANIFEST_NAME).write_text(dump_manifest(manifest), encoding="utf-8")
    if history_path is not None and load_history(history_path) != releases:
        write_history(history_path, releases)
    if card_path is not None and card_path.is_file():
        render_changelog(card_path, releases)


history_table = changelog_table  # the name the project's CI check knew


def render_changelog(path: Path, releases: list[dict[str, Any]]) -> None:
    """Rewrite the changelog block of a card (left alone when it has none)."""
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return
    path.write_text(text[: start + len(TABLE_START)] + changelog_table(releases) + text[end:], encoding="utf-8")


def default_cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "zh-rss-posts")


def release_folder(path_or_repo: str | Path, version: str, revision: str | None = None) -> Path:
    """A local folder as it is, or a Hub dataset repo id downloaded at ``revision`` (default: tag vX.Y.Z)."""
    local = Path(path_or_repo)
    if local.is_dir():
        return local
    if not HUB_REPO.match(str(path_or_repo)):
        raise ReleaseError(f"{path_or_repo} is neither a local folder nor a Hub repo id ORG/NAME")
    import huggingface_hub

    try:
        downloaded = huggingface_hub.snapshot_download(
            str(path_or_repo), repo_type="dataset", revision=revision or f"v{version}"
        )
    except Exception as error:  # network, auth, unknown revision: one clear error
        raise ReleaseError(f"cannot download {path_or_repo} at {revision or 'v' + version}: {error}") from error
    return Path(downloaded)


def check_release(
    folder: Path, version: str, data_sha256: str | None = None, history: Path | None = None
) -> dict[str, Any]:
    """Verify ``folder`` is exactly release ``version`` (and ``data_sha256``); its manifest, or ``ReleaseError``."""
    SemVer.parse(version)
    report = verify(folder, version=version)
    if not report.ok or report.manifest is None:
        raise ReleaseError(f"refusing to load {folder} as zh-rss-posts {version}:\n" + report.format())
    manifest = report.manifest
    shipped = load_history(folder / HISTORY_NAME)
    recorded = find(shipped, version)
    if recorded is None:
        raise ReleaseError(
            f"refusing to load {folder}: its {HISTORY_NAME} does not record release {version} "
            "(a build that was never released cannot be pinned)"
        )
    entry = release_entry(manifest)
    differ = content_differences(recorded, entry)
    if differ:
        raise ReleaseError(
            f"refusing to load {folder}: it says version {version} but its {', '.join(differ)} "
            "differ from the recorded release"
        )
    if history is not None:
        try:
            merge_histories((f"{folder}/{HISTORY_NAME}", shipped), (str(history), load_history(history)))
        except ReleaseError as error:
            raise ReleaseError(f"refusing to load {folder}: {error}") from None
    if data_sha256 is not None and data_sha256 != manifest["data_fingerprint"]:
        raise ReleaseError(
            f"refusing to load {folder}: data sha256 {manifest['data_fingerprint']} is not the pinned {data_sha256}"
        )
    return manifest


def load_release(
    path_or_repo: str | Path,
    version: str,
    data_sha256: str | None = None,
    revision: str | None = None,
    config: str | None = None,
    cache_dir: str | Path | None = None,
    history: Path | None = None,
    **kwargs: Any,
) -> Any:
    """Load release ``version`` of zh-rss-posts, or raise ``ReleaseError`` saying what differs.

    ``path_or_repo``: a local dataset folder, or a Hub repo id (downloaded at ``revision``, by default the
    tag ``vX.Y.Z``). ``data_sha256`` pins the exact bytes: the manifest's data fingerprint (SHA-256 over the
    sorted ``path<TAB>sha256`` lines of the shards; printed by ``verify``, recorded in the history). Every
    checksum, the version and the shipped history (and ``history``, a project copy, when given) are checked
    first. Rows are read through a cache folder per version and data fingerprint (under ``cache_dir``,
    default ``~/.cache/zh-rss-posts`` or ``$ZH_RSS_POSTS_CACHE``): the datasets library keys local files on
    their modification time, so another build with the same times never comes back from a stale cache.
    ``config`` and ``kwargs`` go to ``datasets.load_dataset``.
    """
    from datasets import load_dataset

    folder = release_folder(path_or_repo, version, revision)
    manifest = check_release(folder, version, data_sha256, history)
    cache = Path(cache_dir or default_cache_root()) / f"{version}-{manifest['data_fingerprint'][:16]}"
    return load_dataset(str(folder), config, cache_dir=str(cache), **kwargs)


def record_published(
    history_path: Path, version: str, repo_id: str, commit: str, tag: str, shipped: list[dict[str, Any]] | None = None
) -> None:
    """Add where a release was published to the project's history (taking in the ``shipped`` history's
    entries it lacks, e.g. a release recorded outside a checkout); a recorded publication never changes."""
    releases = merge_histories((str(history_path), load_history(history_path)), ("shipped", shipped or []))
    entry = find(releases, version)
    if entry is None:
        raise ReleaseError(f"release {version} is not in {history_path}")
    published = {"repo": repo_id, "commit": commit, "tag": tag}
    if entry.get("published") not in (None, published):
        raise ReleaseError(f"release {version} was already published as {entry['published']}: never rewritten")
    entry["published"] = published
    write_history(history_path, releases)
    if CARD_PATH.is_file() and history_path == RELEASES_PATH:
        render_changelog(CARD_PATH, releases)
