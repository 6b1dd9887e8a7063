"""`looplab export`: every shipped lesson as a self-contained HTML handout, a recorded run drawn in it, and the
one-line errors (unknown lesson, a file already there, no PDF converter)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

import app.handout.pdf
from app.cli.main import main
from app.course.load import load_course
from app.course.model import Course, Lesson
from app.handout.lesson_html import lesson_html
from app.handout.pdf import find_converter
from app.paths import course_root
from app.trace.attribute import attribute_lines
from app.trace.recording import load_recording
from tests.conftest import REPO

TRACES = REPO / "tests" / "traces"
NETWORK = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


@cache
def shipped_course() -> Course:
    return load_course(course_root(None))


class Handout(HTMLParser):
    """What a test needs from a handout page: its slide sections, code blocks, notes, links and SVG texts."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.slides: list[dict] = []  # {"deep": bool, "code": [text], "spans": [count], "notes": [text]}
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value) of every src= and href=
        self.styles: list[str] = []
        self.svg_texts: list[tuple[str, str]] = []  # (data-phase or "", text) of the run's SVG <text>s
        self._stack: list[tuple[str, str]] = []  # (tag, class) of the open elements
        self._text: list[str] | None = None
        self._text_phase = ""
        self.feed(page)
        self.close()

    def _inside(self, tag: str, cls: str = "") -> bool:
        return (
            any(t == tag and cls in c.split() for t, c in self._stack) if cls else any(t == tag for t, _ in self._stack)
        )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        for key in ("src", "href", "xlink:href", "data", "poster", "srcset"):
            if key in found:
                self.links.append((tag, key, found[key]))
        cls = found.get("class", "")
        if tag == "section" and "slide" in cls.split():
            self.slides.append({"deep": "deep" in cls.split(), "code": [], "spans": [], "notes": []})
        if tag == "pre" and self._inside("div", "ll-code") and self._inside("section", "slide"):
            self.slides[-1]["code"].append("")
            self.slides[-1]["spans"].append(0)
        if tag == "span" and self._inside("pre") and cls.startswith("ll-"):
            self.slides[-1]["spans"][-1] += 1
        if tag == "aside" and "notes" in cls.split():
            self.slides[-1]["notes"].append("")
        if tag in ("style", "text"):
            self._text = []
        if tag == "text":
            self._text_phase = found.get("data-phase", "")
        if tag not in ("meta", "br", "hr", "img", "input", "link", "rect", "circle", "line"):
            self._stack.append((tag, cls))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._text is not None:
            self.styles.append("".join(self._text))
            self._text = None
        if tag == "text" and self._text is not None:
            self.svg_texts.append((self._text_phase, "".join(self._text)))
            self._text = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
        if self._inside("pre") and self._inside("div", "ll-code") and self._inside("section", "slide"):
            self.slides[-1]["code"][-1] += data
        elif self._inside("aside", "notes"):
            self.slides[-1]["notes"][-1] += data


def assert_self_contained(page: Handout) -> None:
    remote = [(tag, key, value) for tag, key, value in page.links if NETWORK.match(value)]
    assert not remote, f"loads from the network: {remote}"
    assert not [link for link in page.links if link[0] in ("link", "script", "img", "iframe")]
    for css in page.styles:
        assert "url(" not in css and "@import" not in css


@pytest.mark.parametrize("lesson", shipped_course().lessons, ids=lambda lesson: lesson.id)
def test_every_lesson_exports_every_slide_with_its_code_highlighted(lesson: Lesson) -> None:
    page = Handout(lesson_html(lesson, shipped_course()))
    assert len(page.slides) == len(lesson.slides)
    for slide, shown in zip(lesson.slides, page.slides, strict=True):
        assert shown["deep"] == slide.deep, f"slide {slide.number}"
        assert shown["code"] == [block.code for block in slide.code], f"slide {slide.number}: code changed"
        for block, spans in zip(slide.code, shown["spans"], strict=True):
            if block.language not in ("text", "txt"):  # plain text has no tokens to colour
                assert spans, (
                    f"slide {slide.number}: the {block.language} block at line {block.line} is not highlighted"
                )
        assert not shown["notes"], "speaker notes appear only with --notes"
    assert_self_contained(page)


def test_speaker_notes_appear_only_when_asked() -> None:
    lesson = next(lesson for lesson in shipped_course().lessons if sum(bool(s.notes) for s in lesson.slides) > 1)
    with_notes = Handout(lesson_html(lesson, shipped_course(), notes=True))
    for slide, shown in zip(lesson.slides, with_notes.slides, strict=True):
        assert len(shown["notes"]) == (1 if slide.notes else 0)
        if slide.notes:
            words = re.findall(r"[A-Za-z]{4,}", slide.notes)
            assert words[0] in shown["notes"][0] and words[-1] in shown["notes"][0]


def test_fragment_and_snippet_blocks_are_marked() -> None:
    lessons = shipped_course().lessons
    fragment = next(lesson for lesson in lessons if any(b.fragment for s in lesson.slides for b in s.code))
    needing = next(lesson for lesson in lessons if any(b.needs for s in lesson.slides for b in s.code))
    assert 'class="code fragment"' in lesson_html(fragment, shipped_course())
    snippet = next(b for s in needing.slides for b in s.code if b.needs).needs[0]
    assert f"<code>_snippets/{snippet.name}</code>" in lesson_html(needing, shipped_course())


def test_a_recorded_run_is_drawn_with_the_phases_that_ran(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = TRACES / "loop_tour.jsonl"
    out = tmp_path / "timers.html"
    assert main(["export", "timers", "--html", "--run", str(trace), "--out", str(out)]) == 0
    page = Handout(out.read_text(encoding="utf-8"))
    assert_self_contained(page)
    texts = [text for _, text in page.svg_texts]
    for phase in ("main", "poll", "check", "timers"):  # the phases loop_tour.js runs callbacks in
        assert phase in texts, f"the legend misses {phase}"
    assert "close" not in texts and "pending" not in texts
    recording = load_recording(trace)
    for line in attribute_lines(list(recording.events), list(recording.stdout)):
        drawn = [phase for phase, text in page.svg_texts if text.startswith(line.text + "  [")]
        assert drawn == [line.phase], line.text  # each line once, in the colour of the phase that printed it
        assert line.text.split(":")[0] == line.phase  # loop_tour.js prints its phase first


def test_export_writes_beside_you_and_never_overwrites_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    old_umask = os.umask(0o022)
    try:
        assert main(["export", "timers", "--html"]) == 0
    finally:
        os.umask(old_umask)
    written = tmp_path / "timers.html"
    assert "wrote" in capsys.readouterr().out and written.is_file()
    assert written.stat().st_mode & 0o777 == 0o644  # a handout others can read, not a 0600 temporary file
    written.write_text("mine", encoding="utf-8")
    assert main(["export", "timers", "--html", "--notes"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert written.read_text(encoding="utf-8") == "mine"
    assert main(["export", "timers", "--html", "--force"]) == 0
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["timers.html"]  # no temporary file left behind


def test_unknown_lesson_is_one_line_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "timer", "--html", "--out", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err == "looplab: error: no lesson called 'timer' (did you mean 'timers'?)\n"
    assert not (tmp_path / "x.html").exists()


def test_a_bad_trace_file_is_the_recordings_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"not": "a trace"}\n', encoding="utf-8")
    assert main(["export", "timers", "--html", "--run", str(bad), "--out", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a looplab trace" in err and "Traceback" not in err
    assert not (tmp_path / "x.html").exists()


def test_pdf_without_a_converter_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["export", "timers", "--pdf", "--out", str(tmp_path / "timers.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no PDF converter found" in err
    assert "chromium" in err and "weasyprint" in err and "Traceback" not in err
    assert not (tmp_path / "timers.pdf").exists()


CHROMIUM = find_converter()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or not CHROMIUM.name.startswith("chromium"),
    reason="no chromium on this machine (apt-get install chromium); CI installs it",
)
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")  # a page object, not the /Pages tree above them


def live_members(group: int) -> list[str]:
    """The processes of a process group that are still running (zombies waiting for their reaper don't count)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        state, _, pgrp = rest.split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(name.split("(", 1)[1])
    return found


@pytest.fixture
def converter_groups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process groups the PDF converters ran in (each is its own: the Popen's pid)."""
    groups: list[int] = []
    real = subprocess.Popen

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert kwargs.get("start_new_session"), "the converter must run in a process group of its own"
        process = real(*args, **kwargs)
        groups.append(process.pid)
        return process

    monkeypatch.setattr(app.handout.pdf.subprocess, "Popen", recording)
    return groups


@needs_chromium
@pytest.mark.parametrize(
    ("lesson_id", "notes"),
    [("timers", ["--notes"]), ("poll", []), ("cpp-addons", [])],  # the longest notes, the widest code, C++ and sh
)
def test_pdf_printed_by_chromium_has_a_page_per_slide(
    lesson_id: str, notes: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], converter_groups: list[int]
) -> None:
    lesson = shipped_course().lesson(lesson_id)
    out = tmp_path / f"{lesson_id}.pdf"
    started = time.monotonic()
    assert main(["export", lesson_id, "--pdf", *notes, "--out", str(out)]) == 0
    took = time.monotonic() - started
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF"), "not a whole PDF file"
    assert len(PDF_PAGE.findall(pdf)) == len(lesson.slides), "a page per slide (print CSS: a slide a page)"
    err = capsys.readouterr().err
    assert f"converting with chromium --headless --print-to-pdf ({CHROMIUM.path})" in err  # type: ignore[union-attr]
    assert took < 60, f"chromium took {took:.1f} s"
    assert len(converter_groups) == 1 and not live_members(converter_groups[0]), "chromium left processes behind"


def test_a_converter_out_of_time_is_killed_with_its_children(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    converter_groups: list[int],
) -> None:
    fake_converter(tmp_path / "bin", "chromium", "sleep 30 & sleep 30")  # a child of its own, like a renderer
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(app.handout.pdf, "TIMEOUT", 0.5)
    started = time.monotonic()
    assert main(["export", "timers", "--pdf", "--out", str(tmp_path / "t.pdf")]) == 2
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert err.endswith("looplab: error: chromium --headless --print-to-pdf took more than 0.5 s; no PDF written\n")
    assert len(converter_groups) == 1 and not live_members(converter_groups[0]), "a sleep outlived the export"
    assert not (tmp_path / "t.pdf").exists()


def test_the_converters_are_looked_for_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("weasyprint", "chromium"):
        fake_converter(tmp_path / "bin", name, "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_converter().name == "chromium --headless --print-to-pdf"  # type: ignore[union-attr]
    (tmp_path / "bin" / "chromium").unlink()
    assert find_converter().name == "weasyprint"  # type: ignore[union-attr]


def fake_converter(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    (folder / name).chmod(0o755)


def test_pdf_goes_through_the_converter_and_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_converter(
        tmp_path / "bin", "weasyprint", 'grep -q "<section class=\\"slide" "$1" && echo "%PDF-1.7 fake" > "$2"'
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(app.handout.pdf, "CHROMIUM_NAMES", ())  # a real chromium in /usr/bin would come first
    monkeypatch.chdir(tmp_path)
    assert main(["export", "timers", "--pdf"]) == 0
    assert (tmp_path / "timers.pdf").read_bytes() == b"%PDF-1.7 fake\n"
    assert f"converting with weasyprint ({tmp_path / 'bin' / 'weasyprint'})" in capsys.readouterr().err


def test_a_failing_converter_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_converter(tmp_path / "bin", "weasyprint", 'echo "ERROR: no fonts" >&2; exit 3')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(app.handout.pdf, "CHROMIUM_NAMES", ())  # a real chromium in /usr/bin would come first
    assert main(["export", "timers", "--pdf", "--out", str(tmp_path / "t.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.endswith("looplab: error: weasyprint failed (exit code 3): ERROR: no fonts\n")
    assert not (tmp_path / "t.pdf").exists()
