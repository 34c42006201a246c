"""End to end: raw folder -> dataset folder that `load_dataset` loads offline with exact Features."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from datasets import Features, load_dataset

from builders.commands import main
from builders.pipeline.discover import discover
from builders.release.validate import check_frame, load_frame
from schemas.features import FEATURES, topics_features
from schemas.frames import PostMetadata


def card_yaml(folder: Path) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_every_real_file_becomes_a_record(real_sample: Path, real_build: Path) -> None:
    _, files, ignored = discover(real_sample)
    manifest = json.loads((real_build / "MANIFEST.json").read_text())
    assert manifest["counts"]["records"] == len(files) == 91
    assert manifest["counts"]["quarantined"] == 0
    assert ignored == []


def test_every_config_loads_with_exact_features(real_build: Path, tmp_path: Path) -> None:
    meta = card_yaml(real_build)
    names = [c["config_name"] for c in meta["configs"]]
    assert {"default", "all", "topics", "finance", "social_media", "new_media"} <= set(names)
    assert all(name.isascii() for name in names)
    for name in names:
        dataset = load_dataset(str(real_build), name, cache_dir=str(tmp_path / "cache"))
        for split in dataset.values():
            if name == "topics":
                assert split.features == topics_features(list(split.features["label"].names))
            else:
                assert split.features == FEATURES
            assert split.num_rows > 0 or name != "default"


def test_category_config_selects_its_category(real_build: Path, tmp_path: Path) -> None:
    finance = load_dataset(str(real_build), "finance", cache_dir=str(tmp_path / "cache"))
    categories = {c for split in finance.values() for c in split["category"]}
    assert categories == {"金融"}


def test_dataset_info_features_and_split_sizes_match(real_build: Path, tmp_path: Path) -> None:
    meta = card_yaml(real_build)
    infos = {info["config_name"]: info for info in meta["dataset_info"]}
    assert Features._from_yaml_list(infos["default"]["features"]) == FEATURES
    everything = load_dataset(str(real_build), "all", cache_dir=str(tmp_path / "cache"))
    declared = {s["name"]: s["num_examples"] for s in infos["all"]["splits"]}
    assert declared == {name: split.num_rows for name, split in everything.items()}


def test_parquet_metadata_carries_the_features(real_build: Path) -> None:
    shards = sorted((real_build / "data").glob("*.parquet"))
    assert shards
    for shard in shards:
        schema = pq.read_schema(shard)
        assert schema.equals(FEATURES.arrow_schema, check_metadata=False)
        assert Features.from_arrow_schema(schema) == FEATURES


def test_shard_names_follow_hub_convention(real_build: Path) -> None:
    for shard in (real_build / "data").glob("*.parquet"):
        split, rest = shard.name.split("-", 1)
        assert split in {"train", "validation", "test"}
        index, _, total = rest.removesuffix(".parquet").partition("-of-")
        assert len(index) == len(total) == 5 and int(index) < int(total)


def test_real_build_passes_metadata_invariants(real_build: Path) -> None:
    frame = load_frame(real_build)
    PostMetadata.validate(frame, lazy=True)
    assert frame.height == 91


def test_embedded_sample_builds_and_validates(sample_build: Path) -> None:
    frame = load_frame(sample_build)
    assert frame.height >= 15
    assert check_frame(frame) == []


def test_cli_build_and_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    assert main(["build", "--out", str(out), "--workers", "1"]) == 0
    assert "records:" in capsys.readouterr().out
    assert main(["validate", str(out)]) == 0
    assert "OK:" in capsys.readouterr().out


def test_validate_reports_a_broken_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nothing")]) == 2
    assert "not a built dataset" in capsys.readouterr().err
