"""The streams view's model on recorded runs (tests/traces/stream_*.js say how each was recorded)."""

from __future__ import annotations

from app.trace.recording import load_recording
from app.trace.schema import StreamNew, StreamStep
from app.trace.stream_model import StreamTimeline, replay_streams
from tests.tui_course import TRACES


def recorded(name: str) -> list:
    return list(load_recording(TRACES / f"{name}.jsonl").events)


def test_the_default_high_water_mark_comes_from_the_record_on_each_node() -> None:
    for name, hwm, fills_at in (("stream_drain_node20", 16384, 4), ("stream_drain_node24", 65536, 16)):
        streams = replay_streams(recorded(name))
        (disk,) = streams.at(len(streams)).streams
        (side,) = disk.sides
        assert (disk.name, disk.kind, disk.place) == ("SlowDisk", "writable", "stream_drain.js:14")
        assert (side.name, side.hwm, side.objects) == ("writable", hwm, False)
        assert disk.markers[0] == disk.markers[0]._replace(step="write_false", value=hwm)
        assert side.peak == hwm == fills_at * 4096
        assert disk.count("write_false") == disk.count("drain") == 40 // fills_at
        assert disk.ending == "close" and side.length == 0 and not disk.waiting_for_drain


def test_a_writer_waits_for_drain_between_false_and_drain() -> None:
    events = recorded("stream_drain_node20")
    streams = replay_streams(events)
    first_false = next(i for i, e in enumerate(events) if isinstance(e, StreamStep) and e.step == "write_false")
    first_drain = next(i for i, e in enumerate(events) if isinstance(e, StreamStep) and e.step == "drain")
    assert streams.at(first_false + 1).streams[0].waiting_for_drain
    assert not streams.at(first_drain + 1).streams[0].waiting_for_drain
    assert streams.at(0).streams == ()


def test_a_pipe_fills_the_readable_while_the_writable_waits() -> None:
    streams = replay_streams(recorded("stream_pipe"))
    source, sink = streams.at(len(streams)).streams
    assert (source.kind, source.sides[0].hwm, sink.kind, sink.sides[0].hwm) == ("readable", 4096, "writable", 2048)
    assert source.pipes_to == (2,)
    assert source.count("push_false") >= 1 and source.sides[0].peak == 4096
    # the last false comes after pipe() called end(): Node emits no 'drain' to a stream that is ending
    assert sink.count("write_false") == sink.count("drain") + 1 >= 5
    assert source.ending == "close" and sink.count("finish") == 1 and source.count("end") == 1


def test_pipeline_links_an_object_mode_readable_through_gzip() -> None:
    streams = replay_streams(recorded("stream_pipeline_gzip"))
    by_name = {stream.name: stream for stream in streams.at(len(streams)).streams}
    source, gzip, counter = by_name["Readable"], by_name["Gzip"], by_name["Writable"]
    assert source.sides[0].objects and source.sides[0].hwm >= 1
    assert gzip.kind == "transform" and [side.name for side in gzip.sides] == ["readable", "writable"]
    assert source.pipes_to == (gzip.number,) and gzip.pipes_to == (counter.number,)
    assert all(stream.ending == "close" for stream in (source, gzip, counter))


def test_positions_are_the_loop_timelines() -> None:
    events = recorded("stream_pipe")
    streams = StreamTimeline([], 0)
    streams.extend(events[:100])
    streams.extend(events[100:])
    assert len(streams) == sum(getattr(e, "thread", 0) == 0 for e in events)
    assert streams.at(10**9) == streams.at(len(streams))


def test_a_cut_stream_and_unshown_streams_are_said() -> None:
    made = StreamNew(0, 1, "Writable", "writable", "/x/a.js:3:1", -1, False, 16, True, 100)
    steps = [StreamStep(0, 1, "writable_length", n, 100 + n) for n in range(5)]
    steps += [StreamStep(0, 1, "cut", 0, 200), StreamStep(0, 1, "finish", 0, 300), StreamStep(0, 0, "unshown", 3, 300)]
    snapshot = replay_streams([made, *steps]).at(10)
    (stream,) = snapshot.streams
    assert stream.cut and stream.ending == "finish" and snapshot.unshown == 3
    assert stream.sides[0].objects and stream.sides[0].length == 4 and (snapshot.start, snapshot.now) == (100, 300)
