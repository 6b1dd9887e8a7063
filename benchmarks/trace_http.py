"""What tracing costs at a program's start, and what the HTTP hooks add to a program that uses HTTP.

    python benchmarks/trace_http.py [--runs 40] [--node PATH] [--other-tracer PATH/tracer.js]

Three programs: an empty one (tracer_http.js is never loaded: its hooks wait for the first TCP socket), one
that starts a loopback HTTP server and makes one request (tracer_http.js loads and records it), and one that
makes 2,000 keep-alive requests, four at a time (what the HTTP hooks cost a busy program). Each
runs plain and under this checkout's tracer (and, with --other-tracer, under another checkout's, to compare
before and after a change), interleaved. The trace pipe is read and thrown away. Reported: the medians of
the Node process's CPU time (user + system, from wait4), which a loaded machine disturbs far less than wall
time, and of its wall time. Keep both tracers on one file system (copy both to /tmp): where the file is read
from shows in the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nodejs.locate import NodeBinary, choose_node, every_node  # noqa: E402
from app.trace.addon import TRACER, build_addon  # noqa: E402

PROGRAMS = {
    "empty": "",
    "one request": """
const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => {
  http.get({ host: '127.0.0.1', port: server.address().port, agent: false }, (res) => {
    res.resume();
    res.on('end', () => server.close());
  });
});
""",
    "2000 requests": """
const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const one = () => new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port: server.address().port, agent }, (res) => res.resume().on('end', resolve));
  });
  for (let i = 0; i < 500; i++) await Promise.all([one(), one(), one(), one()]);
  agent.destroy();
  server.close();
});
""",
}


def one_run(node: NodeBinary, program: Path, tracer: Path | None, addon: Path | None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run."""
    argv = [str(node.path), str(program)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("LOOPLAB_TRACE")}
    read_end = write_end = None
    if tracer is not None:
        read_end, write_end = os.pipe()
        argv[1:1] = ["--require", str(tracer)]
        env.update(LOOPLAB_TRACE_FD=str(write_end), LOOPLAB_TRACE_DETAIL_LIMIT="100000")
        if addon is not None:
            env["LOOPLAB_TRACE_ADDON"] = str(addon)
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, pass_fds=(write_end,) if write_end else (), stdout=subprocess.DEVNULL)
    drain = None
    if read_end is not None:
        os.close(write_end)  # type: ignore[arg-type]
        drain = threading.Thread(target=lambda: [None for _ in iter(lambda: os.read(read_end, 65536), b"")])
        drain.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if drain is not None:
        drain.join()
        os.close(read_end)  # type: ignore[arg-type]
    if child.returncode != 0:
        raise SystemExit(f"{program.name} failed under {tracer}: exit {child.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--node", help="only this Node")
    parser.add_argument("--other-tracer", type=Path, help="another checkout's tracer.js, to compare with")
    args = parser.parse_args()
    chosen = choose_node(args.node)
    nodes = [chosen] if args.node else every_node(chosen)[0]
    tracers: dict[str, Path | None] = {"plain": None, "this tracer": TRACER}
    if args.other_tracer:
        tracers["other tracer"] = args.other_tracer.resolve()
    with tempfile.TemporaryDirectory() as temp:
        for name, source in PROGRAMS.items():
            (Path(temp) / f"{name}.js").write_text(source)
        for node in nodes:
            addon = build_addon(node).path
            times: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for _ in range(args.runs):
                for name in PROGRAMS:
                    for label, tracer in tracers.items():
                        run = one_run(node, Path(temp) / f"{name}.js", tracer, addon)
                        times.setdefault((name, label), []).append(run)
            print(f"\n{node.describe()}: {args.runs} runs each, interleaved; medians of CPU time and wall time")
            for (name, label), runs in times.items():
                cpu = statistics.median(run[0] for run in runs) * 1000
                wall = statistics.median(run[1] for run in runs) * 1000
                print(f"  {name:<13} {label:<13} CPU {cpu:6.1f} ms   wall {wall:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
