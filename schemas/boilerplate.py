"""Phrases that must never appear in a cleaned ``text``: site boilerplate the cleaners remove.

A maintained list: when a new boilerplate phrase is found in the corpus, add it here (the body
invariants then catch any leak) and teach the cleaner of its site, or the generic cleaner, to remove it.
Keys name the cleaner (or, for feeds without one, the feed family the generic rules were written for).
Phrases are specific enough never to be an author's own words.
"""

from __future__ import annotations

BOILERPLATE_PHRASES: dict[str, tuple[str, ...]] = {
    "generic": (
        "referrerpolicy",
        "查看原文",
        "阅读原文",
        "点击阅读全文",
        "未经许可，禁止转载",
        "未经授权，禁止转载",
        "Download PDF",
        "的线索投递！",
    ),
    "sina": (
        "海量资讯、精准解读，尽在新浪财经APP",
        "责任编辑：",
        "原标题：",
        "新浪财经APP",
        "自媒体综合提供的内容均源自自媒体",
        "不代表新浪立场",
        "理财券，每日限额",
    ),
    "zhihu": (
        "查看知乎原文",
        "查看知乎讨论",
    ),
    "kr36": (
        "编者按：",
        "神译局是36氪旗下编译团队",
        "36氪经授权发布",
        "相关阅读：",
    ),
    "ithome": (
        "广告声明：文内含有的对外跳转链接",
        "IT之家所有文章均包含本声明",
    ),
    "sspai (generic rules)": (
        "下载少数派客户端",
        "关注少数派公众号",
        "关注少数派小红书",
    ),
    "woshipm (generic rules)": (
        "原创发布于人人都是产品经理",
        "题图来自Unsplash",
    ),
    "meituan (generic rules)": ("本文系美团技术团队出品，著作权归属美团",),
}


def all_phrases() -> tuple[str, ...]:
    """Every phrase of every site, sorted, without repeats."""
    return tuple(sorted({phrase for phrases in BOILERPLATE_PHRASES.values() for phrase in phrases}))
