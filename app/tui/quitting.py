"""Quitting fast: Ctrl+Q took 0.4-0.8 s, spent waiting on Textual's input thread and tearing down the interpreter."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from typing import NoReturn

from textual.drivers.linux_driver import LinuxDriver
from textual.drivers.web_driver import WebDriver


class QuickExitDriver(LinuxDriver):
    """Textual's terminal driver, except that at exit it does not wait for the input thread.

    That thread looks for a stop request every 0.1 s and then waits 0.1 s more before ending; joining it cost
    0.1-0.2 s of every quit. Suspending for $EDITOR still waits, since the editor must get every key.
    """

    def disable_input(self) -> None:
        if getattr(self._app, "_running", True) or self.exit_event.is_set():
            super().disable_input()
            return
        signal.signal(signal.SIGWINCH, signal.SIG_DFL)
        self._disable_mouse_support()
        self.exit_event.set()  # the thread ends by itself, or with the process just after


class ServedDriver(WebDriver):
    """textual-serve's driver (`looplab serve`), except that the app ends when its server is gone. The server
    writes the tab's keys into our stdin; if it dies (killed, crashed), stdin ends and Textual's input thread
    stops, but the app would idle on for good, an orphan with no tab to show it to."""

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # the input ended without a quit: the server went away
            with contextlib.suppress(RuntimeError):  # the app is already stopping
                self._app.call_from_thread(self._app.exit, 128 + signal.SIGHUP)  # as a hangup does


def exit_now(code: int) -> NoReturn:
    """End the process once the app has stopped: atexit handlers run and output is flushed, but the teardown of
    every module and widget (0.1-0.5 s) is skipped, and so is waiting for a thread that only idles."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken terminal has nothing to flush into
            stream.flush()
    os._exit(code)
