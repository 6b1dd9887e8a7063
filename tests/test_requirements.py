"""`requires = ["cc"]`: an exercise that compiles an add-on is skipped, in one line, where no C compiler is found."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from app.cli.main import main
from app.course.load import read_course
from app.runner.requirements import NO_COMPILER
from app.tui.app import LooplabApp
from app.tui.screens.lesson import LessonScreen
from tests.conftest import EXERCISE_TOML, tiny_course
from tests.tui_course import tui_session

EX = "exercises/hello-order/exercise.toml"
NEEDS_CC = EXERCISE_TOML.replace("timeout = 5", 'timeout = 5\nrequires = ["cc"]')


@pytest.fixture
def no_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide every C compiler: an empty PATH and no CC (Node is found by its full path)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


def test_an_unknown_requirement_names_its_file_line_and_key(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {EX: EXERCISE_TOML.replace("timeout = 5", 'timeout = 5\nrequires = ["compiler"]')})
    _, problems = read_course(root)
    assert [str(p) for p in problems] == [
        f"{root}/{EX}:6: requires[0]: unknown requirement 'compiler' (use one of cc)",
    ]


def test_without_a_compiler_check_and_run_say_so_in_one_line_and_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_compiler: None
) -> None:
    root = tiny_course(tmp_path, {EX: NEEDS_CC})
    for command in ("check", "run"):
        assert main([command, "hello-order", "--course", str(root)]) == 0
        out = capsys.readouterr().out
        assert out.strip() == f"hello-order: {NO_COMPILER}"
    assert main(["check", "hello-order", "--json", "--course", str(root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {"exercise": "hello-order", "kind": "fix", "skipped": NO_COMPILER}
    assert main(["list", "--json", "--course", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["lessons"][0]["exercises"][0]["status"] == "pending"


def test_without_a_compiler_verify_skips_the_exercise_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_compiler: None
) -> None:
    root = tiny_course(tmp_path, {EX: NEEDS_CC})
    assert main(["verify", "--runs", "2", "--course", str(root)]) == 0
    out = capsys.readouterr().out
    skipped = [line for line in out.splitlines() if NO_COMPILER in line]
    assert len(skipped) == 1 and skipped[0].startswith("· hello-order")  # one Node: PATH has none
    assert "verify passed: 0 exercise/Node pairs, 0 runs, 1 skipped" in out


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_with_a_compiler_the_exercise_runs_as_any_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tiny_course(tmp_path, {EX: NEEDS_CC})
    assert main(["check", "hello-order", "--reference", "--course", str(root)]) == 0
    assert NO_COMPILER not in capsys.readouterr().out


def test_without_a_compiler_the_app_says_so_instead_of_running(tmp_path: Path, no_compiler: None) -> None:
    root = tiny_course(tmp_path, {EX: NEEDS_CC})

    async def drive() -> str:
        app = LooplabApp(tui_session(root), start="hello-order", watch=False, blink=False)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(200):
                if isinstance(app.screen, LessonScreen):
                    break
                await pilot.pause(0.05)
            screen = app.screen
            assert isinstance(screen, LessonScreen)
            await pilot.press("c")
            await pilot.pause(0.2)
            assert screen.current_run is None and screen.finished_runs == 0  # nothing was started
            console = Console(width=200, record=True, file=io.StringIO())
            console.print(screen.query_one("#run-state", Static).content)
            return console.export_text().strip()

    assert asyncio.run(drive()) == NO_COMPILER
