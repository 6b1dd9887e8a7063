"""What looplab's safe runner costs over a plain `node file.js`, and how fast the checker judges output.

    python benchmarks/runner_overhead.py [--runs 21]

Plain and looplab runs are interleaved so that machine noise hits both alike; medians are reported with
the ratio looplab/plain. The checker figure is lines judged per second against a 20,000-line spec.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.check.match import check_output  # noqa: E402
from app.check.spec import ExpectationSpec  # noqa: E402
from app.check.verdict import ProgramOutput  # noqa: E402
from app.course.load import load_course  # noqa: E402
from app.nodejs.locate import choose_node  # noqa: E402
from app.paths import course_root  # noqa: E402
from app.runner.certs import fixtures_for  # noqa: E402
from app.runner.exercise import grade_run, run_exercise  # noqa: E402


def plain_run(node: str, exercise_folder: Path, entry: str, fixtures: dict[str, bytes]) -> float:
    """`node entry` in a prepared folder, timed the same way: folder set-up included."""
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="plain-run-"))
    for name, data in fixtures.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    shutil.copyfile(exercise_folder, folder / entry)
    subprocess.run([node, entry], cwd=folder, capture_output=True, check=True, timeout=60)
    shutil.rmtree(folder)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--exercise", default="busy-main-vs-timer")
    args = parser.parse_args()

    node = choose_node()
    course = load_course(course_root())
    exercise = course.exercise(args.exercise)
    fixtures = {f.path: f.content for f in fixtures_for(exercise)}
    plain: list[float] = []
    looplab: list[float] = []
    for _ in range(args.runs):
        plain.append(plain_run(str(node.path), exercise.reference, exercise.entry, fixtures))
        started = time.perf_counter()
        result = asyncio.run(run_exercise(exercise, exercise.reference, node))
        grade_run(exercise, node.major, result)
        looplab.append(time.perf_counter() - started)

    plain_ms, looplab_ms = statistics.median(plain) * 1000, statistics.median(looplab) * 1000
    print(f"{node.describe()}; exercise {exercise.id}; {args.runs} runs each, interleaved")
    print(f"  plain node (subprocess.run):        median {plain_ms:7.1f} ms")
    print(f"  looplab run + grade:                median {looplab_ms:7.1f} ms")
    print(f"  ratio looplab / plain:              {looplab_ms / plain_ms:.2f}x  (+{looplab_ms - plain_ms:.1f} ms)")

    lines = [f"line {i} of the output" for i in range(20_000)]
    spec = ExpectationSpec.exact(lines)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        assert check_output(spec, ProgramOutput(tuple(lines))).passed
        timings.append(time.perf_counter() - started)
    rate = len(lines) / statistics.median(timings)
    print(f"  checker: 20,000-line exact spec, median of 5: {rate:,.0f} lines/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
