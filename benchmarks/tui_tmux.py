"""The app as a learner meets it in tmux: start to the course map's first frame, and Ctrl+Q to exit.

    python benchmarks/tui_tmux.py [--runs 7] [--size 120x40] [--compare DIR] [--floor] [--start-only] [--json]

Each run starts `looplab` (the installed script beside this Python, else `python -m app`) in a new tmux
session of its own server socket, with a fresh LOOPLAB_HOME, and polls `tmux capture-pane` about every
10 ms. Start: from just before `new-session` until the course map is on the screen (the course title and
the first lesson's title). Quit, twice per run: on the course map, and in the first lesson a second after
it opened (watch mode and the warm-up are running there); from just before Ctrl+Q is sent until tmux
reports the pane's process dead. Polling costs a few ms per look, so the figures are upper bounds by about
that much. Medians are quoted. The app's CPU time (user + system) when the map appeared is reported too:
on a machine busy with other work, wall times swing by seconds while CPU time moves little.
`--compare DIR` also runs `python -m app` in DIR, another checkout (say `git archive <commit> | tar -x -C
DIR`), interleaved run by run with this one, for before/after figures. Each command has its own LOOPLAB_CACHE,
warm after the warm-up. `--start-only` skips the quit timings.
PYTHONDONTWRITEBYTECODE is dropped for the app, so the untimed warm-up leaves the .pyc files that an
installed looplab has (pip compiles them); with it set, every start compiled all of app/ again.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.course.load import load_course  # noqa: E402
from app.paths import course_root  # noqa: E402

POLL_S = 0.01
DEADLINE_S = 20.0
START_TARGET_S, QUIT_TARGET_S = 0.5, 0.3


# The floor: a bare Textual app with the course map's widgets and the two titles, quitting on Ctrl+Q as
# Textual does by default. looplab cannot start faster than this on the same machine at the same moment.
FLOOR_APP = """
import sys
from textual.app import App
from textual.widgets import Footer, Header, Input, OptionList, Static
class Floor(App):
    def compose(self):
        yield Header()
        yield Static(sys.argv[1])
        yield Input()
        yield OptionList(*sys.argv[2:])
        yield Footer()
Floor().run()
"""

Command = tuple[list[str], Path | None]  # argv and the folder it starts in (None: here)
_SERVERS = itertools.count()
# One LOOPLAB_CACHE per command, kept across its runs: the course cache is warm after the warm-up, as a learner's
# is. With one shared folder, two checkouts replaced each other's cached course on every run.
_CACHES: dict[str, Path] = {}


def app_command(checkout: Path | None = None) -> Command:
    """The command line and working folder that start looplab (this one, or the one in `checkout`)."""
    if checkout is not None:
        return [sys.executable, "-m", "app"], checkout
    script = Path(sys.executable).with_name("looplab")
    return ([str(script)] if script.exists() else [sys.executable, "-m", "app"]), None


class Session:
    """One tmux server (its own socket) holding the app in a pane that stays after the app exits."""

    def __init__(self, columns: int, lines: int, command: Command) -> None:
        self.socket = f"looplab-bench-{os.getpid()}-{next(_SERVERS)}"  # a fresh server: the last may still be ending
        self.columns, self.lines, self.command = columns, lines, command
        self.home = Path(tempfile.mkdtemp(prefix="looplab-bench-"))

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return done.stdout

    def start(self) -> float:
        """Start the app; returns the moment just before tmux was asked to."""
        cache = _CACHES.setdefault(repr(self.command), Path(tempfile.mkdtemp(prefix="looplab-bench-cache-")))
        env = {"LOOPLAB_HOME": str(self.home / "home"), "LOOPLAB_CACHE": str(cache)}
        env_args = [f"{key}={value}" for key, value in env.items() if value]
        size = ["-x", str(self.columns), "-y", str(self.lines)]
        command, cwd = self.command
        where = ["-c", str(cwd)] if cwd else []
        started = time.perf_counter()
        self.tmux(
            "new-session", "-d", "-s", "app", *where, *size, "env", "-u", "PYTHONDONTWRITEBYTECODE", *env_args, *command
        )
        self.tmux("set-option", "-t", "app", "remain-on-exit", "on")
        return started

    def wait_until(self, what: str, seen: callable) -> float:  # type: ignore[valid-type]
        """Poll until `seen()` holds; returns the moment it first did."""
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            if seen():
                return time.perf_counter()
            time.sleep(POLL_S)
        raise RuntimeError(f"gave up waiting for {what}; the screen was:\n{self.screen()}")

    def cpu_seconds(self) -> float:
        """CPU time the app has used so far (user + system, from /proc): unlike wall time, it barely changes when
        other programs load the machine, so before/after comparisons on a busy machine still mean something."""
        pid = self.tmux("display-message", "-p", "-t", "app", "#{pane_pid}").strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "app", "#{pane_dead}").strip() == "1"

    def quit_time(self) -> float:
        started = time.perf_counter()
        self.tmux("send-keys", "-t", "app", "C-q")
        return self.wait_until("the app to exit", self.dead) - started

    def close(self) -> None:
        self.tmux("kill-server")
        shutil.rmtree(self.home, ignore_errors=True)


def one_run(
    columns: int, lines: int, titles: tuple[str, str], command: Command, lesson: bool, quit: bool = True
) -> dict[str, float]:
    figures: dict[str, float] = {}
    session = Session(columns, lines, command)

    def on_map() -> bool:
        screen = session.screen()
        return all(title in screen for title in titles)

    try:
        started = session.start()
        figures["start"] = session.wait_until("the course map", on_map) - started
        figures["start_cpu"] = session.cpu_seconds()
        if quit:
            figures["quit_home"] = session.quit_time()
    finally:
        session.close()
    if not lesson or not quit:
        return figures
    session = Session(columns, lines, command)
    try:
        session.start()
        session.wait_until("the course map", on_map)
        session.tmux("send-keys", "-t", "app", "Down", "Enter")
        session.wait_until("the first lesson", lambda: "slide 1/" in session.screen())
        time.sleep(1.0)  # watch mode and the warm-up are up by now
        figures["quit_lesson"] = session.quit_time()
    finally:
        session.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", default="120x40", help="COLUMNSxLINES of the tmux window")
    parser.add_argument("--compare", type=Path, metavar="DIR", help="another checkout to run interleaved")
    parser.add_argument("--floor", action="store_true", help="also time a bare Textual app, interleaved")
    parser.add_argument("--start-only", action="store_true", help="time only the start, not Ctrl+Q")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    columns, lines = (int(part) for part in args.size.split("x"))
    course = load_course(course_root(None))
    titles = (course.title, course.lessons[0].title)
    targets: dict[str, Command] = {"this": app_command()}
    if args.compare:
        targets[str(args.compare.resolve())] = app_command(args.compare.resolve())
    if args.floor:
        targets["bare Textual app"] = ([sys.executable, "-c", FLOOR_APP, *titles], None)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    for command in targets.values():
        one_run(columns, lines, titles, command, False, quit=False)  # warm-up, untimed: writes .pyc files
    try:
        for _ in range(args.runs):
            for name, command in targets.items():
                lesson = name != "bare Textual app"
                runs[name].append(one_run(columns, lines, titles, command, lesson, quit=not args.start_only))
    finally:
        for cache in _CACHES.values():
            shutil.rmtree(cache, ignore_errors=True)
    medians = {
        name: {key: statistics.median(run[key] for run in done) for key in done[0]} for name, done in runs.items()
    }
    mine = medians["this"]
    quits = [mine[key] for key in ("quit_home", "quit_lesson") if key in mine]
    within = mine["start"] <= START_TARGET_S and max(quits, default=0.0) <= QUIT_TARGET_S
    if args.json:
        result = {"size": args.size, "runs": runs, "medians_s": medians, "within_targets": within}
        print(json.dumps(result, indent=2, default=str))
        return 0 if within else 1
    print(f"tmux {args.size}, {args.runs} runs after one untimed warm-up, polled every {POLL_S * 1000:.0f} ms")
    labels = {
        "start": "start to course map",
        "start_cpu": "  its CPU time",
        "quit_home": "Ctrl+Q on the map",
        "quit_lesson": "Ctrl+Q in a lesson",
    }
    for name, done in runs.items():
        print("this checkout:" if name == "this" else f"{name}:")
        for key, label in labels.items():
            if key not in medians[name]:
                continue
            times = ", ".join(f"{run[key] * 1000:.0f}" for run in done)
            print(f"  {label:<20} median {medians[name][key] * 1000:6.0f} ms   ({times})")
    print(f"targets: start ≤ {START_TARGET_S} s, quit ≤ {QUIT_TARGET_S} s: {'within' if within else 'OVER'}")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
