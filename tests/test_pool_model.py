"""The thread-pool model: from recorded traces and small made-up ones, what waits, what holds a slot, what is done."""

from __future__ import annotations

import re

from app.trace.addon import TRACER
from app.trace.loop_model import replay
from app.trace.pool_model import POOL_TYPES, PoolSnapshot, PoolTimeline, replay_pool
from app.trace.recording import load_recording
from app.trace.schema import Destroy, Init, Label, Mark, Pool, PoolSize, TraceEvent
from tests.tui_course import TRACES


def recorded(name: str) -> list[TraceEvent]:
    return list(load_recording(TRACES / f"{name}.jsonl").events)


def first(timeline: PoolTimeline, test) -> PoolSnapshot:  # noqa: ANN001
    return next(timeline.at(p) for p in range(len(timeline) + 1) if test(timeline.at(p)))


def labels(jobs: tuple) -> list[str]:  # noqa: ANN001
    return [job.label for job in jobs]


def test_with_one_thread_the_read_and_the_lookup_wait_behind_pbkdf2() -> None:
    pool = replay_pool(recorded("pool_starvation"))
    queued = first(pool, lambda s: len(s.jobs) == 3)
    assert queued.size == 1
    assert labels(queued.in_pool) == ["crypto.pbkdf2"]
    assert labels(queued.waiting) == ["fs.readFile", "dns.lookup"]
    end = pool.at(len(pool))
    pbkdf2, read, lookup = end.jobs[:3]
    assert read.started_by == pbkdf2.done and lookup.started_by == read.done  # first in, first out
    assert {job.slot for job in end.jobs} == {0}
    assert [job.label for job in end.jobs[3:]] == ["fs.readFile step 2", "fs.readFile step 3", "fs.readFile step 4"]
    assert read.site.endswith("pool_starvation.js:8:4")  # the steps' requests point at the user's one call


def test_with_four_threads_the_fifth_hash_and_the_read_wait_and_take_the_first_slots_freed() -> None:
    pool = replay_pool(recorded("pool_four"))
    six = first(pool, lambda s: len(s.jobs) == 6)
    assert labels(six.waiting) == ["crypto.pbkdf2", "fs.readFile"]
    assert sorted(job.slot for job in six.in_pool) == [0, 1, 2, 3]
    hashes = pool.at(len(pool)).jobs[:5]
    read = pool.at(len(pool)).jobs[5]
    first_done = min(hashes[:4], key=lambda job: job.done)
    assert hashes[4].started_by == first_done.done and hashes[4].slot == first_done.slot
    second_done = sorted(hashes[:4], key=lambda job: job.done)[1]
    assert read.started_by == second_done.done and read.slot == second_done.slot


def test_never_more_jobs_hold_a_slot_than_the_pool_has_threads() -> None:
    for name in ("pool_starvation", "pool_four"):
        pool = replay_pool(recorded(name))
        for position in range(len(pool) + 1):
            snapshot = pool.at(position)
            slots = [job.slot for job in snapshot.in_pool]
            assert len(slots) <= snapshot.size and len(set(slots)) == len(slots)


def test_pool_positions_are_the_loop_timelines_and_any_position_replays_the_same() -> None:
    events = recorded("pool_four")
    pool, loop = replay_pool(events), replay(events)
    assert len(pool) == len(loop)
    for position in range(0, len(pool) + 1, 7):
        assert replay_pool(loop.events[:position]).at(position) == pool.at(position)
    assert pool.at(0).jobs == () and not pool.at(0).size_known


def test_time_moves_with_the_loop_markers_between_pool_events() -> None:
    pool = replay_pool(recorded("pool_starvation"))
    times = [pool.at(p).now for p in range(len(pool) + 1)]
    assert times == sorted(times) and times[-1] >= pool.at(len(pool)).jobs[-1].done


def made_up(size: int, *steps: tuple[str, int, int], types: dict[int, str] | None = None) -> list[TraceEvent]:
    """A trace of pool jobs only: (step, id, ms); each id's type from `types`, else a file request."""
    events: list[TraceEvent] = [PoolSize(0, size)]
    for step, ident, ms in steps:
        if step == "queued":
            events.append(Init(0, ident, 1, (types or {}).get(ident, "FSREQCALLBACK"), False))
            events.append(Label(0, ident, "fs.stat", f"/x/main.js:{ident}:1"))
        events.append(Pool(0, ident, step, ms * 1000))
    return events


def test_dns_lookups_hold_at_most_half_the_pool() -> None:
    dns = {1: "GETADDRINFOREQWRAP", 2: "GETADDRINFOREQWRAP", 3: "GETADDRINFOREQWRAP"}
    pool = replay_pool(made_up(4, ("queued", 1, 0), ("queued", 2, 1), ("queued", 3, 2), ("queued", 4, 3), types=dns))
    snapshot = pool.at(len(pool))
    assert snapshot.slow_limit == 2
    assert [job.id for job in snapshot.waiting] == [3]  # a fourth thread is free, but not for a third lookup
    assert [job.id for job in snapshot.in_pool] == [1, 2, 4]


def test_a_job_that_reports_back_before_one_ahead_of_it_gets_no_slot() -> None:
    # Two threads, three jobs: the third finishes first, so one of the first two must have finished unheard.
    pool = replay_pool(made_up(2, ("queued", 1, 0), ("queued", 2, 0), ("queued", 3, 0), ("done", 3, 5)))
    third = pool.at(len(pool)).jobs[2]
    assert third.done == 5000 and third.slot is None


def test_a_zlib_stream_between_chunks_may_hold_a_thread_so_nothing_is_proved_past_it() -> None:
    events = [PoolSize(0, 1), Init(0, 9, 1, "ZLIB", False), Pool(0, 9, "queued", 0), Pool(0, 9, "done", 2000)]
    events += made_up(1, ("queued", 4, 3))[1:]
    pool = replay_pool(events)
    assert [job.id for job in pool.at(len(pool)).waiting] == [4]
    pool.extend([Pool(0, 9, "done", 5000), Destroy(0, 9), Mark(0, "prepare", 3, 6)])
    end = pool.at(len(pool))
    zlib, stat, chunk = end.jobs  # in the order the trace revealed them
    assert (zlib.label, stat.label, chunk.label) == ("zlib", "fs.stat", "zlib chunk 2")
    assert chunk.queued == 2000  # queued in the first chunk's callback, seen when it reported back
    assert stat.started_by == 6000  # the stream closed after 5 ms: by the next marker the stat had a thread
    assert end.now == 6000


def test_tracer_js_times_the_resource_types_the_model_knows() -> None:
    source = TRACER.read_text()
    listed = re.search(r"POOL_TYPE_NAMES = new Set\(\[(.*?)\]\)", source, re.S)
    assert listed is not None
    assert set(re.findall(r"'(\w+)'", listed.group(1))) == POOL_TYPES


def test_a_saved_trace_keeps_every_event_kind_the_tracer_sends(tmp_path) -> None:  # noqa: ANN001
    """An ES module's body marker and the pool's records survive save and load (the body marker once did not)."""
    from app.trace.recording import save_recording
    from app.trace.schema import EVENT_TYPES, ModuleBody

    recording = load_recording(TRACES / "pool_starvation.jsonl")
    events = (*recording.events, ModuleBody(0, -18))
    save_recording(recording.__class__(**{**recording.__dict__, "events": events}), tmp_path / "saved.jsonl")
    assert load_recording(tmp_path / "saved.jsonl").events == events
    assert {Pool, PoolSize, ModuleBody} <= set(EVENT_TYPES.values())


def test_an_addons_async_work_is_a_pool_job_named_after_the_add_on_and_an_unflagged_type_is_not() -> None:
    events = [
        PoolSize(0, 4),
        Init(0, 7, 1, "slowSum", False, addon_work=True),
        Label(0, 7, "", "/run/slow-sum.js:70:1"),
        Pool(0, 7, "queued", 100),
        Init(0, 8, 1, "myResource", False),  # an AsyncResource of the program's own: no pool job
        Pool(0, 7, "done", 400_100),
    ]
    end = replay_pool(events).at(len(events))
    (job,) = end.jobs
    assert (job.kind, job.label, job.site, job.slot) == ("add-on", "add-on slowSum", "/run/slow-sum.js:70:1", 0)
    assert job.done - job.queued == 400_000
