"""`looplab serve`: the app in web browsers through textual-serve, one looplab process per browser tab."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from app.cli.main import build_parser
from app.cli.session import Session
from app.errors import LooplabError
from app.paths import PACKAGE_DIR, cache_dir, course_root

QUIT_SECONDS = 5.0  # a tab's looplab asked to quit (a running program is stopped first) before it is killed
KILL_SECONDS = 2.0  # after SIGTERM, then after SIGKILL
# textual-serve's page takes its font from Google's servers; it ships the same font, which the page then uses.
GOOGLE_FONT_LINK = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)
LOCAL_FONT = """<link rel="preload" as="font" type="font/ttf" crossorigin
      href="{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf" />
    <style>
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-style: normal;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-style: italic;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>"""
# textual-serve's page starts its app blurred, and keys reach the terminal only after a click into it, which the
# app also gets as a click on whatever is under the pointer. Once the app has drawn (the page marks its first
# bytes), the terminal gets the keyboard, and the app hears of it.
FOCUS_TERMINAL = """<script>
      document.addEventListener("DOMContentLoaded", () => {
        new MutationObserver((changes, observer) => {
          if (!document.body.classList.contains("-first-byte")) return;
          observer.disconnect();
          const keys = document.querySelector(".xterm-helper-textarea");
          if (keys) keys.focus();
        }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
      });
    </script>
  </head>"""


def cmd_serve(session: Session) -> int:
    args = session.args
    host = bind_address(args.host)
    server = LooplabServer(tab_command(args.looplab_args, node=args.node, course=args.course), host, args.port)
    asyncio.run(server.run(announce=lambda line: print(line, flush=True)))
    print("looplab serve stopped, and every looplab it started", flush=True)
    return 0


def tab_command(looplab_args: Sequence[str], node: str | None = None, course: str | None = None) -> str:
    """The shell command each tab runs: this very looplab (this Python and this `app` package, even from a folder
    that holds another `app`), with --node and --course passed on, opening the app (default: the course map)."""
    wanted = list(looplab_args) or ["open"]
    parsed = build_parser().parse_args(wanted)  # a mistake is one line now, not one per tab later
    if parsed.command == "serve":
        raise LooplabError("`looplab serve -- serve` would serve the server; give the arguments of the app to open")
    if parsed.command == "open":
        _check_course(getattr(parsed, "course", None) or course, parsed.id)
    options = [part for name, value in (("--node", node), ("--course", course)) if value for part in (name, value)]
    argv = [sys.executable, "-P", "-m", "app", *options, *wanted]  # -P: never an `app` in the current folder
    if _imported_by_default() != PACKAGE_DIR / "__init__.py":  # a source checkout this Python does not know of
        python_path = os.pathsep.join(filter(None, [str(PACKAGE_DIR.parent), os.environ.get("PYTHONPATH")]))
        argv = ["env", f"PYTHONPATH={python_path}", *argv]
    # exec: the shell textual-serve starts becomes looplab itself, so the process it stops is the app.
    return "exec " + shlex.join(argv)


def _check_course(course: str | None, target: str | None) -> None:
    """The course loads and holds the lesson or exercise to open: a mistake is one line now, not a tab that stays
    blank. The course is then in the cache each tab's looplab starts from."""
    from app.tui.course_cache import CourseCache  # neither imports Textual
    from app.tui.launch import check_target

    loaded = CourseCache(course_root(course), cache_dir()).course()
    if target:
        check_target(loaded, target)


def _imported_by_default() -> Path | None:
    """The `app` package this Python imports when run with -P (no current folder on its path), if any."""
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-c", "import app; print(app.__file__)"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip()).resolve()


def bind_address(host: str) -> str:
    """The one IP address to listen on: an IP literal as given, or `localhost` as this machine resolves it."""
    text = host.strip("[]")
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(text))
    if text == "localhost":
        with contextlib.suppress(OSError):  # a machine whose /etc/hosts lacks it: the one-line error below
            return str(socket.getaddrinfo(text, None, type=socket.SOCK_STREAM)[0][4][0])
    raise LooplabError(
        f"--host takes an IP address of this machine, not {host!r} "
        "(127.0.0.1 keeps it on this machine; 0.0.0.0 shares it with your network)"
    )


def _url(ip: str, port: int) -> str:
    host = f"[{ip}]" if ":" in ip else ip
    return f"http://{host}:{port}/"


def address_line(ip: str, port: int) -> str:
    """The one line that says where looplab is served and who can reach it."""
    address = ipaddress.ip_address(ip)
    if address.is_loopback:
        return f"looplab is served at {_url(ip, port)} (this machine only; --host 0.0.0.0 shares it with your network)"
    if address.is_unspecified:
        here = "::1" if address.version == 6 else "127.0.0.1"
        return (
            f"looplab is served at {_url(here, port)} and, to anyone who can reach this machine, at "
            f"{_url(socket.gethostname(), port)} or this machine's address, port {port}: every browser that opens "
            "it runs looplab and its exercises on this machine (Ctrl+C stops it)"
        )
    return (
        f"looplab is served at {_url(ip, port)} to anyone who can reach {ip}, not only this machine: every browser "
        "that opens it runs looplab and its exercises on this machine (Ctrl+C stops it)"
    )


def bind_error(exc: OSError, ip: str, port: int) -> LooplabError:
    if exc.errno == errno.EADDRINUSE:
        return LooplabError(f"port {port} of {ip} is already in use (--port 0 takes any free port)")
    if exc.errno == errno.EADDRNOTAVAIL:
        return LooplabError(f"--host {ip} is not an address of this machine (127.0.0.1 is, for this machine only)")
    if exc.errno == errno.EACCES:
        return LooplabError(f"port {port} needs administrator rights (ports above 1023 do not; --port 0 picks one)")
    return LooplabError(f"cannot listen on {ip} port {port}: {exc.strerror or exc}")


def _is_loopback_name(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address((host or "").strip("[]")).is_loopback
    except ValueError:
        return False


class _LooplabPage(jinja2.FileSystemLoader):
    """textual-serve's page, with the font it fetched from the internet taken from its own static files (the page
    works in a classroom without internet access, and a browser on it asks nothing of another server), and the
    keyboard given to the terminal from the start."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        source = GOOGLE_FONT_LINK.sub(lambda _: LOCAL_FONT, source, count=1)
        return source.replace("</head>", FOCUS_TERMINAL, 1), filename, uptodate


class TabApp(AppService):
    """One tab's looplab: in a session of its own (Ctrl+C at the server is not sent to it; killing its group
    ends it whole), and stopped within a bounded time when the tab closes or the server stops."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        pipe = asyncio.subprocess.PIPE
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=pipe,
            stdout=pipe,
            stderr=pipe,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the app until its output ends, then close the tab's WebSocket, so that the page says "Session
        ended" even when the app died without saying goodbye (textual-serve closes it only on the app's goodbye)."""
        await super().run()
        with contextlib.suppress(Exception):  # the tab may have gone first
            await self.remote_close()

    async def stop(self) -> None:
        """Ask the app to quit, as textual-serve does; if it has not ended in QUIT_SECONDS, kill its group."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(super().stop(), QUIT_SECONDS)
        process = self._process
        if process is None:
            return
        for stop in (signal.SIGTERM, signal.SIGKILL):
            if process.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, stop)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), KILL_SECONDS)


class LooplabServer(Server):
    """textual-serve's server, listening where it is told (port 0 included), with URLs taken from each request's
    Host header (right for a browser on another machine), one line of output, and a clean stop."""

    def __init__(self, command: str, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port, title="looplab")
        self.tabs: set[TabApp] = set()
        self.loopback_only = ipaddress.ip_address(host).is_loopback

    def initialize_logging(self) -> None:
        """textual-serve's own messages (an app that failed to start, a protocol error), one line each."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_OneLine())
        logger = logging.getLogger("textual-serve")
        logger.handlers[:] = [handler]
        logger.setLevel(logging.WARNING)
        logger.propagate = False

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: textual-serve prints its logo here; `run` prints the address once it is really listening."""

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        aiohttp_jinja2.setup(app, loader=_LooplabPage(self.templates_path))
        app.middlewares.append(self._guard)
        return app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Served on loopback, only loopback names are answered: a web page that renamed itself to 127.0.0.1 (DNS
        rebinding) gets nothing. A browser's WebSocket must come from this server's own page, not another site's."""
        if self.loopback_only and not _is_loopback_name(request.url.host):
            raise web.HTTPForbidden(text="looplab serve answers this machine's loopback addresses only\n")
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and origin != f"{request.scheme}://{request.host}":
            raise web.HTTPForbidden(text="a looplab session opens from its own page only\n")
        return await handler(request)

    async def run(self, announce: Callable[[str], None]) -> None:
        """Listen, announce the address, serve until SIGINT, SIGTERM or SIGHUP, then stop every tab's looplab."""
        self.initialize_logging()
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as exc:
                raise bind_error(exc, self.host, self.port) from None
            self.port = runner.addresses[0][1]
            announce(address_line(self.host, self.port))
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for name in ("SIGINT", "SIGTERM", "SIGHUP"):
                loop.add_signal_handler(getattr(signal, name), stop.set)
            try:
                await stop.wait()
                await asyncio.gather(*(tab.stop() for tab in list(self.tabs)))  # a second Ctrl+C cannot cut it short
            finally:
                for name in ("SIGINT", "SIGTERM", "SIGHUP"):
                    loop.remove_signal_handler(getattr(signal, name))
        finally:
            await runner.cleanup()

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, with its URLs built from the Host the browser asked for, whatever address that is."""
        router = request.app.router
        websocket = f"{'wss' if request.secure else 'ws'}://{request.host}{router['websocket'].url_for()}"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket,
            "config": {"static": {"url": str(router["static"].url_for(filename="/")).rstrip("/") + "/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A tab connected: start its own looplab, relay it until the tab closes, then stop it (bounded)."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        tab = TabApp(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.tabs.add(tab)
        try:
            await tab.start(to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24))
            await self._process_messages(websocket, tab)
        except (ValueError, LookupError, TypeError, AssertionError) as exc:  # not textual-serve's protocol
            logging.getLogger("textual-serve").warning("a tab sent a message it should not: %s", exc)
        finally:
            await tab.stop()
            self.tabs.discard(tab)
            await websocket.close()
        return websocket


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"looplab serve: {record.getMessage()}"
