"""Compare our cleaner with trafilatura (precision mode) on the same post bodies.

    python benchmarks/compare_trafilatura.py [RAW]     # RAW defaults to ../shared/corpus/raw

For both extractors it counts the documents that leak a boilerplate phrase (``schemas/boilerplate.py``)
or markup (the tag, comment, entity and CSS patterns of ``schemas/frames.py``), and it matches
paragraphs between the two outputs.

Paragraph matching: a paragraph is reduced to its letters and digits (NFC, casefolded; whitespace,
punctuation and list or quote markers dropped). A trafilatura paragraph is *kept by us* when at least
90% of that reduced form occurs, in order, in our reduced text (difflib matching blocks of 2+
characters: trafilatura drops or glues inline fragments, e.g. around Sina's stock tags), or when it
is a short line (at most 60 characters) naming every part of a value we lifted into a field (editor,
byline, original_title, attribution, url). A trafilatura paragraph we do not keep is *boilerplate*
when it contains a listed boilerplate phrase or markup, and *lost* otherwise. The reverse direction
counts our paragraphs that trafilatura keeps, by the same 90% rule. Needs the ``compare`` extra (``pip install .[compare]``).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from builders.pipeline.front_matter import split_post  # noqa: E402
from builders.pipeline.step import process_file  # noqa: E402
from schemas.boilerplate import all_phrases  # noqa: E402
from schemas.frames import CSS_RULE, HTML_COMMENT, HTML_ENTITY, MARKUP_TAG  # noqa: E402
from schemas.record import Post  # noqa: E402

BOILERPLATE = re.compile("|".join(re.escape(p) for p in all_phrases()))
MARKUP = re.compile(
    "|".join(f"(?:{p})" for p in (MARKUP_TAG, HTML_COMMENT.removeprefix("(?m)"), HTML_ENTITY, CSS_RULE)), re.M
)
NOT_WORD = re.compile(r"[\W_]+")
LIFTED_FIELDS = ("editor", "byline", "original_title", "attribution", "url")
COVERED = 0.9  # share of a paragraph's letters and digits that must be found, in order, in the other text
FIELD_LINE = 60  # a line at most this long that names every part of a lifted field value was lifted
NAME_PARTS = re.compile(r"[、\s]+")


def reduce(text: str) -> str:
    """A paragraph's letters and digits only: the form paragraphs are matched in."""
    return NOT_WORD.sub("", unicodedata.normalize("NFC", text).casefold())


def covered(paragraph: str, text: str) -> bool:
    """True when at least ``COVERED`` of ``paragraph`` (reduced) occurs in ``text`` (reduced), in order.

    Exact containment first; otherwise difflib's matching blocks, which tolerate an extractor that drops
    or glues the inline fragments between words (trafilatura does, around Sina's stock tags).
    """
    if paragraph in text:
        return True
    matcher = difflib.SequenceMatcher(None, paragraph, text, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks() if block.size >= 2)
    return matched >= COVERED * len(paragraph)


def lifted(paragraph: str, values: list[str]) -> bool:
    """True when a paragraph is a value we lifted, or a short one naming every part of such a value."""
    reduced = reduce(paragraph)
    if any(reduced == reduce(value) for value in values):
        return True
    if len(paragraph) > FIELD_LINE:
        return False
    for value in values:
        parts = [reduce(part) for part in NAME_PARTS.split(value) if reduce(part)]
        if parts and all(part in reduced for part in parts):
            return True
    return False


def leaks(text: str) -> bool:
    return bool(BOILERPLATE.search(text) or MARKUP.search(text))


def trafilatura_text(body: str) -> str:
    import trafilatura

    html = f"<html><body>{body}</body></html>"
    return trafilatura.extract(html, favor_precision=True, include_comments=False, include_tables=True) or ""


@dataclass
class Comparison:
    documents: int = 0
    ours_leaking: list[str] = field(default_factory=list)
    theirs_leaking: list[str] = field(default_factory=list)
    their_paragraphs: int = 0
    kept_by_us: int = 0
    boilerplate_dropped: int = 0
    lost: list[tuple[str, str]] = field(default_factory=list)  # (raw_path, paragraph)
    our_paragraphs: int = 0
    kept_by_them: int = 0
    seconds_ours: float = 0.0
    seconds_theirs: float = 0.0

    def table(self) -> str:
        def share(part: int, whole: int) -> str:
            return f"{part} / {whole} ({100 * part / whole:.1f}%)" if whole else "0 / 0"

        rows = [
            ("documents", str(self.documents), str(self.documents)),
            ("documents leaking boilerplate or markup", str(len(self.ours_leaking)), str(len(self.theirs_leaking))),
            (
                "paragraphs of the other extractor kept",
                share(self.kept_by_us, self.their_paragraphs),
                share(self.kept_by_them, self.our_paragraphs),
            ),
            ("trafilatura paragraphs we drop as boilerplate", str(self.boilerplate_dropped), "-"),
            ("trafilatura paragraphs we lose", str(len(self.lost)), "-"),
            ("seconds (parse + clean, one core)", f"{self.seconds_ours:.2f}", f"{self.seconds_theirs:.2f}"),
        ]
        lines = ["| measure | zh-rss-posts | trafilatura (precision) |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
        return "\n".join(lines)


def compare(raw_root: Path) -> Comparison:
    posts = raw_root / "source" / "_posts"
    result = Comparison()
    for path in sorted(posts.rglob("*.md")):
        data = path.read_bytes()
        raw_path = path.relative_to(posts).as_posix()
        start = time.perf_counter()
        record = process_file(data, raw_path)
        result.seconds_ours += time.perf_counter() - start
        if not isinstance(record, Post):
            continue
        _, body = split_post(data.decode("utf-8"))
        start = time.perf_counter()
        theirs = trafilatura_text(body)
        result.seconds_theirs += time.perf_counter() - start
        result.documents += 1
        if leaks(record.text):
            result.ours_leaking.append(raw_path)
        if leaks(theirs):
            result.theirs_leaking.append(raw_path)

        ours_reduced = reduce(record.text)
        values = [str(getattr(record, name)) for name in LIFTED_FIELDS if getattr(record, name)]
        theirs_reduced = reduce(theirs)
        for paragraph in filter(None, (p.strip() for p in theirs.split("\n"))):
            reduced = reduce(paragraph)
            if not reduced:
                continue
            result.their_paragraphs += 1
            if covered(reduced, ours_reduced) or lifted(paragraph, values):
                result.kept_by_us += 1
            elif leaks(paragraph):
                result.boilerplate_dropped += 1
            else:
                result.lost.append((raw_path, paragraph))
        for paragraph in filter(None, record.text.split("\n")):
            reduced = reduce(paragraph)
            if reduced:
                result.our_paragraphs += 1
                result.kept_by_them += covered(reduced, theirs_reduced)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", nargs="?", default=str(REPO.parent / "shared" / "corpus" / "raw"))
    args = parser.parse_args(argv)
    result = compare(Path(args.raw))
    print(result.table())
    for raw_path in result.theirs_leaking:
        print(f"trafilatura leaks: {raw_path}")
    for raw_path, paragraph in result.lost:
        print(f"lost: {raw_path}: {paragraph[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
