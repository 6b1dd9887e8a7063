"""Quitting fast must not skip what has to happen at exit: atexit handlers, flushed output, the exit code."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO


def test_exit_now_runs_atexit_handlers_flushes_output_and_keeps_the_code(tmp_path: Path) -> None:
    marker = tmp_path / "atexit-ran"
    program = textwrap.dedent(
        f"""
        import atexit, sys, threading, time
        from app.tui.quitting import exit_now
        atexit.register(lambda: open({str(marker)!r}, "w").write("yes"))
        threading.Thread(target=time.sleep, args=(30,)).start()  # a thread that would hold a normal exit
        sys.stdout.write("unflushed line")
        exit_now(3)
        """
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=20)
    assert done.returncode == 3
    assert done.stdout == "unflushed line"
    assert marker.read_text() == "yes"
