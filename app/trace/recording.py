"""A finished trace: the events plus how the run went. Saved as JSONL, so it can be replayed without Node."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.errors import LooplabError, Problem, read_text_file
from app.learner.files import atomic_write
from app.trace.schema import EVENT_TYPES, TraceEvent

FORMAT_VERSION = 1


@dataclass(frozen=True)
class TraceRecording:
    program: str
    node_version: str
    mode: str  # exact, inferred or none
    addon: str  # how the marker addon was obtained, or why there is none
    end: str  # how the run ended, in words
    exit_code: int | None
    timed_out: bool
    duration: float
    stdout: tuple[str, ...]
    stderr: tuple[str, ...]
    events: tuple[TraceEvent, ...]
    summarised_after: int | None = None  # full detail stopped after this many records
    threadpool_size: int = 4
    signal: str | None = None  # the signal that ended it, if one did
    cancelled: bool = False
    truncated: bool = False  # stopped at the output limit

    @property
    def stopped(self) -> bool:
        """Looplab stopped the program (timeout, output limit, cancel), so the trace ends early."""
        return self.timed_out or self.truncated or self.cancelled

    def header(self) -> dict[str, Any]:
        data = asdict(self)
        del data["events"]
        return {"looplab_trace": FORMAT_VERSION, **data}


def save_recording(recording: TraceRecording, path: Path) -> None:
    lines = [json.dumps(recording.header(), ensure_ascii=False)]
    for event in recording.events:
        lines.append(json.dumps(event_to_json(event), ensure_ascii=False))
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


def load_recording(path: Path) -> TraceRecording:
    """A saved trace; a damaged or foreign file is a one-line error naming the line."""
    text = read_text_file(path)
    # JSON escapes "\n" but not U+0085 or U+2028, which splitlines() would also cut at (a wire byte 0x85)
    rows = text.split("\n") if text.strip() else []
    if not rows:
        raise LooplabError(
            Problem(
                "empty file: not a looplab trace",
                file=path,
                hint="save one with `looplab trace FILE --save FILE.jsonl`",
            )
        )
    header = _parse(rows[0], path, 1)
    if header.get("looplab_trace") != FORMAT_VERSION:
        raise LooplabError(
            Problem(
                "not a looplab trace (no 'looplab_trace' header)",
                file=path,
                line=1,
                hint="save one with `looplab trace FILE --save FILE.jsonl`",
            )
        )
    events = []
    for number, row in enumerate(rows[1:], start=2):
        if not row.strip():
            continue
        data = _parse(row, path, number)
        if data.get("event") not in EVENT_TYPES:
            raise LooplabError(Problem("unknown event", file=path, line=number, key="event"))
        try:
            events.append(event_from_json(data))
        except ValueError as exc:
            raise LooplabError(Problem(str(exc), file=path, line=number)) from None
    header.pop("looplab_trace")
    try:
        return TraceRecording(
            **{
                **header,
                "stdout": tuple(header.get("stdout", ())),
                "stderr": tuple(header.get("stderr", ())),
                "events": tuple(events),
            }
        )
    except TypeError as exc:
        raise LooplabError(Problem(f"bad header: {exc}", file=path, line=1)) from None


def event_to_json(event: TraceEvent) -> dict[str, Any]:
    """An event as a JSON object: its type's name under "event", then its fields (for files and follow mode)."""
    return {"event": type(event).__name__.lower(), **event._asdict()}


def event_from_json(data: dict[str, Any]) -> TraceEvent:
    """The event `event_to_json` wrote; ValueError for an unknown type or wrong fields."""
    fields = dict(data)
    cls = EVENT_TYPES.get(fields.pop("event", None))
    if cls is None:
        raise ValueError("unknown event")
    try:
        return cls(**{key: _tuples(value) for key, value in fields.items()})
    except TypeError as exc:
        raise ValueError(f"bad event fields: {exc}") from None


def _tuples(value: Any) -> Any:
    """JSON arrays back into the tuples an event holds (an FdSample's rows), so a replay equals the run."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _parse(row: str, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(row)
    except json.JSONDecodeError as exc:
        raise LooplabError(Problem(f"not JSON: {exc.msg}", file=path, line=number)) from None
    if not isinstance(data, dict):
        raise LooplabError(Problem("not a JSON object", file=path, line=number))
    return data
