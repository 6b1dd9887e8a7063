"""What plain `looplab` loads before the course map's first frame: only what that frame needs (issue 10).

Nothing here is timed. Each start runs in a fresh interpreter, the real way (`main()` -> `cmd_app` -> the app),
on a pseudo-terminal, with Textual headless at 120x40; once the map has settled, the child writes the names in
`sys.modules`. The lesson screen's modules (slides, Markdown, Pygments, the runner, the tracer's model) load
with the first lesson, never for the map.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import build_parser, parse_args
from tests.conftest import REPO

# Runs plain `looplab` with the terminal swapped for Textual's headless driver, and notes what is imported when
# the first frame is drawn, and again once the map has settled (the course has loaded by then).
CHILD = """
import sys
from textual.app import App

out = sys.argv[1]
run, display = App.run, App._display
first_frame = []

def note(self, screen, renderable):
    if not first_frame and type(screen).__name__ == "HomeScreen" and renderable is not None:
        first_frame.append(sorted(sys.modules))
    return display(self, screen, renderable)

def headless(self, **kwargs):
    async def look(pilot):
        await pilot.pause()
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "HomeScreen" and pilot.app.query_one("#outline").option_count
        with open(out, "w") as file:
            file.write(" ".join(first_frame[0]) + "\\n" + " ".join(sorted(sys.modules)))
        pilot.app.exit(0)
    return run(self, headless=True, size=(120, 40), auto_pilot=look)

App.run, App._display = headless, note
sys.argv = ["looplab"]
from app.cli.main import main
main()
"""

# Only a lesson needs these: its screen and widgets, slides in Markdown with Pygments colours, the runner, the
# tracer's session, schema and loop model, Node's location, and watching files.
LESSON_ONLY = (
    "app.tui.screens.lesson",
    "app.tui.screens.lesson_files",
    "app.tui.screens.lesson_panes",
    "app.tui.screens.lesson_predict",
    "app.tui.screens.lesson_runs",
    "app.tui.screens.help",
    "app.tui.widgets.slide_deck",
    "app.tui.widgets.visualizer",
    "app.tui.widgets.exercise_pane",
    "app.tui.widgets.predict_list",
    "app.runner",
    "app.trace.loop_model",
    "app.trace.loop_reducer",
    "app.trace.loop_snapshot",
    "app.trace.schema",
    "app.trace.session",
    "app.trace.decode",
    "app.nodejs",
    "markdown_it",
    "rich.markdown",
    "rich.syntax",
    "textual.widgets._markdown",
    "watchfiles",
)
# With the course cache warm, the course is not parsed or checked either: no TOML, no Pygments lookups.
PARSING_ONLY = ("app.course.load", "app.check.match", "tomllib", "pygments")
# ... and the first frame shows the course's outline: the course model's classes load just after it.
MODEL = ("app.course.model", "app.course.slides", "app.check.spec")


def modules_at_the_first_frame(tmp_path: Path) -> tuple[set[str], set[str]]:
    """What was imported when the map's first frame was drawn, and once it had settled."""
    out = tmp_path / "modules.txt"
    out.unlink(missing_ok=True)
    leader, follower = pty.openpty()  # `looplab` opens the app only on a terminal
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(out)],
            cwd=REPO,
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            env={**os.environ, "LOOPLAB_CACHE": str(tmp_path / "cache"), "LOOPLAB_HOME": str(tmp_path / "home")},
            timeout=120,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 0 and out.exists(), done.stderr.decode(errors="replace")
    at_first_frame, settled = out.read_text().splitlines()
    return set(at_first_frame.split()), set(settled.split())


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == name or m.startswith(name + ".") for name in names))


def test_the_course_map_loads_nothing_only_a_lesson_needs(tmp_path: Path) -> None:
    frame, settled = modules_at_the_first_frame(tmp_path)  # a first start: the course is parsed, then cached
    assert "app.tui.screens.home" in frame and "textual.widgets._option_list" in frame
    assert loaded(settled, LESSON_ONLY) == []
    frame, settled = modules_at_the_first_frame(tmp_path)  # every later start: the course comes from the cache
    assert loaded(frame, LESSON_ONLY + PARSING_ONLY + MODEL) == []
    assert loaded(settled, LESSON_ONLY + PARSING_ONLY) == [] and "app.course.model" in settled


@pytest.mark.parametrize("argv", [[], None])
def test_plain_looplab_skips_the_parser_and_gets_what_it_would_give(
    argv: list[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["looplab"])
    assert parse_args(argv) == build_parser().parse_args([])
