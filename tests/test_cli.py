"""The command line: every command, its JSON shapes, its exit codes, and one-line errors for bad input."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from app import __version__
from app.cli.main import main
from tests.conftest import EXERCISE_TOML, REPO, course_with_predict, processes_with, tiny_course


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
    assert "run" not in verdict
    prediction = workspace_file(isolated_home, "guess", "prediction.txt")
    assert prediction.read_text().startswith("# Put these lines in the order")
    prediction.write_text("# my answer\nalpha\nbeta\ngamma\n")
    code, verdict = cli.json("check", "guess")
    assert code == 0 and verdict["prediction"] == ["alpha", "beta", "gamma"]
    assert cli.json("list")[1]["lessons"][0]["exercises"][1] == {"id": "guess", "kind": "predict", "status": "passed"}


def test_hint_all_shows_every_hint(cli: Cli) -> None:
    code, out, _ = cli("hint", "hello-order", "--all")
    assert code == 0 and "hint 1/1" in out and "again for the next one" not in out


def test_overview_continues_with_the_exercise_last_worked_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = Cli(course_with_predict(tmp_path / "c"), capsys)
    cli("run", "guess")
    code, out, _ = cli()
    assert code == 0 and "next: guess" in out


def test_ctrl_c_during_run_stops_the_program_and_its_children(tmp_path: Path, isolated_home: Path) -> None:
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


def test_notes_follow_shows_each_slide_the_app_turns_to(course_dir: Path, isolated_home: Path) -> None:
    """A second terminal for the instructor: it follows the slides and prints each slide's speaker notes."""
    from app.learner.presenter import publish

    follower = subprocess.Popen(
        [sys.executable, "-m", "app", "notes", "--follow", "--course", str(course_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LOOPLAB_HOME": str(isolated_home)},
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


def test_verify_rejects_a_mistyped_deep_dive_marker_with_its_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slides = "# One\n\nHello.\n<!-- end_slide -->\n# Two\n<!-- deep-dive -->\nMore.\n"
    root = tiny_course(tmp_path / "course", {"lessons/intro/slides.md": slides})
    assert main(["verify", "--runs", "1", "--course", str(root)]) != 0
    out = capsys.readouterr()
    where = f"{root / 'lessons' / 'intro' / 'slides.md'}:6: unknown slide marker '<!-- deep-dive -->'"
    assert where in out.out + out.err
