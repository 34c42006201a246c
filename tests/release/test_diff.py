"""`diff OLD NEW` on the real sample: exactly the posts added, changed and removed, and the bump they need."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from builders.build import build
from builders.commands import main
from builders.common.configs import config_name
from builders.common.dataset import DATASET_VERSION
from builders.common.identity import record_id
from builders.describe.manifest import schema_fingerprint
from builders.release.diff import diff_builds, schema_changes
from builders.release.version import Bump
from tests.helpers import INVENTED_POSTS, write_corpus

MINE = list(INVENTED_POSTS)
KEPT = {path: INVENTED_POSTS[path] for path in MINE[:2]}  # my posts in both builds
NEW = {path: INVENTED_POSTS[path] for path in MINE[3:5]}  # my posts added in the new build
CHANGED_MINE = MINE[0]


@pytest.fixture(scope="module")
def builds(real_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("diff")
    old_raw = write_corpus(Path(shutil.copytree(real_sample, root / "old_raw")), KEPT)
    posts = old_raw / "source" / "_posts"
    real = sorted(
        p.relative_to(posts).as_posix() for p in posts.rglob("*.md") if p.relative_to(posts).as_posix() not in KEPT
    )
    removed, changed_real = [real[3], real[60]], real[30]

    new_raw = Path(shutil.copytree(old_raw, root / "new_raw"))
    new_posts = new_raw / "source" / "_posts"
    for raw_path in removed:
        (new_posts / raw_path).unlink()
    target = new_posts / changed_real
    text = target.read_text(encoding="utf-8")
    cut = text.rindex("</div>")
    target.write_text(
        text[:cut] + "<p>（本文次日更新：补充了一段虚构的说明文字。）</p>\n" + text[cut:], encoding="utf-8"
    )
    write_corpus(
        new_raw, {CHANGED_MINE: {**KEPT[CHANGED_MINE], "body": "<p>改写后的正文，完全不同的一段话。</p>"}, **NEW}
    )

    patch_raw = write_corpus(Path(shutil.copytree(old_raw, root / "patch_raw")), NEW)
    outs = {}
    for name, raw in (("old", old_raw), ("new", new_raw), ("patch", patch_raw)):
        outs[name] = root / name
        build(raw, outs[name], workers=2)
    return {**outs, "removed": removed, "changed": [changed_real, CHANGED_MINE], "root": root}


def ids(raw_paths: list[str]) -> set[str]:
    return {record_id(p) for p in raw_paths}


def test_reports_exactly_the_added_removed_and_changed_posts(builds: dict) -> None:
    result = diff_builds(builds["old"], builds["new"])
    assert set(result.added) == ids(list(NEW))
    assert set(result.removed) == ids(builds["removed"])
    assert set(result.changed) == ids(builds["changed"])
    for _, fields in result.changed.values():
        assert {"text", "char_count", "raw_sha256"} <= set(fields)
    assert result.schema_changes == []
    assert result.required is Bump.MINOR
    assert not result.version_ok  # both builds say DATASET_VERSION


def test_counts_per_config_move_by_the_posts_added_and_removed(builds: dict) -> None:
    result = diff_builds(builds["old"], builds["new"])
    expected: Counter[str] = Counter()
    for raw_path in NEW:
        expected[config_name(raw_path.split("/")[0])] += 1
    for raw_path in builds["removed"]:
        expected[config_name(raw_path.split("/")[0])] -= 1
    expected["all"] = expected["default"] = len(NEW) - len(builds["removed"])
    delta: Counter[str] = Counter()
    for (config, _), (old, new) in result.counts.items():
        delta[config] += new - old
    assert +delta == +expected and -delta == -expected
    old_total = sum(old for (config, _), (old, _) in result.counts.items() if config == "all")
    assert old_total == 91 + len(KEPT)


def test_new_posts_alone_need_a_patch(builds: dict) -> None:
    result = diff_builds(builds["old"], builds["patch"])
    assert set(result.added) == ids(list(NEW))
    assert result.removed == {} and result.changed == {}
    assert result.required is Bump.PATCH
    same = diff_builds(builds["old"], builds["old"])
    assert same.required is Bump.NONE and same.version_ok


def test_schema_changes_field_by_field_need_a_major(builds: dict, tmp_path: Path) -> None:
    changed = Path(shutil.copytree(builds["old"], tmp_path / "changed"))
    manifest = json.loads((changed / "MANIFEST.json").read_text(encoding="utf-8"))
    fields = [f for f in manifest["schema"]["fields"] if f["name"] != "editor"]
    for f in fields:
        if f["name"] == "char_count":
            f["type"] = {"dtype": "int64", "_type": "Value"}
    fields.append({"name": "lang", "type": {"dtype": "string", "_type": "Value"}})
    manifest["schema"] = {"fields": fields, "fingerprint": "f" * 64}
    (changed / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = diff_builds(builds["old"], changed)
    assert result.required is Bump.MAJOR
    assert sorted(result.schema_changes) == sorted(
        [
            '+ lang: {"_type":"Value","dtype":"string"}',
            '- editor: {"_type":"Value","dtype":"string"}',
            '~ char_count: {"_type":"Value","dtype":"int32"} -> {"_type":"Value","dtype":"int64"}',
        ]
    )


def test_schema_changes_see_column_order() -> None:
    a = [
        {"name": "x", "type": {"dtype": "string", "_type": "Value"}},
        {"name": "y", "type": {"dtype": "bool", "_type": "Value"}},
    ]
    assert schema_changes(a, list(reversed(a))) == ["order: x, y -> y, x"]
    assert schema_changes(a, a) == []
    assert schema_fingerprint() == schema_fingerprint()


def test_cli_prints_the_diff_and_checks_the_version(builds: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(builds["old"]), str(builds["new"])]) == 0
    out = capsys.readouterr().out
    for raw_path in NEW:
        assert f"+ {record_id(raw_path)} {raw_path}" in out
    assert "added records: 2" in out and "removed records: 2" in out and "changed records: 2" in out
    assert "minimum bump: minor" in out
    major, minor, _ = (int(part) for part in DATASET_VERSION.split("."))
    assert f"version: {DATASET_VERSION} -> {DATASET_VERSION} is NOT enough: needs at least {major}.{minor + 1}.0" in out
    assert main(["diff", str(builds["old"]), str(builds["new"]), "--check"]) == 1
    assert main(["diff", str(builds["old"]), str(builds["root"] / "missing")]) == 2


def test_a_post_text_change_is_reported_even_with_the_same_length(tmp_path: Path) -> None:
    post = {"金融/测试财经/快讯/同长度.md": {"body": "<p>甲乙丙丁戊己庚辛。</p>"}}
    build(write_corpus(tmp_path / "a", post), tmp_path / "a_out", workers=1)
    post["金融/测试财经/快讯/同长度.md"]["body"] = "<p>甲乙丙丁戊己庚壬。</p>"
    build(write_corpus(tmp_path / "b", post), tmp_path / "b_out", workers=1)
    result = diff_builds(tmp_path / "a_out", tmp_path / "b_out")
    assert [fields for _, fields in result.changed.values()] == [["text", "raw_sha256"]]
