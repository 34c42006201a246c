"""The tagger registry and `annotate`: versions, the record it returns, determinism, what it imports,
and a run over the real sample through the per-file step."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections import Counter
from pathlib import Path

from builders.annotate import TAGGER_VERSIONS, TAGGERS, Annotations, PiiCounts, annotate
from builders.annotate.pii import CATEGORIES
from builders.annotate.script import script_counts
from tests.annotate.cases import CASES
from tests.helpers import REPO

FORBIDDEN = ("datasets", "pandera", "polars", "pyarrow", "datasketch", "matplotlib")


def test_registry_names_and_versions() -> None:
    assert dict(TAGGER_VERSIONS) == {"pii": 1, "script": 1, "language": 2}
    assert all(name == tagger.name for name, tagger in TAGGERS.items())
    assert PiiCounts._fields == CATEGORIES


def test_annotate_masks_then_tags_the_masked_text() -> None:
    text = "有意者请联系王先生：13812345678，或发邮件至 wang@example.com。這家店的價格很實惠，環境也很好。"
    result = annotate(text)
    assert result == Annotations(
        text="有意者请联系王先生：[PHONE]，或发邮件至 [EMAIL]。這家店的價格很實惠，環境也很好。",
        script="mixed",
        language="zh",
        language_score=result.language_score,
        pii_masked=PiiCounts(email=1, phone=1),
    )
    assert 0.5 <= result.language_score <= 1.0
    assert result.pii_total == 2
    assert result.pii_masked._asdict() == {"email": 1, "phone": 1, "id_number": 0, "bank_card": 0}


def test_annotations_are_frozen_hashable_and_picklable() -> None:
    result = annotate("这是一条普通的中文新闻，没有任何个人信息。")
    assert pickle.loads(pickle.dumps(result)) == result
    assert hash(result) == hash(annotate("这是一条普通的中文新闻，没有任何个人信息。"))
    try:
        result.script = "Hant"  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("Annotations must be frozen")


def test_annotate_is_idempotent_and_deterministic_across_processes() -> None:
    texts = [c.text for c in CASES] + ["邮箱 a@b.cn 手机 +86 139 0000 1111"]
    here = [annotate(t) for t in texts]
    assert [annotate(a.text) for a in here] == [
        Annotations(a.text, a.script, a.language, a.language_score, PiiCounts()) for a in here
    ]
    code = (
        "import json,sys; from builders.annotate import annotate;"
        "print(json.dumps([[a.text, a.script, a.language, a.language_score, list(a.pii_masked)]"
        " for a in map(annotate, json.load(sys.stdin))]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    assert json.loads(out) == [[a.text, a.script, a.language, a.language_score, list(a.pii_masked)] for a in here]


def test_worker_side_imports_none_of_the_heavy_libraries() -> None:
    code = (
        "import sys; import builders.annotate as a; a.annotate('测试 test 13812345678 a@b.cn 這個');"
        f"print(','.join(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == ""


def test_real_sample_through_the_per_file_step(real_sample: Path) -> None:
    from builders.pipeline.step import process_file

    results: dict[str, tuple[str, Annotations]] = {}
    for path in sorted((real_sample / "source" / "_posts").rglob("*.md")):
        raw_path = path.relative_to(real_sample).as_posix()
        post = process_file(path.read_bytes(), raw_path)
        assert hasattr(post, "text"), post
        results[raw_path] = (post.source, annotate(post.text))
    assert len(results) == 91

    by_source: dict[str, Counter[tuple[str, str]]] = {}
    for source, a in results.values():
        by_source.setdefault(source, Counter())[(a.language, a.script)] += 1
        assert a.script == "none" or script_counts(a.text).han > 0
        assert annotate(a.text).pii_masked == PiiCounts()  # masked text holds no PII any more

    assert by_source["Animen 动漫平台"] == Counter({("zh", "Hant"): 1})  # traditional, with a Japanese name in kana
    assert by_source["Mind42"] == Counter({("en", "none"): 2})
    assert by_source["世界经济论坛"] == Counter({("en", "none"): 2})
    assert by_source["新浪财经"] == Counter({("zh", "Hans"): 22})
    totals = Counter(a.language for _, a in results.values())
    assert totals["zh"] >= 80 and totals["ja"] == 1  # one Mastodon post is Japanese
    # empty bodies (AcFun, Bangumi, one Mastodon post) are und / none
    assert all((a.language, a.script) == ("und", "none") for _, a in results.values() if not a.text.strip())
    # the sample holds no e-mail, mobile, ID or card number (see builders/annotate/pii.py)
    assert sum(a.pii_total for _, a in results.values()) == 0
