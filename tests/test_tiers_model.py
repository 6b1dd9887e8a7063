"""The tiers model on recorded runs of tests/traces/tiers_deopt.js (Node 24 and Node 20): `scale` optimised while
it sees small integers, deoptimised by a fraction, optimised again."""

from __future__ import annotations

import pytest

from app.trace.loop_model import replay
from app.trace.recording import load_recording
from app.trace.schema import Deopt, Mark, TierStep
from app.trace.tiers_model import TiersTimeline
from tests.tui_course import TRACES


def timeline(node: str) -> TiersTimeline:
    return TiersTimeline(list(load_recording(TRACES / f"tiers_deopt_node{node}.jsonl").events))


def function(model: TiersTimeline, name: str, position: int | None = None):  # noqa: ANN201
    snapshot = model.at(len(model) if position is None else position)
    return next(f for f in snapshot.functions if f.name == name)


@pytest.mark.parametrize("node", ["24", "20"])
def test_scale_is_optimised_then_deoptimised_by_a_fraction_then_optimised_again(node: str) -> None:
    scale = function(timeline(node), "scale")
    assert [mark.reason for mark in scale.deopts] == ["not a Smi"]
    fell = scale.deopts[0].micros
    before = [tier for micros, tier in scale.steps if micros < fell]
    at = [tier for micros, tier in scale.steps if micros == fell]
    after = [tier for micros, tier in scale.steps if micros > fell]
    assert before[0] == "interpreted" and before[-1] in {"maglev", "turbofan"}
    assert at == ["baseline"]  # back to Sparkplug's code, made while it warmed up
    assert {"maglev", "turbofan"} & set(after)


def test_node24_climbs_through_maglev_and_node20_skips_it() -> None:
    assert "maglev" in {tier for _, tier in function(timeline("24"), "scale").steps}
    assert "maglev" not in {tier for _, tier in function(timeline("20"), "scale").steps}
    assert [tier for _, tier in function(timeline("20"), "scale").steps][:3] == ["interpreted", "baseline", "turbofan"]


def test_functions_are_named_and_anonymous_ones_labelled() -> None:
    names = [f.name for f in timeline("24").at(10**9).functions]
    assert names[:4] == ["(top level)", "(anonymous)", "warm", "scale"]
    assert function(timeline("24"), "scale").where == "tiers_deopt.js:5"


def test_the_model_follows_the_loop_timelines_positions() -> None:
    events = list(load_recording(TRACES / "tiers_deopt_node24.jsonl").events)
    loop = replay(events)
    model = TiersTimeline(events)
    assert len(model) == len(loop.events)
    first_deopt = next(i for i, e in enumerate(loop.events, start=1) if isinstance(e, Deopt))
    before, after = model.at(first_deopt - 1), model.at(first_deopt)
    assert before.last_deopt is None and after.last_deopt is not None
    assert after.last_deopt[1].reason in {"prepare for on stack replacement (OSR)", "not a Smi"}
    assert before.end == after.end == model.at(0).end  # the time axis stays put while stepping
    assert model.at(0).functions == ()


def test_each_compile_sits_before_the_first_mark_after_it() -> None:
    events = list(load_recording(TRACES / "tiers_deopt_node24.jsonl").events)
    time = None
    for event in events:
        if isinstance(event, Mark) and event.thread == 0:
            time = event.loop_ms * 1000
        elif isinstance(event, (TierStep, Deopt)) and time is not None:
            assert event.micros >= time
