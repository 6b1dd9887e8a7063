"""The fewest single-line moves from a prediction to an order the checker accepts, against brute force."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from app.check.match import check_output
from app.check.moves import describe_moves, fewest_moves
from app.check.spec import ExpectationSpec, LinePattern, Step
from app.check.verdict import ProgramOutput


def spec_of(*orderings: list[list[str]]) -> ExpectationSpec:
    """Orderings written as steps; a step of several lines is an any-order group."""
    return ExpectationSpec(
        orderings=tuple(tuple(Step(tuple(LinePattern(text=t) for t in step)) for step in o) for o in orderings)
    )


def accepted(spec: ExpectationSpec, lines: tuple[str, ...]) -> bool:
    return check_output(spec, ProgramOutput.prediction(list(lines))).passed


def brute_force_moves(spec: ExpectationSpec, start: tuple[str, ...]) -> int:
    """Breadth-first over every single-line move until the checker accepts the order."""
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        lines, depth = queue.popleft()
        if accepted(spec, lines):
            return depth
        for source in range(len(lines)):
            rest = lines[:source] + lines[source + 1 :]
            for target in range(len(lines)):
                moved = rest[:target] + (lines[source],) + rest[target:]
                if moved not in seen:
                    seen.add(moved)
                    queue.append((moved, depth + 1))
    raise AssertionError("no order is accepted")


@st.composite
def specs_and_predictions(draw: st.DrawFn) -> tuple[ExpectationSpec, list[str]]:
    """Up to 6 lines (some texts may repeat), cut into steps of 1 to 3, with maybe a second accepted order."""
    lines = draw(st.lists(st.sampled_from("abcde"), min_size=1, max_size=6))

    def cut(items: list[str]) -> list[list[str]]:
        steps, at = [], 0
        while at < len(items):
            size = draw(st.integers(1, 3))
            steps.append(items[at : at + size])
            at += size
        return steps

    orderings = [cut(lines)]
    if draw(st.booleans()):
        orderings.append(cut(draw(st.permutations(lines))))
    return spec_of(*orderings), draw(st.permutations(lines))


@settings(max_examples=300)
@given(specs_and_predictions())
def test_the_count_is_the_fewest_moves_any_search_finds(case: tuple[ExpectationSpec, list[str]]) -> None:
    spec, prediction = case
    moves = fewest_moves(spec, prediction)
    assert moves is not None
    assert moves.count == brute_force_moves(spec, tuple(prediction))


@given(specs_and_predictions())
def test_the_moves_reach_an_accepted_order_and_leave_the_other_lines_in_their_order(
    case: tuple[ExpectationSpec, list[str]],
) -> None:
    spec, prediction = case
    moves = fewest_moves(spec, prediction)
    assert moves is not None and len(moves.moved) == moves.count
    assert accepted(spec, moves.order)
    assert sorted(moves.order) == sorted(prediction)
    staying = [line for i, line in enumerate(prediction) if i not in moves.moved]
    remaining = iter(moves.order)
    assert all(line in remaining for line in staying)  # a subsequence of the new order
    assert (moves.count == 0) == accepted(spec, tuple(prediction))


def test_one_swap_is_one_move_not_three_misplaced_lines() -> None:
    spec = spec_of([["main"], ["tick"], ["promise"], ["timeout"]])
    moves = fewest_moves(spec, ["main", "promise", "tick", "timeout"])
    assert moves is not None and moves.count == 1
    assert describe_moves(moves) == "One line is out of place: moving it alone gives an order Node can print."


def test_lines_of_an_any_order_group_need_no_move_among_themselves() -> None:
    spec = spec_of([["start"], ["read", "timer"], ["end"]])
    assert fewest_moves(spec, ["start", "timer", "read", "end"]).count == 0
    assert fewest_moves(spec, ["timer", "start", "read", "end"]).count == 1


def test_the_nearest_of_several_accepted_orders_counts() -> None:
    spec = spec_of([["a"], ["b"], ["c"], ["d"]], [["d"], ["c"], ["b"], ["a"]])
    assert fewest_moves(spec, ["d", "c", "a", "b"]).count == 1  # one move from the second order, two from the first


def test_no_count_when_the_lines_are_not_the_expected_ones() -> None:
    assert fewest_moves(spec_of([["a"], ["b"]]), ["a", "c"]) is None
    regex = ExpectationSpec(orderings=((Step((LinePattern(regex="port \\d+"),)),),))
    assert fewest_moves(regex, ["port 1"]) is None
    assert describe_moves(None) is None
