"""The fds view's inputs: /proc parsing, the SOCKET record, and where a /proc sample lands in the event stream."""

from __future__ import annotations

import os
import struct
import subprocess
import time
from pathlib import Path

from app.trace.decode import decode_all
from app.trace.fd_sampler import FdSampler, classify, hex_address, parse_net_table
from app.trace.recording import load_recording, save_recording
from app.trace.schema import MAGIC, FdSample, Kind, Socket
from app.trace.session import TraceCollector
from tests.test_fd_model import TRACES

NET_TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:AE41 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
   1: 0100007F:B62C 0100007F:AE41 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 -1
"""


def test_proc_net_addresses_read_as_a_learner_would_write_them() -> None:
    assert hex_address("0100007F:1F90") == "127.0.0.1:8080"
    assert hex_address("00000000000000000000000001000000:0050") == "[::1]:80"
    table = parse_net_table(NET_TCP, "tcp")
    assert table[4242] == ("tcp", "127.0.0.1:44609", "", "LISTEN")
    assert table[4343] == ("tcp", "127.0.0.1:46636", "127.0.0.1:44609", "ESTABLISHED")
    assert classify(7, "socket:[4343]", table)[1:] == ("tcp", "127.0.0.1:46636", "127.0.0.1:44609", "ESTABLISHED")
    assert classify(3, "anon_inode:[eventpoll]", {})[1] == "epoll"
    assert classify(9, "pipe:[77]", {})[1] == "pipe"


def test_a_sample_of_this_process_finds_a_file_it_holds_open(tmp_path: Path) -> None:
    path = tmp_path / "held.txt"
    path.write_text("x")
    with path.open() as held:
        rows = FdSampler(os.getpid(), forked_from="").read()
        assert rows is not None
        assert (held.fileno(), "file", str(path), "", "") in rows


def test_a_process_whose_table_cannot_be_read_for_a_moment_is_not_taken_for_gone(tmp_path: Path) -> None:
    """Right after the spawn the kernel may still be in the exec: the sampler waits instead of giving up."""
    (tmp_path / "41").mkdir()
    (tmp_path / "41" / "stat").write_text("41 (node worker) S 1 41 41 0 -1\n")  # no exe, no fd folder (yet)
    assert FdSampler(41, proc=tmp_path, forked_from="").read() == ()
    (tmp_path / "41" / "stat").write_text("41 (node worker) Z 1 41 41 0 -1\n")
    assert FdSampler(41, proc=tmp_path, forked_from="").read() is None
    assert FdSampler(42, proc=tmp_path, forked_from="").read() is None  # no such process


def test_a_real_zombie_is_gone() -> None:
    child = subprocess.Popen(["true"])
    try:
        for _ in range(200):  # until it has ended; it stays a zombie, as nothing waits for it yet
            if FdSampler(child.pid, forked_from="").gone():
                break
            time.sleep(0.01)
        assert FdSampler(child.pid, forked_from="").read() is None
    finally:
        child.wait()


def test_the_socket_record_decodes_with_its_addresses() -> None:
    text = b"127.0.0.1:41234|[::1]:80"
    body = struct.pack("<iiii", Kind.STRING, 0, len(text), 3) + text + b"\0" * (-len(text) % 4)
    body += struct.pack("<iiii", Kind.SOCKET, 9, 21, 3)
    data = struct.pack("<iii", MAGIC, 0, 12 + len(body)) + body
    assert decode_all(data) == [Socket(0, 9, 21, "127.0.0.1:41234", "[::1]:80")]


def test_a_sample_lands_after_the_trace_bytes_that_had_arrived_when_it_was_taken() -> None:
    recording = load_recording(TRACES / "udp_fds.jsonl")
    chunk = struct.pack("<iii", MAGIC, 0, 28) + struct.pack("<iiii", Kind.SUMMARY, 5, 0, 0)
    collector = TraceCollector()
    collector.feed(chunk)
    sample = FdSample(0, ((3, "epoll", "", "", ""),))
    mark = collector.chunks_fed
    collector.feed(chunk)  # arrives while the sample is being read
    collector._add_sample(sample, mark)
    events = collector.events
    assert [type(event).__name__ for event in events] == ["Summary", "FdSample", "Summary"]
    assert recording.events  # the recorded traces carry samples too:
    assert any(isinstance(event, FdSample) for event in recording.events)


def test_a_saved_trace_gives_back_the_same_samples(tmp_path: Path) -> None:
    recording = load_recording(TRACES / "tcp_fds.jsonl")
    save_recording(recording, tmp_path / "again.jsonl")
    assert load_recording(tmp_path / "again.jsonl").events == recording.events
