"""The acceptance test for follow mode in browsers: a presenter app driven by the pilot, `looplab serve -- follow`
as a real process, and two tabs of headless Chromium that turn with the presenter and replay its run."""

from __future__ import annotations

import argparse
import urllib.request
from pathlib import Path

import pytest

from app.classroom.address import TOKEN_ENV
from app.classroom.server import ClassroomServer
from app.cli.classroom import FollowPages
from app.errors import LooplabError
from app.tui.presenter import PresenterApp
from app.tui.screens.presenter import PresenterScreen
from app.tui.widgets.slide_deck import SlideDeck
from tests.browser import Browser
from tests.test_follow_app import course_session, wait_for
from tests.test_serve import needs_chromium, serving

pytestmark = pytest.mark.timeout(180)


@needs_chromium
async def test_browser_followers_turn_with_the_presenter_and_replay_its_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = course_session()
    lesson, live = next(  # the course's first slide with a live demo
        (lesson, i)
        for lesson in session.course.lessons
        for i, slide in enumerate(lesson.slides)
        if any(block.live for block in slide.code)
    )
    server = ClassroomServer()
    app = PresenterApp(session, server, lesson.id, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PresenterScreen))
        monkeypatch.setenv(TOKEN_ENV, server.token)  # how serve hands the token to each tab's looplab
        async with serving("--", "follow", server.address) as served, Browser.start() as browser:
            pages = [await browser.open(served.url), await browser.open(served.url)]
            for page in pages:
                await page.wait_for_text(lesson.slides[0].title, timeout=30)
            await wait_for(pilot, lambda: server.followers == 2)

            deck = app.screen.query_one(SlideDeck)
            deck.show_position(live, 0)  # the presenter turns to the demo; both tabs turn with it
            for page in pages:
                await page.wait_for_text(lesson.slides[live].title)

            await pilot.press("r")  # the demo runs once, on the presenter's machine, under the tracer
            await wait_for(pilot, lambda: app.screen.runs == 1, timeout=60)
            result = server.state.run.finished.result  # type: ignore[union-attr]
            printed = [line.text for line in result.lines if line.stream == "stdout"]
            assert result.exit_code == 0 and printed
            for page in pages:  # each tab's visualizer replays it: the lines, and how it ended
                rows = await page.wait_for_text(printed[-1][:40])
                await page.wait_for_text("exit code 0")
            shot = await pages[0].screenshot(tmp_path / "follower.png")
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert any(lesson.slides[live].title in row for row in rows)
            await pages[0].close()
            await wait_for(pilot, lambda: server.followers == 1)


def test_present_serve_starts_the_follower_pages_and_stops_them_whole() -> None:
    server = ClassroomServer()
    server.bind()
    args = argparse.Namespace(node=None, course=None)
    pages = FollowPages(server, "127.0.0.1", 0, args)
    pages.start()
    try:
        assert pages.url.startswith("http://127.0.0.1:") and pages.url.endswith("/")
        with urllib.request.urlopen(pages.url, timeout=10) as page:
            assert page.status == 200 and b"looplab" in page.read()
        assert pages.process is not None
        serving_pid = pages.process.pid
    finally:
        pages.stop()
    assert pages.process.poll() is not None and not Path(f"/proc/{serving_pid}").exists()
    assert pages.log is not None and not pages.log.exists()


def test_present_serve_on_a_busy_port_is_one_line() -> None:
    server = ClassroomServer()
    server.bind()
    pages = FollowPages(server, "127.0.0.1", server.port, argparse.Namespace(node=None, course=None))
    with pytest.raises(LooplabError) as caught:
        pages.start()
    assert str(caught.value) == (
        f"--serve: port {server.port} of 127.0.0.1 is already in use (--serve-port 0 takes any free port)"
    )
    assert "\n" not in str(caught.value)
