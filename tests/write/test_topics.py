"""Topic labels: ids that never change across releases, and the `label` column the build sets from them."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import ClassLabel, load_dataset

from builders.build import build
from builders.common.configs import CATEGORY_CONFIG_NAMES
from builders.common.topics import TOPIC_NAMES
from builders.write.topics import label_names, with_labels
from schemas.features import FEATURES, topics_features
from tests.helpers import write_corpus

# The names as first released (1.0.0): the committed list may grow at its end, never change before it.
RELEASED_NAMES = (
    "金融",
    "社交媒体",
    "新媒体",
    "学习",
    "游戏",
    "编程",
    "博客",
    "图片",
    "二次元",
    "科技",
    "新闻",
    "设计",
    "生活",
)


def test_the_committed_list_is_append_only() -> None:
    assert TOPIC_NAMES[: len(RELEASED_NAMES)] == RELEASED_NAMES
    assert len(set(TOPIC_NAMES)) == len(TOPIC_NAMES)
    assert tuple(CATEGORY_CONFIG_NAMES)[: len(RELEASED_NAMES)] == RELEASED_NAMES  # seeded in that order


def test_new_categories_are_appended_sorted_and_known_ones_keep_their_ids() -> None:
    names = label_names(["游戏", "金融", "美食", "汽车"])
    assert names == [*TOPIC_NAMES, *sorted(["美食", "汽车"])]
    assert names.index("金融") == 0 and names.index("游戏") == 4
    assert label_names([]) == list(TOPIC_NAMES)  # a vanished category keeps its name and id


def test_a_previous_release_fixes_the_ids_it_published() -> None:
    previous = [*TOPIC_NAMES, "汽车"]  # a release that appended 汽车 at id 13
    names = label_names(["美食", "汽车", "金融"], previous=previous)
    assert names == [*previous, "美食"]
    assert names.index("汽车") == 13
    odd = ["游戏", "金融"]  # even a previous order that differs from the list wins: its ids are published
    assert label_names(["金融"], previous=odd)[:2] == odd


def test_with_labels_sets_each_rows_category_index() -> None:
    table = pa.Table.from_pylist(
        [{"category": c, "label": 0} for c in ["游戏", "金融", "二次元"]],
        schema=pa.schema([("category", pa.string()), ("label", pa.int32())]),
    )
    labelled = with_labels(table, TOPIC_NAMES)
    assert labelled.column("label").to_pylist() == [4, 0, 8]
    assert labelled.schema == table.schema
    with pytest.raises(ValueError, match="汽车"):
        with_labels(pa.table({"category": ["汽车"], "label": pa.array([0], pa.int32())}), TOPIC_NAMES)


def test_the_topics_config_loads_a_class_label_with_the_builds_names(tmp_path: Path) -> None:
    posts = {
        f"{category}/测试源/快讯/{name}.md": {
            "title": f"'{name}'",
            "categories": (category, "测试源", "快讯"),
            "body": f"<p>{name}：一篇虚构的文章，写给标签测试。</p>",
        }
        for category, name in [("金融", "利率"), ("游戏", "新作"), ("汽车", "新车"), ("金融", "汇率"), ("美食", "面条")]
    }
    out = tmp_path / "dataset"
    summary = build(write_corpus(tmp_path / "raw", posts), out, workers=1)
    assert summary.label_names == [*TOPIC_NAMES, "汽车", "美食"]
    topics = load_dataset(str(out), "topics", cache_dir=str(tmp_path / "cache"))
    everything = load_dataset(str(out), "all", cache_dir=str(tmp_path / "cache"))
    for split, rows in topics.items():
        assert rows.features == topics_features(summary.label_names)
        assert isinstance(rows.features["label"], ClassLabel)
        categories = dict(zip(everything[split]["id"], everything[split]["category"], strict=True))
        for row in rows:
            assert isinstance(row["label"], int)
            assert rows.features["label"].int2str(row["label"]) == categories[row["id"]]
    assert sum(rows.num_rows for rows in topics.values()) == 5
    shard = next((out / "data").glob("*.parquet"))
    assert pq.read_schema(shard).field("label").type == pa.int32()  # the shards keep FEATURES' int32
    assert FEATURES["label"].dtype == "int32"
