"""Find the raw posts under a root: every file ends as a post to process or an ignored non-post."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

POST_SUFFIX = ".md"


@dataclass(frozen=True, order=True)
class RawFile:
    """A post file: ``raw_path`` (relative to the posts root, NFC, '/'-separated) and where it lies."""

    raw_path: str
    path: Path


@dataclass(frozen=True, order=True)
class Ignored:
    """A file under the root that is not a post, with why."""

    raw_path: str
    why: str


def posts_root(root: Path) -> Path:
    """The folder holding the ``<category>/<source>/<feed>/`` levels: ``source/_posts`` of a Hexo site."""
    hexo = root / "source" / "_posts"
    return hexo if hexo.is_dir() else root


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True


def discover(root: Path) -> tuple[Path, list[RawFile], list[Ignored]]:
    """Walk ``root`` (symlinked folders are not entered; symlinked files only when they stay inside)."""
    base = posts_root(root)
    posts: list[RawFile] = []
    ignored: list[Ignored] = []
    for folder, dirs, names in os.walk(base, followlinks=False):
        dirs.sort()
        for name in names:
            path = Path(folder) / name
            raw_path = unicodedata.normalize("NFC", path.relative_to(base).as_posix())
            if not name.endswith(POST_SUFFIX):
                ignored.append(Ignored(raw_path, "not a .md post"))
            elif path.is_symlink() and not _inside(path, base):
                ignored.append(Ignored(raw_path, "symlink leaving the raw root"))
            elif not path.is_file():
                ignored.append(Ignored(raw_path, "not a regular file"))
            else:
                posts.append(RawFile(raw_path, path))
        for name in dirs:
            if (Path(folder) / name).is_symlink():
                ignored.append(
                    Ignored(
                        unicodedata.normalize("NFC", (Path(folder) / name).relative_to(base).as_posix()),
                        "symlinked folder not followed",
                    )
                )
    return base, sorted(posts), sorted(ignored)
