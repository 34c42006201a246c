"""``zh-rss-posts publish [DIR] --repo ORG/zh-rss-posts [--dry-run] [--history FILE]``: a release to the Hub.

The release goes up as **one commit** (``HfApi.create_commit``; ``upload_folder`` may split a large upload
into several): a ``CommitOperationAdd`` for every file of the folder, and a ``CommitOperationDelete`` for
every file of the repo's head that the folder does not have (so no stale shard of an older release is left
for ``data/<split>-*.parquet`` to pick up; ``.gitattributes`` stays). The commit is made on top of the head
seen when planning (``parent_commit``: a concurrent push makes it fail rather than be overwritten), then
tagged ``vX.Y.Z`` (``create_tag(revision=commit.oid)``), and its SHA recorded in the project's history.
Nothing is ever rewritten: no force push, no squash, an existing tag or a recorded publication is refused.
Research code pins it with ``load_dataset(REPO, revision="vX.Y.Z")`` or ``load_release(REPO, version=...)``.

Refused unless the build verifies and its shipped history (``DIR/releases.json``) records its version with
the same content (and agrees with the project's history). ``--dry-run`` prints every operation, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.release.history import (
    ReleaseError,
    check_release,
    find,
    load_history,
    record_published,
)
from builders.release.verify import HISTORY_NAME, verify

KEPT_REMOTE = frozenset({".gitattributes"})


@dataclass
class PublishPlan:
    folder: Path
    repo_id: str
    version: str
    tag: str
    files: list[tuple[str, int]] = field(default_factory=list)  # (path in repo, bytes)
    problems: list[str] = field(default_factory=list)
    history: Path | None = None  # where the commit SHA is recorded

    @property
    def commit_message(self) -> str:
        return f"zh-rss-posts {self.version}"

    def operations(self, remote_files: list[str] | None = None) -> list[Any]:
        """The commit's operations: every local file added, every other remote file deleted."""
        from huggingface_hub import CommitOperationAdd, CommitOperationDelete

        ops: list[Any] = [
            CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(self.folder / path)) for path, _ in self.files
        ]
        local = {path for path, _ in self.files}
        ops += [
            CommitOperationDelete(path_in_repo=path)
            for path in sorted(remote_files or [])
            if path not in local and path not in KEPT_REMOTE
        ]
        return ops

    def format(self) -> str:
        lines = [
            f"publish {self.folder} to https://huggingface.co/datasets/{self.repo_id}",
            f"  1. create_commit(repo_type='dataset', commit_message={self.commit_message!r}, "
            "parent_commit=<head of main>) with:",
            *(
                f"       CommitOperationAdd(path_in_repo={path!r}, path_or_fileobj=...) ({size} bytes)"
                for path, size in self.files
            ),
            f"       {len(self.files)} file(s), {sum(b for _, b in self.files)} bytes; and a "
            "CommitOperationDelete for each file of the head not listed here (except .gitattributes)",
            f"  2. create_tag(tag={self.tag!r}, revision=<that commit's oid>)",
            f"  3. record the commit's SHA in {self.history or '(no history file: use --history FILE)'}",
            f"  pinned load: load_dataset({self.repo_id!r}, revision={self.tag!r})",
        ]
        if self.problems:
            lines.append("REFUSED:")
            lines.extend(f"- {problem}" for problem in self.problems)
        return "\n".join(lines)


def plan_publish(folder: Path, repo_id: str, history: Path | None = None) -> PublishPlan:
    """What ``publish`` would do, and why it would refuse; no network access."""
    report = verify(folder)
    manifest: dict[str, Any] = report.manifest or {}
    version = str(manifest.get("dataset_version", "?"))
    plan = PublishPlan(folder, repo_id, version, f"v{version}", history=history)
    if "/" not in repo_id:
        plan.problems.append(f"repo {repo_id!r} is not ORG/NAME")
    if not report.ok:
        plan.problems.append("the build does not verify:\n" + report.format())
        return plan
    plan.files = [
        (p.relative_to(folder).as_posix(), p.stat().st_size) for p in sorted(folder.rglob("*")) if p.is_file()
    ]
    if find(load_history(folder / HISTORY_NAME), version) is None:
        plan.problems.append(f"version {version} is not a recorded release: run `zh-rss-posts release {folder}` first")
        return plan
    try:
        check_release(folder, version, history=history)
    except ReleaseError as error:
        plan.problems.append(str(error))
    if history is None:
        plan.problems.append("no history to record the commit in: pass --history FILE (the project's releases.json)")
    else:
        published = (find(load_history(history), version) or {}).get("published")
        if published:
            plan.problems.append(f"release {version} was already published: {published}")
    return plan


def publish(plan: PublishPlan, token: str | None = None, private: bool = False) -> str:
    """Carry out a plan on the Hub (network): one commit, one tag, the commit recorded; returns its SHA."""
    from huggingface_hub import HfApi

    if plan.problems or plan.history is None:
        raise RuntimeError("refusing to carry out a refused plan:\n" + plan.format())
    api = HfApi(token=token)
    api.create_repo(plan.repo_id, repo_type="dataset", private=private, exist_ok=True)
    refs = api.list_repo_refs(plan.repo_id, repo_type="dataset")
    if plan.tag in {ref.name for ref in refs.tags}:
        raise RuntimeError(f"tag {plan.tag} already exists on {plan.repo_id}: a release is never overwritten")
    parent = next((branch.target_commit for branch in refs.branches if branch.name == "main"), None)
    remote = api.list_repo_files(plan.repo_id, repo_type="dataset", revision=parent) if parent else []
    commit = api.create_commit(
        plan.repo_id,
        plan.operations(remote),
        commit_message=plan.commit_message,
        commit_description=f"Release {plan.version}: every file of the dataset folder, one commit.",
        repo_type="dataset",
        parent_commit=parent,
    )
    api.create_tag(
        plan.repo_id, tag=plan.tag, revision=commit.oid, repo_type="dataset", tag_message=plan.commit_message
    )
    # The shipped history cannot hold the SHA of the commit that ships it: the project's copy records it,
    # and the next release's shipped history carries it on.
    shipped = load_history(plan.folder / HISTORY_NAME)
    record_published(plan.history, plan.version, plan.repo_id, commit.oid, plan.tag, shipped)
    return commit.oid
