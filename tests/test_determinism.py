"""Same raw input, same bytes; ids and splits that never move; no stale `load_dataset` cache after a rebuild."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datasets import load_dataset

from builders.build import build
from builders.common.identity import record_id
from builders.release.verify import verify
from tests.helpers import INVENTED_POSTS, write_corpus


def copy_scrambled(source: Path, target: Path, seed: int) -> Path:
    """Copy a raw tree creating files in a shuffled order (so directory order differs) with random mtimes."""
    files = [p for p in source.rglob("*") if p.is_file()]
    rng = random.Random(seed)
    rng.shuffle(files)
    for path in files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(path.read_bytes())
        stamp = rng.randrange(1_000_000_000, 1_700_000_000)
        os.utime(destination, (stamp, stamp))
    return target


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def records_by_path(folder: Path) -> dict[str, tuple[str, str]]:
    """raw_path -> (id, split) of every record of a build."""
    found = {}
    for shard in (folder / "data").glob("*.parquet"):
        split = shard.name.split("-", 1)[0]
        for row in pq.read_table(shard, columns=["id", "raw_path"]).to_pylist():
            found[row["raw_path"]] = (row["id"], split)
    return found


@pytest.fixture(scope="module")
def two_builds(real_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("determinism")
    raw_a = copy_scrambled(real_sample, root / "first copy", seed=1)
    raw_b = copy_scrambled(real_sample, root / "elsewhere" / "raw", seed=2)
    out_a, out_b = root / "dataset", root / "other" / "published-here"
    build(raw_a, out_a, workers=1)
    build(raw_b, out_b, workers=2)
    return raw_a, out_a, out_b


def test_real_sample_builds_byte_identical_whatever_workers_order_mtimes_and_folder(
    two_builds: tuple[Path, Path, Path],
) -> None:
    _, out_a, out_b = two_builds
    a, b = tree_bytes(out_a), tree_bytes(out_b)
    assert sorted(a) == sorted(b)
    assert {"MANIFEST.json", "README.md", "quarantine.jsonl"} <= set(a)
    differing = [name for name in a if a[name] != b[name]]
    assert differing == []


def test_both_builds_verify_against_their_raw_input(two_builds: tuple[Path, Path, Path]) -> None:
    raw_a, out_a, out_b = two_builds
    for out in (out_a, out_b):
        report = verify(out, raw=raw_a)
        assert report.ok, report.format()


def test_ids_and_splits_do_not_move_when_other_posts_come_and_go(
    real_sample: Path, two_builds: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    raw, out_full, _ = two_builds
    before = records_by_path(out_full)
    assert len(before) == 91
    changed = Path(shutil.copytree(raw, tmp_path / "raw"))
    posts = changed / "source" / "_posts"
    gone = sorted(before)[::9]  # every ninth post leaves
    for raw_path in gone:
        (posts / raw_path).unlink()
    write_corpus(changed)  # and my invented posts arrive
    build(changed, tmp_path / "out", workers=2)
    after = records_by_path(tmp_path / "out")
    assert set(after) == (set(before) - set(gone)) | set(INVENTED_POSTS)
    for raw_path in set(before) - set(gone):
        assert after[raw_path] == before[raw_path], raw_path
    for raw_path, (post_id, _) in after.items():
        assert post_id == record_id(raw_path)


def test_an_edited_post_keeps_its_id_and_split(tmp_path: Path) -> None:
    raw = write_corpus(tmp_path / "raw")
    build(raw, tmp_path / "a", workers=1)
    path, kwargs = next(iter(INVENTED_POSTS.items()))
    write_corpus(raw, {path: {**kwargs, "body": "<p>全部改写过的正文。</p>", "title": "'新标题'"}})
    build(raw, tmp_path / "b", workers=1)
    assert records_by_path(tmp_path / "a")[path] == records_by_path(tmp_path / "b")[path]


def test_a_rebuild_is_never_served_stale_from_the_cache(tmp_path: Path) -> None:
    """Same file names, sizes and (restored) mtimes, other text: `load_dataset` must read the new rows."""
    path = next(iter(INVENTED_POSTS))
    post = {path: {**INVENTED_POSTS[path], "body": "<p>甲乙丙丁戊己庚辛壬癸。</p>"}}
    raw = write_corpus(tmp_path / "raw", post)
    out, cache = tmp_path / "dataset", str(tmp_path / "cache")
    build(raw, out, workers=1)
    first = load_dataset(str(out), "all", cache_dir=cache)
    assert [row["text"] for split in first.values() for row in split] == ["甲乙丙丁戊己庚辛壬癸。"]
    stamps = {p.relative_to(out): (p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in out.rglob("*")}

    post[path]["body"] = "<p>子丑寅卯辰巳午未申酉。</p>"  # same length, same byte count
    write_corpus(raw, post)
    build(raw, out, workers=1)
    assert {p.relative_to(out) for p in out.rglob("*")} == set(stamps)
    for relative, (atime, mtime) in stamps.items():
        os.utime(out / relative, ns=(atime, mtime))
    second = load_dataset(str(out), "all", cache_dir=cache)
    assert [row["text"] for split in second.values() for row in split] == ["子丑寅卯辰巳午未申酉。"]
