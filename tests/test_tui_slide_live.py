"""R on the lesson screen: a slide's live block runs on real Node into the visualizer; x cancels it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from app.tui.screens.lesson import LessonScreen
from app.tui.screens.lesson_slide_runs import EXERCISE_RUNNING, NO_LIVE_CODE
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import Visualizer
from tests.conftest import write_files
from tests.test_tui_app import make_app, run_is_over, text_of, wait_for
from tests.tui_course import write_tui_course

pytestmark = pytest.mark.timeout(120)

LIVE_SLIDES = """
# Plain

No code to run here.
<!-- end_slide -->

# Live

```js run
setTimeout(() => console.log('live: timeout'), 0);
setImmediate(() => console.log('live: immediate'));
console.log('live: main');
```
<!-- end_slide -->

# Forever

```js run
const net = require('node:net');
const server = net.createServer().listen(0, '127.0.0.1', () => console.log('live: listening'));
setTimeout(() => server.close(), 9000);
```
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = write_tui_course(tmp_path / "course")
    write_files(root, {"lessons/later/slides.md": LIVE_SLIDES})  # the lesson of slides only
    slides = root / "lessons/queues/slides.md"  # the exercise lesson: its first slide's block becomes live
    slides.write_text(slides.read_text().replace("```js\n", "```js run\n", 1))
    return root


def notices(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


def output_texts(screen: LessonScreen) -> list[str]:
    """The visualizer's output list as drawn: each option's text."""
    return [str(option.prompt) for option in screen.query_one("#output", OptionList).options]


async def test_r_runs_the_slides_live_block_into_the_visualizer_of_a_lesson_of_slides_only(course: Path) -> None:
    app = make_app(course, start="later")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        assert not screen.query_one("#visualizer").display  # slides only: hidden until a run
        await pilot.press("R")
        assert notices(app) == [NO_LIVE_CODE] and screen.slide_run is None
        assert "R runs it" not in text_of(screen, "#slide-header")

        await pilot.press("right")
        assert "R runs it" in text_of(screen, "#slide-header")
        done = screen.finished_runs
        await pilot.press("R")
        await wait_for(pilot, lambda: screen.finished_runs > done)
        await pilot.pause(0.1)
        visualizer = screen.query_one(Visualizer)
        assert screen.query_one("#visualizer").display and not visualizer.live
        shown = output_texts(screen)
        order = [next(i for i, text in enumerate(shown) if line in text) for line in ("main", "timeout", "immediate")]
        assert order == sorted(order), shown  # a timer of 0 ms before the check phase, on the first iteration
        assert "exit code 0 after" in text_of(screen, "#transport") and screen.current_run is None
        assert not notices(app)[1:]  # no error, no cancel notice


async def test_x_cancels_a_slide_run_and_r_refuses_while_an_exercise_runs(course: Path) -> None:
    app = make_app(course, start="later")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        screen.query_one(SlideDeck).current = 2  # the server that would stay open for 9 s
        await pilot.press("R")
        await wait_for(pilot, lambda: any("listening" in text for text in output_texts(screen)))
        assert screen.slide_run is not None and screen.check_action("cancel", ()) is True
        await pilot.press("x")
        await wait_for(pilot, run_is_over(screen))
        assert "cancelled after" in text_of(screen, "#transport")
        assert screen.check_action("cancel", ()) is False  # x is off again in a lesson of slides only

    app = make_app(course, start="forever")  # an exercise lesson; its server runs until x
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.current_run is not None)
        assert "slide 1/3" in text_of(screen, "#slide-header") and "R runs it" in text_of(screen, "#slide-header")
        await pilot.press("R")  # on the first slide, whose block is live
        assert notices(app)[-1:] == [EXERCISE_RUNNING] and screen.slide_run is None
        await pilot.press("x")
        await wait_for(pilot, run_is_over(screen))
