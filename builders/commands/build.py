"""``zh-rss-posts build``: raw posts (default: the embedded sample) -> a dataset folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = Path("dataset")


def run(args: argparse.Namespace) -> int:
    from builders.build import SAMPLE_ROOT, build, format_summary
    from builders.write.atomic import PublishError

    roots = [Path(r) for r in args.raw] if args.raw else [SAMPLE_ROOT]
    for raw in roots:
        if not raw.is_dir():
            print(f"error: raw root {raw} is not a folder", file=sys.stderr)
            return 2
    if not 0.0 < args.dedup_threshold <= 1.0:
        print(f"error: --dedup-threshold must be in (0, 1], got {args.dedup_threshold}", file=sys.stderr)
        return 2
    from builders.engine import EngineError, SlurmOptions
    from builders.engine.cache import CacheError
    from builders.write.ledger import AgainstError

    slurm = SlurmOptions(
        args.slurm_partition, args.slurm_time, args.slurm_cpus_per_task, args.slurm_mem_per_cpu_gb, args.slurm_env
    )
    try:
        summary = build(
            roots,
            Path(args.out),
            workers=args.workers,
            dedup_threshold=args.dedup_threshold,
            executor=args.executor,
            tasks=args.tasks,
            work_dir=args.work_dir,
            cache=Path(args.cache) if args.cache else None,
            ray_address=args.ray_address,
            slurm=slurm,
            against=Path(args.against) if args.against else None,
            audit=Path(args.audit) if args.audit else None,
        )
    except (EngineError, CacheError, PublishError, AgainstError) as error:
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
        "--audit",
        metavar="DIR",
        help="write each cleaning rule's first 50 samples (raw_path, text) as DIR/<rule>.jsonl",
    )
    build.add_argument(
        "--against",
        metavar="OLD",
        help="the previous release's folder: its split ledger keeps every released record in its split",
    )
    build.add_argument(
        "--executor",
        choices=["local", "ray", "slurm"],
        default="local",
        help="datatrove executor the stages run on (default: local; ray starts a local Ray unless --ray-address)",
    )
    build.add_argument(
        "--tasks",
        type=int,
        default=None,
        help="tasks the work is split into (default: one per 10,000 files, at least one per worker)",
    )
    build.add_argument(
        "--work-dir",
        default=None,
        help="work dir of the stages: a folder or an fsspec URL, shared storage on a cluster (default: .DIR.work)",
    )
    build.add_argument("--cache", default=None, help="folder of the per-file outcome cache (incremental rebuilds)")
    build.add_argument("--ray-address", default=None, help="join this Ray cluster (default: start a local Ray)")
    build.add_argument("--slurm-partition", default="cpu", help="Slurm partition (default: cpu)")
    build.add_argument("--slurm-time", default="04:00:00", help="Slurm time limit per task (default: 04:00:00)")
    build.add_argument("--slurm-cpus-per-task", type=int, default=2, help="Slurm CPUs per task (default: 2)")
    build.add_argument("--slurm-mem-per-cpu-gb", type=int, default=2, help="Slurm memory per CPU in GB (default: 2)")
    build.add_argument("--slurm-env", default=None, help="shell line run before each Slurm task (e.g. venv activation)")
    build.set_defaults(run=run)
