"""A view's own pure model, kept in step with the loop Timeline the visualizer shows (same events, positions)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
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


class ThreadEvents:
    """The positions a view model shares with the loop Timeline: it counts every event of its thread, and hands
    on, with the position just after each, those of the kinds it reads."""

    def __init__(self, thread: int) -> None:
        self.thread = thread
        self.length = 0  # events of this thread taken in, read or not

    def own(self, events: Iterable[Any], kinds: Collection[type]) -> Iterator[tuple[int, Any]]:
        for event in events:
            if getattr(event, "thread", self.thread) != self.thread:
                continue
            self.length += 1
            if type(event) in kinds:
                yield self.length, event

    def __len__(self) -> int:
        return self.length


class KindsTimeline:
    """A view model's events of its thread and kinds (`KINDS`), each with the loop Timeline position just after it.

    Subclasses set KINDS and compute their snapshots from `_events` and `_positions` in `at(position)`.
    """

    KINDS: frozenset[type] = frozenset()

    def __init__(self, events: Sequence[Any] | None = None, thread: int = 0) -> None:
        self.thread = thread
        self._thread_events = ThreadEvents(thread)
        self._events: list[Any] = []  # the events of KINDS, in order
        self._positions: list[int] = []  # the position just after each
        self.extend(events or [])

    def extend(self, events: Sequence[Any]) -> None:
        for position, event in self._thread_events.own(events, self.KINDS):
            self._events.append(event)
            self._positions.append(position)

    def __len__(self) -> int:
        return len(self._thread_events)
