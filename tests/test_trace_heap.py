"""The heap hooks on real Node (each Node): a traced run records each GC with its kind and pause, and the heap spaces'
sizes around it, on the markers' clock; the hooks are built, once, next to the loop-marker addon."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, run_to_end
from app.trace.addon import build_addon
from app.trace.schema import Gc, HeapSize, Mark
from app.trace.session import TraceCollector, traced

FORCED = """
let kept = [];
for (let i = 0; i < 100000; i++) kept.push({ i, text: `item ${i}` });
setTimeout(() => {
  kept = null;
  gc();
  console.log('collected');
}, 5);
"""


def test_a_traced_run_records_gcs_and_heap_sizes(any_node: NodeBinary, tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text(FORCED)
    collector = TraceCollector()
    request = traced(RunRequest((str(any_node.path), "--expose-gc", "main.js"), tmp_path, 10), any_node, collector)
    result = asyncio.run(run_to_end(request))
    assert result.stdout == ["collected"] and collector.mode == "exact"
    gcs = [e for e in collector.events if isinstance(e, Gc)]
    assert any(gc.kind == "scavenge" and not gc.forced for gc in gcs)  # 100,000 objects do not fit in new space
    forced = gcs[-1]
    assert (forced.kind, forced.forced) == ("mark-sweep-compact", True) and 0 < forced.pause < 1_000_000
    sizes = [e for e in collector.events if isinstance(e, HeapSize)]
    old = [e for e in sizes if e.space == "old_space"]
    before = [e.kib for e in old if e.micros <= forced.start][-1]  # sizes are written when they change
    after = next(e for e in old if e.micros >= forced.start + forced.pause)
    assert after.when == "after" and before > after.kib  # the forced collection freed what `kept` held
    assert {"new_space", "old_space", "code_space"} <= {e.space for e in sizes}
    last_mark = max(e.loop_ms for e in collector.events if isinstance(e, Mark))
    assert forced.start // 1000 <= last_mark + 50  # the markers' clock, not another one


def test_the_heap_hooks_are_built_once_per_node_next_to_the_markers(any_node: NodeBinary, tmp_path: Path) -> None:
    first = build_addon(any_node, cache=tmp_path)
    assert first.heap is not None and first.heap.name.startswith(f"heap_hooks-{any_node.version}-")
    again = build_addon(any_node, cache=tmp_path)
    assert again.heap == first.heap and again.heap_reason.startswith("cached")


def test_a_child_on_another_node_runs_without_the_heap_hooks(
    bundled_node: NodeBinary, system_node: NodeBinary, tmp_path: Path
) -> None:
    """The hooks are built for the traced program's Node; a child on another Node (it inherits the environment that
    names them) must not load them: V8's C++ API differs between versions."""
    from app.trace.schema import PROCESS_THREADS, Hello

    (tmp_path / "main.js").write_text(
        """
        const { execFileSync } = require('node:child_process');
        const child = "const a = []; for (let i = 0; i < 3e5; i++) a.push({ i }); console.log(process.version, !!a)";
        for (const node of [process.execPath, process.argv[2]]) process.stdout.write(execFileSync(node, ['-e', child]));
        """
    )
    collector = TraceCollector()
    argv = (str(bundled_node.path), "main.js", str(system_node.path))
    result = asyncio.run(run_to_end(traced(RunRequest(argv, tmp_path, 20), bundled_node, collector)))
    assert result.stdout == [f"{bundled_node.version} true", f"{system_node.version} true"]
    children = [e.thread for e in collector.events if isinstance(e, Hello) and e.thread >= PROCESS_THREADS]
    assert len(children) == 2  # both traced
    with_gcs = {e.thread for e in collector.events if isinstance(e, Gc) and e.thread >= PROCESS_THREADS}
    assert with_gcs == {children[0]}  # its same-Node child's collections, not the other's


def test_without_a_cxx_compiler_the_markers_still_build(
    bundled_node: NodeBinary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXX", "false")  # a "compiler" that always fails
    build = build_addon(bundled_node, cache=tmp_path)
    assert build.path is not None and build.heap is None
    assert build.heap_reason.startswith("compiling the heap hooks failed")
