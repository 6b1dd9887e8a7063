"""Load lessons/ and exercises/ into a Course, collecting every problem with its file, line and key."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath

from app.check.prediction import prediction_lines, scrambled_prediction
from app.check.spec import Expectation
from app.course.expectations import read_expectation
from app.course.fields import TableReader
from app.course.model import (
    DEFAULT_VIEWS,
    KINDS,
    REQUIREMENTS,
    TLS_FILE_NAMES,
    VIEW_NAMES,
    Course,
    Exercise,
    Fixture,
    Lesson,
    Section,
    TlsFiles,
)
from app.course.slides import parse_slides
from app.course.toml_source import TomlSource, read_toml
from app.errors import LooplabError, Problem, did_you_mean

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
PROGRAM_SUFFIXES = (".js", ".mjs", ".cjs")
COURSE_FILE = "course.toml"
LESSON_FILE = "lesson.toml"
SLIDES_FILE = "slides.md"
EXERCISE_FILE = "exercise.toml"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def load_course(root: Path) -> Course:
    """The course under `root`, or a LooplabError listing every problem found."""
    course, problems = read_course(root)
    if problems or course is None:
        raise LooplabError(*problems)
    return course


def read_course(root: Path) -> tuple[Course | None, list[Problem]]:
    problems: list[Problem] = []
    lessons_dir, exercises_dir = root / "lessons", root / "exercises"
    for folder in (lessons_dir, exercises_dir):
        if not folder.is_dir():
            problems.append(
                Problem("folder not found", file=folder, hint="a course root holds lessons/ and exercises/")
            )
    if problems:
        return None, problems

    try:
        source = read_toml(lessons_dir / COURSE_FILE)
    except LooplabError as exc:
        return None, exc.problems
    top = TableReader(source, source.data, (), problems)
    top.allow_only("title", "sections")
    title = top.text("title", required=True) or "looplab"
    sections = []
    for reader in top.tables("sections"):
        reader.allow_only("id", "title")
        sid, stitle = reader.text("id", required=True), reader.text("title", required=True)
        if sid and stitle:
            if any(s.id == sid for s in sections):
                reader.problem("id", f"section {sid!r} is listed twice")
            sections.append(Section(sid, stitle))
    if not sections:
        top.problem("sections", "the course needs at least one [[sections]] entry")

    exercises: dict[str, Exercise] = {}
    exercise_folders = _subfolders(exercises_dir, problems)
    for folder in exercise_folders:
        exercise = _read_exercise(folder, problems)
        if exercise:
            exercises[exercise.id] = exercise

    lessons = []
    sources: dict[str, TomlSource] = {}  # each lesson.toml, so later checks can name the line
    lesson_folders = _subfolders(lessons_dir, problems)
    for folder in lesson_folders:
        lesson = _read_lesson(folder, sections, [f.name for f in exercise_folders], problems, sources)
        if lesson:
            lessons.append(lesson)

    section_rank = {s.id: i for i, s in enumerate(sections)}
    lessons.sort(key=lambda lesson: (section_rank.get(lesson.section, 1 << 20), lesson.order, lesson.id))
    _check_lesson_orders(lessons, sources, problems)
    # A lesson that failed to load may list the exercises that now look orphaned: don't blame them too.
    owners = _exercise_owners(lessons, exercises, sources, problems, len(lessons) == len(lesson_folders))
    linked = {eid: replace(e, lesson=owners.get(eid, "")) for eid, e in exercises.items()}
    return Course(title, root, tuple(sections), tuple(lessons), linked), problems


def _subfolders(parent: Path, problems: list[Problem]) -> list[Path]:
    folders = []
    for child in sorted(parent.iterdir()):
        if not child.is_dir() or child.name.startswith((".", "_")):
            continue
        if not ID_PATTERN.fullmatch(child.name):
            problems.append(
                Problem(
                    "folder name is not a valid id",
                    file=child,
                    hint="use lowercase letters, digits and dashes",
                )
            )
            continue
        folders.append(child)
    return folders


def _check_lesson_orders(lessons: list[Lesson], sources: dict[str, TomlSource], problems: list[Problem]) -> None:
    seen: dict[tuple[str, int], str] = {}
    for lesson in lessons:
        other = seen.setdefault((lesson.section, lesson.order), lesson.id)
        if other != lesson.id:
            message = f"order {lesson.order} is already used by lesson {other!r} in section {lesson.section!r}"
            problems.append(sources[lesson.id].problem(("order",), message))


def _exercise_owners(
    lessons: list[Lesson],
    exercises: dict[str, Exercise],
    sources: dict[str, TomlSource],
    problems: list[Problem],
    report_orphans: bool,
) -> dict[str, str]:
    owners: dict[str, str] = {}
    for lesson in lessons:
        for i, eid in enumerate(lesson.exercises):
            if eid in owners:
                message = f"exercise {eid!r} is already used by lesson {owners[eid]!r}"
                problems.append(sources[lesson.id].problem(("exercises", i), message))
            owners.setdefault(eid, lesson.id)
    for eid, exercise in exercises.items():
        if eid not in owners and report_orphans:
            problems.append(
                Problem(
                    "no lesson lists this exercise",
                    file=exercise.folder / EXERCISE_FILE,
                    hint=f"add {eid!r} to the exercises of a lesson.toml",
                )
            )
    return owners


def _read_lesson(
    folder: Path,
    sections: list[Section],
    exercise_ids_on_disk: list[str],
    problems: list[Problem],
    sources: dict[str, TomlSource],
) -> Lesson | None:
    try:
        source = sources[folder.name] = read_toml(folder / LESSON_FILE)
    except LooplabError as exc:
        problems += exc.problems
        return None
    reader = TableReader(source, source.data, (), problems)
    reader.allow_only("title", "section", "order", "summary", "exercises", "views")
    title = reader.text("title", required=True)
    section = reader.text("section", required=True)
    order = reader.integer("order", low=1, high=10_000, required=True)
    summary = reader.text("summary", default="") or ""
    exercise_ids = reader.text_list("exercises", required=True)
    views = reader.text_list("views") or list(DEFAULT_VIEWS)
    for i, view in enumerate(views):
        if view not in VIEW_NAMES:
            hint = did_you_mean(view, VIEW_NAMES) or f"use one of {', '.join(VIEW_NAMES)}"
            reader.problem(("views", i), f"unknown view {view!r}", hint)
    if len(set(views)) != len(views):
        reader.problem("views", "a view is named twice", "name each view once")
    known_sections = [s.id for s in sections]
    if section and section not in known_sections:
        reader.problem(
            "section",
            f"unknown section {section!r}",
            did_you_mean(section, known_sections) or f"sections are listed in lessons/{COURSE_FILE}",
        )
    for i, eid in enumerate(exercise_ids):
        if eid not in exercise_ids_on_disk:
            reader.problem(
                ("exercises", i),
                f"unknown exercise {eid!r}",
                did_you_mean(eid, exercise_ids_on_disk) or "each exercise is a folder under exercises/",
            )
    slides_path = folder / SLIDES_FILE
    if not slides_path.is_file():
        problems.append(Problem("file not found", file=slides_path, hint="every lesson needs slides.md"))
        return None
    slides = parse_slides(slides_path.read_text(encoding="utf-8"), slides_path, problems)
    if not (title and section and order):
        return None
    return Lesson(folder.name, title, section, order, summary, tuple(exercise_ids), folder, slides, tuple(views))


def _read_exercise(folder: Path, problems: list[Problem]) -> Exercise | None:
    try:
        source = read_toml(folder / EXERCISE_FILE)
    except LooplabError as exc:
        problems += exc.problems
        return None
    before = len(problems)
    reader = TableReader(source, source.data, (), problems)
    reader.allow_only(
        "title",
        "kind",
        "entry",
        "prompt",
        "hints",
        "timeout",
        "env",
        "node_args",
        "requires",
        "fixtures",
        "tls",
        "expect",
    )
    title = reader.text("title", required=True)
    kind = reader.text("kind", required=True)
    if kind is not None and kind not in KINDS:
        reader.problem("kind", f"unknown kind {kind!r}", did_you_mean(kind, KINDS) or f"use one of {', '.join(KINDS)}")
    prompt = reader.text("prompt", required=True)
    hints = reader.text_list("hints", required=kind in ("predict", "fix"))
    if kind in ("predict", "fix") and "hints" in reader.table and not hints:
        reader.problem("hints", "give at least one hint")
    timeout = reader.number("timeout", low=0.5, high=120, default=10.0)

    starter, solution = _program_files(folder, kind, problems)
    entry = reader.text("entry", default=f"{folder.name}{starter.suffix}" if starter else None)
    if entry and starter and (PurePosixPath(entry).name != entry or PurePosixPath(entry).suffix != starter.suffix):
        reader.problem("entry", f"must be a plain file name ending in {starter.suffix}, not {entry!r}")

    env = _read_env(reader)
    node_args = _read_node_args(reader)
    requires = _read_requires(reader)
    fixtures = _read_fixtures(reader, folder, entry)
    tls = _read_tls(reader, fixtures, entry)
    expect = reader.sub_table("expect")
    if expect is None and "expect" not in reader.table:
        reader.problem("expect", "missing required table [expect]")
    expectation = read_expectation(expect) if expect else None
    # Only judge what the expectation asks for once it parsed cleanly, so one mistake is reported once.
    if expectation is not None and kind in ("predict", "fix") and len(problems) == before:
        _check_checkable(reader, kind, expectation)

    if len(problems) > before or not (title and kind and prompt and starter and entry and expectation):
        return None
    return Exercise(
        folder.name,
        title,
        kind,
        folder,
        entry,
        starter,
        solution,
        prompt,
        tuple(hints),
        fixtures,
        env,
        timeout,
        expectation,
        tls=tls,
        node_args=node_args,
        requires=requires,
    )


def _program_files(folder: Path, kind: str | None, problems: list[Problem]) -> tuple[Path | None, Path | None]:
    starters = [folder / f"starter{s}" for s in PROGRAM_SUFFIXES if (folder / f"starter{s}").is_file()]
    solutions = [folder / f"solution{s}" for s in PROGRAM_SUFFIXES if (folder / f"solution{s}").is_file()]
    if len(starters) != 1:
        problems.append(
            Problem(
                "file not found" if not starters else "more than one starter file",
                file=folder / "starter.js",
                hint="an exercise has exactly one starter.js, starter.mjs or starter.cjs",
            )
        )
        return None, None
    starter = starters[0]
    if kind == "fix":
        if not solutions:
            problems.append(
                Problem(
                    "file not found",
                    file=folder / f"solution{starter.suffix}",
                    hint="a fix exercise needs a reference solution",
                )
            )
            return starter, None
        if solutions[0].suffix != starter.suffix:
            problems.append(Problem(f"must have the same suffix as {starter.name}", file=solutions[0]))
        return starter, solutions[0]
    if solutions and kind in ("predict", "explore"):
        problems.append(
            Problem(f"a {kind} exercise has no solution file; its starter is the program", file=solutions[0])
        )
    return starter, None


def _read_env(reader: TableReader) -> dict[str, str]:
    table = reader.sub_table("env")
    env: dict[str, str] = {}
    if table is None:
        return env
    for name, value in table.table.items():
        if not _ENV_NAME.fullmatch(name):
            table.problem(name, "is not a valid environment variable name")
        elif not isinstance(value, str):
            table.problem(name, "environment values must be strings", f'write {name} = "{value}"')
        else:
            env[name] = value
    return env


def _read_node_args(reader: TableReader) -> tuple[str, ...]:
    """Options given to Node before the entry file, such as `--expose-gc` or `--max-semi-space-size=1`."""
    args = reader.text_list("node_args")
    for index, arg in enumerate(args):
        if not _NODE_OPTION.fullmatch(arg):
            reader.problem(
                ("node_args", index),
                f"{arg!r} is not a Node option",
                'write each option on its own, starting with --, such as "--expose-gc"',
            )
        elif arg.split("=", 1)[0] in _NOT_NODE_ARGS:
            reader.problem(
                ("node_args", index), f"{arg!r} would change what runs", "the entry file is the exercise's program"
            )
    return tuple(args)


def _read_requires(reader: TableReader) -> tuple[str, ...]:
    """What the exercise needs besides Node, such as `["cc"]` for one that compiles a C add-on."""
    wanted = reader.text_list("requires")
    for index, name in enumerate(wanted):
        if name not in REQUIREMENTS:
            hint = did_you_mean(name, REQUIREMENTS) or f"use one of {', '.join(REQUIREMENTS)}"
            reader.problem(("requires", index), f"unknown requirement {name!r}", hint)
    return tuple(dict.fromkeys(wanted))


_NODE_OPTION = re.compile(r"--[a-z0-9][a-z0-9-]*(=\S+)?")
_NOT_NODE_ARGS = frozenset(
    ("--require", "--import", "--eval", "--print", "--check", "--interactive", "--test", "--watch", "--loader")
)
_LOOPBACK_NAMES = ("localhost",)


def _read_tls(reader: TableReader, fixtures: tuple[Fixture, ...], entry: str | None) -> TlsFiles | None:
    """The `[tls]` table: hosts (subjectAltName entries, loopback names and addresses) and a common_name."""
    table = reader.sub_table("tls")
    if table is None:
        return None
    table.allow_only("hosts", "common_name")
    if "hosts" not in table.table:
        table.problem("hosts", "missing: name the hosts the certificate is for", 'hosts = ["localhost", "127.0.0.1"]')
    hosts = table.text_list("hosts")
    for index, host in enumerate(hosts):
        problem = _not_a_loopback_host(host)
        if problem:
            table.problem(("hosts", index), problem, 'use "localhost", a name under .localhost, 127.0.0.1 or ::1')
    common_name = table.text("common_name") or (hosts[0] if hosts else "")
    if not common_name:
        table.problem("common_name", "a certificate with no hosts needs a common_name", 'common_name = "localhost"')
    for name in TLS_FILE_NAMES:
        if name == entry or any(f.path == name for f in fixtures):
            table.problem((), f"[tls] writes {name}, which is also the program or a fixture", "rename that file")
    return TlsFiles(tuple(hosts), common_name)


def _not_a_loopback_host(host: str) -> str | None:
    """Why `host` may not be on an exercise's certificate (None if it may): this machine's names only."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower().rstrip(".")
        if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
            return None
        return f"{host!r} is not a loopback name"
    return None if address.is_loopback else f"{host!r} is not a loopback address"


# exercises/_shared/: fixture files that several exercises copy with from = "../_shared/NAME"
SHARED_FIXTURES = "_shared"


def _read_fixtures(reader: TableReader, folder: Path, entry: str | None) -> tuple[Fixture, ...]:
    fixtures: list[Fixture] = []
    for item in reader.tables("fixtures"):
        item.allow_only("path", "text", "from")
        path = item.text("path", required=True)
        if path is None:
            continue
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or "\\" in path or not pure.parts:
            item.problem("path", f"must be a relative path inside the run directory, not {path!r}")
            continue
        if str(pure) == entry:
            item.problem("path", f"{path!r} is the program itself", "name the fixture something else")
            continue
        if any(f.path == str(pure) for f in fixtures):
            item.problem("path", f"{path!r} is listed twice")
            continue
        if ("text" in item.table) == ("from" in item.table):
            item.problem((), "a fixture needs exactly one of 'text' or 'from'")
            continue
        if "text" in item.table:
            text = item.get("text", str, default="")
            fixtures.append(Fixture(str(pure), text.encode("utf-8")))
            continue
        origin = item.text("from") or ""
        origin_path = (folder / origin).resolve()
        allowed = (folder.resolve(), (folder.parent / SHARED_FIXTURES).resolve())
        if not any(origin_path.is_relative_to(a) for a in allowed) or not origin_path.is_file():
            item.problem(
                "from",
                f"no file {origin!r} in {folder.name}/",
                f"'from' names a file inside the exercise folder, or ../{SHARED_FIXTURES}/NAME for one several share",
            )
            continue
        fixtures.append(Fixture(str(pure), origin_path.read_bytes()))
    return tuple(fixtures)


def _check_checkable(reader: TableReader, kind: str, expectation: Expectation) -> None:
    specs = [((), expectation.base)] + [(("variant", i), v.spec) for i, v in enumerate(expectation.variants)]
    for key, spec in specs:
        where = ("expect",) + key
        if not (spec.orderings or spec.before or spec.counts):
            reader.problem(where, f"a {kind} exercise must expect an order: give 'sequence', 'one_of' or 'before'")
            continue
        if kind != "predict":
            continue
        if prediction_lines(spec) is None:
            reader.problem(
                where + ("sequence",),
                "a predict exercise needs a sequence of literal lines for the learner to order",
            )
        elif scrambled_prediction(spec) is None:
            reader.problem(
                where + ("sequence",),
                "every order of these lines is accepted, so there is nothing to predict",
            )
