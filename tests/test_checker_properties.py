"""Properties of the checker that must hold for any output, found by hypothesis."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from app.check.match import check_output
from app.check.prediction import scrambled_prediction
from app.check.spec import Before, ExpectationSpec, LinePattern, Step
from app.check.verdict import ProgramOutput

# A small alphabet makes repeated lines common, which is where ordering logic gets hard.
line = st.text(alphabet="ab .*(", min_size=1, max_size=4).filter(lambda s: s.strip() != "")
output = st.lists(line, min_size=0, max_size=12)


def passes(spec: ExpectationSpec, lines: list[str]) -> bool:
    return check_output(spec, ProgramOutput(tuple(lines))).passed


@given(output)
def test_a_spec_built_from_an_output_matches_that_output(lines: list[str]) -> None:
    assert passes(ExpectationSpec.exact(lines), lines)


@given(output)
def test_a_regex_spec_built_from_an_output_matches_it(lines: list[str]) -> None:
    ordering = tuple(Step((LinePattern(regex=re.escape(text.rstrip())),)) for text in lines)
    assert passes(ExpectationSpec(orderings=(ordering,)), lines)


@given(output, st.data())
def test_swapping_two_different_lines_fails(lines: list[str], data: st.DataObject) -> None:
    normalised = [text.rstrip() for text in lines]
    assume(len(set(normalised)) >= 2)
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(0, len(lines) - 1).filter(lambda k: normalised[k] != normalised[i]))
    swapped = list(lines)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    verdict = check_output(ExpectationSpec.exact(lines), ProgramOutput(tuple(swapped)))
    assert not verdict.passed
    assert verdict.violation is not None and verdict.violation.actual is not None
    assert verdict.violation.actual.position == min(i, j) + 1


@given(st.lists(st.lists(line, min_size=1, max_size=4), min_size=1, max_size=5), st.randoms())
def test_any_permutation_inside_groups_passes(groups: list[list[str]], random: object) -> None:
    ordering = tuple(Step(tuple(LinePattern(text=t.rstrip()) for t in group)) for group in groups)
    shuffled: list[str] = []
    for group in groups:
        members = list(group)
        random.shuffle(members)  # type: ignore[attr-defined]
        shuffled += members
    assert passes(ExpectationSpec(orderings=(ordering,)), shuffled)


@given(output, st.lists(st.tuples(st.integers(0, 12), st.sampled_from(["# one", "# two"])), max_size=5))
def test_ignored_lines_never_change_the_verdict(lines: list[str], noise: list[tuple[int, str]]) -> None:
    spec = ExpectationSpec.exact(lines)
    strict = ExpectationSpec(orderings=spec.orderings, ignore=(LinePattern(regex="# .*"),))
    noisy = list(lines)
    for at, text in noise:
        noisy.insert(min(at, len(noisy)), text)
    assert passes(strict, noisy)


@given(output, st.lists(st.tuples(st.integers(0, 12), st.sampled_from(["zz", "zzz"])), max_size=5))
def test_extra_lines_are_allowed_when_the_spec_is_not_complete(lines: list[str], noise: list[tuple[int, str]]) -> None:
    exact = ExpectationSpec.exact(lines)
    loose = ExpectationSpec(orderings=exact.orderings, complete=False)
    noisy = list(lines)
    for at, text in noise:
        noisy.insert(min(at, len(noisy)), text)
    assert passes(loose, noisy)
    if noise and lines:
        assert not passes(exact, noisy)


@given(output, st.data())
def test_before_rules_taken_from_an_output_hold_and_break_when_reversed(lines: list[str], data: st.DataObject) -> None:
    normalised = [text.rstrip() for text in lines]
    distinct = list(dict.fromkeys(normalised))
    assume(len(distinct) >= 2)
    a, b = data.draw(st.permutations(distinct))[:2]
    holds = max(i for i, t in enumerate(normalised) if t == a) < min(i for i, t in enumerate(normalised) if t == b)
    spec = ExpectationSpec(before=(Before(LinePattern(text=a), LinePattern(text=b)),))
    assert passes(spec, lines) == holds
    reverse = ExpectationSpec(before=(Before(LinePattern(text=b), LinePattern(text=a)),))
    if holds:
        assert not passes(reverse, lines)


@given(output)
def test_a_scrambled_prediction_is_always_wrong(lines: list[str]) -> None:
    spec = ExpectationSpec.exact(lines)
    scrambled = scrambled_prediction(spec)
    if scrambled is None:
        assert len({t.rstrip() for t in lines}) <= 1  # nothing can be out of order
    else:
        assert sorted(scrambled) == sorted(t.rstrip() for t in lines)
        assert not check_output(spec, ProgramOutput.prediction(scrambled)).passed


@given(output, output)
def test_a_named_line_in_a_violation_is_really_there(expected: list[str], actual: list[str]) -> None:
    verdict = check_output(ExpectationSpec.exact(expected), ProgramOutput(tuple(actual)))
    assert verdict.passed == ([t.rstrip() for t in expected] == [t.rstrip() for t in actual])
    for ref in (verdict.violation.actual, verdict.violation.expected) if verdict.violation else ():
        if ref is not None and ref.position is not None:
            assert actual[ref.position - 1].rstrip() == ref.text


@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=3), min_size=3, max_size=9, unique=True))
def test_a_scrambled_prediction_leaves_no_line_in_place_when_it_can(lines: list[str]) -> None:
    scrambled = scrambled_prediction(ExpectationSpec.exact(lines))
    assert scrambled is not None
    assert sum(a == b for a, b in zip(scrambled, lines, strict=True)) == 0
    assert scrambled == scrambled_prediction(ExpectationSpec.exact(lines))  # the same every time


@given(output, output, st.booleans())
def test_a_line_marked_ok_is_named_by_a_rule_and_faulted_by_none(
    expected: list[str], actual: list[str], ended: bool
) -> None:
    spec = ExpectationSpec.exact(expected)
    verdict = check_output(spec, ProgramOutput(tuple(actual), timed_out=not ended, exit_code=0 if ended else None))
    wrong = {p for c in verdict.constraints for p in c.lines}
    for mark in verdict.lines:
        if mark.status == "ok":
            assert mark.text in {t.rstrip() for t in expected} and mark.position not in wrong


@given(output, output)
def test_a_placed_line_that_never_printed_never_meets_its_place_rule(expected: list[str], actual: list[str]) -> None:
    patterns = tuple(LinePattern(text=t.rstrip(), phase="timers") for t in expected)
    spec = ExpectationSpec(orderings=(tuple(Step((p,)) for p in patterns),))
    places = (("timers", "macrotask"),) * len(actual)
    verdict = check_output(spec, ProgramOutput(tuple(actual), places=places))
    printed = {t.rstrip() for t in actual}
    for constraint in verdict.constraints:
        if constraint.kind == "place" and not any(f"“{t}”" in constraint.description for t in printed):
            assert not constraint.passed
