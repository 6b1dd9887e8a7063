"""Run server exercises back to back through looplab's runner, kill looplab itself, and count what is left.

    python benchmarks/orphan_soak.py --runs 100
    LOOPLAB_NODE=/usr/bin/node python benchmarks/orphan_soak.py --runs 100

Cases (each --runs times, interleaved):
  closes         a server that answers one loopback request and closes (it exits by itself)
  never closes   a server that never closes, with a child and a detached grandchild (killed at the timeout)
  escapes        a child whose own child calls setsid with an empty environment: no group, no marker
  trace flood    a traced program that writes 0.8 s of well-formed chunks into the trace pipe; timed to a verdict
  traced family  a traced program with two forked children and two cluster workers, all traced on the run's
                 FIFO, none of which ends (killed at the timeout, some while they start)
  SIGTERM, SIGHUP, SIGKILL
                 `looplab run` (a subprocess) on the escaping server, sent that signal once it listens
Every process carries a soak marker (in its environment, or on its command line where the environment is
cleared), so leftovers are found exactly, even with other Node programs on the machine. A run folder still
there after the run (or 5 s after looplab was killed) counts as left behind too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.check.spec import Expectation, ExpectationSpec  # noqa: E402
from app.course.model import Exercise  # noqa: E402
from app.nodejs.locate import NodeBinary, choose_node  # noqa: E402
from app.runner import cgroup  # noqa: E402
from app.runner.cleanup import reap_stray_orphans  # noqa: E402
from app.runner.exercise import grade_run, run_exercise  # noqa: E402
from app.runner.process import TRACE_FD_ENV  # noqa: E402
from app.trace.session import TraceCollector  # noqa: E402

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


def escapes_source(marker: str) -> str:
    """A server, a child, and the child's child that leaves with setsid and an empty environment."""
    forever = f"/* LOOPLAB_SOAK={marker} */ setInterval(() => {{}}, 1000)"
    loner = f"spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore', detached: true, env: {{}} }}).unref()"
    child = f"const {{ spawn }} = require('node:child_process'); {loner}; {forever}"
    return f"""
const {{ spawn }} = require('node:child_process');
spawn(process.execPath, ['-e', {child!r}], {{ stdio: 'ignore' }});
require('node:net').createServer().listen(0, '127.0.0.1', () => console.log('listening'));
"""


TRACE_FLOOD = f"""
const fs = require('node:fs');
const fd = Number(process.env.{TRACE_FD_ENV});
const records = 4096;
const chunk = Buffer.alloc(12 + records * 16);
chunk.writeInt32LE(0x504F4F4C, 0); chunk.writeInt32LE(0, 4); chunk.writeInt32LE(chunk.length, 8);
for (let i = 0; i < records; i++) {{ chunk.writeInt32LE(5, 12 + i * 16); chunk.writeInt32LE(i + 1, 16 + i * 16); }}
const end = Date.now() + 800;
while (Date.now() < end) fs.writeSync(fd, chunk);
console.log('flooded');
"""

TRACED_FAMILY = """
const cluster = require('node:cluster');
const { fork } = require('node:child_process');
if (process.argv[2] === 'child' || cluster.isWorker) {
  setInterval(() => {}, 1000);
} else {
  fork(__filename, ['child']);
  fork(__filename, ['child']);
  cluster.fork();
  cluster.fork();
  console.log('started');
}
"""

COURSE = {
    "lessons/course.toml": 'title = "Soak"\n\n[[sections]]\nid = "soak"\ntitle = "Soak"\n',
    "lessons/soak/lesson.toml": 'title = "Soak"\nsection = "soak"\norder = 1\nexercises = ["soak"]\n',
    "lessons/soak/slides.md": "# Soak\n\nA server that never closes.\n",
    "exercises/soak/starter.js": "console.log('listening');\n",
    "exercises/soak/exercise.toml": textwrap.dedent(
        """
        title = "Soak"
        kind = "fix"
        prompt = "A server that never closes."
        hints = ["It never closes."]
        timeout = 60

        [expect]
        sequence = ["listening"]
        """
    ),
}
SIGNALS = ("SIGTERM", "SIGHUP", "SIGKILL")


def soak_exercise(folder: Path, name: str, source: str, marker: str, timeout: float) -> Exercise:
    starter = folder / f"{name}.js"
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
    """Live processes with the soak marker in their environment or on their command line."""
    needle = f"LOOPLAB_SOAK={marker}".encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                environ = Path(f"/proc/{name}/environ").read_bytes().split(b"\0")
                if needle in environ or needle in Path(f"/proc/{name}/cmdline").read_bytes():
                    found.append(int(name))
            except OSError:
                continue
    return found


def run_folders(owner: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"looplab-run-{owner}-*"))


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


def _as_from_a_terminal() -> None:
    """In the child before exec: the stop signals at their defaults, even if this soak runs under nohup."""
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, signal.SIG_DFL)


def kill_looplab(course: Path, home: Path, stop: str, marker: str, node: NodeBinary) -> tuple[float, int, int]:
    """Start `looplab run`, signal it once the server listens; (seconds until all is gone, left, folders left)."""
    env = {**os.environ, "LOOPLAB_HOME": str(home), "LOOPLAB_NODE": str(node.path), "LOOPLAB_SOAK": marker}
    process = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "app", "run", "soak", "--reference", "--course", str(course)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=_as_from_a_terminal,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while "listening" not in process.stdout.readline():
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("looplab run never said 'listening'")
    folders = run_folders(process.pid)
    process.send_signal(getattr(signal, stop))
    signalled = time.monotonic()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a looplab that does not stop: show where it is stuck, then kill it
        process.send_signal(signal.SIGABRT)
        _, err = process.communicate()
        raise SystemExit(f"looplab run did not stop 30 s after {stop}; its threads:\n{err[-6000:]}") from None
    while time.monotonic() - signalled < 5:
        left, kept = processes_marked(marker), [f for f in folders if f.exists()]
        if not left and not kept:
            break
        time.sleep(0.01)
    seconds = time.monotonic() - signalled
    # Once another case has made this process a subreaper, a killed looplab's orphans are handed to us, not
    # to init, and the watcher's kills leave their zombies here: reap them as init would.
    reap_stray_orphans()
    return seconds, len(left), len(kept)


async def soak(runs: int, timeout: float, cases: list[str]) -> int:
    node = choose_node()
    marker = uuid.uuid4().hex
    times: dict[str, list[float]] = {case: [] for case in cases}
    left: dict[str, int] = dict.fromkeys(cases, 0)
    notes: dict[str, int] = dict.fromkeys(cases, 0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        course = folder / "course"
        for name, text in {**COURSE, "exercises/soak/solution.js": escapes_source(marker)}.items():
            (course / name).parent.mkdir(parents=True, exist_ok=True)
            (course / name).write_text(text)
        exercises = {
            "closes": soak_exercise(folder, "closes", CLOSES, marker, timeout=10),
            "never closes": soak_exercise(folder, "never", NEVER_CLOSES, marker, timeout=timeout),
            "escapes": soak_exercise(folder, "escapes", escapes_source(marker), marker, timeout=timeout),
            "trace flood": soak_exercise(folder, "flood", TRACE_FLOOD, marker, timeout=10),
            "traced family": soak_exercise(folder, "family", TRACED_FAMILY, marker, timeout=timeout),
        }
        for i in range(runs):
            for case in cases:
                started = time.monotonic()
                if case in SIGNALS:
                    seconds, count, folders = kill_looplab(course, folder / "home", case, marker, node)
                    times[case].append(seconds)
                    left[case] += count + folders
                    continue
                exercise = exercises[case]
                trace = TraceCollector() if case in ("trace flood", "traced family") else None
                result = await run_exercise(exercise, exercise.starter, node, trace=trace)
                if case == "trace flood":
                    verdict = grade_run(exercise, node.major, result, trace)
                    notes[case] += any(note.startswith("the trace was cut") for note in verdict.notes)
                times[case].append(time.monotonic() - started)
                found = processes_marked(marker)
                left[case] += len(found) + len(run_folders(os.getpid()))
                if found:
                    print(f"{case}, run {i + 1}: {len(found)} processes left: {found}")
    tracking = "a cgroup per run" if cgroup.available() else "the process tree"
    print(f"{runs} runs per case on {node.describe()}; in-process runs tracked by {tracking}")
    for case in cases:
        what = "until all was gone" if case in SIGNALS else "run" + (" to verdict" if case == "trace flood" else "")
        extra = f"; the verdict said the trace was cut in {notes[case]}" if case == "trace flood" else ""
        print(
            f"  {case:<13} {len(times[case]):4d} runs, left behind {left[case]}, "
            f"median {statistics.median(times[case]) * 1000:7.1f} ms {what}{extra}"
        )
    zombies = zombie_children()
    print(f"left behind in all: {sum(left.values())}; unreaped zombie children: {len(zombies)}")
    return 0 if not sum(left.values()) and not zombies else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="runs per case")
    parser.add_argument("--timeout", type=float, default=0.5, help="seconds before a never-closing server is killed")
    parser.add_argument(
        "--cases",
        default="closes,never closes,escapes,trace flood,traced family,SIGTERM,SIGHUP,SIGKILL",
        help="comma-separated cases to run (default: all)",
    )
    parser.add_argument(
        "--no-cgroup",
        action="store_true",
        help="track in-process runs by their process tree, as where cgroups cannot be made (killed looplabs still "
        "use cgroups)",
    )
    args = parser.parse_args()
    if args.no_cgroup:
        cgroup._parent = None  # noqa: SLF001 (what parent_folder() finds where cgroups cannot be made)
    return asyncio.run(soak(args.runs, args.timeout, [case.strip() for case in args.cases.split(",")]))


if __name__ == "__main__":
    raise SystemExit(main())
