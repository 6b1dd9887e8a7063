"""How late the app's own event loop gets while a heavy traced run streams into the live visualizer.

    python benchmarks/tui_responsiveness.py [--runs 5] [--awaits 50000] [--timers 10000] [--immediates 10000] [--json]

A throwaway course holds one `explore` exercise whose starter is benchmarks/programs/loop_load.js, sized by
the exercise's [env] table. The real app (`LooplabApp` as a learner gets it, watch mode on) runs headless
under Textual's pilot at 120x40, opened on that exercise, with a fresh LOOPLAB_HOME and LOOPLAB_CACHE. A
probe (`app.set_interval(0.02)`) records when it fires; pressing r runs the program under the tracer while
its events stream into the visualizer. UI lag is each gap between consecutive probe ticks minus the 20 ms
interval, for the gaps that overlap the run (key press until the screen has finished the run); the blocked
share is the sum of those lags over the time the gaps span. Baseline: the same probe with the app idle on
the lesson screen for 3 s. App runs are interleaved with plain `node loop_load.js` runs (same Node, same
sizes), after one untimed warm-up of each (the first run also builds the loop-marker addon). Every traced
run carries a benchmark-only environment variable, so processes left behind are found exactly; exits 1 if
any are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from app.cli.session import Session  # noqa: E402
from app.nodejs.locate import choose_node  # noqa: E402
from app.runner.process import RunResult  # noqa: E402
from app.tui.app import LooplabApp  # noqa: E402
from app.tui.screens.lesson import LessonScreen  # noqa: E402
from app.tui.widgets.visualizer import Visualizer  # noqa: E402

PROGRAM = ROOT / "benchmarks" / "programs" / "loop_load.js"
EXERCISE = "loop-load"
INTERVAL_S = 0.02
IDLE_S = 3.0
RUN_CAP_S = 120.0
SIZE = (120, 40)
MARKER = "LOOPLAB_BENCH_RESPONSIVENESS"


@dataclass
class Lag:
    """How late the probe's ticks came over one window, in ms."""

    window_s: float
    ticks: int
    max_ms: float
    p99_ms: float
    median_ms: float
    blocked_share: float  # the lags' sum over the time the gaps span: how much of it the loop was not free


@dataclass
class AppRun:
    """One run of the exercise in the app."""

    wall_s: float  # key press until the screen counts the run as finished
    node_s: float  # spawn to exit, as the runner saw it
    events: int  # trace events in the visualizer's timeline once the run is over
    lag: Lag


def write_course(root: Path, sizes: dict[str, str], marker: str) -> None:
    """One lesson with one explore exercise: loop_load.js, sized and marked through the exercise's [env]."""
    env = "".join(f'{name} = "{value}"\n' for name, value in {**sizes, MARKER: marker}.items())
    files = {
        "lessons/course.toml": 'title = "Responsiveness bench"\n\n[[sections]]\nid = "loop"\ntitle = "The loop"\n',
        "lessons/load/lesson.toml": (
            'title = "Under load"\nsection = "loop"\norder = 1\nsummary = "A heavy traced run."\n'
            f'exercises = ["{EXERCISE}"]\n'
        ),
        "lessons/load/slides.md": "# Under load\n\nPress r and watch the loop.\n",
        f"exercises/{EXERCISE}/exercise.toml": (
            'title = "Loop load"\nkind = "explore"\nprompt = "Run it."\ntimeout = 60\n\n'
            f'[env]\n{env}\n[expect]\nsequence = [{{ re = "done: .*" }}]\n'
        ),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    shutil.copyfile(PROGRAM, root / "exercises" / EXERCISE / "starter.js")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share from 0 to 1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def lag_between(ticks: list[float], start: float, end: float) -> Lag:
    """How late each tick came after the one before, for every gap between ticks that overlaps `start`..`end`.

    The gaps that straddle either end count: a block that ends the window shows in the first tick after it.
    """
    gaps = [(a, b) for a, b in zip(ticks, ticks[1:], strict=False) if b > start and a < end]
    if not gaps:
        raise RuntimeError("the probe did not tick around the window; was it running?")
    lags = [max(0.0, (b - a - INTERVAL_S) * 1000) for a, b in gaps]
    share = sum(lags) / 1000 / (gaps[-1][1] - gaps[0][0])
    return Lag(end - start, len(lags), max(lags), percentile(lags, 0.99), statistics.median(lags), share)


def plain_run(node: str, folder: Path, sizes: dict[str, str]) -> float:
    """Seconds from spawning `node loop_load.js` with these sizes until it has exited."""
    started = time.perf_counter()
    env = {**os.environ, **sizes}
    subprocess.run([node, PROGRAM.name], cwd=folder, env=env, capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def left_behind(marker: str, scratch: Path) -> list[int]:
    """Pids of processes with the run marker in their environment, or the scratch folder in their command line."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{name}/environ").read_bytes().split(b"\0")
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if f"{MARKER}={marker}".encode() in environ or str(scratch).encode() in cmdline:
            found.append(int(name))
    return found


class Bench:
    """The app on the benchmark's exercise, with a probe to switch on and off."""

    def __init__(self, course: Path) -> None:
        self.app = LooplabApp(Session(argparse.Namespace(node=None, course=str(course))), start=EXERCISE)
        self.ticks: list[float] = []
        self.results: list[RunResult] = []
        self.finished_at = 0.0
        self.screen: LessonScreen  # once open() has seen it

    async def open(self, pilot: Pilot[int]) -> None:
        """Wait for the lesson screen; note each run's result and when the screen is done finishing it."""
        while not isinstance(self.app.screen, LessonScreen):
            await pilot.pause(0.05)
        self.screen = self.app.screen
        finish = self.screen.finish_run

        def finish_and_keep(exercise: Any, result: RunResult, *rest: Any) -> None:
            self.results.append(result)
            finish(exercise, result, *rest)
            self.finished_at = time.perf_counter()

        self.screen.finish_run = finish_and_keep  # type: ignore[method-assign]

    async def idle(self, pilot: Pilot[int]) -> Lag:
        """The probe alone, with nothing running."""
        self.ticks.clear()
        probe = self.app.set_interval(INTERVAL_S, lambda: self.ticks.append(time.perf_counter()))
        started = time.perf_counter()
        await pilot.pause(IDLE_S)
        ended = time.perf_counter()
        probe.stop()
        return lag_between(self.ticks, started, ended)

    async def run(self, pilot: Pilot[int]) -> AppRun:
        """Press r and let the probe tick until the screen counts the run as finished."""
        done = self.screen.finished_runs
        self.ticks.clear()
        probe = self.app.set_interval(INTERVAL_S, lambda: self.ticks.append(time.perf_counter()))
        await pilot.pause(0.2)  # the probe is ticking before the key press
        started = time.perf_counter()
        await pilot.press("r")  # returns once the app looks idle or after 1 s: the probe keeps its own time
        while self.screen.finished_runs == done:
            if time.perf_counter() - started > RUN_CAP_S:
                probe.stop()
                raise RuntimeError(f"the run had not finished after {RUN_CAP_S:.0f} s")
            await pilot.pause(0.05)
        await pilot.pause(0.1)  # the first tick after the run closes the gap it ended in
        probe.stop()
        ended = self.finished_at
        timeline = self.screen.query_one(Visualizer).timeline
        result = self.results[-1]
        if result.exit_code != 0:
            raise RuntimeError(f"the traced run failed: {result.describe_end()}")
        events = len(timeline) if timeline is not None else 0
        return AppRun(ended - started, result.duration, events, lag_between(self.ticks, started, ended))


async def measure(course: Path, runs: int, sizes: dict[str, str]) -> tuple[Lag, list[AppRun], list[float]]:
    """Warm-up, idle baseline, then app runs interleaved with plain node runs."""
    node = str(choose_node(None).path)
    folder = Path(tempfile.mkdtemp(prefix="tui-responsiveness-plain-"))
    shutil.copyfile(PROGRAM, folder / PROGRAM.name)
    bench = Bench(course)
    app_runs: list[AppRun] = []
    plain: list[float] = []
    try:
        async with bench.app.run_test(size=SIZE) as pilot:
            await bench.open(pilot)
            await bench.run(pilot)  # warm-up, untimed
            await asyncio.to_thread(plain_run, node, folder, sizes)
            idle = await bench.idle(pilot)
            for _ in range(runs):
                app_runs.append(await bench.run(pilot))
                plain.append(await asyncio.to_thread(plain_run, node, folder, sizes))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return idle, app_runs, plain


def describe(lag: Lag) -> str:
    return (
        f"{lag.ticks} ticks in {lag.window_s:.2f} s: lag max {lag.max_ms:.1f} ms, p99 {lag.p99_ms:.1f} ms, "
        f"median {lag.median_ms:.2f} ms, loop blocked {lag.blocked_share:.0%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--awaits", type=int, default=50_000)
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--immediates", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print every number as JSON")
    args = parser.parse_args()

    sizes = {"AWAITS": str(args.awaits), "TIMERS": str(args.timers), "IMMEDIATES": str(args.immediates)}
    scratch = Path(tempfile.mkdtemp(prefix="tui-responsiveness-"))
    marker = uuid.uuid4().hex
    write_course(scratch / "course", sizes, marker)
    os.environ["LOOPLAB_HOME"] = str(scratch / "home")
    os.environ["LOOPLAB_CACHE"] = str(scratch / "cache")
    node = choose_node(None)
    try:
        idle, app_runs, plain = asyncio.run(measure(scratch / "course", args.runs, sizes))
        time.sleep(0.5)  # anything just killed has time to disappear from /proc
        leftovers = left_behind(marker, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    wall_s, plain_s = statistics.median(r.wall_s for r in app_runs), statistics.median(plain)
    medians = {
        "max_lag_ms": statistics.median(r.lag.max_ms for r in app_runs),
        "p99_lag_ms": statistics.median(r.lag.p99_ms for r in app_runs),
        "median_lag_ms": statistics.median(r.lag.median_ms for r in app_runs),
        "blocked_share": statistics.median(r.lag.blocked_share for r in app_runs),
        "events": statistics.median(r.events for r in app_runs),
        "app_run_s": wall_s,
        "traced_node_s": statistics.median(r.node_s for r in app_runs),
        "plain_node_s": plain_s,
        "ratio_app_to_plain": wall_s / plain_s,
    }
    if args.json:
        result = {
            "node": node.describe(),
            "python": platform.python_version(),
            "textual": version("textual"),
            "terminal": f"{SIZE[0]}x{SIZE[1]} (headless)",
            "sizes": sizes,
            "probe_interval_ms": INTERVAL_S * 1000,
            "runs": args.runs,
            "idle": asdict(idle),
            "app_runs": [asdict(r) for r in app_runs],
            "plain_node_s": plain,
            "medians": medians,
            "left_behind": leftovers,
        }
        print(json.dumps(result, indent=2))
    else:
        load = ", ".join(f"{name}={value}" for name, value in sizes.items())
        print(f"{node.describe()}; Python {platform.python_version()}, Textual {version('textual')}")
        print(f"headless {SIZE[0]}x{SIZE[1]}; loop_load.js with {load}; probe every {INTERVAL_S * 1000:.0f} ms")
        print(f"  idle baseline    {describe(idle)}")
        for number, (run, plain_run_s) in enumerate(zip(app_runs, plain, strict=True), start=1):
            print(
                f"  run {number}: app {run.wall_s:.2f} s (traced node {run.node_s * 1000:.0f} ms, "
                f"plain node {plain_run_s * 1000:.0f} ms), {run.events:,} events"
            )
            print(f"         {describe(run.lag)}")
        print(
            f"  median of {args.runs}: lag max {medians['max_lag_ms']:.1f} ms, p99 {medians['p99_lag_ms']:.1f} ms, "
            f"median {medians['median_lag_ms']:.2f} ms, loop blocked {medians['blocked_share']:.0%}"
        )
        print(
            f"  median run: app {wall_s:.2f} s, traced node {medians['traced_node_s'] * 1000:.0f} ms, "
            f"plain node {plain_s * 1000:.1f} ms; ratio app / plain {wall_s / plain_s:.1f}x"
        )
        print(f"  processes left behind (run marker in their environment, or {scratch} in argv): {len(leftovers)}")
    return 1 if leftovers else 0


if __name__ == "__main__":
    raise SystemExit(main())
