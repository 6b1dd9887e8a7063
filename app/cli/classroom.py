"""`looplab present` and `looplab follow`: one instructor's app leads, the class's apps follow it over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.classroom.address import TOKEN_ENV, is_loopback, parse_address, show_address
from app.classroom.client import join
from app.classroom.server import ClassroomServer
from app.cli.session import Session
from app.errors import LooplabError, Problem, did_you_mean
from app.paths import PACKAGE_DIR

SERVE_START_SECONDS = 30.0  # for `looplab serve` to print its address (it loads the course first)
SERVE_STOP_SECONDS = 10.0  # for it to stop every tab's looplab after SIGTERM, before SIGKILL
SERVED_LINE = "looplab is served at "


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
    pages = None
    if session.args.serve:
        pages = FollowPages(server, session.args.serve_host or server.host, session.args.serve_port, session.args)
        pages.start()
    from app.tui.presenter import PresenterApp
    from app.tui.quitting import exit_now

    try:
        code = PresenterApp(session, server, lesson_id, serve_url=pages.url if pages else None).run() or 0
    finally:
        if pages is not None:
            pages.stop()
    exit_now(code)
    return 0


class FollowPages:
    """`looplab serve -- follow` beside the presenter: a page per student's browser, each a follower of this
    presenter, started before the presenter view and stopped with it (its own process group, bounded)."""

    def __init__(self, server: ClassroomServer, host: str, port: int, args: object) -> None:
        self.server = server
        self.host, self.port = host, port
        self.options = [
            part
            for name in ("node", "course")
            if getattr(args, name, None)
            for part in (f"--{name}", str(getattr(args, name)))
        ]
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None

    def start(self) -> None:
        follow_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.server.host, self.server.host)
        argv = [sys.executable, "-P", "-m", "app", *self.options, "serve", "--host", self.host, "--port"]
        argv += [str(self.port), "--", "follow", show_address(follow_host, self.server.port)]
        env = {**os.environ, TOKEN_ENV: self.server.token}  # each tab's looplab joins with it
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_DIR.parent), env.get("PYTHONPATH")]))
        handle, name = tempfile.mkstemp(prefix="looplab-serve-", suffix=".log")
        self.log = Path(name)
        with os.fdopen(handle, "wb") as log:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True
            )
        deadline = time.monotonic() + SERVE_START_SECONDS
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            for line in text.splitlines():
                if line.startswith(SERVED_LINE):
                    self.url = line.removeprefix(SERVED_LINE).split(" ", 1)[0]
                    return
            if self.process.poll() is not None:
                self.stop()
                said = text.strip().splitlines()[-1:] or ["it ended without a word"]
                said = said[0].removeprefix("looplab: error: ").replace("--port ", "--serve-port ")
                raise LooplabError(f"--serve: {said.replace('--host ', '--serve-host ')}")
            time.sleep(0.05)
        self.stop()
        raise LooplabError(f"--serve: looplab serve printed no address within {SERVE_START_SECONDS:g} s")

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # it stops every tab's looplab, then itself
            try:
                process.wait(SERVE_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.log is not None:
            with contextlib.suppress(OSError):
                self.log.unlink()


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
