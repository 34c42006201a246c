"""`validate`: loads exactly what `load_dataset` would, refuses a build published with other Features, and its
faster rule implementations decide every row as the plain definitions of the rules do."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import load_dataset

from builders.commands import main
from builders.release.validate import (
    BODY_SLICES,
    PublishedSchemaError,
    card_header,
    check_frame,
    label_names_of,
    load_frame,
)
from schemas.frames import CSS_RULE, INVISIBLE, INVISIBLE_RANGES, LEADING_INDENT, PostBody
from schemas.regex_checks import CODE_FENCE, prose_matches, small_classes


def copy_of(build_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(build_dir, target)
    return target


def test_load_frame_is_what_load_dataset_loads(sample_build: Path, tmp_path: Path) -> None:
    dataset = load_dataset(str(sample_build), "all", cache_dir=str(tmp_path / "cache"))
    expected = pl.concat([pl.from_arrow(dataset[split].data.table) for split in dataset])  # type: ignore[misc]
    frame = load_frame(sample_build)
    assert frame.schema == expected.schema
    assert frame.equals(expected)
    assert frame.height == sum(dataset[split].num_rows for split in dataset)


def test_a_shard_with_another_schema_is_refused(
    sample_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_of(sample_build, tmp_path)
    shard = sorted((folder / "data").glob("train-*.parquet"))[0]
    table = pq.read_table(shard)
    at = table.schema.get_field_index("char_count")
    pq.write_table(
        table.set_column(at, pa.field("char_count", pa.int64()), table["char_count"].cast(pa.int64())), shard
    )
    with pytest.raises(PublishedSchemaError, match=f"shard data/{shard.name} has Arrow schema"):
        load_frame(folder)
    assert main(["validate", str(folder)]) == 1
    assert "char_count: int64" in capsys.readouterr().err


def test_card_features_that_differ_from_features_are_refused(sample_build: Path, tmp_path: Path) -> None:
    folder = copy_of(sample_build, tmp_path)
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    assert "  - name: char_count\n    dtype: int32\n" in text
    card.write_text(
        text.replace("  - name: char_count\n    dtype: int32\n", "  - name: char_count\n    dtype: int64\n")
    )
    with pytest.raises(PublishedSchemaError, match=r"README dataset_info features of config .* differ from FEATURES"):
        load_frame(folder)


def test_a_card_without_the_all_config_is_refused(sample_build: Path, tmp_path: Path) -> None:
    folder = copy_of(sample_build, tmp_path)
    card = folder / "README.md"
    card.write_text(card.read_text(encoding="utf-8").replace("config_name: all\n", "config_name: every\n"))
    with pytest.raises(PublishedSchemaError, match="no 'all' config"):
        load_frame(folder)


# --- the faster rule implementations agree with the plain definitions ------------------------------------------

WHITESPACE_EDGES = [
    "",
    "a",
    " a",
    "a ",
    "\ta",
    "a\n",
    "\u3000中",
    "中\u3000",
    "\u00a0x",
    "x\u2028",
    "\u2029",
    "中 文",
    "é",
]


def test_trimmed_rule_is_strip_equality() -> None:
    frame = pl.DataFrame({"text": WHITESPACE_EDGES})
    rule = next(c for c in PostBody.to_schema().columns["text"].checks if c.name == "text_is_trimmed")
    got = rule(frame.lazy(), "text").check_output.collect().to_series().to_list()
    assert got == [t.strip() == t for t in WHITESPACE_EDGES]  # Python's and Rust's whitespace agree on these
    assert got.count(True) == 4


def random_texts(alphabet: str, count: int, seed: int) -> list[str]:
    dice = random.Random(seed)
    return ["".join(dice.choice(alphabet) for _ in range(dice.randrange(0, 40))) for _ in range(count)]


def test_fence_pattern_removes_what_the_lazy_pattern_removes() -> None:
    texts = random_texts("```a \n", 20_000, seed=3)
    got = pl.Series(texts).str.replace_all(CODE_FENCE, "").to_list()
    assert got == [re.sub(r"(?s)```.*?```", "", t) for t in texts]
    assert sum(g != t for g, t in zip(got, texts, strict=True)) > 1000  # fences were really removed


@pytest.mark.parametrize("pattern", [LEADING_INDENT, CSS_RULE])
def test_prose_matches_is_a_search_without_code_blocks(pattern: str) -> None:
    texts = [*random_texts("`a \n{b:;", 20_000, seed=5), "x\n```\n  code\n```\ny", "x\n```a``` b", "{ a: b;"]
    expected = pl.Series(texts).str.replace_all(r"(?s)```.*?```", "").str.contains(pattern).to_list()
    got = prose_matches(pl.Series(texts), pattern).to_list()
    assert got == expected
    assert 0 < sum(got) < len(got)


def test_small_invisible_classes_match_the_invisible_class() -> None:
    codes = {code for low, high in INVISIBLE_RANGES for code in range(max(low - 1, 0), high + 2)} | {ord("中"), 0x200A}
    texts = pl.Series([f"a{chr(code)}b" for code in sorted(codes)])
    expected = texts.str.contains(INVISIBLE)
    got = pl.DataFrame({"text": texts}).select(
        pl.any_horizontal([pl.col("text").str.contains(c) for c in small_classes(INVISIBLE_RANGES)])
    )
    assert got.to_series().to_list() == expected.to_list()
    assert 0 < expected.sum() < len(texts)
    from schemas.characters import INVISIBLE as CLEANER_INVISIBLE  # the cleaner's (Python) spelling of the set

    assert [bool(CLEANER_INVISIBLE.search(text)) for text in texts] == expected.to_list()


def test_sliced_body_checks_report_as_one_run(sample_build: Path) -> None:
    frame = load_frame(sample_build)
    rows = frame.height
    texts = frame["text"].to_list()
    written = [index for index, text in enumerate(texts) if text]  # (an empty text must stay empty_body)
    broken = [written[0], written[len(written) // 2], written[-1]]  # in the first, a middle and the last slice
    for index in broken:
        texts[index] += "<b>"
    texts[broken[-1]] = "&amp;" + texts[broken[-1]]
    frame = frame.with_columns(pl.Series("text", texts)).with_columns(
        pl.col("text").str.len_chars().cast(pl.Int32).alias("char_count")
    )
    assert rows >= 2 * BODY_SLICES
    report = {(v.model, v.check): v for v in check_frame(frame, max_examples=2)}
    assert set(report) == {("PostBody", "no_markup_tag"), ("PostBody", "no_html_entity")}
    assert report[("PostBody", "no_markup_tag")].failures == 3
    assert report[("PostBody", "no_markup_tag")].examples == [texts[i][:160] for i in broken[:2]]
    assert report[("PostBody", "no_html_entity")].failures == 1
    assert [v.check for v in check_frame(frame)] == ["no_markup_tag", "no_html_entity"]  # the model's order


def test_metadata_rules_see_the_whole_frame(sample_build: Path) -> None:
    frame = load_frame(sample_build)
    duplicated = frame.with_columns(pl.lit(frame["id"][0]).alias("id"))  # unique across slices
    report = check_frame(duplicated)
    unique = [v for v in report if v.model == "PostMetadata" and v.check == "field_uniqueness"]
    assert unique and unique[0].column == "id" and unique[0].failures == frame.height


# --- the topics config and the labels ----------------------------------------------------------------------------


def test_validate_passes_the_topics_config_and_its_labels(
    sample_build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = card_header(sample_build)
    names = label_names_of(header)
    assert names is not None and names[:2] == ["金融", "社交媒体"]
    assert check_frame(load_frame(sample_build), label_names=names) == []
    assert main(["validate", str(sample_build)]) == 0
    assert "OK:" in capsys.readouterr().out


def test_a_label_that_does_not_name_its_category_is_a_violation(sample_build: Path) -> None:
    frame = load_frame(sample_build)
    names = label_names_of(card_header(sample_build))
    assert names is not None
    wrong = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(99, pl.Int32)).otherwise(pl.col("label")).alias("label")
    )
    wrong = wrong.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then((pl.col("label") + 1).cast(pl.Int32))
        .otherwise(pl.col("label"))
        .alias("label")
    )
    (violation,) = check_frame(wrong, label_names=names)
    assert (violation.model, violation.check, violation.failures) == ("topics", "label_names_category", 2)
    assert "label 99 (None)" in violation.examples[0]


def test_a_topics_config_without_its_class_label_is_refused(sample_build: Path, tmp_path: Path) -> None:
    folder = copy_of(sample_build, tmp_path)
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    start = text.index("  - name: label\n    dtype:\n      class_label:")
    end = text.index("  config_name: topics\n", start)
    card.write_text(text[:start] + "  - name: label\n    dtype: int32\n" + text[end:], encoding="utf-8")
    with pytest.raises(PublishedSchemaError, match="config topics are not FEATURES"):
        load_frame(folder)


def test_a_topics_config_loading_other_columns_is_refused(sample_build: Path, tmp_path: Path) -> None:
    folder = copy_of(sample_build, tmp_path)
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    assert "  columns:\n  - id\n  - text\n  - label\n" in text
    card.write_text(text.replace("  columns:\n  - id\n  - text\n  - label\n", "  columns:\n  - id\n  - label\n"))
    with pytest.raises(PublishedSchemaError, match="config topics loads columns"):
        load_frame(folder)
