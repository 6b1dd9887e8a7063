#!/usr/bin/env python3
"""Drive the real `looplab` app in tmux through a thread-pool starvation exercise and check the pool view.

The shipped course's `libuv-pool-starvation` (a predict exercise run with UV_THREADPOOL_SIZE=1), opened with
`looplab open libuv-pool-starvation`: its lesson opens with the loop and pool views. Checking the (untouched)
prediction runs it; the run must show the pool of one thread, and stepping from the start of the run must
show the lookup and the file read waiting behind pbkdf2. Exit code 0 on success;
otherwise it prints the last screen. Like tests/tmux_drive.py it uses its own tmux server and LOOPLAB_HOME.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.tmux_drive import HEIGHT, WIDTH, Tmux, app_command  # noqa: E402

EXERCISE = "libuv-pool-starvation"
WAITING = "wait for a thread: pbkdf2 holds"


def main() -> int:
    home = tempfile.mkdtemp(prefix="looplab-tmux-pool-home-")
    tmux = Tmux()
    command = " ".join(shlex.quote(part) for part in [*app_command(), "--course", str(REPO), "open", EXERCISE])
    env = f"LOOPLAB_HOME={shlex.quote(home)} LOOPLAB_CACHE={shlex.quote(os.environ.get('LOOPLAB_CACHE', home))}"
    # Textual asks COLUMNS and LINES before the terminal: a pair inherited from whoever started tmux (seen under
    # pytest) would override the pane's size
    env += f" COLUMNS={WIDTH} LINES={HEIGHT}"
    try:
        wait_size = f'for i in $(seq 100); do [ "$(stty size)" = "{HEIGHT} {WIDTH}" ] && break; sleep 0.05; done'
        tmux("new-session", "-d", "-s", "app", "-x", str(WIDTH), "-y", str(HEIGHT),
             f"{wait_size}; env {env} {command}; sleep 30")
        tmux.wait_for("the pool lesson with its two views", lambda s: "thread pool" in s and "queues" in s)
        tmux.keys("c")  # a predict exercise runs once its prediction is checked
        tmux.wait_for("the run to end", lambda s: "exit code" in s, timeout=60)
        tmux.keys("2", "z")  # the visualizer, zoomed as an instructor would show it
        end = tmux.wait_for("the pool of one thread", lambda s: "thread pool · 1 thread" in s and "slot 1" in s)
        tmux.keys("g")  # back to the start, then step until the read waits
        for _ in range(200):
            tmux.keys("Right")
            screen = tmux.screen()
            if WAITING in screen:
                break
        else:
            print(f"the read never showed as waiting; the screen was:\n{tmux.screen()}")
            return 1
        if "waiting" not in screen or "░" not in screen:
            print(f"no waiting bar on the screen:\n{screen}")
            return 1
        print(end)
        print(screen)
        print(f"ok: {EXERCISE}: the pool view showed the lookup and the read waiting behind pbkdf2 on one thread")
        return 0
    finally:
        tmux("kill-server")


if __name__ == "__main__":
    sys.exit(main())
