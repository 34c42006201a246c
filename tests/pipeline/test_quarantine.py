"""Quarantine: every reason, from an explicit fixture or a real condition; and what is NOT quarantined."""

from __future__ import annotations

import json
import os
import shutil
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

import builders.pipeline.step as process_module
from builders.build import build
from builders.cleaners import Cleaned, Cleaner, Found
from builders.commands import main
from builders.common.quarantine import Reason, Rejection
from builders.pipeline.discover import discover
from builders.pipeline.pool import Budget
from builders.pipeline.step import MAX_BODY_BYTES, MAX_ELEMENTS, MAX_FILE_BYTES, process_file, process_one
from builders.release.validate import load_frame
from schemas.frames import PostMetadata
from schemas.record import Post
from tests.helpers import FIXTURES as TEST_FIXTURES
from tests.helpers import make_post

FIXTURES = TEST_FIXTURES / "quarantine"
FIXTURE_FILES = sorted(FIXTURES.glob("*.md"))
PWNED = Path("/tmp/zh-rss-posts-pwned")


def rejection(data: bytes, raw_path: str = "测试/源/流/a.md") -> Rejection:
    result = process_file(data, raw_path)
    assert isinstance(result, Rejection), f"expected a rejection, got a record: {result!r}"[:300]
    assert result.message
    return result


def record(data: bytes, raw_path: str = "测试/源/流/a.md") -> Post:
    result = process_file(data, raw_path)
    assert isinstance(result, Post), f"expected a record, got {result!r}"
    return result


# --- one explicit fixture per content reason -----------------------------------------------------


def test_there_is_a_fixture_for_every_content_reason() -> None:
    assert {f.stem for f in FIXTURE_FILES} == {
        "not_utf8",
        "binary",
        "no_front_matter",
        "yaml_syntax",
        "yaml_unsafe",
        "not_a_mapping",
        "no_title",
        "bad_categories",
    }


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_is_quarantined_with_its_reason(fixture: Path) -> None:
    PWNED.unlink(missing_ok=True)
    result = rejection(fixture.read_bytes(), f"隔离/fixtures/{fixture.name}")
    assert result.reason == Reason(fixture.stem)
    assert result.raw_path == f"隔离/fixtures/{fixture.name}"
    assert not PWNED.exists(), "a !!python tag was constructed"


def test_not_utf8_says_where_and_shows_the_bytes() -> None:
    result = rejection((FIXTURES / "not_utf8.md").read_bytes())
    assert "byte" in result.message and result.snippet and "\\x" in result.snippet


def test_yaml_syntax_points_at_the_line() -> None:
    result = rejection((FIXTURES / "yaml_syntax.md").read_bytes())
    assert "line 1 after the opening ---" in result.message and result.snippet == "title: 'it's a broken title'"


def test_yaml_unsafe_names_the_tag() -> None:
    assert "python/object/apply" in rejection((FIXTURES / "yaml_unsafe.md").read_bytes()).message


def test_unknown_local_tag_is_refused_and_unhashable_key_is_syntax() -> None:
    tagged = make_post(title="!custom 一个标题").encode()
    assert rejection(tagged).reason == Reason.YAML_UNSAFE
    unhashable = make_post().replace("comments: false", "? [a, b]\n: 1").encode()
    assert rejection(unhashable).reason == Reason.YAML_SYNTAX


def test_front_matter_never_closed() -> None:
    text = make_post().replace("\n---\n\n<div>", "\n\n<div>")
    assert rejection(text.encode()).reason == Reason.NO_FRONT_MATTER


@pytest.mark.parametrize(
    "categories",
    [
        "categories: \n - 金融\n - 测试源",
        "categories: \n - 金融\n - 测试源\n - 快讯\n - 第四级",
        "categories: \n - 金融\n - ''\n - 快讯",
        "categories: \n - 金融\n - {a: 1}\n - 快讯",
        "categories: 金融",
        'categories: \n - 金融\n - "测试\\n源"\n - 快讯',
        "categories: \n - 金融\n - true\n - 快讯",
    ],
    ids=["two", "four", "blank", "mapping", "scalar", "newline", "bool"],
)
def test_bad_categories(categories: str) -> None:
    text = make_post().replace("categories: \n - 金融\n - 测试源\n - 快讯", categories)
    assert rejection(text.encode()).reason == Reason.BAD_CATEGORIES


def test_alias_bomb_in_categories_is_rejected_quickly_with_a_short_message() -> None:
    bomb = "\n".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]"
        for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
    )
    text = make_post().replace("categories: \n - 金融\n - 测试源\n - 快讯", bomb + "\ncategories: [*i, *i, *i]")
    started = time.perf_counter()
    result = rejection(text.encode())
    assert result.reason == Reason.BAD_CATEGORIES
    assert len(result.message) < 400 and time.perf_counter() - started < 2


def test_self_referencing_categories_do_not_loop() -> None:
    text = make_post().replace("categories: \n - 金融\n - 测试源\n - 快讯", "categories: &c [*c, *c, *c]")
    assert rejection(text.encode()).reason == Reason.BAD_CATEGORIES


# --- size and complexity limits (generated: megabytes do not belong in the repository) ------------


def test_body_over_the_limit() -> None:
    body = "<p>" + "长" * (MAX_BODY_BYTES // 3 + 10) + "</p>"
    result = rejection(make_post(body=body).encode())
    assert result.reason == Reason.BODY_TOO_LARGE and str(MAX_BODY_BYTES) in result.message


def test_markup_over_the_element_limit() -> None:
    body = "<i>" * (MAX_ELEMENTS + 1) + "深"
    result = rejection(make_post(body=body).encode())
    assert result.reason == Reason.MARKUP_TOO_COMPLEX and result.snippet and result.snippet.startswith("<i>")


def test_markup_at_the_element_limit_is_kept() -> None:
    body = "<i>" * (MAX_ELEMENTS - 10) + "深"
    assert record(make_post(body=body).encode()).text == "深"


def test_file_over_the_limit_is_not_even_read(write_post: Callable[..., Path], tmp_path: Path) -> None:
    write_post("大", text=make_post() + " " * MAX_FILE_BYTES)
    _, files, _ = discover(tmp_path / "raw")
    result = process_one(files[0])
    assert isinstance(result, Rejection) and result.reason == Reason.FILE_TOO_LARGE
    assert process_file(Path(files[0].path).read_bytes(), "a.md").reason == Reason.FILE_TOO_LARGE  # type: ignore[union-attr]


@pytest.mark.parametrize("stated", [0, 1, 5_000, 200_000, MAX_FILE_BYTES])
@pytest.mark.parametrize("actual", [0, 7, 5_000, 200_001, MAX_FILE_BYTES + 10])
def test_a_file_is_read_whole_whatever_size_fstat_said(tmp_path: Path, stated: int, actual: int) -> None:
    """``read_raw`` asks for the size ``fstat`` gave; a file that grew (or shrank) since is still read whole, up to
    one byte over the limit (so that the size check sees it), never cut short."""
    from builders.pipeline.read import _read_bounded

    data = bytes(range(256)) * (actual // 256) + b"x" * (actual % 256)
    path = tmp_path / "post.md"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _read_bounded(fd, stated) == data[: MAX_FILE_BYTES + 1]
    finally:
        os.close(fd)


# --- runtime conditions -----------------------------------------------------------------------


class Raising(Cleaner):
    name = "raising"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def clean(self, body_html: str) -> Cleaned:
        raise self.error


@pytest.mark.parametrize("error", [ValueError("bad tree"), RecursionError("too deep"), MemoryError()])
def test_cleaner_exception_names_its_type(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    monkeypatch.setattr(process_module, "cleaner_for", lambda *levels: Raising(error))
    result = rejection(make_post().encode())
    assert result.reason == Reason.CLEANER_ERROR and type(error).__name__ in result.message


def test_record_failing_the_schema_is_invalid_record(monkeypatch: pytest.MonkeyPatch) -> None:
    class NumericEditor(Cleaner):
        name = "numeric_editor"

        def clean(self, body_html: str) -> Cleaned:
            return Cleaned("正文", Found(editor=42))  # type: ignore[arg-type]

    monkeypatch.setattr(process_module, "cleaner_for", lambda *levels: NumericEditor())
    result = rejection(make_post().encode())
    assert result.reason == Reason.INVALID_RECORD and "editor" in result.message


def test_a_cleaner_url_that_is_not_http_is_dropped_not_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    class BadUrls(Cleaner):
        name = "bad_urls"

        def clean(self, body_html: str) -> Cleaned:
            images = ["https://a:b@img.example.com/x.jpg", "https://img.example.com/ok.jpg", "https://[::1]/y.png"]
            return Cleaned("正文", Found(url="javascript:alert(1)", images=images))

    monkeypatch.setattr(process_module, "cleaner_for", lambda *levels: BadUrls())
    post = record(make_post(headimg="https://user:pw@img.example.com/h.jpg").encode())
    assert post.url is None and post.head_image is None and post.images == ["https://img.example.com/ok.jpg"]


def test_unexpected_exception_is_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(value: object) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(process_module, "parse_date", broken)
    result = rejection(make_post().encode())
    assert result.reason == Reason.INTERNAL_ERROR and "KeyError" in result.message


def test_file_gone_after_discovery_is_unreadable(write_post: Callable[..., Path], tmp_path: Path) -> None:
    path = write_post("消失")
    _, files, _ = discover(tmp_path / "raw")
    path.unlink()
    result = process_one(files[0])
    assert isinstance(result, Rejection) and result.reason == Reason.UNREADABLE


def test_slow_file_times_out(monkeypatch: pytest.MonkeyPatch, write_post: Callable[..., Path], tmp_path: Path) -> None:
    class Slow(Cleaner):
        name = "slow"

        def clean(self, body_html: str) -> Cleaned:
            time.sleep(30)
            raise AssertionError("the time budget did not interrupt")

    monkeypatch.setattr(process_module, "cleaner_for", lambda *levels: Slow())
    write_post("慢")
    _, files, _ = discover(tmp_path / "raw")
    started = time.perf_counter()
    result = process_one(files[0], Budget(soft=0.3, hard=None))
    assert isinstance(result, Rejection) and result.reason == Reason.TIMEOUT
    assert time.perf_counter() - started < 5


def test_nfc_and_nfd_twins_collide(write_post: Callable[..., Path], tmp_path: Path) -> None:
    write_post(unicodedata.normalize("NFC", "café"))
    write_post(unicodedata.normalize("NFD", "café"))
    _, files, _ = discover(tmp_path / "raw")
    assert [f.problem for f in files] == [None, Reason.PATH_COLLISION]
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == 1 and [r.reason for r in summary.quarantined] == [Reason.PATH_COLLISION]


def test_undecodable_file_name_is_quarantined_not_crashing(write_post: Callable[..., Path], tmp_path: Path) -> None:
    folder = write_post("好").parent
    with open(os.fsencode(folder) + b"/\xff\xfe\xb0\xa1.md", "wb") as handle:
        handle.write(make_post().encode())
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == 1 and summary.reconciles()
    (row,) = [json.loads(line) for line in (tmp_path / "out" / "quarantine.jsonl").read_text().splitlines()]
    assert row["reason"] == "bad_file_name" and row["raw_path"].endswith("\\xff\\xfe\\xb0\\xa1.md")


# --- not quarantine ---------------------------------------------------------------------------


def test_invalid_date_is_kept_with_a_missing_date() -> None:
    post = record(make_post(date="Invalid Date").encode())
    assert post.published_at is None and post.date_kind == "missing"


@pytest.mark.parametrize("date", ["2021-13-45 08:08:37", "2021-02-30", "昨天下午", "99999999999", "'Mon, 99 Foo'"])
def test_unparsable_date_is_kept_with_a_missing_date(date: str) -> None:
    post = record(make_post(date=date).encode())
    assert post.published_at is None and post.date_kind == "missing"


@pytest.mark.parametrize("title", ["''", "'   '", "", "[]"])
def test_blank_title_is_kept_as_null(title: str) -> None:
    assert record(make_post(title=title).encode()).title is None


def test_missing_headimg_is_kept() -> None:
    assert record(make_post(headimg=None).encode()).head_image is None
    assert record(make_post(old_template=True, headimg=None).encode()).head_image is None


def test_image_only_post_is_kept_and_flagged() -> None:
    post = record(make_post(body='<p><img src="https://img.example.com/only.png"></p>').encode())
    assert post.empty_body and post.text == "" and post.images == ["https://img.example.com/only.png"]


# --- the whole build: the real sample mixed with one file per reason -------------------------------


@pytest.fixture(scope="module")
def mixed_raw(real_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("mixed") / "raw"
    shutil.copytree(real_sample, raw)
    bad = raw / "source" / "_posts" / "隔离" / "样例" / "每个理由一个"
    bad.mkdir(parents=True)
    for fixture in FIXTURE_FILES:
        shutil.copyfile(fixture, bad / fixture.name)
    (bad / "body_too_large.md").write_text(make_post(body="<p>" + "长" * (MAX_BODY_BYTES // 3 + 10) + "</p>"))
    (bad / "markup_too_complex.md").write_text(make_post(body="<b>" * (MAX_ELEMENTS + 1)))
    (bad / "file_too_large.md").write_text(make_post() + " " * MAX_FILE_BYTES)
    (bad / "notes.txt").write_text("不是文章")
    kept = raw / "source" / "_posts" / "隔离" / "样例" / "保留"
    kept.mkdir(parents=True)
    (kept / "invalid date.md").write_text(make_post(date="Invalid Date"))
    (kept / "blank title.md").write_text(make_post(title="''"))
    (kept / "no headimg.md").write_text(make_post(headimg=None, old_template=True))
    (kept / "image only.md").write_text(make_post(body='<img src="https://img.example.com/x.png">'))
    return raw


def test_mixed_build_keeps_every_good_record_and_explains_every_bad_file(
    mixed_raw: Path, real_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dataset"
    assert main(["build", str(mixed_raw), "--out", str(out), "--workers", "2"]) == 0
    manifest = json.loads((out / "MANIFEST.json").read_text())
    counts = manifest["counts"]
    real_files = len(discover(real_sample)[1])
    assert counts["records"] == real_files + 4
    assert counts["ignored"] == 1
    assert counts["files_seen"] == counts["records"] + counts["quarantined"] + counts["ignored"]
    rows = [json.loads(line) for line in (out / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {Path(row["raw_path"]).stem: row["reason"] for row in rows} == {
        name: name
        for name in [f.stem for f in FIXTURE_FILES] + ["body_too_large", "markup_too_complex", "file_too_large"]
    }
    assert all(set(row) == {"raw_path", "reason", "message", "snippet"} and row["message"] for row in rows)
    assert counts["quarantined"] == len(rows)
    frame = load_frame(out)
    PostMetadata.validate(frame, lazy=True)  # PostBody: the cleaners' issue (real-sample boilerplate)
    real_paths = {f.raw_path for f in discover(real_sample)[1]}
    assert real_paths <= set(frame["raw_path"].to_list())
    capsys.readouterr()
    assert main(["build", str(mixed_raw), "--out", str(tmp_path / "strict"), "--workers", "1", "--strict"]) == 1
    assert "--strict" in capsys.readouterr().err


def test_a_body_no_parser_reads_is_quarantined_as_unparsable_not_published_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from builders.cleaners.html import UnparsableBody

    monkeypatch.setattr(process_module, "cleaner_for", lambda *levels: Raising(UnparsableBody("no parser path")))
    result = rejection(make_post().encode())
    assert result.reason == Reason.UNPARSABLE_BODY and "no parser path" in result.message
