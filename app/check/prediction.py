"""The lines a learner puts in order for a predict exercise, and a starting order that is wrong."""

from __future__ import annotations

import zlib
from random import Random

from app.check.match import check_output
from app.check.spec import ExpectationSpec
from app.check.verdict import ProgramOutput

_SHUFFLES = 40


def prediction_lines(spec: ExpectationSpec) -> list[str] | None:
    """The lines of the first accepted ordering, or None if some line is a regex and cannot be shown."""
    if not spec.orderings:
        return None
    lines = []
    for step in spec.orderings[0]:
        for pattern in step.patterns:
            if pattern.text is None:
                return None
            lines.append(pattern.text)
    return lines


def scrambled_prediction(spec: ExpectationSpec) -> list[str] | None:
    """A shuffle of the lines that the spec rejects, or None if every order is accepted.

    The same lines always give the same shuffle, and it leaves as few lines as it can in their right
    place, so the starting order gives nothing away.
    """
    lines = prediction_lines(spec)
    if lines is None:
        return None
    random = Random(zlib.crc32("\n".join(lines).encode("utf-8")))
    candidates = []
    for _ in range(_SHUFFLES):
        candidate = list(lines)
        random.shuffle(candidate)
        candidates.append(candidate)
    candidates.sort(
        key=lambda c: sum(a == b for a, b in zip(c, lines, strict=True))
    )  # stable: seeded order breaks ties
    candidates += [lines[::-1]] + [lines[i:] + lines[:i] for i in range(1, len(lines))]
    for candidate in candidates:
        if not check_output(spec, ProgramOutput.prediction(candidate)).passed:
            return candidate
    return None
