"""Turn the crawler's three date formats into a UTC timestamp and the kind of date it was.

- ``Fri, 01 Jul 2022 23:44:55 GMT`` (the feed's RFC 822 pubDate) -> that instant, ``published``.
- ``2021-09-13 08:08:37`` (naive; PyYAML already made it a datetime) -> the crawl time, which the crawler
  wrote in UTC (its CI runner sets no timezone), ``crawled``.
- ``Invalid Date`` (JavaScript's string for an unparsable date) or anything unreadable -> null, ``missing``.
Dates before 2000 or after the build are not believable for this corpus and count as ``missing``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _to_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _plausible(moment: datetime, kind: str) -> tuple[datetime | None, str]:
    if EARLIEST <= moment <= datetime.now(UTC):
        return moment, kind
    return None, "missing"


def parse_date(value: Any) -> tuple[datetime | None, str]:
    """Return ``(published_at, date_kind)`` for a front matter ``date`` value."""
    if isinstance(value, datetime):
        return _plausible(_to_utc(value), "crawled" if value.tzinfo is None else "published")
    if isinstance(value, date):
        return _plausible(datetime(value.year, value.month, value.day, tzinfo=UTC), "published")
    if not isinstance(value, str):
        return None, "missing"
    text = value.strip()
    try:
        return _plausible(_to_utc(parsedate_to_datetime(text)), "published")
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, "missing"
    return _plausible(_to_utc(moment), "crawled" if moment.tzinfo is None else "published")
