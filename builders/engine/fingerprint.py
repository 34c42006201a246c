"""Fingerprints of the code that decides a file's outcome, for the outcome cache and the work dir.

- ``shared`` covers everything every post goes through: the per-file pipeline (the worker-side rooms:
  ``builders/common``, ``pipeline``, ``annotate``, dedup's features and sketches), the shared cleaner rules (every module of ``builders/cleaners/`` outside ``sites/``),
  the record schema, the build-time rules (``builders/write/invariants.py``: the cache keeps outcomes after
  them), the dedup sketch parameters, and the versions of the libraries that parse or check (lxml, pydantic,
  pandera, polars) and of Python.
- ``site(name)`` is the hash of the source file of the site cleaner module that defines cleaner ``name``
  (empty for the generic cleaner): changing one site module invalidates that site's posts only.
- ``all_sites`` hashes every site module: it keys what no single cleaner decided (rejections).
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from functools import cache
from pathlib import Path

BUILDERS = Path(__file__).resolve().parent.parent
ROOT = BUILDERS.parent
# The code a file's outcome depends on besides the site cleaners: the worker-side rooms (globs relative to the
# repository root; the shared cleaner modules and schemas are added in ``shared``).
SHARED_CODE = (
    "builders/common/*.py",
    "builders/pipeline/*.py",
    "builders/annotate/*.py",
    "builders/dedup/features.py",
    "builders/dedup/minhash.py",
    "builders/write/invariants.py",  # a cached outcome is the one after the build-time rules
)
LAYOUT_VERSION = 3  # the engine's work dir and cache formats; bumped when they change


def _sha256_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def shared() -> str:
    """Fingerprint of the shared code and parameters (hex)."""
    from importlib.metadata import version

    import lxml
    import pydantic

    from builders.common.dataset import DATASET_VERSION
    from builders.dedup import minhash as m

    paths = [path for pattern in SHARED_CODE for path in sorted(ROOT.glob(pattern))]
    paths += sorted((BUILDERS / "cleaners").glob("*.py"))
    paths += sorted((ROOT / "schemas").glob("*.py"))
    parameters = (
        f"layout={LAYOUT_VERSION} dataset={DATASET_VERSION} shingle={m.SHINGLE_SIZE} perm={m.NUM_PERM} "
        f"seed={m.SEED} scheme={m.SCHEME} min_chars={m.MIN_NEAR_CHARS} lxml={lxml.__version__} "
        f"pydantic={pydantic.VERSION} pandera={version('pandera')} polars={version('polars')} "
        f"python={sys.version_info[:2]}"
    )
    return hashlib.sha256((_sha256_files(paths) + parameters).encode()).hexdigest()


@cache
def site(cleaner_name: str) -> str:
    """Fingerprint of the site module defining cleaner ``cleaner_name`` ("" for the generic cleaner)."""
    from builders.cleaners import all_cleaners

    cls = all_cleaners().get(cleaner_name)
    if cls is None:
        return ""
    source = inspect.getsourcefile(cls)
    return _sha256_files([Path(source).resolve()]) if source else ""


@cache
def all_sites() -> str:
    return _sha256_files(sorted((BUILDERS / "cleaners" / "sites").glob("*.py")))
