"""The engine: byte-identical to ``builders.build`` whatever the layout, resumable, cached, several roots."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.make_corpus import write_corpus
from builders.build import build as oracle_build  # one task, two workers: what the others must equal
from builders.dedup.lsh import (
    MAX_BUCKET,
    band_candidates,
    band_keys,
    band_params,
    candidate_threshold,
    near_codes,
    near_duplicate_pairs,
)
from builders.engine import EngineError, SlurmOptions, build, slurm_scripts
from builders.engine.stage_merge import MergeBand
from builders.engine.steps import KILL_AT, EngineStep
from tests.test_determinism import copy_scrambled, tree_bytes

POSTS = 36
REPO = Path(__file__).resolve().parents[2]


def plant_duplicates(root: Path) -> None:
    """Copies the build must find: two exact copies in other feeds, one near copy (one sentence changed)."""
    posts = sorted((root / "source" / "_posts").rglob("*.md"))
    paragraphs = [p for p in posts if "<p>" in p.read_text(encoding="utf-8")]
    long_posts = sorted(paragraphs, key=lambda p: (-p.stat().st_size, p))[:3]
    for number, path in enumerate(long_posts[:2]):
        target = path.parent.parent / f"copied-feed-{number}" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    source = long_posts[2]
    text = source.read_text(encoding="utf-8")
    body = text.index("<p>")
    at = body + len("<p>")
    near = source.parent.parent / "near-feed" / source.name
    near.parent.mkdir(parents=True, exist_ok=True)
    near.write_text(text[:at] + "某" + text[at + 1 :], encoding="utf-8")


def plant_template_crowd(root: Path, copies: int) -> None:
    """Posts sharing one text (one that has an exact copy already), copy n with n characters changed: LSH buckets of
    more than ``MAX_BUCKET`` members that the merge must split, near duplicates and pairs the rule rejects."""
    posts = sorted((root / "source" / "_posts").rglob("*.md"))
    paragraphs = [p for p in posts if "<p>" in p.read_text(encoding="utf-8")]
    source = sorted(paragraphs, key=lambda p: (-p.stat().st_size, p))[2]
    text = source.read_text(encoding="utf-8")
    hanzi = [at for at in range(text.index("<p>"), text.rindex("</p>")) if "\u4e00" <= text[at] <= "\u9fff"]
    rng = random.Random(17)
    folder = source.parent.parent / "template-feed"
    folder.mkdir()
    for number in range(copies):
        chars = list(text)
        for at in rng.sample(hanzi, number):
            chars[at] = chr(rng.randrange(0x4E00, 0x9FA5))
        (folder / f"{number:03d} {source.name}").write_text("".join(chars), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("engine") / "raw"
    write_corpus(root, POSTS, seed=11)
    plant_duplicates(root)
    return root


@pytest.fixture(scope="module")
def expected(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("oracle") / "dataset"
    summary = oracle_build(corpus, out, workers=2)
    assert summary.duplicates >= 3, "the planted copies must be found for the comparison to mean anything"
    return tree_bytes(out)


@pytest.mark.parametrize(("tasks", "workers"), [(1, 1), (3, 2), (8, 1)])
def test_same_bytes_as_the_build_whatever_the_layout(
    corpus: Path, expected: dict[str, bytes], tmp_path: Path, tasks: int, workers: int
) -> None:
    summary = build([corpus], tmp_path / "dataset", tasks=tasks, workers=workers)
    assert tree_bytes(tmp_path / "dataset") == expected
    assert summary.reconciles()
    assert summary.engine["merge"]["pairs"] >= 1  # type: ignore[attr-defined]
    assert not (tmp_path / ".dataset.work" / "runs").exists() or not any(
        (tmp_path / ".dataset.work" / "runs").iterdir()
    )


@pytest.fixture(scope="module")
def crowded_corpus(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crowded") / "raw"
    shutil.copytree(corpus, root)
    plant_template_crowd(root, 100)
    return root


def _band_pairs(run: Path, bands: int) -> list[set[tuple[str, str]]]:
    """Per band, the pairs the merge tasks of a run folder wrote (each file sorted, a < b)."""
    files = sorted((run / "pairs").glob("*.parquet"))
    ranges = len(files) // bands
    found: list[set[tuple[str, str]]] = [set() for _ in range(bands)]
    for rank, path in enumerate(files):
        table = pq.read_table(path)
        pairs = list(zip(table.column("a").to_pylist(), table.column("b").to_pylist(), strict=True))
        assert pairs == sorted(set(pairs)) and all(a < b for a, b in pairs)
        found[rank // ranges] |= set(pairs)
    return found


@pytest.mark.parametrize("tasks", [1, 3])
def test_merge_finds_the_pairs_of_the_in_memory_search(crowded_corpus: Path, tmp_path: Path, tasks: int) -> None:
    """The merge stage's pairs, band by band and in all, are those of ``near_duplicate_pairs`` over the sketches
    (one per exact-duplicate group, in id order, as ``DuplicateFinder`` searches), crowded buckets included;
    and so whatever the hash ranges a band is cut into."""
    summary = build(
        [crowded_corpus], tmp_path / "dataset", tasks=tasks, workers=2, keep_work=True, work_dir=str(tmp_path / "work")
    )
    (run,) = (tmp_path / "work" / "runs").iterdir()
    sketches = pa.concat_tables(pq.read_table(p) for p in sorted((run / "parse" / "sketches").glob("*.parquet")))
    first: dict[str, dict[str, object]] = {}
    for row in sketches.sort_by("id").to_pylist():
        if row["sig"] is not None:
            first.setdefault(row["key"], row)
    members = sorted(first.values(), key=lambda row: row["id"])
    ids = [row["id"] for row in members]
    signatures = np.stack([np.frombuffer(row["sig"], dtype="<u4") for row in members])
    sizes = np.array([row["size"] for row in members])
    count = len(ids)
    candidates = list(band_candidates(signatures, 0.8))
    expected = [
        {(ids[c // count], ids[c % count]) for c in near_codes(codes, signatures, sizes, 0.8).tolist()}
        for codes in candidates
    ]
    bands, rows = band_params(candidate_threshold(0.8))
    crowded = [int(np.unique(band_keys(signatures, band, rows), return_counts=True)[1].max()) for band in range(bands)]
    assert sum(size > MAX_BUCKET for size in crowded) > bands // 2  # the test means something
    assert len(sketches) > count  # exact copies were left out of the search
    assert 1000 < sum(map(len, expected)) < sum(map(len, candidates))  # the rule keeps some, rejects some

    found = _band_pairs(run, bands)
    assert found == expected
    assert set().union(*found) == {(ids[a], ids[b]) for a, b in near_duplicate_pairs(signatures, sizes, 0.8).tolist()}
    assert summary.engine["merge"]["candidates"] == sum(map(len, candidates))  # type: ignore[attr-defined]
    assert summary.engine["merge"]["pairs"] == sum(map(len, expected))  # type: ignore[attr-defined]

    shutil.rmtree(run / "pairs")  # the same band cut into 3 hash ranges: the same pairs
    step = MergeBand(str(run), tasks, 3, 0.8)
    for rank in range(3 * bands):
        list(step.run(None, rank, 3 * bands))
    assert _band_pairs(run, bands) == expected


def test_shuffled_file_system_order(corpus: Path, expected: dict[str, bytes], tmp_path: Path) -> None:
    scrambled = copy_scrambled(corpus, tmp_path / "scrambled", seed=5)
    build([scrambled], tmp_path / "dataset", tasks=3, workers=2)
    assert tree_bytes(tmp_path / "dataset") == expected


def test_ray_on_a_local_two_cpu_ray(corpus: Path, expected: dict[str, bytes], tmp_path: Path) -> None:
    import ray

    build([corpus], tmp_path / "dataset", executor="ray", tasks=3, workers=2)
    assert not ray.is_initialized()  # the build started its own Ray and shut it down
    assert tree_bytes(tmp_path / "dataset") == expected


def _run_build(corpus: Path, out: Path, work: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from pathlib import Path; from builders.engine import build\n"
        "if __name__ == '__main__':\n"
        f"    build([Path({str(corpus)!r})], Path({str(out)!r}), tasks=3, workers=1, work_dir={str(work)!r})\n"
    )
    log = out.parent / f"build-{len(list(out.parent.glob('build-*.log')))}.log"
    with log.open("w") as handle:  # a file, not a pipe: nothing waits on helpers a killed driver leaves
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO, env={**os.environ, **env}, stdout=handle, stderr=handle, timeout=600
        )
    return subprocess.CompletedProcess(done.args, done.returncode, "", log.read_text(errors="replace"))


def test_resume_after_sigkill_of_the_driver(corpus: Path, expected: dict[str, bytes], tmp_path: Path) -> None:
    out, work = tmp_path / "dataset", tmp_path / "work"
    oracle_build(corpus, out, workers=1)  # a previous release, which the killed build must leave untouched
    before = tree_bytes(out)
    killed = _run_build(corpus, out, work, {KILL_AT: "merge:2"})
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert tree_bytes(out) == before
    runs = list((work / "runs").iterdir())
    assert len(runs) == 1
    assert sorted(p.name for p in (runs[0] / "logs" / "parse" / "completions").iterdir()) == ["00000", "00001", "00002"]
    assert sorted(p.name for p in (runs[0] / "logs" / "merge" / "completions").iterdir()) == ["00000", "00001"]
    resumed = _run_build(corpus, out, work, {})
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "parse: 3 of 3 tasks already complete, skipped" in resumed.stderr  # parse not redone
    assert "merge: 2 of 27 tasks already complete, skipped" in resumed.stderr  # nor the merge tasks done before
    assert tree_bytes(out) == expected


def test_cache_hits_after_a_one_file_change(corpus: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    cache = tmp_path / "cache"
    first = build([raw], tmp_path / "first", tasks=2, workers=1, cache=cache)
    files = first.files_seen - len(first.ignored)
    assert first.engine["parse"]["cache_misses"] == files  # type: ignore[attr-defined]
    changed = sorted((raw / "source" / "_posts").rglob("*.md"))[5]
    changed.write_text(changed.read_text(encoding="utf-8").replace("</p>", "（更新）</p>", 1), encoding="utf-8")
    added = changed.parent / "新增的一篇.md"
    added.write_bytes(
        sorted((raw / "source" / "_posts").rglob("*.md"))[7].read_bytes().replace(b"title:", b"title: x", 1)
    )
    second = build([raw], tmp_path / "second", tasks=3, workers=1, cache=cache)
    assert second.engine["parse"]["cache_misses"] == 2  # type: ignore[attr-defined]
    assert second.engine["parse"]["cache_hits"] == files - 1  # type: ignore[attr-defined]
    oracle_build(raw, tmp_path / "scratch", workers=1)
    assert tree_bytes(tmp_path / "second") == tree_bytes(tmp_path / "scratch")

    segment = sorted((cache / "segments").glob("*.parquet"))[0]
    segment.write_bytes(segment.read_bytes()[:100])  # a truncated segment: reported, recomputed, never used
    third = build([raw], tmp_path / "third", tasks=1, workers=1, cache=cache)
    assert third.engine["parse"]["cache_corrupt"] == 1  # type: ignore[attr-defined]
    assert tree_bytes(tmp_path / "third") == tree_bytes(tmp_path / "scratch")


def test_a_flipped_byte_in_a_cached_record_is_caught_and_recomputed(
    corpus: Path, expected: dict[str, bytes], tmp_path: Path
) -> None:
    """A cached record is used as Arrow, never unpickled and checked: its pages carry checksums. A byte flipped in
    the middle of the records' text column is reported and those records recomputed; the dataset is the same."""
    cache = tmp_path / "cache"
    build([corpus], tmp_path / "first", tasks=1, workers=1, cache=cache)
    (segment,) = (cache / "segments").glob("*.parquet")
    metadata = pq.ParquetFile(segment).metadata
    columns = [metadata.row_group(0).column(i) for i in range(metadata.num_columns)]
    (text,) = [c for c in columns if c.path_in_schema == "record.text"]
    data = bytearray(segment.read_bytes())
    at = text.data_page_offset + text.total_compressed_size // 2
    data[at] ^= 0xFF
    segment.write_bytes(bytes(data))
    second = build([corpus], tmp_path / "second", tasks=1, workers=1, cache=cache)
    parse = second.engine["parse"]  # type: ignore[attr-defined]
    assert parse["cache_hits"] > 0 and parse["cache_corrupt"] == 1  # one message for the row group, not one an entry
    assert tree_bytes(tmp_path / "second") == expected


def test_merge_refuses_a_sketch_file_that_is_not_the_one_its_band_files_name(corpus: Path, tmp_path: Path) -> None:
    """Merge reads a signature by its row in the parse task's sketch file; a sketch file whose rows are not the
    ones the band files name (another run's, reordered) is an error with a message, never wrong pairs."""
    build([corpus], tmp_path / "dataset", tasks=2, workers=1, keep_work=True, work_dir=str(tmp_path / "work"))
    (run,) = (tmp_path / "work" / "runs").iterdir()
    sketch = run / "parse" / "sketches" / "00000.parquet"
    table = pq.read_table(sketch)
    pq.write_table(table.take(np.arange(table.num_rows)[::-1]), sketch)
    bands, _ = band_params(candidate_threshold(0.8))
    errors = []
    for rank in range(bands):
        try:
            list(MergeBand(str(run), 2, 1, 0.8).run(rank=rank, world_size=bands))
        except EngineError as error:
            errors.append(str(error))
    assert errors and all("does not hold the sketches its band files name" in e for e in errors)


def test_a_work_dir_of_another_version_is_refused(corpus: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "ENGINE.json").write_text(json.dumps({"format": "zh-rss-posts engine work dir", "layout": 0}))
    with pytest.raises(EngineError, match="another engine version"):
        build([corpus], tmp_path / "dataset", work_dir=str(work))
    assert not (tmp_path / "dataset").exists()


def test_several_roots_namespace_raw_paths_and_dedup_across_them(corpus: Path, tmp_path: Path) -> None:
    fork = tmp_path / "fork"
    one = sorted((corpus / "source" / "_posts").rglob("*.md"))[3]
    target = fork / "source" / "_posts" / one.relative_to(corpus / "source" / "_posts")
    target.parent.mkdir(parents=True)
    target.write_bytes(one.read_bytes())
    summary = build([corpus, fork], tmp_path / "dataset", tasks=2, workers=1)
    rows: list[dict[str, object]] = []
    for shard in sorted((tmp_path / "dataset" / "data").glob("*.parquet")):
        rows += pq.read_table(shard, columns=["id", "raw_path", "duplicate_of", "is_duplicate"]).to_pylist()
    assert len({row["id"] for row in rows}) == len(rows)
    assert {row["raw_path"].split("/", 1)[0] for row in rows} == {"raw", "fork"}
    copy = next(row for row in rows if row["raw_path"].startswith("fork/"))
    original = next(row for row in rows if row["raw_path"] == "raw/" + copy["raw_path"].split("/", 1)[1])
    assert {copy["is_duplicate"], original["is_duplicate"]} == {True, False}
    assert summary.reconciles()


def test_slurm_scripts_are_rendered_without_submitting(corpus: Path, tmp_path: Path) -> None:
    options = SlurmOptions(partition="cpu-long", time="02:00:00", cpus_per_task=4, mem_per_cpu_gb=3)
    scripts = slurm_scripts([corpus], tmp_path / "dataset", tasks=8, work_dir=str(tmp_path / "work"), slurm=options)
    assert list(scripts) == ["parse", "merge", "components", "write"]
    parse = scripts["parse"]
    for line in [
        "#SBATCH --partition=cpu-long",
        "#SBATCH --time=02:00:00",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --mem-per-cpu=3G",
        "#SBATCH --array=0-7",
    ]:
        assert line in parse
    assert "launch_pickled_pipeline" in parse and "/logs/parse/executor.pik" in parse
    assert "#SBATCH --array=0-0" in scripts["components"]


def test_the_driver_of_a_multi_worker_build_never_loads_the_heavy_libraries(corpus: Path, tmp_path: Path) -> None:
    """With more than one worker the tasks run in child processes: the driver holds the file list, not the records,
    and never imports pandera, polars, datasets, matplotlib or pandas (what keeps its memory flat; pyarrow would
    import pandas to convert a Python list, so the driver writes the file list as JSON lines)."""
    code = (
        "import json, sys; from pathlib import Path; from builders.engine import build\n"
        "if __name__ == '__main__':\n"
        f"    summary = build([Path({str(corpus)!r})], Path({str(tmp_path / 'dataset')!r}), tasks=2, workers=2)\n"
        "    heavy = ['polars', 'pandera', 'datasets', 'matplotlib', 'pandas', 'datasketch', 'scipy']\n"
        "    print(json.dumps({'loaded': [m for m in heavy if m in sys.modules], 'engine': summary.engine}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600, env=os.environ.copy()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    for stage in ("parse", "merge", "components", "write"):  # each ran in a child process, which reported itself
        assert report["engine"][stage]["peak_rss_mb"] > 0 and report["engine"][stage]["task_cpu_seconds"] > 0


def test_default_tasks_follow_the_file_count(corpus: Path, expected: dict[str, bytes], tmp_path: Path) -> None:
    """Without ``--tasks`` a build has one parse task per ``FILES_PER_TASK`` files, rounded up to a multiple of the
    workers (no task runs alone at the end), so a task's memory follows its slice; the dataset is the same bytes."""
    from builders.engine import driver

    cases = [(0, 1), (91, 1), (91, 2), (25_000, 1), (25_000, 2), (100_955, 2), (100_955, 3), (40_000, 4)]
    assert [driver.auto_tasks(files, workers) for files, workers in cases] == [1, 1, 2, 3, 4, 12, 12, 4]
    files = len(list((corpus / "source" / "_posts").rglob("*.md")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(driver, "FILES_PER_TASK", 10)
        summary = build([corpus], tmp_path / "dataset", workers=1)
    assert summary.engine["parse"]["tasks"] == -(-files // 10) > 1  # type: ignore[attr-defined]
    assert tree_bytes(tmp_path / "dataset") == expected


def test_a_lookup_finds_its_keys_in_every_row_group(tmp_path: Path) -> None:
    """The cache reads a segment's keys, then only the row groups holding a match: every wanted key is found at
    its own row, whatever row group it is in, and nothing else is."""
    from builders.common.quarantine import Reason, Rejection
    from builders.engine import cache

    folder = cache.open_cache(tmp_path / "cache")
    outcomes = {f"post-{n:02d}.md": Rejection(f"post-{n:02d}.md", Reason.NO_TITLE, f"message {n}") for n in range(23)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "ROW_GROUP", 4)
        writer = cache.SegmentWriter(folder)
        for raw_path, outcome in outcomes.items():
            writer.add(cache.entry_key(raw_path, "0" * 64), outcome)
        segment = writer.close()
    assert segment is not None and pq.ParquetFile(segment).num_row_groups == 6
    wanted = {cache.entry_key(p, "0" * 64): p for p in ["post-00.md", "post-05.md", "post-06.md", "post-22.md"]}
    found = cache.lookup(folder, {*wanted, cache.entry_key("post-99.md", "0" * 64)})
    assert sorted(found.hits) == sorted(wanted)
    assert {(e.group, e.row) for e in found.hits.values()} == {(0, 0), (1, 1), (1, 2), (5, 2)}
    payloads = cache.Payloads()
    assert {wanted[k]: payloads.get(e).rejection for k, e in found.hits.items()} == {
        p: outcomes[p] for p in wanted.values()
    }  # type: ignore[union-attr]


class _WritePid(EngineStep):
    """A task that writes the pid of its process."""

    name = "pid"

    def run(self, data: object = None, rank: int = 0, world_size: int = 1) -> Iterator[object]:
        with self.folder.open(f"pids/{rank:05d}", "wt") as handle:
            handle.write(str(os.getpid()))
        return
        yield


class _WritePidFresh(_WritePid):
    fresh_process = True


@pytest.mark.parametrize(("step", "fresh"), [(_WritePid, False), (_WritePidFresh, True)])
def test_a_step_can_ask_for_a_process_per_task(tmp_path: Path, step: type, fresh: bool) -> None:
    """Parse tasks ask for a fresh child each (their file workers fork from it); other stages reuse children."""
    from builders.engine.local import LocalExecutor

    runner = LocalExecutor([step(str(tmp_path))], tasks=6, workers=2, logging_dir=str(tmp_path / "logs"))
    runner.run()
    pids = [(tmp_path / "pids" / f"{rank:05d}").read_text() for rank in range(6)]
    assert len(set(pids)) == (6 if fresh else 2)


def test_a_chunk_puts_cached_and_computed_records_back_in_file_order(tmp_path: Path) -> None:
    """A parse chunk takes cached records from their row groups (two segments here, several groups each) and
    converts the ones computed now; interleaved at random, the records and sketches come out in file order, the
    same rows and cells as if every record had been computed now."""
    from builders.engine import cache
    from builders.engine.stage_parse import ChunkRecords
    from builders.engine.steps import SKETCH_SCHEMA
    from builders.pipeline.discover import RawFile
    from builders.pipeline.step import process_one
    from builders.write.shards import rows_to_table
    from tests.helpers import make_post

    raw = tmp_path / "raw" / "source" / "_posts" / "金融" / "测试源" / "快讯"
    raw.mkdir(parents=True)
    outcomes = []
    for n in range(30):
        body = (
            "<p>短</p>"
            if n % 7 == 0
            else f"<p>第{n}篇。" + "这是一段足够长的正文，用来算出签名。" * (n % 4 + 3) + "</p>"
        )
        path = raw / f"帖子{n:02d}.md"
        path.write_text(make_post(title=f"'标题{n}'", body=body), encoding="utf-8")
        result = process_one(RawFile(f"金融/测试源/快讯/帖子{n:02d}.md", str(path)))
        outcomes.append((result.row, result.features, result.cleaning, result.samples))  # type: ignore[union-attr]
    assert any(o[1].sketch is None for o in outcomes) and any(o[1].sketch is not None for o in outcomes)
    folder = cache.open_cache(tmp_path / "cache")
    keys = [cache.entry_key(o[0]["raw_path"], o[0]["raw_sha256"]) for o in outcomes]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "ROW_GROUP", 4)
        for part in (range(0, 30, 2), range(1, 30, 2)):  # two segments, of the even and the odd posts
            writer = cache.SegmentWriter(folder)
            for n in part:
                writer.add(keys[n], outcomes[n])
            writer.close()
    found = cache.lookup(folder, set(keys))
    assert len(found.hits) == 30
    payloads = cache.Payloads()
    rng = random.Random(3)
    for _ in range(5):
        chunk = ChunkRecords()
        computed = []
        for n in range(30):
            hit = payloads.get(found.hits[keys[n]]) if rng.random() < 0.7 else None
            chunk.add(hit if hit is not None else outcomes[n])
            computed += [] if hit is not None else [outcomes[n][0]]
        assert 0 < len(computed) < 30
        records, sketches = chunk.tables(rows_to_table(computed))
        assert records.equals(rows_to_table([o[0] for o in outcomes]))
        expected = [{"id": o[0]["id"], **cache.dedup_fields(o[0], o[1])} for o in outcomes]
        assert sketches.equals(pa.Table.from_pylist(expected, schema=SKETCH_SCHEMA))
