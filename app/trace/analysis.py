"""What a learner should be told about a traced run: how phases were found, and whether the loop starved."""

from __future__ import annotations

from dataclasses import dataclass

from app.trace.recording import TraceRecording
from app.trace.schema import Before, Counts, Mark

STARVATION_CALLBACKS = 10_000  # this many ticks or microtasks with no loop progress, in a run that never ended


@dataclass(frozen=True)
class Starvation:
    queue: str  # nextTick or microtask
    callbacks: int  # how many ran since the loop last moved
    phase: str  # the phase the loop was stuck in
    seconds: float


def find_starvation(recording: TraceRecording) -> Starvation | None:
    """A tick or microtask queue that kept refilling itself until the run was stopped."""
    if not recording.timed_out:
        return None
    since: dict[str, int] = {"nextTick": 0, "microtask": 0}
    phase = "main"
    for event in recording.events:
        if event.thread != 0:
            continue
        if isinstance(event, Mark):
            since = {"nextTick": 0, "microtask": 0}
        elif isinstance(event, Before):
            if event.queue == "macrotask":
                since = {"nextTick": 0, "microtask": 0}
                phase = event.phase
            elif event.queue in since:
                since[event.queue] += 1
                phase = event.phase
        elif isinstance(event, Counts) and event.what == "callback" and event.queue in since:
            since[event.queue] += event.count
            phase = event.phase
    queue, callbacks = max(since.items(), key=lambda item: item[1])
    if callbacks < STARVATION_CALLBACKS:
        return None
    return Starvation(queue, callbacks, phase, recording.duration)


def run_notes(recording: TraceRecording, quiet_when_exact: bool = False) -> list[str]:
    """Notes for the learner; `quiet_when_exact` leaves out the one that only says all is well."""
    notes = []
    if recording.mode == "exact":
        if not quiet_when_exact:
            notes.append("Phases are exact: loop markers showed where every iteration polled.")
    elif recording.mode == "inferred":
        notes.append(
            f"Phases were inferred from the kind of each callback ({recording.addon}); pending and "
            "close callbacks may show as poll."
        )
    else:
        notes.append("The tracer sent nothing: the program ended before Node loaded it, or Node refused it.")
    if recording.summarised_after is not None:
        notes.append(
            f"Full detail for the first {recording.summarised_after:,} trace records; after that, only "
            "counts per phase and queue (output lines are still attributed one by one)."
        )
    starvation = find_starvation(recording)
    if starvation is not None:
        notes.append(
            f"Starvation: {starvation.callbacks:,} {starvation.queue} callbacks ran one after another in the "
            f"{starvation.phase} phase and the loop never reached its next phase; the run was stopped after "
            f"{starvation.seconds:.1f} s."
        )
    return notes
