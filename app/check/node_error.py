"""The error a Node program died of, read from its stderr, so a verdict can quote it with the learner's file:line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Node's report of an uncaught exception starts with "PATH:LINE", the source line and a caret under it.
_HEADER = re.compile(r"(?:file://)?(?P<path>\S+?):(?P<line>\d+)")
_CARET = re.compile(r"\s*\^+\s*")
_FRAME = re.compile(r"\s+at (?:.*? \()?(?:file://)?(?P<path>[^()\s]+?):(?P<line>\d+):\d+\)?")
# A line that names an error the way Node prints one: "TypeError: …", "Error [ERR_X]: …", "FATAL ERROR: …".
_ERROR_LINE = re.compile(
    r"(?:Uncaught )?(?:(?:[A-Z][\w$.]*)?(?:Error|Exception|Rejection)(?: \[\w+\])?|FATAL ERROR):.*"
)
_NOISE = re.compile(r"Node\.js v\d+.*|\(Use `node --trace-.*")


@dataclass(frozen=True)
class RaisedError:
    """An error from stderr: its first line, where it was raised (file below the run folder) and the code there."""

    message: str
    file: str | None = None
    line: int | None = None
    source: str | None = None
    uncaught: bool = False  # Node's own report of an uncaught exception, not just a line the program wrote

    @property
    def where(self) -> str | None:
        return f"{self.file}:{self.line}" if self.file else None


def raised_error(stderr: Sequence[str], run_folder: str | None = None) -> RaisedError | None:
    """The uncaught exception Node reported (the last one), else the first error-looking line, else None.

    `run_folder` is the name prefix of the temporary folder the program ran in; paths are cut after it so the
    learner reads their own file name.
    """
    lines = [line.rstrip() for line in stderr]
    for index in range(len(lines) - 1, -1, -1):
        report = _uncaught_report(lines, index, run_folder)
        if report is not None:
            return report
    for line in lines:
        if _ERROR_LINE.fullmatch(line):
            return RaisedError(cut_run_folder(line, run_folder))
    return None


def report_start(stderr: Sequence[str]) -> int | None:
    """Where Node's report of the uncaught exception begins in stderr (its "PATH:LINE" line), if it is there."""
    lines = [line.rstrip() for line in stderr]
    return next((i for i in range(len(lines) - 1, -1, -1) if _uncaught_report(lines, i, None) is not None), None)


def last_error_line(stderr: Sequence[str]) -> str | None:
    """The last line of stderr worth quoting: not blank, not Node's version banner or its usage tip."""
    meaningful = [line.strip() for line in stderr if line.strip() and not _NOISE.fullmatch(line.strip())]
    return meaningful[-1] if meaningful else None


def _uncaught_report(lines: list[str], index: int, run_folder: str | None) -> RaisedError | None:
    header = _HEADER.fullmatch(lines[index])
    if header is None:
        return None
    caret = next((i for i in range(index + 1, min(index + 4, len(lines))) if _CARET.fullmatch(lines[i])), None)
    if caret is None:
        return None
    message_at = next((i for i in range(caret + 1, len(lines)) if lines[i].strip()), None)
    if message_at is None:
        return None
    source = lines[index + 1].strip() if caret == index + 2 else None
    path, line = header.group("path"), int(header.group("line"))
    if path.startswith("node:"):  # thrown inside Node's own code: the learner's frame is in the stack
        source = None
        path, line = _first_own_frame(lines[message_at + 1 :], run_folder) or (None, None)
    return RaisedError(
        message=cut_run_folder(lines[message_at].strip(), run_folder),
        file=cut_run_folder(path, run_folder) if path else None,
        line=line if path else None,
        source=source,
        uncaught=True,
    )


def _first_own_frame(lines: list[str], run_folder: str | None) -> tuple[str, int] | None:
    """The first stack frame in the program's own files (not Node's internals, not looplab's tracer)."""
    frames = [m for m in (_FRAME.fullmatch(line) for line in lines) if m is not None]
    own = [m for m in frames if not m.group("path").startswith("node:")]
    if run_folder is not None:
        own = [m for m in own if f"/{run_folder}" in m.group("path")]
    return (own[0].group("path"), int(own[0].group("line"))) if own else None


def cut_run_folder(text: str, run_folder: str | None) -> str:
    """`text` with every path into the run folder shortened to the part below that folder."""
    if run_folder is None:
        return text
    return re.sub(rf"(?:file://)?/[^\s'\"]*?/{re.escape(run_folder)}[^/\s'\"]*/", "", text)
