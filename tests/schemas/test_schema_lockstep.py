"""The pydantic model, the HF Features and the pandera models agree field by field."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest
from datasets import Features, List, Value

from schemas.features import FEATURES, is_nullable
from schemas.frames import PostBody, PostMetadata
from schemas.record import FIELD_NAMES, Post


def test_features_list_every_model_field_in_order() -> None:
    assert tuple(FEATURES) == FIELD_NAMES


def test_features_types() -> None:
    assert FEATURES["published_at"] == Value("timestamp[us, tz=UTC]")
    assert FEATURES["char_count"] == Value("int32")
    assert FEATURES["images"] == List(Value("string"))
    assert FEATURES["empty_body"] == Value("bool")
    assert FEATURES["title"] == Value("string")


def test_pandera_metadata_model_has_every_field_with_the_features_dtype() -> None:
    schema = PostMetadata.to_schema()
    assert tuple(schema.columns) == FIELD_NAMES
    empty = pl.from_arrow(pa.Table.from_pylist([], schema=FEATURES.arrow_schema))
    assert isinstance(empty, pl.DataFrame)
    for name, column in schema.columns.items():
        assert column.dtype.type == empty.schema[name], name


def test_pandera_models_accept_a_valid_empty_frame() -> None:
    empty = pl.from_arrow(pa.Table.from_pylist([], schema=FEATURES.arrow_schema))
    PostMetadata.validate(empty)
    PostBody.validate(empty.select("text"))


def test_nullable_fields_agree() -> None:
    schema = PostMetadata.to_schema()
    for name, field in Post.model_fields.items():
        assert schema.columns[name].nullable == is_nullable(field.annotation), name


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_every_field_is_described(name: str) -> None:
    assert Post.model_fields[name].description


def test_features_round_trip_through_yaml() -> None:
    assert Features._from_yaml_list(FEATURES._to_yaml_list()) == FEATURES


def test_nfc_check_agrees_with_unicodedata() -> None:
    import unicodedata

    import polars as pl

    from schemas.regex_checks import nfc_mask

    texts = ["abc", "e\u0301", "é", "中文", "\uf900", "가", "\u1100\u1161", "x\u0300y", "\u212b", "a\u0327\u0301", ""]
    expected = [unicodedata.is_normalized("NFC", t) for t in texts]
    assert nfc_mask(pl.Series("text", texts)).to_list() == expected
    assert expected.count(False) == 5
