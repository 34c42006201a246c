"""Every site cleaner against its own cases: ``tests/fixtures/cleaners/sites/<cleaner>/<case>.md`` is an invented
raw post in the crawler's format, ``<case>.json`` the record fields it must give (``text`` and the fields the
cleaner lifts). Adding a site is one module under ``builders/cleaners/sites/`` plus one folder here."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from builders.cleaners import all_cleaners
from builders.pipeline.step import process_file
from schemas.frames import PostBody
from schemas.record import Post
from tests.helpers import FIXTURES

SITES = FIXTURES / "cleaners" / "sites"
CASES = sorted(SITES.glob("*/*.md"))


def test_every_site_cleaner_has_cases_and_every_case_folder_a_cleaner() -> None:
    folders = {path.name for path in SITES.iterdir() if path.is_dir()}
    assert folders == set(all_cleaners())
    assert all(list((SITES / name).glob("*.md")) for name in folders)


@pytest.mark.parametrize("case", CASES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_site_case(case: Path) -> None:
    expected = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    raw_path = case.relative_to(SITES).as_posix()
    record = process_file(case.read_bytes(), raw_path)
    assert isinstance(record, Post), record
    assert record.cleaner == case.parent.name
    assert {field: getattr(record, field) for field in expected} == expected
    PostBody.validate(pl.DataFrame({"text": [record.text]}), lazy=True)
