"""`looplab verify`: the authors' check runs every reference on every Node and catches flakes and freebies."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.nodejs.locate import NodeBinary
from tests.conftest import EXERCISE_TOML, tiny_course

EX = "exercises/hello-order/exercise.toml"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def verify(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify", "--course", str(root), *args])
    return code, capsys.readouterr().out


def test_a_good_course_passes_on_every_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bundled_node: NodeBinary, system_node: NodeBinary
) -> None:
    code, out = verify(tiny_course(tmp_path), capsys, "--runs", "3")
    assert code == 0
    assert "× 2 Node versions × 3 runs" in out
    assert f"Node {bundled_node.version}" in out and f"Node {system_node.version}" in out
    assert out.count("reference 3/3 pass · starter fails 3/3 · 1 output order seen") == 2
    assert "verify passed: 2 exercise/Node pairs, 12 runs" in out


def test_a_fix_starter_that_already_passes_fails_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tiny_course(tmp_path, {"exercises/hello-order/starter.js": "console.log('first'); console.log('second');"})
    code, out = verify(root, capsys, "--runs", "2")
    assert code == 1
    assert "starter fails 0/2" in out
    assert "the starter already passes, so there is nothing to fix" in out


def test_a_reference_that_breaks_on_one_node_fails_there_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], system_node: NodeBinary
) -> None:
    root = tiny_course(
        tmp_path,
        {
            EX: EXERCISE_TOML.replace('sequence = ["first", "second"]', 'sequence = ["major 24"]'),
            "exercises/hello-order/starter.js": "console.log('nope');",
            "exercises/hello-order/solution.js": "console.log('major ' + process.versions.node.split('.')[0]);",
        },
    )
    code, out = verify(root, capsys, "--runs", "2")
    assert code == 1
    failing = [line for line in out.splitlines() if line.startswith("✘")]
    assert len(failing) == 1 and f"Node {system_node.version}" in failing[0]
    assert f"“major {system_node.major}” (line 1) is not one of the expected lines" in out


def test_a_node_variant_makes_the_difference_explicit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], system_node: NodeBinary
) -> None:
    variant = (
        f'\n[[expect.variant]]\nnode = "{system_node.major}"\nwhy = "this Node says its own major"\n'
        f'sequence = ["major {system_node.major}"]\n'
    )
    root = tiny_course(
        tmp_path,
        {
            EX: EXERCISE_TOML.replace('sequence = ["first", "second"]', 'sequence = ["major 24"]') + variant,
            "exercises/hello-order/starter.js": "console.log('nope');",
            "exercises/hello-order/solution.js": "console.log('major ' + process.versions.node.split('.')[0]);",
        },
    )
    code, out = verify(root, capsys, "--runs", "2")
    assert code == 0, out


def test_a_flaky_reference_is_caught_and_its_orders_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Either order has probability 1/2 per run, so 20 runs all agreeing would happen about once in 500,000.
    root = tiny_course(
        tmp_path,
        {
            "exercises/hello-order/solution.js": (
                "const pair = ['first', 'second'];\n"
                "if (Math.random() < 0.5) pair.reverse();\n"
                "pair.forEach((line) => console.log(line));\n"
            ),
        },
    )
    code, out = verify(root, capsys, "--runs", "20", "--node", "/usr/bin/node")
    assert code == 1
    assert "2 output orders seen" in out
    assert "“second” (line 1) came before “first” (line 2)" in out


def test_file_problems_are_listed_and_fail_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tiny_course(tmp_path, {EX: EXERCISE_TOML.replace("kind", "knd")})
    code, out = verify(root, capsys, "--runs", "1")
    assert code == 1
    assert f"{root}/{EX}:2: knd: unknown key (did you mean 'kind'?)" in out


def test_unknown_exercise_ids_get_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(tiny_course(tmp_path), capsys, "hello-ordr")
    assert code == 1 and "no exercise called 'hello-ordr' (did you mean 'hello-order'?)" in out


def test_extra_nodes_that_do_not_work_fail_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOPLAB_EXTRA_NODES", str(tmp_path / "missing-node"))
    code, out = verify(tiny_course(tmp_path / "c"), capsys, "--runs", "1")
    assert code == 1
    assert f"LOOPLAB_EXTRA_NODES {tmp_path / 'missing-node'}: no such file" in out
