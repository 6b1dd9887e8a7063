"""The real app in a real terminal: tests/tmux_drive.py opens the first lesson in tmux and runs its exercise."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("tmux_drive.py")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_app_in_tmux_shows_the_phases_and_the_output_of_the_first_exercise() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "ok: " in done.stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_app_in_tmux_shows_the_pool_view_during_a_starvation_exercise() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT.with_name("tmux_pool_drive.py"))], capture_output=True, text=True,
                          timeout=150)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "ok: " in done.stdout
