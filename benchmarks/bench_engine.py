"""Benchmark of the engine (issue 14's figures), each variant in its own process, RSS of the process tree sampled:

    python benchmarks/bench_engine.py                                   # 2,000 posts, components on 200,000 ids
    python benchmarks/bench_engine.py --sizes 20000 100000 --components 2000000 --ray   # the full run

- local executor, 1 and 2 workers, per size: seconds, CPU seconds, driver peak RSS and whole-build peak RSS;
- incremental: a cached build, then 1% of the files changed and 1% added, rebuilt with the cache;
- Ray (``--ray``): 2 local CPUs, against the local executor on the same files;
- the one single-task stage, components, on N synthetic records with planted clusters: time and peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.make_corpus import ensure_corpus  # noqa: E402
from benchmarks.run import Measured, child_env, measure  # noqa: E402

BUILD = """
import json, resource, sys, time
from pathlib import Path
from builders.build import build
options = json.loads(sys.argv[3])
started, cpu = time.perf_counter(), time.process_time()
summary = build([Path(sys.argv[1])], Path(sys.argv[2]), **options)
stages = getattr(summary, "engine", {})
print(json.dumps({"seconds": time.perf_counter() - started, "records": summary.records,
                  "driver_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "cache_hits": stages.get("parse", {}).get("cache_hits", 0),
                  "cache_misses": stages.get("parse", {}).get("cache_misses", 0),
                  "stage_peaks": {name: s.get("peak_rss_mb", 0) for name, s in stages.items()},
                  "task_cpu": sum(s.get("task_cpu_seconds", 0) for s in stages.values())}))
"""

COMPONENTS = """
import json, random, resource, sys, time
from builders.dedup.features import DedupFeatures
from builders.dedup.finder import DuplicateFinder
count = int(sys.argv[1])
rng = random.Random(5)
ids = sorted(f"{rng.getrandbits(80):020x}" for _ in range(count))
started = time.perf_counter()
finder = DuplicateFinder()
for index, post_id in enumerate(ids):
    key = f"{index // 3:032x}" if index % 10 == 0 else f"{rng.getrandbits(128):032x}"  # planted exact groups
    finder.add_features(post_id, None, DedupFeatures(key, None))
pairs = [(i, i + 1) for i in range(0, count - 1, 50)]  # planted near pairs
marks = finder.resolve(near_pairs=pairs)
print(json.dumps({"seconds": time.perf_counter() - started, "records": len(marks),
                  "clustered": finder.stats.clustered, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def touch_corpus(corpus: Path, share: float, seed: int = 3) -> tuple[int, int]:
    """Change ``share`` of the posts (one sentence appended) and add as many new ones (copies of others, retitled)."""
    posts = sorted((corpus / "source" / "_posts").rglob("*.md"))
    rng = random.Random(seed)
    count = max(1, int(len(posts) * share))
    for path in rng.sample(posts, count):
        path.write_text(path.read_text(encoding="utf-8").replace("</p>", "（更新）</p>", 1), encoding="utf-8")
    for number, path in enumerate(rng.sample(posts, count)):
        text = path.read_text(encoding="utf-8").replace("title:", f"title: 新{number}", 1)
        (path.parent / f"新增-{number}.md").write_text(text, encoding="utf-8")
    return count, count


def run_build(name: str, corpus: Path, out: Path, options: dict[str, Any], env: dict[str, str], logs: Path) -> Measured:
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out.parent / f".{out.name}.work", ignore_errors=True)  # an interrupted run's tasks would be resumed
    return measure(name, [str(corpus), str(out), json.dumps(options)], env, logs, [sys.executable, "-c", BUILD])


def line(measured: Measured) -> str:
    report = measured.report
    peaks = ", ".join(f"{name} {mb}" for name, mb in report.get("stage_peaks", {}).items() if mb)
    return (
        f"| {measured.name} | {measured.seconds:.1f} | {measured.cpu_seconds + report.get('task_cpu', 0):.1f} | "
        f"{report.get('driver_rss', 0) / 1e6:.0f} MB | {measured.peak_tree_rss / 1e6:.0f} MB | "
        f"{measured.peak_tree_pss / 1e6:.0f} MB | {peaks or '-'} | "
        f"{report.get('cache_hits', '')}/{report.get('cache_misses', '')} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000])
    parser.add_argument("--components", type=int, default=200_000, help="records for the components figure")
    parser.add_argument("--ray", action="store_true", help="also run the Ray executor (2 local CPUs)")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-engine-"))
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = child_env(work)
    print(
        "| variant | seconds | CPU s | driver peak RSS | build peak RSS (summed) | build peak PSS | "
        "task process peaks (MB) | cache hits/misses |"
    )
    print("|---|---|---|---|---|---|---|---|")
    results: dict[str, Measured] = {}
    for size in args.sizes:
        corpus = work / f"corpus-{size}"
        ensure_corpus(corpus, size)
        for workers in (1, 2):
            name = f"{size} posts, local, {workers} worker(s)"
            results[name] = run_build(name, corpus, work / "out", {"workers": workers}, env, logs)
            print(line(results[name]), flush=True)
        if args.ray:
            name = f"{size} posts, ray, 2 CPUs"
            results[name] = run_build(
                name, corpus, work / "out", {"workers": 2, "executor": "ray", "tasks": 2}, env, logs
            )
            print(line(results[name]), flush=True)
        copy = work / f"corpus-{size}-incremental"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(corpus, copy)
        cache = work / f"cache-{size}"
        shutil.rmtree(cache, ignore_errors=True)
        full = run_build(
            f"{size} posts, cached full build", copy, work / "out", {"workers": 2, "cache": str(cache)}, env, logs
        )
        print(line(full), flush=True)
        touch_corpus(copy, 0.01)
        name = f"{size} posts, rebuild after 1% changed + 1% added"
        results[name] = run_build(name, copy, work / "out", {"workers": 2, "cache": str(cache)}, env, logs)
        print(line(results[name]), flush=True)
        print(f"incremental rebuild / full build: {results[name].seconds / full.seconds:.0%} (target <= 15%)")
        one, two = results[f"{size} posts, local, 1 worker(s)"], results[f"{size} posts, local, 2 worker(s)"]
        print(f"2 workers vs 1: {one.seconds / two.seconds:.2f}x (target >= 1.8x)")
        if args.ray:
            print(f"ray / local (2 workers): {results[f'{size} posts, ray, 2 CPUs'].seconds / two.seconds:.2f}x")
    components = measure("components", [str(args.components)], env, logs, [sys.executable, "-c", COMPONENTS])
    report = components.report
    print(
        f"components on {args.components:,} records ({report.get('clustered', 0):,} clustered): "
        f"{report.get('seconds', 0):.1f} s, peak {report.get('peak_rss', 0) / 1e6:.0f} MB (target < 2 GB)"
    )
    print(f"reports and logs: {work}  ({time.strftime('%Y-%m-%d')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
