"""Size of the split ledger (``builders.write.ledger``) for N released ids, written by the real writer.

    python benchmarks/ledger_size.py [N ...]      (default: 100000 1000000)

Ids are record ids (20 hex digits of SHA-256) of invented raw paths, splits routed by ``split_of``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from builders.common.identity import record_id, split_of
from builders.write.ledger import read_ledger, write_ledger


def measure(count: int) -> dict[str, float]:
    ledger = {}
    for index in range(count):
        post_id = record_id(f"金融/测试财经/快讯/第{index}篇.md")
        ledger[post_id] = split_of(post_id)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "split_ledger.parquet"
        start = time.perf_counter()
        write_ledger(path, ledger)
        written = time.perf_counter() - start
        start = time.perf_counter()
        assert read_ledger(path) == ledger
        read = time.perf_counter() - start
        size = path.stat().st_size
    return {"ids": count, "bytes": size, "bytes_per_id": size / count, "write_s": written, "read_s": read}


def main(argv: list[str]) -> None:
    for count in [int(a) for a in argv] or [100_000, 1_000_000]:
        m = measure(count)
        print(
            f"{m['ids']:>9} ids: {m['bytes'] / 1e6:6.2f} MB ({m['bytes_per_id']:.2f} B/id), "
            f"write {m['write_s']:.2f} s, read+check {m['read_s']:.2f} s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
