"""The measured programs of the benchmark, one per subcommand, each run in its own process by run.py.

Each prints one JSON line on stdout: ``seconds`` (the timed work only, imports excluded), what it
processed, and ``self_max_rss`` / ``children_max_rss`` (bytes) from ``getrusage``.

- ``build RAW OUT --workers N``: our full build (``builders.build.build``).
- ``naive RAW OUT``: what a user would write: python-frontmatter + BeautifulSoup(html.parser).get_text()
  + pandas ``to_parquet`` (the whole corpus in one DataFrame).
- ``trafilatura RAW --limit N``: trafilatura's main-text extraction of the bodies (every k-th file).
- ``validate DIR``: ``builders.release.validate``: load every row (the ``all`` config's shards, read directly after
  their schema is checked against the Features) and run the pandera models.
- ``work RAW``: the build's per-file work on the first ``--limit`` files, in one process (the parallel ceiling).
- ``load DIR CACHE``: ``load_dataset(DIR)`` with ``cache_dir=CACHE`` (cold when CACHE is new).
- ``dedup --posts N``: ``benchmarks.bench_dedup.run(N)`` when it exists, else ``DuplicateFinder`` timed
  on N synthetic texts made on the fly (generation not timed).

``cpu_seconds`` (user + system, worker processes included) is counted from after the imports too.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _rusage() -> dict[str, int]:
    # ru_maxrss is in KiB on Linux
    return {
        "self_max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "children_max_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }


def _current_rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def post_files(raw: Path) -> list[Path]:
    """Every ``.md`` under the corpus, in a fixed order."""
    base = raw / "source" / "_posts"
    return sorted((base if base.is_dir() else raw).rglob("*.md"))


def every_kth(files: list[Path], limit: int) -> list[Path]:
    """An evenly spread subset of at most ``limit`` files (every feed family stays represented)."""
    if limit <= 0 or len(files) <= limit:
        return files
    step = len(files) / limit
    return [files[int(i * step)] for i in range(limit)]


def probe_build(args: argparse.Namespace) -> dict[str, Any]:
    from builders.build import build

    started = time.perf_counter()
    summary = build(Path(args.raw), Path(args.out), workers=args.workers)
    return {
        "seconds": time.perf_counter() - started,
        "docs": summary.files_seen,
        "records": summary.records,
        "quarantined": len(summary.quarantined),
        "duplicates": summary.duplicates,
        # the task processes are the forkserver's children, not this process's: their CPU is reported by the build
        "task_cpu_seconds": sum(s.get("task_cpu_seconds", 0) for s in getattr(summary, "engine", {}).values()),
    }


def probe_naive(args: argparse.Namespace) -> dict[str, Any]:
    import frontmatter
    import pandas as pd
    from bs4 import BeautifulSoup

    started = time.perf_counter()
    rows = []
    for path in post_files(Path(args.raw)):
        post = frontmatter.load(path)
        categories = post.get("categories") or []
        rows.append(
            {
                "title": str(post.get("title", "")),
                "category": str(categories[0]) if categories else "",
                "date": str(post.get("date", "")),
                "text": BeautifulSoup(post.content, "html.parser").get_text(),
                "path": str(path),
            }
        )
    pd.DataFrame(rows).to_parquet(args.out)
    return {"seconds": time.perf_counter() - started, "docs": len(rows)}


def probe_trafilatura(args: argparse.Namespace) -> dict[str, Any]:
    import trafilatura

    from builders.pipeline.front_matter import split_post

    files = every_kth(post_files(Path(args.raw)), args.limit)
    trafilatura.extract(split_post(files[0].read_text(encoding="utf-8"))[1])  # warm-up, not timed
    size = 0
    extracted = 0
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        size += len(data)
        _, body = split_post(data.decode("utf-8"))
        text = trafilatura.extract(body, include_comments=False)
        extracted += bool(text)
    return {"seconds": time.perf_counter() - started, "docs": len(files), "bytes": size, "extracted": extracted}


def tiled(frame: Any, rows: int) -> Any:
    """``frame`` repeated up to ``rows`` rows, ``id`` and ``raw_path`` made unique again (the rules hold)."""
    import polars as pl

    if frame.height == 0 or frame.height >= rows:
        return frame
    copies = -(-rows // frame.height)
    big = pl.concat([frame] * copies).head(rows)
    return big.with_columns(
        pl.Series("id", [f"{i:020x}" for i in range(rows)]),
        (pl.int_range(rows, eager=True).cast(pl.Utf8) + "/" + pl.col("raw_path")).alias("raw_path"),
    )


def probe_validate(args: argparse.Namespace) -> dict[str, Any]:
    """Load (the ``validate`` command's ``load_frame``) and check; checks also timed on ``--rows`` rows."""
    from builders.release.validate import check_frame, load_frame

    started = time.perf_counter()
    frame = load_frame(Path(args.dir))
    loaded = time.perf_counter()
    violations = check_frame(frame)
    checked = time.perf_counter()
    result = {
        "seconds": checked - started,
        "load_seconds": loaded - started,
        "check_seconds": checked - loaded,
        "rows": frame.height,
        "violations": len(violations),
        "violated_rules": sorted({f"{v.model}.{v.check}[{v.column}]" for v in violations})[:20],
    }
    if frame.height < args.rows:
        big = tiled(frame, args.rows)
        began = time.perf_counter()
        check_frame(big)
        result.update(tiled_rows=big.height, tiled_check_seconds=time.perf_counter() - began)
    return result


def probe_load(args: argparse.Namespace) -> dict[str, Any]:
    from datasets import load_dataset

    started = time.perf_counter()
    dataset = load_dataset(args.dir, cache_dir=args.cache)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": sum(split.num_rows for split in dataset.values())}


def _synthetic_texts(posts: int, seed: int) -> Any:
    import random

    from benchmarks.make_corpus import DUPLICATE_SHARE, DUPLICATE_WINDOW, content_paragraphs

    dice = random.Random(seed)
    for index in range(posts):
        source = index
        if index and dice.random() < DUPLICATE_SHARE:
            source = dice.randrange(max(0, index - DUPLICATE_WINDOW), index)
        yield index, "\n".join(content_paragraphs(seed, source))


def probe_dedup(args: argparse.Namespace) -> dict[str, Any]:
    try:
        from benchmarks import bench_dedup  # written with the near-duplicate work, when merged
    except ImportError:
        bench_dedup = None
    if bench_dedup is not None and hasattr(bench_dedup, "run"):
        started = time.perf_counter()
        result = dict(bench_dedup.run(args.posts))
        result.setdefault("seconds", time.perf_counter() - started)
        result["via"] = "benchmarks.bench_dedup.run"
        return result

    import hashlib
    from datetime import UTC, datetime, timedelta

    from builders.dedup.finder import DuplicateFinder

    finder = DuplicateFinder()
    base_rss = _current_rss()
    add_seconds = 0.0
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for index, text in _synthetic_texts(args.posts, args.seed):
        post_id = hashlib.sha256(str(index).encode()).hexdigest()[:20]
        published = start + timedelta(minutes=index)
        began = time.perf_counter()
        finder.add(post_id, published, text)
        add_seconds += time.perf_counter() - began
    began = time.perf_counter()
    marks = finder.resolve()
    resolve_seconds = time.perf_counter() - began
    return {
        "seconds": add_seconds + resolve_seconds,
        "add_seconds": add_seconds,
        "resolve_seconds": resolve_seconds,
        "posts": args.posts,
        "duplicates": sum(mark.is_duplicate for mark in marks.values()),
        "rss_growth": _current_rss() - base_rss,
        "via": "builders.dedup.finder.DuplicateFinder (synthetic texts, generation not timed)",
    }


def probe_work(args: argparse.Namespace) -> dict[str, Any]:
    """The per-file work of the build (``process_one``: parse, clean, validate, dedup features), in this
    process, on ``--limit`` files spread evenly over the corpus: run alone and as two copies at once, it
    measures how much two processes can get out of this machine (the ceiling of a 2-worker build)."""
    from builders.pipeline.discover import discover
    from builders.pipeline.step import process_one

    _, files, _ = discover(Path(args.raw))
    files = files[:: max(1, len(files) // args.limit)][: args.limit]
    process_one(files[0])  # warm caches (cleaner registry, regexes) outside the clock
    started, cpu_started = time.perf_counter(), cpu_seconds()
    for item in files:
        process_one(item)
    return {
        "seconds": time.perf_counter() - started,
        "docs": len(files),
        "work_cpu_seconds": cpu_seconds() - cpu_started,
    }


# probe -> (function, modules it imports: loaded before the CPU clock starts, as its wall clock does)
PROBES = {
    "build": (probe_build, ["builders.build"]),
    "naive": (probe_naive, ["frontmatter", "pandas", "bs4", "pyarrow.parquet"]),
    "trafilatura": (probe_trafilatura, ["trafilatura", "builders.pipeline.front_matter"]),
    "validate": (probe_validate, ["builders.release.validate", "datasets"]),
    "load": (probe_load, ["datasets"]),
    "dedup": (probe_dedup, ["builders.dedup.finder", "benchmarks.make_corpus"]),
    "work": (probe_work, ["builders.pipeline.step"]),
}


def cpu_seconds() -> float:
    """User + system time of this process and of its children that have exited (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one measured program of the benchmark")
    commands = parser.add_subparsers(dest="probe", required=True)
    build = commands.add_parser("build")
    build.add_argument("raw")
    build.add_argument("out")
    build.add_argument("--workers", type=int, default=1)
    naive = commands.add_parser("naive")
    naive.add_argument("raw")
    naive.add_argument("out")
    traf = commands.add_parser("trafilatura")
    traf.add_argument("raw")
    traf.add_argument("--limit", type=int, default=0)
    validate = commands.add_parser("validate")
    validate.add_argument("dir")
    validate.add_argument("--rows", type=int, default=100_000, help="also time the checks on this many rows")
    load = commands.add_parser("load")
    load.add_argument("dir")
    load.add_argument("cache")
    dedup = commands.add_parser("dedup")
    dedup.add_argument("--posts", type=int, default=100_000)
    dedup.add_argument("--seed", type=int, default=7)
    work = commands.add_parser("work")
    work.add_argument("raw")
    work.add_argument("--limit", type=int, default=3000)
    args = parser.parse_args(argv)
    function, modules = PROBES[args.probe]
    for module in modules:
        importlib.import_module(module)
    before = cpu_seconds()
    result = function(args)
    result["cpu_seconds"] = cpu_seconds() - before + result.pop("task_cpu_seconds", 0)
    result.update(_rusage())
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
