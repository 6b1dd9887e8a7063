"""`looplab present` and `looplab follow`: one instructor's app leads, the class's apps follow it over loopback."""

from __future__ import annotations

import asyncio
import os

from app.classroom.address import is_loopback, parse_address
from app.classroom.client import join
from app.classroom.protocol import TOKEN_ENV
from app.classroom.server import ClassroomServer
from app.cli.session import Session
from app.errors import LooplabError, Problem, did_you_mean


def _need_terminal() -> None:
    from app.tui.launch import has_screen

    if not has_screen():
        raise LooplabError("the app needs a terminal (or a browser: `looplab serve -- follow ADDRESS`)")


def cmd_present(session: Session) -> int:
    course = session.course
    lesson_id = session.args.lesson or course.lessons[0].id
    known = [lesson.id for lesson in course.lessons]
    if lesson_id not in known and lesson_id not in course.exercises:
        hint = did_you_mean(lesson_id, known) or "`looplab list` shows them all"
        raise LooplabError(f"no lesson called {lesson_id!r} ({hint})")
    server = ClassroomServer(session.args.host, session.args.port)
    server.bind()
    if not is_loopback(server.host):
        session.out.print(
            f"Followers on your network can join at {server.address} with the token on the presenter's screen."
        )
    _need_terminal()
    from app.tui.presenter import PresenterApp
    from app.tui.quitting import exit_now

    exit_now(PresenterApp(session, server, lesson_id).run() or 0)
    return 0


def cmd_follow(session: Session) -> int:
    host, port = parse_address(session.args.address)
    token = session.args.token or os.environ.get(TOKEN_ENV)
    if not token:
        raise LooplabError(
            Problem("no join token", hint=f"give --token TOKEN, as the presenter's screen shows it, or set {TOKEN_ENV}")
        )
    session.course  # noqa: B018 (a broken course is a one-line error before the screen is taken over)

    async def probe() -> None:
        connection = await join(host, port, token)
        await connection.close()

    asyncio.run(probe())  # a wrong token or nobody at the address is one line, before the app starts
    _need_terminal()
    from app.tui.follower import FollowerApp
    from app.tui.quitting import exit_now

    exit_now(FollowerApp(session, host, port, token).run() or 0)
    return 0
