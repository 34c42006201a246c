"""A synthetic corpus in the crawler's exact raw format, deterministic by seed, for benchmarks.

Every post is invented: sentences are recombined from the word lists below (written for this project),
never taken from a real post. Post ``i`` of seed ``s`` depends only on ``(s, i)``, so a corpus of 20,000
posts is the first 20,000 posts of a corpus of 100,000.

The mix follows the real crawl: Sina finance news (original-title and reporter lines, stock spans, the
QR-code block and 责任编辑), 财联社 telegrams and features, 知乎 answers, 简书 posts with code, Mastodon
toots (some image-only), 36kr with 编者按, IT之家, cnBeta plain text, 金色财经 flashes, blogs, 开源中国,
games, 煎蛋, AcFun (image-only, old template), Mind42 links. Sizes: most posts 1–10 KB, a tail of
10–30 KB and 30–100 KB, and a few image-only posts. About 3% of posts repeat an earlier post's text in
another feed (cross-posting), for dedup.

    python benchmarks/make_corpus.py OUT_DIR --posts 20000 --seed 7
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

TAIL = "\n</div>\n            "
DUPLICATE_SHARE = 0.03
DUPLICATE_WINDOW = 400  # a duplicate copies one of the previous posts within this window
COMPLETE_MARK = ".corpus-complete"


# --- invented vocabulary ------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return text.split()


PLACES = _words("滨江 青溪 云岭 海川 南湖 北岭 东港 西原 长桥 白沙 星城 鹿鸣 金湾 石门 丰谷 柳岸 松原 栖霞 临川 远山")
ORGS = _words(
    "星河科技 云帆数据 青禾农业 远航物流 海川银行 北辰证券 南风能源 长青医药 铂石材料 鹿鸣文旅 "
    "金湾港务 白沙电子 柳岸食品 丰谷种业 石门重工 松原汽车 临川软件 栖霞传媒 晨光半导体 远山基金"
)
PEOPLE = _words("周小满 陈默 林晓 王一帆 李四 赵青 孙明远 吴悠 郑好 钱多多 冯雪 何川 许诺 韩梅 唐果 宋雨 罗晨 高远")
SUBJECTS = _words(
    "市场 企业 监管部门 投资者 消费者 研究团队 开发者 平台 行业协会 地方政府 券商 分析师 用户 "
    "创业公司 制造商 运营商 社区 学校 医院 物流公司 银行 基金经理 游戏厂商 工程师"
)
VERBS = _words(
    "发布了 推出了 调整了 完成了 启动了 扩大了 优化了 公布了 评估了 讨论了 提高了 降低了 测试了 "
    "上线了 暂停了 整合了 升级了 开放了 规范了 支持了"
)
OBJECTS = _words(
    "新一轮补贴计划 季度报告 产品路线图 信贷政策 数据中心 开源项目 供应链方案 安全审计 定价策略 "
    "人才计划 试点项目 会员体系 检测标准 储能电站 自动驾驶测试 芯片产线 物流网络 社区服务 "
    "碳排放目标 应急预案 跨境支付系统 老旧小区改造 新能源车型 移动应用 云服务套餐"
)
ADVERBS = _words("首次 再次 逐步 全面 正式 悄然 持续 大幅 小幅 明显 稳步 率先")
CONNECTORS = _words(
    "此外， 与此同时， 不过， 据介绍， 业内人士认为， 从数据看， 值得注意的是， 另一方面， 总体来看， 对此，"
)
OPINIONS = _words(
    "这一变化将影响未来几个季度的走势 相关细节仍有待进一步披露 多数受访者对此持谨慎乐观态度 "
    "短期内难以看到明显效果 这被视为行业转型的重要信号 市场对此反应平淡 具体落地情况还要看执行力度 "
    "不少用户在社交平台上表达了期待 专家提醒不要过度解读 成本压力仍然是主要挑战"
)
TECH = _words(
    "缓存 线程池 编译器 垃圾回收 索引 协程 内存屏障 事务 分布式锁 消息队列 容器 调度器 "
    "类型推断 字节码 哈希表 连接池 序列化 断点调试 单元测试 持续集成"
)
HANDLES = _words("fox 042_fox_ miss_ moon_cat tea_time rain_walker pixel_owl night_bus river_stone cloud_nine")
EMOJI = _words("🌇 🍵 🐱 📷 🌧️ ✨ 🎮 📚 🚲 🌙")
ANIME = _words("雨天的约定 优等生 旅途的终点 星之海 最后的夏天 约定之地 钟声响起 归途 风的方向 第一次告白")


def _sentence(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return (
            f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(ADVERBS)}{rng.choice(VERBS)}"
            f"{rng.choice(OBJECTS)}，{rng.choice(OPINIONS)}。"
        )
    if kind < 0.6:
        return (
            f"{rng.choice(CONNECTORS)}{rng.choice(ORGS)}前{rng.randint(2, 11)}个月营收同比增长"
            f"{rng.randint(1, 60)}.{rng.randint(0, 9)}%，净利润约{rng.randint(1, 900)}亿元。"
        )
    if kind < 0.8:
        return (
            f"{rng.choice(PEOPLE)}表示，{rng.choice(SUBJECTS)}对{rng.choice(OBJECTS)}的关注度明显上升，"
            f"{rng.choice(OPINIONS)}。"
        )
    return (
        f"{rng.choice(CONNECTORS)}{rng.choice(SUBJECTS)}在{rng.choice(TECH)}和{rng.choice(TECH)}上投入更多，"
        f"计划在{rng.randint(2, 12)}月底前完成第{rng.randint(1, 5)}阶段工作。"
    )


def _paragraph(rng: random.Random) -> str:
    return "".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _title(rng: random.Random) -> str:
    return f"{rng.choice(PLACES)}{rng.choice(ORGS)}{rng.choice(ADVERBS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}"


def _paragraph_count(rng: random.Random) -> int:
    """Paragraphs of a text post (about 400 bytes each): most 1-10 KB, a tail of 10-30 and 30-100 KB."""
    roll = rng.random()
    if roll < 0.82:
        return rng.randint(2, 22)
    if roll < 0.96:
        return rng.randint(25, 70)
    return rng.randint(80, 240)


def content_paragraphs(seed: int, index: int) -> list[str]:
    """The text of post ``index``: what a duplicate of it repeats in another feed."""
    rng = random.Random(f"{seed}:{index}:text")
    return [_paragraph(rng) for _ in range(_paragraph_count(rng))]


# --- feed families: each renders invented paragraphs the way that site's feed does -------------------
@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    head_image: str | None
    date_style: str = "rfc"  # rfc | naive | invalid
    old_template: bool = False


def _img(url: str) -> str:
    return f'<img src="{url}" referrerpolicy="no-referrer">'


def sina(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    code = f"{rng.choice(['sh', 'sz'])}{rng.randint(0, 999999):06d}"
    title = _title(rng)
    parts = [
        f'<p cms-style="font-L">原标题：{_title(rng)}</p>',
        f'<p cms-style="font-L">　　记者 {rng.choice(PEOPLE)}</p>',
    ]
    for i, text in enumerate(paragraphs):
        if i == 1:
            text = (
                f'{text}参与企业包括<span id="stock_{code}"><a href="https://finance.sina.com.cn/realstock/company/'
                f'{code}/nc.shtml" class="keyword" target="_blank">{rng.choice(ORGS)}</a></span>'
                f'<span id="quote_{code}"></span>等。'
            )
        parts.append(f'<p cms-style="font-L">　　{text}</p>')
    parts.append(f"<!-- news_keyword_pub,stock,{code} -->")
    parts.append(
        "<!-- 文末二维码 start -->\n            <style>\n"
        "            .appendQr_wrap{border:1px solid #E6E6E6;padding:8px;}\n            </style>\n"
        '            <div class="clearfix appendQr_wrap">\n'
        '                <div class="appendQr_normal"><img src="https://n.sinaimg.cn/finance/cece9e13/20200514/'
        '343233024.png" referrerpolicy="no-referrer"></div>\n'
        '                <div class="appendQr_normal_txt">海量资讯、精准解读，尽在新浪财经APP</div>\n'
        "            </div>\n"
        f'<p class="article-editor">责任编辑：{rng.choice(PEOPLE)} </p>'
    )
    return Rendered(title, "\n".join(parts), "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png")


def cls_telegraph(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    title = _title(rng)
    moment = _moment(rng)
    text = paragraphs[0] if paragraphs else _paragraph(rng)
    body = f"【{title}】财联社{moment.month}月{moment.day}日电，{text}（编辑 {rng.choice(PEOPLE)}）  "
    return Rendered(title, body, f"https://picsum.photos/400/300?random={rng.randint(1, 9999)}")


def cls_feature(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    lead = f"财联社（{rng.choice(PLACES)}，记者 {rng.choice(PEOPLE)}）讯，"
    body = "".join(f"<p>　　{lead if i == 0 else ''}{p}</p>" for i, p in enumerate(paragraphs))
    return Rendered(_title(rng), body, f"https://picsum.photos/400/300?random={rng.randint(1, 9999)}")


def zhihu(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    question = f"为什么{rng.choice(SUBJECTS)}越来越重视{rng.choice(TECH)}？"
    pic = f"https://pic{rng.randint(1, 4)}.zhimg.com/v2-{rng.getrandbits(128):032x}_720w.jpg?source=8673f162"
    content = []
    for i, p in enumerate(paragraphs):
        content.append(f"<p>{p}</p>")
        if i == 1:
            content.append(f'<figure><img class="content-image" src="{pic}" alt></figure>')
    body = (
        '<div class="main-wrap content-wrap">\n<div class="question">\n'
        f'<h2 class="question-title">{question}</h2>\n<div class="answer">\n<div class="meta">\n'
        f'<img class="avatar" src="https://pic1.zhimg.com/v2-{rng.getrandbits(128):032x}_l.jpg?source=8673f162">\n'
        f'<span class="author">{rng.choice(PEOPLE)}，</span><span class="bio">{rng.choice(SUBJECTS)}</span>\n</div>\n'
        f'<div class="content">\n{"".join(content)}\n</div>\n</div>\n'
        f'<div class="view-more"><a href="https://www.zhihu.com/question/{rng.randint(10**7, 10**9)}">'
        '查看知乎讨论<span class="js-question-holder"></span></a></div>\n</div>\n</div>'
    )
    return Rendered(question, body, pic, date_style="naive" if rng.random() < 0.5 else "rfc")


def jianshu(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    parts = []
    for i, p in enumerate(paragraphs):
        parts.append(f"<p>{p}</p>")
        if i % 4 == 1:
            name = rng.choice(["on_write", "load_cache", "schedule", "retry", "merge"])
            lines = "\n".join(f"    step_{k}(value, {rng.randint(0, 99)})" for k in range(rng.randint(2, 8)))
            parts.append(
                f'<pre><code class="{rng.choice(["js", "python", "java", "go"])}">{name}(obj, value) {{\n'
                f"  if (value.ready) {{\n{lines}\n  }}\n}}\n</code></pre>"
            )
    return Rendered(
        f"用{rng.randint(2, 9)}行代码理解{rng.choice(TECH)}",
        "\n".join(parts),
        "https://www.jianshu.com/p/undefined",
        "invalid",
    )


def mastodon(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    handle = rng.choice(HANDLES)
    media = (
        f"https://img.example-social.net/media/files/{rng.randint(1, 999):03d}/original/{rng.getrandbits(48):012x}.jpeg"
    )
    if rng.random() < 0.35:  # image-only toot
        return Rendered(
            f'@{handle} ""', f'<hr><br><img src="{media}" alt="image " referrerpolicy="no-referrer">', media
        )
    words = f"{rng.choice(PLACES)}的{rng.choice(['晚霞', '雨', '早餐', '地铁', '猫'])}很好看{rng.choice(EMOJI)}"
    toot = "".join(f"<p>{p[: rng.randint(20, 80)]}</p>" for p in paragraphs[:2])
    return Rendered(f'@{handle} "\n{words}\n"', f"<p>{words}</p>{toot}", media)


def kr36(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    parts = [
        f"<p>编者按：本文来自微信公众号“{rng.choice(ORGS)}观察”（ID：watch_{rng.randint(100, 999)}），"
        f"作者：{rng.choice(PEOPLE)}，36氪经授权发布。</p>"
    ]
    for i, p in enumerate(paragraphs):
        if i % 3 == 2:
            org = rng.choice(ORGS)
            p = (
                f'{p}<a class="project-link" data-id="{i}" data-name="{org}" '
                f'href="https://36kr.com/projectDetails/{rng.randint(1, 99999)}" target="_blank">{org}</a>也在其中。'
            )
        parts.append(f"<p>{p}</p>")
    return Rendered(
        _title(rng) + "？", "\n".join(parts), f"https://img.36krcdn.com/2022/v2_{rng.getrandbits(40):010x}_img_000"
    )


def ithome(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    moment = _moment(rng)
    image = f"https://img.ithome.com/newsuploadfiles/{moment.year}/{moment.month}/{rng.getrandbits(40):010x}.jpg"
    parts = [
        f'<p data-vmark="{rng.getrandbits(16):04x}">IT之家 {moment.month} 月 {moment.day} 日消息，{paragraphs[0]}</p>'
    ]
    parts.append(
        f'<p><img src="{image}" w="1000" h="600" title="配图" width="1000" height="600" referrerpolicy="no-referrer"></p>'
    )
    parts += [f'<p data-vmark="{rng.getrandbits(16):04x}">{p}</p>' for p in paragraphs[1:]]
    return Rendered(_title(rng), "\n".join(parts), image)


def cnbeta(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    first, rest = paragraphs[0], paragraphs[1:]
    cut = len(first) // 2
    body = f"{first[:cut]}\n{first[cut:]}<br>\n " + "".join(f"<p>{p}</p>" for p in rest)
    return Rendered(_title(rng), body, f"https://static.cnbetacdn.com/article/2022/{rng.getrandbits(32):08x}.jpg")


def jinse(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    title = f"【{_title(rng)}】{paragraphs[0][:40]}"
    return Rendered(
        title[:60] + "...", f"【{_title(rng)}】{paragraphs[0]}", f"https://picsum.photos/400/300?random={n}", "invalid"
    )


def blog(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    parts = []
    for i, p in enumerate(paragraphs):
        if i % 5 == 0:
            parts.append(f"<h2>{rng.choice(TECH)}</h2>")
        parts.append(f"<p>{p}</p>")
        if i % 6 == 3:
            parts.append("<ul>" + "".join(f"<li>{rng.choice(OBJECTS)}</li>" for _ in range(3)) + "</ul>")
        if i % 7 == 4:
            parts.append(f"<pre><code>const config = {{ size: {rng.randint(1, 64)} }};\n</code></pre>")
    title = (
        f"Don't repeat yourself：{rng.choice(TECH)}重构记录{n}"
        if rng.random() < 0.2
        else f"记一次{rng.choice(TECH)}踩坑"
    )
    return Rendered(title, "".join(parts), f"https://picsum.photos/400/300?random={n % 100}")


def oschina(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    parts = [f"<p>{rng.choice(TECH)}工具 v{version} 发布。</p>"]
    parts += [f"<p>{p}</p>" for p in paragraphs]
    parts.append("<ul>" + "".join(f"<li>修复{rng.choice(TECH)}问题</li>" for _ in range(rng.randint(2, 6))) + "</ul>")
    return Rendered(f"{rng.choice(ORGS)} {version} 发布，{rng.choice(TECH)}框架", "".join(parts), None)


def games(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    parts = []
    for i, p in enumerate(paragraphs):
        parts.append(f"<p>{p}</p>")
        if i % 3 == 0:
            parts.append(
                f'<p style="text-align:center">{_img(f"https://img.example-games.com/{rng.getrandbits(40):010x}.jpg")}</p>'
            )
    return Rendered(f"《{rng.choice(ANIME)}》{_title(rng)}", "".join(parts), f"https://img.example-games.com/{n}.jpg")


def jandan(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    parts = [f"<p>{p}</p>" for p in paragraphs]
    parts.insert(1, _img(f"https://img.example-jandan.net/{rng.getrandbits(40):010x}.jpg"))
    return Rendered(f"有点{rng.choice(ADVERBS)}的{rng.choice(TECH)}", "".join(parts), None, "naive")


def acfun(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    cover = f"https://imgs.example-anime.cn/cover{n}"
    return Rendered(f"第{rng.randint(1, 24)}话 - {rng.choice(ANIME)}", f"{_img(cover)}  ", cover, old_template=True)


def mind42(rng: random.Random, paragraphs: list[str], n: int) -> Rendered:
    link = f'<a href="https://mind42.com/mindmap/{rng.getrandbits(40):010x}">思维导图：{rng.choice(OBJECTS)}</a>'
    return Rendered(
        f"{rng.choice(TECH)}笔记",
        link,
        "https://mind42.com/api/ajax/mindmapThumbnail?mindmapId=x&size=gallery",
        "naive",
    )


Family = Callable[[random.Random, list[str], int], Rendered]
# (category, source, feed, weight, renderer, text posts only cut to this many paragraphs; 0 = no cut)
FAMILIES: tuple[tuple[str, str, str, float, Family, int], ...] = (
    ("金融", "新浪财经", "新浪财经－国內", 24, sina, 0),
    ("金融", "财联社", "电报", 14, cls_telegraph, 1),
    ("金融", "财联社", "深度", 5, cls_feature, 0),
    ("社交媒体", "知乎", "知乎日报", 5, zhihu, 0),
    ("社交媒体", "知乎", "知乎热榜", 4, zhihu, 0),
    ("社交媒体", "简书", "首页", 5, jianshu, 0),
    ("社交媒体", "Mastodon", "实例公共时间线（本站）", 8, mastodon, 2),
    ("新媒体", "36kr", "资讯", 4, kr36, 0),
    ("新媒体", "IT 之家", "热榜", 5, ithome, 12),
    ("新媒体", "cnBeta", "最新", 4, cnbeta, 8),
    ("新媒体", "金色财经", "快讯", 3, jinse, 1),
    ("博客", "Hexo", "Yilia 主题博客", 3, blog, 0),
    ("编程", "开源中国", "资讯", 3, oschina, 10),
    ("游戏", "游戏时光", "游戏时光新闻", 5, games, 0),
    ("图片", "煎蛋", "首页", 3, jandan, 6),
    ("二次元", "AcFun", "番剧", 2, acfun, 1),
    ("学习", "Mind42", "分类", 3, mind42, 1),
)
WEIGHTS = [f[3] for f in FAMILIES]
# A cross-post lands in one of these feeds, whatever feed the original came from.
REPOST_FEEDS = (FAMILIES[2], FAMILIES[9], FAMILIES[11])
START = datetime(2019, 1, 1, tzinfo=UTC)


def _moment(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.randint(0, 4 * 365 * 86400))


def _date(rng: random.Random, style: str) -> str:
    moment = _moment(rng)
    if style == "invalid" or rng.random() < 0.02:
        return "Invalid Date"
    if style == "naive":
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def _yaml_title(title: str) -> str:
    """Single-quoted, or double-quoted when the title holds a ``'`` (as the crawler writes it)."""
    if "'" in title:
        return '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"'{title}'"


TITLE_SANITISED = str.maketrans({c: "_" for c in ":/\\?*<>|[]“”"})


def render_file(categories: tuple[str, str, str], rendered: Rendered, date: str) -> str:
    """The whole file, byte for byte as the crawler writes it (``{``/``}`` escaped everywhere)."""
    indent = "    " if rendered.old_template else " "
    lines = ["", "---", f"title: {_yaml_title(rendered.title.translate(TITLE_SANITISED))}", "categories: "]
    lines += [f"{indent}- {level}" for level in categories]
    if rendered.old_template:
        lines.append("")
    elif rendered.head_image:
        lines.append(f"headimg: '{rendered.head_image}'")
    lines += [f"author: {categories[1]}", "comments: false", f"date: {date}"]
    if rendered.head_image:
        lines.append(f"thumbnail: '{rendered.head_image}'")
    lines += ["---", "", "<div>   ", rendered.body]
    text = "\n".join(lines) + TAIL
    return text.replace("{", "&#123;").replace("}", "&#125;")


def file_name(title: str, index: int) -> str:
    """The crawler's file name (title without newlines, ``#`` and ``.``), made unique by the post index."""
    stem = title.translate(TITLE_SANITISED).replace("\n", "").replace("#", "").replace(".", "")
    return f"{stem[:80]} {index}.md"


def _compose(seed: int, index: int) -> tuple[tuple[str, str, str], Rendered, str]:
    """Post ``index`` as it would be without cross-posting: its feed, rendered body and date."""
    rng = random.Random(f"{seed}:{index}:post")
    category, source, feed, _, renderer, cut = rng.choices(FAMILIES, weights=WEIGHTS)[0]
    paragraphs = content_paragraphs(seed, index)
    rendered = renderer(rng, paragraphs[:cut] if cut else paragraphs, index)
    return (category, source, feed), rendered, _date(rng, rendered.date_style)


def make_post(seed: int, index: int) -> tuple[str, str]:
    """Post ``index`` of the corpus of ``seed``: (path relative to source/_posts, file text).

    A cross-post repeats an earlier post in another feed: half the time byte for byte (an exact duplicate
    once cleaned), half the time its text re-rendered by the other feed's template (a near duplicate).
    """
    dice = random.Random(f"{seed}:{index}:duplicate")
    if index == 0 or dice.random() >= DUPLICATE_SHARE:
        categories, rendered, date = _compose(seed, index)
    else:
        original = dice.randrange(max(0, index - DUPLICATE_WINDOW), index)
        target = dice.choice(REPOST_FEEDS)
        categories = target[:3]
        if dice.random() < 0.5:
            _, rendered, date = _compose(seed, original)
        else:
            rendered = target[4](dice, content_paragraphs(seed, original), index)
            date = _date(dice, rendered.date_style)
    text = render_file(categories, rendered, date)
    return f"{'/'.join(categories)}/{file_name(rendered.title, index)}", text


def write_corpus(root: Path, posts: int, seed: int = 7) -> int:
    """Write ``posts`` posts under ``root/source/_posts``; returns the bytes written. Replaces ``root``."""
    if root.exists():
        shutil.rmtree(root)
    base = root / "source" / "_posts"
    made: set[Path] = set()
    total = 0
    for index in range(posts):
        relative, text = make_post(seed, index)
        path = base / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    (root / COMPLETE_MARK).write_text(f"{posts} {seed} {total}\n")
    return total


def ensure_corpus(root: Path, posts: int, seed: int = 7) -> int:
    """Reuse a complete corpus of the same size and seed at ``root``, else write it; returns its bytes."""
    mark = root / COMPLETE_MARK
    if mark.is_file():
        count, old_seed, total = mark.read_text().split()
        if int(count) == posts and int(old_seed) == seed:
            return int(total)
    return write_corpus(root, posts, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="corpus root (source/_posts is created inside; replaced)")
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    total = write_corpus(args.out, args.posts, args.seed)
    print(
        f"{args.posts} posts, {total / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
