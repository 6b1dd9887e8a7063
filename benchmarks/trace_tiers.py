"""What the tiers view's V8 log costs a run: traced, and traced with `tiers=True` (app/trace/v8_log.py).

    python benchmarks/trace_tiers.py [--runs 21] [--node PATH] [--program FILE]

For every Node found it runs an empty program (benchmarks/programs/empty.js) and a hot one
(benchmarks/programs/tiers_hot.js: V8 optimises, deoptimises and reoptimises it) traced and traced with the
tiers log, interleaved in a shuffled order, and reports the medians of the run time as looplab's runner sees it
(spawn to exit; with the tiers log, also reading and lining up the log after the run) and of the process's CPU
time, with the ratio tiers / traced, and the size of V8's log.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nodejs.locate import NodeBinary, choose_node, every_node  # noqa: E402
from app.runner.process import RunRequest, run_to_end  # noqa: E402
from app.trace import v8_log  # noqa: E402
from app.trace.schema import Deopt, TierStep  # noqa: E402
from app.trace.session import TraceCollector, traced  # noqa: E402

PROGRAMS = (ROOT / "benchmarks" / "programs" / "empty.js", ROOT / "benchmarks" / "programs" / "tiers_hot.js")


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def one_run(node: NodeBinary, program: Path, tiers: bool) -> tuple[float, float, int, int]:
    """(spawn to events ready, CPU time of the process, V8 log bytes, tier events)."""
    collector = TraceCollector()
    request = traced(RunRequest((str(node.path), program.name), program.parent, 30), node, collector, tiers=tiers)
    folder = collector.v8_log_folder
    before, started = cpu_seconds(), time.perf_counter()
    result = await run_to_end(request)
    if result.exit_code != 0:
        raise SystemExit(f"the program failed: {result.describe_end()} {result.stderr[-3:]}")
    cpu = cpu_seconds() - before
    size = sum(path.stat().st_size for path in folder.glob("v8-*.log")) if folder is not None else 0
    collector.run_over()
    events = sum(isinstance(e, (TierStep, Deopt)) for e in collector.events)
    return time.perf_counter() - started, cpu, size, events


def bench(node: NodeBinary, program: Path, runs: int) -> None:
    times: dict[bool, list[tuple[float, float, int, int]]] = {False: [], True: []}
    shuffle = random.Random(1)
    for _ in range(runs):
        for tiers in shuffle.sample([False, True], 2):
            times[tiers].append(asyncio.run(one_run(node, program, tiers)))
    wall = {k: statistics.median(v[0] * 1000 for v in values) for k, values in times.items()}
    cpu = {k: statistics.median(v[1] * 1000 for v in values) for k, values in times.items()}
    size = statistics.median(v[2] for v in times[True]) / 1024
    events = statistics.median(v[3] for v in times[True])
    print(
        f"  {program.name:<14} traced {wall[False]:6.1f} ms (CPU {cpu[False]:6.1f}),"
        f" with tiers {wall[True]:6.1f} ms (CPU {cpu[True]:6.1f}): x{wall[True] / wall[False]:.2f} wall,"
        f" x{cpu[True] / cpu[False]:.2f} CPU; V8 log {size:.0f} KiB, {events:.0f} tier events"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--node", help="only this Node")
    parser.add_argument("--program", type=Path, action="append", help="another program (run from its folder)")
    args = parser.parse_args()
    nodes = [choose_node(args.node)] if args.node else every_node(choose_node())[0]
    programs = [p.resolve() for p in args.program] if args.program else PROGRAMS
    for node in nodes:
        print(f"\n{node.describe()}: {args.runs} runs each, interleaved; medians")
        for program in programs:
            bench(node, program, args.runs)
    assert not list(Path(v8_log.tempfile.gettempdir()).glob("looplab-v8log-*")), "a V8 log folder was left behind"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
