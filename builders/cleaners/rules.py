"""Generic paragraph rules: every cleaner applies them after its site rules, so an unseen feed gets them too.

Each rule is a function ``rule(paragraphs, found) -> paragraphs`` named as in the dataset card's
"Cleaning rules" section. They look at rendered paragraphs (one line each), never at markup, so they
hold for any feed. Lifting rules (``lift_*``) move structure into a ``Found`` field and take the
paragraph out of the text; dropping rules (``drop_*``) remove boilerplate that carries no content.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from builders.cleaners.found import Found
from builders.cleaners.urls import normalise_url

Rule = Callable[[list[str], Found], list[str]]

# How far from the start or end of a body a structural line (reporter, source) may stand.
HEAD = 3
TAIL = 3
SHORT = 60

# --- drop_noise_line ------------------------------------------------------------------------------
# Stand-ins for images and bare link labels, separator rules, image credits, captions that are only an
# image's file name ("20230101120000.png").
LINK_LABELS = ("点击查看原文", "查看原文", "阅读原文", "原文链接", "Download PDF")
NOISE_LINES = frozenset({"image", "img", "图片", "图", "[图片]", *LINK_LABELS})
# Labels heading a list of links to other articles ("相关阅读：", "延伸阅读"), alone or with one short link
# title after them ("相关阅读：另一篇文章"): the line never stays.
RELATED_LABEL = re.compile(r"^(?:相关阅读|延伸阅读|推荐阅读)\s*(?:[:：].{0,60})?$")
SEPARATOR_LINE = re.compile(r"^[=\-*_~—–·.•#+]{3,}$")
IMAGE_FILE_NAME = re.compile(r"^[\w\-.]{1,80}\.(?:png|jpe?g|gif|webp|bmp|svg)$", re.IGNORECASE)
IMAGE_CREDIT = re.compile(
    r"^[（(]?(?:题图|配图|封面图?|图片|图源|图)\s*(?:来源|来自|源自|[:：|丨])\s*[:：]?\s*[^。！？\n]{0,40}[）)]?$"
)


# A link label glued to the end of a paragraph after a sentence ("……全文完。阅读原文", "A report. Download
# PDF"): the label goes, the sentence stays. (Glued straight to a word it may be the author's: kept.)
LINK_LABEL_TAIL = re.compile(r"(?<=[。！？!?.…”’」』）)\]\s])\s*(?:" + "|".join(LINK_LABELS) + r")\s*[>»›]*$")


# Every label ends with one of these characters (before trailing arrows/spaces): the tail regex runs only then.
LABEL_ENDS = frozenset(label[-1] for label in LINK_LABELS)


def drop_noise_line(paragraphs: list[str], found: Found) -> list[str]:
    stripped = (LINK_LABEL_TAIL.sub("", p) if p.rstrip(" \t\n>»›")[-1:] in LABEL_ENDS else p for p in paragraphs)
    return [
        p
        for p in stripped
        if p
        and p not in NOISE_LINES
        and not RELATED_LABEL.match(p)
        and not SEPARATOR_LINE.match(p)
        and not IMAGE_CREDIT.match(p)
        and not IMAGE_FILE_NAME.match(p)
    ]


# --- lift_reporter_line ---------------------------------------------------------------------------
# A line that is only staff credits: "本报记者 张三 见习记者 李 四", "（总台记者 王五）", "每经编辑 赵六",
# "文 | 钱七". Writers go to ``byline``, editors to ``editor``; when the field is already taken (Sina's
# 责任编辑 names the editor) the line stays in the text rather than being thrown away.
ROLE = r"(?:[^\s，。、（）()【】|丨:：]{0,8}?)(记者|通讯员|实习生|作者|撰文|责编|编辑)"
CREDIT_LINE = re.compile(
    rf"^[【（(\[]?\s*(?:{ROLE}[\s:：|丨/]*[^\s，。、：:（）()【】]{{1,12}}(?:[ 　、][^\s，。、：:（）()【】记者编辑]{{1,12}}){{0,3}}\s*)+[】）)\]]?$"
)
CREDIT_LEAD = re.compile(rf"^[【(（]\s*((?:{ROLE}[\s:：|丨]*[^】)）]{{1,30}}))[】)）]")
PEN_NAME = re.compile(r"^(?:文|作者|撰文)\s*[|丨/:：]\s*([^\s，。|丨/]{1,20})$")
ROLE_SPLIT = re.compile(ROLE + r"[\s:：|丨/]*")
NAME_TRIM = "【】（）()[] 　\t"


def _credits(line: str) -> tuple[list[str], list[str]]:
    """(writers, editors) named in a credit line."""
    parts = ROLE_SPLIT.split(line.strip(NAME_TRIM))
    writers: list[str] = []
    editors: list[str] = []
    for role, names in zip(parts[1::2], parts[2::2], strict=True):
        names = names.strip(NAME_TRIM)
        if names:
            (editors if role in ("编辑", "责编") else writers).append(names)
    return writers, editors


def _set_credits(found: Found, writers: list[str], editors: list[str]) -> bool:
    """Store the credits; False (and nothing stored) when a field is already taken: the line then stays."""
    if (writers and found.byline is not None) or (editors and found.editor is not None):
        return False
    if writers:
        found.byline = "、".join(writers)
    if editors:
        found.editor = "、".join(editors)
    return bool(writers or editors)


def lift_reporter_line(paragraphs: list[str], found: Found) -> list[str]:
    kept: list[str] = []
    last = len(paragraphs) - 1
    for index, paragraph in enumerate(paragraphs):
        near_edge = index < HEAD or index > last - TAIL
        if near_edge and len(paragraph) <= 40:
            pen = PEN_NAME.match(paragraph)
            if pen and _set_credits(found, [pen.group(1)], []):
                continue
            if CREDIT_LINE.match(paragraph) and _set_credits(found, *_credits(paragraph)):
                continue
        if index < HEAD:
            lead = CREDIT_LEAD.match(paragraph)
            if lead and len(paragraph) > lead.end() and _set_credits(found, *_credits(lead.group(1))):
                paragraph = paragraph[lead.end() :].lstrip()
        kept.append(paragraph)
    return kept


# --- lift_source_line -----------------------------------------------------------------------------
# "来源：某某日报", "来源|某报、某社", "来源：SomeSite" standing alone near the start or end;
# lifted only while attribution is free (a second source line stays in the text: nothing goes to the bin).
SOURCE_LINE = re.compile(r"^[（(]?(?:来源|出处|转自|Source)\s*[:：|丨]\s*([^\n]{1,50}?)[）)]?$")


def lift_source_line(paragraphs: list[str], found: Found) -> list[str]:
    kept: list[str] = []
    last = len(paragraphs) - 1
    for index, paragraph in enumerate(paragraphs):
        match = SOURCE_LINE.match(paragraph) if (index < HEAD or index > last - TAIL) else None
        if match and found.attribution is None and not any(mark in match.group(1) for mark in "。！？"):
            found.attribution = match.group(1).strip()
            continue
        kept.append(paragraph)
    return kept


# --- drop_reprint_notice --------------------------------------------------------------------------
# Copyright and reprint statements ("未经许可，禁止转载", "版权归原作者所有"), disclaimers, and the
# "本文由 @作者 原创发布于 站点" statement (its author goes to ``byline``).
PUBLISHED_BY = re.compile(r"^本文由\s*@?\s*([^\s，。@]{1,20})\s*(?:原创)?(?:发布|首发)于")
REPRINT_NOTICE = re.compile(
    r"未经(?:作者)?(?:许可|授权|允许)[，,]?\s*(?:禁止|不得|严禁)[^。]{0,10}转载"
    r"|转载请(?:联系|注明|与)|版权归[^。]{0,12}所有|著作权归[^。]{0,12}所有|著作权归属"
    r"|^免责声明[:：]|^特别声明[:：]|^广告声明[:：]|^声明[:：]本文|欢迎(?:个人)?转发(?:到)?朋友圈|^如需转载"
)
NOTICE_MAX = 260
# Every notice holds one of these characters (转载, 版权, 著作权, 声明, 欢迎): the notice regex runs only then.
NOTICE_HINT = re.compile("[转版著声欢]")


QUOTE_MARKS = ">|》 \u3000"  # Markdown quote or table residue in front of a notice ("> 特别声明：…")


def drop_reprint_notice(paragraphs: list[str], found: Found) -> list[str]:
    kept: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= NOTICE_MAX:
            core = paragraph.lstrip(QUOTE_MARKS)
            published = PUBLISHED_BY.match(core)
            if published:
                if found.byline is None:
                    found.byline = published.group(1)
                continue
            if NOTICE_HINT.search(core) and REPRINT_NOTICE.search(core):
                continue
        kept.append(paragraph)
    return kept


# --- drop_app_promotion ---------------------------------------------------------------------------
# Short lines that sell an app, an account or a QR code rather than say anything.
APP_PROMOTION = re.compile(
    r"(?:扫码|扫描|长按|识别)[^。]{0,16}二维码|(?:下载|打开)[^。]{0,12}(?:客户端|APP|App|app)"
    r"|关注[^。]{0,12}(?:公众号|小红书|微博|视频号|客户端)|尽在[^。]{0,10}(?:APP|App|客户端)|点击下方[^。]{0,10}(?:图片|二维码)"
    r"|理财券[，,]?\s*每日限额"
)


def drop_app_promotion(paragraphs: list[str], found: Found) -> list[str]:
    return [p for p in paragraphs if len(p) > SHORT or not APP_PROMOTION.search(p)]


# --- mark_truncated -------------------------------------------------------------------------------
# The feed cut the body: a trailing "阅读全文" link (dropped), or the last paragraph breaking off with
# "..." / a single "…" straight after a word (an author's own "……" or "。..." is not a cut).
READ_MORE = re.compile(
    r"^[\[【(（]?(?:阅读全文|查看全文|展开全文|继续阅读|阅读更多|全文阅读|点击阅读全文|Read more|Continue reading)"
    r"[\]】)）>»›.…:：\s]*$",
    re.IGNORECASE,
)
CUT_OFF = re.compile(r"[\w\u3400-\u9fff\uf900-\ufaff](?:\.{3}|…|\.\.\.…)$")


def mark_truncated(paragraphs: list[str], found: Found) -> list[str]:
    while paragraphs and READ_MORE.match(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
        found.truncated = True
    if paragraphs and CUT_OFF.search(paragraphs[-1]) and not paragraphs[-1].endswith("……"):
        found.truncated = True
    # A "阅读全文" link between two paragraphs is a label, not a cut: dropped, ``truncated`` untouched.
    return [p for p in paragraphs if not READ_MORE.match(p)]


def bare_url(paragraph: str) -> str | None:
    """The URL when a paragraph is nothing but one http(s) URL."""
    if " " in paragraph or not paragraph.startswith(("http://", "https://")):
        return None
    return normalise_url(paragraph)


# --- lift_original_title, lift_editor_line ---------------------------------------------------------
# Chinese news reposts label the original headline and the responsible editor on lines of their own
# (Sina first, but any portal that syndicates does it): `原标题：X`, `责任编辑：X`. The first value goes to
# its field; the label line never stays in the text (an empty label is dropped).
ORIGINAL_TITLE_LINE = re.compile(r"^原标题\s*[:：]\s*(.*)$")
EDITOR_LINE = re.compile(r"^责任编辑\s*[:：]\s*(.*)$")
# Plain-text reposts glue it to the last sentence: "……完。责任编辑：X" / "……完。（责任编辑：X）".
EDITOR_TAIL = re.compile(r"(?<=[。！？!?”’」』])\s*[（(]?责任编辑\s*[:：]\s*([^\s，。（）()]{1,12})\s*[）)]?$")


def lift_original_title(paragraphs: list[str], found: Found) -> list[str]:
    kept = []
    for paragraph in paragraphs:
        match = ORIGINAL_TITLE_LINE.match(paragraph)
        if match is None:
            kept.append(paragraph)
        elif match.group(1).strip() and not found.original_title:
            found.original_title = match.group(1).strip()
    return kept


def lift_editor_line(paragraphs: list[str], found: Found) -> list[str]:
    kept = []
    for paragraph in paragraphs:
        tail = EDITOR_TAIL.search(paragraph)
        if tail:
            found.editor = tail.group(1)
            paragraph = paragraph[: tail.start()]
        match = EDITOR_LINE.match(paragraph)
        if match is None:
            kept.append(paragraph)
        elif match.group(1).strip():
            found.editor = match.group(1).strip()
    return kept


# --- lift_source_statement, strip_editor_note_label, drop_column_banner ------------------------------
# A republished article states where it comes from, with or without an "编者按：" label, at the start or the
# end: "本文来自微信公众号“X”（ID：y），作者：Y，编辑：Z，36氪经授权发布。" (36kr first, but portals that
# repost WeChat accounts or 36kr do the same). The statement goes to ``attribution`` (the first one wins;
# a second statement is dropped all the same), its 作者 to ``byline`` and 编辑 to ``editor`` while free.
SOURCE_STATEMENT = re.compile(
    r"^(?:编者按\s*[:：]\s*)?(本文(?:来自|来源于|转载自|经授权转载自)[^\n]{2,200}?(?:授权|发布|转载)[^\n]{0,10})$"
)
STATEMENT_AUTHOR = re.compile(r"作者\s*[:：]\s*([^，,。；;）)]{1,30})")
STATEMENT_EDITOR = re.compile(r"编辑\s*[:：]\s*([^，,。；;）)]{1,30})")
# An editor's note with content keeps its words, without the "编者按：" label (a bare label goes).
EDITOR_NOTE_LABEL = re.compile(r"^编者按\s*[:：]\s*")
# A column's self-description repeated on every piece (36kr's 神译局), wherever the piece is reposted.
COLUMN_BANNER = re.compile(r"^神译局是36氪旗下编译团队")


def lift_source_statement(paragraphs: list[str], found: Found) -> list[str]:
    kept: list[str] = []
    for paragraph in paragraphs:
        statement = SOURCE_STATEMENT.match(paragraph)
        if statement is None:
            kept.append(paragraph)
            continue
        text = statement.group(1)
        found.attribution = found.attribution or text
        author, editor = STATEMENT_AUTHOR.search(text), STATEMENT_EDITOR.search(text)
        if author and found.byline is None:
            found.byline = author.group(1).strip()
        if editor and found.editor is None:
            found.editor = editor.group(1).strip()
    return kept


def strip_editor_note_label(paragraphs: list[str], found: Found) -> list[str]:
    stripped = (EDITOR_NOTE_LABEL.sub("", p) for p in paragraphs)
    return [p for p in stripped if p]


def drop_column_banner(paragraphs: list[str], found: Found) -> list[str]:
    return [p for p in paragraphs if not COLUMN_BANNER.match(p)]


# --- lift_zhihu_answer_header ---------------------------------------------------------------------
# A 知乎日报 answer reposted under another feed keeps its link labels as text: the footer "查看知乎讨论",
# and the hidden "查看知乎原文" glued to the answerer's header line ("南窗，园艺爱好者查看知乎原文").
# A label never stays; a header line near the start ("name，bio" + 查看知乎原文) gives its name to
# ``byline`` (while free) and leaves the text, as the 知乎 cleaner's answer_header does.
ZHIHU_LINK_LABEL = re.compile(r"\s*(查看知乎原文|查看知乎讨论)\s*$")
ANSWERER_HEADER = re.compile(r"^([^\s，,：:]{1,20})[，,：:]\s*[^。！？]{0,30}$")


def lift_zhihu_answer_header(paragraphs: list[str], found: Found) -> list[str]:
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        while (label := ZHIHU_LINK_LABEL.search(paragraph)) is not None:
            paragraph = paragraph[: label.start()]
            if label.group(1) == "查看知乎原文" and index < HEAD:
                header = ANSWERER_HEADER.match(paragraph)
                if header and found.byline is None:
                    found.byline = header.group(1)
                    paragraph = ""
        if paragraph:
            kept.append(paragraph)
    return kept


# --- drop_code_toolbar ----------------------------------------------------------------------------
# What code-block widgets render as text around or inside a block: copy buttons ("复制代码", "Copy code",
# "已复制"), run/expand/fullscreen buttons, a language badge ("Java", "Python 复制代码"), line numbers (a gutter
# rendered as its own block "1\n2\n3", a run of number lines, or a number in front of every code line).
# Only toolbar lines stand next to a block (or inside it as its first or last line); the same words in a
# sentence stay.
TOOLBAR_LABELS = (
    "复制代码|复制|拷贝代码|一键复制|复制成功|已复制|复制失败|运行代码|运行|在线运行|试一试|全屏|退出全屏|展开代码|展开|"
    "收起代码|收起|折叠|显示代码|查看代码|隐藏代码|查看源码|代码|Copy code|Copy to clipboard|Copy|Copied!?|Run|"
    "Expand|Collapse|Toggle|Raw|Plain Text|Text"
)
LANGUAGES = (
    "Java|JavaScript|JS|TypeScript|TS|Python|Python3|Py|Go|Golang|Rust|C|C\\+\\+|CPP|C#|CSharp|PHP|Ruby|Kotlin|"
    "Swift|Scala|Shell|Bash|Sh|Zsh|PowerShell|Bat|CMD|SQL|MySQL|JSON|YAML|YML|XML|HTML|CSS|SCSS|Less|Markdown|"
    "MD|Lua|Perl|R|Dart|Groovy|Gradle|Dockerfile|Docker|Makefile|Nginx|INI|TOML|Vue|JSX|TSX|Objective-C|ObjC|"
    "Haskell|Elixir|Erlang|Clojure|Matlab|Julia|Assembly|ASM|Diff|Properties|Console|Terminal|Plaintext"
)
TOOLBAR_LINE = re.compile(
    rf"^(?:(?:{LANGUAGES})\s*)?(?:{TOOLBAR_LABELS})(?:\s*(?:{LANGUAGES}|{TOOLBAR_LABELS}))*$", re.IGNORECASE
)
LANGUAGE_BADGE = re.compile(rf"^(?:{LANGUAGES})$", re.IGNORECASE)
NUMBER_LINE = re.compile(r"^\d{1,5}$")
NUMBERED_CODE_LINE = re.compile(r"^\s{0,3}(\d{1,5})(?:[ \t.:|]|$)")
FENCE_OPEN = "```"


def _is_fence(paragraph: str) -> bool:
    return paragraph.startswith(FENCE_OPEN)


def _consecutive_from_one(numbers: list[int]) -> bool:
    return len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1))


def _tidy_fence(block: str) -> str:
    """A fenced block without toolbar lines at its edges and without a line-number gutter in front of its lines."""
    lines = block.split("\n")
    head, code = lines[0], lines[1:-1]
    while code and TOOLBAR_LINE.match(code[0].strip()):
        code.pop(0)
    while code and TOOLBAR_LINE.match(code[-1].strip()):
        code.pop()
    numbered = [NUMBERED_CODE_LINE.match(line) for line in code]
    numbers = [int(match.group(1)) for match in numbered if match]
    if len(code) >= 3 and len(numbers) == len(code) and _consecutive_from_one(numbers):
        stripped = [line[match.end() :] if match else line for line, match in zip(code, numbered, strict=True)]
        if any(line.strip() for line in stripped):  # a block of bare numbers is output, not a gutter
            code = stripped
            indent = min((len(line) - len(line.lstrip(" ")) for line in code if line.strip()), default=0)
            code = [line[indent:] for line in code]
    if not any(line.strip() for line in code):
        return ""
    return "\n".join([head, *code, lines[-1]])


def _is_gutter(block: str) -> bool:
    code = block.split("\n")[1:-1]
    return all(NUMBER_LINE.match(line.strip()) for line in code) and _consecutive_from_one([int(x) for x in code])


def drop_code_toolbar(paragraphs: list[str], found: Found) -> list[str]:
    if not any(_is_fence(p) for p in paragraphs):
        return paragraphs
    tidied = [
        _tidy_fence(p) if _is_fence(p) and p.endswith(FENCE_OPEN) and p.count("\n") >= 1 else p for p in paragraphs
    ]
    fences = {index for index, p in enumerate(tidied) if p and _is_fence(p)}
    drop: set[int] = set()
    for index in sorted(fences):
        # A gutter table cell rendered as its own block (only numbers 1..n) right before the code's block.
        if index + 1 in fences and _is_gutter(tidied[index]):
            drop.add(index)
        # Toolbar and badge lines right before a block, toolbar lines right after it (up to two each side).
        for step in (-1, 1):
            near = index + step
            while abs(near - index) <= 2 and 0 <= near < len(tidied) and near not in fences:
                line = tidied[near]
                if not (TOOLBAR_LINE.match(line) or (step < 0 and LANGUAGE_BADGE.match(line))):
                    break
                drop.add(near)
                near += step
        # A gutter rendered as a run of number lines right before the block.
        start = index
        while start > 0 and NUMBER_LINE.match(tidied[start - 1]):
            start -= 1
        if _consecutive_from_one([int(tidied[i]) for i in range(start, index)]):
            drop.update(range(start, index))
    return [p for index, p in enumerate(tidied) if p and index not in drop]


# --- drop_reader_credit ---------------------------------------------------------------------------
# Tech portals thank the reader who tipped them off: "感谢IT之家网友 某某 的线索投递！", "感谢网友 某某 的投递",
# "感谢 @某某 的爆料", "（感谢读者 X 提供线索）". A whole line goes; glued in front of the lead, the credit goes
# and the lead stays. A sentence that thanks someone for anything else stays.
CREDIT_TAIL = r"\s*(?:的)?\s*(?:线索投递|线索|投递|爆料|提供线索|供稿)[！!。.]?[）)]?"
READER_CREDIT = re.compile(r"^[（(]?感谢\s*[^。！!？?\n]{0,40}?" + CREDIT_TAIL + "$")
# In front of the lead only a credit that names a reader and ends with its punctuation is cut.
READER_CREDIT_LEAD = re.compile(
    r"^[（(]?感谢\s*[^。！!？?\n]{0,12}?(?:网友|读者|用户|小伙伴|@)[^。！!？?\n]{0,30}?"
    + CREDIT_TAIL
    + r"(?<=[！!。）)])\s*"
)
# Glued after the last sentence of a paragraph: "……发布新品。感谢IT之家网友 X 的线索投递！".
READER_CREDIT_TAIL = re.compile(
    r"(?<=[。！？!?”」）)])\s*[（(]?感谢\s*[^。！!？?\n]{0,12}?(?:网友|读者|用户|小伙伴|@)[^。！!？?\n]{0,30}?"
    + CREDIT_TAIL
    + "$"
)
CREDIT_MAX = 60


def drop_reader_credit(paragraphs: list[str], found: Found) -> list[str]:
    kept: list[str] = []
    for paragraph in paragraphs:
        if "感谢" not in paragraph:
            kept.append(paragraph)
            continue
        tail = READER_CREDIT_TAIL.search(paragraph)
        if tail:
            paragraph = paragraph[: tail.start()]
        if "感谢" in paragraph[:3]:
            if len(paragraph) <= CREDIT_MAX and READER_CREDIT.match(paragraph):
                continue
            lead = READER_CREDIT_LEAD.match(paragraph)
            if lead and lead.end() < len(paragraph):
                paragraph = paragraph[lead.end() :]
        kept.append(paragraph)
    return kept


# --- drop_share_widget ----------------------------------------------------------------------------
# Blog engines (WordPress's sharedaddy, Jetpack) end a post with a share/like widget that renders as a label
# line and one line per platform: "分享此文：" "Twitter" "Facebook" "喜欢 加载中…". The label line and the
# platform lines right after it go; without such a label a platform name is the author's word and stays.
SHARE_LABEL = re.compile(
    r"^(?:分享此文|分享到|分享给朋友|分享本文|分享|Share this|Share|喜欢此文|Like this)\s*[:：]?$", re.I
)
SHARE_ITEM = re.compile(
    r"^(?:Twitter|X|Facebook|LinkedIn|Reddit|Telegram|WhatsApp|Pocket|Tumblr|Pinterest|Email|电子邮件|邮件|Print|打印|"
    r"微博|新浪微博|微信|朋友圈|QQ|QQ空间|豆瓣|知乎|Like|赞|点赞|喜欢|Loading\.*|加载中[.…]*|更多|More|"
    r"(?:喜欢|Like)\s*(?:加载中|Loading)[.…]*)(?:\s*[（(]\S{0,12}[)）])?$",
    re.I,
)


def drop_share_widget(paragraphs: list[str], found: Found) -> list[str]:
    kept: list[str] = []
    in_widget = False
    for paragraph in paragraphs:
        if SHARE_LABEL.match(paragraph):
            in_widget = True
            continue
        if in_widget and SHARE_ITEM.match(paragraph):
            continue
        in_widget = False
        kept.append(paragraph)
    return kept


# In order: lifting first (a credit line is not noise; a source statement before the credit lines, so its
# 作者 is the byline), then dropping, then the truncation check.
GENERIC_RULES: tuple[Rule, ...] = (
    lift_original_title,
    lift_editor_line,
    lift_source_statement,
    strip_editor_note_label,
    drop_column_banner,
    lift_zhihu_answer_header,
    lift_reporter_line,
    lift_source_line,
    drop_reprint_notice,
    drop_app_promotion,
    drop_reader_credit,
    drop_code_toolbar,
    drop_share_widget,
    drop_noise_line,
    mark_truncated,
)

# Each rule's version: bump it when the rule changes what it removes or lifts (a cache of cleaned records keys on
# these, and the manifest lists them).
RULE_VERSIONS: dict[str, int] = {
    "lift_original_title": 1,
    "lift_editor_line": 1,
    "lift_source_statement": 1,
    "strip_editor_note_label": 1,
    "drop_column_banner": 1,
    "lift_zhihu_answer_header": 1,
    "lift_reporter_line": 1,
    "lift_source_line": 1,
    "drop_reprint_notice": 1,
    "drop_app_promotion": 1,
    "drop_reader_credit": 1,
    "drop_code_toolbar": 1,
    "drop_share_widget": 1,
    "drop_noise_line": 1,
    "mark_truncated": 1,
}
