"""How long plain `looplab` takes from process start to the first painted frame of its home screen.

    python benchmarks/tui_startup.py [--runs 5] [--json]

The app runs as a real terminal program: `python -m app` under a pseudo-terminal of 120x40 with
TERM=xterm-256color, a fresh LOOPLAB_HOME and LOOPLAB_CACHE per run, so no progress carries over. The clock
starts just before the process is spawned and stops when the terminal has received the course title, which
the home screen paints in its first frame; the whole process group is then stopped. The baseline is a bare
`python -c` that writes "ready" under the same pseudo-terminal: what the interpreter alone costs. App and
baseline runs are interleaved after one untimed warm-up of each (the first import compiles .pyc files;
PYTHONDONTWRITEBYTECODE is dropped for both, or every start would compile all of app/ again, which an
installed looplab never does: pip compiles it at install).
Exits 1 when the app's median is over the 1.0 s target.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import platform
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.course.load import load_course  # noqa: E402
from app.paths import course_root  # noqa: E402

COLUMNS, LINES = 120, 40
DEADLINE_S = 20.0
TARGET_S = 1.0
LOOPLAB = [sys.executable, "-m", "app"]
BASELINE = [sys.executable, "-c", "import sys; sys.stdout.write('ready'); sys.stdout.flush()"]


def stop_group(process: subprocess.Popen[bytes], master: int) -> None:
    """SIGTERM the process group, SIGKILL it after 2 s, reap the leader; the pty is drained meanwhile."""
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):  # the group outlives a reaped leader while any member is left
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + grace
        while process.poll() is None and time.monotonic() < deadline:
            drain(master, 0.05)  # a terminal restoring itself must not block on a full pty
    process.wait(timeout=5)


def drain(master: int, timeout: float) -> bytes:
    """Whatever the pty has to give within `timeout` seconds; b"" once the other side is closed."""
    if not select.select([master], [], [], timeout)[0]:
        return b""
    try:
        return os.read(master, 65536)
    except OSError:  # EIO: every slave descriptor is closed
        return b""


def time_to_output(command: list[str], needle: bytes) -> float:
    """Seconds from just before spawning `command` on a fresh pty until `needle` has been written to it."""
    scratch = Path(tempfile.mkdtemp(prefix="tui-startup-"))
    env = {
        **{key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"},
        "TERM": "xterm-256color",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "LOOPLAB_HOME": str(scratch / "home"),
        "LOOPLAB_CACHE": str(scratch / "cache"),
    }
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    process: subprocess.Popen[bytes] | None = None
    try:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
        os.close(slave)
        slave = -1
        seen = b""
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            chunk = drain(master, min(0.1, max(0.0, deadline - time.monotonic())))
            if needle in seen[-len(needle) :] + chunk:
                return time.perf_counter() - started
            seen += chunk
            if not chunk and process.poll() is not None:
                break
        why = f"exited with {process.returncode}" if process.poll() is not None else f"ran {DEADLINE_S:.0f} s"
        tail = seen[-600:].decode("utf-8", "replace")
        raise RuntimeError(f"{command} {why} without writing {needle!r}; its output ended {tail!r}")
    finally:
        if slave >= 0:
            os.close(slave)
        if process is not None:
            stop_group(process, master)
        os.close(master)
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    # The home screen paints the title in one run of text with a single style (checked with Textual 8.2.8:
    # `\x1b[1;38;5;253;48;5;233mNode.js internals, seen on real Node\x1b[0m`), so the UTF-8 bytes of the
    # whole title appear intact in the first frame. Textual sets no window title, so the match is the frame.
    title = load_course(course_root(None)).title
    needle = title.encode()
    time_to_output(LOOPLAB, needle)  # warm-up, untimed: compiles .pyc files
    time_to_output(BASELINE, b"ready")
    app: list[float] = []
    baseline: list[float] = []
    for _ in range(args.runs):
        app.append(time_to_output(LOOPLAB, needle))
        baseline.append(time_to_output(BASELINE, b"ready"))

    app_s, baseline_s = statistics.median(app), statistics.median(baseline)
    within = app_s <= TARGET_S
    if args.json:
        result = {
            "python": platform.python_version(),
            "textual": version("textual"),
            "terminal": f"{COLUMNS}x{LINES}",
            "title": title,
            "warm_up_runs": 1,
            "runs": args.runs,
            "app_s": app,
            "baseline_s": baseline,
            "app_median_s": app_s,
            "baseline_median_s": baseline_s,
            "ratio": app_s / baseline_s,
            "target_s": TARGET_S,
            "within_target": within,
        }
        print(json.dumps(result, indent=2))
    else:
        print(f"Python {platform.python_version()}, Textual {version('textual')}; pty {COLUMNS}x{LINES}")
        print(f"one untimed warm-up run of each, then {args.runs} runs each, interleaved")
        print(f"  looplab: spawn until the frame shows {title!r}; python -c: spawn until 'ready'")
        print("  looplab runs     " + ", ".join(f"{t * 1000:.0f}" for t in app) + " ms")
        print("  baseline runs    " + ", ".join(f"{t * 1000:.0f}" for t in baseline) + " ms")
        print(f"  looplab median   {app_s * 1000:7.1f} ms")
        print(f"  baseline median  {baseline_s * 1000:7.1f} ms")
        print(f"  ratio looplab / baseline: {app_s / baseline_s:.1f}x  (+{(app_s - baseline_s) * 1000:.1f} ms)")
        verdict = "within" if within else "OVER"
        print(f"  target {TARGET_S:.1f} s: {verdict} ({app_s:.2f} s)")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
