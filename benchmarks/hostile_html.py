"""Time and peak memory of ``process_file`` on hostile bodies, each in a fresh process.

    python benchmarks/hostile_html.py

Prints one line per case: outcome (record or quarantine reason), seconds, peak RSS above the baseline
of an idle process with the pipeline imported. The limits in ``builders/process.py`` (2 MB body,
20,000 elements) and the per-file time budget in ``builders/workers.py`` are chosen from these figures.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builders.pipeline.step import MAX_BODY_BYTES, MAX_ELEMENTS, process_file

HEAD = "\n---\ntitle: '敌意样本'\ncategories: \n - 测试\n - 基准\n - 敌意\ndate: Fri, 01 Jul 2022 23:44:55 GMT\n---\n\n"
NEAR = MAX_BODY_BYTES - 1024


def fill(unit: str, budget: int = NEAR) -> str:
    return unit * (budget // len(unit.encode()))


CASES = {
    "nesting 100,000 levels (div)": lambda: "<div>" * 100_000 + "深" + "</div>" * 100_000,
    f"nesting {MAX_ELEMENTS - 1} levels (div)": lambda: (
        "<div>" * (MAX_ELEMENTS - 1) + "深" + "</div>" * (MAX_ELEMENTS - 1)
    ),
    f"{MAX_ELEMENTS - 1} unclosed <b>": lambda: "<b>" * (MAX_ELEMENTS - 1) + "深",
    f"{MAX_ELEMENTS - 1} table cells": lambda: "<table><tr>" + "<td>格</td>" * (MAX_ELEMENTS - 3) + "</tr></table>",
    f"{MAX_ELEMENTS - 1} distinct images": lambda: "".join(
        f'<img src="https://img.example.com/{i}.jpg">' for i in range(MAX_ELEMENTS - 1)
    ),
    "attribute of ~2 MB": lambda: '<p title="' + fill("a", NEAR - 20) + '">正文</p>',
    "single line of ~2 MB": lambda: "<p>" + fill("字", NEAR - 10) + "</p>",
    "single line of 10 MB": lambda: "<p>" + "字" * (10 * 1024 * 1024 // 3) + "</p>",
    "malformed tags, ~2 MB": lambda: fill("<p <<a href=x <b>>>"),
    "unterminated comment, ~2 MB": lambda: "<p>前</p><!--" + fill("<p>x</p>", NEAR - 20),
    "entities, ~2 MB": lambda: fill("&amp;&#x4e2d;&lt;"),
    f"{MAX_ELEMENTS - 1} unclosed <pre>, ~2 MB": lambda: "<pre>码" * (MAX_ELEMENTS - 1) + fill("字", NEAR // 2),
    # "<T" counts as a start tag for the element cap: as many as the cap lets through, padded with code to ~2 MB
    f"{MAX_ELEMENTS // 2 - 10} <T> in code, as many <port> in prose, ~2 MB": lambda: (
        "<pre><code>"
        + "List<T> " * (MAX_ELEMENTS // 2 - 10)
        + fill("x = y; ", NEAR // 2)
        + "</code></pre><p>"
        + "<port> " * (MAX_ELEMENTS // 2 - 10)
        + fill("字", NEAR // 4)
        + "</p>"
    ),
}


def run(name: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    data = (HEAD + CASES[name]()).encode("utf-8")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = process_file(data, "测试/基准/敌意/a.md")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
    outcome = str(getattr(result, "reason", "record"))
    queue.put((len(data), outcome, seconds, peak / 1024))


def main() -> None:
    context = multiprocessing.get_context("fork")
    print(f"{'case':<36} {'bytes':>10}  {'outcome':<20} {'seconds':>8} {'peak MB':>8}")
    for name in CASES:
        queue = context.Queue()
        child = context.Process(target=run, args=(name, queue))
        child.start()
        size, outcome, seconds, peak = queue.get()
        child.join()
        print(f"{name:<36} {size:>10}  {outcome:<20} {seconds:>8.2f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
