"""Cleaning on feeds the sample lacks: code that looks like markup, broken markup, line endings, invisible
characters, toolbar and credit boilerplate, and the per-rule counts. Every body here is invented."""

from __future__ import annotations

import polars as pl
import pytest

import builders.cleaners.html as html_module
from builders.cleaners import GENERIC
from builders.cleaners.html import FAST_PARSE_MAX_TAGS, UnparsableBody, escape_text_brackets, parse_html
from builders.quarantine import Reason
from schemas.frames import PostBody


def body_errors(text: str) -> list[str]:
    """The names of the body invariants ``text`` fails."""
    try:
        PostBody.validate(pl.DataFrame({"text": [text]}), lazy=True)
    except Exception as error:  # pandera's SchemaErrors
        return sorted({case["check"] for case in error.message["DATA"].values() for case in case})  # type: ignore[attr-defined]
    return []


# --- nothing lost silently -----------------------------------------------------------------------
JAVA = (
    "<p>封装一个通用的请求方法：</p>"
    "<pre><code class='language-java'>public &lt;T&gt; ResponseEntity<T> get(String url, Class<T> type) {\n"
    "    Map<String, ?> params = new HashMap<>();\n"
    "    if (a < b && c > d) { return null; }\n"
    "}</code></pre><p>调用时传入返回类型即可。</p>"
)


def test_java_generics_in_code_stay_code_and_the_post_keeps_its_text() -> None:
    text = GENERIC.clean(JAVA).text
    assert text == (
        "封装一个通用的请求方法：\n```java\n"
        "public <T> ResponseEntity<T> get(String url, Class<T> type) {\n"
        "    Map<String, ?> params = new HashMap<>();\n"
        "    if (a < b && c > d) { return null; }\n"
        "}\n```\n调用时传入返回类型即可。"
    )
    assert body_errors(text) == []


def test_placeholders_in_prose_are_text() -> None:
    text = GENERIC.clean(
        "<p>镜像里写上 EXPOSE <port> [<port>/<protocol>...]，再把 <variable_name> 换成你的变量。</p>"
    ).text
    assert text == "镜像里写上 EXPOSE <port> [<port>/<protocol>...]，再把 <variable_name> 换成你的变量。"
    assert body_errors(text) == []


def test_xml_in_a_code_block_is_kept_literally() -> None:
    body = "<pre><code><dependency>\n    <groupId>org.example</groupId>\n    <version>1.0</version>\n</dependency></code></pre>"
    assert GENERIC.clean(body).text == (
        "```\n<dependency>\n    <groupId>org.example</groupId>\n    <version>1.0</version>\n</dependency>\n```"
    )


def test_highlighter_markup_in_code_is_still_markup() -> None:
    body = '<pre><code><span class="hljs-keyword">List</span><A> xs = <b>load</b>();<br></code></pre>'
    assert GENERIC.clean(body).text == "```\nList<A> xs = load();\n```"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<div ?>属性名是问号</div>", "属性名是问号"),
        ('<p a"b=1>属性名里有引号</p>', "属性名里有引号"),
        ("<p><o:p>从 Word 粘贴</o:p>的段落</p>", "从 Word 粘贴的段落"),
        ('<mpvoice frameborder="0" name="语音"></mpvoice><p>公众号正文</p>', "公众号正文"),
        ("<P>老式<B>大写</B>标签</P>", "老式大写标签"),
        ("<p>未闭合的段落<div>和块<span>还有行内", "未闭合的段落\n和块还有行内"),
    ],
)
def test_broken_or_foreign_markup_keeps_the_text(body: str, text: str) -> None:
    assert GENERIC.clean(body).text == text


def test_a_big_body_with_a_refused_name_goes_through_the_safe_target() -> None:
    body = "<p>开头</p>" + "<span>" * FAST_PARSE_MAX_TAGS + "<div ?>深处的字</div>" + "</span>" * FAST_PARSE_MAX_TAGS
    text = GENERIC.clean(body).text
    assert text == "开头\n深处的字"


def test_a_body_no_parser_reads_raises_its_own_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(body_html: str, target: object) -> None:
        raise AssertionError("missing end tags")

    monkeypatch.setattr(html_module, "_parse_events", refuse)
    with pytest.raises(UnparsableBody) as caught:
        parse_html("<p>" + "<i>" * FAST_PARSE_MAX_TAGS + "正文</p>")
    assert caught.value.reason == Reason.UNPARSABLE_BODY


def test_blank_bodies_hold_no_tree() -> None:
    assert [parse_html(b) for b in ("", "  \n", "<!-- 只有注释 -->")] == [None, None, None]


def test_the_escape_touches_only_brackets_that_start_no_markup() -> None:
    markup = '<p class="x">a</p><br/><img src="https://img.example.com/a.png"><!-- c --><o:p></o:p></div>'
    assert escape_text_brackets(markup) == markup
    assert escape_text_brackets("<p>List<T></p>") == "<p>List&lt;T></p>"


# --- the body invariants: only real element names are markup --------------------------------------
@pytest.mark.parametrize(
    "text",
    ["EXPOSE <port>", "List<String> 和 Map<K, V>", '```\n<div class="a">代码里的标签</div>\n```', "a < b && c > d"],
)
def test_literal_code_and_placeholders_pass_the_markup_invariant(text: str) -> None:
    assert body_errors(text) == []


@pytest.mark.parametrize(
    "text", ["残留<p>标签", "残留</DIV>", '残留<a href="https://x.example/">链接</a>', "换行<br/>"]
)
def test_leftover_html_in_prose_fails_the_markup_invariant(text: str) -> None:
    assert body_errors(text) == ["no_markup_tag"]


# --- one invisible-character set -----------------------------------------------------------------
def test_the_cleaner_removes_every_character_the_invariant_forbids() -> None:
    from schemas.characters import INVISIBLE_RANGES

    forbidden = [chr(code) for low, high in INVISIBLE_RANGES for code in range(low, high + 1)]
    assert {"\u2066", "\u2067", "\u2068", "\u2069", "\u00ad", "\u200b", "\u202e", "\ufeff"} <= set(forbidden)
    # (C0/C1 controls aside: libxml2 reads them as breaks or U+FFFD before the cleaner sees them)
    formats = [char for char in forbidden if ord(char) >= 0xAD]
    text = GENERIC.clean("<p>" + "".join(f"字{char}" for char in formats) + "尾</p>").text
    assert text.replace("\n", "") == "字" * len(formats) + "尾"  # (U+2029, a paragraph separator, breaks it)
    assert body_errors(text) == []
    assert [char for char in forbidden if body_errors(f"前{char}后") != ["no_invisible_character"]] == []
