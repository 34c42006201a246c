"""The driver: lists the input, lays out the run folder, runs each stage on a datatrove executor, publishes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datatrove.io import DataFolder, get_datafolder

from builders.common.quarantine import Ignored
from builders.common.summary import BuildSummary
from builders.dedup.finder import DEFAULT_THRESHOLD
from builders.engine import fingerprint
from builders.engine.local import LocalExecutor
from builders.engine.stage_components import Components
from builders.engine.stage_merge import MergeBand
from builders.engine.stage_parse import ParseFiles
from builders.engine.stage_write import WriteDataset, read_summary
from builders.engine.steps import FILES, EngineError, bands_of, file_line, write_bytes, write_lines
from builders.pipeline.discover import RawFile, discover
from builders.write.atomic import check_replaceable
from builders.write.ledger import previous_ledger

EXECUTORS = ("local", "ray", "slurm")
FILES_PER_TASK = 10_000  # the default plan's parse slice: a task's memory follows its slice, not the corpus
WORK_FORMAT = {"format": "zh-rss-posts engine work dir", "layout": fingerprint.LAYOUT_VERSION}


@dataclass(frozen=True)
class SlurmOptions:
    partition: str = "cpu"
    time: str = "04:00:00"
    cpus_per_task: int = 2
    mem_per_cpu_gb: int = 2
    env_command: str | None = None  # e.g. "source /shared/zh-rss-posts/.venv/bin/activate"


def root_labels(roots: Sequence[Path]) -> list[str]:
    """With several roots, each root's raw paths get the prefix ``<label>/``: the label is the root folder's
    name, and a name already taken by an earlier root gets ``~2``, ``~3``... (in command-line order)."""
    labels: list[str] = []
    for root in roots:
        base = Path(os.path.abspath(root)).name or "root"
        label, number = base, 1
        while label in labels:
            number += 1
            label = f"{base}~{number}"
        labels.append(label)
    return labels


def list_inputs(roots: Sequence[Path]) -> tuple[list[RawFile], list[Ignored]]:
    """Every post file and ignored file of every root, sorted by raw_path (namespaced with several roots)."""
    if len(roots) == 1:
        _, files, ignored = discover(roots[0])
        return files, ignored
    files: list[RawFile] = []
    ignored: list[Ignored] = []
    for label, root in zip(root_labels(roots), roots, strict=True):
        _, found, skipped = discover(root)
        files += [RawFile(f"{label}/{f.raw_path}", f.path, f.problem, f.problem_message) for f in found]
        ignored += [Ignored(f"{label}/{i.raw_path}", i.why) for i in skipped]
    return sorted(files), sorted(ignored)


def run_key(roots: Sequence[Path], files: list[RawFile], tasks: int, threshold: float) -> str:
    """What a run folder holds: the code, the parameters, the roots and every file's path, size and mtime."""
    digest = hashlib.sha256()
    header = {
        "work": WORK_FORMAT,
        "shared": fingerprint.shared(),
        "sites": fingerprint.all_sites(),
        "tasks": tasks,
        "threshold": threshold,
        "roots": [os.path.abspath(r) for r in roots],
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    for item in files:
        try:
            info = os.stat(item.path)
            state = f"{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            state = "missing"
        digest.update(f"\n{item.raw_path}\0{item.path}\0{item.problem}\0{state}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:24]


def default_work_dir(out_dir: Path) -> Path:
    return out_dir.resolve().parent / f".{out_dir.resolve().name}.work"


def open_work_dir(url: str) -> DataFolder:
    """The work dir, created or checked: one written by another layout is refused."""
    folder = get_datafolder(url)
    if folder.isfile("ENGINE.json"):
        with folder.open("ENGINE.json", "rt") as handle:
            try:
                found = json.load(handle)
            except ValueError:
                found = None
        if found != WORK_FORMAT:
            raise EngineError(
                f"work dir {url} was written by another engine version ({found}, this one is {WORK_FORMAT}): "
                "delete it or use another --work-dir"
            )
    else:
        if folder.exists("") and folder.list_files("", recursive=False, include_directories=True):
            raise EngineError(f"work dir {url} is a non-empty folder without ENGINE.json: refusing to use it")
        write_bytes(folder, "ENGINE.json", json.dumps(WORK_FORMAT, sort_keys=True).encode())
    return folder


def _executor(
    kind: str,
    step: Any,
    tasks: int,
    concurrent: int,
    logs: str,
    slurm: SlurmOptions | None,
    name: str,
    depends: Any = None,
    in_children: bool = True,
) -> Any:
    if kind == "local":
        return LocalExecutor([step], tasks=tasks, workers=concurrent, logging_dir=logs, in_children=in_children)
    if kind == "ray":
        from datatrove.executor import RayPipelineExecutor

        return RayPipelineExecutor(
            [step], tasks=tasks, workers=max(1, concurrent), logging_dir=logs, cpus_per_task=1, mem_per_cpu_gb=0
        )
    from datatrove.executor import SlurmPipelineExecutor

    options = slurm or SlurmOptions()
    return SlurmPipelineExecutor(
        [step],
        tasks=tasks,
        time=options.time,
        partition=options.partition,
        cpus_per_task=options.cpus_per_task,
        mem_per_cpu_gb=options.mem_per_cpu_gb,
        job_name=f"zh-rss-posts-{name}",
        env_command=options.env_command,
        logging_dir=logs,
        slurm_logs_folder=f"{logs}/slurm",
        depends=depends,
        qos="",
    )


@dataclass
class Plan:
    run_url: str
    parse_tasks: int
    ranges: int
    merge_tasks: int
    stages: list[tuple[str, Any, int, int]]  # (name, step, tasks, tasks at once)


def plan(
    run_url: str,
    kind: str,
    tasks: int,
    workers: int,
    threshold: float,
    cache: Path | None,
    soft_limit: float | None = None,
) -> Plan:
    bands, _ = bands_of(threshold)
    ranges = max(1, -(-tasks // bands))
    # Parse: up to ``workers`` tasks at once, the workers shared among them (one task: all its file workers).
    # On Ray each task is one CPU; on Slurm each task has its job's CPUs.
    at_once = min(workers, tasks)
    processes = {"local": max(1, workers // at_once), "ray": 1}.get(kind, workers)
    parse = ParseFiles(run_url, processes, threshold, str(cache.resolve()) if cache else None, soft_limit)
    stages = [
        ("parse", parse, tasks, at_once),
        ("merge", MergeBand(run_url, tasks, ranges, threshold), bands * ranges, workers),
        ("components", Components(run_url, tasks, bands * ranges, threshold), 1, 1),
    ]
    return Plan(run_url, tasks, ranges, bands * ranges, stages)


def auto_tasks(files: int, workers: int) -> int:
    """The default ``--tasks``: one per ``FILES_PER_TASK`` files, rounded up to a multiple of the workers.

    Tasks run ``workers`` at once, so 11 tasks on 2 workers end with one task running alone (half the machine idle
    for a whole task's time); 12 smaller ones keep both busy to the end."""
    workers = max(1, workers)
    return workers * max(1, -(-files // (FILES_PER_TASK * workers)))


def _prepare(
    roots: list[Path], tasks: int | None, workers: int, work_dir: str | None, out_dir: Path, threshold: float
) -> tuple[DataFolder, str, int, list[Ignored], str, int]:
    files, ignored = list_inputs(roots)
    tasks = tasks or auto_tasks(len(files), workers)
    key = run_key(roots, files, tasks, threshold)
    work_url = work_dir or str(default_work_dir(out_dir))
    work = open_work_dir(work_url)
    run_url = work_url.rstrip("/") + f"/runs/{key}"
    others = (
        [
            p
            for p in work.list_files("runs", recursive=False, include_directories=True)
            if p.count("/") == 1 and not p.endswith(key)
        ]
        if work.exists("runs")
        else []
    )
    if others:
        print(
            f"note: work dir {work_url} holds {len(others)} run(s) of other inputs or code; this build starts its own ({key})",
            file=sys.stderr,
        )
    run = get_datafolder(run_url)
    if not run.isfile(FILES):
        lines = (json.dumps({"raw_path": i.raw_path, "why": i.why}, ensure_ascii=False) + "\n" for i in ignored)
        write_lines(run, "input/ignored.jsonl", (line.encode() for line in lines))
        write_lines(run, FILES, (file_line(item) for item in files))  # the whole list is never held twice
    return work, run_url, len(files), ignored, key, tasks  # the list itself stays in the run folder, not in memory


def stage_report(run_url: str, stage: str) -> dict[str, float]:
    """The summed datatrove stats of a stage (``stat_update`` counters), from its logs' stats files."""
    folder = get_datafolder(f"{run_url}/logs/{stage}")
    totals: dict[str, float] = {}
    for path in folder.list_files("stats", glob_pattern="*.json") if folder.exists("stats") else []:
        with folder.open(path, "rt") as handle:
            for block in json.load(handle):
                for name, value in block.get("stats", {}).items():
                    total = value.get("total", 0) if isinstance(value, dict) else value
                    if isinstance(total, int | float):
                        totals[name] = totals.get(name, 0) + total
    return totals


def build(
    raw_roots: Sequence[Path] | Path,
    out_dir: Path,
    *,
    executor: str = "local",
    tasks: int | None = None,
    workers: int | None = None,
    work_dir: str | None = None,
    cache: Path | None = None,
    dedup_threshold: float = DEFAULT_THRESHOLD,
    ray_address: str | None = None,
    slurm: SlurmOptions | None = None,
    soft_limit: float | None = None,
    keep_work: bool = False,
    against: Path | None = None,
    audit: Path | None = None,
) -> BuildSummary:
    """Build ``raw_roots`` into ``out_dir`` as resumable stages on a datatrove executor; publish atomically.

    Rerunning the same command after a crash resumes: completed tasks (datatrove's completion markers in
    the run folder) are skipped. With ``executor="slurm"`` the stages are submitted as dependent job arrays
    and the function returns once they are queued (the summary then holds the input counts only). ``tasks``
    defaults to ``auto_tasks``: one parse task per ``FILES_PER_TASK`` files, a multiple of the workers."""
    from builders.engine.cache import open_cache

    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    if tasks is not None and tasks < 1:
        raise ValueError(f"tasks must be at least 1, got {tasks}")
    roots = [Path(raw_roots)] if isinstance(raw_roots, (str, Path)) else [Path(r) for r in raw_roots]
    if not roots:
        raise ValueError("no raw root given")
    workers = workers or os.cpu_count() or 1
    out_dir = Path(out_dir)
    if cache is not None:
        open_cache(Path(cache))
    check_replaceable(out_dir)  # before any work: a folder no build wrote is refused at once
    previous_ledger(Path(against) if against else None)  # and an --against that is no release (AgainstError)
    work, run_url, files, ignored, key, tasks = _prepare(roots, tasks, workers, work_dir, out_dir, dedup_threshold)
    the_plan = plan(run_url, executor, tasks, workers, dedup_threshold, Path(cache) if cache else None, soft_limit)
    write = WriteDataset(
        run_url,
        tasks,
        str(out_dir.resolve()),
        dedup_threshold,
        str(Path(against).resolve()) if against else None,
        str(Path(audit).resolve()) if audit else None,
        processes=workers,
    )
    if executor == "slurm":
        previous = None
        for name, step, count, _ in the_plan.stages:
            previous = _executor("slurm", step, count, 1, f"{run_url}/logs/{name}", slurm, name, previous)
        final = _executor("slurm", write, 1, 1, f"{run_url}/logs/write", slurm, "write", previous)
        final.run()
        return BuildSummary(files_seen=files + len(ignored), ignored=ignored)
    started_ray = False
    if executor == "ray":
        import ray

        if not ray.is_initialized():
            if ray_address:
                ray.init(address=ray_address)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
            started_ray = True
    in_children = workers > 1  # one worker: the tasks run in this process (``builders.engine.local``)
    used: dict[str, dict[str, float]] = {}
    try:
        for name, step, count, concurrent in the_plan.stages:
            runner = _executor(
                executor, step, count, concurrent, f"{run_url}/logs/{name}", slurm, name, in_children=in_children
            )
            used[name] = {"tasks": count, **_run_stage(runner, name, run_url)}
    finally:
        if started_ray:
            import ray

            ray.shutdown()
    # The write stage runs on this machine, where the output lives, whatever the executor.
    runner = _executor("local", write, 1, 1, f"{run_url}/logs/write", None, "write", in_children=in_children)
    used["write"] = _run_stage(runner, "write", run_url)
    summary = read_summary(get_datafolder(run_url))
    summary.engine = {name: {**stage_report(run_url, name), **usage} for name, usage in used.items()}  # type: ignore[attr-defined]
    if not keep_work:
        work.rm(f"runs/{key}", recursive=True)
        if work_dir is None:  # the default work dir beside the output goes with a successful build
            shutil.rmtree(default_work_dir(out_dir), ignore_errors=True)
    return summary


def _run_stage(runner: Any, name: str, run_url: str) -> dict[str, float]:
    """Run a stage to completion; what its task processes used, when they ran in children of the local executor."""
    runner.run()
    missing = runner.get_incomplete_ranks()
    if missing:
        raise EngineError(f"stage {name}: tasks {missing[:10]} did not complete; see {run_url}/logs/{name}/logs")
    peak = getattr(runner, "peak_rss", 0)
    return {"peak_rss_mb": round(peak / 2**20), "task_cpu_seconds": round(runner.cpu_seconds, 2)} if peak else {}


def slurm_scripts(
    raw_roots: Sequence[Path],
    out_dir: Path,
    *,
    tasks: int,
    work_dir: str,
    slurm: SlurmOptions,
    dedup_threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, str]:
    """The sbatch script of each stage, as ``build(executor="slurm")`` would submit it (nothing is submitted)."""
    roots = [Path(r) for r in raw_roots]
    _, run_url, *_ = _prepare(roots, tasks, slurm.cpus_per_task, work_dir, Path(out_dir), dedup_threshold)
    the_plan = plan(run_url, "slurm", tasks, slurm.cpus_per_task, dedup_threshold, None)
    scripts = {}
    write = WriteDataset(run_url, tasks, str(Path(out_dir).resolve()), dedup_threshold, processes=slurm.cpus_per_task)
    for name, step, count, _ in [*the_plan.stages, ("write", write, 1, 1)]:
        runner = _executor("slurm", step, count, 1, f"{run_url}/logs/{name}", slurm, name)
        command = f"launch_pickled_pipeline {runner.logging_dir.resolve_paths('executor.pik')}"
        scripts[name] = runner.get_launch_file_contents(runner.get_sbatch_args(count), f"srun -l -n 1 {command}")
    return scripts
