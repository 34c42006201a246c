"""Schemas of a zh-rss-posts record: pydantic model, HF Features and pandera models."""

from schemas.features import FEATURES
from schemas.record import FIELD_NAMES, Post

__all__ = ["FEATURES", "FIELD_NAMES", "Post"]
