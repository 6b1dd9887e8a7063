"""Loading lessons and exercises: a valid course loads, and every mistake is one line with file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.course.load import load_course, read_course
from app.course.slides import parse_slides
from app.course.toml_source import read_toml
from app.errors import LooplabError
from tests.conftest import EXERCISE_TOML, LESSON_TOML, REPO, tiny_course

EX = "exercises/hello-order/exercise.toml"
LESSON = "lessons/intro/lesson.toml"


def problems_of(root: Path) -> list[str]:
    _, problems = read_course(root)
    return [str(p) for p in problems]


def only_problem(root: Path) -> str:
    found = problems_of(root)
    assert len(found) == 1, found
    return found[0]


def test_the_tiny_course_loads(course_dir: Path) -> None:
    course = load_course(course_dir)
    assert [lesson.id for lesson in course.lessons] == ["intro"]
    exercise = course.exercise("hello-order")
    assert (exercise.kind, exercise.entry, exercise.lesson, exercise.timeout) == (
        "fix",
        "hello-order.js",
        "intro",
        5,
    )
    assert exercise.reference.name == "solution.js"
    assert [s.title for s in course.lessons[0].slides] == ["One", "Two"]


def test_the_shipped_course_loads_without_problems() -> None:
    course, problems = read_course(REPO)
    assert problems == []
    assert course is not None and len(course.lessons) >= 1


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {EX: 'title = "x"\nkind = predict\n'})
    problem = only_problem(root)
    assert problem.startswith(f"{root}/exercises/hello-order/exercise.toml:2: invalid TOML")


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {EX: EXERCISE_TOML.replace("hints =", "hintz =")})
    found = problems_of(root)
    assert f"{root}/exercises/hello-order/exercise.toml:4: hintz: unknown key (did you mean 'hints'?)" in found


def test_wrong_type_names_the_key_and_what_was_found(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {EX: EXERCISE_TOML.replace("timeout = 5", 'timeout = "5"')})
    assert only_problem(root) == (
        f"{root}/exercises/hello-order/exercise.toml:5: timeout: must be a number, not a string ('5')"
    )


def test_unknown_kind_suggests_a_kind(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {EX: EXERCISE_TOML.replace('"fix"', '"fixx"')})
    assert "exercise.toml:2: kind: unknown kind 'fixx' (did you mean 'fix'?)" in only_problem(root)


def test_bad_regex_points_at_the_array_element(tmp_path: Path) -> None:
    toml = EXERCISE_TOML.replace('sequence = ["first", "second"]', 'sequence = [\n  "first",\n  { re = "sec(ond" },\n]')
    root = tiny_course(tmp_path, {EX: toml})
    problem = only_problem(root)
    assert "exercise.toml:10: expect.sequence[1].re: invalid regular expression" in problem


def test_bad_variant_node_range_suggests_the_syntax(tmp_path: Path) -> None:
    toml = EXERCISE_TOML + '\n[[expect.variant]]\nnode = "v20"\nwhy = "old"\nsequence = ["second", "first"]\n'
    root = tiny_course(tmp_path, {EX: toml})
    problem = only_problem(root)
    assert "exercise.toml:11: expect.variant[0].node: cannot read Node version range 'v20'" in problem
    assert '(write it like "20"' in problem


def test_a_variant_needs_a_reason(tmp_path: Path) -> None:
    toml = EXERCISE_TOML + '\n[[expect.variant]]\nnode = "20"\nsequence = ["second", "first"]\n'
    root = tiny_course(tmp_path, {EX: toml})
    assert "expect.variant[0].why: missing required key 'why'" in only_problem(root)


def test_overlapping_variants_are_reported(tmp_path: Path) -> None:
    variant = '\n[[expect.variant]]\nnode = "{}"\nwhy = "w"\nsequence = ["second", "first"]\n'
    toml = EXERCISE_TOML + variant.format(">=20") + variant.format("22")
    root = tiny_course(tmp_path, {EX: toml})
    assert "overlaps '>=20' on Node 22" in only_problem(root)


def test_missing_starter_file(tmp_path: Path) -> None:
    root = tiny_course(tmp_path)
    (root / "exercises/hello-order/starter.js").unlink()
    problem = only_problem(root)
    assert problem.startswith(f"{root}/exercises/hello-order/starter.js: file not found")


def test_fix_exercise_without_solution(tmp_path: Path) -> None:
    root = tiny_course(tmp_path)
    (root / "exercises/hello-order/solution.js").unlink()
    assert "solution.js: file not found (a fix exercise needs a reference solution)" in only_problem(root)


def test_unknown_exercise_in_a_lesson_suggests_the_real_one(tmp_path: Path) -> None:
    lesson = 'title = "L"\nsection = "basics"\norder = 1\nexercises = ["hello-ordr"]\n'
    root = tiny_course(tmp_path, {LESSON: lesson})
    found = problems_of(root)
    assert (
        f"{root}/lessons/intro/lesson.toml:4: exercises[0]: unknown exercise 'hello-ordr' (did you mean 'hello-order'?)"
        in found
    )
    assert any("no lesson lists this exercise" in p for p in found)


def test_unknown_section_suggests_the_real_one(tmp_path: Path) -> None:
    lesson = 'title = "L"\nsection = "basic"\norder = 1\nexercises = ["hello-order"]\n'
    root = tiny_course(tmp_path, {LESSON: lesson})
    assert (
        only_problem(root)
        == f"{root}/lessons/intro/lesson.toml:2: section: unknown section 'basic' (did you mean 'basics'?)"
    )


def test_missing_required_key(tmp_path: Path) -> None:
    lesson = 'section = "basics"\norder = 1\nexercises = ["hello-order"]\n'
    root = tiny_course(tmp_path, {LESSON: lesson})
    assert only_problem(root) == f"{root}/lessons/intro/lesson.toml: title: missing required key 'title'"


def test_duplicate_lesson_order_in_a_section(tmp_path: Path) -> None:
    root = tiny_course(
        tmp_path,
        {
            "lessons/second/lesson.toml": 'title = "L2"\nsection = "basics"\norder = 1\nexercises = []\n',
            "lessons/second/slides.md": "# Hi\n",
        },
    )
    assert only_problem(root) == (
        f"{root}/lessons/second/lesson.toml:3: order: order 1 is already used by lesson 'intro' in section 'basics'"
    )


def test_an_exercise_in_two_lessons_points_at_the_second_listing(tmp_path: Path) -> None:
    second = 'title = "L2"\nsection = "basics"\norder = 2\nexercises = ["hello-order"]\n'
    root = tiny_course(tmp_path, {"lessons/second/lesson.toml": second, "lessons/second/slides.md": "# Hi\n"})
    assert only_problem(root) == (
        f"{root}/lessons/second/lesson.toml:4: exercises[0]: exercise 'hello-order' is already used by lesson 'intro'"
    )


def test_fixture_paths_must_stay_inside_the_run_folder(tmp_path: Path) -> None:
    toml = EXERCISE_TOML + '\n[[fixtures]]\npath = "../escape.txt"\ntext = "x"\n'
    root = tiny_course(tmp_path, {EX: toml})
    assert "fixtures[0].path: must be a relative path inside the run directory" in only_problem(root)


def test_fixture_from_a_missing_file(tmp_path: Path) -> None:
    toml = EXERCISE_TOML + '\n[[fixtures]]\npath = "a.mjs"\nfrom = "fixtures/a.mjs"\n'
    root = tiny_course(tmp_path, {EX: toml})
    assert "fixtures[0].from: no file 'fixtures/a.mjs' in hello-order/" in only_problem(root)


def test_a_fixture_may_come_from_the_shared_folder_but_not_from_another_exercise(tmp_path: Path) -> None:
    shared = EXERCISE_TOML + '\n[[fixtures]]\npath = "dns.js"\nfrom = "../_shared/dns.js"\n'
    root = tiny_course(tmp_path, {EX: shared, "exercises/_shared/dns.js": "// shared\n"})
    assert load_course(root).exercise("hello-order").fixtures[0].content == b"// shared\n"
    foreign = EXERCISE_TOML + '\n[[fixtures]]\npath = "dns.js"\nfrom = "../other/dns.js"\n'
    root = tiny_course(tmp_path / "b", {EX: foreign, "exercises/other/dns.js": "// not shared\n"})
    assert "fixtures[0].from: no file '../other/dns.js' in hello-order/" in "\n".join(problems_of(root))


def test_env_values_must_be_strings(tmp_path: Path) -> None:
    toml = EXERCISE_TOML.replace("[expect]", "[env]\nDEPTH = 3\n\n[expect]")
    root = tiny_course(tmp_path, {EX: toml})
    assert 'env.DEPTH: environment values must be strings (write DEPTH = "3")' in only_problem(root)


def test_predict_with_a_regex_line_cannot_be_predicted(tmp_path: Path) -> None:
    toml = EXERCISE_TOML.replace('"fix"', '"predict"').replace('"second"]', '{ re = "sec.*" }]')
    root = tiny_course(tmp_path, {EX: toml})
    (root / "exercises/hello-order/solution.js").unlink()
    assert "needs a sequence of literal lines" in only_problem(root)


def test_predict_where_every_order_is_accepted_has_nothing_to_predict(tmp_path: Path) -> None:
    toml = EXERCISE_TOML.replace('"fix"', '"predict"').replace(
        'sequence = ["first", "second"]', 'sequence = [{ any_order = ["first", "second"] }]'
    )
    root = tiny_course(tmp_path, {EX: toml})
    (root / "exercises/hello-order/solution.js").unlink()
    assert "nothing to predict" in only_problem(root)


def test_bad_folder_name(tmp_path: Path) -> None:
    root = tiny_course(tmp_path)
    (root / "exercises/hello-order").rename(root / "exercises/Hello_Order")
    found = problems_of(root)
    assert any("Hello_Order: folder name is not a valid id" in p for p in found)


def test_load_course_raises_one_line_per_problem(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {EX: EXERCISE_TOML.replace('"fix"', '"fixx"')})
    with pytest.raises(LooplabError) as caught:
        load_course(root)
    assert all("\n" not in str(p) for p in caught.value.problems)


def test_toml_locator_records_tables_arrays_and_inline_tables(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        'a = 1\n[[fix]]\npath = "x"\n[[fix]]\npath = "y"\n[expect]\nsequence = [\n  "a",\n  { re = "b" },\n]\n'
    )
    source = read_toml(path)
    assert source.line_of(("fix", 1, "path")) == 5
    assert source.line_of(("expect", "sequence", 1, "re")) == 9
    assert source.line_of(("expect", "sequence", 7)) == 7  # falls back to the nearest ancestor


def test_toml_locator_counts_lines_inside_every_kind_of_string(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        'a = "q\\"uote # not a comment"\n'
        "b = 'lit\\\\'\n"
        'c = """\none "" two\n\\"""\nthree""""\n'
        "d = '''\n'' x\n'''\n"
        "e = [\"\"\"\n\"\"\", '''\n''']\n"
        "f = 6\n"
    )
    source = read_toml(path)
    assert source.data["c"] == 'one "" two\n"""\nthree"'
    assert [source.line_of((key,)) for key in "abcdef"] == [1, 2, 3, 7, 10, 13]
    assert source.line_of(("e", 1)) == 11


def test_slides_are_split_and_notes_are_kept_off_the_slide(tmp_path: Path) -> None:
    problems: list = []
    text = (
        "# A\n\nbody\n<!-- speaker_note: one -->\n<!-- speaker_note:\nmulti\nline\n-->\n<!-- end_slide -->\n"
        "# B\n\n```js\n// <!-- end_slide --> inside code is not a break\n```\n"
    )
    slides = parse_slides(text, tmp_path / "slides.md", problems)
    assert problems == []
    assert [s.title for s in slides] == ["A", "B"]
    assert "speaker_note" not in slides[0].markdown and "one" not in slides[0].markdown
    assert slides[0].notes.split() == ["one", "multi", "line"]
    assert "inside code" in slides[1].markdown


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("# A\n```js\nx\n", "code block opened with ``` is never closed", 2),
        ("# A\n<!-- speaker_note:\nnever closed\n", "speaker note is never closed with -->", 2),
        ("# A\n<!-- end_slide -->\n<!-- end_slide -->\n# B\n", "empty slide", 3),
        ("# A\n```jsx2\nx\n```\n", "unknown code language 'jsx2'", 2),
        ("# A\n```\nx\n```\n", "code block has no language", 2),
        ("# A\n<!-- deep -->\n", "unknown slide marker '<!-- deep -->'", 2),
        ("# A\n\n<!-- deep-dive -->\n", "unknown slide marker '<!-- deep-dive -->'", 3),
        ("# A\n<!-- deep_dive: yes -->\n", "unknown slide marker '<!-- deep_dive: yes -->'", 2),
        ("# A\n<!-- end_slide-->\n# B\n", "unknown slide marker '<!-- end_slide-->'", 2),
        (
            "# A\n<!-- deep_dive -->\n<!-- deep_dive -->\n",
            "second <!-- deep_dive --> on one slide (the first is on line 2)",
            3,
        ),
        ("# A\n<!-- deep_dive -->\n", "every slide is a deep dive, so the core path is empty", 1),
        ("# A\n```js fragmnet\nx\n```\n", "unknown code block attribute 'fragmnet'", 2),
        ("# A\n```text fragment\nx\n```\n", "'fragment' on a text block", 2),
        ("# A\n```js needs=busy-four\nx\n```\n", "unknown snippet 'busy-four' in needs=", 2),
        ("# A\n```js exit=one\nx\n```\n", "exit= takes an exit code such as exit=1, not 'one'", 2),
        ("# A\n\n```js fragment run\nx\n```\n", "a fragment never runs, so it cannot be a live demo", 3),
        ("# A\n```sh run\nls\n```\n", "'run' on a sh block", 2),
        ("# A\n```js runs\nx\n```\n", "unknown code block attribute 'runs'", 2),
    ],
)
def test_slide_mistakes_are_located(tmp_path: Path, text: str, message: str, line: int) -> None:
    problems: list = []
    parse_slides(text, tmp_path / "slides.md", problems)
    assert [(p.message, p.line) for p in problems][:1] == [(message, line)]


def test_deep_dives_fragments_and_snippets_are_read_and_kept_off_the_slide(tmp_path: Path) -> None:
    problems: list = []
    snippet = tmp_path / "lessons" / "_snippets" / "busy-for.js"
    snippet.parent.mkdir(parents=True)
    snippet.write_text("// busyFor(ms) holds the thread\nfunction busyFor(ms) {}\n")
    text = (
        "# Core\n\n```js needs=busy-for\nbusyFor(5);\n```\n<!-- end_slide -->\n"
        "# Deep\n<!-- deep_dive -->\n```js fragment\nexcerpt(\n```\n\n```js exit=3\nprocess.exit(3);\n```\n"
    )
    core, deep = parse_slides(text, tmp_path / "lessons" / "intro" / "slides.md", problems)
    assert problems == []
    assert not core.deep and deep.deep and "deep_dive" not in deep.markdown
    assert [(b.runnable, b.needs, b.line) for b in core.code] == [(True, (snippet,), 3)]
    assert "```js\n" in core.markdown and "needs=" not in core.markdown
    assert "_snippets/busy-for.js`: busyFor(ms) holds the thread" in core.markdown  # the reader sees what it needs
    assert [(b.runnable, b.exit_code) for b in deep.code] == [(False, 0), (True, 3)]
    assert "fragment" not in deep.markdown and deep.body.startswith("```js")  # the title is the header's


def test_a_block_marked_run_is_a_live_demo_and_still_runnable(tmp_path: Path) -> None:
    problems: list = []
    text = "# Live\n\n```js run exit=2\nprocess.exitCode = 2;\n```\n\n```js\nconsole.log(1);\n```\n"
    (slide,) = parse_slides(text, tmp_path / "slides.md", problems)
    assert problems == []
    assert [(b.live, b.runnable, b.exit_code) for b in slide.code] == [(True, True, 2), (False, True, 0)]
    assert "run" not in slide.markdown.split("\n")[2]  # the fence the reader sees is plain ```js


def test_a_line_may_say_its_phase_and_queue(tmp_path: Path) -> None:
    toml = EXERCISE_TOML.replace('"second"]', '{ text = "second", phase = "timers", queue = "macrotask" }]')
    course, problems = read_course(tiny_course(tmp_path, {EX: toml}))
    assert problems == []
    (pattern,) = course.exercise("hello-order").expectation.base.placed_patterns
    assert (pattern.text, pattern.phase, pattern.queue) == ("second", "timers", "macrotask")


def test_a_line_may_say_which_thread_prints_it(tmp_path: Path) -> None:
    toml = EXERCISE_TOML.replace('"second"]', '{ text = "second", phase = "timers", thread = "worker" }]')
    course, problems = read_course(tiny_course(tmp_path, {EX: toml}))
    assert problems == []
    (pattern,) = course.exercise("hello-order").expectation.base.placed_patterns
    assert (pattern.text, pattern.phase, pattern.thread) == ("second", "timers", "worker")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{ text = "second", phase = "timer" }', "phase: unknown phase 'timer' (did you mean 'timers'?)"),
        ('{ text = "second", thread = "workers" }', "thread: unknown thread 'workers' (did you mean 'worker'?)"),
        ('{ text = "second", queue = "nexttick" }', "queue: unknown queue 'nexttick' (did you mean 'nextTick'?)"),
        ('{ text = "second", phaze = "poll" }', "phaze: unknown key in a line (did you mean 'phase'?)"),
    ],
)
def test_bad_phases_and_queues_are_named(tmp_path: Path, line: str, message: str) -> None:
    toml = EXERCISE_TOML.replace('"second"]', line + "]")
    assert message in only_problem(tiny_course(tmp_path, {EX: toml}))


def _letters(text: str) -> str:
    """The first letters and digits of a title: enough to tell slides apart, blind to punctuation and an ellipsis."""
    return re.sub(r"[^a-z0-9]", "", text.lower())[:12]


def test_the_fact_audit_cites_slides_that_exist_under_their_own_titles() -> None:
    """lessons/FACTS.md maps each fact of the notes to a slide; a slide moved or renamed must be caught here."""
    course = load_course(REPO)
    lessons = {lesson.id: lesson for lesson in course.lessons}
    audited, lesson, cited = set(), None, 0
    for row in (REPO / "lessons/FACTS.md").read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"## `([a-z0-9-]+)`", row):
            lesson = lessons[heading.group(1)]
            audited.add(lesson.id)
        elif lesson is not None and re.match(r"\| \d+ \|", row):
            status = row.rstrip(" |").rsplit("|", 1)[1].strip()
            assert status.startswith(("present", "added", "corrected", "left out")), row
            for number, title in re.findall(r"(?:^|[;,(] ?)(\d+): ([^;,(]+)", row.split("|")[4].strip()):
                assert int(number) <= len(lesson.slides), f"{lesson.id}: no slide {number} ({row})"
                real = lesson.slides[int(number) - 1].title
                cited_as = _letters(title.rstrip("… "))
                assert _letters(real).startswith(cited_as), f"{lesson.id} slide {number} is {real!r}"
                cited += 1
    assert {lesson.id for lesson in course.lessons} <= audited, "every lesson has its table of facts"
    assert cited > 200


def test_the_coverage_table_names_every_exercise_with_its_real_kind() -> None:
    course = load_course(REPO)
    table = (REPO / "lessons/README.md").read_text(encoding="utf-8").split("## Where current Node differs")[0]
    wanted = {e for lesson in course.lessons for e in lesson.exercises}
    named = set(re.findall(r"`([a-z0-9-]+)`", table)) & set(course.exercises)
    assert wanted <= named, f"missing from the coverage table: {sorted(wanted - named)}"
    kinds = re.findall(r"`([a-z0-9-]+)` \((predict|fix|explore)\b", table)
    assert kinds and all(course.exercises[e].kind == kind for e, kind in kinds), kinds


def test_a_core_slide_never_leans_on_a_deep_dive_next_to_it() -> None:
    """The core path skips deep dives, so "the previous slide" on a core slide must be a core slide too."""
    for lesson in load_course(REPO).lessons:
        slides = lesson.slides
        assert any(slide.deep for slide in slides) and not slides[0].deep, lesson.id
        for index, slide in enumerate(slides):
            if slide.deep:
                continue
            text = slide.markdown.lower()
            if index > 0 and re.search(r"(previous|last) slide", text):
                assert not slides[index - 1].deep, f"{lesson.id} slide {slide.number} points back at a deep dive"
            if index + 1 < len(slides) and re.search(r"next slide", text):
                assert not slides[index + 1].deep, f"{lesson.id} slide {slide.number} points on to a deep dive"


def test_a_lesson_names_the_views_it_opens_with(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {LESSON: LESSON_TOML + 'views = ["loop", "pool"]\n'})
    assert load_course(root).lessons[0].views == ("loop", "pool")
    assert load_course(tiny_course(tmp_path / "plain")).lessons[0].views == ("loop",)


def test_an_unknown_view_is_named_with_a_suggestion(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {LESSON: LESSON_TOML + 'views = ["loop", "fd"]\n'})
    assert only_problem(root) == f"{root}/{LESSON}:5: views[1]: unknown view 'fd' (did you mean 'fds'?)"


def test_node_args_must_be_node_options_that_keep_the_entry_file(tmp_path: Path) -> None:
    toml = EXERCISE_TOML.replace("timeout = 5", 'timeout = 5\nnode_args = ["--expose-gc", "gc", "--require=x.js"]')
    found = "\n".join(problems_of(tiny_course(tmp_path, {EX: toml})))
    assert "exercise.toml:6: node_args[1]: 'gc' is not a Node option" in found
    assert "node_args[2]: '--require=x.js' would change what runs" in found
    assert "node_args[0]" not in found
