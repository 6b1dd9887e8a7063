"""Reading the error a program died of from real Node stderr (Node 20 and 24), with the learner's file:line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.check.node_error import RaisedError, last_error_line, raised_error
from app.nodejs.locate import NodeBinary
from app.runner.exercise import RUN_FOLDER


def stderr_of(node: NodeBinary, tmp_path: Path, name: str, source: str) -> list[str]:
    """Run `source` as `name` in a folder named like a real run folder, and return its stderr lines."""
    folder = tmp_path / f"{RUN_FOLDER}x1y2z3"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(source, encoding="utf-8")
    done = subprocess.run([str(node.path), name], cwd=folder, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    return done.stderr.splitlines()


CASES = {
    "syntax error in a script": (
        "main.js",
        "const fs = require('fs');\nconst x = ;\n",
        RaisedError("SyntaxError: Unexpected token ';'", "main.js", 2, "const x = ;", uncaught=True),
    ),
    "syntax error in a module": (
        "main.mjs",
        "import fs from 'node:fs';\nconst x = ;\n",
        RaisedError("SyntaxError: Unexpected token ';'", "main.mjs", 2, "const x = ;", uncaught=True),
    ),
    "type error in a timer callback": (
        "main.js",
        "setTimeout(() => {\n  const o = {};\n  o.bar();\n}, 1);\n",
        RaisedError("TypeError: o.bar is not a function", "main.js", 3, "o.bar();", uncaught=True),
    ),
    "rejection of an async function": (
        "main.js",
        "async function f() {\n  await null;\n  throw new RangeError('too big');\n}\nf();\n",
        RaisedError("RangeError: too big", "main.js", 3, "throw new RangeError('too big');", uncaught=True),
    ),
    "error thrown inside Node's fs, called from line 2": (
        "main.js",
        "const fs = require('fs');\nfs.readFileSync('missing.txt');\n",
        RaisedError("Error: ENOENT: no such file or directory, open 'missing.txt'", "main.js", 2, None, uncaught=True),
    ),
    "a missing module names the learner's file, not the run folder": (
        "main.js",
        "console.log('a');\nrequire('./nope');\n",
        RaisedError("Error: Cannot find module './nope'", "main.js", 2, None, uncaught=True),
    ),
    "a rejected fs promise has no frame of the learner's": (
        "main.js",
        "require('fs/promises').readFile('missing.txt');\n",
        RaisedError("Error: ENOENT: no such file or directory, open 'missing.txt'", None, None, None, uncaught=True),
    ),
    "a thrown string": (
        "main.js",
        "console.log('a');\nthrow 'plain string';\n",
        RaisedError("plain string", "main.js", 2, "throw 'plain string';", uncaught=True),
    ),
    "the crash, not an error line the program printed itself": (
        "main.js",
        "console.error('Error: not really');\nclass MyError extends Error {}\nthrow new MyError('mine');\n",
        RaisedError("MyError: mine", "main.js", 3, "throw new MyError('mine');", uncaught=True),
    ),
    "no crash, only an error line and an exit code": (
        "main.js",
        "console.error('Error: the config is missing');\nprocess.exitCode = 2;\n",
        RaisedError("Error: the config is missing"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_error_is_quoted_with_the_learners_file_and_line(case: str, any_node: NodeBinary, tmp_path: Path) -> None:
    name, source, expected = CASES[case]
    stderr = stderr_of(any_node, tmp_path, name, source)
    assert raised_error(stderr, RUN_FOLDER) == expected


def test_no_path_into_the_run_folder_is_left_in_the_message(bundled_node: NodeBinary, tmp_path: Path) -> None:
    stderr = stderr_of(bundled_node, tmp_path, "main.mjs", "await import('./missing.mjs');\n")
    error = raised_error(stderr, RUN_FOLDER)
    assert error is not None and error.uncaught
    assert error.message.startswith("Error [ERR_MODULE_NOT_FOUND]: Cannot find module 'missing.mjs'")
    assert RUN_FOLDER not in error.message and "file://" not in error.message


def test_the_last_error_line_skips_nodes_version_banner(bundled_node: NodeBinary, tmp_path: Path) -> None:
    stderr = stderr_of(bundled_node, tmp_path, "main.js", "throw new Error('boom');\n")
    assert stderr[-1].startswith("Node.js v")
    assert last_error_line(stderr) is not None
    assert not last_error_line(stderr).startswith("Node.js")


def test_clean_stderr_has_no_error() -> None:
    assert raised_error(["warming up", "", "Error handling is on", "done"], RUN_FOLDER) is None
    assert last_error_line(["", "Node.js v24.19.0"]) is None


def test_running_out_of_heap_quotes_nodes_fatal_error(any_node: NodeBinary, tmp_path: Path) -> None:
    folder = tmp_path / f"{RUN_FOLDER}heap"
    folder.mkdir()
    (folder / "main.js").write_text("const kept = [];\nfor (;;) kept.push({ cells: new Array(100).fill(1) });\n")
    command = [str(any_node.path), "--max-old-space-size=16", "main.js"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    error = raised_error(done.stderr.splitlines(), RUN_FOLDER)
    assert error == RaisedError("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory")
