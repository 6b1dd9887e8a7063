"""What tracing costs a program, and how fast Python takes the trace in.

    python benchmarks/trace_overhead.py [--runs 7]

Workload (benchmarks/programs/loop_load.js): 50,000 sequential awaits, then 10,000 setTimeout(0), then
10,000 setImmediate. For every Node found it reports medians of the program's run time as looplab's runner
sees it (spawn to exit), plain and traced, interleaved so machine noise hits both alike:
  - traced: the default, full detail for the first 100,000 records, then counts per phase and queue;
  - traced, full detail: every record, however many.
Then Python's ingest: decoding the full-detail trace and building the loop model from it, in events per
second (median of 5), with the memory that takes (tracemalloc peak), and each run's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nodejs.locate import NodeBinary, choose_node, every_node  # noqa: E402
from app.runner.process import RunRequest, run_to_end  # noqa: E402
from app.trace.decode import TraceDecoder  # noqa: E402
from app.trace.loop_model import replay  # noqa: E402
from app.trace.session import TraceCollector, traced  # noqa: E402

PROGRAM = ROOT / "benchmarks" / "programs" / "loop_load.js"
FULL_DETAIL = 1_000_000_000


async def one_run(node: NodeBinary, detail_limit: int | None) -> tuple[float, TraceCollector | None]:
    request = RunRequest((str(node.path), PROGRAM.name), PROGRAM.parent, 120)
    collector = None
    if detail_limit is not None:
        collector = TraceCollector()
        request = traced(request, node, collector, detail_limit=detail_limit)
    result = await run_to_end(request)
    if result.exit_code != 0:
        raise SystemExit(f"the workload failed: {result.describe_end()} {result.stderr[-3:]}")
    return result.duration, collector


def peak_rss(node: NodeBinary, mode: str) -> dict[str, float]:
    """Peak RSS (MB) of one run, measured in a fresh process: [python, node]."""
    done = subprocess.run(
        [sys.executable, __file__, "--rss-probe", mode, "--node", str(node.path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def rss_probe(mode: str, node_path: str) -> None:
    node = choose_node(node_path)
    limit = {"plain": None, "traced": 100_000, "full": FULL_DETAIL}[mode]
    _, collector = asyncio.run(one_run(node, limit))
    if collector is not None:
        collector.events  # noqa: B018  (ingest counts: it is what looplab does next)
    # VmHWM belongs to this process's own address space; ru_maxrss would start from the parent's size.
    high_water = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
    print(
        json.dumps(
            {
                "python": int(high_water.split()[1]) / 1024,
                "node": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def bench_node(node: NodeBinary, runs: int) -> None:
    times: dict[str, list[float]] = {"plain": [], "traced": [], "full": []}
    last_full: TraceCollector | None = None
    for _ in range(runs):
        times["plain"].append(asyncio.run(one_run(node, None))[0])
        times["traced"].append(asyncio.run(one_run(node, 100_000))[0])
        elapsed, last_full = asyncio.run(one_run(node, FULL_DETAIL))
        times["full"].append(elapsed)
    median = {name: statistics.median(values) * 1000 for name, values in times.items()}
    print(f"\n{node.describe()}: {runs} runs each, interleaved; program run time, median")
    print(f"  plain                       {median['plain']:7.1f} ms")
    print(f"  traced (default)            {median['traced']:7.1f} ms   ratio {median['traced'] / median['plain']:.2f}x")
    print(f"  traced, full detail         {median['full']:7.1f} ms   ratio {median['full'] / median['plain']:.2f}x")

    assert last_full is not None
    raw = b"".join(last_full._pending)
    decode_times, model_times, count = [], [], 0
    for _ in range(5):
        started = time.perf_counter()
        events = TraceDecoder().feed(raw)
        decode_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        replay(events)
        model_times.append(time.perf_counter() - started)
        count = len(events)
    tracemalloc.start()
    kept = replay(TraceDecoder().feed(raw))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    print(f"  Python ingest of the full trace ({count:,} events, {len(raw) / 1e6:.1f} MB):")
    print(f"    decode       {count / statistics.median(decode_times) / 1000:6.0f}k events/s (median of 5)")
    print(f"    loop model   {count / statistics.median(model_times) / 1000:6.0f}k events/s (median of 5)")
    print(f"    memory       {peak / 1e6:6.1f} MB peak for events plus model (tracemalloc)")
    for mode in ("plain", "traced", "full"):
        rss = peak_rss(node, mode)
        print(f"  peak RSS, {mode:<6}  node {rss['node']:6.1f} MB, looplab (Python) {rss['python']:6.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--node", help="only this Node")
    parser.add_argument("--rss-probe", choices=("plain", "traced", "full"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_probe:
        rss_probe(args.rss_probe, args.node)
        return 0
    chosen = choose_node(args.node)
    nodes = [chosen] if args.node else every_node(chosen)[0]
    for node in nodes:
        bench_node(node, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
