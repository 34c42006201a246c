"""Versions researchers can pin: three successive releases of a growing corpus, end to end.

0.1.0: a corpus with a test post T, a train post X (T and X share half their text, not enough to be
duplicates), an exact duplicate. 0.2.0: the corpus grows: new posts, a new duplicate, a changed post, and an
*earlier* copy of T (it becomes the canonical of T's cluster, and its own id hashes to train). 0.3.0: a post B
that contains both T and X bridges their clusters. Every step goes through the CLI (build --against, verify
--against, diff, release --against); the pinned loads return exactly each release's rows.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import builders.describe.card
import builders.describe.croissant
import builders.describe.manifest
from builders.commands import main
from builders.common.identity import record_id, split_of
from builders.describe.changelog import load_history
from builders.release import ReleaseError, load_release
from builders.release.diff import diff_builds
from builders.write.ledger import LEDGER_NAME, read_ledger
from tests.helpers import write_corpus

FEED = ("金融", "测试财经", "快讯")
OTHER_FEED = ("社交媒体", "测试社区", "热榜")


def prose(seed: int, chars: int) -> str:
    """Invented Chinese-looking text (random common characters), different for every seed."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x4E00, 0x62FF)) for _ in range(chars))


def named(split: str, stem: str, feed: tuple[str, str, str] = FEED, start: int = 0) -> str:
    """The first raw path ``<feed>/<stem>N.md`` whose own id hashes to ``split``."""
    for n in range(start, start + 10_000):
        raw_path = "/".join(feed) + f"/{stem}{n}.md"
        if split_of(record_id(raw_path)) == split:
            return raw_path
    raise AssertionError(f"no name for {split}")


def post(body: str, day: int, categories: tuple[str, str, str] = FEED, title: str = "'一篇'") -> dict[str, object]:
    return {
        "title": title,
        "categories": categories,
        "date": f"Mon, {day:02d} Aug 2022 08:00:00 GMT",
        "body": f"<p>{body}</p>",
    }


P, Q, R = prose(1, 120), prose(2, 60), prose(3, 60)
T = named("test", "测试集文章")
X = named("train", "训练集文章")
T_EARLY = named("train", "更早的转载", OTHER_FEED)  # its own id hashes to train: without a ledger T would move
B = named("train", "合并两篇的长文")
BASE = {f"{'/'.join(FEED)}/普通文章{i}.md": post(prose(100 + i, 90), 2 + i) for i in range(10)}
FIRST = {
    **BASE,
    T: post(P + Q, 10),
    X: post(P + R, 11),
    f"{'/'.join(OTHER_FEED)}/普通文章0的转载.md": {**BASE[f"{'/'.join(FEED)}/普通文章0.md"], "categories": OTHER_FEED},
}
CHANGED = f"{'/'.join(FEED)}/普通文章1.md"
SECOND = {
    **{f"{'/'.join(FEED)}/新文章{i}.md": post(prose(200 + i, 90), 20 + i) for i in range(3)},
    f"{'/'.join(OTHER_FEED)}/普通文章2的转载.md": post(prose(102, 90), 15, OTHER_FEED),  # a later copy: a new duplicate
    T_EARLY: {**post(P + Q, 1, OTHER_FEED)},  # an earlier copy of the released test post
    CHANGED: post(prose(999, 90), 3),  # the cleaning output of a released post changes
}
THIRD = {B: post(P + Q + R, 25), f"{'/'.join(FEED)}/又一篇新文章.md": post(prose(300, 90), 26)}


def cli(*args: str) -> int:
    return main(list(args))


def build_version(raw: Path, out: Path, version: str, monkeypatch: pytest.MonkeyPatch, *against: str) -> Path:
    """``zh-rss-posts build RAW --out OUT [--against OLD]`` with builders/version.py saying ``version``."""
    with monkeypatch.context() as patch:
        for module in (builders.describe.card, builders.describe.manifest, builders.describe.croissant):
            patch.setattr(module, "DATASET_VERSION", version)
        assert cli("build", str(raw), "--out", str(out), "--workers", "1", *against) == 0
    return out


def rows_by_split(folder: Path) -> dict[str, dict[str, dict]]:
    """split -> id -> row, read from the shards."""
    rows: dict[str, dict[str, dict]] = {}
    for path in sorted((folder / "data").glob("*.parquet")):
        split = path.name.split("-", 1)[0]
        for row in pq.read_table(path).to_pylist():
            rows.setdefault(split, {})[row["id"]] = row
    return rows


def split_of_records(folder: Path) -> dict[str, str]:
    return {i: split for split, rows in rows_by_split(folder).items() for i in rows}


def data_sha256(folder: Path) -> str:
    return json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))["data_fingerprint"]


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Three releases of a growing corpus, each built against the one before and released."""
    patch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("pinning")
    raw = write_corpus(root / "raw", FIRST)
    project = root / "project-releases.json"  # the project's copy of the history
    project.write_text('{"dataset": "zh-rss-posts", "releases": []}\n', encoding="utf-8")
    v1 = build_version(raw, root / "v0.1.0", "0.1.0", patch)
    assert cli("release", str(v1), "--history", str(project), "--card", "") == 0
    write_corpus(raw, SECOND)
    v2 = build_version(raw, root / "v0.2.0", "0.2.0", patch, "--against", str(v1))
    unpinned = build_version(raw, root / "unpinned", "0.2.0", patch)  # the same corpus without a ledger
    assert cli("verify", str(v2), "--against", str(v1)) == 0
    assert cli("diff", str(v1), str(v2), "--check") == 0
    assert cli("release", str(v2), "--against", str(v1), "--history", str(project), "--card", "") == 0
    write_corpus(raw, THIRD)
    v3 = build_version(raw, root / "v0.3.0", "0.3.0", patch, "--against", str(v2))
    assert cli("verify", str(v3), "--against", str(v2), "--against", str(v1)) == 0
    assert cli("release", str(v3), "--against", str(v2), "--history", str(project), "--card", "") == 0
    yield {"0.1.0": v1, "0.2.0": v2, "0.3.0": v3, "unpinned": unpinned, "raw": raw, "project": project}
    patch.undo()


def test_a_released_record_never_changes_split(releases: dict[str, Path]) -> None:
    v1, v2, v3 = (split_of_records(releases[v]) for v in ("0.1.0", "0.2.0", "0.3.0"))
    t, x, early, bridge = (record_id(p) for p in (T, X, T_EARLY, B))
    assert v1[t] == "test" and v1[x] == "train"
    assert all(v2[i] == split for i, split in v1.items())  # every 0.1.0 record keeps its split in 0.2.0
    assert all(v3[i] == split for i, split in v2.items())
    # the earlier copy of the test post becomes its cluster's canonical, and joins the test split
    row = rows_by_split(releases["0.2.0"])["test"]
    assert row[t]["near_dup_cluster"] == early and row[t]["is_duplicate"]
    assert v2[early] == "test"
    # without the ledger the cluster would follow its new canonical's hash into train: the bug of issue 15
    assert split_of_records(releases["unpinned"])[t] == "train" == split_of(early)
    # the bridge: B joins T's test cluster and X's train cluster; it goes to test, T and X stay
    assert v3[bridge] == "test" and v3[t] == "test" and v3[x] == "train"
    ledger = read_ledger(releases["0.3.0"] / LEDGER_NAME)
    assert ledger == {**v1, **v2, **v3}


def test_diff_reports_the_changes_and_the_bridge(releases: dict[str, Path]) -> None:
    second = diff_builds(releases["0.1.0"], releases["0.2.0"])
    assert set(second.added) == {record_id(p) for p in SECOND if p != CHANGED}
    assert set(second.changed) == {record_id(CHANGED), record_id(T)}  # T is now a duplicate of its earlier copy
    assert str(second.required) == "minor"
    third = diff_builds(releases["0.2.0"], releases["0.3.0"])
    assert set(third.added) == {record_id(p) for p in THIRD} and not third.removed
    # X joins the merged cluster (its canonical is T's earlier copy): a changed record, so a minor bump
    assert set(third.changed) == {record_id(X)} and str(third.required) == "minor"
    [(cluster, (splits, new))] = third.bridges.items()
    assert splits == ["train", "test"] and new == [record_id(B)]
    assert cluster in {record_id(T_EARLY), record_id(X)}


def test_the_history_travels_with_each_release(releases: dict[str, Path]) -> None:
    for version, expected in (
        ("0.1.0", ["0.1.0"]),
        ("0.2.0", ["0.1.0", "0.2.0"]),
        ("0.3.0", ["0.1.0", "0.2.0", "0.3.0"]),
    ):
        shipped = load_history(releases[version] / "releases.json")
        assert [entry["version"] for entry in shipped] == expected
        assert shipped[-1]["data_fingerprint"] == data_sha256(releases[version])
    project = load_history(releases["project"])
    assert project == load_history(releases["0.3.0"] / "releases.json")
    changes = {entry["version"]: entry["changes"] for entry in project}
    assert changes["0.1.0"]["bump"] == "initial"
    assert {k: changes["0.2.0"][k] for k in ("added", "removed", "changed", "bump")} == {
        "added": len(SECOND) - 1,
        "removed": 0,
        "changed": 2,
        "bump": "minor",
    }
    assert changes["0.3.0"]["bridges"] == 1 and changes["0.3.0"]["bump"] == "minor"
    readme = (releases["0.3.0"] / "README.md").read_text(encoding="utf-8")
    changelog = readme.split("<!-- build:changelog -->", 1)[1].split("<!-- /build:changelog -->", 1)[0]
    for entry in project:
        line = next(line for line in changelog.splitlines() if line.startswith(f"| {entry['version']} |"))
        assert (
            entry["date"] in line
            and entry["schema_fingerprint"][:12] in line
            and entry["data_fingerprint"][:12] in line
        )
    assert "| 0.2.0 |" in changelog and "| 2 |" in changelog and "minor: " in changelog


def test_load_release_returns_each_versions_exact_rows(releases: dict[str, Path], tmp_path: Path) -> None:
    for version in ("0.1.0", "0.2.0", "0.3.0"):
        folder = releases[version]
        loaded = load_release(
            folder, version=version, data_sha256=data_sha256(folder), config="all", cache_dir=tmp_path
        )
        expected = rows_by_split(folder)
        assert set(loaded) == set(expected)
        for split, dataset in loaded.items():
            assert {row["id"]: row for row in dataset.to_list()} == expected[split]
        with pytest.raises(ReleaseError, match="is not the pinned"):
            load_release(folder, version=version, data_sha256="0" * 64, cache_dir=tmp_path)
    with pytest.raises(ReleaseError, match=r"holds version 0\.2\.0, expected 0\.1\.0"):
        load_release(releases["0.2.0"], version="0.1.0", cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 3  # one cache folder per version


def test_verify_rebuilds_a_release_byte_for_byte(releases: dict[str, Path]) -> None:
    """``verify --raw --rebuild`` builds the raw corpus again (routed by the release's own ledger)."""
    assert cli("verify", str(releases["0.3.0"]), "--raw", str(releases["raw"]), "--rebuild") == 0
    # a corpus that is not the release's fails before any rebuild
    assert cli("verify", str(releases["0.1.0"]), "--raw", str(releases["raw"]), "--rebuild") == 1


def test_verify_catches_a_record_moved_against_the_ledger(releases: dict[str, Path], tmp_path: Path) -> None:
    import shutil

    from builders.write.ledger import write_ledger

    copy = Path(shutil.copytree(releases["0.2.0"], tmp_path / "moved"))
    ledger = read_ledger(copy / LEDGER_NAME)
    ledger[record_id(T)] = "train"
    write_ledger(copy / LEDGER_NAME, ledger)
    assert cli("verify", str(copy)) == 1  # its sha256 and its content both disagree
    from builders.release.verify import verify

    problems = " ".join(verify(copy, against=releases["0.1.0"]).problems)
    assert "disagree with the split ledger" in problems and "changed split since" in problems
