"""The app driven by Textual's pilot, running real Node: lessons, runs, checks, predictions, watch and cancel."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static

from app.cli.main import main
from app.learner.presenter import SlidePosition, read_position
from app.learner.progress import ProgressStore
from app.paths import data_dir
from app.trace.loop_model import replay
from app.tui.app import LooplabApp
from app.tui.course_cache import CourseCache
from app.tui.screens import lesson_runs
from app.tui.screens.help import HelpScreen
from app.tui.screens.home import HomeScreen
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.exercise_pane import ExercisePane
from app.tui.widgets.predict_list import PredictList
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import SourcePicked, Visualizer
from tests.tui_course import GUESS, tui_session, write_tui_course

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_tui_course(tmp_path / "course")


W = TypeVar("W", bound=Widget)


def make_app(course: Path, start: str | None = None, watch: bool = False) -> LooplabApp:
    return LooplabApp(tui_session(course), start=start, watch=watch, blink=False)


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app work until `condition` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {condition.__doc__ or condition}")
        await pilot.pause(0.05)


def text_of(screen: Screen, selector: str) -> str:
    """What a Static shows, as plain text, whatever Rich renderable it holds."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(screen.query_one(selector, Static).content)
    return console.export_text().strip()


def run_is_over(screen: LessonScreen) -> Callable[[], bool]:
    def over() -> bool:
        """the run to end"""
        visualizer = screen.query_one(Visualizer)
        return screen.current_run is None and not visualizer.live and visualizer.timeline is not None

    return over


async def run_and_wait(pilot: Pilot, screen: LessonScreen, key: str) -> None:
    done = screen.finished_runs
    await pilot.press(key)
    await wait_for(pilot, lambda: screen.finished_runs > done)
    await pilot.pause(0.1)


async def lesson_with_view(pilot: Pilot, view_type: type[W]) -> tuple[LessonScreen, Visualizer, W]:
    """Once the lesson screen is up: it, its visualizer and the view of `view_type` it shows."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LessonScreen))
    screen = pilot.app.screen
    assert isinstance(screen, LessonScreen)
    return screen, screen.query_one(Visualizer), screen.query_one(view_type)


def status(exercise_id: str) -> str:
    return ProgressStore(data_dir() / "progress.json", print).load().status(exercise_id)


async def test_the_map_drawn_from_the_outline_is_the_map_of_the_course(course: Path, tmp_path: Path) -> None:
    """`looplab` draws its first frame from the cached outline and loads the course right after (launch.py)."""
    cached = CourseCache(course, tmp_path / "cache")
    cached.course()
    pictures = []
    for outline in (None, cached.outline()):
        session = tui_session(course)
        session.course_source = cached.course
        app = LooplabApp(session, blink=False, outline=outline)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert "course" in vars(session)  # loaded once the first frame was up, before any key
            assert isinstance(app.screen, HomeScreen) and app.screen.outline is None
            outline_list = app.screen.query_one("#outline", OptionList)
            pictures.append(([str(o.prompt) for o in outline_list.options], text_of(app.screen, "#home-summary")))
            await pilot.press("slash", *"guess", "down", "enter")  # search and open, from the full course
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, LessonScreen))
    assert pictures[0] == pictures[1]


async def test_open_a_lesson_page_its_slides_run_the_exercise_and_read_the_verdict(course: Path) -> None:
    app = make_app(course)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")  # "Continue" is highlighted on a fresh start
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        deck = screen.query_one(SlideDeck)
        assert "slide 1/3" in text_of(screen, "#slide-header")
        assert "SECRET-NOTE" not in deck.lesson.slides[0].markdown  # the speaker note is not on the slide
        await pilot.press("right")
        assert "slide 2/3" in text_of(screen, "#slide-header")
        await pilot.press("space")
        assert "slide 3/3 · Try it" in text_of(screen, "#slide-header")
        await pilot.press("space")  # the last slide stays put
        assert deck.current == 2
        await pilot.press("pageup", "left")
        assert "slide 1/3" in text_of(screen, "#slide-header")

        await run_and_wait(pilot, screen, "r")
        shown = [(line.text, line.phase) for line in screen.query_one(Visualizer).snapshot.output]
        assert shown == [("second", "main"), ("first", "timers")]  # the starter prints them the wrong way round
        verdict = text_of(screen, "#verdict")
        assert "not yet" in verdict and "timers" in verdict and "main" in verdict
        assert status("hello-order") == "pending"  # a run is not a check


async def test_a_failing_check_then_a_passing_one_reveals_the_solution(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await run_and_wait(pilot, screen, "c")
        assert "not yet" in text_of(screen, "#verdict")
        assert status("hello-order") == "failed"
        assert text_of(screen, "#solution") == ""  # no solution before a pass

        program = screen.session.workspace.program(screen.exercise)
        program.write_text((course / "exercises/hello-order/solution.js").read_text())
        await run_and_wait(pilot, screen, "c")
        assert "passed" in text_of(screen, "#verdict")
        assert status("hello-order") == "passed"
        assert "reference solution" in text_of(screen, "#solution")
        assert "✓" in text_of(screen, "#exercise-header")


async def order_lines(pilot: Pilot, predict: PredictList, wanted: list[str]) -> None:
    """Put the lines in `wanted` order with the keyboard only: highlight a line, Shift+Up/Down moves it."""
    predict.focus()
    for target, line in enumerate(wanted):
        source = predict.lines.index(line)
        predict.highlighted = source
        await pilot.pause()
        for _ in range(source - target):
            await pilot.press("shift+up")
    assert predict.lines == wanted


async def test_predict_mode_marks_a_wrong_order_then_accepts_the_right_one(course: Path) -> None:
    app = make_app(course, start="guess")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        predict = screen.query_one(PredictList)
        assert predict.display and sorted(predict.lines) == ["main", "tick", "timeout"]
        await order_lines(pilot, predict, ["timeout", "tick", "main"])
        await run_and_wait(pilot, screen, "c")
        assert predict.marks == ["wrong", None, None]  # the verdict's: the order breaks at once, the rest unjudged
        assert "Moving 2 lines gives an order Node can print" in text_of(screen, "#run-state")
        assert "not yet" in text_of(screen, "#verdict")
        assert status("guess") == "failed"
        visualizer = screen.query_one(Visualizer)
        assert [line.text for line in visualizer.timeline.output] == ["main", "tick", "timeout"]  # Node's own run
        saved = screen.session.workspace.read_prediction(screen.exercise)
        assert saved == ["timeout", "tick", "main"]  # the order is kept in prediction.txt

        await order_lines(pilot, predict, ["main", "tick", "timeout"])
        await pilot.press("c")
        await wait_for(pilot, lambda: "passed" in text_of(screen, "#verdict"), 10)
        assert predict.marks == ["ok", "ok", "ok"] and status("guess") == "passed"
        await wait_for(pilot, run_is_over(screen))


RACING_GUESS = GUESS.replace(
    'sequence = ["main", "tick", "timeout"]',
    'sequence = [{ any_order = ["main", "tick"], why = "WHY-SECRET both come before the loop starts" }, "timeout"]',
)


async def test_prediction_marks_are_the_verdicts_and_one_move_is_called_one_move(course: Path) -> None:
    (course / "exercises/guess/exercise.toml").write_text(RACING_GUESS)
    app = make_app(course, start="guess")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        predict = screen.query_one(PredictList)
        await order_lines(pilot, predict, ["tick", "timeout", "main"])  # Node prints main, tick, timeout
        await run_and_wait(pilot, screen, "c")
        assert "✓  1 tick" in text_of(screen, "#verdict") and "✗  2 timeout" in text_of(screen, "#verdict")
        assert predict.marks == ["ok", "wrong", None]  # as the verdict beside it: "tick" may come before "main"
        state = text_of(screen, "#run-state")
        assert "One line is out of place" in state and "misplaced" not in state
        assert "WHY-SECRET" not in text_of(screen, "#verdict")  # the reason would give the answer away

        await order_lines(pilot, predict, ["tick", "main", "timeout"])
        await run_and_wait(pilot, screen, "c")
        assert "passed" in text_of(screen, "#verdict") and "WHY-SECRET" in text_of(screen, "#verdict")


async def test_run_shows_no_real_order_of_a_predict_exercise_before_a_first_check(course: Path) -> None:
    app = make_app(course, start="guess")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await pilot.press("r")
        await pilot.pause(0.5)
        assert screen.finished_runs == 0 and screen.current_run is None
        assert screen.query_one(Visualizer).timeline is None  # no output, no replay
        assert any("press c first" in str(n.message) for n in app._notifications)
        predict = screen.query_one(PredictList)
        await order_lines(pilot, predict, ["timeout", "tick", "main"])
        await run_and_wait(pilot, screen, "c")  # a wrong guess still counts as a guess
        await run_and_wait(pilot, screen, "r")
        assert [line.text for line in screen.query_one(Visualizer).timeline.output] == ["main", "tick", "timeout"]


async def test_predict_mode_works_with_the_mouse_pick_up_and_put_down(course: Path) -> None:
    app = make_app(course, start="guess")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        predict = app.screen.query_one(PredictList)
        before = list(predict.lines)
        await pilot.click(PredictList, offset=(6, 1))  # the first line (inside the border)
        assert predict.grabbed == 0
        await pilot.click(PredictList, offset=(6, 3))  # put it down on the third
        assert predict.grabbed is None
        assert predict.lines == [before[1], before[2], before[0]]


async def test_watch_mode_rechecks_after_the_file_is_written(course: Path) -> None:
    app = make_app(course, start="hello-order", watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        assert screen.watching and "watching" in text_of(screen, "#exercise-header")
        program = screen.session.workspace.program(screen.exercise)
        solution = (course / "exercises/hello-order/solution.js").read_text()
        for attempt in range(10):  # the watcher may still be starting: a later save must still be seen
            program.write_text(solution + f"// save {attempt}\n")
            with contextlib.suppress(AssertionError):
                await wait_for(pilot, lambda: "passed" in text_of(screen, "#verdict"), 3)
                break
        assert "passed" in text_of(screen, "#verdict")
        assert screen.finished_runs >= 1  # re-run by the watcher: nobody pressed a key
        assert status("hello-order") == "passed"
        await pilot.press("w")
        assert not screen.watching and "watching" not in text_of(screen, "#exercise-header")


def process_group_members(pgid: int) -> list[int]:
    members = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(name))
    return members


async def start_the_server(pilot: Pilot, screen: LessonScreen) -> int:
    """Run the never-ending server exercise until it listens; its pid, which is also its process group."""
    await pilot.press("r")
    visualizer = screen.query_one(Visualizer)
    await wait_for(pilot, lambda: visualizer.timeline is not None and bool(visualizer.timeline.output), 20)
    assert screen.current_run is not None and screen.current_run.pid
    return screen.current_run.pid


async def test_cancelling_a_server_that_never_exits_leaves_no_process(course: Path) -> None:
    app = make_app(course, start="forever")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        pid = await start_the_server(pilot, screen)
        assert process_group_members(pid)
        await pilot.pause(0.3)
        assert screen.current_run is not None  # still listening: it would run for 120 s
        await pilot.press("x")
        await wait_for(pilot, run_is_over(screen), 10)
        assert "cancelled" in text_of(screen, "#transport")
        assert process_group_members(pid) == []


async def test_stepping_the_visualizer_back_and_forth_finds_the_same_snapshot(course: Path) -> None:
    app = make_app(course, start="tour")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await run_and_wait(pilot, screen, "r")
        visualizer = screen.query_one(Visualizer)
        await pilot.press("2", "g")  # focus the visualizer, go to the start
        assert visualizer.position == 0
        await pilot.press(*["full_stop"] * 4)  # four callbacks in
        there, position = visualizer.snapshot, visualizer.position
        assert there.running is not None and position > 0
        await pilot.press(*["right"] * 7)
        assert visualizer.position == position + 7 and visualizer.snapshot != there
        await pilot.press(*["left"] * 7)
        assert visualizer.position == position and visualizer.snapshot == there
        await pilot.press("full_stop", "full_stop")
        assert visualizer.position > position
        await pilot.press("comma", "comma")
        assert visualizer.snapshot == there
        fresh = replay(list(visualizer.timeline.events))  # the pure model agrees from scratch
        assert fresh.at(position) == there
        await pilot.press("G")
        assert visualizer.snapshot.phase == "exit"


async def test_help_lists_the_keys_of_where_you_are_with_their_ids(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("2", "f1")
        assert isinstance(app.screen, HelpScreen)
        table = text_of(app.screen, "#help-table")
        for expected in ("visualizer.play", "lesson.run", "lesson.check", "app.help", "Play/pause", "Visualizer"):
            assert expected in table
        await pilot.press("escape")
        assert isinstance(app.screen, LessonScreen)


async def test_picking_an_output_line_or_a_queued_callback_lights_up_the_line_that_scheduled_it(course: Path) -> None:
    app = make_app(course, start="tour")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await run_and_wait(pilot, screen, "r")
        pane = screen.query_one(ExercisePane)
        visualizer = screen.query_one(Visualizer)
        output = screen.query_one("#output", OptionList)
        output.focus()
        texts = [line.text for line in visualizer.snapshot.output]
        output.highlighted = texts.index("timers: onTimer")
        await pilot.pause(0.1)
        assert pane.highlight == 5  # setTimeout(function onTimer() ...) is on line 5 of tour.js
        output.highlighted = texts.index("main: start")
        await pilot.pause(0.1)
        assert pane.highlight is None  # the main module was scheduled by nobody

        await pilot.press("g")  # back to the start, then forward until the timer is queued
        while not visualizer.snapshot.timers:
            await pilot.press("full_stop")
        lanes = screen.query_one("#lanes", OptionList)
        lanes.focus()
        ids = [lanes.get_option_at_index(i).id for i in range(lanes.option_count)]
        lanes.highlighted = next(i for i, ident in enumerate(ids) if ident and ident.startswith("item:timers:"))
        await pilot.pause(0.1)
        assert pane.highlight == 5


async def test_quitting_in_the_middle_of_a_run_leaves_no_process(course: Path) -> None:
    app = make_app(course, start="forever")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        pid = await start_the_server(pilot, app.screen)
        await pilot.press("ctrl+q")
    assert process_group_members(pid) == []


async def test_reset_asks_first_and_keeps_the_learners_version(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        program = screen.session.workspace.program(screen.exercise)
        program.write_text("console.log('mine');\n")
        await pilot.press("ctrl+r")
        await pilot.press("n")  # No: nothing changes
        assert program.read_text() == "console.log('mine');\n"
        await pilot.press("ctrl+r")
        await pilot.press("enter")  # Enter answers the default, which is No
        assert program.read_text() == "console.log('mine');\n"
        await pilot.press("ctrl+r", "y")
        await wait_for(pilot, lambda: "mine" not in program.read_text(), 5)
        assert program.read_bytes() == (course / "exercises/hello-order/starter.js").read_bytes()
        assert program.with_name(program.name + ".bak").read_text() == "console.log('mine');\n"
        assert "setTimeout" in screen.query_one(ExercisePane).source  # the pane shows the restored file


async def test_hints_come_one_at_a_time_and_are_remembered(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        assert "hint 1/2" not in text_of(screen, "#hints")
        await pilot.press("h")
        assert "hint 1/2: Print first straight away." in text_of(screen, "#hints")
        assert "hint 2/2" not in text_of(screen, "#hints")
        await pilot.press("h", "h")
        assert "hint 2/2: Put second in a setTimeout." in text_of(screen, "#hints")
    again = make_app(course, start="hello-order")
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, LessonScreen))
        assert "hint 2/2" in text_of(again.screen, "#hints")


async def test_each_pane_can_be_focused_hidden_resized_and_zoomed_from_the_keyboard(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        slides, visualizer = screen.query_one("#slides"), screen.query_one("#visualizer")
        assert not screen.query_one("#panes").has_class("stacked")
        width = visualizer.size.width
        await pilot.press("2", "equals_sign", "equals_sign")
        await pilot.pause()
        assert visualizer.size.width > width
        await pilot.press("minus", "minus", "minus")
        await pilot.pause()
        assert visualizer.size.width < width
        await pilot.press("f2")
        await pilot.pause()
        assert not slides.display and visualizer.display
        await pilot.press("f3", "f4")  # the last pane showing stays
        assert screen.query_one("#exercise").display
        await pilot.press("f2", "f3", "1")
        assert slides.display and visualizer.display and screen._pane_of(app.focused) == "slides"
        await pilot.press("z")
        assert screen.maximized is slides
        await pilot.press("right")  # the slides still page while zoomed
        assert slides.current == 1
        await pilot.press("escape")
        assert screen.maximized is None and isinstance(app.screen, LessonScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_narrow_short_terminal_stacks_the_panes_and_opens_the_one_in_use(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        assert screen.query_one("#panes").has_class("stacked")
        panes = ("slides", "visualizer", "exercise")
        folded = {name for name in panes if screen.query_one(f"#{name}").has_class("folded")}
        assert folded == {"visualizer", "exercise"}
        await pilot.press("3")
        await pilot.pause()
        assert screen.query_one("#slides").has_class("folded") and not screen.query_one("#exercise").has_class("folded")
        await run_and_wait(pilot, screen, "r")  # a run opens the visualizer, to watch it
        assert not screen.query_one("#visualizer").has_class("folded")
        assert screen.query_one("#visualizer").size.height > 10


async def test_the_command_palette_jumps_to_a_lesson_and_switches_the_theme(course: Path) -> None:
    app = make_app(course)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Threads later")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), 5)
        assert app.screen.lesson.id == "later"
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark


async def test_a_missing_node_is_one_clear_message_and_the_app_keeps_going(course: Path, tmp_path: Path) -> None:
    session = tui_session(course)
    session.args.node = str(tmp_path / "no-such-node")
    app = LooplabApp(session, start="hello-order", watch=False, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("r")
        await wait_for(pilot, lambda: any("no-such-node" in str(n.message) for n in app._notifications), 10)
        assert app.screen.query_one(ExercisePane).exercise is not None  # the exercise is readable without Node
        await pilot.press("right")
        assert "slide 2/3" in text_of(app.screen, "#slide-header")


async def test_running_again_while_a_run_is_going_replaces_it_cleanly(course: Path) -> None:
    app = make_app(course, start="forever")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        visualizer = screen.query_one(Visualizer)
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.current_run is not None and visualizer.timeline is not None, 20)
        first = screen.current_run.pid
        await wait_for(pilot, lambda: bool(visualizer.timeline.output), 20)
        await pilot.press("r")  # the first run is stopped and a second one starts
        await wait_for(pilot, lambda: screen.current_run is not None and screen.current_run.pid != first, 20)
        await wait_for(pilot, lambda: process_group_members(first) == [], 10)
        second = screen.current_run.pid
        assert process_group_members(second)
        await pilot.press("x")
        await wait_for(pilot, run_is_over(screen), 10)
        assert process_group_members(second) == []


async def test_a_reordered_prediction_is_saved_without_checking_it(course: Path) -> None:
    app = make_app(course, start="guess")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await order_lines(pilot, screen.query_one(PredictList), ["tick", "timeout", "main"])
        await pilot.press("escape")  # straight back to the map: the move must not be lost
        saved = screen.session.workspace.read_prediction(screen.exercise)
        assert saved == ["tick", "timeout", "main"]
    again = make_app(course, start="guess")
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, LessonScreen))
        assert again.screen.query_one(PredictList).lines == ["tick", "timeout", "main"]


async def test_a_deleted_or_garbled_prediction_file_does_not_stop_the_app(course: Path) -> None:
    app = make_app(course, start="guess", watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        path = screen.session.workspace.prediction(screen.exercise)
        path.unlink()
        await pilot.press("n", "N")  # away and back: the file is made again
        assert path.exists() and sorted(screen.query_one(PredictList).lines) == ["main", "tick", "timeout"]
        path.write_bytes(b"# \xff\xfe not utf-8\nmain\ntick\ntimeout\n")  # watch mode reads it
        await wait_for(pilot, lambda: screen.query_one(PredictList).lines == ["main", "tick", "timeout"], 10)
        assert app.is_running


async def test_without_node_a_prediction_can_still_be_ordered_and_nothing_crashes(course: Path, tmp_path: Path) -> None:
    session = tui_session(course)
    session.args.node = str(tmp_path / "no-such-node")
    app = LooplabApp(session, start="guess", watch=False, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        predict = app.screen.query_one(PredictList)
        assert sorted(predict.lines) == ["main", "tick", "timeout"]  # the base expectation's lines
        await pilot.press("e")  # no $EDITOR or no Node: a message, not a crash
        await pilot.pause(0.2)
        assert app.is_running and isinstance(app.screen, LessonScreen)


async def test_redrawing_the_visualizer_does_not_count_as_picking_a_line(course: Path) -> None:
    app = make_app(course, start="tour")
    picks: list[object] = []

    def hook(message: object) -> None:
        # A message reaches the hook once per widget it bubbles through: count each one once.
        if isinstance(message, SourcePicked) and all(message is not seen for seen in picks):
            picks.append(message)

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await run_and_wait(pilot, screen, "r")
        output = screen.query_one("#output", OptionList)
        output.focus()
        output.highlighted = 0
        await pilot.pause(0.1)
        assert len(picks) == 1
        await pilot.press(*["left"] * 10)  # ten redraws of the lanes and the output
        assert len(picks) == 1


async def test_page_keys_turn_slides_even_when_a_slide_scrolls(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(160, 14)) as pilot:  # so short that every slide scrolls
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        deck = app.screen.query_one(SlideDeck)
        await pilot.press("1", "pagedown")
        assert deck.current == 1
        await pilot.press("end")
        assert deck.current == 2
        await pilot.press("home", "down")  # up and down still scroll within the slide
        assert deck.current == 0


async def test_leaving_the_zoom_with_escape_restores_the_layout(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        slides = app.screen.query_one("#slides")
        width = slides.size.width
        await pilot.press("1", "z")
        assert slides.size.width > width
        await pilot.press("escape")
        await pilot.pause()
        assert slides.size.width == width and isinstance(app.screen, LessonScreen)


async def test_a_lesson_of_slides_only_shows_the_slides_and_no_exercise_keys(course: Path) -> None:
    app = make_app(course, start="later")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        assert not screen.query_one("#visualizer").display and not screen.query_one("#exercise").display
        await pilot.press("r", "c", "h", "3")
        assert screen.finished_runs == 0 and screen.focused is screen.query_one("#slide-view")


async def test_jumping_to_a_lesson_from_the_palette_over_help_leaves_one_lesson_open(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        app.open_lesson("later")
        await pilot.pause(0.2)
        kinds = [type(screen).__name__ for screen in app.screen_stack]
        assert kinds[-2:] == ["HomeScreen", "LessonScreen"] and app.screen.lesson.id == "later"


async def test_a_change_saved_in_the_editor_is_checked_at_once(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    solution = course / "exercises/hello-order/solution.js"
    editor = tmp_path / "fake-editor"  # a real program standing in for vi: it saves the solution over the file
    editor.write_text(f"#!/bin/sh\ncp '{solution}' \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        # The headless test driver cannot hand the terminal over; everything after the hand-over is real.
        app.suspend = contextlib.nullcontext  # type: ignore[method-assign]
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await run_and_wait(pilot, screen, "e")  # no other key: saving in the editor is enough
        assert "passed" in text_of(screen, "#verdict")
        assert status("hello-order") == "passed"


async def test_moving_to_the_next_exercise_while_a_run_starts_stops_it_and_reports_nothing(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = lesson_runs.build_addon

    def slow_build(node: object) -> object:  # as slow as the first compile on a busy machine
        time.sleep(0.5)
        return real_build(node)

    monkeypatch.setattr(lesson_runs, "build_addon", slow_build)
    pid_file = tmp_path / "server.pid"  # the server says who it is as soon as it starts
    starter = course / "exercises/forever/starter.js"
    announce = f"require('node:fs').writeFileSync({str(pid_file)!r}, String(process.pid));\n"
    starter.write_text(announce + starter.read_text())
    app = make_app(course, start="forever")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await pilot.press("r", "n")  # away before the server has even started listening
        assert screen.exercise.id == "tour"
        await pilot.pause(1.0)  # time enough for a run that was not stopped to start
        if pid_file.exists():  # it was spawned before the switch reached it: it must be gone now
            pid = int(pid_file.read_text())
            await wait_for(pilot, lambda: process_group_members(pid) == [], 10)
        assert screen.current_run is None and screen.query_one(Visualizer).timeline is None
        assert text_of(screen, "#verdict") == "" and "listening" not in text_of(screen, "#transport")


async def test_a_failed_addon_build_is_reported_once_and_runs_go_on(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOPLAB_CACHE", str(tmp_path / "empty-cache"))  # nothing compiled yet
    monkeypatch.setenv("CC", "false")  # a "compiler" that always fails
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        for _ in range(2):
            await run_and_wait(pilot, screen, "r")
            shown = [(line.text, line.phase) for line in screen.query_one(Visualizer).snapshot.output]
            assert shown == [("second", "main"), ("first", "timers")]  # phases inferred without the addon
        warnings = [n for n in app._notifications if "inferred" in str(n.message)]
        assert len(warnings) == 1 and "compiling the addon failed" in str(warnings[0].message)


async def test_reordering_during_the_replay_keeps_the_marks_off_the_new_order(course: Path) -> None:
    starter = course / "exercises/guess/starter.js"  # the same three lines, the last one 2 s later
    slower = starter.read_text().replace("'timeout'), 0);", "'timeout'), 2000);")
    assert "2000" in slower
    starter.write_text(slower)
    app = make_app(course, start="guess")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        predict = screen.query_one(PredictList)
        await order_lines(pilot, predict, ["timeout", "tick", "main"])
        done = screen.finished_runs
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.current_run is not None, 10)  # Node's real run, replayed, has started
        await pilot.press("shift+up")  # moved before the replay ends: marks made then would describe the old order
        assert screen.finished_runs == done  # (the move did come during the replay)
        await wait_for(pilot, lambda: screen.finished_runs > done)
        await pilot.pause(0.1)
        assert predict.lines != ["timeout", "tick", "main"]
        assert predict.marks == [None, None, None]


async def test_turning_a_slide_tells_the_speaker_notes_window(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert read_position() == SlidePosition("queues", 0)
        await pilot.press("right", "right")
        assert read_position() == SlidePosition("queues", 2)
        await pilot.press("left", "left")
        assert read_position() == SlidePosition("queues", 0)
    assert main(["notes", "--course", str(course)]) == 0  # what `looplab notes` prints in the other terminal
    out = capsys.readouterr().out
    assert "SECRET-NOTE" in out and "slide 1/3" in out and "next: Native code" in out
