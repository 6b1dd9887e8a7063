"""MessageChannel ports on every Node: named where the channel is made, followed as they move, their messages paired."""

from __future__ import annotations

from pathlib import Path

from app.nodejs.locate import NodeBinary
from app.trace.lanes_model import Arrow, replay_lanes
from app.trace.schema import PortMove
from tests.test_trace_messages import traced_run

REPO = Path(__file__).resolve().parent.parent


def arrows_of(events: list) -> list[Arrow]:
    model = replay_lanes(events)
    return sorted(model.at(len(model)).arrows, key=lambda arrow: arrow.sent)


def port_arrows(arrows: list[Arrow]) -> list[Arrow]:
    return [arrow for arrow in arrows if arrow.channel.startswith("port ")]


def test_two_workers_talk_over_the_channel_their_parent_handed_them(any_node: NodeBinary, tmp_path: Path) -> None:
    """exercises/worker-thread-to-thread: A (worker 1) sends 1, 2, 3 to B (worker 2), which answers each."""
    events = traced_run(any_node, tmp_path, REPO / "exercises/worker-thread-to-thread/starter.js")
    ports = port_arrows(arrows_of(events))
    assert [(a.direction, a.k) for a in ports if a.sender == 1] == [("down", 1), ("down", 2), ("down", 3)]
    assert sorted((a.sender, a.receiver) for a in ports) == [(1, 2)] * 3 + [(2, 1)] * 3  # none through main
    assert all(a.received is not None and a.received >= a.sent for a in ports)
    assert len({a.channel for a in ports}) == 1


def test_a_port_posted_on_after_it_moved_sends_nothing(any_node: NodeBinary, tmp_path: Path) -> None:
    """The exercise's "try port1.postMessage(1) in the parent": the port is detached there, nothing arrives."""
    starter = (REPO / "exercises/worker-thread-to-thread/starter.js").read_text()
    program = starter.replace("  const reports = {};", "  port1.postMessage(1);\n  const reports = {};", 1)
    assert program != starter
    (tmp_path / "main.js").write_text(program)
    ports = port_arrows(arrows_of(traced_run(any_node, tmp_path, tmp_path / "main.js")))
    assert sorted((a.sender, a.receiver) for a in ports) == [(1, 2)] * 3 + [(2, 1)] * 3


MOVED_AFTER_USE = """
const { Worker, MessageChannel, isMainThread, parentPort } = require('node:worker_threads');
if (isMainThread) {
  const local = new MessageChannel(); // used within the main thread only
  local.port2.once('message', () => local.port2.close());
  local.port1.postMessage('to myself');
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(__filename);
  port2.postMessage('before the move'); // arrives in the main thread too
  port1.once('message', () => {
    worker.postMessage({ port: port1 }, [port1]); // moves after the worker started, having received one
    port2.postMessage('after the move');
    port2.once('message', (reply) => { console.log(reply); port2.close(); });
  });
} else {
  parentPort.once('message', ({ port }) => port.once('message', (text) => port.postMessage(`${text}, back`)));
}
"""


def test_a_port_moved_after_use_pairs_by_the_channels_own_counts(any_node: NodeBinary, tmp_path: Path) -> None:
    """Moved by worker.postMessage(v, [port]) once it had received a message; a channel in one thread draws nothing."""
    (tmp_path / "main.js").write_text(MOVED_AFTER_USE)
    events = traced_run(any_node, tmp_path, tmp_path / "main.js")
    ports = port_arrows(arrows_of(events))
    # port2 (side b) sends up: #1 arrives in the main thread (no arrow), #2 in the worker, which answers down #1
    assert [(a.sender, a.receiver, a.direction, a.k) for a in ports] == [(0, 1, "up", 2), (1, 0, "down", 1)]
    assert all(a.received is not None and a.received >= a.sent for a in ports)
    carry = next(move for move in events if isinstance(move, PortMove) and move.step == "carry")
    assert carry[2:] == ("worker 1", "down", 1, 0, carry.port, "a", 0, 1)  # it had received one


MOVED_TWICE = """
const { Worker, MessageChannel, isMainThread, parentPort, workerData } = require('node:worker_threads');
if (isMainThread) {
  const link = new MessageChannel(); // A to B
  const { port1, port2 } = new MessageChannel(); // port1 goes main -> A -> B; main keeps port2
  const a = new Worker(__filename, { workerData: { role: 'A', link: link.port1 }, transferList: [link.port1] });
  new Worker(__filename, { workerData: { role: 'B', link: link.port2 }, transferList: [link.port2] });
  a.postMessage([0, { port: port1 }], [port1]);
  port2.once('message', (text) => { console.log(text); port2.close(); });
} else if (workerData.role === 'A') {
  parentPort.once('message', ([, { port }]) => workerData.link.postMessage({ note: 'for B', port }, [port]));
} else {
  workerData.link.once('message', ({ port }) => { port.postMessage('hello from B'); workerData.link.close(); });
}
"""


def test_a_port_moved_twice_resolves_through_both_moves(any_node: NodeBinary, tmp_path: Path) -> None:
    """main -> A (on A's own channel) -> B (over a port of a channel A and B got in workerData): B talks to main."""
    (tmp_path / "main.js").write_text(MOVED_TWICE)
    events = traced_run(any_node, tmp_path, tmp_path / "main.js")
    ports = port_arrows(arrows_of(events))
    assert [(a.sender, a.receiver, a.direction, a.k) for a in ports] == [(1, 2, "down", 1), (2, 0, "down", 1)]
    assert all(a.received is not None and a.received >= a.sent for a in ports)
    assert len({a.channel for a in ports}) == 2
