"""What tracing adds to the start of a program that does almost nothing, with this tracer and another one.

    git show main:app/trace/tracer.js > /tmp/before/tracer.js
    python benchmarks/trace_start.py --baseline /tmp/before/tracer.js [--runs 41]

For every Node found it runs an empty program (benchmarks/programs/empty.js, or --program) plain, traced with
the baseline tracer and traced with this one, interleaved in a shuffled order so machine noise hits all three
alike, and reports the medians of the run time as looplab's runner sees it (spawn to exit) and of the process's
CPU time (user + system, steadier when other work shares the machine). A change that must not slow the start of
programs that never use some module (the tls view's hooks, loaded at the first TLS socket) shows here.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import app.trace.session as session  # noqa: E402
from app.nodejs.locate import NodeBinary, choose_node, every_node  # noqa: E402
from app.runner.process import RunRequest, run_to_end  # noqa: E402
from app.trace.session import TraceCollector, traced  # noqa: E402

PROGRAM = ROOT / "benchmarks" / "programs" / "empty.js"
CURRENT = session.TRACER


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def one_run(node: NodeBinary, tracer: Path | None, program: Path = PROGRAM) -> tuple[float, float]:
    """(spawn to exit, CPU time of the process) in seconds: the CPU time is steadier on a loaded machine."""
    request = RunRequest((str(node.path), program.name), program.parent, 30)
    if tracer is not None:
        session.TRACER = tracer
        request = traced(request, node, TraceCollector())
    before = cpu_seconds()
    result = await run_to_end(request)
    if result.exit_code != 0:
        raise SystemExit(f"the program failed: {result.describe_end()} {result.stderr[-3:]}")
    return result.duration, cpu_seconds() - before


def bench_node(node: NodeBinary, runs: int, baseline: Path, program: Path) -> None:
    kinds = {"plain": None, "traced, baseline tracer": baseline, "traced, this tracer": CURRENT}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
    shuffle = random.Random(1)  # each round in another order: no variant always runs right after another
    for _ in range(runs):
        for name in shuffle.sample(list(kinds), len(kinds)):
            times[name].append(asyncio.run(one_run(node, kinds[name], program)))
    print(f"\n{node.describe()}: {runs} runs each, interleaved; median (quartiles)")
    for name, values in times.items():
        wall = statistics.quantiles([v[0] * 1000 for v in values], n=4)
        cpu = statistics.quantiles([v[1] * 1000 for v in values], n=4)
        print(f"  {name:<24} spawn to exit {wall[1]:6.1f} ms ({wall[0]:.1f}–{wall[2]:.1f}),"
              f" CPU {cpu[1]:6.1f} ms ({cpu[0]:.1f}–{cpu[2]:.1f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another tracer.js to compare with")
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--node", help="only this Node")
    parser.add_argument("--program", type=Path, default=PROGRAM, help="another program (run from its folder)")
    args = parser.parse_args()
    nodes = [choose_node(args.node)] if args.node else every_node(choose_node())[0]
    for node in nodes:
        bench_node(node, args.runs, args.baseline.resolve(), args.program.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
