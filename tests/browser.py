"""Headless Chromium driven over the Chrome DevTools Protocol (a WebSocket, through aiohttp): open a page served
by `looplab serve`, read the text its terminal shows, press keys, take a screenshot; or open any page and hear
what went wrong in it (`page.errors`: exceptions, console errors, the browser's error log) and what it fetched
(`page.requests`, with `open(url, network=True)`).

    async with Browser.start() as browser:
        page = await browser.open(url)
        await page.wait_for_text("Timers are not alarms")
        await page.press("Enter")
        await page.screenshot(path)
        await page.close()

How the terminal's text is read: textual-serve's page draws xterm.js on a canvas (its WebGL or canvas renderer),
so the DOM holds no text and the accessibility tree holds none either (xterm builds one only in screen-reader
mode, an option its page does not set). The page keeps its `Terminal` in a closure (`this.terminal = new
Terminal(...)` inside `window.onload`), so before the page loads, a script traps that assignment (a setter named
`terminal` on Object.prototype, which turns into a plain property on first use) and keeps the instance in a
global. The text then comes from xterm's public buffer API (`buffer.active.getLine(y).translateToString()`):
the cells the renderer paints, after xterm has parsed every escape sequence looplab sent, with no terminal
emulation of ours. A screenshot shows that the canvas agrees.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from app.handout.pdf import CHROMIUM_OFFLINE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
START_SECONDS = 20.0  # Chromium's first start on a busy two-core machine
CALL_SECONDS = 10.0  # any one DevTools call
FLAGS = [
    *CHROMIUM_OFFLINE,  # the flags `looplab export --pdf` prints with: nothing fetched by Chromium itself
    "--no-sandbox",
    # Names resolve to nothing except this machine: a page that reached for the internet would fail, not leak.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && typeof value.write === "function" && value.buffer) window.__looplabTerminal = value;
  },
});
"""
SCREEN_TEXT = """(() => {
  const terminal = window.__looplabTerminal;
  if (!terminal) return null;
  const buffer = terminal.buffer.active, lines = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines;
})()"""
KEYS = {  # DOM key name -> Windows virtual key code, which xterm.js reads from keydown
    "Enter": (13, "\r"),
    "Escape": (27, ""),
    "Tab": (9, ""),
    "Backspace": (8, ""),
    "ArrowUp": (38, ""),
    "ArrowDown": (40, ""),
    "ArrowLeft": (37, ""),
    "ArrowRight": (39, ""),
    "PageUp": (33, ""),
    "PageDown": (34, ""),
}


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium in a process group of its own and a fresh profile, both removed at the end."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        profile: Path,
        socket: aiohttp.ClientWebSocketResponse,
        http: aiohttp.ClientSession,
    ) -> None:
        self.process = process
        self.profile = profile
        self._socket = socket
        self._http = http
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._pages: dict[str, Page] = {}  # DevTools session -> its tab, which hears that session's events
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, chromium: str | None = None) -> AsyncIterator[Browser]:
        executable = chromium or CHROMIUM
        if executable is None:
            raise BrowserError("no chromium on PATH")
        profile = Path(tempfile.mkdtemp(prefix="looplab-chromium-"))
        process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        http = aiohttp.ClientSession()
        browser = None
        try:
            port, path = await _devtools_address(profile, process)
            socket = await asyncio.wait_for(
                http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0), CALL_SECONDS
            )
            browser = cls(process, profile, socket, http)
            yield browser
        finally:
            if browser is not None:
                await browser._stop()
            await http.close()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # every Chromium process: renderers, GPU, zygotes
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            shutil.rmtree(profile, ignore_errors=True)

    async def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        """One DevTools command; its result, or BrowserError with Chromium's message."""
        call_id = next(self._ids)
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        answer = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = answer
        try:
            await self._socket.send_json(message)
            reply = await asyncio.wait_for(answer, CALL_SECONDS)
        finally:
            self._waiting.pop(call_id, None)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    async def open(self, url: str, width: int = 1200, height: int = 720, *, network: bool = False) -> Page:
        """A new tab of width x height CSS pixels, loading url with the terminal catcher in place. Its errors are
        recorded from the start; with network=True, so is every request it makes (the page's own included)."""
        target = (await self.call("Target.createTarget", {"url": "about:blank"}))["targetId"]
        session = (await self.call("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        page = Page(self, target, session)
        self._pages[session] = page
        await page.call("Page.enable")
        await page.call("Runtime.enable")
        await page.call("Log.enable")
        if network:
            await page.call("Network.enable")
        await page.call("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
        await page.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        await page.call("Emulation.setFocusEmulationEnabled", {"enabled": True})  # headless: the tab has focus
        navigated = await page.call("Page.navigate", {"url": url})
        if navigated.get("errorText"):
            raise BrowserError(f"{url}: {navigated['errorText']}")
        return page

    async def _read(self) -> None:
        async for message in self._socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.json()
            if "id" not in data:  # an event: to the tab whose session it came from
                page = self._pages.get(data.get("sessionId", ""))
                if page is not None:
                    page._heard(data.get("method", ""), data.get("params", {}))
                continue
            waiting = self._waiting.get(data["id"])
            if waiting is not None and not waiting.done():
                waiting.set_result(data)
        for waiting in self._waiting.values():
            if not waiting.done():
                waiting.set_exception(BrowserError("Chromium closed the DevTools connection"))

    async def _stop(self) -> None:
        with contextlib.suppress(BrowserError, TimeoutError, aiohttp.ClientError, ConnectionError):
            await self.call("Browser.close")
        await self._socket.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


class Page:
    """One tab: the looplab it shows, read and driven the way a person would, through the page itself."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session
        self.errors: list[str] = []  # uncaught exceptions, console.error/assert, the browser's error log entries
        self.requests: list[str] = []  # URLs requested, once open(..., network=True)
        self._loaded = asyncio.Event()

    def _heard(self, method: str, params: dict[str, Any]) -> None:
        if method == "Page.loadEventFired":
            self._loaded.set()
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            thrown = details.get("exception", {}).get("description") or details.get("text", "")
            self.errors.append(f"exception: {thrown} ({details.get('url', '')}:{details.get('lineNumber', '?')})")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            said = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            self.errors.append(f"console.{params['type']}: {said}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".rstrip())
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))

    async def wait_for_load(self, timeout: float = 20.0) -> None:
        """Until the page's load event (the document and everything it refers to are in); BrowserError if not."""
        try:
            await asyncio.wait_for(self._loaded.wait(), timeout)
        except TimeoutError:
            raise BrowserError(f"the page did not finish loading within {timeout:g} s") from None

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return await self.browser.call(method, params, session=self.session)

    async def evaluate(self, expression: str) -> Any:
        reply = await self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression[:60]!r}: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    async def screen(self) -> list[str]:
        """The terminal's rows as text (trailing spaces trimmed); [] before the terminal exists."""
        return await self.evaluate(SCREEN_TEXT) or []

    async def wait_for_text(self, needle: str, timeout: float = 20.0) -> list[str]:
        """The screen, once some row contains needle; BrowserError with the last screen if it never does."""
        deadline = time.monotonic() + timeout
        rows: list[str] = []
        while time.monotonic() < deadline:
            rows = await self.screen()
            if any(needle in row for row in rows):
                return rows
            await asyncio.sleep(0.05)
        shown = "\n".join(rows) or "(no terminal yet)"
        raise BrowserError(f"{needle!r} not on the screen after {timeout:g} s; it shows:\n{shown}")

    async def wait_for_quiet(self, quiet: float = 0.3, timeout: float = 10.0) -> list[str]:
        """The screen, once it has not changed for `quiet` seconds (a frame drawn in parts has finished)."""
        deadline = time.monotonic() + timeout
        rows, since = await self.screen(), time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            now = await self.screen()
            if now != rows:
                rows, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return rows
        raise BrowserError(f"the screen was still changing after {timeout:g} s")

    async def focus(self) -> None:
        """Give the terminal the keyboard, as a click into the page does (the app draws itself focused)."""
        await self.evaluate("window.__looplabTerminal && window.__looplabTerminal.focus()")

    async def press(self, key: str) -> None:
        """A key, as typed on a keyboard into the terminal: a name from KEYS, or one printable character."""
        await self.focus()
        code, text = KEYS.get(key, (ord(key.upper()) if len(key) == 1 else 0, key if len(key) == 1 else ""))
        if code == 0:
            raise BrowserError(f"unknown key {key!r}")
        event = {"key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        await self.call("Input.dispatchKeyEvent", {"type": "keyDown", **event, **({"text": text} if text else {})})
        await self.call("Input.dispatchKeyEvent", {"type": "keyUp", **event})

    async def screenshot(self, path: Path) -> Path:
        await self.call("Page.bringToFront")  # a tab in the background is never painted, so never captured
        shot = await self.call("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def close(self) -> None:
        """Close the tab, as a person closing it would: its WebSocket to looplab closes with it."""
        await self.browser.call("Target.closeTarget", {"targetId": self.target})
        self.browser._pages.pop(self.session, None)


async def _devtools_address(profile: Path, process: subprocess.Popen[bytes]) -> tuple[int, str]:
    """Chromium writes the port it chose and the browser's WebSocket path to DevToolsActivePort."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrowserError(f"chromium exited with status {process.returncode} before it listened")
        with contextlib.suppress(OSError, ValueError):
            port, path = marker.read_text().split("\n")[:2]
            if path:
                return int(port), path
        await asyncio.sleep(0.05)
    raise BrowserError(f"chromium did not write {marker.name} within {START_SECONDS:g} s")
