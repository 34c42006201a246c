"""Invented texts of each kind the corpus holds, with the answers the annotators must give.

All text here is written for these tests (none comes from the real sample). Each case is
(kind, text, expected language, expected script). The benchmark `benchmarks/bench_annotate.py` scores the
language identifiers on the same cases.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    kind: str
    text: str
    language: str
    script: str


HANS = [
    "上海市今天召开新闻发布会，介绍复工复产最新进展。全市已有八成以上规模企业恢复生产，物流运输逐步畅通。",
    "央行宣布下调金融机构存款准备金率0.25个百分点，释放长期资金约五千亿元，用于支持实体经济发展。",
    "这部动画的第二季将于十月开播，制作公司表示画面和音乐都会全面升级，粉丝们已经开始期待了。",
    "今天下班路上买了一杯奶茶，排队排了半个小时，结果味道一般，下次再也不去那家店了。",
    "据报道，某新能源汽车厂商第三季度交付量同比增长百分之四十，营业收入创下历史新高。",
    "游戏发售首周销量突破两百万份，开发团队在社交媒体上感谢玩家的支持，并承诺修复已知问题。",
    "国家统计局发布数据显示，上月全国居民消费价格指数同比上涨百分之二点一，涨幅较前月有所回落。",
    "我们这次对数据库连接池做了优化，高峰期的平均响应时间从三百毫秒降到了一百二十毫秒左右。",
    "读书笔记：这本书讲的是一个普通人在大城市里打拼的故事，语言朴实，但细节写得很动人。",
    "气象台发布暴雨蓝色预警，预计未来六小时内部分地区降雨量将达五十毫米以上，请市民注意出行安全。",
]

HANT = [
    "臺北市政府今日宣布，將於下個月起調整公車路線，以改善尖峰時段的交通壅塞問題。",
    "這部動畫改編自人氣漫畫，導演表示會忠實呈現原作的劇情，並加入全新的原創角色。",
    "香港金融管理局表示，銀行體系整體穩健，市民無須過度擔憂近期的匯率波動。",
    "我覺得這家餐廳的服務很親切，價格也算實惠，週末帶家人來吃飯是個不錯的選擇。",
    "根據最新調查，超過六成的受訪者認為遠距工作提高了效率，但也有人擔心與同事的溝通變少。",
    "新作遊戲將在明年春季發售，開發團隊透露會有更豐富的劇情與更自由的探索系統。",
    "颱風預計明天清晨登陸，氣象單位呼籲民眾做好防颱準備，避免前往山區與海邊。",
    "這次更新修正了數個已知錯誤，並大幅改善了載入速度，玩家們的評價普遍正面。",
]

EN = [
    "The central bank kept interest rates unchanged on Wednesday, citing continued uncertainty about inflation.",
    "An index speeds up reads on a large table, but every insert and update has to maintain it as well.",
    "Our weekend hiking trip was cancelled because of the storm, so we stayed home and watched old movies.",
    "The new release fixes several crashes on startup and adds support for dark mode on all platforms.",
    "A good mind map starts with one central idea and branches out into smaller, related topics.",
    "Shares of the electric carmaker rose eight percent after it reported record deliveries for the quarter.",
    "Please remember to back up your files before upgrading, since the migration cannot be undone.",
    "The museum will reopen next month with a new exhibition on the history of printing in Europe.",
]

JA = [
    "今日はとても眠いので、早めに寝ることにします。明日は朝から会議があります。",
    "新しいアニメの第一話を見ましたが、作画がとてもきれいで、音楽も素晴らしかったです。",
    "駅前に新しいラーメン屋ができたので、友達と一緒に行ってみました。スープが濃厚でおいしかった。",
    "このゲームは操作が簡単で、初心者でもすぐに楽しめるようになっています。",
    "東京では週末に大雨が降る見込みで、気象庁は土砂災害に注意するよう呼びかけています。",
    "プログラミングの勉強を始めて三か月になりますが、まだ分からないことがたくさんあります。",
]

KO = [
    "오늘 서울은 맑고 따뜻한 날씨가 이어지겠으며, 오후에는 기온이 이십 도까지 오르겠습니다.",
    "이번 업데이트에서는 여러 가지 버그가 수정되었고, 새로운 캐릭터가 추가되었습니다.",
    "주말에 친구들과 함께 한강 공원에 가서 자전거를 타고 치킨을 먹었어요.",
    "한국은행은 기준금리를 동결하기로 결정했으며, 물가 상승세를 계속 지켜볼 예정이라고 밝혔다.",
    "새로 나온 드라마가 너무 재미있어서 밤새도록 다 봐 버렸습니다.",
]

CODE_MIX = [
    "今天分享一下如何用 Python 读取 CSV 文件：先 import pandas as pd，然后 df = pd.read_csv('data.csv')，最后用 df.head() 查看前几行。",
    "在 Kubernetes 里，Deployment 负责管理 Pod 的副本数，如果某个 Pod 挂了，controller 会自动拉起一个新的。",
    "遇到 git push 报错 rejected 的时候，一般是远程分支有新的提交，先执行 git pull --rebase 再推送就可以了。",
    "这个函数的时间复杂度是 O(n log n)，主要开销在 sort() 上；如果数据基本有序，可以改用 insertion sort。",
    "Redis 的 key 过期策略分为惰性删除和定期删除两种，内存不够时还会触发 maxmemory-policy 配置的淘汰策略。",
    "我们把接口从 REST 迁移到了 gRPC，序列化用 protobuf，延迟下降明显，但调试工具需要重新适配。",
]

SHORT = ["好", "哈哈", "ok", "+1", "🤣🤣", "转发", "好的👌", "lol", "顶", "啊这"]

EMPTY = ["", "   ", "\n\n", "2.2252 -0.18%", "#exp1h", "https://example.com/a/b", "......", "123 456"]


CASES: list[Case] = [
    *(Case("hans", t, "zh", "Hans") for t in HANS),
    *(Case("hant", t, "zh", "Hant") for t in HANT),
    *(Case("en", t, "en", "none") for t in EN),
    *(Case("ja", t, "ja", "") for t in JA),  # script of Japanese kanji: not asserted
    *(Case("ko", t, "ko", "none") for t in KO),
    *(Case("code_mix", t, "zh", "Hans") for t in CODE_MIX),
    *(Case("short", t, "und", "") for t in SHORT),
    *(Case("empty", t, "und", "none") for t in EMPTY),
]
