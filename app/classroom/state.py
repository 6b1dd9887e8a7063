"""What the class is looking at: the presenter's slide and step, and the run on show. Pure: messages in, state out."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.classroom.protocol import ClassMessage, RunAborted, RunEvents, RunFinished, RunStarted, Show
from app.trace.schema import TraceEvent


@dataclass
class RunOnShow:
    description: str
    events: list[TraceEvent] = field(default_factory=list)
    finished: RunFinished | None = None
    aborted: str | None = None

    @property
    def over(self) -> bool:
        return self.finished is not None or self.aborted is not None


@dataclass
class ClassState:
    position: Show | None = None
    run: RunOnShow | None = None
    turns: int = 0  # how many positions have been shown (a follower's report counts them)

    def apply(self, message: ClassMessage) -> None:
        if isinstance(message, Show):
            if self.position is not None and message.lesson != self.position.lesson:
                self.run = None  # a run belongs to its lesson's screen: a new lesson starts without one
            self.position = message
            self.turns += 1
        elif isinstance(message, RunStarted):
            self.run = RunOnShow(message.description)
        elif self.run is None:
            return  # a run's tail without its start: joined in the middle of nothing
        elif isinstance(message, RunEvents):
            if message.again:
                self.run.events = list(message.events)
            else:
                self.run.events.extend(message.events)
        elif isinstance(message, RunFinished):
            self.run.finished = message
        elif isinstance(message, RunAborted):
            self.run.aborted = message.reason

    def catch_up(self) -> list[ClassMessage]:
        """The messages that bring a new follower to this state: the slide, then the run so far."""
        messages: list[ClassMessage] = [self.position] if self.position is not None else []
        run = self.run
        if run is not None:
            messages.append(RunStarted(run.description))
            if run.events:
                messages.append(RunEvents(tuple(run.events)))
            if run.finished is not None:
                messages.append(run.finished)
            if run.aborted is not None:
                messages.append(RunAborted(run.aborted))
        return messages
