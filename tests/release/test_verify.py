"""`verify` recomputes a build against its manifest and fails loudly on any difference."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builders.build import build
from builders.commands import main
from builders.common.dataset import DATASET_VERSION
from builders.common.semver import Bump, bumped
from builders.release.verify import verify
from tests.helpers import write_corpus


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("verify")
    raw = write_corpus(root / "raw")
    out = root / "dataset"
    build(raw, out, workers=1)
    return raw, out


@pytest.fixture
def copy(pristine: tuple[Path, Path], tmp_path: Path) -> Path:
    """A fresh copy of the build for a test to damage."""
    return Path(shutil.copytree(pristine[1], tmp_path / "dataset"))


def first_shard(folder: Path) -> Path:
    return sorted((folder / "data").glob("train-*.parquet"))[0]


def test_an_intact_build_verifies(pristine: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    raw, out = pristine
    report = verify(out, version=DATASET_VERSION, raw=raw)
    assert report.ok, report.format()
    assert main(["verify", str(out), "--version", DATASET_VERSION, "--raw", str(raw)]) == 0
    assert capsys.readouterr().out.startswith(f"OK: {out} is zh-rss-posts {DATASET_VERSION}")


def test_a_flipped_byte_fails(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shard = first_shard(copy)
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    assert main(["verify", str(copy)]) == 1
    err = capsys.readouterr().err
    assert f"shard data/{shard.name} is corrupt: sha256" in err


def test_a_missing_shard_fails(copy: Path) -> None:
    shard = first_shard(copy)
    shard.unlink()
    report = verify(copy)
    assert not report.ok
    assert f"missing shard data/{shard.name}" in report.problems


def test_an_extra_shard_fails(copy: Path) -> None:
    shutil.copy(first_shard(copy), copy / "data" / "train-00001-of-00002.parquet")
    report = verify(copy)
    assert [p for p in report.problems if "extra file data/train-00001-of-00002.parquet" in p]


def test_a_wrong_version_fails(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(copy), "--version", "1.2.0"]) == 1
    assert f"wrong version: {copy} holds version {DATASET_VERSION}, expected 1.2.0" in capsys.readouterr().err


def test_a_readme_with_another_version_fails(copy: Path) -> None:
    readme = copy / "README.md"
    other = bumped(DATASET_VERSION, Bump.MINOR)
    text = readme.read_text(encoding="utf-8").replace(f"version: {DATASET_VERSION}", f"version: {other}")
    readme.write_text(text, encoding="utf-8")
    problems = verify(copy).problems
    assert "file README.md differs from the manifest" in " ".join(problems)
    assert any(f"README config default says version {other}, manifest {DATASET_VERSION}" in p for p in problems)


def test_a_tampered_manifest_fails(copy: Path) -> None:
    path = copy / "MANIFEST.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["counts"]["per_config"]["finance"]["train"] += 1
    manifest["shards"][0]["rows"] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    problems = " | ".join(verify(copy).problems)
    assert "per-config counts: manifest says" in problems
    assert f"rows of {manifest['shards'][0]['path']}" in problems


def test_a_quarantine_report_edited_fails(copy: Path) -> None:
    (copy / "quarantine.jsonl").write_text('{"raw_path": "x.md"}\n', encoding="utf-8")
    problems = " | ".join(verify(copy).problems)
    assert "quarantined: manifest says 0, the files say 1" in problems


def test_other_raw_input_fails(pristine: tuple[Path, Path], tmp_path: Path) -> None:
    raw = Path(shutil.copytree(pristine[0], tmp_path / "raw"))
    post = next((raw / "source" / "_posts").rglob("*.md"))
    post.write_text(post.read_text(encoding="utf-8") + " ", encoding="utf-8")
    problems = verify(pristine[1], raw=raw).problems
    assert len(problems) == 1 and problems[0].startswith(f"input fingerprint of {raw} (6 posts)")


def test_not_a_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path)]) == 1
    assert f"no MANIFEST.json: {tmp_path} is not a zh-rss-posts build" in capsys.readouterr().err
    (tmp_path / "MANIFEST.json").write_text("{not json", encoding="utf-8")
    assert "MANIFEST.json is unreadable" in verify(tmp_path).problems[0]


def test_a_build_with_every_post_quarantined_still_verifies(tmp_path: Path) -> None:
    raw = write_corpus(tmp_path / "raw", {"金融/测试财经/快讯/坏.md": {"text": "not a post"}})
    build(raw, tmp_path / "out", workers=1)
    report = verify(tmp_path / "out", raw=raw)
    assert report.ok, report.format()
    assert report.notes == ["the build has no shards (no records): nothing to load"]
    (tmp_path / "out" / "quarantine.jsonl").write_text("", encoding="utf-8")
    assert "quarantined: manifest says 1, the files say 0" in verify(tmp_path / "out").problems


def test_topics_label_names_that_differ_from_the_manifest_fail(copy: Path) -> None:
    manifest = json.loads((copy / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["label_names"][:2] == ["金融", "社交媒体"]
    assert manifest["taggers"] == {"language": 2, "pii": 1, "script": 1}
    assert set(manifest["counts"]["per_config"]["topics"]) <= {"train", "validation", "test"}
    assert manifest["counts"]["per_config"]["topics"] == manifest["counts"]["per_config"]["default"]
    card = copy / "README.md"
    text = card.read_text(encoding="utf-8")
    assert "          '0': 金融\n          '1': 社交媒体\n" in text
    card.write_text(
        text.replace("          '0': 金融\n          '1': 社交媒体\n", "          '0': 社交媒体\n          '1': 金融\n")
    )
    report = verify(copy)
    assert any("README label names of config topics" in problem for problem in report.problems), report.problems
