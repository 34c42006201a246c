"""The dataset card: valid Hub metadata, every field explained, figures from the build between markers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from datasets import Features, load_dataset
from datasets.utils.metadata import DatasetInfosDict, MetadataConfigs, known_task_ids
from huggingface_hub import DatasetCard

from builders.build import build
from builders.common.dataset import DATASET_VERSION
from builders.common.topics import TOPIC_NAMES
from builders.describe.card import BLOCK, card_template, feature_type, fields_block, render_card
from schemas.features import FEATURES, topics_features
from schemas.record import FIELD_NAMES, Post
from tests.helpers import make_post, write_small_corpus

# Allow-lists (the Hub validator is not reachable offline): values the Hub accepts for these keys.
HUB_LICENSES = frozenset(
    {
        "apache-2.0", "mit", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0",
        "cc-by-nc-nd-4.0", "cc0-1.0", "odc-by", "odbl", "pddl", "gpl-3.0", "lgpl-3.0", "bsd-3-clause",
        "cdla-permissive-2.0", "cdla-sharing-1.0", "c-uda", "unknown", "other",
    }
)  # fmt: skip
HUB_TASK_CATEGORIES = frozenset(
    {
        "text-generation", "text-classification", "token-classification", "question-answering", "summarization",
        "translation", "fill-mask", "sentence-similarity", "feature-extraction", "text-retrieval",
        "zero-shot-classification", "table-question-answering", "text2text-generation", "other",
    }
)  # fmt: skip
HUB_TASK_IDS = frozenset(
    {
        "language-modeling", "topic-classification", "multi-class-classification", "multi-label-classification",
        "news-articles-headline-generation", "sentiment-classification", "document-retrieval",
    }
)  # fmt: skip
HUB_SIZE_CATEGORIES = ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M")
HUB_CREATORS = frozenset({"crowdsourced", "expert-generated", "found", "machine-generated", "no-annotation", "other"})
LICENSE_NAME = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")


def load_card(folder: Path) -> DatasetCard:
    return DatasetCard.load(folder / "README.md")


def outside_blocks(text: str) -> str:
    """The card with every build block's content and the YAML header taken out."""
    body = text.split("\n---\n", 1)[1]
    return BLOCK.sub(lambda m: f"<!-- build:{m.group('name')} -->", body)


def check_hub_metadata(folder: Path, records: int) -> None:
    card = load_card(folder)
    data = card.data.to_dict()
    assert data["pretty_name"]
    assert data["language"][0] == "zh" and all(re.fullmatch(r"[a-z]{2}", code) for code in data["language"])
    assert data["language_details"][0] == "zh-Hans"
    assert all(re.fullmatch(r"[a-z]{2}(-(Hans|Hant))?", tag) for tag in data["language_details"])
    assert {tag.split("-")[0] for tag in data["language_details"]} == set(data["language"])
    assert data["multilinguality"] == ("multilingual" if len(data["language"]) > 1 else "monolingual")
    assert data["license"] in HUB_LICENSES
    if data["license"] == "other":
        assert LICENSE_NAME.match(data["license_name"])
        assert (folder / data["license_link"]).is_file()
    assert data["task_categories"]
    assert set(data["task_categories"]) <= HUB_TASK_CATEGORIES
    assert set(data["task_categories"]) <= set(known_task_ids)  # the `datasets` library's own list
    assert set(data["task_ids"]) <= HUB_TASK_IDS
    assert set(data["annotations_creators"]) | set(data["language_creators"]) <= HUB_CREATORS
    (size,) = data["size_categories"]
    assert size in HUB_SIZE_CATEGORIES
    bound = {"n<1K": (0, 1_000), "1K<n<10K": (1_000, 10_000), "10K<n<100K": (10_000, 100_000)}
    low, high = bound.get(size, (100_000, 10**9))
    assert low <= records < high
    assert data["tags"] and all(tag == tag.lower() for tag in data["tags"])


def check_configs_and_features(folder: Path) -> None:
    data = load_card(folder).data
    configs = MetadataConfigs.from_dataset_card_data(data)
    infos = DatasetInfosDict.from_dataset_card_data(data)
    assert set(configs) == set(infos)
    assert {"default", "all", "topics"} <= set(configs)
    assert configs["default"].get("default") is True
    assert configs["topics"]["columns"] == ["id", "text", "label"]
    assert configs["topics"]["filters"] == configs["default"]["filters"]
    names = infos["topics"].features["label"].names
    assert names[: len(TOPIC_NAMES)] == list(TOPIC_NAMES)
    for name, config in configs.items():
        assert config["version"] == DATASET_VERSION
        assert infos[name].features == (topics_features(names) if name == "topics" else FEATURES), name
        for entry in config["data_files"]:
            assert list(folder.glob(entry["path"])), (name, entry)


def test_small_build_card_is_valid_hub_metadata(small_build: Path) -> None:
    check_hub_metadata(small_build, records=7)
    check_configs_and_features(small_build)


def test_real_sample_card_loads_and_parses(real_build: Path, tmp_path: Path) -> None:
    check_hub_metadata(real_build, records=91)
    check_configs_and_features(real_build)
    # The card's configs are what `datasets` loads.
    finance = load_dataset(str(real_build), "finance", cache_dir=str(tmp_path / "cache"))
    assert {c for split in finance.values() for c in split["category"]} == {"金融"}


def test_yaml_header_has_no_anchors(small_build: Path) -> None:
    header = (small_build / "README.md").read_text(encoding="utf-8").split("---\n", 2)[1]
    assert "&id" not in header and "*id" not in header
    assert yaml.safe_load(header)["configs"]


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_every_schema_field_is_explained_in_the_card(small_build: Path, name: str) -> None:
    """Name in backticks, its type, and the model's description, in the rendered card."""
    readme = (small_build / "README.md").read_text(encoding="utf-8")
    row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row is not None, f"field {name} missing from the card"
    assert f"`{feature_type(FEATURES[name])}" in row
    description = Post.model_fields[name].description
    assert description and description.replace("|", "\\|") in row


def test_fields_block_follows_the_model_in_order() -> None:
    names = re.findall(r"^\| `([a-z_0-9]+)` \|", fields_block(), flags=re.MULTILINE)
    assert tuple(names) == FIELD_NAMES
    assert "`list<string>`" in fields_block()
    assert "`timestamp[us, tz=UTC] or null`" in fields_block()


def test_card_has_every_section(small_build: Path) -> None:
    readme = (small_build / "README.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#{2,3} (.+)$", readme, flags=re.MULTILINE))
    for section in (
        "Dataset summary",
        "Supported tasks",
        "Languages",
        "Data fields",
        "Example record",
        "Splits and configurations",
        "Statistics",
        "Curation rationale",
        "Source data",
        "Processing",
        "Quarantine",
        "Cleaning rules",
        "Comparison with trafilatura",
        "Deduplication",
        "Personal and sensitive information",
        "Bias, risks and limitations",
        "Licensing and provenance",
        "Versioning",
        "How to load and pin a version",
        "Citation",
    ):
        assert section in headings, section
    assert "(filled in by the build)" not in readme  # every block this card has was filled


def test_figures_come_from_the_build(small_build: Path) -> None:
    readme = (small_build / "README.md").read_text(encoding="utf-8")
    assert "records: **7** (1 marked duplicate)" in readme
    assert "| 金融 | `finance` | 3 | 0 |" in readme
    assert "| 社交媒体 | `social_media` | 2 | 1 |" in readme
    assert "| `no_front_matter` | 1 |" in readme
    assert "| 金融 | 测试财经 | 快讯 | 2 |" in readme
    assert "dated posts run from 2022-01-03 to 2022-03-05" in readme
    for plot in ("posts_per_month.png", "text_length.png", "top_sources_feeds.png", "duplicates_quarantine.png"):
        assert f"](stats/{plot})" in readme
        assert (small_build / "stats" / plot).is_file()
    assert f'revision="v{DATASET_VERSION}"' in readme
    assert f"version      = {{{DATASET_VERSION}}}" in readme


def test_example_record_is_a_record_of_the_build(small_build: Path, tmp_path: Path) -> None:
    readme = (small_build / "README.md").read_text(encoding="utf-8")
    example = re.search(r'"id": "([0-9a-f]{20})"', readme)
    assert example is not None
    everything = load_dataset(str(small_build), "all", cache_dir=str(tmp_path / "cache"))
    ids = {i for split in everything.values() for i in split["id"]}
    assert example.group(1) in ids
    for name in FIELD_NAMES:
        assert f'  "{name}": ' in readme


def test_render_fills_blocks_only_and_is_idempotent() -> None:
    template = (
        "intro\n<!-- build:a -->\nold\n<!-- /build:a -->\nmiddle\n<!-- build:dedup -->\n<!-- /build:dedup -->\nend\n"
    )
    once = render_card(template, {"a": "new figures", "dedup": "dedup figures"})
    assert once == (
        "intro\n<!-- build:a -->\nnew figures\n<!-- /build:a -->\nmiddle\n"
        "<!-- build:dedup -->\ndedup figures\n<!-- /build:dedup -->\nend\n"
    )
    assert render_card(once, {"a": "new figures", "dedup": "dedup figures"}) == once
    assert render_card(template, {}) == template  # blocks without figures keep the template's text
    assert "<!-- build:dedup -->" in card_template() and "<!-- /build:dedup -->" in card_template()


def test_rebuild_with_more_posts_changes_only_the_build_blocks(tmp_path: Path) -> None:
    raw = write_small_corpus(tmp_path / "one")
    build(raw, tmp_path / "a", workers=1)
    extra = raw / "source" / "_posts" / "博客" / "测试博客" / "首页"
    extra.mkdir(parents=True)
    (extra / "新文章.md").write_text(
        make_post(title="'新文章'", categories=("博客", "测试博客", "首页"), body="<p>博客里的一篇新文章。</p>"),
        encoding="utf-8",
    )
    build(raw, tmp_path / "b", workers=1)
    before = (tmp_path / "a" / "README.md").read_text(encoding="utf-8")
    after = (tmp_path / "b" / "README.md").read_text(encoding="utf-8")
    assert before != after
    assert outside_blocks(before) == outside_blocks(after)


def test_same_input_gives_byte_identical_documentation(tmp_path: Path) -> None:
    raw = write_small_corpus(tmp_path / "in")
    build(raw, tmp_path / "a", workers=1)
    shutil.copytree(raw, tmp_path / "copy")
    build(tmp_path / "copy", tmp_path / "b", workers=2)
    names = [
        "README.md",
        "LICENSE.md",
        "croissant.json",
        "stats/stats.json",
        *(f"stats/{p.name}" for p in (tmp_path / "a" / "stats").glob("*.png")),
    ]
    assert len(names) == 8
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_card_template_markers_are_balanced() -> None:
    template = card_template()
    opened = re.findall(r"<!-- build:([a-z_]+) -->", template)
    closed = re.findall(r"<!-- /build:([a-z_]+) -->", template)
    assert opened == closed
    assert len(set(opened)) == len(opened)
    assert [m.group("name") for m in BLOCK.finditer(template)] == opened


def test_card_features_round_trip(small_build: Path) -> None:
    infos = yaml.safe_load((small_build / "README.md").read_text(encoding="utf-8").split("---\n", 2)[1])["dataset_info"]
    for info in infos:
        features = Features._from_yaml_list(info["features"])
        assert Features._from_yaml_list(features._to_yaml_list()) == features
        if info["config_name"] == "topics":
            assert features == topics_features(list(TOPIC_NAMES))  # the small build has no new category
        else:
            assert features == FEATURES


def test_a_build_with_no_record_still_documents_itself(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "source" / "_posts" / "金融" / "测试源" / "快讯"
    folder.mkdir(parents=True)
    (folder / "坏.md").write_text("没有 front matter", encoding="utf-8")
    build(tmp_path / "raw", tmp_path / "ds", workers=1)
    readme = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "records: **0**" in readme
    assert "| `no_front_matter` | 1 |" in readme
    assert load_card(tmp_path / "ds").data.to_dict()["license"] == "other"
    assert (tmp_path / "ds" / "croissant.json").is_file()
    assert (tmp_path / "ds" / "stats" / "stats.json").is_file()
