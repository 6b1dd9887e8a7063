"""Every section and every "Code exercise" item of the course notes is taught: none is silently left out.

The two lists below were read off ../shared/seed/node-internals-course-notes.txt (the notes are not part of the
repository): a section is a title the notes give its own opening slide, by the line it is on; an item is a bullet
of a "Code exercise" list, by the line of the list, plus the one "Demo" list (request library showdown). They are
the notes' own titles, kept as they are so that each can be found there.
"""

from __future__ import annotations

import re
from collections import Counter

from app.course.load import load_course
from tests.conftest import REPO

SECTIONS = [
    (8, "Introduction"),
    (22, "Interpreted Language and role of V8"),
    (251, "The Event Loop"),
    (728, "The Main Module"),
    (866, "The Timer Phase"),
    (951, "Pending callbacks"),
    (1114, "Idle, prepare"),
    (1158, "Poll phase"),
    (1324, "Check"),
    (1427, "close"),
    (1500, "process.nextTick()"),
    (1634, "How Promises Work"),
    (1814, "require vs import"),
    (2029, "The Anatomy of Node Packages"),
    (2199, "When does Node terminate"),
    (2272, "Libuv Overview"),
    (2332, "Asynchronous IO"),
    (2689, "Node Network IO"),
    (2995, "Node File IO"),
    (3193, "Node HTTP"),
    (3727, "Node HTTPS"),
    (4112, "Node DNS"),
    (4318, "Node TCP"),
    (4488, "Node UDP"),
    (4696, "Node Streams"),
    (4886, "Process vs Thread"),
    (5079, "Node Workers"),
    (5273, "Node Child Processes"),
    (5466, "Node Performance"),
    (5583, "Debugging NodeJS"),
    (5640, "Capturing Node traffic"),
    (5693, "Request library showdown"),
    (5703, "C++ Add-ons"),
]

ITEMS = [
    (948, "Timers"),
    (1111, "TCP errors"),
    (1149, "Show the prepare phase (server setups)"),
    (1312, "Readfile"),
    (1312, "Readfile with timer"),
    (1312, "Failed readFile"),
    (1312, "Server listen"),
    (1424, "setImmediate vs timer"),
    (1495, "TCP Connection close"),
    (1631, "`nextTick` examples"),
    (1810, "Promises vs callbacks examples"),
    (1810, "Make readFile into a promise"),
    (2025, "Require vs import"),
    (2025, "Async await import"),
    (2193, "Create package json"),
    (2193, "We want reference node-fetch"),
    (2193, "View the latest using npm view node-fetch"),
    (2193, "E.g. Latest version 3.3.2, we want a specific version 3.3.1"),
    (2263, "Client connection"),
    (2263, "Server listener"),
    (2992, "strace node and epoll"),
    (3187, "strace node file io"),
    (3187, "File read sync vs async"),
    (3187, "File read with file descriptors"),
    (3187, "File read with streams"),
    (3723, "raw client request"),
    (3723, "Raw server"),
    (4107, "raw https request"),
    (4107, "Create a certificate/private/public key"),
    (4107, "Raw https server"),
    (4312, "Request resolve"),
    (4312, "DNS lookup"),
    (4312, "DNS resolve"),
    (4312, "Raw https server with host resolution"),
    (4484, "TCP client"),
    (4484, "TCP server"),
    (4692, "UDP client"),
    (4692, "UDP server"),
    (4880, "Request stream"),
    (4880, "Response stream"),
    (4880, "Pipe"),
    (4880, "Chaining Compress->encrypt"),
    (5208, "Node thread simple example"),
    (5208, "Parent to thread messaging"),
    (5208, "Thread to thread messaging"),
    (5208, "Distribute connections between threads"),
    (5208, "Distribute requests between threads"),
    (5460, "Node process simple example"),
    (5460, "Parent to Worker IPC"),
    (5460, "Spawn and Exec"),
    (5460, "Cluster"),
    (5576, "Expensive promise"),
    (5576, "Schedule it to the next tick"),
    (5576, "Schedule it to the next check phase"),
    (5576, "Partition it"),
    (5576, "Offload"),
    (5636, "Node debug with visual studio code"),
    (5636, "Node with chrome://inspect/"),
    (5689, "Wireshark"),
    (5689, "http/https proxy"),
    (5699, "Sending 100 requests; measuring memory usage and time"),
    (5842, "Sum.cpp two number"),
    (5842, "Build on release"),
    (5842, "Build on debug"),
]

COURSE = load_course(REPO)
LESSON_IDS = {lesson.id for lesson in COURSE.lessons}
NAMES = re.compile(r"`([a-z0-9-]+)`")


def table_under(heading: str) -> list[list[str]]:
    """The rows of the first table after this heading in lessons/README.md, as lists of cells."""
    text = (REPO / "lessons/README.md").read_text(encoding="utf-8")
    assert f"\n{heading}\n" in text, f"lessons/README.md has no heading {heading!r}"
    rows = []
    for line in text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0].splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows[1:]  # without the header


def test_the_lists_are_the_notes_33_sections_and_64_items() -> None:
    assert len(SECTIONS) == 33 and len(set(SECTIONS)) == 33
    assert len(ITEMS) == 64 and len(set(ITEMS)) == 64


def test_every_section_of_the_notes_names_the_lessons_that_teach_it() -> None:
    rows = table_under("## The notes, section by section")
    assert Counter((int(line), section) for line, section, _ in rows) == Counter(SECTIONS)
    taught = set()
    for line, section, lessons in rows:
        named = NAMES.findall(lessons)
        assert named, f"line {line} ({section}) names no lesson"
        for lesson in named:
            assert lesson in LESSON_IDS, f"line {line} ({section}): no lesson {lesson!r}"
        taught.update(named)
    assert taught == set(LESSON_IDS), f"lessons no section names: {set(LESSON_IDS) - taught}"


def test_every_code_exercise_item_has_exercises_of_the_lesson_it_names() -> None:
    rows = table_under('## Every "Code exercise" item of the notes')
    assert Counter((int(line), item) for line, item, _, _ in rows) == Counter(ITEMS)
    for line, item, lesson_cell, exercises in rows:
        (lesson,) = NAMES.findall(lesson_cell)
        named = NAMES.findall(exercises)
        assert named, f"line {line} ({item}) names no exercise"
        for exercise in named:
            assert exercise in COURSE.exercises, f"line {line} ({item}): no exercise {exercise!r}"
            assert COURSE.exercises[exercise].lesson == lesson, f"line {line} ({item}): {exercise} is not in {lesson}"
