"""`looplab serve`: a real server process, real browser tabs in headless Chromium, and one-line errors."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from app.cli.main import main
from app.cli.serve import address_line, tab_command
from app.course.load import load_course
from tests.browser import CHROMIUM, Browser
from tests.conftest import REPO

SECONDS = 20.0  # the most any one step may take on a busy machine
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


@dataclass
class Served:
    process: asyncio.subprocess.Process
    url: str
    first_line: str

    async def lines_until_exit(self) -> list[str]:
        assert self.process.stdout is not None
        out = await asyncio.wait_for(self.process.stdout.read(), SECONDS)
        await asyncio.wait_for(self.process.wait(), SECONDS)
        return out.decode().splitlines()


@contextlib.asynccontextmanager
async def serving(*args: str) -> AsyncIterator[Served]:
    """`looplab serve --port 0 ARGS` as a real process in a group of its own, killed whole at the end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "serve",
        "--port",
        "0",
        *args,
        cwd=REPO,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), SECONDS)).decode()
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        yield Served(process, url, first)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]


async def ended(pid: int) -> bool:
    """Whether the process is gone (reaped) within SECONDS. An orphan whose server died may be handed to this test
    process to reap (a slide run in an earlier test made it a child subreaper): then it is reaped here."""
    for _ in range(int(SECONDS / 0.05)):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state == "Z":
            with contextlib.suppress(ChildProcessError):  # another's zombie: its parent reaps it, and it goes
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return True
        await asyncio.sleep(0.05)
    return False


@needs_chromium
async def test_each_browser_tab_runs_its_own_looplab_and_closing_it_ends_that_process(tmp_path: Path) -> None:
    course = load_course(REPO)
    first = next(lesson for section in course.sections for lesson in course.lessons if lesson.section == section.id)
    async with serving() as served, Browser.start() as browser:
        assert served.first_line == (
            f"looplab is served at {served.url} (this machine only; --host 0.0.0.0 shares it with your network)\n"
        )
        assert served.url.startswith("http://127.0.0.1:") and not served.url.endswith(":0/")

        page = await browser.open(served.url)
        await page.wait_for_text(first.title)  # the course map, read off xterm.js in the page
        rows = await page.wait_for_text("/ Search")  # the footer's keys: the app has the keyboard without a click
        assert any(course.title in row for row in rows) and any("Continue" in row for row in rows)
        await page.wait_for_quiet()
        shot = await page.screenshot(tmp_path / "serve-course-map.png")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
        (tab,) = children(served.process.pid)
        assert cmdline(tab)[-4:] == ["-P", "-m", "app", "open"]  # this looplab, the course map

        await page.press("ArrowDown")  # from "Continue" to the first lesson
        await page.press("Enter")
        await page.wait_for_text(f"slide 1/{len(first.slides)}")  # the lesson screen, on its first slide

        other = await browser.open(served.url)
        await other.wait_for_text("Continue")  # a second tab: a second looplab, still on the map
        (second,) = set(children(served.process.pid)) - {tab}

        await page.close()
        assert await ended(tab), "the closed tab's looplab is still running"
        assert children(served.process.pid) == [second]

        served.process.send_signal(signal.SIGTERM)  # stopping the server stops the open tab's looplab
        lines = await served.lines_until_exit()
        assert served.process.returncode == 0
        assert lines[-1] == "looplab serve stopped, and every looplab it started"
        assert await ended(second)


async def test_the_page_answers_loopback_names_and_its_own_origin_only() -> None:
    async with serving() as served, aiohttp.ClientSession() as http:
        port = served.url.rsplit(":", 1)[1].strip("/")
        async with http.get(served.url, headers={"Host": f"localhost:{port}"}) as page:
            text = await page.text()
            assert page.status == 200
            assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in text  # built from the Host asked for
            assert "googleapis" not in text and "/static/fonts/RobotoMono" in text  # nothing from the internet
        async with http.get(served.url, headers={"Host": f"rebound.test:{port}"}) as page:
            assert page.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(served.url + "ws", headers={"Origin": "http://rebound.test"})
        assert refused.value.status == 403
        served.process.send_signal(signal.SIGINT)
        assert (await served.lines_until_exit())[-1] == "looplab serve stopped, and every looplab it started"


async def test_a_tab_whose_looplab_dies_is_closed_not_left_blank() -> None:
    async with serving() as served, aiohttp.ClientSession() as http:
        websocket = await http.ws_connect(served.url + "ws?width=80&height=24")
        await asyncio.wait_for(websocket.receive(), SECONDS)  # the app's first frame
        (tab,) = children(served.process.pid)
        os.kill(tab, signal.SIGKILL)
        while not websocket.closed:
            await asyncio.wait_for(websocket.receive(), SECONDS)
        assert await ended(tab)
        served.process.send_signal(signal.SIGINT)
        assert (await served.lines_until_exit())[-1] == "looplab serve stopped, and every looplab it started"


async def test_a_killed_server_leaves_no_looplab_behind() -> None:
    """A tab's looplab runs in a session of its own (Ctrl+C at the server is not sent to it): when the server dies
    without stopping it, its input ends, and so does it."""
    async with serving() as served, aiohttp.ClientSession() as http:
        websocket = await http.ws_connect(served.url + "ws?width=80&height=24")
        await asyncio.wait_for(websocket.receive(), SECONDS)
        (tab,) = children(served.process.pid)
        served.process.kill()
        try:
            assert await ended(tab), "the tab's looplab outlived its server"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(tab, signal.SIGKILL)


def test_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"looplab: error: port {port} of 127.0.0.1 is already in use (--port 0 takes any free port)\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "65536"], "argument --port: must be between 0 and 65535 (0 takes any free port), not 65536"),
        (["--port", "eighty"], "argument --port: 'eighty' is not a port number"),
        (["--host", "my-laptop"], "--host takes an IP address of this machine, not 'my-laptop'"),
        (["--", "opne"], "unknown command 'opne' (did you mean 'open'?)"),
        (["--", "serve"], "`looplab serve -- serve` would serve the server"),
        (["--", "open", "timer"], "no lesson or exercise called 'timer' (did you mean 'timers'?)"),
    ],
)
def test_bad_serve_arguments_are_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(["serve", *argv])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"looplab: error: {message}") and err.count("\n") == 1, err


def test_the_address_line_says_who_can_reach_it() -> None:
    assert address_line("::1", 8000) == (
        "looplab is served at http://[::1]:8000/ (this machine only; --host 0.0.0.0 shares it with your network)"
    )
    shared = address_line("0.0.0.0", 8000)
    assert shared.startswith("looplab is served at http://127.0.0.1:8000/ and, to anyone who can reach this machine")
    assert f"http://{socket.gethostname()}:8000/" in shared
    assert "runs looplab and its exercises on this machine" in shared


def test_each_tab_runs_this_looplab_with_its_arguments_quoted_for_the_shell(tmp_path: Path) -> None:
    command = tab_command(["show", "it's; touch pwned"], node="/opt/my node", course="course dir")
    words = shlex.split(command)
    assert words[0] == "exec"
    if words[1] == "env":  # a checkout that this Python does not import by itself: it goes on the path
        assert words[2].startswith(f"PYTHONPATH={REPO}")
        words = words[2:]
    assert words[1:] == [sys.executable, "-P", "-m", "app", "--node", "/opt/my node", "--course", "course dir"] + [
        "show",
        "it's; touch pwned",
    ]
    assert shlex.split(tab_command([]))[-1] == "open"  # plain: the course map
    # Through a real shell, as textual-serve runs it: the id arrives whole, and nothing else runs. From a folder
    # that holds a package called `app` of its own, it is still this looplab that runs.
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text("raise SystemExit('the wrong app')\n")
    done = subprocess.run(
        ["/bin/sh", "-c", tab_command(["show", "it's; touch pwned"])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and 'no lesson or exercise called "it\'s; touch pwned"' in done.stderr
    assert not (tmp_path / "pwned").exists()
