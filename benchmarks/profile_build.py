"""Where the build's time goes, per stage: a pyinstrument profile of ``build(workers=1)`` folded into stages.

    python benchmarks/profile_build.py [--posts 3000] [--html profile.html]

Each sample's time goes to the innermost stage on its stack (``STAGES`` names a stage by the function
and file it runs in), so the rows add up to the whole build. Stages marked ``worker`` run in the worker
processes when the build has several; the rest run in the main process, one at a time, and bound what
more workers can give (Amdahl). Pickling between processes does not happen with one worker, so it is
timed apart: the per-file results are pickled and unpickled as ``ProcessPoolExecutor`` does.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.make_corpus import ensure_corpus  # noqa: E402

# (function name, path fragment of its file) -> (stage, runs in a worker)
STAGES: dict[tuple[str, str], tuple[str, bool]] = {
    ("discover", "builders/discover.py"): ("discover files", False),
    ("read_bytes", "pathlib"): ("read file", True),
    ("decode_file", "builders/process.py"): ("decode + split front matter", True),
    ("split_post", "builders/front_matter.py"): ("decode + split front matter", True),
    ("read_front_matter", "builders/front_matter.py"): ("front matter YAML", True),
    ("parse_html", "builders/cleaners/html.py"): ("HTML parse (lxml)", True),
    ("render", "builders/cleaners/base.py"): ("tree walk", True),
    ("inline_text", "builders/cleaners/text.py"): ("text normalisation", True),
    ("code_text", "builders/cleaners/text.py"): ("text normalisation", True),
    ("real_image", "builders/urls.py"): ("image URLs", True),
    ("tidy", "builders/cleaners"): ("site rules (tidy)", True),
    ("parse_date", "builders/dates.py"): ("dates", True),
    ("__init__", "pydantic/main.py"): ("pydantic validation", True),
    ("model_dump", "pydantic/main.py"): ("pydantic model_dump", True),
    ("features_of", "builders/dedup"): ("dedup features (exact key + MinHash sketch)", True),
    ("add_features", "builders/dedup.py"): ("dedup bookkeeping", False),
    ("resolve", "builders/dedup.py"): ("dedup resolve", False),
    ("rows_to_table", "builders/shards.py"): ("rows -> Arrow tables", False),
    ("write_table", "pyarrow/parquet"): ("parquet writing", False),
    ("close", "pyarrow/parquet"): ("parquet writing", False),
    ("__init__", "pyarrow/parquet"): ("parquet writing", False),
    ("iter_batches", "pyarrow/parquet"): ("staging read-back", False),
    ("count_rows", "builders/build.py"): ("summary counts", False),
    ("with_marks", "builders/build.py"): ("dedup marks -> columns", False),
    ("write_stats", "builders/stats.py"): ("stats + plots", False),
    ("write_croissant", "builders/croissant.py"): ("croissant", False),
    ("split_of", "builders/identity.py"): ("split assignment", False),
    ("write_card", "builders/card.py"): ("card", False),
    ("write_manifest", "builders/manifest.py"): ("manifest", False),
    ("__iter__", "tqdm/"): ("progress bar", False),
}
PROCESS_STAGE = ("process_one", "builders/pipeline/step.py")


def fold(frame: Any, stage: tuple[str, bool] | None, totals: dict[tuple[str, bool], float]) -> None:
    """Add each frame's own time to the innermost stage above it."""
    key = (frame.function, frame.file_path or "")
    for (function, fragment), named in STAGES.items():
        if key[0] == function and fragment in key[1]:
            stage = named
            break
    else:
        if key[0] == PROCESS_STAGE[0] and PROCESS_STAGE[1] in key[1]:
            stage = ("other per-file work (ids, hashes, glue)", True)
    own = frame.time - sum(child.time for child in frame.children)
    totals[stage or ("other (build loop, imports)", False)] += max(own, 0.0)
    for child in frame.children:
        fold(child, stage, totals)


def pickling_cost(raw: Path, limit: int) -> tuple[float, int]:
    """Seconds per result to pickle and unpickle the worker results (as a process pool sends them)."""
    from builders.pipeline.discover import discover
    from builders.pipeline.step import process_one

    _, files, _ = discover(raw)
    results = [process_one(item) for item in files[:limit]]
    started = time.perf_counter()
    for _ in range(3):
        pickle.loads(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    seconds = (time.perf_counter() - started) / 3
    return seconds / len(results), len(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)) // len(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "zh-rss-bench")
    parser.add_argument("--html", type=Path, help="also save pyinstrument's HTML report here")
    args = parser.parse_args(argv)
    os.environ.setdefault("TQDM_DISABLE", "1")
    from pyinstrument import Profiler

    from builders.build import build

    raw = args.workdir / f"corpus-{args.posts}-seed{args.seed}"
    ensure_corpus(raw, args.posts, args.seed)
    out = args.workdir / "profile-out"
    profiler = Profiler(interval=0.0005)
    profiler.start()
    build(raw, out, workers=1)
    session = profiler.stop()
    root = session.root_frame()
    totals: dict[tuple[str, bool], float] = defaultdict(float)
    fold(root, None, totals)
    whole = sum(totals.values())
    per_pickle, pickled_bytes = pickling_cost(raw, min(args.posts, 1000))
    print(f"build(workers=1) of {args.posts:,} posts: {whole:.2f} s profiled ({args.posts / whole:.0f} docs/s)")
    print(f"{'stage':<44} {'where':<7} {'seconds':>8} {'share':>6} {'ms/doc':>7}")
    for (stage, worker), seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(
            f"{stage:<44} {'worker' if worker else 'main':<7} {seconds:>8.2f} {seconds / whole:>6.1%} "
            f"{seconds / args.posts * 1000:>7.3f}"
        )
    print(
        f"{'pickling results between processes':<44} {'both':<7} {per_pickle * args.posts:>8.2f} "
        f"{per_pickle * args.posts / whole:>6.1%} {per_pickle * 1000:>7.3f}   ({pickled_bytes:,} B/result, not in the profile above)"
    )
    main_share = sum(s for (_, worker), s in totals.items() if not worker) / whole
    print(
        f"main-process (serial) share: {main_share:.1%} -> at most {1 / (main_share + (1 - main_share) / 2):.2f}x "
        f"with 2 workers, {1 / main_share if main_share else float('inf'):.1f}x with many (Amdahl, pickling aside)"
    )
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"HTML profile: {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
