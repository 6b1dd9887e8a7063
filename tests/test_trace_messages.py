"""tracer_messages.js on every Node: worker and IPC messages, each send paired with its receive, on one clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, run_to_end
from app.trace.lanes_model import replay_lanes
from app.trace.schema import Message, MessageClock
from app.trace.session import TraceCollector, traced
from tests.tui_course import TRACES


def traced_run(node: NodeBinary, folder: Path, program: Path) -> list:
    collector = TraceCollector()
    request = traced(RunRequest((str(node.path), str(program)), folder, 10), node, collector)
    result = asyncio.run(run_to_end(request))
    assert result.exit_code == 0, result.stderr[-5:]
    return collector.events


def test_a_ring_of_two_workers_pairs_every_send_with_its_receive(any_node: NodeBinary, tmp_path: Path) -> None:
    events = traced_run(any_node, tmp_path, TRACES / "lanes_workers.js")
    clocks = {event.thread for event in events if isinstance(event, MessageClock)}
    assert clocks == {0, 1, 2}  # the main thread (at its first Worker) and each worker (at its start)
    model = replay_lanes(events)
    end = model.at(len(model))
    assert [lane.name for lane in end.lanes] == ["main", "worker 1", "worker 2"]
    ring = [(arrow.sender, arrow.receiver) for arrow in sorted(end.arrows, key=lambda arrow: arrow.sent)]
    assert ring[:8] == [(0, 1), (1, 0), (0, 2), (2, 0), (0, 1), (1, 0), (0, 2), (2, 0)]
    assert sorted(ring[8:]) == [(0, 1), (0, 2)]  # the two 'stop' messages
    assert all(arrow.received is not None and arrow.received >= arrow.sent for arrow in end.arrows)


IPC = """
const { fork } = require('node:child_process');
if (process.argv[2] === 'child') {
  process.on('message', (n) => { process.send(n * 2); if (n === 2) process.disconnect(); });
} else {
  const child = fork(__filename, ['child']);
  child.on('message', (n) => console.log('parent got', n));
  child.send(1);
  child.send(2);
}
"""


def test_ipc_sends_and_receives_of_the_parent(any_node: NodeBinary, tmp_path: Path) -> None:
    """The child is not traced yet (the procs part): the parent's side of the IPC channel is recorded."""
    (tmp_path / "main.js").write_text(IPC)
    messages = [event for event in traced_run(any_node, tmp_path, tmp_path / "main.js") if isinstance(event, Message)]
    steps = [(message.step, message.direction, message.k) for message in messages]
    assert steps == [("send", "down", 1), ("send", "down", 2), ("receive", "up", 1), ("receive", "up", 2)]
    assert len({message.channel for message in messages}) == 1 and messages[0].channel.startswith("ipc ")


def test_a_program_without_workers_or_children_never_loads_the_part(any_node: NodeBinary, tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text("setTimeout(() => console.log('done'), 1);\n")
    events = traced_run(any_node, tmp_path, tmp_path / "main.js")
    assert not [event for event in events if isinstance(event, Message | MessageClock)]


CLUSTER = """
const cluster = require('node:cluster');
if (cluster.isPrimary) {
  let replies = 0;
  for (let i = 0; i < 2; i++) {
    const worker = cluster.fork();
    worker.on('online', () => worker.send('hello'));
    worker.on('message', () => {
      if (++replies === 2) for (const each of Object.values(cluster.workers)) each.disconnect();
    });
  }
} else {
  process.on('message', (text) => process.send(`${text} back`));
}
"""


def test_cluster_messages_leave_out_nodes_own(any_node: NodeBinary, tmp_path: Path) -> None:
    """cluster talks to its workers over the same IPC channel (cmd NODE_CLUSTER): only the program's messages count."""
    (tmp_path / "main.js").write_text(CLUSTER)
    messages = [event for event in traced_run(any_node, tmp_path, tmp_path / "main.js") if isinstance(event, Message)]
    sends = [message for message in messages if message.step == "send"]
    receives = [message for message in messages if message.step == "receive"]
    assert len(sends) == 2 and len(receives) == 2 and len({message.channel for message in sends}) == 2
    assert {(message.direction, message.k) for message in messages} == {("down", 1), ("up", 1)}
