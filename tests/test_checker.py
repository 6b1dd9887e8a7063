"""The ordering checker: each kind of expectation, and the explanation of the first violation."""

from __future__ import annotations

import json

import pytest

from app.check.match import assign_lines, check_output
from app.check.node_error import RaisedError
from app.check.spec import Before, Count, Expectation, ExpectationSpec, LinePattern, NodeRange, Step, Variant
from app.check.verdict import ProgramOutput

T = LinePattern  # a literal line: T("text"); a regex: T(regex="...")


def seq(*items: str | LinePattern | tuple[str | LinePattern, ...]) -> tuple[Step, ...]:
    """An ordering; a tuple item is an any-order group."""
    steps = []
    for item in items:
        members = item if isinstance(item, tuple) else (item,)
        steps.append(Step(tuple(m if isinstance(m, LinePattern) else T(m) for m in members)))
    return tuple(steps)


def run(spec: ExpectationSpec, *lines: str, **ending: object) -> object:
    return check_output(spec, ProgramOutput(tuple(lines), **ending))  # type: ignore[arg-type]


WALK = ExpectationSpec(orderings=(seq(("read a.txt", "timer 1ms"), "write b.txt", "read c.txt"),))


def test_exact_sequence_passes_and_marks_every_line_ok() -> None:
    verdict = run(ExpectationSpec.exact(["start", "end"]), "start", "end")
    assert verdict.passed
    assert [m.status for m in verdict.lines] == ["ok", "ok"]
    assert verdict.violation is None


def test_any_order_group_accepts_both_orders_of_its_lines() -> None:
    assert run(WALK, "read a.txt", "timer 1ms", "write b.txt", "read c.txt").passed
    assert run(WALK, "timer 1ms", "read a.txt", "write b.txt", "read c.txt").passed


def test_line_from_a_later_step_is_out_of_order_with_both_lines_and_positions() -> None:
    verdict = run(WALK, "read a.txt", "write b.txt", "timer 1ms", "read c.txt")
    assert not verdict.passed
    violation = verdict.violation
    assert violation.kind == "out_of_order"
    assert (violation.actual.text, violation.actual.position) == ("write b.txt", 2)
    assert (violation.expected.text, violation.expected.position) == ("timer 1ms", 3)
    assert "“write b.txt” (line 2) came before “timer 1ms” (line 3)" in violation.explanation
    assert [m.status for m in verdict.lines] == ["ok", "wrong", "unchecked", "unchecked"]


def test_missing_line_at_the_end_names_the_line_it_should_follow() -> None:
    verdict = run(WALK, "read a.txt", "timer 1ms", "write b.txt")
    assert verdict.violation.kind == "missing"
    assert verdict.violation.expected.text == "read c.txt"
    assert "after “write b.txt” (line 3)" in verdict.violation.explanation


def test_empty_output_says_the_program_printed_nothing() -> None:
    verdict = run(ExpectationSpec.exact(["hello"]))
    assert "printed nothing" in verdict.violation.explanation


def test_unexpected_line_suggests_the_close_expected_one() -> None:
    verdict = run(ExpectationSpec.exact(["timer fired", "done"]), "timer fird", "done")
    assert verdict.violation.kind == "unexpected"
    assert "Did you mean “timer fired”?" in verdict.violation.explanation


def test_line_printed_once_too_often_is_repeated_and_points_at_the_first() -> None:
    verdict = run(ExpectationSpec.exact(["tick", "done"]), "tick", "tick", "done")
    assert verdict.violation.kind == "repeated"
    assert verdict.violation.actual.position == 2
    assert verdict.violation.expected.position == 1


def test_regex_lines_match_whole_lines_only() -> None:
    spec = ExpectationSpec(orderings=(seq(T(regex=r"listening on 127\.0\.0\.1:\d+"), "bye"),))
    assert run(spec, "listening on 127.0.0.1:40213", "bye").passed
    assert not run(spec, "listening on 127.0.0.1:40213 (extra)", "bye").passed


def test_ignored_lines_are_removed_before_matching_but_keep_their_positions() -> None:
    spec = ExpectationSpec(orderings=seq_tuple("a", "b"), ignore=(T(regex="debug:.*"),))
    verdict = run(spec, "debug: 1", "a", "debug: 2", "b")
    assert verdict.passed
    assert [m.status for m in verdict.lines] == ["ignored", "ok", "ignored", "ok"]
    failing = run(spec, "debug: 1", "b", "a")
    assert failing.violation.actual.position == 2


def seq_tuple(*items: str) -> tuple[tuple[Step, ...], ...]:
    return (seq(*items),)


def test_incomplete_sequence_allows_other_lines_between() -> None:
    spec = ExpectationSpec(orderings=seq_tuple("start", "end"), complete=False)
    verdict = run(spec, "noise", "start", "more noise", "end")
    assert verdict.passed
    assert [m.status for m in verdict.lines] == ["extra", "ok", "extra", "ok"]


def test_incomplete_sequence_still_catches_a_swap() -> None:
    spec = ExpectationSpec(orderings=seq_tuple("start", "end"), complete=False)
    verdict = run(spec, "end", "noise", "start")
    assert not verdict.passed
    assert verdict.violation.kind == "out_of_order"
    assert verdict.violation.actual.position == 1


def test_one_of_passes_on_any_listed_order_and_reports_which() -> None:
    spec = ExpectationSpec(orderings=(seq("a", "b", "c"), seq("b", "a", "c")))
    verdict = run(spec, "b", "a", "c")
    assert verdict.passed and verdict.ordering == 2


def test_one_of_failure_blames_the_closest_order() -> None:
    spec = ExpectationSpec(orderings=(seq("a", "b", "c"), seq("b", "a", "c")))
    verdict = run(spec, "a", "c", "b")
    assert "closest is order 1" in verdict.violation.explanation
    assert verdict.violation.actual.text == "c"


def test_before_rule_requires_every_first_line_before_every_then_line() -> None:
    spec = ExpectationSpec(before=(Before(T("tick"), T("timer")),))
    assert run(spec, "tick", "tick", "timer").passed
    verdict = run(spec, "tick", "timer", "tick")
    assert verdict.violation.kind == "before"
    assert verdict.violation.actual.position == 2
    assert verdict.violation.expected.position == 3
    assert "the last “tick”" in verdict.violation.explanation


def test_before_rule_fails_when_a_line_never_appears() -> None:
    spec = ExpectationSpec(before=(Before(T("tick"), T("timer")),))
    verdict = run(spec, "timer")
    assert verdict.violation.kind == "missing"
    assert "“tick” never appeared" in verdict.violation.explanation


def test_count_rule_exact_and_range() -> None:
    exact = ExpectationSpec(counts=(Count(T(regex=r"tick \d"), 3, 3),))
    assert run(exact, "tick 1", "tick 2", "tick 3").passed
    too_many = run(exact, "tick 1", "tick 2", "tick 3", "tick 4")
    assert too_many.violation.kind == "count" and too_many.violation.actual.position == 4
    assert "appears 4 times, expected exactly 3" in too_many.violation.explanation
    at_least = ExpectationSpec(counts=(Count(T("x"), 2, None),))
    assert not run(at_least, "x").passed
    assert run(at_least, "x", "x", "x").passed


def test_timeout_is_reported_before_anything_about_lines() -> None:
    verdict = run(
        ExpectationSpec.exact(["a", "b"]),
        "a",
        timed_out=True,
        timeout_s=2.0,
        exit_code=None,
        signal="SIGKILL",
    )
    assert verdict.violation.kind == "timeout"
    assert "still running after 2 s" in verdict.violation.explanation


def test_wrong_exit_code_quotes_the_last_error_line() -> None:
    verdict = run(ExpectationSpec.exact(["a"]), "a", exit_code=1, stderr_tail="TypeError: x is not a function")
    assert verdict.violation.kind == "exit_code"
    assert "“TypeError: x is not a function”" in verdict.violation.explanation


def test_exit_code_any_is_not_checked() -> None:
    spec = ExpectationSpec(orderings=seq_tuple("a"), exit_code=None)
    assert run(spec, "a", exit_code=3).passed


def test_a_prediction_is_checked_for_order_only() -> None:
    verdict = check_output(ExpectationSpec.exact(["a", "b"]), ProgramOutput.prediction(["a", "b"]))
    assert verdict.passed
    assert [c.kind for c in verdict.constraints] == ["order"]


def test_every_constraint_has_a_state() -> None:
    spec = ExpectationSpec(
        orderings=seq_tuple("a", "b"), before=(Before(T("a"), T("b")),), counts=(Count(T("a"), 1, 1),)
    )
    verdict = run(spec, "a", "b")
    assert [(c.kind, c.passed) for c in verdict.constraints] == [
        ("run", True),
        ("exit_code", True),
        ("order", True),
        ("before", True),
        ("count", True),
    ]


def test_first_violation_is_the_earliest_in_the_output() -> None:
    spec = ExpectationSpec(counts=(Count(T("late"), 0, 0),), before=(Before(T("x"), T("y")),))
    verdict = run(spec, "y", "x", "late")
    assert verdict.violation.kind == "before"


def test_group_matching_is_a_true_assignment_not_first_fit() -> None:
    # "ab" fits both regexes; first-fit would give it /a./ and then have no pattern left for "ac".
    patterns = (T(regex="a."), T(regex="ab"))
    assert assign_lines(patterns, ["ab", "ac"]) is not None
    spec = ExpectationSpec(orderings=(seq((T(regex="a."), T(regex="ab"))),))
    assert run(spec, "ab", "ac").passed


def test_notes_from_why_are_part_of_the_verdict() -> None:
    spec = ExpectationSpec(orderings=((Step((T("a"), T("b")), why="they race"),),))
    assert run(spec, "b", "a").notes == ("they race",)


def test_the_why_of_an_any_order_group_is_only_told_after_a_pass() -> None:
    spec = ExpectationSpec(orderings=((Step((T("a"), T("b")), why="they race"), Step((T("c"),))),), notes=("n",))
    assert run(spec, "c", "a", "b").notes == ()
    assert check_output(spec, ProgramOutput.prediction(["b", "c", "a"])).notes == ()
    assert check_output(spec, ProgramOutput.prediction(["b", "a", "c"])).notes == ("n", "they race")


def test_verdict_serialises_to_json() -> None:
    verdict = run(WALK, "write b.txt")
    data = json.loads(json.dumps(verdict.to_json()))
    assert data["passed"] is False
    assert set(data) == {"passed", "constraints", "violation", "lines", "ordering", "notes"}
    assert set(data["violation"]) == {"kind", "explanation", "actual", "expected"}


@pytest.mark.parametrize(
    ("source", "inside", "outside"),
    [
        ("20", [20], [19, 21]),
        (">=22", [22, 30], [21]),
        ("<22", [18, 21], [22]),
        ("20-21", [20, 21], [19, 22]),
        ("18, 20", [18, 20], [19, 22]),
        (">20", [21], [20]),
        ("<=20", [20], [21]),
    ],
)
def test_node_ranges(source: str, inside: list[int], outside: list[int]) -> None:
    node_range = NodeRange.parse(source)
    assert all(node_range.contains(m) for m in inside)
    assert not any(node_range.contains(m) for m in outside)


@pytest.mark.parametrize("bad", ["", "twenty", ">=20-22", "22-20", "v20"])
def test_bad_node_ranges_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        NodeRange.parse(bad)


def test_variant_applies_only_to_its_node_majors() -> None:
    old = ExpectationSpec.exact(["import", "timer"])
    new = ExpectationSpec.exact(["timer", "import"])
    expectation = Expectation(new, (Variant(NodeRange.parse("<=20"), old, "older loader"),))
    assert expectation.for_node(20) is old
    assert expectation.for_node(24) is new
    assert expectation.for_node(None) is new


def test_order_of_names_regex_lines_by_their_pattern() -> None:
    spec = ExpectationSpec(orderings=(seq("start", T(regex=r"port \d+")),), ignore=(T("noise"),))
    assert spec.order_of(["start", "noise", "port 4100"]) == spec.order_of(["start", "port 5200"])
    assert spec.order_of(["port 1", "start"]) == ("/port \\d+/", "start")
    assert spec.order_of(["surprise"]) == ("surprise",)


def test_the_right_order_for_the_wrong_reason_fails_in_phase_terms() -> None:
    ready = LinePattern(text="ready", phase="main", queue="nextTick")
    spec = ExpectationSpec(orderings=(seq("configured", ready),))
    good = run(spec, "configured", "ready", places=(("main", "macrotask"), ("main", "nextTick")))
    assert good.passed
    assert [(m.phase, m.queue) for m in good.lines] == [("main", "macrotask"), ("main", "nextTick")]
    wrong = run(spec, "configured", "ready", places=(("main", "macrotask"), ("timers", "macrotask")))
    assert not wrong.passed and wrong.violation.kind == "place"
    assert wrong.violation.explanation == (
        "“ready” (line 2) printed in the timers phase, but it should print from the nextTick queue after the "
        "main module."
    )
    constraint = next(c for c in wrong.constraints if c.kind == "place")
    assert constraint.description == "“ready” prints from the nextTick queue after the main module"


def test_a_line_printed_by_the_wrong_thread_fails_in_thread_terms() -> None:
    tick = LinePattern(text="tick", phase="timers", thread="worker")
    spec = ExpectationSpec(orderings=(seq("main", tick, LinePattern(text="hi", thread="child")),))
    places = (("main", "macrotask"), ("timers", "macrotask"), ("main", "macrotask"))
    good = run(spec, "main", "tick", "hi", places=places, threads=("main", "worker", "child"))
    assert good.passed
    wrong = run(spec, "main", "tick", "hi", places=places, threads=("main", "main", "child"))
    assert not wrong.passed and wrong.violation.kind == "place"
    assert wrong.violation.explanation == (
        "“tick” (line 2) printed in the timers phase, on the program's main thread, but it should print in the "
        "timers phase, on a worker thread."
    )
    untraced_child = run(
        spec, "main", "tick", "hi", places=places[:2] + ((None, None),), threads=("main", "worker", None)
    )
    assert not untraced_child.passed
    assert "“hi” (line 3) printed where the tracer could not see it" in untraced_child.violation.explanation


def test_a_phase_requirement_without_a_trace_is_not_silently_passed() -> None:
    spec = ExpectationSpec(orderings=(seq(LinePattern(text="timer", phase="timers")),))
    verdict = run(spec, "timer")
    assert not verdict.passed and verdict.violation.kind == "untraced"


def test_a_prediction_is_never_judged_on_phases() -> None:
    spec = ExpectationSpec(orderings=(seq(LinePattern(text="timer", phase="timers")),))
    assert check_output(spec, ProgramOutput.prediction(["timer"])).passed


# --- never a ✓ for what was not seen (issue 10, point 1) ---------------------------------------------------

HEARTBEAT = ExpectationSpec(
    orderings=(
        seq(
            LinePattern(text="job started", phase="main"),
            LinePattern(text="heartbeat", phase="timers"),
            LinePattern(text="job done", phase="timers"),
            LinePattern(text="exit: code 0", phase="exit"),
        ),
    )
)


def timed_out_heartbeats() -> object:
    """A job whose interval was never cleared: heartbeats go on until the timeout stops the program."""
    lines = ("job started", "heartbeat", "job done", "heartbeat", "heartbeat", "heartbeat")
    places = (("main", "macrotask"),) + (("timers", "macrotask"),) * 5
    return run(HEARTBEAT, *lines, timed_out=True, timeout_s=3.0, exit_code=None, signal="SIGKILL", places=places)


def test_a_place_rule_about_a_line_that_never_printed_is_not_met() -> None:
    verdict = timed_out_heartbeats()
    rule = next(c for c in verdict.constraints if c.description.startswith("“exit: code 0”"))
    assert not rule.passed
    assert rule.violation.kind == "missing"
    assert "“exit: code 0” never printed" in rule.violation.explanation


def test_a_timed_out_run_marks_no_line_after_the_break_as_ok() -> None:
    verdict = timed_out_heartbeats()
    assert verdict.violation.kind == "timeout"  # the first problem is still the timeout
    assert [m.status for m in verdict.lines] == ["ok", "ok", "ok", "wrong", "unchecked", "unchecked"]


def test_the_place_rules_of_a_run_that_printed_nothing_are_all_unmet() -> None:
    verdict = run(HEARTBEAT, exit_code=1, places=())
    places = [c for c in verdict.constraints if c.kind == "place"]
    assert len(places) == 4 and not any(c.passed for c in places)


def test_every_misplaced_line_is_marked_wrong_not_only_the_first() -> None:
    spec = ExpectationSpec(orderings=(seq(LinePattern(text="tick", phase="timers"), "end", "tick"),))
    places = (("main", "macrotask"), ("main", "macrotask"), ("main", "macrotask"))
    verdict = run(spec, "tick", "end", "tick", places=places)
    assert [m.status for m in verdict.lines] == ["wrong", "ok", "wrong"]


def test_every_line_past_a_count_limit_is_wrong() -> None:
    spec = ExpectationSpec(counts=(Count(T("x"), 0, 1),))
    assert [m.status for m in run(spec, "x", "x", "x").lines] == ["ok", "wrong", "wrong"]


def test_a_line_no_rule_asks_for_is_extra_not_ok() -> None:
    spec = ExpectationSpec(before=(Before(T("a"), T("b")),))
    verdict = run(spec, "a", "chatter", "b")
    assert verdict.passed
    assert [m.status for m in verdict.lines] == ["ok", "extra", "ok"]


def test_a_placed_line_of_another_accepted_order_need_not_print() -> None:
    spec = ExpectationSpec(orderings=(seq("a", "b"), seq("a", LinePattern(text="c", phase="check"))))
    verdict = run(spec, "a", "b", places=(("main", "macrotask"), ("main", "macrotask")))
    assert verdict.passed and verdict.ordering == 1


def crash(**fields: object) -> RaisedError:
    base = {"message": "SyntaxError: Unexpected token ';'", "file": "main.js", "line": 3, "source": "const x = ;"}
    return RaisedError(**{**base, "uncaught": True, **fields})  # type: ignore[arg-type]


def test_a_crash_is_the_first_problem_and_quotes_the_error_where_it_was_raised() -> None:
    verdict = run(ExpectationSpec.exact(["a", "b"]), exit_code=1, stderr_tail="Node.js v24.19.0", error=crash())
    assert verdict.violation.kind == "error"
    assert verdict.violation.explanation == (
        "The program stopped with an uncaught error at main.js:3: “SyntaxError: Unexpected token ';'”. "
        "The code there: “const x = ;”."
    )
    assert "Node.js" not in verdict.violation.explanation


def test_a_crash_comes_before_the_order_even_when_the_exit_code_is_allowed() -> None:
    spec = ExpectationSpec(orderings=seq_tuple("a", "b"), exit_code=None)
    verdict = run(spec, "a", exit_code=1, error=crash(message="TypeError: x is not a function", source=None))
    assert verdict.violation.kind == "error"
    assert "TypeError: x is not a function" in verdict.violation.explanation


def test_an_expected_exit_code_with_an_error_in_stderr_still_passes() -> None:
    spec = ExpectationSpec(orderings=seq_tuple("a"), exit_code=1)
    verdict = run(spec, "a", exit_code=1, error=crash())
    assert verdict.passed and verdict.violation is None


def test_an_error_line_that_node_did_not_report_as_uncaught_is_quoted_as_the_first_error_line() -> None:
    error = RaisedError("Error: the config is missing")
    verdict = run(ExpectationSpec.exact(["a"]), "a", exit_code=2, stderr_tail="bye", error=error)
    assert verdict.violation.kind == "exit_code"
    assert "Its first error line: “Error: the config is missing”." in verdict.violation.explanation


def test_a_run_killed_by_a_signal_quotes_its_first_error_line() -> None:
    error = RaisedError("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory")
    verdict = run(ExpectationSpec.exact(["a"]), "a", exit_code=None, signal="SIGABRT", error=error)
    assert verdict.violation.explanation == (
        "The program was killed by SIGABRT (expected exit code 0). Its first error line: "
        "“FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory”."
    )


def test_a_childs_crash_report_is_not_called_the_programs_own_crash() -> None:
    verdict = run(ExpectationSpec.exact(["a", "b"]), "a", exit_code=0, error=crash())
    assert verdict.violation.kind == "missing"
