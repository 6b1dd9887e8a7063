"""The `looplab` command line: parse arguments, run one command, turn every user error into one line."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

from app import __version__
from app.classroom.address import TOKEN_ENV
from app.cli.session import Session
from app.errors import LooplabError, did_you_mean
from app.trace import DEFAULT_DETAIL_LIMIT

Handler = Callable[[Session], int]


def load_handler(spec: str) -> Handler:
    """Import a command's module only when it runs: `looplab trace --json` need not load Rich's Markdown."""
    module, _, name = spec.partition(":")
    package = "app.tui.launch" if module == "app" else f"app.cli.{module}"
    return getattr(importlib.import_module(package), name)


def default_handler() -> str:
    """Plain `looplab` opens the app in a terminal; piped or redirected, it prints the overview instead."""
    return "app:cmd_app" if sys.stdin.isatty() and sys.stdout.isatty() else "commands:cmd_overview"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line, with a suggestion, instead of usage plus error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        if "invalid choice" in message and "argument command" in message:
            wanted = message.split("'")[1] if "'" in message else ""
            hint = did_you_mean(wanted, COMMANDS) or "looplab --help lists the commands"
            message = f"unknown command {wanted!r} ({hint})"
        else:
            message += f" (see `{self.prog} --help`)"
        sys.stderr.write(f"looplab: error: {message}\n")
        raise SystemExit(2)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= 600:
        raise argparse.ArgumentTypeError(f"must be between 0.1 and 600 seconds, not {value:g}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535 (0 takes any free port), not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS lets the option come before or after the command without one erasing the other.
    common.add_argument(
        "--node",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the node executable to use (else LOOPLAB_NODE, the bundled Node, node on PATH)",
    )
    common.add_argument(
        "--course",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="a folder holding lessons/ and exercises/ (for authors; else LOOPLAB_COURSE)",
    )

    parser = _Parser(
        prog="looplab",
        parents=[common],
        description="An interactive course on Node.js internals, run on real Node.",
    )
    parser.add_argument("--version", action="version", version=f"looplab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)

    def command(name: str, handler: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("open", "app:cmd_app", "open the app at a lesson or exercise (plain `looplab` opens the course map)")
    p.add_argument("id", nargs="?", help="a lesson or exercise id")
    p.add_argument("--no-watch", action="store_true", help="start with watch mode off (r still re-runs)")
    p = command("overview", "commands:cmd_overview", "print where you are in the course, without opening the app")

    p = command("list", "commands:cmd_list", "show the course: sections, lessons, exercises and your progress")
    p.add_argument("--json", action="store_true", help="print it as JSON")

    p = command("show", "commands:cmd_show", "show a lesson's slides, or an exercise's prompt and code")
    p.add_argument("id", help="a lesson or exercise id")
    p.add_argument("--notes", action="store_true", help="include the speaker notes")

    p = command("export", "export:cmd_export", "write a lesson as a handout: one self-contained HTML file, or a PDF")
    p.add_argument("lesson", help="a lesson id")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--html", action="store_true", help="write an HTML page (prints one slide per page)")
    kind.add_argument("--pdf", action="store_true", help="write a PDF, with chromium or weasyprint if installed")
    p.add_argument("--out", metavar="PATH", help="where to write it (default: ./LESSON.html or ./LESSON.pdf)")
    p.add_argument("--notes", action="store_true", help="include the speaker notes")
    p.add_argument(
        "--run", metavar="TRACE.jsonl", help="add a run saved by `looplab trace --save`, drawn as a timeline"
    )
    p.add_argument("--force", action="store_true", help="overwrite the file if it exists")

    p = command(
        "serve",
        "serve:cmd_serve",
        "for instructors: serve the app to web browsers, each tab its own looplab (`-- ARGS` chooses what it opens)",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=_port, default=0, help="the port to listen on (default 0: any free one, printed)")
    p.add_argument(
        "looplab_args",
        nargs="*",
        metavar="-- LOOPLAB ARGS",
        help="what each tab runs, as for `looplab` (default: open, the course map; e.g. -- open timers)",
    )

    p = command(
        "notes", "notes:cmd_notes", "for instructors: the speaker notes of the slide the app shows, in another terminal"
    )
    p.add_argument("--follow", "-f", action="store_true", help="keep following the app's slides until Ctrl+C")

    p = command(
        "present", "classroom:cmd_present", "for instructors: present a lesson; the class follows with `follow`"
    )
    p.add_argument("lesson", nargs="?", help="the lesson to start at (default: the first)")
    p.add_argument("--host", default="127.0.0.1", help="where followers connect (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, default=0, help="the port followers connect to (default: any free one)")
    p.add_argument(
        "--serve", action="store_true", help="also serve a follower page to web browsers (`looplab serve -- follow`)"
    )
    p.add_argument("--serve-host", metavar="HOST", help="where the browser pages are served (default: as --host)")
    p.add_argument("--serve-port", type=_port, default=0, help="their port (default: any free one)")

    p = command("follow", "classroom:cmd_follow", "follow a presenter's slides and runs (F steps out and back in)")
    p.add_argument("address", help="HOST:PORT, as the presenter's screen shows it")
    p.add_argument("--token", help=f"the join token on the presenter's screen (else {TOKEN_ENV})")

    for name, handler, text in (
        ("run", "commands:cmd_run", "run an exercise on Node, streaming its output, then show the verdict"),
        (
            "check",
            "commands:cmd_check",
            "check an exercise (a predict exercise checks your prediction); exit 1 if not yet",
        ),
    ):
        p = command(name, handler, text)
        p.add_argument("id", nargs="?", help="the exercise (default: the first one not passed yet)")
        p.add_argument("--json", action="store_true", help="print the verdict as JSON")
        p.add_argument(
            "--reference",
            action="store_true",
            help="run the shipped reference program instead of your copy (for authors)",
        )

    p = command("hint", "commands:cmd_hint", "show the next hint for an exercise")
    p.add_argument("id", nargs="?", help="the exercise (default: the first one not passed yet)")
    p.add_argument("--all", action="store_true", help="show every hint at once")

    p = command("reset", "commands:cmd_reset", "restore an exercise's starter (asks first; keeps a .bak)")
    p.add_argument("id", help="the exercise")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")

    p = command("init", "commands:cmd_init", "copy the starter files into your workspace (never overwrites)")
    p.add_argument("dir", nargs="?", help="where to put the workspace (default: in the looplab data folder)")

    p = command(
        "verify",
        "authoring:cmd_verify",
        "for authors: validate every lesson file and run every reference program on every Node",
    )
    p.add_argument("ids", nargs="*", metavar="EXERCISE", help="only these exercises")
    p.add_argument("--runs", type=_positive, default=10, help="runs per program and Node (default 10)")
    p.add_argument(
        "--jobs",
        type=_positive,
        default=os.cpu_count() or 2,
        help="programs run at once (default: the number of CPUs)",
    )

    p = command("trace", "tracing:cmd_trace", "run a program under the tracer: which phase and queue printed each line")
    p.add_argument("file", help="a .js, .mjs or .cjs file; it runs from its own folder")
    p.add_argument("--json", action="store_true", help="print the lines as JSON (a stable interface, see README)")
    p.add_argument("--save", metavar="FILE.jsonl", help="also save the trace, to replay without Node")
    p.add_argument("--show-internals", action="store_true", help="also list every callback, Node's own included")
    p.add_argument(
        "--syscalls", action="store_true", help="run it under strace too and record the loop thread's system calls"
    )
    p.add_argument(
        "--tiers", action="store_true", help="also record V8's compiles and deopts of the program's functions"
    )
    p.add_argument("--timeout", type=_seconds, default=10.0, help="seconds before the program is stopped (default 10)")
    p.add_argument(
        "--detail-limit",
        type=_positive,
        default=DEFAULT_DETAIL_LIMIT,
        help=f"trace records kept in full detail before switching to counts (default {DEFAULT_DETAIL_LIMIT:,})",
    )

    p = command("replay", "tracing:cmd_replay", "show a trace saved with `looplab trace --save`, without running Node")
    p.add_argument("file", help="a .jsonl file")
    p.add_argument("--json", action="store_true", help="print the lines as JSON")
    p.add_argument("--show-internals", action="store_true", help="also list every callback, Node's own included")

    command(
        "doctor",
        "authoring:cmd_doctor",
        "show which Node is used, every other Node found, and whether the course loads",
    )
    return parser


COMMANDS = (
    "open",
    "overview",
    "list",
    "show",
    "export",
    "serve",
    "notes",
    "present",
    "follow",
    "run",
    "check",
    "hint",
    "reset",
    "init",
    "trace",
    "replay",
    "verify",
    "doctor",
)


class _Stopped:
    """The signal that asked us to stop, if one did (SIGTERM, SIGHUP): it sets the exit status."""

    signal: int | None = None


def _stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    """SIGTERM or SIGHUP (a closed terminal) stops looplab the way Ctrl+C does, so a run is cleaned up."""
    for name in ("SIGTERM", "SIGHUP"):  # a second signal must not cut the cleanup short
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    _Stopped.signal = signum
    on_ctrl_c = signal.getsignal(signal.SIGINT)
    if callable(on_ctrl_c):  # Python's, or asyncio.run's, which cancels the running task to unwind it
        on_ctrl_c(signal.SIGINT, frame)
    else:  # SIGINT was ignored when we started (a background job): unwind all the same
        raise KeyboardInterrupt


@contextlib.contextmanager
def stop_on_terminal_signals() -> Iterator[None]:
    """Unless SIGTERM or SIGHUP was already ignored by whoever started us (nohup), treat them like Ctrl+C."""
    _Stopped.signal = None
    if threading.current_thread() is not threading.main_thread():  # only the main thread gets signals
        yield
        return
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    for sig, handler in before.items():
        if handler == signal.SIG_DFL:
            signal.signal(sig, _stop_like_ctrl_c)
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line; plain `looplab`, the learner's usual start, skips building the parser's 15 commands."""
    if not (sys.argv[1:] if argv is None else argv):
        return argparse.Namespace(command=None)  # what the parser gives for no arguments (a test compares them)
    return build_parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for name in ("node", "course"):
        if not hasattr(args, name):
            setattr(args, name, None)
    session = Session(args)
    handler = load_handler(getattr(args, "handler", None) or default_handler())
    try:
        with stop_on_terminal_signals():
            return handler(session)
    except LooplabError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"looplab: error: {problem}\n")
        return 2
    except KeyboardInterrupt:
        stopped_by = _Stopped.signal
        with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
            name = signal.Signals(stopped_by).name if stopped_by else ""
            sys.stderr.write(f"looplab: stopped by {name}\n" if stopped_by else "looplab: interrupted\n")
        return 128 + (stopped_by or signal.SIGINT)
