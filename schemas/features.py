"""Hugging Face ``Features`` derived from the pydantic ``Post`` model, field by field."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Any, Literal

from datasets import ClassLabel, Features, List, Value

from schemas.record import Float32, Int32, Post

TIMESTAMP_DTYPE = "timestamp[us, tz=UTC]"


def _unwrap(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """Strip ``X | None`` and ``Annotated[X, ...]``; return the bare type and the Annotated metadata."""
    metadata: tuple[Any, ...] = ()
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            metadata += annotation.__metadata__
            annotation = annotation.__origin__
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                raise TypeError(f"unsupported union {annotation!r}")
            annotation = args[0]
        else:
            return annotation, metadata


def is_nullable(annotation: Any) -> bool:
    """True for ``X | None`` annotations."""
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def value_for(annotation: Any, field_metadata: tuple[Any, ...] = ()) -> Value | List:
    """The HF feature type for one pydantic annotation (pydantic moves ``Annotated`` extras to field metadata)."""
    bare, metadata = _unwrap(annotation)
    metadata += field_metadata
    origin = typing.get_origin(bare)
    if origin is list:
        (item,) = typing.get_args(bare)
        return List(value_for(item))
    if origin is Literal or bare is str:
        return Value("string")
    if bare is bool:
        return Value("bool")
    if bare is int:
        return Value("int32" if Int32 in metadata else "int64")
    if bare is float:
        return Value("float32" if Float32 in metadata else "float64")
    if bare is datetime:
        return Value(TIMESTAMP_DTYPE)
    raise TypeError(f"no HF feature for {annotation!r}")


def post_features() -> Features:
    """Features of a dataset row, in the model's field order."""
    return Features(
        {name: value_for(field.annotation, tuple(field.metadata)) for name, field in Post.model_fields.items()}
    )


FEATURES: Features = post_features()


def topics_features(names: list[str], columns: tuple[str, ...] = ("id", "text", "label")) -> Features:
    """Features of the `topics` config: ``columns`` of a row, `label` a ClassLabel over the topic ``names``."""
    return Features({name: ClassLabel(names=list(names)) if name == "label" else FEATURES[name] for name in columns})
