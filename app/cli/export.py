"""`looplab export`: a lesson as a handout, one self-contained HTML file or a PDF printed from it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from app.cli.session import Session
from app.errors import LooplabError
from app.handout.lesson_html import lesson_html
from app.handout.pdf import INSTALL_HINT, find_converter, print_to_pdf
from app.learner.files import atomic_write


def cmd_export(session: Session) -> int:
    args = session.args
    lesson = session.course.lesson(args.lesson)  # an unknown id: one line with a did-you-mean
    suffix = "pdf" if args.pdf else "html"
    out = Path(args.out).expanduser() if args.out else Path.cwd() / f"{lesson.id}.{suffix}"
    if out.is_dir():
        raise LooplabError(f"{out} is a folder; give --out a file name such as {out / f'{lesson.id}.{suffix}'}")
    if out.exists() and not args.force:
        raise LooplabError(f"{out} already exists; nothing written (add --force to overwrite it)")
    converter = find_converter() if args.pdf else None
    if args.pdf and converter is None:
        raise LooplabError(f"no PDF converter found: {INSTALL_HINT}, or print the --html page from a browser")
    run_figure = ""
    if args.run:
        from app.handout.run_svg import run_section  # the loop model: only for a handout with a run
        from app.trace.recording import load_recording

        run_figure = run_section(load_recording(Path(args.run).expanduser()))
    page = lesson_html(lesson, session.course, notes=args.notes, run_figure=run_figure).encode("utf-8")
    if converter is not None:
        session.note(f"converting with {converter.name} ({converter.path})")
        with tempfile.TemporaryDirectory(prefix="looplab-export-") as folder:
            html, pdf = Path(folder) / f"{lesson.id}.html", Path(folder) / f"{lesson.id}.pdf"
            html.write_bytes(page)
            print_to_pdf(converter, html, pdf)
            page = pdf.read_bytes()
    try:
        written = atomic_write(out, page, overwrite=args.force)
    except OSError as exc:
        raise LooplabError(f"{out}: cannot write it: {exc.strerror or exc}") from None
    if not written:  # made by someone else since we looked
        raise LooplabError(f"{out} already exists; nothing written (add --force to overwrite it)")
    _shareable(out)
    extras = (", with speaker notes" if args.notes else "") + (", with the recorded run" if args.run else "")
    session.out.print(f"wrote {out}: {lesson.title}, {len(lesson.slides)} slides{extras}", markup=False, soft_wrap=True)
    return 0


def _shareable(path: Path) -> None:
    """A handout is for others to read: the usual file mode (0666 less the umask), not the temp file's 0600."""
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~umask)
