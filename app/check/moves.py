"""How far a predicted order is from one Node can print: the fewest single-line moves that fix it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.check.spec import ExpectationSpec, Ordering


@dataclass(frozen=True)
class Moves:
    """The fewest moves, and an accepted order they reach that keeps every unmoved line in its relative order."""

    count: int
    order: tuple[str, ...]
    moved: tuple[int, ...]  # 0-based indexes of the predicted lines that move


def fewest_moves(spec: ExpectationSpec, lines: list[str]) -> Moves | None:
    """Over every accepted ordering: the fewest lines to pick up and put down elsewhere.

    Lines in an any-order group may stand in any order among themselves. None if no ordering has exactly
    these lines (a regex, or other lines), so no number of moves can reach it.
    """
    best: Moves | None = None
    for ordering in spec.orderings:
        found = _fewest_for(ordering, lines)
        if found is not None and (best is None or found.count < best.count):
            best = found
    return best


def describe_moves(moves: Moves | None) -> str | None:
    """The fewest moves in words, for the learner after a wrong prediction."""
    if moves is None or moves.count == 0:
        return None
    if moves.count == 1:
        return "One line is out of place: moving it alone gives an order Node can print."
    return f"Moving {moves.count} lines gives an order Node can print; no fewer moves do."


def _fewest_for(ordering: Ordering, lines: list[str]) -> Moves | None:
    if any(p.text is None for step in ordering for p in step.patterns):
        return None
    texts = [[p.text for p in step.patterns if p.text is not None] for step in ordering]
    if Counter(t for step in texts for t in step) != Counter(lines):
        return None
    # Keep the longest run of lines that fit the steps in order (each step's lines in any order, each slot
    # used once); every other line moves. State: (current step, slots used in it) -> the lines kept so far.
    states: dict[tuple[int, frozenset[int]], tuple[tuple[int, int], ...]] = {(0, frozenset()): ()}
    for index, line in enumerate(lines):
        grown = dict(states)
        for (step, used), kept in states.items():
            for later in range(step, len(texts)):
                taken = used if later == step else frozenset()
                slot = next((s for s, t in enumerate(texts[later]) if t == line and s not in taken), None)
                if slot is None:
                    continue
                key = (later, taken | {slot})
                if len(grown.get(key, ())) < len(kept) + 1:
                    grown[key] = (*kept, (index, later))
        states = grown
    kept = max(states.values(), key=len)
    return Moves(len(lines) - len(kept), _order_keeping(texts, lines, kept), _moved(lines, kept))


def _moved(lines: list[str], kept: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    staying = {index for index, _ in kept}
    return tuple(i for i in range(len(lines)) if i not in staying)


def _order_keeping(texts: list[list[str]], lines: list[str], kept: tuple[tuple[int, int], ...]) -> tuple[str, ...]:
    """An accepted order: each step's kept lines in their predicted order, then the step's other lines."""
    order: list[str] = []
    for step, members in enumerate(texts):
        staying = [lines[index] for index, at in kept if at == step]
        rest = Counter(members) - Counter(staying)
        order += staying
        for text in members:
            if rest[text] > 0:
                order.append(text)
                rest[text] -= 1
    return tuple(order)
