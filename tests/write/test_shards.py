"""Shards within the Hub's limits: byte-capped row groups, a page index, content-defined chunking."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import builders.write.shards as shards
from builders.pipeline.step import process_file
from builders.write.shards import PARQUET_OPTIONS, SplitWriter, rows_to_table, supports_content_defined_chunking
from tests.helpers import make_post


def rows(count: int, chars: int, seed: int = 0) -> pa.Table:
    """``count`` real records (one post, processed), each with its own id and a text of ``chars`` characters."""
    post = process_file(make_post().encode(), "金融/测试源/快讯/a.md")  # type: ignore[arg-type]
    base = post.model_dump()  # type: ignore[union-attr]
    return rows_to_table(
        [
            {**base, "id": f"{seed:04x}{i:016x}", "text": f"第{seed}-{i}篇" + "字" * chars, "char_count": chars}
            for i in range(count)
        ]
    )


def test_row_groups_stay_under_the_byte_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shards, "MAX_GROUP_BYTES", 200_000)
    writer = SplitWriter(tmp_path, "train")
    table = rows(300, 3000)  # ~9 KB a row: 300 rows is ~2.7 MB, far over the 200 KB cap
    writer.write(table)
    [path] = writer.close()
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_rows == 300 and metadata.num_row_groups > 10
    sizes = [metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)]
    assert max(sizes) <= 200_000 * 1.1  # the cap counts Arrow bytes; Parquet's uncompressed size is close
    assert pq.read_table(path).column("id").to_pylist() == table.column("id").to_pylist()  # order kept


def test_shards_carry_a_page_index_and_content_defined_chunks(small_build: Path) -> None:
    assert PARQUET_OPTIONS["write_page_index"] is True
    assert PARQUET_OPTIONS.get("use_content_defined_chunking", False) is supports_content_defined_chunking()
    assert supports_content_defined_chunking("21.0.0") and not supports_content_defined_chunking("20.0.1")
    for path in (small_build / "data").glob("*.parquet"):
        column = pq.ParquetFile(path).metadata.row_group(0).column(0)
        assert column.has_offset_index and column.has_column_index
