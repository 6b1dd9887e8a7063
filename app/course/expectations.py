"""Read an exercise's [expect] table into an Expectation, reporting each mistake with its line."""

from __future__ import annotations

import re
from typing import Any

from app.check.spec import (
    PHASE_NAMES,
    QUEUE_NAMES,
    THREAD_NAMES,
    Before,
    Count,
    Expectation,
    ExpectationSpec,
    LinePattern,
    NodeRange,
    Step,
    Variant,
)
from app.course.fields import TableReader, describe_value
from app.errors import did_you_mean

SPEC_KEYS = ("sequence", "one_of", "complete", "before", "count", "ignore", "exit_code", "stream")
EXPECT_KEYS = (*SPEC_KEYS, "variant")
VARIANT_KEYS = (*SPEC_KEYS, "node", "why")


def read_expectation(reader: TableReader) -> Expectation:
    reader.allow_only(*EXPECT_KEYS)
    base_fields = _read_spec_fields(reader)
    base = _build(base_fields, notes=())
    variants = []
    for variant in reader.tables("variant"):
        variant.allow_only(*VARIANT_KEYS)
        node_source = variant.text("node", required=True)
        why = variant.text("why", required=True)
        try:
            node = NodeRange.parse(node_source) if node_source else None
        except ValueError as exc:
            variant.problem("node", str(exc), 'write it like "20", ">=22", "<22", "20-21" or "20,22"')
            node = None
        fields = _read_spec_fields(variant)
        if not fields:
            variant.problem((), "a variant must change at least one of: " + ", ".join(SPEC_KEYS))
        if node is not None:
            spec = _build({**base_fields, **fields}, notes=(why,) if why else ())
            variants.append(Variant(node, spec, why or ""))
    _report_overlaps(reader, variants)
    return Expectation(base, tuple(variants))


def _build(fields: dict[str, Any], notes: tuple[str, ...]) -> ExpectationSpec:
    fields = dict(fields)
    has_order = bool(fields.get("orderings"))
    fields.setdefault("complete", has_order)
    return ExpectationSpec(**fields, notes=notes)


def _report_overlaps(reader: TableReader, variants: list[Variant]) -> None:
    for later_index, later in enumerate(variants):
        for earlier in variants[:later_index]:
            shared = [m for m in range(0, 200) if earlier.node.contains(m) and later.node.contains(m)]
            if shared:
                reader.problem(
                    ("variant", later_index, "node"),
                    f"{later.node.source!r} overlaps {earlier.node.source!r} on Node {shared[0]}; "
                    "only the first matching variant is ever used",
                )


def _read_spec_fields(reader: TableReader) -> dict[str, Any]:
    """The spec fields this table sets, already converted; absent keys are left out."""
    table = reader.table
    fields: dict[str, Any] = {}
    if "sequence" in table and "one_of" in table:
        reader.problem("one_of", "use either 'sequence' or 'one_of', not both")
    if "sequence" in table:
        ordering = _ordering(reader, ("sequence",), table["sequence"])
        fields["orderings"] = (ordering,) if ordering else ()
    elif "one_of" in table:
        options = table["one_of"]
        if not isinstance(options, list) or len(options) < 2:
            reader.problem("one_of", "must be an array of at least two orderings (arrays of lines)")
        else:
            orderings = [_ordering(reader, ("one_of", i), o) for i, o in enumerate(options)]
            fields["orderings"] = tuple(o for o in orderings if o)
    if "complete" in table:
        fields["complete"] = reader.get("complete", bool, default=True)
    if "before" in table:
        fields["before"] = _before_rules(reader)
    if "count" in table:
        fields["counts"] = tuple(c for c in (_count(r) for r in reader.tables("count")) if c)
    if "ignore" in table:
        items = reader.get("ignore", list, default=[])
        patterns = [_pattern(reader, ("ignore", i), item) for i, item in enumerate(items)]
        fields["ignore"] = tuple(p for p in patterns if p)
    if "exit_code" in table:
        fields["exit_code"] = _exit_code(reader)
    if "stream" in table:
        stream = reader.text("stream")
        if stream not in ("stdout", "stderr"):
            reader.problem("stream", f'must be "stdout" or "stderr", not {stream!r}')
        else:
            fields["stream"] = stream
    return fields


def _exit_code(reader: TableReader) -> int | None:
    value = reader.table["exit_code"]
    if value == "any":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
        reader.problem("exit_code", f'must be an integer from 0 to 255 or "any", not {describe_value(value)}')
        return 0
    return value


_PATTERN_KEYS = ("text", "re", "phase", "queue", "thread")


def _pattern(reader: TableReader, key: tuple[str | int, ...], value: Any) -> LinePattern | None:
    if isinstance(value, str):
        return LinePattern(text=value)
    if not isinstance(value, dict) or ("text" in value) == ("re" in value):
        reader.problem(
            key, f'a line must be a string, {{ text = "..." }} or {{ re = "..." }}, not {describe_value(value)}'
        )
        return None
    for extra in value:
        if extra not in _PATTERN_KEYS:
            reader.problem(
                key + (extra,),
                "unknown key in a line",
                did_you_mean(extra, _PATTERN_KEYS) or "a line takes text or re, and optionally phase, queue and thread",
            )
            return None
    kind = "text" if "text" in value else "re"
    body = value[kind]
    if not isinstance(body, str) or not body:
        reader.problem(key + (kind,), f"must be a non-empty string, not {describe_value(body)}")
        return None
    if kind == "re":
        try:
            re.compile(body)
        except re.error as exc:
            reader.problem(key + ("re",), f"invalid regular expression: {exc}")
            return None
    place = {}
    for name, allowed in (("phase", PHASE_NAMES), ("queue", QUEUE_NAMES), ("thread", THREAD_NAMES)):
        if name in value:
            if value[name] not in allowed:
                reader.problem(
                    key + (name,),
                    f"unknown {name} {value[name]!r}",
                    did_you_mean(str(value[name]), allowed) or f"use one of {', '.join(allowed)}",
                )
                return None
            place[name] = value[name]
    return LinePattern(**{"text" if kind == "text" else "regex": body}, **place)


def _step(reader: TableReader, key: tuple[str | int, ...], value: Any) -> Step | None:
    if isinstance(value, dict) and "any_order" in value:
        unknown = [k for k in value if k not in ("any_order", "why")]
        for k in unknown:
            reader.problem(key + (k,), "unknown key in an any_order group", "a group takes 'any_order' and 'why'")
        members = value["any_order"]
        if not isinstance(members, list) or len(members) < 2:
            reader.problem(key + ("any_order",), "must be an array of at least two lines")
            return None
        patterns = [_pattern(reader, key + ("any_order", i), m) for i, m in enumerate(members)]
        why = value.get("why")
        if why is not None and (not isinstance(why, str) or not why.strip()):
            reader.problem(key + ("why",), "must be a non-empty string")
            why = None
        if any(p is None for p in patterns):
            return None
        return Step(tuple(p for p in patterns if p), why)
    pattern = _pattern(reader, key, value)
    return Step((pattern,)) if pattern else None


def _ordering(reader: TableReader, key: tuple[str | int, ...], value: Any) -> tuple[Step, ...]:
    if not isinstance(value, list) or not value:
        reader.problem(key, f"must be a non-empty array of lines, not {describe_value(value)}")
        return ()
    steps = [_step(reader, key + (i,), item) for i, item in enumerate(value)]
    return tuple(s for s in steps if s) if all(steps) else ()


def _before_rules(reader: TableReader) -> tuple[Before, ...]:
    rules: list[Before] = []
    for i, chain in enumerate(reader.get("before", list, default=[])):
        if not isinstance(chain, list) or len(chain) < 2:
            reader.problem(("before", i), 'must be an array of two or more lines, like ["first", "then"]')
            continue
        patterns = [_pattern(reader, ("before", i, j), item) for j, item in enumerate(chain)]
        if all(patterns):
            rules += [Before(a, b) for a, b in zip(patterns, patterns[1:], strict=False)]  # type: ignore[arg-type]
    return tuple(rules)


def _count(reader: TableReader) -> Count | None:
    reader.allow_only("line", "times", "min", "max")
    if "line" not in reader.table:
        reader.problem("line", "missing required key 'line'")
        return None
    pattern = _pattern(reader, ("line",), reader.table["line"])
    times = reader.integer("times", low=0, high=1_000_000)
    low = reader.integer("min", low=0, high=1_000_000)
    high = reader.integer("max", low=0, high=1_000_000)
    if times is not None and (low is not None or high is not None):
        reader.problem("times", "use either 'times' or 'min'/'max', not both")
        return None
    if times is None and low is None and high is None:
        reader.problem((), "a count needs 'times', 'min' or 'max'")
        return None
    if times is not None:
        low = high = times
    if low is not None and high is not None and high < low:
        reader.problem("max", f"is smaller than min ({high} < {low})")
        return None
    return Count(pattern, low or 0, high) if pattern else None
