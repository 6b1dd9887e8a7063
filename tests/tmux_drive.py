#!/usr/bin/env python3
"""Drive the real `looplab` app in tmux: open the first lesson, run its exercise, check the screen.

Run it on its own (`python tests/tmux_drive.py`) or through pytest (tests/test_tmux_drive.py). It uses its
own tmux server socket and a fresh LOOPLAB_HOME, and always kills what it started. Exit code 0 means the
phase names and the exercise's output lines were on the screen; otherwise it prints the last screen.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.check.prediction import prediction_lines  # noqa: E402
from app.course.load import load_course  # noqa: E402
from app.nodejs.locate import choose_node  # noqa: E402
from app.paths import course_root  # noqa: E402

WIDTH, HEIGHT = 120, 40
PHASES = ("main", "pending", "poll", "check", "close", "timers")


class Tmux:
    def __init__(self) -> None:
        self.socket = f"looplab-test-{os.getpid()}"

    def __call__(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20)
        return done.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "app")

    def wait_for(self, what: str, check: callable, timeout: float = 30.0) -> str:  # type: ignore[valid-type]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"gave up waiting for {what}; the screen was:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self("send-keys", "-t", "app", key)
            time.sleep(0.3)


def output_pane(screen: str) -> str:
    """The text inside the output box, its rows joined in order (one long line wraps over several rows)."""
    rows = screen.split("\n")
    top = next((i for i, row in enumerate(rows) if "╭─ output" in row), None)
    if top is None:
        return ""
    left = rows[top].index("╭─ output")
    right = rows[top].index("╮", left)
    inside = []
    for row in rows[top + 1 :]:
        if len(row) <= left or row[left] == "╰":
            break
        inside.append(row[left + 1 : right])
    return "".join(inside)


def squashed(text: str) -> str:
    return "".join(text.split())


def app_command() -> list[str]:
    script = Path(sys.executable).with_name("looplab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app"]


def main() -> int:
    course = load_course(course_root(None))
    lesson = course.lessons[0]
    exercise = course.exercises[lesson.exercises[0]]
    node = choose_node(None)
    expected = prediction_lines(exercise.expectation.for_node(node.major)) or []
    home = tempfile.mkdtemp(prefix="looplab-tmux-home-")
    tmux = Tmux()
    command = " ".join(shlex.quote(part) for part in app_command())
    # Textual takes the size from COLUMNS and LINES before asking the terminal; an inherited pair (80x24
    # under some test runners) would make it draw a small layout in the big pane, so they are dropped
    cache = os.environ.get("LOOPLAB_CACHE", home)
    env = f"-u COLUMNS -u LINES LOOPLAB_HOME={shlex.quote(home)} LOOPLAB_CACHE={shlex.quote(cache)}"
    try:
        # 1. start looplab (the shell stays after it, so a crash leaves its message on the screen)
        #    tmux may create the pane at 80x24 and resize it a moment later; an app started in between can miss
        #    the resize, so the shell waits (for at most 5 s) until the pane has its final size
        wait_size = f'for i in $(seq 100); do [ "$(stty size)" = "{HEIGHT} {WIDTH}" ] && break; sleep 0.05; done'
        tmux(
            "new-session",
            "-d",
            "-s",
            "app",
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            f"{wait_size}; env {env} {command}; sleep 30",
        )
        tmux.wait_for("the course map", lambda s: course.title in s and lesson.title in s)
        # 2. open the first lesson: it is the first entry under the "continue" line
        tmux.keys("Down", "Enter")
        tmux.wait_for("the first lesson", lambda s: "slide 1/" in s and lesson.title in s)
        # 3. run its exercise (a predict exercise runs once a prediction is checked), then zoom the visualizer
        #    (as an instructor would) to see every line whole
        tmux.keys("c" if exercise.kind == "predict" else "r")
        tmux.wait_for("the run to end", lambda s: "exit code" in s, timeout=60)
        tmux.keys("2", "z", "G")  # G: the end of the run (after a prediction the replay starts from the start)
        # 4. capture the screen
        screen = tmux.wait_for("the zoomed visualizer", lambda s: "queues" in s and "output" in s)
        # 5. the phase names and the output lines are on it
        missing = [phase for phase in PHASES if phase not in screen]
        shown = squashed(output_pane(screen))  # a line wider than the pane goes on in the next row
        missing += [line for line in expected if line not in screen and squashed(line) not in shown]
        if not expected:
            missing.append("(the first exercise has no plain lines to look for)")
        if missing:
            print(f"not on the screen: {missing}\n{screen}")
            return 1
        print(screen)
        print(f"ok: {exercise.id} on Node {node.version}: {len(PHASES)} phase names and {len(expected)} lines shown")
        return 0
    finally:
        tmux("kill-server")


if __name__ == "__main__":
    sys.exit(main())
