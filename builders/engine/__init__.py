"""The build as resumable stages on datatrove's executors (local by default, Ray, Slurm), with an outcome cache.

Stages (each a ``datatrove`` ``PipelineStep`` in a module of its own, ``stage_parse``, ``stage_merge``,
``stage_components``, ``stage_write``; what they share in ``steps``), run by ``driver`` on an executor
(``local``: each task in a child process of a clean forkserver; datatrove's Ray and Slurm executors):

1. ``parse`` (``--tasks`` tasks; by default one per ``driver.FILES_PER_TASK`` files, a multiple of the workers,
   so a task's memory follows its slice): a contiguous slice of the sorted file list per task, the per-file step
   with per-file isolation, the outcome cache; records, rejections, inputs, sketches and per-band signatures;
2. ``merge`` (bands x hash ranges): per LSH band and range, buckets -> candidate pairs -> near pairs;
3. ``components`` (one task): union-find over exact groups and near pairs, canonical members, marks;
4. ``write`` (one task, where the output lives): marks joined to the records, splits, shards, card,
   stats, croissant, manifest, atomic publish; with several workers, forked helpers read the shards back for
   the manifest while the task writes the stats, plots and card.

The work dir (``--work-dir``, a local folder or an fsspec URL; default ``.<out>.work`` beside the output)
holds ``ENGINE.json`` (its format) and one run folder per distinct input, ``runs/<key>/``, keyed by the
code fingerprint, the parameters, the roots and every file's path, size and mtime: a run of other inputs
is never mixed in. A run folder holds ``input/files.jsonl`` and ``input/ignored.jsonl``;
``parse/{records,rejections,inputs,sketches}/<task>``; ``bands/<band>/<task>.parquet`` (band key,
exact key, id, the record's row in its sketch file; sorted); ``pairs/<task>.parquet``; ``components/marks.parquet`` and ``stats.json``;
``<stage>/done/<task>.json`` sidecars; and ``logs/<stage>/`` (datatrove's logs, stats and
``completions/`` markers). A successful build removes its run folder.
"""

from builders.common.summary import BuildSummary
from builders.engine.driver import EXECUTORS, SlurmOptions, build, root_labels, slurm_scripts
from builders.engine.steps import EngineError

__all__ = ["EXECUTORS", "BuildSummary", "EngineError", "SlurmOptions", "build", "root_labels", "slurm_scripts"]
