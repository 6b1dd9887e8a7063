"""Run server exercises back to back through looplab's runner and count what is left behind.

    python benchmarks/orphan_soak.py --runs 200

Half the runs use a server that answers one loopback request and closes (it exits by itself); half use a
server that never closes and also starts a child and a detached grandchild (killed at the timeout).
Every process carries a soak-specific environment variable, so leftovers are found exactly, even with other
Node programs running on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.check.spec import Expectation, ExpectationSpec  # noqa: E402
from app.course.model import Exercise  # noqa: E402
from app.nodejs.locate import choose_node  # noqa: E402
from app.runner.exercise import run_exercise  # noqa: E402

CLOSES = """
const net = require('node:net');
const server = net.createServer((socket) => { socket.end('bye\\n'); server.close(); });
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('data', (data) => console.log('client got', String(data).trim()));
});
server.on('close', () => console.log('server closed'));
"""

NEVER_CLOSES = """
const net = require('node:net');
const { spawn } = require('node:child_process');
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true }).unref();
net.createServer(() => {}).listen(0, '127.0.0.1', () => console.log('listening'));
"""


def soak_exercise(folder: Path, source: str, marker: str, timeout: float) -> Exercise:
    starter = folder / f"starter-{timeout:g}.js"
    starter.write_text(source)
    return Exercise(
        id="soak",
        title="soak",
        kind="explore",
        folder=folder,
        entry="server.js",
        starter=starter,
        solution=None,
        prompt="",
        hints=(),
        fixtures=(),
        env={"LOOPLAB_SOAK": marker},
        timeout=timeout,
        expectation=Expectation(ExpectationSpec()),
    )


def processes_marked(marker: str) -> list[int]:
    needle = f"LOOPLAB_SOAK={marker}".encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if needle in Path(f"/proc/{name}/environ").read_bytes().split(b"\0"):
                    found.append(int(name))
            except OSError:
                continue
    return found


def zombie_children() -> list[int]:
    """Our own unreaped children: what the subreaper would leak if cleanup missed something."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] == "Z" and int(fields[1]) == os.getpid():
                found.append(int(name))
    return found


async def soak(runs: int, timeout: float) -> int:
    node = choose_node()
    marker = uuid.uuid4().hex
    durations: dict[str, list[float]] = {"closes": [], "never closes": []}
    ends: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        exercises = {
            "closes": soak_exercise(Path(tmp), CLOSES, marker, timeout=10),
            "never closes": soak_exercise(Path(tmp), NEVER_CLOSES, marker, timeout=timeout),
        }
        for i in range(runs):
            kind = "closes" if i % 2 == 0 else "never closes"
            started = time.monotonic()
            result = await run_exercise(exercises[kind], exercises[kind].starter, node)
            durations[kind].append(time.monotonic() - started)
            ends[result.describe_end()] = ends.get(result.describe_end(), 0) + 1
            left = processes_marked(marker)
            if left:
                print(f"run {i + 1}: {len(left)} processes left: {left}")
                return 1
    print(f"{runs} runs on {node.describe()}")
    for kind, values in durations.items():
        print(f"  server {kind:<13} {len(values):4d} runs, median {statistics.median(values) * 1000:7.1f} ms")
    for end, count in sorted(ends.items()):
        print(f"  ended: {end:<35} {count}")
    left, zombies = processes_marked(marker), zombie_children()
    print(f"processes left carrying the soak marker: {len(left)}; unreaped zombie children: {len(zombies)}")
    return 0 if not left and not zombies else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=0.5, help="seconds before a never-closing server is killed")
    args = parser.parse_args()
    return asyncio.run(soak(args.runs, args.timeout))


if __name__ == "__main__":
    raise SystemExit(main())
