"""What counts as done and what comes next: one rule for the course map's "continue" and for the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.learner.progress import ProgressStore, where_to_continue
from app.paths import data_dir
from app.tui.screens.home import CONTINUE_ID, outline_options
from app.tui.screens.lesson import LessonScreen
from tests.test_tui_app import make_app, run_and_wait, wait_for
from tests.tui_course import tui_session, write_tui_course

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_tui_course(tmp_path / "course")


def store() -> ProgressStore:
    return ProgressStore(data_dir() / "progress.json", print)


def test_commands_without_an_id_take_the_exercise_continue_offers(
    course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store().record("guess", False, "v24.0.0")  # worked on the second exercise; the first is not passed either
    session = tui_session(course)
    offered = where_to_continue(session.course, session.store.load())
    continue_line = next(o for o in outline_options(session.course, session.store.load()) if o.id == CONTINUE_ID)
    assert offered is not None and offered.id == "guess" and offered.title in str(continue_line.prompt)
    assert main(["hint", "--course", str(course)]) == 0
    assert "The nextTick queue drains" in capsys.readouterr().out  # guess's hint, not hello-order's
    assert session.exercise(None).id == "guess"


def test_an_explore_exercise_that_runs_cleanly_from_the_command_line_is_done(
    course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "tour", "--course", str(course)]) == 0
    assert store().load().status("tour") == "passed"


def test_a_fix_exercise_that_only_runs_is_not_done(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "hello-order", "--course", str(course)]) == 0
    assert store().load().status("hello-order") == "pending"


async def test_an_explore_exercise_that_runs_cleanly_in_the_app_is_done(course: Path) -> None:
    app = make_app(course, start="tour")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await run_and_wait(pilot, screen, "r")
        assert store().load().status("tour") == "passed"
        assert "✓" in str(screen.query_one("#exercise-header").content)
