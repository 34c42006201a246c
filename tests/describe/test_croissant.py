"""croissant.json: mlcroissant loads it and iterates the records offline from the local shards."""

from __future__ import annotations

import json
from pathlib import Path

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest
from datasets import List

from builders.common.dataset import DATASET_VERSION
from builders.describe.croissant import CROISSANT_FILE, RECORD_SET, SPLIT_FIELD, data_type
from builders.describe.manifest import sha256_file
from schemas.features import FEATURES
from schemas.record import FIELD_NAMES, Post


def document(folder: Path) -> dict:
    return json.loads((folder / CROISSANT_FILE).read_text(encoding="utf-8"))


def iterate(folder: Path) -> list[dict]:
    dataset = mlc.Dataset(jsonld=folder / CROISSANT_FILE)
    return list(dataset.records(record_set=RECORD_SET))


def text(value: object) -> object:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def parquet_rows(folder: Path) -> dict[str, dict]:
    rows = {}
    for path in sorted((folder / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            row["split"] = path.name.split("-", 1)[0]
            rows[row["id"]] = row
    return rows


def test_mlcroissant_iterates_every_record_of_the_small_build(small_build: Path) -> None:
    records = iterate(small_build)
    expected = parquet_rows(small_build)
    assert len(records) == len(expected) == 7
    seen = {}
    for record in records:
        values = {key.removeprefix(f"{RECORD_SET}/"): value for key, value in record.items()}
        assert set(values) == {*FIELD_NAMES, SPLIT_FIELD}
        seen[text(values["id"])] = values
    assert set(seen) == set(expected)
    for record_id, values in seen.items():
        row = expected[record_id]
        assert text(values["text"]) == row["text"]
        assert text(values["category"]) == row["category"]
        assert bool(values["is_duplicate"]) == row["is_duplicate"]
        assert int(values["char_count"]) == row["char_count"]
        assert text(values[SPLIT_FIELD]) == row["split"]
        assert [text(v) for v in values["images"]] == row["images"]


def test_real_sample_croissant_loads_and_iterates(real_build: Path) -> None:
    records = iterate(real_build)
    assert len(records) == 91
    ids = {text(r[f"{RECORD_SET}/id"]) for r in records}
    assert ids == set(parquet_rows(real_build))


def test_record_set_has_every_schema_field_with_type_and_description(small_build: Path) -> None:
    (record_set,) = document(small_build)["recordSet"]
    fields = {f["name"]: f for f in record_set["field"]}
    assert [f["name"] for f in record_set["field"] if f["name"] != SPLIT_FIELD] == list(FIELD_NAMES)
    for name in FIELD_NAMES:
        field = fields[name]
        assert field["description"] == Post.model_fields[name].description
        assert field["dataType"] == data_type(name, FEATURES[name])
        assert field["source"]["extract"] == {"column": name}
        assert field.get("isArray", False) == isinstance(FEATURES[name], List)
    assert record_set["key"] == {"@id": f"{RECORD_SET}/id"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("text", "sc:Text"),
        ("char_count", "sc:Integer"),
        ("published_at", "sc:DateTime"),
        ("empty_body", "sc:Boolean"),
        ("images", "sc:URL"),
        ("head_image", "sc:URL"),
        ("stock_codes", "sc:Text"),
    ],
)
def test_data_types(name: str, expected: str) -> None:
    assert data_type(name, FEATURES[name]) == expected


def test_file_objects_carry_the_shards_sha256(small_build: Path) -> None:
    doc = document(small_build)
    files = [d for d in doc["distribution"] if d["@type"] == "cr:FileObject"]
    shards = sorted(p.relative_to(small_build).as_posix() for p in (small_build / "data").glob("*.parquet"))
    assert sorted(f["contentUrl"] for f in files) == sorted([*shards, "split_ledger.parquet"])
    for entry in files:
        path = small_build / entry["contentUrl"]
        assert entry["sha256"] == sha256_file(path)
        assert entry["contentSize"] == f"{path.stat().st_size} B"
    manifest = json.loads((small_build / "MANIFEST.json").read_text(encoding="utf-8"))
    listed = {f["contentUrl"]: f["sha256"] for f in files}
    assert {s["path"]: s["sha256"] for s in manifest["shards"]} == {k: v for k, v in listed.items() if k in shards}
    assert listed["split_ledger.parquet"] == manifest["ledger"]["sha256"]


def test_metadata_licence_version_citation(small_build: Path) -> None:
    doc = document(small_build)
    assert doc["version"] == DATASET_VERSION
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    assert doc["license"]["name"] == "third-party-texts"
    assert (small_build / doc["license"]["url"]).is_file()
    assert DATASET_VERSION in doc["citeAs"]
    metadata = mlc.Dataset(jsonld=small_build / CROISSANT_FILE).metadata
    assert metadata.version == DATASET_VERSION
    assert metadata.name == "zh-rss-posts"


def test_a_tampered_croissant_file_fails_validation(small_build: Path, tmp_path: Path) -> None:
    """The validation above can fail: a field pointing at a file set that does not exist is an error."""
    doc = document(small_build)
    doc["recordSet"][0]["field"][0]["source"]["fileSet"]["@id"] = "no-such-files"
    broken = tmp_path / CROISSANT_FILE
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(mlc.ValidationError):
        mlc.Dataset(jsonld=broken)


def test_croissant_1_1_release_and_responsible_ai_fields(small_build: Path) -> None:
    """What mlcroissant reads back: version, not live, the RAI fields, the collection timeframe of the posts."""
    doc = document(small_build)
    assert doc["isLiveDataset"] is False
    metadata = mlc.Dataset(jsonld=small_build / CROISSANT_FILE).metadata
    assert metadata.version == DATASET_VERSION and not metadata.ctx.is_live_dataset
    assert "RSS feeds" in metadata.data_collection
    stats = json.loads((small_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    assert (
        [d.date().isoformat() for d in metadata.data_collection_timeframe]
        == [
            stats["dates"]["first"],
            stats["dates"]["last"],
        ]
        == ["2022-01-03", "2022-03-05"]
    )
    assert any("identifiable people" in text for text in metadata.personal_sensitive_information)
    assert len(metadata.data_limitations) >= 4
    assert "split ledger" in metadata.data_release_maintenance_plan
    assert all(f.sha256 for f in metadata.file_objects)
