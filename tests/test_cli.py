"""The command line: every command, its JSON shapes, its exit codes, and one-line errors for bad input."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app import __version__
from app.cli.main import main
from app.errors import LooplabError
from app.nodejs.locate import NodeBinary, choose_node
from app.runner import cgroup
from app.runner.process import TRACE_FD_ENV
from app.trace import DEFAULT_DETAIL_LIMIT
from app.trace.session import TraceCollector, trace_byte_limit
from tests.conftest import EXERCISE_TOML, LESSON_TOML, REPO, course_with_predict, processes_with, tiny_course


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


class Cli:
    def __init__(self, course: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.course = course
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main([*args, "--course", str(self.course)])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> tuple[int, dict]:
        code, out, _ = self(*args, "--json")
        return code, json.loads(out)


@pytest.fixture
def cli(course_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(course_dir, capsys)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def default_stop_signals() -> None:
    """Run in a child before exec: it gets Ctrl+C, SIGTERM and SIGHUP as a terminal would send them, even
    when pytest was started with them ignored."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_DFL)


@pytest.fixture(params=["foreground", "background"])
def launch(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test as pytest started in a terminal, and as pytest started in the background (`nohup cmd &`,
    CI runners), which inherits SIGINT and SIGHUP ignored and passes that on to every child it starts."""
    if request.param == "foreground":
        yield request.param
        return
    previous = {stop: signal.signal(stop, signal.SIG_IGN) for stop in (signal.SIGINT, signal.SIGHUP)}
    try:
        yield request.param
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def workspace_file(home: Path, exercise: str, name: str) -> Path:
    return home / "workspace" / exercise / name


def test_list_json_has_exactly_the_documented_shape(cli: Cli) -> None:
    code, data = cli.json("list")
    assert code == 0
    assert data == {
        "lessons": [
            {
                "id": "intro",
                "title": "First lesson",
                "section": "Basics",
                "exercises": [{"id": "hello-order", "kind": "fix", "status": "pending"}],
            }
        ]
    }


def test_list_shows_sections_lessons_and_status(cli: Cli) -> None:
    code, out, _ = cli("list")
    assert code == 0
    assert "Basics" in out and "First lesson" in out and "hello-order" in out and "pending" in out


def test_check_fails_on_the_starter_then_passes_once_fixed(cli: Cli, isolated_home: Path) -> None:
    code, verdict = cli.json("check", "hello-order")
    assert code == 1
    assert verdict["passed"] is False
    assert verdict["violation"]["kind"] == "out_of_order"
    assert verdict["violation"]["actual"] == {"text": "second", "position": 1}
    assert verdict["violation"]["expected"] == {"text": "first", "position": 2}
    assert verdict["run"]["exit_code"] == 0
    assert [line["text"] for line in verdict["run"]["lines"]] == ["second", "first"]
    assert cli.json("list")[1]["lessons"][0]["exercises"][0]["status"] == "failed"

    program = workspace_file(isolated_home, "hello-order", "hello-order.js")
    program.write_text("console.log('first');\nconsole.log('second');\n")
    code, verdict = cli.json("check", "hello-order")
    assert code == 0 and verdict["passed"] is True
    assert cli.json("list")[1]["lessons"][0]["exercises"][0]["status"] == "passed"


def test_check_json_shape(cli: Cli) -> None:
    _, verdict = cli.json("check", "hello-order")
    assert set(verdict) == {
        "exercise",
        "kind",
        "node",
        "passed",
        "constraints",
        "violation",
        "lines",
        "ordering",
        "notes",
        "program",
        "run",
    }
    assert set(verdict["node"]) == {"version", "path", "source"}
    assert {c["kind"] for c in verdict["constraints"]} == {"run", "exit_code", "order"}
    assert set(verdict["run"]) >= {
        "lines",
        "exit_code",
        "signal",
        "timed_out",
        "cancelled",
        "truncated",
        "duration",
    }


def test_check_human_output_names_the_wrong_line_and_why(cli: Cli) -> None:
    code, out, _ = cli("check", "hello-order")
    assert code == 1
    assert "“second” (line 1) came before “first” (line 2)" in out


def test_run_streams_output_and_shows_the_verdict_but_exits_0(cli: Cli) -> None:
    code, out, _ = cli("run", "hello-order")
    assert code == 0
    assert out.index("second") < out.index("first")
    assert "not yet" in out


def test_run_json_and_reference(cli: Cli) -> None:
    code, verdict = cli.json("run", "hello-order", "--reference")
    assert code == 0 and verdict["passed"] is True
    assert verdict["program"].endswith("exercises/hello-order/solution.js")


def test_without_an_id_run_takes_the_first_exercise_not_passed(cli: Cli) -> None:
    _, verdict = cli.json("run")
    assert verdict["exercise"] == "hello-order"


def test_hints_come_one_at_a_time(cli: Cli) -> None:
    code, out, _ = cli("hint", "hello-order")
    assert code == 0 and "hint 1/1: Swap them." in out


def test_show_lesson_hides_speaker_notes_unless_asked(cli: Cli) -> None:
    _, out, _ = cli("show", "intro")
    assert "Hello." in out and "console.log('two')" in out and "say hello" not in out
    assert "1/2" in out and "2/2" in out
    _, out, _ = cli("show", "intro", "--notes")
    assert "say hello" in out


def test_show_lesson_labels_deep_dives_and_counts_lessons_in_the_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = "# One\n\nCore.\n<!-- end_slide -->\n\n<!-- deep_dive -->\n# Two\n\nDetail.\n"
    course = tiny_course(tmp_path, {"lessons/intro/slides.md": deep})
    _, out, _ = Cli(course, capsys)("show", "intro")
    assert "lesson 1 of 1 · 2 slides, 1 of them deep dives" in out
    assert "deep dive (the core path skips it) · 2/2" in out and "deep dive (the core path skips it) · 1/2" not in out


def test_list_keeps_a_long_lesson_title_indented_when_it_wraps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    long_title = "A lesson title long enough that the course list has to wrap it at eighty columns"
    lesson = LESSON_TOML.replace('title = "First lesson"', f'title = "{long_title}"')
    assert long_title in lesson
    course = tiny_course(tmp_path, {"lessons/intro/lesson.toml": lesson})
    _, out, _ = Cli(course, capsys)("list")
    rows = out.splitlines()
    start = next(i for i, row in enumerate(rows) if "A lesson title" in row)
    assert rows[start + 1].startswith("  ") and rows[start + 1].strip(), rows[start : start + 3]
    assert "(intro)" in " ".join(rows[start : start + 3])


def test_show_exercise_prints_prompt_and_code(cli: Cli) -> None:
    _, out, _ = cli("show", "hello-order")
    assert "Make it print first, then second." in out and "console.log('second')" in out


def test_reset_asks_and_refuses_without_a_terminal(cli: Cli, isolated_home: Path) -> None:
    cli("run", "hello-order")
    program = workspace_file(isolated_home, "hello-order", "hello-order.js")
    program.write_text("mine\n")
    code, _, err = cli("reset", "hello-order")
    assert code == 2
    assert err.strip() == "looplab: error: reset hello-order: needs confirmation; run it in a terminal or add --yes"
    assert program.read_text() == "mine\n"
    code, out, _ = cli("reset", "hello-order", "--yes")
    assert code == 0 and "hello-order.js.bak" in out
    assert program.read_text().startswith("console.log('second')")


def test_reset_answering_no_changes_nothing(cli: Cli, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("run", "hello-order")
    program = workspace_file(isolated_home, "hello-order", "hello-order.js")
    program.write_text("mine\n")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = cli("reset", "hello-order")
    assert code == 1 and "Nothing changed" in out
    assert program.read_text() == "mine\n"


def test_init_into_a_folder_is_remembered(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "my-workspace"
    code, out, _ = cli("init", str(target))
    assert code == 0 and (target / "hello-order" / "hello-order.js").exists()
    _, verdict = cli.json("run", "hello-order")
    assert verdict["program"] == str(target / "hello-order" / "hello-order.js")


def test_unknown_ids_get_a_suggestion(cli: Cli) -> None:
    for command in ("run", "check", "hint", "reset", "show"):
        code, _, err = cli(command, "helo-order")
        assert code == 2, command
        assert err.strip().endswith("(did you mean 'hello-order'?)"), err


def test_unknown_command_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["chek"])
    assert caught.value.code == 2
    assert capsys.readouterr().err == "looplab: error: unknown command 'chek' (did you mean 'check'?)\n"


@pytest.mark.parametrize("argv", [["verify", "--runs", "0"], ["verify", "--runs", "many"], ["list", "--bogus"]])
def test_bad_arguments_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert err.count("\n") == 1 and err.startswith("looplab: error: ")


def test_a_missing_node_is_one_line(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("run", "hello-order", "--node", str(tmp_path / "node"))
    assert code == 2
    assert err == f"looplab: error: --node {tmp_path / 'node'}: no such file (give the path to a node executable)\n"


def test_a_bare_node_name_is_looked_up_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_node: NodeBinary
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mynode").symlink_to(system_node.path)
    monkeypatch.chdir(tmp_path)
    chosen = choose_node("mynode", {"PATH": str(bin_dir)})
    assert (chosen.path, chosen.version, chosen.source) == (system_node.path, system_node.version, "--node")
    with pytest.raises(LooplabError, match="--node nonode: no such file"):
        choose_node("nonode", {"PATH": str(bin_dir)})


def test_a_corrupt_progress_file_warns_once_and_the_command_still_works(cli: Cli, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "progress.json").write_text("{ not json")
    code, out, err = cli("list")
    assert code == 0 and "hello-order" in out
    assert err.count("\n") == 1 and "progress.json: line 1" in err and "started new progress" in err


def test_a_broken_lesson_file_is_one_line_per_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tiny_course(
        tmp_path / "c", {"exercises/hello-order/exercise.toml": EXERCISE_TOML.replace("timeout", "timout")}
    )
    code = main(["list", "--course", str(root)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"looplab: error: {root}/exercises/hello-order/exercise.toml:5: timout: unknown key (did you mean 'timeout'?)\n"
    )


def test_doctor_reports_node_and_course(cli: Cli) -> None:
    code, out, _ = cli("doctor")
    assert code == 0
    assert "node" in out and "v24." in out and "bundled" in out
    assert "1 lessons, 1 exercises" in out


def test_overview_points_at_the_next_exercise(cli: Cli) -> None:
    code, out, _ = cli()
    assert code == 0 and "next: hello-order" in out


def run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=full_env,
    )


def test_version_via_python_dash_m() -> None:
    done = run_module("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"looplab {__version__}"


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["run", "nope-exercise"], {}, "no exercise called 'nope-exercise'"),
        (
            ["list"],
            {"LOOPLAB_COURSE": "/nonexistent"},
            "LOOPLAB_COURSE /nonexistent: no lessons/ folder there",
        ),
        (["doctor"], {"LOOPLAB_NODE": "/nonexistent/node"}, "LOOPLAB_NODE /nonexistent/node: no such file"),
    ],
)
def test_real_process_errors_have_no_traceback(args: list[str], env: dict[str, str], expected: str) -> None:
    done = run_module(*args, env=env)
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr + done.stdout
    assert expected in done.stderr + done.stdout


def test_the_looplab_command_is_installed() -> None:
    script = Path(sys.executable).parent / "looplab"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and __version__ in done.stdout


def test_an_author_check_of_the_reference_is_not_recorded_as_progress(cli: Cli) -> None:
    code, verdict = cli.json("check", "hello-order", "--reference")
    assert code == 0 and verdict["passed"] is True
    assert cli.json("list")[1]["lessons"][0]["exercises"][0]["status"] == "pending"


def test_predict_check_reads_the_prediction_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    cli = Cli(course_with_predict(tmp_path / "c"), capsys)
    code, verdict = cli.json("check", "guess")
    assert code == 1 and verdict["passed"] is False
    assert sorted(verdict["prediction"]) == ["alpha", "beta", "gamma"]
    assert verdict["fewest_moves"] in (1, 2)  # a scramble of three lines is one or two moves from the answer
    assert "run" not in verdict
    prediction = workspace_file(isolated_home, "guess", "prediction.txt")
    assert prediction.read_text().startswith("# Put these lines in the order")
    prediction.write_text("# my answer\nalpha\nbeta\ngamma\n")
    code, verdict = cli.json("check", "guess")
    assert code == 0 and verdict["prediction"] == ["alpha", "beta", "gamma"] and verdict["fewest_moves"] == 0
    assert cli.json("list")[1]["lessons"][0]["exercises"][1] == {"id": "guess", "kind": "predict", "status": "passed"}


def test_hint_all_shows_every_hint(cli: Cli) -> None:
    code, out, _ = cli("hint", "hello-order", "--all")
    assert code == 0 and "hint 1/1" in out and "again for the next one" not in out


def test_overview_continues_with_the_exercise_last_worked_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = Cli(course_with_predict(tmp_path / "c"), capsys)
    cli("check", "guess")  # (`run guess` waits for a first check: it would show the real order)
    code, out, _ = cli()
    assert code == 0 and "next: guess" in out


def test_ctrl_c_during_run_stops_the_program_and_its_children(tmp_path: Path, isolated_home: Path, launch: str) -> None:
    marker = f"looplab-test-{uuid.uuid4().hex}"
    forever = f"/* {marker} */ setInterval(() => {{}}, 1000)"
    hang = (
        "const { spawn } = require('node:child_process');\n"
        f"spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore' }});\n"
        "require('node:net').createServer().listen(0, '127.0.0.1', () => console.log('listening'));\n"
    )
    root = tiny_course(tmp_path / "c", {"exercises/hello-order/solution.js": hang})
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "hello-order", "--reference", "--course", str(root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LOOPLAB_HOME": str(isolated_home), "COLUMNS": "200"},
        preexec_fn=default_stop_signals,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 20
    while "listening" not in process.stdout.readline():
        assert time.monotonic() < deadline
    assert processes_with(marker) != []
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "Traceback" not in err and err.strip().endswith("looplab: interrupted")
    assert processes_with(marker) == []


PLACED_TOML = EXERCISE_TOML.replace(
    'sequence = ["first", "second"]',
    'sequence = ["first", { text = "second", phase = "main", queue = "nextTick" }]',
)


def test_check_traces_and_fails_the_right_order_for_the_wrong_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    root = tiny_course(
        tmp_path / "c",
        {
            "exercises/hello-order/exercise.toml": PLACED_TOML,
            "exercises/hello-order/starter.js": "setTimeout(() => console.log('second'), 0);\nconsole.log('first');\n",
            "exercises/hello-order/solution.js": (
                "process.nextTick(() => console.log('second'));\nconsole.log('first');\n"
            ),
        },
    )
    cli = Cli(root, capsys)
    code, verdict = cli.json("check", "hello-order")
    assert code == 1
    assert [line["text"] for line in verdict["run"]["lines"]] == ["first", "second"]  # the order is right...
    assert verdict["violation"]["kind"] == "place"  # ...but for the wrong reason
    assert (
        "printed in the timers phase, but it should print from the nextTick queue"
        in verdict["violation"]["explanation"]
    )
    assert [(line["phase"], line["queue"]) for line in verdict["lines"]] == [
        ("main", "macrotask"),
        ("timers", "macrotask"),
    ]
    code, verdict = cli.json("check", "hello-order", "--reference")
    assert code == 0 and verdict["lines"][1]["queue"] == "nextTick"
    assert main(["verify", "--runs", "2", "--course", str(root)]) == 0


def test_warnings_print_brackets_literally(cli: Cli, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "progress.json").write_text('{"schema": 1, "exercises": {"[red]x[/red]": {"status": "?"}}}')
    _, _, err = cli("list")
    assert "exercises.[red]x[/red]" in err


def test_open_names_an_unknown_lesson_in_one_line_with_a_suggestion(cli: Cli) -> None:
    code, out, err = cli("open", "hello-ordr")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "hello-ordr" in err and "hello-order" in err and "Traceback" not in err


def test_open_without_a_terminal_says_so_instead_of_drawing(cli: Cli) -> None:
    code, _, err = cli("open", "hello-order")  # pytest's captured stdin and stdout are not terminals
    assert code == 2 and "needs a terminal" in err and err.count("\n") == 1


def test_a_second_reset_keeps_the_first_backup(cli: Cli, isolated_home: Path) -> None:
    cli("run", "hello-order")
    program = workspace_file(isolated_home, "hello-order", "hello-order.js")
    program.write_text("first try\n")
    cli("reset", "hello-order", "--yes")
    program.write_text("second try\n")
    code, out, _ = cli("reset", "hello-order", "--yes")
    assert code == 0 and "hello-order.js.bak.2" in out
    assert program.with_name("hello-order.js.bak").read_text() == "first try\n"
    assert program.with_name("hello-order.js.bak.2").read_text() == "second try\n"


def test_notes_before_any_slide_was_shown_is_one_line(cli: Cli) -> None:
    code, out, err = cli("notes")
    assert code == 2 and out == "" and err.count("\n") == 1 and "open a lesson in the app" in err


def test_a_garbled_slide_position_is_one_line_naming_the_file(cli: Cli, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "presenting.json").write_text('{"lesson": "intro", "slide": "two"}')
    code, _, err = cli("notes")
    assert code == 2 and err.count("\n") == 1 and "presenting.json: not a slide position" in err


def test_notes_follow_shows_each_slide_the_app_turns_to(course_dir: Path, isolated_home: Path, launch: str) -> None:
    """A second terminal for the instructor: it follows the slides and prints each slide's speaker notes."""
    from app.learner.presenter import publish

    follower = subprocess.Popen(
        [sys.executable, "-m", "app", "notes", "--follow", "--course", str(course_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LOOPLAB_HOME": str(isolated_home)},
        preexec_fn=default_stop_signals,
    )
    os.set_blocking(follower.stdout.fileno(), False)
    seen = ""

    def wait_for_output(text: str) -> None:
        nonlocal seen
        deadline = time.monotonic() + 20
        while text not in seen:
            assert follower.poll() is None and time.monotonic() < deadline, f"no {text!r} in {seen!r}"
            with contextlib.suppress(BlockingIOError):
                seen += os.read(follower.stdout.fileno(), 65536).decode()
            time.sleep(0.05)

    try:
        wait_for_output("No slide is open")
        publish("intro", 0)  # what the app does when a slide turns
        wait_for_output("say hello")
        assert "next: " in seen
        publish("intro", 1)
        wait_for_output("slide 2/2")
        assert "last slide of the lesson" in seen
        follower.send_signal(signal.SIGINT)
        assert follower.wait(timeout=10) == 0
        assert "Traceback" not in follower.stderr.read()
    finally:
        follower.kill()
        follower.wait()


def trace_flood_source(megabytes: int) -> str:
    """A program that writes well-formed trace chunks of its own into the trace pipe, then prints two lines."""
    return f"""
    const fs = require('node:fs');
    const fd = Number(process.env.{TRACE_FD_ENV});
    const records = 4096;  // RESOLVE records, 16 bytes each, in one chunk of 64 KiB
    const chunk = Buffer.alloc(12 + records * 16);
    chunk.writeInt32LE(0x504F4F4C, 0); chunk.writeInt32LE(0, 4); chunk.writeInt32LE(chunk.length, 8);
    for (let i = 0; i < records; i++) {{ chunk.writeInt32LE(5, 12 + i * 16); chunk.writeInt32LE(i + 1, 16 + i * 16); }}
    for (let i = 0; i < {megabytes} * 16; i++) fs.writeSync(fd, chunk);
    process.nextTick(() => console.log('second'));
    console.log('first');
    """


def test_a_program_flooding_the_trace_pipe_gets_a_cut_trace_and_a_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    """Decoding is bounded (it took 20 s after a 0.8 s run), and the verdict and `trace` say the trace was cut."""
    source = trace_flood_source(megabytes=64)
    root = tiny_course(
        tmp_path / "c", {"exercises/hello-order/exercise.toml": PLACED_TOML, "exercises/hello-order/starter.js": source}
    )
    cli = Cli(root, capsys)
    _, verdict = cli.json("check", "hello-order")
    assert [line["text"] for line in verdict["run"]["lines"]] == ["first", "second"]
    cut = [note for note in verdict["notes"] if note.startswith("the trace was cut after")]
    assert len(cut) == 1 and "MB more came down the trace pipe" in cut[0]

    program = tmp_path / "flood.js"
    program.write_text(source)
    decoded: list[int] = []
    real_decode = TraceCollector._decode

    def counting_decode(self: TraceCollector, data: bytes) -> None:
        decoded.append(len(data))
        real_decode(self, data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TraceCollector, "_decode", counting_decode)
        code = main(["trace", str(program), "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and [line["text"] for line in json.loads(out)["lines"]] == ["first", "second"]
    assert "the trace was cut after" in err
    assert 0 < sum(decoded) <= trace_byte_limit(DEFAULT_DETAIL_LIMIT) < 64 << 20


def escaping_server(marker: str) -> str:
    """A server, a child, and a grandchild that leaves the group (setsid) with an empty environment."""
    forever = f"/* {marker} */ setInterval(() => {{}}, 1000)"
    return (
        "const { spawn } = require('node:child_process');\n"
        f"spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore' }});\n"
        f"spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore', detached: true, env: {{}} }}).unref();\n"
        "require('node:net').createServer().listen(0, '127.0.0.1', () => console.log('listening'));\n"
    )


def start_looplab_run(
    root: Path, home: Path, temp: Path | None = None, group: Path | None = None
) -> subprocess.Popen[str]:
    """`looplab run` on the course's reference, in its own session, as a terminal would start it; with its
    temporary folder in `temp` and itself in the cgroup `group` if given."""
    join = cgroup.join_fd(group) if group is not None else None

    def before_exec() -> None:
        default_stop_signals()
        if join is not None:
            os.write(join, b"0")

    env = {**os.environ, "LOOPLAB_HOME": str(home), "COLUMNS": "200"}
    if temp is not None:
        env["TMPDIR"] = str(temp)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "run", "hello-order", "--reference", "--course", str(root)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
            preexec_fn=before_exec,
        )
    finally:
        if join is not None:
            os.close(join)
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while "listening" not in process.stdout.readline():
        assert time.monotonic() < deadline and process.poll() is None
    return process


def wait_until_gone(marker: str, folders: list[Path], seconds: float = 10) -> tuple[list[int], list[Path]]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left, kept = processes_with(marker), [folder for folder in folders if folder.exists()]
        if not left and not kept:
            break
        time.sleep(0.05)
    return left, kept


@pytest.mark.alone
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_killed_looplab_leaves_no_process_and_no_run_folder(
    tmp_path: Path, isolated_home: Path, stop: str, launch: str
) -> None:
    """A closed terminal (SIGHUP), `kill` (SIGTERM) and `kill -9` (SIGKILL: the watcher cleans up) all clean up."""
    marker = f"looplab-test-{uuid.uuid4().hex}"
    root = tiny_course(tmp_path / "c", {"exercises/hello-order/solution.js": escaping_server(marker)})
    process = start_looplab_run(root, isolated_home)
    folders = list(Path(tempfile.gettempdir()).glob(f"looplab-run-{process.pid}-*"))
    assert len(processes_with(marker)) == 2 and len(folders) == 1
    process.send_signal(getattr(signal, stop))
    _, err = process.communicate(timeout=20)
    assert wait_until_gone(marker, folders) == ([], [])
    if stop != "SIGKILL":  # stopped like Ctrl+C: it cleaned up itself and says so
        number = getattr(signal, stop)
        assert process.returncode == 128 + number
        assert "Traceback" not in err and err.strip().endswith(f"looplab: stopped by {stop}")


@pytest.mark.alone
def test_what_a_dead_looplab_left_is_removed_at_the_next_start(tmp_path: Path, isolated_home: Path) -> None:
    """Where even the watcher was killed: the next looplab removes the run folders and run cgroups (killing
    what is in them) of a looplab that is dead, and nothing of one that lives.

    Every looplab sweeps its temporary folder and its own cgroup's children, so this looplab gets a temporary
    folder and a cgroup of its own: a looplab started meanwhile by another test (pytest -n) cannot sweep first.
    """
    dead = subprocess.Popen(["true"])
    dead.wait()
    temp = tmp_path / "tmp"
    temp.mkdir()
    stale = Path(tempfile.mkdtemp(prefix=f"looplab-run-{dead.pid}-", dir=temp))
    alive = Path(tempfile.mkdtemp(prefix=f"looplab-run-{os.getpid()}-", dir=temp))
    marker = f"looplab-test-{uuid.uuid4().hex}"
    parent = cgroup.parent_folder()
    own = parent / f"looplab-test-{uuid.uuid4().hex}" if parent else None  # no owner pid: never swept
    stale_group = own / f"{cgroup.PREFIX}{dead.pid}-{uuid.uuid4().hex}" if own else None
    leftover = None
    try:
        if own is not None and stale_group is not None:  # a run of the dead looplab, still running in its cgroup
            own.mkdir()
            stale_group.mkdir()
            join = cgroup.join_fd(stale_group)
            leftover = subprocess.Popen(  # the marker is an argument it ignores, so it stays on its command line
                [sys.executable, "-I", "-S", "-c", "import time; time.sleep(300)", marker],
                preexec_fn=lambda: os.write(join, b"0"),
                start_new_session=True,
            )
            os.close(join)
            assert cgroup.members(stale_group) == [leftover.pid] and processes_with(marker) == [leftover.pid]
        root = tiny_course(tmp_path / "c", {"exercises/hello-order/solution.js": escaping_server(marker)})
        process = start_looplab_run(root, isolated_home, temp=temp, group=own)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
        assert wait_until_gone(marker, [stale] + ([stale_group] if stale_group else [])) == ([], [])
        assert alive.exists()
    finally:
        if leftover is not None:
            leftover.kill()
            leftover.wait()
        for group in (stale_group, own):
            if group is not None and group.exists():
                cgroup.kill_and_remove(group)


def ended_with(pid: int, tmux: Callable[..., str], deadline: float) -> str:
    """How the app in tmux ended: "exit N" or "signal N", from /proc while it is a zombie, else from tmux."""
    while time.monotonic() < deadline:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # reaped by tmux, which keeps the status (remain-on-exit), a moment later
            status, killer = (
                tmux("display-message", "-p", "-t", "app", "#{pane_dead_status}:#{pane_dead_signal}").strip().split(":")
            )
            if status or killer:
                return f"exit {status}" if status else f"signal {killer}"
        else:
            if fields[0] == "Z":
                code = int(fields[-1])  # as waitpid reports it
                return f"exit {code >> 8}" if code & 0x7F == 0 else f"signal {code & 0x7F}"
        time.sleep(0.05)
    raise AssertionError(f"the app ({pid}) is still running")


@pytest.mark.alone
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP", "SIGKILL", "kill-session"])
def test_the_app_stopped_from_outside_leaves_no_process_and_no_run_folder(
    tmp_path: Path, isolated_home: Path, stop: str
) -> None:
    """The app in tmux, running a server: `kill`, `kill -HUP`, `kill -9` and `tmux kill-session` all clean up."""
    marker = f"looplab-test-{uuid.uuid4().hex}"
    root = tiny_course(tmp_path / "c", {"exercises/hello-order/starter.js": escaping_server(marker)})
    socket = f"looplab-signal-test-{os.getpid()}"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=20).stdout

    command = f"env -u COLUMNS LOOPLAB_HOME={isolated_home} {sys.executable} -m app open hello-order --course {root}"
    try:
        tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", "-c", str(REPO), command)
        tmux("set-window-option", "-t", "app", "remain-on-exit", "on")  # keeps the exit status to read
        deadline = time.monotonic() + 60
        while "hello-order" not in tmux("capture-pane", "-p", "-t", "app"):
            assert time.monotonic() < deadline, tmux("capture-pane", "-p", "-t", "app")
            time.sleep(0.2)
        app_pid = int(tmux("display-message", "-p", "-t", "app", "#{pane_pid}"))
        pressed = 0.0
        while len(processes_with(marker)) < 2:  # a key pressed before the app listens is lost: press again
            if time.monotonic() - pressed > 10:
                tmux("send-keys", "-t", "app", "r")
                pressed = time.monotonic()
            assert time.monotonic() < deadline, tmux("capture-pane", "-p", "-t", "app")
            time.sleep(0.2)
        while len(folders := list(Path(tempfile.gettempdir()).glob(f"looplab-run-{app_pid}-*"))) != 1:
            assert time.monotonic() < deadline, folders  # a run replaced by a second `r` is still going away
            time.sleep(0.1)
        if stop == "kill-session":
            tmux("kill-session", "-t", "app")
        else:
            os.kill(app_pid, getattr(signal, stop))
        assert wait_until_gone(marker, folders, seconds=30) == ([], [])  # Textual's own shutdown comes first
        if stop in ("SIGTERM", "SIGHUP"):  # it quit as with Ctrl+Q, not killed by the signal
            assert ended_with(app_pid, tmux, deadline) == f"exit {128 + getattr(signal, stop)}"
    finally:
        tmux("kill-server")


CRASHING_TOML = EXERCISE_TOML.replace(
    'sequence = ["first", "second"]',
    'sequence = [{ text = "first", phase = "main" }, { text = "second", phase = "timers" }]',
)


def test_a_syntax_error_is_the_first_problem_and_no_place_rule_is_met(
    any_node: NodeBinary, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    course = tiny_course(
        tmp_path / "c",
        {
            "exercises/hello-order/exercise.toml": CRASHING_TOML,
            "exercises/hello-order/starter.js": "console.log('first');\nconst x = ;\n",
        },
    )
    code, verdict = Cli(course, capsys).json("check", "hello-order", "--node", str(any_node.path))
    assert code == 1 and verdict["lines"] == []
    assert verdict["violation"]["kind"] == "error"
    assert verdict["violation"]["explanation"] == (
        "The program stopped with an uncaught error at hello-order.js:2: “SyntaxError: Unexpected token ';'”. "
        "The code there: “const x = ;”."
    )
    places = [c for c in verdict["constraints"] if c["kind"] == "place"]
    assert len(places) == 2 and not any(c["passed"] for c in places)


def test_check_shows_nodes_report_of_the_crash_not_the_end_of_its_stack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    course = tiny_course(tmp_path / "c", {"exercises/hello-order/starter.js": "console.log('first');\nnull.f();\n"})
    code, out, _ = Cli(course, capsys)("check", "hello-order")
    assert code == 1
    report = out[out.index("stderr (the error):") :]
    assert "hello-order.js:2" in report and "TypeError: Cannot read properties of null (reading 'f')" in report
    assert "looplab-run-" not in out and "Node.js v" not in out


def test_run_of_a_predict_exercise_waits_for_a_first_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    cli = Cli(course_with_predict(tmp_path / "c"), capsys)
    code, out, err = cli("run", "guess")
    assert code == 2 and "alpha" not in out
    assert err.count("\n") == 1 and "`looplab check guess`" in err
    code, out, _ = cli("run", "guess", "--reference")  # an author may always run it
    assert code == 0 and "alpha" in out
    prediction = workspace_file(isolated_home, "guess", "prediction.txt")
    prediction.parent.mkdir(parents=True)
    prediction.write_text("beta\nalpha\ngamma\n")
    code, out, _ = cli("check", "guess")  # a wrong guess is a guess
    assert code == 1 and "One line is out of place: moving it alone gives an order Node can print." in out
    code, out, _ = cli("run", "guess")
    assert code == 0 and "alpha" in out


def test_a_timed_out_fix_starter_gets_no_tick_for_what_it_never_printed(
    any_node: NodeBinary, capsys: pytest.CaptureFixture[str]
) -> None:
    """exit-heartbeat-interval's starter beats until the 3 s timeout: extra beats and unprinted lines are not ok."""
    code = main(["check", "exit-heartbeat-interval", "--json", "--node", str(any_node.path)])
    verdict = json.loads(capsys.readouterr().out)
    assert code == 1 and verdict["violation"]["kind"] == "timeout"
    texts = [line["text"] for line in verdict["lines"]]
    end = texts.index("import finished")
    assert all(line["status"] == "ok" for line in verdict["lines"][: end + 1])
    assert texts[end + 1 :] and all(line["status"] != "ok" for line in verdict["lines"][end + 1 :])
    for never in ("exit: code 0", "beforeExit: nothing left to wait for"):
        rule = next(c for c in verdict["constraints"] if c["kind"] == "place" and f"“{never}”" in c["description"])
        assert rule["passed"] is False and "never printed" in rule["violation"]["explanation"]


def test_verify_rejects_a_mistyped_deep_dive_marker_with_its_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slides = "# One\n\nHello.\n<!-- end_slide -->\n# Two\n<!-- deep-dive -->\nMore.\n"
    root = tiny_course(tmp_path / "course", {"lessons/intro/slides.md": slides})
    assert main(["verify", "--runs", "1", "--course", str(root)]) != 0
    out = capsys.readouterr()
    where = f"{root / 'lessons' / 'intro' / 'slides.md'}:6: unknown slide marker '<!-- deep-dive -->'"
    assert where in out.out + out.err


def test_an_exercises_node_args_reach_node_before_its_program_traced_or_not(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    toml = EXERCISE_TOML.replace("timeout = 5", 'timeout = 5\nnode_args = ["--expose-gc", "--stack-trace-limit=3"]')
    program = "console.log(typeof globalThis.gc); console.log(String(Error.stackTraceLimit));"
    files = {"exercises/hello-order/exercise.toml": toml.replace('["first", "second"]', '["function", "3"]')}
    files["exercises/hello-order/solution.js"] = program
    root = tiny_course(tmp_path / "c", files)
    assert main(["verify", "--runs", "1", "--course", str(root)]) == 0, capsys.readouterr()
    placed = files["exercises/hello-order/exercise.toml"].replace('"3"]', '{ text = "3", phase = "main" }]')
    root = tiny_course(tmp_path / "t", {**files, "exercises/hello-order/exercise.toml": placed})
    assert main(["verify", "--runs", "1", "--course", str(root)]) == 0, capsys.readouterr()
