"""Follow mode: how long a presenter's slide turn takes to reach every follower's screen.

    python benchmarks/follow_turn.py [--followers 10] [--turns 30] [--size 120x40] [--lesson timers] [--json]

The presenter side is looplab's own follow-mode server (app/classroom/server.py) in this process, on
127.0.0.1 at a port from listen(0). Each follower is a whole `looplab follow` app (`python -m app`) in a
terminal of its own: a pseudo-terminal of the given size that this script drains, as a terminal would. With
LOOPLAB_FOLLOW_REPORT set, a follower appends a line for each slide it has shown, stamped with
time.monotonic() after the screen refresh that drew it; Linux's monotonic clock is the same in every process
of the machine, so a turn's latency is that stamp minus the moment this script published the turn.

Per turn the script publishes the next slide, waits until every follower has reported it (or 10 s), then
pauses 0.3 s. It quotes the median, p90 and max over every (turn, follower) pair, and, per turn, the time the
last follower took: the figure the acceptance asks for ("reaches all within 200 ms median").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import pty
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.classroom.protocol import Show  # noqa: E402
from app.classroom.server import ClassroomServer  # noqa: E402
from app.course.load import load_course  # noqa: E402
from app.paths import course_root  # noqa: E402

TURN_DEADLINE_S = 10.0
JOIN_DEADLINE_S = 60.0
PAUSE_S = 0.3


class Follower:
    def __init__(self, number: int, address: str, token: str, folder: Path, size: tuple[int, int]) -> None:
        self.report = folder / f"follower-{number}.jsonl"
        self.report.touch()
        env = {
            **os.environ,
            "LOOPLAB_HOME": str(folder / f"home-{number}"),
            "LOOPLAB_JOIN_TOKEN": token,
            "LOOPLAB_FOLLOW_REPORT": str(self.report),
            "TERM": "xterm-256color",
        }
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        os.set_blocking(self.master, False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "follow", address],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group, killed whole at the end
        )
        os.close(slave)
        self._seen = 0
        self.shown: dict[int, float] = {}  # turn -> when it was on the screen

    def drain(self) -> None:
        try:
            while os.read(self.master, 1 << 16):
                pass
        except (BlockingIOError, OSError):
            pass

    def read_report(self) -> None:
        lines = self.report.read_text().splitlines()
        for line in lines[self._seen :]:
            entry = json.loads(line)
            if "turn" in entry:
                self.shown[entry["turn"]] = entry["shown_at"]
        self._seen = len(lines)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(5)
        os.close(self.master)


async def wait_until(condition, followers: list[Follower], deadline_s: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for follower in followers:
            follower.drain()
            follower.read_report()
        if condition():
            return True
        await asyncio.sleep(0.005)
    return False


async def measure(args: argparse.Namespace) -> dict:
    course = load_course(course_root(None))
    lesson = course.lesson(args.lesson)
    width, height = (int(n) for n in args.size.split("x"))
    server = ClassroomServer()
    await server.start()
    server.publish(Show(lesson.id, 0, 0))
    with tempfile.TemporaryDirectory(prefix="looplab-follow-bench-") as tmp:
        followers = [
            Follower(n, server.address, server.token, Path(tmp), (width, height)) for n in range(args.followers)
        ]
        try:
            joined = await wait_until(lambda: all(1 in f.shown for f in followers), followers, JOIN_DEADLINE_S)
            if not joined:
                raise SystemExit(f"not every follower showed the first slide within {JOIN_DEADLINE_S:g} s")
            pairs: list[float] = []
            last_per_turn: list[float] = []
            missed = 0
            for turn in range(2, args.turns + 2):
                slide = (turn - 1) % len(lesson.slides)
                sent = time.monotonic()
                server.publish(Show(lesson.id, slide, 0))
                done = await wait_until(
                    lambda turn=turn: all(turn in f.shown for f in followers), followers, TURN_DEADLINE_S
                )
                if not done:
                    missed += 1
                latencies = [f.shown[turn] - sent for f in followers if turn in f.shown]
                pairs += latencies
                if done:
                    last_per_turn.append(max(latencies))
                await wait_until(lambda: False, followers, PAUSE_S)
        finally:
            for follower in followers:
                follower.stop()
            await server.close()
    ms = lambda seconds: round(seconds * 1000, 1)  # noqa: E731
    return {
        "followers": args.followers,
        "turns": args.turns,
        "size": args.size,
        "lesson": lesson.id,
        "turns_missed": missed,
        "every_follower_ms": {
            "median": ms(statistics.median(pairs)),
            "p90": ms(statistics.quantiles(pairs, n=10, method="inclusive")[-1]),
            "max": ms(max(pairs)),
        },
        "last_follower_ms": {
            "median": ms(statistics.median(last_per_turn)),
            "p90": ms(statistics.quantiles(last_per_turn, n=10, method="inclusive")[-1]),
            "max": ms(max(last_per_turn)),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=10)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--size", default="120x40", help="each follower's terminal, COLUMNSxROWS")
    parser.add_argument("--lesson", default="timers")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(measure(args))
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    every, last = figures["every_follower_ms"], figures["last_follower_ms"]
    print(f"{figures['followers']} followers at {figures['size']}, {figures['turns']} turns of {figures['lesson']}")
    print(f"  each follower: median {every['median']} ms, p90 {every['p90']} ms, max {every['max']} ms")
    print(f"  the last of them, per turn: median {last['median']} ms, p90 {last['p90']} ms, max {last['max']} ms")
    if figures["turns_missed"]:
        print(f"  {figures['turns_missed']} turns did not reach every follower within {TURN_DEADLINE_S:g} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
