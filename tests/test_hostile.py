"""Hostile input: markup built to hurt the parser, active content, URL schemes, and odd or escaping paths.

Figures (time and memory per hostile body) come from ``benchmarks/hostile_html.py``; tests here assert
outcomes: a record or the right rejection, never an exception, and nothing active in the output.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from datasets import load_dataset

from builders.build import build
from builders.discover import discover, is_safe_raw_path
from builders.process import MAX_ELEMENTS, process_file
from builders.quarantine import Reason, Rejection
from builders.validate import load_frame
from schemas.frames import PostMetadata
from schemas.record import Post
from tests.conftest import make_post

MB = 1024 * 1024


def outcome(body: str, **kwargs: object) -> Post | Rejection:
    return process_file(make_post(body=body, **kwargs).encode(), "敌意/测试/样本/a.md")  # type: ignore[arg-type]


def kept(body: str, **kwargs: object) -> Post:
    result = outcome(body, **kwargs)
    assert isinstance(result, Post), result
    return result


# --- markup built to hurt ---------------------------------------------------------------------


def test_100000_levels_of_nesting_are_refused_not_crashed() -> None:
    result = outcome("<div>" * 100_000 + "深处" + "</div>" * 100_000)
    assert isinstance(result, Rejection) and result.reason == Reason.MARKUP_TOO_COMPLEX


@pytest.mark.parametrize("tag", ["div", "span", "b", "table", "li", "blockquote"])
def test_deep_nesting_within_the_limit_keeps_its_text(tag: str) -> None:
    depth = MAX_ELEMENTS - 100
    post = kept("<p>开头</p>" + f"<{tag}>" * depth + "深处的字" + f"</{tag}>" * depth + "<p>结尾</p>")
    assert "深处的字" in post.text and post.text.startswith("开头") and post.text.endswith("结尾")


def test_unclosed_deep_nesting_keeps_its_text() -> None:
    assert "没有闭合" in kept("<div><span>" * 5_000 + "没有闭合").text


def test_huge_attribute_never_reaches_the_text() -> None:
    post = kept(f'<p title="{"攻" * (MB // 6)}" data-x="{"x" * (MB // 2)}">正文</p>')
    assert post.text == "正文"


def test_ten_megabyte_line_is_refused_and_a_large_line_is_kept() -> None:
    refused = outcome("<p>" + "字" * (10 * MB // 3) + "</p>")
    assert isinstance(refused, Rejection) and refused.reason == Reason.FILE_TOO_LARGE
    assert kept("<p>" + "字" * (MB // 2) + "</p>").char_count == MB // 2


@pytest.mark.parametrize(
    "body",
    [
        "<p <<a href=x <b>>>正文",
        "</p></p></div></body></html>正文<html><body>",
        "<p>正文<!-- 没有结束的注释",
        "<![CDATA[正文]]><!DOCTYPE x><?php echo 1 ?>",
        "<table><tr><td>正文<td><tr></table></td></tr>",
        "<a href='https://a.example/'<img src=x>正文</a",
        "<p>\udcff正文</p>".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "<" * 5_000 + "正文" + ">" * 5_000,
        "<p>&#0;&#xD800;&#1114112;&#x110000;&unknown;正文</p>",
        "<svg><p>正文</p></svg><math><mi>x</mi></math>",
        "<p\x0b\x0c>正文</p\x0b>",
    ],
    ids=range(11),
)
def test_malformed_markup_never_raises(body: str) -> None:
    result = outcome(body)
    assert isinstance(result, (Post, Rejection))
    if isinstance(result, Post):
        assert "<script" not in result.text.lower()


# --- active content -----------------------------------------------------------------------------

ACTIVE = [
    "<script>EVIL()</script>",
    "<script type='text/template'><p>EVIL</p></script>",
    "<style>p::after { content: 'EVIL' }</style>",
    "<iframe src='https://a.example/'>EVIL</iframe>",
    "<iframe srcdoc='<p>EVIL</p>'></iframe>",
    "<object data='x.swf'><p>EVIL</p></object>",
    "<embed src='EVIL.swf'>",
    "<noscript><p>EVIL</p></noscript>",
    "<template><p>EVIL</p></template>",
    "<svg><script>EVIL()</script></svg>",
    "<p onclick='EVIL()' onmouseover=\"EVIL()\">文字</p>",
    "<img src=x onerror='EVIL()'>",
    "<a href='javascript:EVIL()'>链接</a>",
    "<img src='javascript:EVIL()'>",
    "<img src='data:image/svg+xml;base64,RVZJTA=='>",
    "<img src='  JaVaScRiPt:EVIL()'>",
    "<img src='https://proxy.example/?url=javascript:EVIL()'>",
    "<script>document.write('<p>EVIL</p>')</script>",
    "<form action='javascript:EVIL()'><input value='EVIL'><button>EVIL</button></form>",
]


@pytest.mark.parametrize("fragment", ACTIVE, ids=range(len(ACTIVE)))
def test_active_content_reaches_no_field(fragment: str) -> None:
    post = kept(f"<p>前文</p>{fragment}<p>后文</p>", headimg="javascript:EVIL()")
    assert "EVIL" not in post.text and post.text.startswith("前文")
    fields = [post.head_image, post.url, *post.images]
    assert all(value is None or value.startswith(("http://", "https://")) for value in fields)
    assert all("EVIL" not in (value or "") for value in fields if "proxy.example" not in (value or ""))


@pytest.mark.parametrize(
    "headimg", ["javascript:alert(1)", "data:image/png;base64,AAAA", "//", "https://", "file:///etc/passwd", "/a.jpg"]
)
def test_head_image_accepts_only_http_urls_with_a_host(headimg: str) -> None:
    assert kept("<p>正文</p>", headimg=headimg).head_image is None


# --- paths --------------------------------------------------------------------------------------

ODD_NAMES = [
    "空 格  与\t制表",
    "引号 ' \" ` 和 \\ 反斜杠",
    "换\n行",
    "emoji 🚀🔥",
    "从右到左 \u202e gnp.exe",
    "零宽\u200b字符",
    "-以减号开头",
    "..点点开头",
    "组合字符 e\u0301",
]


def test_odd_file_names_build_load_and_validate(write_post: Callable[..., Path], tmp_path: Path) -> None:
    for i, name in enumerate(ODD_NAMES):
        write_post(name, title=f"'奇怪的名字 {i}'", body=f"<p>第{i}篇</p>")
    nested = tmp_path / "raw" / "source" / "_posts" / "金融" / "测试源" / "..." / "' ; rm -rf"
    nested.mkdir(parents=True)
    (nested / "深 层.md").write_text(make_post(title="'深层'"), encoding="utf-8")
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == len(ODD_NAMES) + 1 and summary.quarantined == [] and summary.reconciles()
    dataset = load_dataset(str(tmp_path / "out"), "all", cache_dir=str(tmp_path / "cache"))
    raw_paths = {p for split in dataset.values() for p in split["raw_path"]}
    assert "金融/测试源/快讯/换\n行.md" in raw_paths and "金融/测试源/.../' ; rm -rf/深 层.md" in raw_paths
    assert all(is_safe_raw_path(p) for p in raw_paths)
    PostMetadata.validate(load_frame(tmp_path / "out"), lazy=True)


def test_symlinks_leaving_the_root_are_not_followed(write_post: Callable[..., Path], tmp_path: Path) -> None:
    inside = write_post("里面", body="<p>里面的文章</p>")
    outside = tmp_path / "outside"
    (outside / "feed").mkdir(parents=True)
    secret = outside / "secret.md"
    secret.write_text(make_post(body="<p>SECRET</p>"), encoding="utf-8")
    (outside / "feed" / "more.md").write_text(make_post(body="<p>SECRET</p>"), encoding="utf-8")
    folder = inside.parent
    (folder / "link-out.md").symlink_to(secret)
    (folder / "link-up.md").symlink_to(Path("..") / ".." / ".." / ".." / ".." / ".." / "outside" / "secret.md")
    (folder / "link-etc.md").symlink_to("/etc/passwd")
    (folder / "link-in.md").symlink_to(inside)
    (folder / "dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "folder-out").symlink_to(outside / "feed", target_is_directory=True)
    _, files, ignored = discover(tmp_path / "raw")
    assert [f.raw_path.rsplit("/", 1)[1] for f in files] == ["link-in.md", "里面.md"]
    assert {i.raw_path.rsplit("/", 1)[1] for i in ignored} == {
        "link-out.md",
        "link-up.md",
        "link-etc.md",
        "dangling.md",
        "loop.md",
        "folder-out",
    }
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == 2 and summary.reconciles()
    frame = load_frame(tmp_path / "out")
    assert not frame["text"].str.contains("SECRET").any()


def test_a_fifo_named_like_a_post_is_ignored_not_read(write_post: Callable[..., Path], tmp_path: Path) -> None:
    folder = write_post("正常").parent
    os.mkfifo(folder / "管道.md")
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == 1 and [i.why for i in summary.ignored] == ["not a regular file"]


@pytest.mark.parametrize(
    ("raw_path", "safe"),
    [("a/b.md", True), ("a/../b.md", False), ("/etc/x.md", False), ("..", False), ("", False)],
)
def test_is_safe_raw_path(raw_path: str, safe: bool) -> None:
    assert is_safe_raw_path(raw_path) is safe


@pytest.mark.parametrize("raw_path", ["../../etc/x.md", "/etc/x.md", "a/../../x.md"])
def test_process_file_refuses_a_raw_path_escaping_the_root(raw_path: str) -> None:
    result = process_file(make_post().encode(), raw_path)
    assert isinstance(result, Rejection) and result.reason == Reason.BAD_FILE_NAME
