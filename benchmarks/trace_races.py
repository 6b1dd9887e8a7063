"""Does tracing change who wins a race? Timeout against immediate from the main module, plain and traced.

    python benchmarks/trace_races.py [--runs 100] [--node PATH] [--compare OLD_TRACER.js]

`setTimeout(0)` and `setImmediate` scheduled from the main module race: the timer runs first only if a
millisecond has passed on the loop's clock between scheduling it and the loop's first timers phase. Any
work the tracer does in that window (its first hook calls, compiling its code) makes the timer win more
often. For every Node found, runs the program --runs times plain and --runs times traced, interleaved, as
looplab's runner runs it, and reports how often each side won, the median time from setting the timer to the
first callback (the window in which a millisecond may pass), and the median time from process start to the
main module's first line (`performance.now()`), which is what the tracer's own start-up costs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nodejs.locate import NodeBinary, choose_node, every_node  # noqa: E402
from app.runner.process import RunRequest, run_to_end  # noqa: E402
from app.trace.addon import TRACER  # noqa: E402
from app.trace.session import TraceCollector, traced  # noqa: E402

RACE = """\
const mainBegan = performance.now();
setTimeout(() => first('timeout'), 0);
const timerSet = performance.now();
setImmediate(() => first('immediate'));
let winner = '';
let window = 0;
function first(name) {
  if (winner !== '') return;
  winner = name;
  window = performance.now() - timerSet;
}
process.on('exit', () => console.log(`${winner} ${mainBegan.toFixed(3)} ${(window * 1000).toFixed(0)}`));
"""


async def one_run(node: NodeBinary, folder: Path, tracer: Path | None) -> tuple[str, float, float]:
    """Who won; ms from process start to the main module's first line; µs from the timer to the first callback."""
    request = RunRequest((str(node.path), "race.js"), folder, 30)
    if tracer is not None:
        request = traced(request, node, TraceCollector())
        request = replace(request, argv=tuple(str(tracer) if arg == str(TRACER) else arg for arg in request.argv))
    result = await run_to_end(request)
    if result.exit_code != 0 or len(result.stdout) != 1:
        raise SystemExit(f"the race program failed: {result.describe_end()} {result.stderr[-3:]}")
    winner, began, window = result.stdout[0].split()
    return winner, float(began), float(window)


def bench_node(node: NodeBinary, runs: int, variants: dict[str, Path | None]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "race.js").write_text(RACE)
        asyncio.run(one_run(node, folder, TRACER))  # compiles the addon if needed, warms the file cache
        seen: dict[str, list[tuple[str, float, float]]] = {label: [] for label in variants}
        for _ in range(runs):
            for label, tracer in variants.items():
                seen[label].append(asyncio.run(one_run(node, folder, tracer)))
    print(f"\n{node.describe()}: {runs} runs each, interleaved")
    for label, results in seen.items():
        first = sum(1 for winner, _, _ in results if winner == "timeout")
        began = statistics.median(b for _, b, _ in results)
        window = statistics.median(w for _, _, w in results)
        print(
            f"  {label:<12} timeout first {first:3d}/{runs}, immediate first {runs - first:3d}/{runs};"
            f"  timer set to first callback {window:6.0f} µs, process start to main module {began:6.1f} ms (medians)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--node", help="only this Node (default: every Node found)")
    parser.add_argument("--compare", type=Path, help="another tracer.js to run alongside, for before/after figures")
    args = parser.parse_args()
    variants: dict[str, Path | None] = {"plain": None, "traced": TRACER}
    if args.compare:
        variants["traced, old"] = args.compare.resolve()
    nodes = [choose_node(args.node)] if args.node else every_node(choose_node())[0]
    for node in nodes:
        bench_node(node, args.runs, variants)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
