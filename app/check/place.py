"""Where a line comes from: rules that a line prints in a given phase or from a given queue (needs a trace)."""

from __future__ import annotations

from app.check.spec import ExpectationSpec, LinePattern, Ordering
from app.check.verdict import ConstraintResult, LineRef, Violation, quote

Numbered = list[tuple[int, str]]  # output lines with their 1-based positions


THREAD_WORDS = {
    "main": "on the program's main thread",
    "worker": "on a worker thread",
    "child": "in a child process",
    "child-worker": "on a worker thread of a child process",
}


def where(phase: str | None, queue: str | None, thread: str | None = None) -> str:
    """Say where a callback ran, in the words of the course: "from the nextTick queue after a timers callback",
    "in the timers phase, on a worker thread"."""
    if thread is not None:
        words = THREAD_WORDS.get(thread, thread)
        return f"{where(phase, queue)}, {words}" if phase or queue else words
    after = {"main": "the main module", "exit": "an exit listener"}.get(phase or "", f"a {phase} callback")
    if queue in ("nextTick", "microtask"):
        return f"from the {queue} queue" + (f" after {after}" if phase else "")
    if phase == "main":
        return "in the main module"
    if phase == "exit":
        return "in a beforeExit or exit listener"
    if phase:
        return f"in the {phase} phase"
    return "as a macrotask, not from the nextTick or microtask queue" if queue else "somewhere"


def placed_patterns(spec: ExpectationSpec, matched: Ordering | None) -> tuple[LinePattern, ...]:
    """Placed patterns of the ordering the output was matched against (all, if none), and of the other rules.

    Another accepted ordering's lines need not appear at all, so their places are not asked for.
    """
    orderings = spec.orderings if matched is None else (matched,)
    patterns = [p for o in orderings for step in o for p in step.patterns]
    patterns += [p for rule in spec.before for p in (rule.first, rule.then)] + [c.pattern for c in spec.counts]
    return tuple(dict.fromkeys(p for p in patterns if p.placed))


def check_place(
    pattern: LinePattern,
    checked: Numbered,
    places: tuple[tuple[str | None, str | None], ...] | None,
    threads: tuple[str | None, ...] | None = None,
) -> ConstraintResult:
    wanted = where(pattern.phase, pattern.queue, pattern.thread)
    name = quote(pattern.describe())
    description = f"{name} prints {wanted}"
    if places is None:
        return ConstraintResult(
            "place",
            description,
            False,
            Violation(
                "untraced",
                f"Checking where {name} comes from needs a traced run.",
                None,
                LineRef(pattern.describe(), None),
            ),
        )
    hits = [(position, text) for position, text in checked if pattern.matches(text)]
    if not hits:  # a line that never printed printed nowhere: the rule is not met
        return ConstraintResult(
            "place",
            description,
            False,
            Violation(
                "missing",
                f"{name} never printed, so it did not print {wanted}.",
                None,
                LineRef(pattern.describe(), None),
            ),
        )
    misplaced = []
    for position, text in hits:
        phase, queue = places[position - 1] if position <= len(places) else (None, None)
        thread = threads[position - 1] if threads is not None and position <= len(threads) else None
        if (
            (pattern.phase is None or pattern.phase == phase)
            and (pattern.queue is None or pattern.queue == queue)
            and (pattern.thread is None or pattern.thread == thread)
        ):
            continue
        misplaced.append((position, text, phase, queue, thread))
    if not misplaced:
        return ConstraintResult("place", description, True)
    position, text, phase, queue, thread = misplaced[0]
    seen = (
        where(phase, queue, thread if pattern.thread is not None else None)
        if phase
        else "where the tracer could not see it (a process it could not reach?)"
    )
    return ConstraintResult(
        "place",
        description,
        False,
        Violation(
            "place",
            f"{quote(text)} (line {position}) printed {seen}, but it should print {wanted}.",
            LineRef(text, position),
            LineRef(pattern.describe(), None),
        ),
        lines=tuple(p for p, *_ in misplaced),
    )
