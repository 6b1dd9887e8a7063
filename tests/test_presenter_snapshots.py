"""The presenter view on the instructor's own screen, drawn at three sizes: the slide, next, notes, clock, class."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from app.classroom.server import ClassroomServer
from app.tui.presenter import PresenterApp
from app.tui.screens.presenter import PresenterScreen
from app.tui.widgets.slide_deck import SlideDeck
from tests.test_follow_app import course_session

SIZES = [(80, 24), (120, 40), (200, 60)]
STOPPED_CLOCK = 1000.0 + 12 * 60 + 5  # the elapsed time reads 12:05 in every snapshot


def presenter() -> PresenterApp:
    session = course_session()
    lesson, slide = next(  # the course's first slide revealed in steps, with notes
        (lesson, i) for lesson in session.course.lessons for i, s in enumerate(lesson.slides) if s.steps > 1 and s.notes
    )
    app = PresenterApp(session, ClassroomServer(token="shown-on-screen"), lesson.id, blink=False)
    app.clock = lambda: STOPPED_CLOCK
    app.presenting_since = 1000.0
    app.snapshot_slide = slide  # type: ignore[attr-defined]
    return app


async def on_a_stepped_slide(pilot: Pilot) -> None:
    app = pilot.app
    for _ in range(100):
        if isinstance(app.screen, PresenterScreen):
            break
        await pilot.pause(0.05)
    screen = app.screen
    screen.server.port = 41235  # the real port is any free one; the snapshot draws a fixed one in its place
    screen.show_join()
    screen.query_one(SlideDeck).show_position(app.snapshot_slide, 0)
    await pilot.press("right")  # the second step revealed
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_presenter_view(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(presenter(), terminal_size=size, run_before=on_a_stepped_slide)
