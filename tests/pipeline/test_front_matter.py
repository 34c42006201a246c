"""Front matter: every variant the crawler wrote, read from our own fixtures."""

from __future__ import annotations

import pytest

from builders.common.quarantine import Reason, Rejection
from builders.pipeline.front_matter import read_front_matter, split_post
from builders.pipeline.step import process_file
from schemas.record import Post
from tests.helpers import make_post


def record(text: str, raw_path: str = "金融/测试源/快讯/a.md") -> Post:
    result = process_file(text.encode("utf-8"), raw_path)
    assert isinstance(result, Post), result
    return result


def test_leading_blank_line_and_fences() -> None:
    yaml_source, body = split_post(make_post())
    assert yaml_source.startswith("\ntitle:") or yaml_source.startswith("title:")
    assert "<p>这是一段正文。</p>" in body


def test_plain_post_fields() -> None:
    post = record(make_post())
    assert (post.category, post.source, post.feed) == ("金融", "测试源", "快讯")
    assert post.title == "一条测试新闻"
    assert post.text == "这是一段正文。"
    assert post.char_count == len(post.text)
    assert post.head_image == "https://img.example.com/a.jpg"


def test_old_template_four_space_indent_and_no_headimg() -> None:
    post = record(make_post(old_template=True, headimg="https://img.example.com/cover.jpg"))
    assert post.feed == "快讯"
    assert post.head_image == "https://img.example.com/cover.jpg"  # falls back to thumbnail


def test_missing_headimg_and_thumbnail() -> None:
    assert record(make_post(headimg=None)).head_image is None


def test_multi_line_quoted_title() -> None:
    post = record(make_post(title="'@007_owl_ \"\n夜里的猫头鹰🦉\n还没睡\n\"'"))
    assert post.title is not None
    assert "夜里的猫头鹰🦉" in post.title and "\n" not in post.title


def test_title_with_apostrophe_is_double_quoted() -> None:
    assert record(make_post(title='"It\'s 一个标题：含冒号"')).title == "It's 一个标题：含冒号"


def test_title_with_colon_emoji_and_escaped_braces() -> None:
    post = record(make_post(title="'📉 数据更新：&#123;基金&#125; 下跌 0.5%'"))
    assert post.title == "📉 数据更新：{基金} 下跌 0.5%"


def test_blank_title_keeps_post_with_null_title() -> None:
    post = record(make_post(title="' '"))
    assert post.title is None


def test_feed_level_read_as_nested_list() -> None:
    text = make_post().replace(" - 快讯", " -  - news")
    post = record(text)
    assert post.feed == "news"


def test_title_comes_from_front_matter_not_file_name() -> None:
    post = record(make_post(title="'增长10.5%'"), raw_path="金融/测试源/快讯/增长105%.md")
    assert post.title == "增长10.5%"


def test_entities_in_categories_decoded() -> None:
    text = make_post(categories=("金融", "A&amp;B 资讯", "快讯"))
    assert record(text).source == "A&B 资讯"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no front matter at all", Reason.NO_FRONT_MATTER),
        ("\n---\ntitle: 'x'\n", Reason.NO_FRONT_MATTER),
        ("\n---\ntitle: 'x\ncategories: [\n---\n", Reason.YAML_SYNTAX),
        ("\n---\n!!python/object/apply:os.system ['echo pwned']\n---\n", Reason.YAML_UNSAFE),
        ("\n---\n- a\n- b\n---\n", Reason.NOT_A_MAPPING),
        ("\n---\ncategories: [a, b, c]\n---\n", Reason.NO_TITLE),
        ("\n---\ntitle: x\ncategories: [a, b]\n---\n", Reason.BAD_CATEGORIES),
        ("\n---\ntitle: x\ncategories: [a, '', c]\n---\n", Reason.BAD_CATEGORIES),
    ],
)
def test_bad_front_matter_is_rejected_with_reason(text: str, reason: Reason) -> None:
    result = process_file(text.encode("utf-8"), "a/b/c/x.md")
    assert isinstance(result, Rejection)
    assert result.reason == reason


def test_read_front_matter_three_levels() -> None:
    meta = read_front_matter("title: t\ncategories:\n - 游戏\n - 3DMGame\n - 新闻中心\n")
    assert (meta.category, meta.source, meta.feed) == ("游戏", "3DMGame", "新闻中心")


# --- line endings and byte-order mark: the same record as the LF twin --------------------------------
LF_TWIN = make_post(
    title="'换行符不同的同一篇文章'",
    categories=("编程", "测试博客", "首页"),
    body="<p>第一段，\n接着写。</p>\n<pre><code>line one\n    line two\n</code></pre>\n<p>责任编辑：某编辑</p>",
)


@pytest.mark.parametrize(
    "variant",
    [
        LF_TWIN.replace("\n", "\r\n").encode(),  # Windows: a corpus checked out with core.autocrlf=true
        LF_TWIN.replace("\n", "\r").encode(),  # old Mac
        b"\xef\xbb\xbf" + LF_TWIN.encode(),  # UTF-8 byte-order mark
        b"\xef\xbb\xbf" + LF_TWIN.replace("\n", "\r\n").encode(),
    ],
    ids=["crlf", "cr", "bom", "bom_crlf"],
)
def test_line_endings_and_bom_give_the_lf_twins_record(variant: bytes) -> None:
    raw_path = "编程/测试博客/首页/换行符.md"
    twin, record = process_file(LF_TWIN.encode(), raw_path), process_file(variant, raw_path)
    assert isinstance(twin, Post) and isinstance(record, Post), record
    assert twin.text == "第一段，接着写。\n```\nline one\n    line two\n```" and twin.editor == "某编辑"
    assert record.raw_sha256 != twin.raw_sha256
    assert record.model_dump(exclude={"raw_sha256"}) == twin.model_dump(exclude={"raw_sha256"})
