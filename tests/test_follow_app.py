"""Follow mode in the app: a real presenter server on loopback, follower and presenter apps driven by the pilot."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from textual.widgets import Markdown, Static

from app.classroom.client import join
from app.classroom.protocol import RunEvents, RunFinished, RunStarted, Show
from app.classroom.server import ClassroomServer
from app.cli.session import Session
from app.runner.process import OutputLine, RunResult
from app.trace.loop_model import replay
from app.trace.recording import load_recording
from app.tui.follower import FollowerApp
from app.tui.presenter import PresenterApp
from app.tui.screens.lesson import LessonScreen
from app.tui.screens.presenter import PresenterScreen
from app.tui.screens.shared import SharedScreen
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import Visualizer
from tests.test_tui_app import wait_for

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).parent.parent
TRACE = ROOT / "tests" / "traces" / "loop_tour.jsonl"


def course_session() -> Session:
    return Session(argparse.Namespace(node=None, course=str(ROOT)))


def shown_markdown(app: FollowerApp) -> str:
    return app.screen.query_one("#slide", Markdown).source


def recorded_run() -> tuple[RunStarted, RunEvents, RunFinished]:
    recording = load_recording(TRACE)
    lines = tuple(OutputLine("stdout", text, i, 0.0) for i, text in enumerate(recording.stdout))
    result = RunResult(lines, recording.exit_code, None, False, False, False, recording.duration, 10.0)
    return RunStarted("slide 3's code on Node 24"), RunEvents(recording.events), RunFinished(result, "exit code 0")


async def test_a_follower_turns_with_the_presenter_and_replays_its_run() -> None:
    server = ClassroomServer()
    await server.start()
    session = course_session()
    lesson = session.course.lesson("timers")
    server.publish(Show("timers", 0, 0))
    app = FollowerApp(session, "127.0.0.1", server.port, server.token, blink=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SharedScreen) and server.followers == 1)
            await wait_for(pilot, lambda: lesson.slides[0].title in shown_markdown(app))
            server.publish(Show("timers", 2, 0))
            await wait_for(pilot, lambda: lesson.slides[2].title in shown_markdown(app))
            started, events, finished = recorded_run()
            server.publish(started)
            server.publish(events)
            server.publish(finished)
            await wait_for(pilot, lambda: bool(app.screen.query(Visualizer)))
            visualizer = app.screen.query_one(Visualizer)
            await wait_for(pilot, lambda: not visualizer.live and visualizer.timeline is not None)
            printed = [line.text for line in visualizer.timeline.output]
            assert printed == list(load_recording(TRACE).stdout)
            assert "exit code 0" in visualizer._status
    finally:
        await server.close()


async def test_a_follower_steps_out_to_try_it_and_comes_back_with_one_key() -> None:
    server = ClassroomServer()
    await server.start()
    session = course_session()
    lesson = session.course.lesson("timers")
    server.publish(Show("timers", 1, 0))
    app = FollowerApp(session, "127.0.0.1", server.port, server.token, blink=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: lesson.slides[1].title in shown_markdown(app))
            await pilot.press("F")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
            deck = app.screen.query_one(SlideDeck)
            await wait_for(pilot, lambda: deck.current == 1)
            await pilot.press("right")  # the learner pages alone; the class does not move
            server.publish(Show("timers", 4, 0))  # meanwhile the presenter moves on
            await pilot.pause(0.2)
            assert isinstance(app.screen, LessonScreen) and server.state.position == Show("timers", 4, 0)
            await pilot.press("F")
            await wait_for(pilot, lambda: isinstance(app.screen, SharedScreen))
            await wait_for(pilot, lambda: lesson.slides[4].title in shown_markdown(app))
    finally:
        await server.close()


async def test_a_follower_with_a_wrong_token_says_so_in_one_line() -> None:
    server = ClassroomServer()
    await server.start()
    server.publish(Show("timers", 0, 0))
    app = FollowerApp(course_session(), "127.0.0.1", server.port, "not-the-token", blink=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            shared = app.screen
            await wait_for(pilot, lambda: isinstance(shared, SharedScreen) and bool(shared.note))
            assert shared.note.endswith(
                "refused to let you follow: wrong join token (copy it from the presenter's screen)"
            )
            assert "\n" not in shared.note and server.followers == 0
    finally:
        await server.close()


def presenter(session: Session, server: ClassroomServer, lesson: str = "timers") -> PresenterApp:
    return PresenterApp(session, server, lesson, blink=False)


async def test_the_presenters_turns_and_steps_reach_the_class() -> None:
    server = ClassroomServer()
    session = course_session()
    lesson, stepped = next(  # the first slide of the course revealed in steps
        (lesson, i) for lesson in session.course.lessons for i, slide in enumerate(lesson.slides) if slide.steps > 1
    )
    app = presenter(session, server, lesson.id)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PresenterScreen))
        watcher = await join("127.0.0.1", server.port, server.token)
        messages = watcher.messages()
        assert await anext(messages) == Show(lesson.id, 0, 0)
        await pilot.press("right")
        turned = Show(lesson.id, 0, 1) if lesson.slides[0].steps > 1 else Show(lesson.id, 1, 0)
        assert await asyncio.wait_for(anext(messages), 5) == turned
        app.screen.query_one(SlideDeck).show_position(stepped, 0)
        assert await asyncio.wait_for(anext(messages), 5) == Show(lesson.id, stepped, 0)
        await pilot.press("right")
        assert await asyncio.wait_for(anext(messages), 5) == Show(lesson.id, stepped, 1)
        clock = str(app.screen.query_one("#clock", Static).content)
        assert (
            f"slide {stepped + 1}/{len(lesson.slides)} · step 2/{lesson.slides[stepped].steps} · 1 following" in clock
        )
        notes = app.screen.query_one("#notes", Markdown).source
        assert notes == (lesson.slides[stepped].notes or "*(no notes on this slide)*")
        await watcher.close()


async def test_a_run_on_the_presenters_side_is_replayed_by_a_follower_without_running_node() -> None:
    server = ClassroomServer()
    session = course_session()
    lesson, live = next(  # the first slide of the course with a live demo
        (lesson, i)
        for lesson in session.course.lessons
        for i, slide in enumerate(lesson.slides)
        if any(block.live for block in slide.code)
    )
    app = presenter(session, server, lesson.id)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PresenterScreen))
        watcher = await join("127.0.0.1", server.port, server.token)
        messages = watcher.messages()
        await anext(messages)
        app.screen.query_one(SlideDeck).show_position(live, 0)
        assert await asyncio.wait_for(anext(messages), 5) == Show(lesson.id, live, 0)
        await pilot.press("r")
        started = await asyncio.wait_for(anext(messages), 30)
        assert isinstance(started, RunStarted) and started.description.startswith(f"slide {live + 1}'s code on Node ")
        events: list = []
        while not isinstance(message := await asyncio.wait_for(anext(messages), 30), RunFinished):
            assert isinstance(message, RunEvents)
            events = list(message.events) if message.again else events + list(message.events)
        await wait_for(pilot, lambda: app.screen.runs == 1)
        assert message.result.exit_code == 0
        shown = [line.text for line in app.screen.query_one(Visualizer).timeline.output]
        replayed = [line.text for line in replay(events).output]  # what a follower's visualizer draws
        printed = [line.text for line in message.result.lines if line.stream == "stdout"]
        assert printed and shown == replayed == printed
        await watcher.close()


async def test_a_slide_this_copy_of_the_course_lacks_is_said_not_crashed_on() -> None:
    app = FollowerApp(course_session(), None, 0, "", blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SharedScreen))
        await app.take(Show("a-lesson-from-next-year", 3, 0))
        await pilot.pause(0.1)
        assert shown_markdown(app) == (
            "*The presenter shows a-lesson-from-next-year slide 4, which this copy of the course does not have.*"
        )
        await app.take(Show("timers", 99, 0))
        await pilot.pause(0.1)
        assert "timers slide 100, which this copy of the course does not have" in shown_markdown(app)
