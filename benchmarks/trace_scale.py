"""Tracing a program 20x heavier than the overhead benchmark, end to end, stays within 5x of plain node.

    python benchmarks/trace_scale.py [--runs 5] [--node PATH] [--compare OTHER_CHECKOUT] [--program NAME.js]

Workload: benchmarks/programs/loop_load.js with 1,000,000 awaits, then 150,000 timers and 150,000
immediates (about 0.3 s under plain node here). Compared, as whole commands, median of --runs each:
  - `node loop_load.js`
  - `looplab trace loop_load.js --json`: Python start-up, the traced run, decoding and attribution.
Memory is the peak of the sum of resident memory of looplab and every process under it, sampled from /proc
every 10 ms. The tracer keeps full detail for the first 100,000 records, then counts per phase and queue;
looplab says so on stderr, which is checked.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nodejs.locate import choose_node, every_node  # noqa: E402

PROGRAM = ROOT / "benchmarks" / "programs" / "loop_load.js"
SIZES = {"AWAITS": "1000000", "TIMERS": "150000", "IMMEDIATES": "150000"}
LOOPLAB = [sys.executable, "-m", "app"]


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total / 1024


def timed(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float, str]:
    """Wall time, peak tree RSS (MB) and stderr of one run of `command` (`python -m app` runs `cwd`'s looplab)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = process.communicate(timeout=120)
    elapsed = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{command} failed: {err[-500:]}")
    return elapsed, peak[0], err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--node", help="only this Node")
    parser.add_argument("--compare", type=Path, help="another looplab checkout to run alongside (before/after)")
    parser.add_argument("--program", help="another program in benchmarks/programs (stream_load.js: the streams view)")
    args = parser.parse_args()
    program = PROGRAM.with_name(args.program) if args.program else PROGRAM
    chosen = choose_node(args.node)
    nodes = [chosen] if args.node else every_node(chosen)[0]
    env = {**os.environ, **SIZES}
    checkouts = {"looplab": ROOT}
    if args.compare:
        checkouts["compared"] = args.compare.resolve()
    for node in nodes:
        plain: list[tuple[float, float, str]] = []
        traced: dict[str, list[tuple[float, float, str]]] = {name: [] for name in checkouts}
        for _ in range(args.runs):
            plain.append(timed([str(node.path), str(program)], env))
            for name, root in checkouts.items():
                command = [*LOOPLAB, "trace", str(program), "--json", "--timeout", "120", "--node", str(node.path)]
                traced[name].append(timed(command, env, cwd=root))
        plain_s = statistics.median(t for t, _, _ in plain)
        print(f"\n{node.describe()}: {args.runs} runs each, interleaved, median wall time of the whole command")
        plain_peak = max(m for _, m, _ in plain)
        print(f"  node {program.name:<30}{plain_s * 1000:7.0f} ms   peak {plain_peak:6.1f} MB")
        for name, runs in traced.items():
            traced_s = statistics.median(t for t, _, _ in runs)
            label = f"looplab trace {program.name} --json" if name == "looplab" else f"  the same, {checkouts[name]}"
            print(
                f"  {label:<34} {traced_s * 1000:7.0f} ms   peak {max(m for _, m, _ in runs):6.1f} MB"
                f"   ratio {traced_s / plain_s:.2f}x"
            )
        notes = traced["looplab"][-1][2]
        switched = [line for line in notes.splitlines() if "only counts" in line]
        print(f"  says it switched to counts: {'yes' if switched else 'NO'}")
        for line in switched:
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
