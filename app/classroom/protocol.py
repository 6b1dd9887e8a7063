"""The follow-mode wire format: one JSON object per line, presenter to followers, after one join line the other way.

A follower sends exactly one line, `{"join": TOKEN, "protocol": 1}`. After that the presenter never reads a
follower's words, so no follower can change what the class sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.runner.process import OutputLine, RunResult
from app.trace.recording import event_from_json, event_to_json
from app.trace.schema import TraceEvent

PROTOCOL = 1
MAX_JOIN_LINE = 4096  # bytes: a join line is a token and a number
MAX_LINE = 64 << 20  # bytes: a batch of a run's events (a run's whole trace is capped well below this)


class ProtocolError(ValueError):
    """A line that is not part of the follow protocol."""


@dataclass(frozen=True)
class Show:
    """The class is on this slide (an index into lesson.slides, deep dives included) and reveal step."""

    lesson: str
    slide: int
    step: int = 0


@dataclass(frozen=True)
class RunStarted:
    description: str  # e.g. "slide 5's code on Node 24.19.0"


@dataclass(frozen=True)
class RunEvents:
    events: tuple[TraceEvent, ...]
    again: bool = False  # the whole run's events once more, now complete (strace's calls, V8's tiers added)


@dataclass(frozen=True)
class RunFinished:
    result: RunResult
    ending: str  # how it ended, in words


@dataclass(frozen=True)
class RunAborted:
    reason: str


@dataclass(frozen=True)
class Refused:
    reason: str


ClassMessage = Show | RunStarted | RunEvents | RunFinished | RunAborted | Refused


def join_line(token: str) -> bytes:
    return (json.dumps({"join": token, "protocol": PROTOCOL}) + "\n").encode()


def read_join(line: bytes) -> str:
    """The token of a follower's join line."""
    data = _object(line)
    token, protocol = data.get("join"), data.get("protocol")
    if not isinstance(token, str) or protocol != PROTOCOL:
        raise ProtocolError(f"not a follow-mode join (protocol {PROTOCOL} expected)")
    return token


def encode(message: ClassMessage) -> bytes:
    if isinstance(message, Show):
        data: dict[str, Any] = {"type": "show", "lesson": message.lesson, "slide": message.slide, "step": message.step}
    elif isinstance(message, RunStarted):
        data = {"type": "run", "description": message.description}
    elif isinstance(message, RunEvents):
        data = {"type": "events", "again": message.again, "events": [event_to_json(e) for e in message.events]}
    elif isinstance(message, RunFinished):
        data = {"type": "end", "result": message.result.to_json(), "ending": message.ending}
    elif isinstance(message, RunAborted):
        data = {"type": "abort", "reason": message.reason}
    else:
        data = {"type": "refused", "reason": message.reason}
    return (json.dumps(data, ensure_ascii=False) + "\n").encode()


def decode(line: bytes) -> ClassMessage:
    data = _object(line)
    kind = data.get("type")
    try:
        if kind == "show":
            slide, step = data["slide"], data["step"]
            if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (slide, step)):
                raise ProtocolError("a slide and a step are whole numbers from 0")
            return Show(_text(data, "lesson"), slide, step)
        if kind == "run":
            return RunStarted(_text(data, "description"))
        if kind == "events":
            return RunEvents(tuple(event_from_json(e) for e in data["events"]), bool(data.get("again")))
        if kind == "end":
            return RunFinished(_result(data["result"]), _text(data, "ending"))
        if kind == "abort":
            return RunAborted(_text(data, "reason"))
        if kind == "refused":
            return Refused(_text(data, "reason"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad {kind!r} message: {exc}") from None
    raise ProtocolError(f"unknown message type {kind!r}")


def _object(line: bytes) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("not a JSON line") from None
    if not isinstance(data, dict):
        raise ProtocolError("not a JSON object")
    return data


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ProtocolError(f"{key} is not text")
    return value


def _result(data: dict[str, Any]) -> RunResult:
    lines = tuple(OutputLine(**line) for line in data.pop("lines"))
    data["leftovers"] = tuple(data.get("leftovers", ()))
    return RunResult(lines=lines, **data)
