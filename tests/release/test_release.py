"""Release policy, the release history (on temp copies), pinned loads, and the Hub publish plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

import builders.describe.card
import builders.describe.manifest
import builders.release.history
import builders.release.hub
from builders.build import build
from builders.commands import main
from builders.common.dataset import DATASET_VERSION
from builders.common.semver import Bump, SemVer, bump_between, bumped
from builders.describe.manifest import schema_fingerprint
from builders.release.history import (
    CARD_PATH,
    RELEASES_PATH,
    TABLE_END,
    TABLE_START,
    ReleaseError,
    history_table,
    load_history,
    load_release,
    record_release,
    required_bump,
    schema_policy_problems,
)
from builders.release.hub import plan_publish, publish
from builders.release.verify import verify
from tests.helpers import INVENTED_POSTS, write_corpus

FIRST = next(iter(INVENTED_POSTS))
EXTRA = {"新媒体/测试科技/资讯/新增的一篇文章.md": {"body": "<p>后来新增的一篇虚构文章，和别的都不一样。</p>"}}


def build_as(raw: Path, out: Path, version: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A build that says ``version`` (as if builders/version.py said so)."""
    with monkeypatch.context() as patch:
        patch.setattr(builders.describe.card, "DATASET_VERSION", version)
        patch.setattr(builders.describe.manifest, "DATASET_VERSION", version)
        build(raw, out, workers=1)
    return out


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A temp copy of the repository's releases.json (the real one is never written by tests)."""
    return Path(shutil.copy(RELEASES_PATH, tmp_path / "releases.json"))


@pytest.fixture
def card(tmp_path: Path) -> Path:
    path = tmp_path / "CARD.md"
    path.write_text("# card\n\n<!-- build:changelog -->\nold\n<!-- /build:changelog -->\n\nend\n", encoding="utf-8")
    return path


@pytest.fixture
def first_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    raw = write_corpus(tmp_path / "raw")
    return raw, build_as(raw, tmp_path / "v010", "0.1.0", monkeypatch)


# --- the policy, as code and as the repository's own check -------------------------------------------


def entry(version: str, schema: str = "s", records: str = "r", inputs: str = "i", data: str = "d") -> dict[str, Any]:
    return {
        "version": version,
        "schema_fingerprint": schema,
        "records_fingerprint": records,
        "input_fingerprint": inputs,
        "data_fingerprint": data,
        "counts": {},
    }


def test_semver_bumps() -> None:
    assert bump_between("0.1.0", "1.0.0") is Bump.MAJOR
    assert bump_between("0.1.0", "0.2.0") is Bump.MINOR
    assert bump_between("0.1.9", "0.1.10") is Bump.PATCH
    assert bump_between("0.1.0", "0.1.0") is Bump.NONE
    assert bump_between("0.2.0", "0.1.5") is None
    assert bumped("0.3.2", Bump.MINOR) == "0.4.0" and bumped("0.3.2", Bump.MAJOR) == "1.0.0"
    with pytest.raises(ValueError, match="not a semantic version"):
        SemVer.parse("1.0")


def test_a_schema_change_without_a_major_bump_is_caught() -> None:
    releases = [entry("0.1.0", schema="old"), entry("0.2.0", schema="old")]
    assert schema_policy_problems(releases, "old", "0.2.0") == []
    assert schema_policy_problems(releases, "old", "0.2.1") == []
    problems = schema_policy_problems(releases, "new", "0.3.0")
    assert len(problems) == 1 and "needs a MAJOR bump, set DATASET_VERSION = '1.0.0'" in problems[0]
    assert schema_policy_problems(releases, "new", "0.2.0") != []
    assert schema_policy_problems(releases, "new", "1.0.0") == []
    assert "below the latest release 0.2.0" in schema_policy_problems(releases, "old", "0.1.0")[0]
    assert schema_policy_problems([], "anything", "0.0.1") == []


def test_the_code_agrees_with_the_latest_recorded_release() -> None:
    """CI guard: change the Features without bumping MAJOR in builders/version.py, and this fails."""
    releases = load_history(RELEASES_PATH)
    assert schema_policy_problems(releases, schema_fingerprint(), DATASET_VERSION) == []
    versions = [SemVer.parse(e["version"]) for e in releases]
    assert versions == sorted(set(versions))
    assert json.loads(RELEASES_PATH.read_text(encoding="utf-8"))["dataset"] == "zh-rss-posts"


def test_the_card_shows_the_recorded_history() -> None:
    card = CARD_PATH.read_text(encoding="utf-8")
    block = card.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    assert block == history_table(load_history(RELEASES_PATH))


def test_the_bump_the_fingerprints_prove() -> None:
    last = entry("0.1.0")
    assert required_bump(entry("x", schema="other"), last) == (Bump.MAJOR, [])
    assert required_bump(entry("x", records="other"), last) == (Bump.MINOR, [])  # same input, other output
    need, warnings = required_bump(entry("x", records="other", inputs="more"), last)
    assert need is Bump.PATCH and "--against" in warnings[0]
    assert required_bump(entry("x", data="other"), last) == (Bump.PATCH, [])
    assert required_bump(entry("x"), last) == (Bump.NONE, [])


# --- recording releases (temp copies of releases.json) ---------------------------------------------------


def test_record_then_refuse_to_overwrite_with_other_content(
    first_build: tuple[Path, Path], history: Path, card: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, v010 = first_build
    assert "recorded release 0.1.0" in record_release(v010, history, card_path=card)
    recorded = load_history(history)
    manifest = json.loads((v010 / "MANIFEST.json").read_text(encoding="utf-8"))
    assert [e["version"] for e in recorded] == ["0.1.0"]
    assert recorded[0]["data_fingerprint"] == manifest["data_fingerprint"]
    assert recorded[0]["counts"]["records"] == len(INVENTED_POSTS)
    today = recorded[0]["date"]
    assert f"| 0.1.0 | {today} | 6 |" in card.read_text(encoding="utf-8") and "old" not in card.read_text(
        encoding="utf-8"
    )
    assert load_history(v010 / "releases.json") == recorded  # the history travels with the data
    readme = (v010 / "README.md").read_text(encoding="utf-8")
    assert f"| 0.1.0 | {today} | 6 | - | - | - | - |" in readme and "initial: first release" in readme
    assert verify(v010).ok  # the manifest lists the new history and card
    assert "already recorded with this content" in record_release(v010, history, card_path=card)

    write_corpus(raw, {FIRST: {**INVENTED_POSTS[FIRST], "body": "<p>清洗结果变了。</p>"}})
    other = build_as(raw, tmp_path / "other", "0.1.0", monkeypatch)
    assert verify(other).ok  # an ordinary build is never blocked by the release history
    before = history.read_bytes()
    with pytest.raises(ReleaseError, match=r"0\.1\.0 is already recorded with different content \(.*data_fingerprint"):
        record_release(other, history, card_path=card)
    assert history.read_bytes() == before


def test_a_new_release_must_bump_enough(
    first_build: tuple[Path, Path], history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, v010 = first_build
    record_release(v010, history, card_path=None)
    changed_raw = Path(shutil.copytree(raw, tmp_path / "changed_raw"))
    write_corpus(changed_raw, {FIRST: {**INVENTED_POSTS[FIRST], "body": "<p>改写后的正文。</p>"}})
    patch_only = build_as(changed_raw, tmp_path / "c011", "0.1.1", monkeypatch)
    with pytest.raises(ReleaseError, match=r"0\.1\.0 -> 0\.1\.1 is a patch bump, but the changes need minor"):
        record_release(patch_only, history, against=v010, card_path=None)
    minor = build_as(changed_raw, tmp_path / "c020", "0.2.0", monkeypatch)
    assert "recorded release 0.2.0" in record_release(minor, history, against=v010, card_path=None)

    added_raw = write_corpus(Path(shutil.copytree(changed_raw, tmp_path / "added_raw")), EXTRA)
    added = build_as(added_raw, tmp_path / "a021", "0.2.1", monkeypatch)
    message = record_release(added, history, card_path=None)
    assert "warning: inputs changed since 0.2.0" in message and "recorded release 0.2.1" in message
    stale = build_as(added_raw, tmp_path / "a015", "0.1.5", monkeypatch)
    with pytest.raises(ReleaseError, match=r"0\.1\.5 is not above the latest release 0\.2\.1"):
        record_release(stale, history, card_path=None)
    assert [e["version"] for e in load_history(history)] == ["0.1.0", "0.2.0", "0.2.1"]


def test_a_broken_build_is_never_recorded(first_build: tuple[Path, Path], history: Path, tmp_path: Path) -> None:
    broken = Path(shutil.copytree(first_build[1], tmp_path / "broken"))
    next((broken / "data").glob("*.parquet")).unlink()
    with pytest.raises(ReleaseError, match="does not verify"):
        record_release(broken, history, card_path=None)
    assert load_history(history) == load_history(RELEASES_PATH)


def test_cli_release(first_build: tuple[Path, Path], history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["release", str(first_build[1]), "--releases", str(history), "--card", ""]
    assert main(args) == 0
    assert main(args) == 0
    assert "already recorded" in capsys.readouterr().out


# --- pinned loads --------------------------------------------------------------------------------------


def test_load_release_returns_the_pinned_rows(first_build: tuple[Path, Path], history: Path, tmp_path: Path) -> None:
    _, v010 = first_build
    with pytest.raises(ReleaseError, match=r"does not record release 0\.1\.0 \(a build that was never released"):
        load_release(v010, version="0.1.0", cache_dir=tmp_path / "c")
    record_release(v010, history, card_path=None)
    dataset = load_release(v010, version="0.1.0", config="all", history=history, cache_dir=tmp_path / "c")
    assert sum(split.num_rows for split in dataset.values()) == len(INVENTED_POSTS)
    assert load_release(v010, "0.1.0", cache_dir=tmp_path / "c")["train"].num_rows > 0
    data_sha256 = json.loads((v010 / "MANIFEST.json").read_text(encoding="utf-8"))["data_fingerprint"]
    assert load_release(v010, "0.1.0", data_sha256=data_sha256, cache_dir=tmp_path / "c")["train"].num_rows > 0
    assert [p.name for p in (tmp_path / "c").iterdir()] == [f"0.1.0-{data_sha256[:16]}"]  # one cache per version
    with pytest.raises(ReleaseError, match=f"data sha256 {data_sha256} is not the pinned 00ff"):
        load_release(v010, "0.1.0", data_sha256="00ff", cache_dir=tmp_path / "c")


def test_load_release_fails_loudly(
    first_build: tuple[Path, Path], history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, v010 = first_build
    with pytest.raises(ReleaseError, match=r"wrong version: .* holds version 0\.1\.0, expected 0\.2\.0"):
        load_release(v010, version="0.2.0")
    record_release(v010, history, card_path=None)
    corrupt = Path(shutil.copytree(v010, tmp_path / "corrupt"))
    shard = next((corrupt / "data").glob("*.parquet"))
    shard.write_bytes(shard.read_bytes()[:-1] + b"\x00")
    with pytest.raises(ReleaseError, match="is corrupt"):
        load_release(corrupt, version="0.1.0")
    extra = Path(shutil.copytree(v010, tmp_path / "extra"))
    shutil.copy(next((extra / "data").glob("*.parquet")), extra / "data" / "train-00009-of-00009.parquet")
    with pytest.raises(ReleaseError, match=r"extra file data/train-00009-of-00009\.parquet"):
        load_release(extra, version="0.1.0")
    missing = Path(shutil.copytree(v010, tmp_path / "missing"))
    next((missing / "data").glob("*.parquet")).unlink()
    with pytest.raises(ReleaseError, match="missing shard"):
        load_release(missing, version="0.1.0")
    # another build that claims to be 0.1.0, carrying the real 0.1.0's history
    write_corpus(raw, EXTRA)
    impostor = build_as(raw, tmp_path / "impostor", "0.1.0", monkeypatch)
    shutil.copy(v010 / "releases.json", impostor / "releases.json")
    with pytest.raises(ReleaseError, match=r"records release 0\.1\.0 with other content .*data_fingerprint"):
        load_release(impostor, version="0.1.0")
    # a shipped history that disagrees with the project's copy
    doctored = json.loads(history.read_text(encoding="utf-8"))
    doctored["releases"][0]["records_fingerprint"] = "0" * 64
    other_history = tmp_path / "other-releases.json"
    other_history.write_text(json.dumps(doctored), encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"histories disagree on release 0\.1\.0: .* records_fingerprint"):
        load_release(v010, version="0.1.0", history=other_history)


def test_load_release_from_the_hub_downloads_the_tag(
    first_build: tuple[Path, Path], history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    _, v010 = first_build
    record_release(v010, history, card_path=None)
    calls: list[tuple[str, dict[str, Any]]] = []

    def snapshot_download(repo_id: str, **kwargs: Any) -> str:
        calls.append((repo_id, kwargs))
        return str(v010)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    dataset = load_release("org/zh-rss-posts", version="0.1.0", config="all", cache_dir=tmp_path / "c")
    assert sum(split.num_rows for split in dataset.values()) == len(INVENTED_POSTS)
    assert calls == [("org/zh-rss-posts", {"repo_type": "dataset", "revision": "v0.1.0"})]
    load_release("org/zh-rss-posts", version="0.1.0", revision="abc123", cache_dir=tmp_path / "c")
    assert calls[-1][1]["revision"] == "abc123"
    with pytest.raises(ReleaseError, match=r"holds version 0\.1\.0, expected 0\.2\.0"):
        load_release("org/zh-rss-posts", version="0.2.0", cache_dir=tmp_path / "c")
    with pytest.raises(ReleaseError, match="neither a local folder nor a Hub repo id"):
        load_release(str(tmp_path / "nowhere" / "deeper" / "still"), version="0.1.0")


# --- publishing to the Hub: the plan (offline) and the calls it makes -----------------------------------


class FakeHub:
    """Stands in for HfApi: records calls; knows the tags and the head's files given."""

    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    tags: ClassVar[list[str]] = []
    head: ClassVar[str | None] = None
    remote: ClassVar[list[str]] = []

    def __init__(self, token: str | None = None) -> None:
        pass

    def create_repo(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))

    def list_repo_refs(self, repo_id: str, **kwargs: Any) -> SimpleNamespace:
        branches = [SimpleNamespace(name="main", target_commit=self.head)] if self.head else []
        return SimpleNamespace(tags=[SimpleNamespace(name=tag) for tag in self.tags], branches=branches)

    def list_repo_files(self, repo_id: str, **kwargs: Any) -> list[str]:
        self.calls.append(("list_repo_files", {"repo_id": repo_id, **kwargs}))
        return list(self.remote)

    def create_commit(self, repo_id: str, operations: list[Any], **kwargs: Any) -> SimpleNamespace:
        self.calls.append(("create_commit", {"repo_id": repo_id, "operations": list(operations), **kwargs}))
        return SimpleNamespace(oid="c0ffee" + "0" * 34)

    def upload_folder(self, **kwargs: Any) -> None:  # may split into several commits: never to be used
        raise AssertionError("upload_folder must not be used")

    def create_tag(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_tag", {"repo_id": repo_id, **kwargs}))


def test_publish_dry_run_prints_the_plan_without_network(
    first_build: tuple[Path, Path], history: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", None)  # any network use would crash
    _, v010 = first_build
    args = ["publish", str(v010), "--repo", "org/zh-rss-posts", "--dry-run", "--history", str(history)]
    assert main(args) == 1
    assert "version 0.1.0 is not a recorded release" in capsys.readouterr().out
    record_release(v010, history, card_path=None)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "create_commit(repo_type='dataset', commit_message='zh-rss-posts 0.1.0', parent_commit=" in out
    assert "create_tag(tag='v0.1.0', revision=<that commit's oid>)" in out
    assert f"record the commit's SHA in {history}" in out
    assert "load_dataset('org/zh-rss-posts', revision='v0.1.0')" in out
    every = sorted(p.relative_to(v010).as_posix() for p in v010.rglob("*") if p.is_file())
    for path in every:
        size = (v010 / path).stat().st_size
        assert f"CommitOperationAdd(path_in_repo={path!r}, path_or_fileobj=...) ({size} bytes)" in out
    assert {"releases.json", "split_ledger.parquet", "MANIFEST.json", "README.md"} <= set(every)
    assert "dry run: nothing sent" in out
    no_history = ["publish", str(v010), "--repo", "org/zh-rss-posts", "--dry-run"]
    monkeypatch.setattr(builders.release.history, "checkout_history", lambda: None)
    assert main(no_history) == 1
    assert "pass --history FILE" in capsys.readouterr().out


def test_publish_is_one_commit_then_a_tag_then_the_sha_in_the_history(
    first_build: tuple[Path, Path], history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    _, v010 = first_build
    record_release(v010, history, card_path=None)
    plan = plan_publish(v010, "org/zh-rss-posts", history)
    assert plan.problems == []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHub)
    FakeHub.calls, FakeHub.tags, FakeHub.head = [], [], "a" * 40
    FakeHub.remote = [".gitattributes", "README.md", "data/train-00000-of-00002.parquet", "data/old.parquet"]
    oid = publish(plan)
    assert oid == "c0ffee" + "0" * 34
    assert [name for name, _ in FakeHub.calls] == ["create_repo", "list_repo_files", "create_commit", "create_tag"]
    commit, tag = FakeHub.calls[2][1], FakeHub.calls[3][1]
    adds = [op for op in commit["operations"] if isinstance(op, CommitOperationAdd)]
    deletes = [op.path_in_repo for op in commit["operations"] if isinstance(op, CommitOperationDelete)]
    local = sorted(p.relative_to(v010).as_posix() for p in v010.rglob("*") if p.is_file())
    assert sorted(op.path_in_repo for op in adds) == local
    assert all(Path(str(op.path_or_fileobj)) == v010 / op.path_in_repo for op in adds)
    # remote files the release does not have go, in the same commit; .gitattributes stays
    assert deletes == ["data/old.parquet", "data/train-00000-of-00002.parquet"]
    assert commit["parent_commit"] == "a" * 40 and commit["repo_type"] == "dataset"
    assert tag == {
        "repo_id": "org/zh-rss-posts",
        "tag": "v0.1.0",
        "revision": oid,
        "repo_type": "dataset",
        "tag_message": "zh-rss-posts 0.1.0",
    }
    recorded = load_history(history)[0]
    assert recorded["published"] == {"repo": "org/zh-rss-posts", "commit": oid, "tag": "v0.1.0"}
    assert "published" not in load_history(v010 / "releases.json")[0]  # the published files stay as sent
    assert verify(v010).ok
    # never again: the plan refuses a recorded publication, the Hub an existing tag
    assert any("already published" in p for p in plan_publish(v010, "org/zh-rss-posts", history).problems)
    FakeHub.calls, FakeHub.tags = [], ["v0.1.0"]
    with pytest.raises(RuntimeError, match=r"tag v0\.1\.0 already exists"):
        publish(plan)
    assert [name for name, _ in FakeHub.calls] == ["create_repo"]


def test_publish_records_a_release_made_outside_a_checkout(
    first_build: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release recorded only in the folder (no project history then): publish takes its entry in."""
    import huggingface_hub

    _, v010 = first_build
    record_release(v010, None, card_path=None)
    project = tmp_path / "project.json"
    project.write_text('{"dataset": "zh-rss-posts", "releases": []}\n', encoding="utf-8")
    plan = plan_publish(v010, "org/zh-rss-posts", project)
    assert plan.problems == []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHub)
    FakeHub.calls, FakeHub.tags, FakeHub.head, FakeHub.remote = [], [], None, []
    oid = publish(plan)
    assert [name for name, _ in FakeHub.calls] == ["create_repo", "create_commit", "create_tag"]
    assert FakeHub.calls[1][1]["parent_commit"] is None  # a new repo: nothing to build on
    [entry] = load_history(project)
    assert entry["published"]["commit"] == oid
    assert {k: v for k, v in entry.items() if k != "published"} == load_history(v010 / "releases.json")[0]
