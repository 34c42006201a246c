"""Dates: RFC 822 GMT -> published UTC; naive crawl time -> crawled UTC; Invalid Date -> missing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from builders.pipeline.dates import parse_date
from builders.pipeline.step import process_file
from schemas.record import Post
from tests.helpers import make_post


@pytest.mark.parametrize(
    ("value", "expected", "kind"),
    [
        ("Fri, 01 Jul 2022 23:44:55 GMT", datetime(2022, 7, 1, 23, 44, 55, tzinfo=UTC), "published"),
        ("Sun, 27 Sep 2020 00:00:00 GMT", datetime(2020, 9, 27, tzinfo=UTC), "published"),
        (datetime(2021, 9, 13, 8, 8, 37), datetime(2021, 9, 13, 8, 8, 37, tzinfo=UTC), "crawled"),
        ("Invalid Date", None, "missing"),
        ("not a date", None, "missing"),
        (None, None, "missing"),
        ("Thu, 01 Jan 1970 00:00:00 GMT", None, "missing"),
        ("Fri, 01 Jan 2999 00:00:00 GMT", None, "missing"),
    ],
)
def test_parse_date(value: object, expected: datetime | None, kind: str) -> None:
    assert parse_date(value) == (expected, kind)


@pytest.mark.parametrize(
    ("date", "expected", "kind"),
    [
        ("Wed, 20 Oct 2021 01:30:39 GMT", datetime(2021, 10, 20, 1, 30, 39, tzinfo=UTC), "published"),
        ("2021-10-21 10:09:00", datetime(2021, 10, 21, 10, 9, tzinfo=UTC), "crawled"),
        ("Invalid Date", None, "missing"),
    ],
)
def test_date_formats_in_a_post(date: str, expected: datetime | None, kind: str) -> None:
    post = process_file(make_post(date=date).encode(), "金融/测试源/快讯/a.md")
    assert isinstance(post, Post)
    assert (post.published_at, post.date_kind) == (expected, kind)
