"""The shared screen a class looks at, drawn at three sizes: a slide alone, and a slide with the presenter's run."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from app.classroom.protocol import Show
from app.tui.follower import FollowerApp
from app.tui.screens.shared import SharedScreen
from tests.test_follow_app import course_session, recorded_run

SIZES = [(80, 24), (120, 40), (200, 60)]
size_ids = lambda s: f"{s[0]}x{s[1]}"  # noqa: E731


def follower() -> FollowerApp:
    return FollowerApp(course_session(), None, 0, "", blink=False)


async def settled(pilot: Pilot) -> None:
    for _ in range(100):
        if isinstance(pilot.app.screen, SharedScreen):
            break
        await pilot.pause(0.05)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_the_shared_screen_shows_the_slide_alone(snap_compare, size: tuple[int, int]) -> None:
    async def on_slide(pilot: Pilot) -> None:
        await settled(pilot)
        await pilot.app.take(Show("timers", 2, 0))
        await pilot.pause(0.2)

    assert snap_compare(follower(), terminal_size=size, run_before=on_slide)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_the_shared_screen_replays_the_presenters_run(snap_compare, size: tuple[int, int]) -> None:
    async def after_the_run(pilot: Pilot) -> None:
        await settled(pilot)
        app = pilot.app
        await app.take(Show("timers", 2, 0))
        for message in recorded_run():
            await app.take(message)
        await pilot.pause(0.3)

    assert snap_compare(follower(), terminal_size=size, run_before=after_the_run)
