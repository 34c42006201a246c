"""Time ``write_stats`` (columnar figures) and ``write_plots`` on a built dataset; prints figures.

    python benchmarks/bench_stats.py BUILD_DIR [--repeat 3]

Each phase is timed in this (fresh) process, so the first plot run includes matplotlib's import and the
font lookup, as it does at the end of a build. Peak RSS is the process's own (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builders.describe import plots, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for run in range(1, args.repeat + 1):
        start = time.perf_counter()
        figures = stats.stats_of(args.build)
        computed = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            plots.write_plots(figures, Path(out))
        plotted = time.perf_counter()
        print(
            f"run {run}: figures {computed - start:6.3f} s  plots {plotted - computed:6.3f} s  "
            f"total {plotted - start:6.3f} s  ({figures['records']} records)"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
