"""A view's own pure model, kept in step with the loop Timeline the visualizer shows (same events, positions)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline


class ViewModel(Protocol):
    def __len__(self) -> int: ...
    def extend(self, events: Sequence[Any]) -> None: ...
    def at(self, position: int) -> Any: ...


M = TypeVar("M", bound=ViewModel)


class Following(Generic[M]):
    """Feeds `make(thread)`'s model the timeline's events it has not seen; a new run (another timeline, or one
    that shrank) starts a new model."""

    def __init__(self, make: Callable[[int], M]) -> None:
        self._make = make
        self._source: Timeline | None = None
        self.model: M | None = None

    def at(self, timeline: Timeline | None, position: int) -> Any:
        """The model's snapshot at `position` of `timeline`, or None before any run."""
        if timeline is None:
            self._source = self.model = None
            return None
        if timeline is not self._source or self.model is None or len(self.model) > len(timeline.events):
            self._source, self.model = timeline, self._make(timeline.thread)
        if len(self.model) < len(timeline.events):
            self.model.extend(timeline.events[len(self.model) :])
        return self.model.at(position)


class PickedEvents:
    """The events of some types among one thread's events, each with the loop Timeline position just after it:
    what a view whose model is rebuilt from a few events (the wire, the agents) needs to answer `at(position)`."""

    def __init__(self, types: tuple[type, ...], thread: int) -> None:
        self.types, self.thread = types, thread
        self.length = 0  # the thread's events taken in, picked or not: the loop Timeline's length
        self.events: list[Any] = []
        self.positions: list[int] = []

    def extend(self, events: Sequence[Any]) -> None:
        for event in events:
            if getattr(event, "thread", self.thread) != self.thread:
                continue
            self.length += 1
            if isinstance(event, self.types):
                self.events.append(event)
                self.positions.append(self.length)

    def count_at(self, position: int) -> int:
        """How many picked events are among the first `position` events."""
        return bisect.bisect_right(self.positions, position)
