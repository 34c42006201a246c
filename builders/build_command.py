"""``zh-rss-posts build``: raw posts (default: the embedded sample) -> a dataset folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = Path("dataset")


def run(args: argparse.Namespace) -> int:
    from builders.build import SAMPLE_ROOT, build, format_summary
    from builders.publish import PublishError

    roots = [Path(r) for r in args.raw] if args.raw else [SAMPLE_ROOT]
    for raw in roots:
        if not raw.is_dir():
            print(f"error: raw root {raw} is not a folder", file=sys.stderr)
            return 2
    if not 0.0 < args.dedup_threshold <= 1.0:
        print(f"error: --dedup-threshold must be in (0, 1], got {args.dedup_threshold}", file=sys.stderr)
        return 2
    engine = len(roots) > 1 or any(
        value is not None for value in (args.executor, args.tasks, args.work_dir, args.cache, args.ray_address)
    )
    try:
        if engine:
            from builders.engine import EngineError, SlurmOptions
            from builders.engine import build as engine_build
            from builders.engine.cache import CacheError

            slurm = SlurmOptions(
                args.slurm_partition,
                args.slurm_time,
                args.slurm_cpus_per_task,
                args.slurm_mem_per_cpu_gb,
                args.slurm_env,
            )
            try:
                summary = engine_build(
                    roots,
                    Path(args.out),
                    executor=args.executor or "local",
                    tasks=args.tasks or 1,
                    workers=args.workers,
                    work_dir=args.work_dir,
                    cache=Path(args.cache) if args.cache else None,
                    dedup_threshold=args.dedup_threshold,
                    ray_address=args.ray_address,
                    slurm=slurm,
                )
            except (EngineError, CacheError) as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
        else:
            summary = build(roots[0], Path(args.out), workers=args.workers, dedup_threshold=args.dedup_threshold)
    except PublishError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_summary(summary))
    for stage, counts in getattr(summary, "engine", {}).items():
        shown = ", ".join(f"{name} {int(value)}" for name, value in sorted(counts.items()))
        print(f"stage {stage}: {shown}")
    print(f"dataset written to {Path(args.out).resolve()}")
    if args.strict and summary.quarantined:
        print(f"error: --strict and {len(summary.quarantined)} file(s) quarantined", file=sys.stderr)
        return 1
    return 0


def add_command(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser("build", help="build a raw corpus (default: the embedded sample) into a dataset")
    build.add_argument(
        "raw", nargs="*", help="raw roots: Hexo sites, their source/_posts, or folders of posts (default: the sample)"
    )
    build.add_argument("--out", default=str(DEFAULT_OUT), help="dataset folder (default: dataset/)")
    build.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    build.add_argument(
        "--dedup-threshold",
        type=float,
        default=0.8,
        help="Jaccard (and containment) threshold for near duplicates, in (0, 1] (default: 0.8)",
    )
    build.add_argument("--strict", action="store_true", help="fail when any file is quarantined")
    build.add_argument(
        "--executor",
        choices=["local", "ray", "slurm"],
        default=None,
        help="run the build as resumable "
        "stages on this datatrove executor (default: today's one-process build; local with --tasks)",
    )
    build.add_argument("--tasks", type=int, default=None, help="tasks the work is split into (engine; default 1)")
    build.add_argument(
        "--work-dir", default=None, help="engine work dir: a folder or an fsspec URL (shared storage on a cluster)"
    )
    build.add_argument("--cache", default=None, help="folder of the per-file outcome cache (incremental rebuilds)")
    build.add_argument("--ray-address", default=None, help="join this Ray cluster (default: start a local Ray)")
    build.add_argument("--slurm-partition", default="cpu", help="Slurm partition (default: cpu)")
    build.add_argument("--slurm-time", default="04:00:00", help="Slurm time limit per task (default: 04:00:00)")
    build.add_argument("--slurm-cpus-per-task", type=int, default=2, help="Slurm CPUs per task (default: 2)")
    build.add_argument("--slurm-mem-per-cpu-gb", type=int, default=2, help="Slurm memory per CPU in GB (default: 2)")
    build.add_argument("--slurm-env", default=None, help="shell line run before each Slurm task (e.g. venv activation)")
    build.set_defaults(run=run)
