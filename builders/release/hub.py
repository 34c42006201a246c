"""``zh-rss-posts publish [DIR] --repo ORG/zh-rss-posts [--dry-run]``: push a recorded release to the Hub.

The folder is uploaded as one commit that mirrors it exactly (remote files it does not have are deleted,
so no stale shard of an older release is left for ``data/<split>-*.parquet`` to pick up), then the commit
is tagged ``vX.Y.Z``. Research code pins it with ``load_dataset(REPO, revision="vX.Y.Z")``.

Refused unless the build verifies, its version is recorded in releases.json with the same content, and
(on the Hub) the tag does not exist yet. ``--dry-run`` prints the plan without any network access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.describe.manifest import canonical_json
from builders.release.history import RELEASES_PATH, find, load_history, release_entry
from builders.release.verify import verify


@dataclass
class PublishPlan:
    folder: Path
    repo_id: str
    version: str
    tag: str
    files: list[tuple[str, int]] = field(default_factory=list)  # (path in repo, bytes)
    problems: list[str] = field(default_factory=list)

    @property
    def commit_message(self) -> str:
        return f"zh-rss-posts {self.version}"

    def format(self) -> str:
        lines = [
            f"publish {self.folder} to https://huggingface.co/datasets/{self.repo_id}",
            f"  1. upload_folder(repo_type='dataset', commit_message={self.commit_message!r}, delete_patterns=['*'])"
            f" with {len(self.files)} file(s), {sum(b for _, b in self.files)} bytes:",
            *(f"       {path} ({size} bytes)" for path, size in self.files),
            f"  2. create_tag(tag={self.tag!r}) on that commit",
            f"  pinned load: load_dataset({self.repo_id!r}, revision={self.tag!r})",
        ]
        if self.problems:
            lines.append("REFUSED:")
            lines.extend(f"- {problem}" for problem in self.problems)
        return "\n".join(lines)


def plan_publish(folder: Path, repo_id: str, releases_path: Path = RELEASES_PATH) -> PublishPlan:
    """What ``publish`` would do, and why it would refuse; no network access."""
    report = verify(folder)
    manifest: dict[str, Any] = report.manifest or {}
    version = str(manifest.get("dataset_version", "?"))
    plan = PublishPlan(folder, repo_id, version, f"v{version}")
    if "/" not in repo_id:
        plan.problems.append(f"repo {repo_id!r} is not ORG/NAME")
    if not report.ok:
        plan.problems.append("the build does not verify:\n" + report.format())
        return plan
    plan.files = [
        (p.relative_to(folder).as_posix(), p.stat().st_size) for p in sorted(folder.rglob("*")) if p.is_file()
    ]
    recorded = find(load_history(releases_path), version)
    if recorded is None:
        plan.problems.append(f"version {version} is not a recorded release: run `zh-rss-posts release {folder}` first")
    elif canonical_json(recorded) != canonical_json(release_entry(manifest)):
        plan.problems.append(f"the build differs from the recorded release {version}")
    return plan


def publish(plan: PublishPlan, token: str | None = None, private: bool = False) -> str:
    """Carry out a plan on the Hub (network); returns the tagged commit."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(plan.repo_id, repo_type="dataset", private=private, exist_ok=True)
    tags = {ref.name for ref in api.list_repo_refs(plan.repo_id, repo_type="dataset").tags}
    if plan.tag in tags:
        raise RuntimeError(f"tag {plan.tag} already exists on {plan.repo_id}: a release is never overwritten")
    commit = api.upload_folder(
        repo_id=plan.repo_id,
        folder_path=str(plan.folder),
        repo_type="dataset",
        commit_message=plan.commit_message,
        delete_patterns=["*"],
    )
    api.create_tag(
        plan.repo_id, tag=plan.tag, revision=commit.oid, repo_type="dataset", tag_message=plan.commit_message
    )
    return commit.oid
