"""The annotation fields (script, language, language_score, pii_masked, label) in the model, the Features and
the pandera rules, and the rules' own invariants decided as their plain definitions decide them."""

from __future__ import annotations

import random
import re

import polars as pl
import pyarrow as pa
import pytest
from datasets import Value
from pydantic import ValidationError

from builders.annotate import annotate
from builders.annotate.script import script_counts
from schemas.features import FEATURES
from schemas.frames import PostMetadata
from schemas.record import FIELD_NAMES, HAN_CHARACTER, HAN_RANGES, PII_PLACEHOLDERS, SCRIPTS, Post


def test_annotation_fields_follow_empty_body_in_order() -> None:
    at = FIELD_NAMES.index("empty_body")
    assert FIELD_NAMES[at + 1 : at + 6] == ("script", "language", "language_score", "pii_masked", "label")


def test_annotation_feature_types() -> None:
    assert FEATURES["script"] == Value("string")
    assert FEATURES["language"] == Value("string")
    assert FEATURES["language_score"] == Value("float32")
    assert FEATURES["pii_masked"] == Value("int32")
    assert FEATURES["label"] == Value("int32")
    assert SCRIPTS == ("Hans", "Hant", "mixed", "none")


def record(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "0" * 20,
        "title": "标题",
        "category": "金融",
        "source": "测试源",
        "feed": "快讯",
        "published_at": None,
        "date_kind": "missing",
        "head_image": None,
        "text": "写信到[EMAIL]。",
        "char_count": 10,
        "empty_body": False,
        "script": "Hans",
        "language": "zh",
        "language_score": 0.97,
        "pii_masked": 1,
        "label": 0,
        "truncated": False,
        "editor": None,
        "byline": None,
        "original_title": None,
        "attribution": None,
        "url": None,
        "images": [],
        "stock_codes": [],
        "is_duplicate": False,
        "duplicate_of": None,
        "near_dup_cluster": "0" * 20,
        "cleaner": "generic",
        "raw_path": "金融/测试源/快讯/a.md",
        "raw_sha256": "0" * 64,
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    "changes",
    [
        {"script": "Latn"},
        {"language": "zho"},
        {"language": "ZH"},
        {"language_score": 1.5},
        {"language_score": -0.1},
        {"pii_masked": -1},
        {"label": -1},
    ],
)
def test_the_model_refuses_bad_annotations(changes: dict[str, object]) -> None:
    Post(**record())  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Post(**record(**changes))  # type: ignore[arg-type]


def frame_of(*rows: dict[str, object]) -> pl.DataFrame:
    frame = pl.from_arrow(pa.Table.from_pylist(list(rows), schema=FEATURES.arrow_schema))
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(pl.col("text").str.len_chars().cast(pl.Int32).alias("char_count"))


def broken(frame: pl.DataFrame) -> set[str]:
    try:
        PostMetadata.validate(frame, lazy=True)
    except Exception as error:  # pandera.errors.SchemaErrors
        return set(error.failure_cases["check"].to_list())  # type: ignore[attr-defined]
    return set()


def test_a_valid_annotated_frame_passes() -> None:
    assert (
        broken(
            frame_of(record(), record(id="1" * 20, raw_path="b.md", text="hello world", script="none", pii_masked=0))
        )
        == set()
    )


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"script": "none"}, "script_none_iff_no_han_character"),  # the text has Han characters
        ({"text": "only latin [EMAIL]", "script": "Hans"}, "script_none_iff_no_han_character"),
        ({"text": "", "empty_body": True, "script": "Hans", "pii_masked": 0}, "script_none_iff_no_han_character"),
        ({"language": "und", "language_score": 0.5}, "undetermined_language_scores_zero"),
        ({"pii_masked": 2}, "pii_masked_at_most_placeholders"),  # one placeholder in the text
        ({"text": "没有占位符", "pii_masked": 1}, "pii_masked_at_most_placeholders"),
        ({"language_score": 1.01}, "in_range(0.0, 1.0)"),
        ({"script": "Latn"}, "isin(['Hans', 'Hant', 'mixed', 'none'])"),
        ({"language": "zho"}, r"str_matches('^([a-z]{2}|und)$')"),
        ({"label": -1}, "greater_than_or_equal_to(0)"),
    ],
)
def test_each_annotation_rule_catches_its_violation(changes: dict[str, object], rule: str) -> None:
    assert rule in broken(frame_of(record(**changes)))


def test_han_character_class_is_the_taggers_definition() -> None:
    """The pandera rule's regex class and the script tagger's lookup table count the same characters as Han."""
    dice = random.Random(16)
    edges = [chr(c) for first, last in HAN_RANGES for c in (first - 1, first, last, last + 1)]
    samples = edges + [chr(dice.randrange(0x20, 0x33000)) for _ in range(20_000)]
    samples = [c for c in samples if not 0xD800 <= ord(c) <= 0xDFFF]
    by_regex = pl.Series(samples).str.contains(HAN_CHARACTER).to_list()
    by_python = [re.search(HAN_CHARACTER, c) is not None for c in samples]
    by_tagger = [script_counts(c).han == 1 for c in samples]
    assert by_regex == by_python == by_tagger
    assert 0 < sum(by_regex) < len(samples)


def test_annotate_output_always_keeps_the_rules() -> None:
    texts = [
        "联系 someone@example.com 或 13812345678。",
        "電話 13812345678，身分證 11010519491231002X",
        "plain English text about markets",
        "",
        "😀😀",
        "[EMAIL] 已经是占位符了",  # a placeholder in the original text is not PII counted again
    ]
    rows = []
    for index, text in enumerate(texts):
        found = annotate(text)
        rows.append(
            record(
                id=f"{index:020d}",
                raw_path=f"{index}.md",
                text=found.text,
                empty_body=not found.text,
                script=found.script,
                language=found.language,
                language_score=found.language_score,
                pii_masked=found.pii_total,
            )
        )
    frame = frame_of(*rows)
    assert broken(frame) == set()
    assert frame["pii_masked"].to_list() == [2, 2, 0, 0, 0, 0]
    assert all(p not in texts[0] for p in PII_PLACEHOLDERS.values())
