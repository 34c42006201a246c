"""MANIFEST.json: checksummed shards, fingerprints, counts per split and config, no wall-clock time."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from datasets import Features, Value, load_dataset

from builders import __version__
from builders.build import build
from builders.common.dataset import DATASET_VERSION
from builders.describe.manifest import cache_key, input_fingerprint, schema_fingerprint
from schemas.features import FEATURES
from tests.helpers import INVENTED_POSTS, write_corpus

BROKEN = "金融/测试财经/快讯/坏文件.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("manifest")
    raw = write_corpus(root / "raw")
    (raw / "source" / "_posts" / BROKEN).write_bytes(b"no front matter at all\n")
    out = root / "dataset"
    summary = build(raw, out, workers=1)
    assert len(summary.quarantined) == 1
    return raw, out


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))


def test_shards_are_listed_with_checksum_bytes_and_rows(built: tuple[Path, Path]) -> None:
    _, out = built
    manifest = manifest_of(out)
    on_disk = sorted(p.relative_to(out).as_posix() for p in (out / "data").glob("*.parquet"))
    assert [s["path"] for s in manifest["shards"]] == on_disk
    for shard in manifest["shards"]:
        data = (out / shard["path"]).read_bytes()
        assert shard["sha256"] == hashlib.sha256(data).hexdigest()
        assert shard["bytes"] == len(data)
        assert shard["rows"] == pq.ParquetFile(out / shard["path"]).metadata.num_rows > 0
        assert shard["path"].startswith(f"data/{shard['split']}-")


def test_versions_and_schema_fingerprint(built: tuple[Path, Path]) -> None:
    manifest = manifest_of(built[1])
    assert manifest["dataset_version"] == DATASET_VERSION
    assert manifest["builder_version"] == __version__
    assert manifest["schema"]["fingerprint"] == schema_fingerprint(FEATURES)
    assert [f["name"] for f in manifest["schema"]["fields"]] == list(FEATURES)


def test_input_fingerprint_covers_every_post_file_quarantined_included(built: tuple[Path, Path]) -> None:
    raw, out = built
    posts = raw / "source" / "_posts"
    pairs = [(p.relative_to(posts).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest()) for p in posts.rglob("*.md")]
    assert len(pairs) == len(INVENTED_POSTS) + 1
    manifest = manifest_of(out)
    assert manifest["input"] == {"fingerprint": input_fingerprint(pairs), "files": len(pairs)}
    without_broken = [pair for pair in pairs if pair[0] != BROKEN]
    assert input_fingerprint(without_broken) != manifest["input"]["fingerprint"]


def test_counts_per_split_and_config_match_what_load_dataset_gives(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = built
    counts = manifest_of(out)["counts"]
    assert counts["records"] == len(INVENTED_POSTS)
    assert counts["quarantined"] == 1
    assert counts["files_seen"] == len(INVENTED_POSTS) + 1
    assert set(counts["per_config"]) == {"default", "all", "topics", "finance", "social_media", "new_media"}
    assert counts["per_config"]["topics"] == counts["per_config"]["default"]
    for config, per_split in counts["per_config"].items():
        loaded = load_dataset(str(out), config, cache_dir=str(tmp_path / "cache"))
        assert {split: ds.num_rows for split, ds in loaded.items()} == per_split
    assert counts["per_config"]["all"] == counts["per_split"]
    assert sum(counts["per_split"].values()) == counts["records"]


def test_no_wall_clock_time_or_output_path_inside(built: tuple[Path, Path]) -> None:
    _, out = built
    text = (out / "MANIFEST.json").read_text(encoding="utf-8")
    cleaners = set(json.loads(text)["cleaners"])  # cleaner names are the code's (vgtime is a site, not a time)
    keys = [k for k in re.findall(r'"([a-z_.]+)":', text) if k not in cleaners]
    assert not [k for k in keys if any(word in k for word in ("time", "date", "created", "built"))]
    assert not re.search(r"20\d\d-\d\d-\d\d", text)
    assert str(out) not in text and out.parent.name not in text


def test_every_config_carries_version_and_content_cache_key(built: tuple[Path, Path]) -> None:
    _, out = built
    header = yaml.safe_load((out / "README.md").read_text(encoding="utf-8").split("---\n", 2)[1])
    manifest = manifest_of(out)
    for config in header["configs"]:
        assert config["version"] == DATASET_VERSION
        assert config["description"] == cache_key(DATASET_VERSION, manifest["data_fingerprint"])
    readme = next(f for f in manifest["files"] if f["path"] == "README.md")
    assert readme["sha256"] == hashlib.sha256((out / "README.md").read_bytes()).hexdigest()


def test_info_version_shows_the_dataset_version(built: tuple[Path, Path], tmp_path: Path) -> None:
    loaded = load_dataset(str(built[1]), cache_dir=str(tmp_path / "cache"))
    assert str(loaded["train"].info.version) == DATASET_VERSION


def test_schema_fingerprint_sees_types_names_and_order() -> None:
    base = schema_fingerprint(FEATURES)
    retyped = Features({**FEATURES, "char_count": Value("int64")})
    renamed = Features({("body" if k == "text" else k): v for k, v in FEATURES.items()})
    reordered = Features(dict(reversed(list(FEATURES.items()))))
    fingerprints = {base, *(schema_fingerprint(f) for f in (retyped, renamed, reordered))}
    assert len(fingerprints) == 4
    assert schema_fingerprint(Features(dict(FEATURES))) == base


def test_a_scan_in_parts_on_helpers_equals_one_read_of_every_row(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write stage reads the shards back for the manifest in parts of ``SCAN_PART`` row groups on forked
    helpers: the rows, config cells and record hashes are those of one plain read, whatever the parts."""
    from builders.describe import manifest
    from builders.pipeline.pool import helper_pool

    _, out = built
    folder = tmp_path / "dataset"
    (folder / "data").mkdir(parents=True)
    shards = []
    for shard in manifest_of(out)["shards"]:
        table = pq.read_table(out / shard["path"])
        pq.write_table(table, folder / shard["path"], row_group_size=1)  # a row group per row
        shards.append(shard)
    assert sum(pq.ParquetFile(folder / s["path"]).num_row_groups for s in shards) > len(shards) + 2
    whole = manifest.scan_shards(folder, shards)
    monkeypatch.setattr(manifest, "SCAN_PART", 1)
    with helper_pool(2) as pool:
        parts = manifest.start_scan(folder, shards, pool)()
    assert parts.rows == whole.rows == {s["path"]: s["rows"] for s in shards}
    assert parts.cells == whole.cells and parts.schemas == whole.schemas
    assert parts.record_hashes == whole.record_hashes  # in order, whoever read which part
    assert len(whole.record_hashes) == sum(s["rows"] for s in shards)
    assert manifest.records_fingerprint(parts.record_hashes) == manifest_of(out)["records_fingerprint"]
