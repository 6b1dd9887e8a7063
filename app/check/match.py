"""Check a program's output against an expectation and explain the first thing that is wrong."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from app.check.node_error import RaisedError
from app.check.place import Numbered, check_place, placed_patterns
from app.check.spec import Before, Count, ExpectationSpec, LinePattern, Ordering
from app.check.verdict import ConstraintResult, LineMark, LineRef, ProgramOutput, Verdict, Violation, quote


def check_output(spec: ExpectationSpec, output: ProgramOutput) -> Verdict:
    """Check every constraint of `spec` against `output` and pick the violation to show first."""
    checked: Numbered = []
    ignored: set[int] = set()
    for position, raw in enumerate(output.lines, start=1):
        text = raw.rstrip()
        if spec.is_ignored(text):
            ignored.add(position)
        else:
            checked.append((position, text))

    run_results: list[ConstraintResult] = []
    if not output.is_prediction:
        run_results.append(_check_run_finished(output))
        if spec.exit_code is not None:
            run_results.append(_check_exit_code(spec.exit_code, output))

    attempt: _OrderingAttempt | None = None
    line_results: list[ConstraintResult] = []
    if spec.orderings:
        attempt = _best_attempt(spec, checked)
        line_results.append(attempt.constraint(len(spec.orderings)))
    line_results += [_check_before(rule, checked) for rule in spec.before]
    line_results += [_check_count(rule, checked) for rule in spec.counts]
    if not output.is_prediction:  # a prediction is text only; where a line comes from needs a real run
        matched = None if attempt is None else spec.orderings[attempt.index]
        line_results += [
            check_place(pattern, checked, output.places, output.threads) for pattern in placed_patterns(spec, matched)
        ]

    line_violations = [r.violation for r in line_results if r.violation is not None]
    line_violations.sort(key=lambda v: _violation_position(v))
    run_violations = [r.violation for r in run_results if r.violation is not None]
    crash = _crash(output, run_violations) if line_violations else []
    violation = (run_violations + crash + line_violations or [None])[0]

    constraints = tuple(run_results + line_results)
    passed = all(c.passed for c in constraints)
    return Verdict(
        passed=passed,
        constraints=constraints,
        violation=violation,
        lines=_mark_lines(spec, output.lines, ignored, attempt, line_results, output.places),
        ordering=attempt.index + 1 if attempt and attempt.violation is None else None,
        # Notes say why the accepted order is what it is; before a pass they would give it away.
        notes=_notes(spec, attempt) if passed else (),
    )


def _violation_position(violation: Violation) -> int:
    positions = [ref.position for ref in (violation.actual, violation.expected) if ref and ref.position]
    return min(positions) if positions else 1 << 30


# --- how the program ended ---------------------------------------------------------------


def _check_run_finished(output: ProgramOutput) -> ConstraintResult:
    description = "the program finishes by itself"
    if output.cancelled:
        return ConstraintResult(
            "run",
            description,
            False,
            Violation("cancelled", "The run was cancelled before the program finished."),
        )
    if output.timed_out:
        limit = f" after {output.timeout_s:g} s" if output.timeout_s else ""
        return ConstraintResult(
            "run",
            description,
            False,
            Violation(
                "timeout",
                f"The program was still running{limit}, so it was stopped. Something kept the event loop "
                "alive: a server, an open socket, a timer or an interval that was never cleared.",
            ),
        )
    if output.truncated:
        return ConstraintResult(
            "run",
            description,
            False,
            Violation(
                "output_limit",
                "The program printed more than the output limit allows, so it was stopped.",
            ),
        )
    return ConstraintResult("run", description, True)


def _check_exit_code(expected: int, output: ProgramOutput) -> ConstraintResult:
    description = f"the program exits with code {expected}"
    if output.timed_out or output.truncated or output.cancelled:
        return ConstraintResult("exit_code", description, False, None)
    if output.signal is not None:
        return ConstraintResult(
            "exit_code",
            description,
            False,
            Violation(
                "exit_code",
                f"The program was killed by {output.signal} (expected exit code {expected})."
                + (f" Its first error line: {quote(output.error.message)}." if output.error else ""),
            ),
        )
    if output.exit_code == expected:
        return ConstraintResult("exit_code", description, True)
    if output.error is not None and output.error.uncaught:
        return ConstraintResult("exit_code", description, False, _error_violation(output.error))
    explanation = f"The program exited with code {output.exit_code}, but exit code {expected} was expected."
    if output.error is not None:
        explanation += f" Its first error line: {quote(output.error.message)}."
    elif output.stderr_tail:
        explanation += f" Its last error line: {quote(output.stderr_tail)}."
    return ConstraintResult("exit_code", description, False, Violation("exit_code", explanation))


def _error_violation(error: RaisedError) -> Violation:
    """The uncaught exception, in the learner's terms: what, in which file and line, and the code there."""
    where = f" at {error.where}" if error.where else ""
    code = f" The code there: {quote(error.source)}." if error.source else ""
    return Violation("error", f"The program stopped with an uncaught error{where}: {quote(error.message)}.{code}")


def _crash(output: ProgramOutput, run_violations: list[Violation]) -> list[Violation]:
    """The uncaught error the program died of, shown before any complaint about its lines (once)."""
    if output.error is None or not output.error.uncaught or any(v.kind == "error" for v in run_violations):
        return []
    if output.exit_code == 0:  # it did not die of it: the report came from a child process
        return []
    return [_error_violation(output.error)]


# --- orderings ---------------------------------------------------------------------------


@dataclass
class _OrderingAttempt:
    index: int
    matched: list[tuple[int, str]] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    violation: Violation | None = None
    stopped_at: int | None = None  # the output line where the order broke; lines after it were not judged

    def constraint(self, total: int) -> ConstraintResult:
        if total == 1:
            description = "the lines come in the expected order"
        else:
            description = f"the lines come in one of the {total} accepted orders"
        wrong = (self.stopped_at,) if self.stopped_at is not None else ()
        return ConstraintResult("order", description, self.violation is None, self.violation, wrong)


def _best_attempt(spec: ExpectationSpec, checked: Numbered) -> _OrderingAttempt:
    attempts = [_match_ordering(i, o, checked, spec.complete) for i, o in enumerate(spec.orderings)]
    for attempt in attempts:
        if attempt.violation is None:
            return attempt
    best = max(attempts, key=lambda a: (len(a.matched), -a.index))
    if len(attempts) > 1 and best.violation is not None:
        v = best.violation
        best.violation = Violation(
            v.kind,
            f"None of the {len(attempts)} accepted orders fits; the closest is order {best.index + 1}. "
            + v.explanation,
            v.actual,
            v.expected,
        )
    return best


def assign_lines(patterns: tuple[LinePattern, ...], lines: list[str]) -> list[int] | None:
    """Give each line its own matching pattern (bipartite matching); returns pattern index -> line index."""
    owner = [-1] * len(patterns)

    def place(line_index: int, seen: set[int]) -> bool:
        for p, pattern in enumerate(patterns):
            if p in seen or not pattern.matches(lines[line_index]):
                continue
            seen.add(p)
            if owner[p] == -1 or place(owner[p], seen):
                owner[p] = line_index
                return True
        return False

    for i in range(len(lines)):
        if not place(i, set()):
            return None
    return owner


def _match_ordering(index: int, ordering: Ordering, checked: Numbered, complete: bool) -> _OrderingAttempt:
    attempt = _OrderingAttempt(index)
    step = 0
    group: list[tuple[int, str]] = []
    owner: list[int] = []
    last: tuple[int, str] | None = None
    for k, (position, text) in enumerate(checked):
        if step < len(ordering):
            patterns = ordering[step].patterns
            trial = assign_lines(patterns, [t for _, t in group] + [text])
            if trial is not None:
                group.append((position, text))
                owner = trial
                attempt.matched.append((position, text))
                last = (position, text)
                if len(group) == len(patterns):
                    step, group, owner = step + 1, [], []
                continue
        if not complete:
            attempt.extra.append(position)
            continue
        attempt.violation = _misplaced_line(ordering, step, owner, (position, text), checked[k + 1 :], attempt)
        attempt.stopped_at = position
        return attempt
    if step < len(ordering):
        attempt.violation = _missing_line(ordering, step, owner, last, checked)
    return attempt


def _first_waiting(ordering: Ordering, step: int, owner: list[int]) -> LinePattern:
    patterns = ordering[step].patterns
    return next(p for i, p in enumerate(patterns) if not owner or owner[i] == -1)


def _find(pattern: LinePattern, lines: Numbered) -> int | None:
    return next((position for position, text in lines if pattern.matches(text)), None)


def _misplaced_line(
    ordering: Ordering,
    step: int,
    owner: list[int],
    line: tuple[int, str],
    rest: Numbered,
    attempt: _OrderingAttempt,
) -> Violation:
    position, text = line
    actual = LineRef(text, position)
    if step < len(ordering):
        waiting = _first_waiting(ordering, step, owner)
        later = any(p.matches(text) for s in ordering[step + 1 :] for p in s.patterns)
        if later:
            found = _find(waiting, rest)
            expected = LineRef(waiting.describe(), found)
            if found is not None:
                why = (
                    f"{quote(text)} (line {position}) came before {quote(waiting.describe())} "
                    f"(line {found}), but {quote(waiting.describe())} should come first."
                )
            else:
                why = (
                    f"{quote(waiting.describe())} was expected before {quote(text)} (line {position}), "
                    "but it never appeared."
                )
            return Violation("out_of_order", why, actual, expected)
    earlier = [p for s in ordering[: step + 1] for p in s.patterns if p.matches(text)]
    if earlier:
        first = next((pos for pos, t in attempt.matched if earlier[0].matches(t)), None)
        times = sum(1 for s in ordering for p in s.patterns if p.matches(text))
        return Violation(
            "repeated",
            f"{quote(text)} (line {position}) is printed more often than expected "
            f"({times} time{'s' if times != 1 else ''}).",
            actual,
            LineRef(earlier[0].describe(), first),
        )
    close = _closest(text, ordering)
    hint = f" Did you mean {quote(close)}?" if close else ""
    return Violation(
        "unexpected",
        f"{quote(text)} (line {position}) is not one of the expected lines.{hint}",
        actual,
        LineRef(close, None) if close else None,
    )


def _closest(text: str, ordering: Ordering) -> str | None:
    literals = [p.text for s in ordering for p in s.patterns if p.text is not None]
    close = difflib.get_close_matches(text, literals, n=1, cutoff=0.75)
    return close[0] if close else None


def _missing_line(
    ordering: Ordering,
    step: int,
    owner: list[int],
    last: tuple[int, str] | None,
    checked: Numbered,
) -> Violation:
    waiting = _first_waiting(ordering, step, owner)
    name = quote(waiting.describe())
    if last is None:  # nothing matched, so the line we wait for is nowhere in the output
        said = f"The program printed nothing; {name} was expected first." if not checked else f"{name} never appeared."
        return Violation("missing", said, None, LineRef(waiting.describe(), None))
    last_position, last_text = last
    before = [(p, t) for p, t in checked if p < last_position]
    found = _find(waiting, before)
    if found is not None:
        return Violation(
            "out_of_order",
            f"{name} (line {found}) came before {quote(last_text)} (line {last_position}), "
            f"but {quote(last_text)} should come first.",
            LineRef(waiting.describe(), found),
            LineRef(last_text, last_position),
        )
    return Violation(
        "missing",
        f"{name} never appeared; it was expected after {quote(last_text)} (line {last_position}).",
        None,
        LineRef(waiting.describe(), None),
    )


# --- before and count rules -----------------------------------------------------------------


def _check_before(rule: Before, checked: Numbered) -> ConstraintResult:
    first, then = rule.first.describe(), rule.then.describe()
    description = f"{quote(first)} comes before {quote(then)}"
    firsts = [p for p, t in checked if rule.first.matches(t)]
    thens = [p for p, t in checked if rule.then.matches(t)]
    if not firsts or not thens:
        absent, other = (first, then) if not firsts else (then, first)
        return ConstraintResult(
            "before",
            description,
            False,
            Violation(
                "missing",
                f"{quote(absent)} never appeared, but it must come "
                f"{'before' if absent == first else 'after'} {quote(other)}.",
                None,
                LineRef(absent, None),
            ),
        )
    if max(firsts) < min(thens):
        return ConstraintResult("before", description, True)
    late, early = max(firsts), min(thens)
    late_text = dict(checked)[late]
    early_text = dict(checked)[early]
    which = "the last " if len(firsts) > 1 else ""
    return ConstraintResult(
        "before",
        description,
        False,
        Violation(
            "before",
            f"{quote(early_text)} (line {early}) came before {which}{quote(late_text)} (line {late}), "
            f"but {quote(first)} must come before {quote(then)}.",
            LineRef(early_text, early),
            LineRef(late_text, late),
        ),
        lines=(early,),
    )


def _check_count(rule: Count, checked: Numbered) -> ConstraintResult:
    name = quote(rule.pattern.describe())
    description = f"{name} appears {rule.describe()} time{'s' if rule.max != 1 else ''}"
    hits = [(p, t) for p, t in checked if rule.pattern.matches(t)]
    if len(hits) >= rule.min and (rule.max is None or len(hits) <= rule.max):
        return ConstraintResult("count", description, True)
    seen = f"{name} appears {len(hits)} time{'s' if len(hits) != 1 else ''}, expected {rule.describe()}."
    if rule.max is not None and len(hits) > rule.max:
        position, text = hits[rule.max]
        return ConstraintResult(
            "count",
            description,
            False,
            Violation("count", f"{seen} The first one too many is line {position}.", LineRef(text, position), None),
            lines=tuple(p for p, _ in hits[rule.max :]),
        )
    return ConstraintResult(
        "count", description, False, Violation("count", seen, None, LineRef(rule.pattern.describe(), None))
    )


# --- presentation --------------------------------------------------------------------------


def _mark_lines(
    spec: ExpectationSpec,
    lines: tuple[str, ...],
    ignored: set[int],
    attempt: _OrderingAttempt | None,
    results: list[ConstraintResult],
    places: tuple[tuple[str | None, str | None], ...] | None,
) -> tuple[LineMark, ...]:
    """Mark each line with what the rules found: ✓ only for a line some rule judged and none faulted."""
    wrong = {p for r in results for p in r.lines}
    cited = [r.violation.actual for r in results if r.violation is not None and r.violation.actual is not None]
    wrong |= {ref.position for ref in cited if ref.position is not None}
    stop = None
    if attempt is not None:
        judged = {position for position, _ in attempt.matched}
        stop = attempt.stopped_at
    else:  # no ordering: a line is judged if a before or count rule names it
        named = [p for rule in spec.before for p in (rule.first, rule.then)] + [c.pattern for c in spec.counts]
        judged = {i for i, text in enumerate(lines, start=1) if any(p.matches(text.rstrip()) for p in named)}
    marks = []
    for position, raw in enumerate(lines, start=1):
        if position in ignored:
            status = "ignored"
        elif position in wrong:
            status = "wrong"
        elif stop is not None and position > stop:
            status = "unchecked"  # the order broke before this line, so nothing judged it
        elif position in judged:
            status = "ok"
        else:
            status = "extra"  # no rule asked for this line
        phase, queue = places[position - 1] if places and position <= len(places) else (None, None)
        marks.append(LineMark(position, raw.rstrip(), status, phase, queue))
    return tuple(marks)


def _notes(spec: ExpectationSpec, attempt: _OrderingAttempt | None) -> tuple[str, ...]:
    notes = list(spec.notes)
    orderings = spec.orderings if attempt is None else (spec.orderings[attempt.index],)
    for ordering in orderings:
        notes += [step.why for step in ordering if step.why]
    return tuple(dict.fromkeys(notes))
