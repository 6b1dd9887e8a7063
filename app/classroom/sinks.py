"""Where a presenter's run goes: its own visualizer and every follower, from the same stream of events."""

from __future__ import annotations

from app.classroom.protocol import RunAborted, RunEvents, RunFinished, RunStarted
from app.classroom.server import ClassroomServer
from app.runner.process import RunResult
from app.runner.slide_run import RunSink
from app.trace.schema import TraceEvent


class BroadcastSink:
    """Tells the class each step of the run; followers replay it in their own visualizers, running nothing."""

    def __init__(self, server: ClassroomServer) -> None:
        self.server = server
        self._token = 0

    def start_live(self, description: str) -> int:
        self._token += 1
        self.server.publish(RunStarted(description))
        return self._token

    def feed(self, events: list[TraceEvent], token: int | None = None) -> None:
        if events and token in (None, self._token):
            self.server.publish(RunEvents(tuple(events)))

    def refeed(self, events: list[TraceEvent], token: int) -> None:
        if token == self._token:
            self.server.publish(RunEvents(tuple(events), again=True))

    def finish(self, result: RunResult, ending: str) -> None:
        self.server.publish(RunFinished(result, ending))

    def abort(self, reason: str) -> None:
        self.server.publish(RunAborted(reason))


class TeeSink:
    """One run, shown on the presenter's screen and sent to the class: the first sink's tokens are the run's."""

    def __init__(self, shown: RunSink, sent: RunSink) -> None:
        self.shown, self.sent = shown, sent
        self._tokens: dict[int, int] = {}

    def start_live(self, description: str) -> int:
        token = self.shown.start_live(description)
        self._tokens[token] = self.sent.start_live(description)
        return token

    def feed(self, events: list[TraceEvent], token: int | None = None) -> None:
        self.shown.feed(events, token)
        self.sent.feed(events, self._tokens.get(token) if token is not None else None)

    def refeed(self, events: list[TraceEvent], token: int) -> None:
        self.shown.refeed(events, token)
        sent = self._tokens.get(token)
        if sent is not None:
            self.sent.refeed(events, sent)

    async def catch_up(self) -> None:
        """The visualizer takes in what is buffered before the end is drawn (run_slide_code awaits this)."""
        catch_up = getattr(self.shown, "catch_up", None)
        if catch_up is not None:
            await catch_up()

    def finish(self, result: RunResult, ending: str) -> None:
        self.shown.finish(result, ending)
        self.sent.finish(result, ending)

    def abort(self, reason: str) -> None:
        self.shown.abort(reason)
        self.sent.abort(reason)
