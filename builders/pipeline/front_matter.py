"""Split a Hexo post into its YAML front matter and HTML body, and read the front matter safely."""

from __future__ import annotations

import html
import re
import reprlib
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

from builders.common.quarantine import FileRejected, Reason

try:  # the C loader is much faster and just as safe
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Reprs of hostile values (alias bombs, self-referencing lists) stay short: they go into messages.
SHORT = reprlib.Repr()
SHORT.maxlevel, SHORT.maxlist, SHORT.maxdict, SHORT.maxstring, SHORT.maxother = 2, 4, 4, 60, 60


class PostLoader(SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader, except that a timestamp-looking value that is no real date stays a string.

    ``date: 2021-13-45 08:08:37`` matches YAML's timestamp pattern but is no date; the safe loader
    raises ``ValueError`` on it. The date is then unparsable, which keeps the record (``missing``).
    """


def _lenient_timestamp(loader: PostLoader, node: yaml.ScalarNode) -> Any:
    try:
        return SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, TypeError, AttributeError, OverflowError):
        return loader.construct_scalar(node)


PostLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


@dataclass(frozen=True)
class FrontMatter:
    """The fields of a post's front matter that the dataset uses, decoded and normalised."""

    title: str | None
    category: str
    source: str
    feed: str
    head_image: str | None
    thumbnail: str | None
    date: Any


def split_post(text: str) -> tuple[str, str]:
    """Return (front matter YAML, body). The crawler writes a blank line, then ``---`` fenced YAML.

    Windows (CRLF) and old Mac (CR) line endings read as LF, and a leading byte-order mark is dropped, so such
    a file gives the same record as its LF twin (a corpus checked out with ``core.autocrlf=true``)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip("\ufeff \t\n")
    opening = FENCE.match(stripped)
    if opening is None:
        raise FileRejected(Reason.NO_FRONT_MATTER, "file does not start with a '---' front matter fence", stripped[:80])
    closing = FENCE.search(stripped, opening.end())
    if closing is None:
        raise FileRejected(Reason.NO_FRONT_MATTER, "front matter is never closed by a '---' line", stripped[:80])
    return stripped[opening.end() : closing.start()], stripped[closing.end() :]


def decode_text(value: str) -> str:
    """Decode the crawler's ``&#123;``/``&#125;`` escapes and any HTML entity, then NFC."""
    return unicodedata.normalize("NFC", html.unescape(html.unescape(value)) if "&" in value else value)


def _scalar_text(value: Any) -> str | None:
    """A YAML scalar as trimmed, decoded text; None when missing or blank."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = decode_text(str(value)).strip()
    return text or None


def _level(value: Any) -> str | None:
    """One ``categories`` level; a nested single-item list (Animen's ``-  - news``) is its item."""
    for _ in range(3):  # bounded: YAML anchors can make a list that contains itself
        if not (isinstance(value, list) and len(value) == 1):
            break
        value = value[0]
    if isinstance(value, (bool, dict, list)) or value is None:
        return None
    text = _scalar_text(value)
    return None if text is None or CONTROL.search(text) else text


def load_yaml(source: str) -> dict[str, Any]:
    """Parse front matter with the safe loader only; unsafe tags are refused, never constructed."""
    try:
        data = yaml.load(source, Loader=PostLoader)
    except yaml.constructor.ConstructorError as error:
        if "could not determine a constructor" in (error.problem or ""):
            raise FileRejected(
                Reason.YAML_UNSAFE, f"front matter needs an unsafe YAML loader: {error.problem}"[:300]
            ) from None
        raise FileRejected(Reason.YAML_SYNTAX, f"front matter is not valid YAML: {error.problem}"[:300]) from None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        mark = getattr(error, "problem_mark", None)
        # the source starts right after the opening fence: YAML's 0-based line is the 1-based line after it
        where = f" (line {mark.line} after the opening ---, column {mark.column + 1})" if mark is not None else ""
        snippet = source.splitlines()[mark.line] if mark is not None and mark.line < len(source.splitlines()) else None
        raise FileRejected(
            Reason.YAML_SYNTAX, f"front matter is not valid YAML: {problem}"[:300] + where, snippet
        ) from None
    except (RecursionError, ValueError, TypeError, AttributeError, OverflowError) as error:
        # the pure-Python loader recurses on deep nesting; odd scalars can break constructors
        raise FileRejected(
            Reason.YAML_SYNTAX, f"front matter cannot be loaded: {type(error).__name__}: {error}"[:300]
        ) from None
    if not isinstance(data, dict):
        raise FileRejected(
            Reason.NOT_A_MAPPING, f"front matter is a {type(data).__name__}, not a mapping", SHORT.repr(data)[:200]
        )
    return data


def read_front_matter(source: str) -> FrontMatter:
    """Validate the front matter's shape and decode its text fields."""
    data = load_yaml(source)
    if "title" not in data:
        raise FileRejected(Reason.NO_TITLE, "front matter has no 'title' key")
    categories = data.get("categories")
    levels = [_level(level) for level in categories] if isinstance(categories, list) else []
    if len(levels) != 3 or not all(levels):
        raise FileRejected(
            Reason.BAD_CATEGORIES,
            f"categories must be three non-empty one-line strings, got {SHORT.repr(categories)[:200]}",
        )
    category, source_name, feed = (str(level) for level in levels)
    return FrontMatter(
        title=_scalar_text(data["title"]),
        category=category,
        source=source_name,
        feed=feed,
        head_image=_scalar_text(data.get("headimg")),
        thumbnail=_scalar_text(data.get("thumbnail")),
        date=data.get("date"),
    )
