"""The author's and the curious user's commands: verify and doctor."""

from __future__ import annotations

import asyncio

from rich.text import Text

from app import __version__
from app.authoring.verify import VerifyOutcome, verify_all
from app.cli.session import Session
from app.course.load import read_course
from app.errors import LooplabError, did_you_mean
from app.learner.files import read_regular
from app.learner.progress import CorruptProgress, parse_progress
from app.nodejs.locate import MIN_MAJOR, NodeBinary, choose_node, every_node
from app.paths import course_root, data_dir


def cmd_verify(session: Session) -> int:
    args, out = session.args, session.out
    root = course_root(args.course)
    course, problems = read_course(root)
    for problem in problems:
        out.print(Text("✘ ", style="red") + Text(str(problem)), soft_wrap=True)
    if course is None:
        return 1
    exercises = course.exercises_in_order()
    if args.ids:
        unknown = [i for i in args.ids if i not in course.exercises]
        for wanted in unknown:
            hint = did_you_mean(wanted, course.exercises)
            out.print(Text("✘ ", style="red") + f"no exercise called {wanted!r}" + (f" ({hint})" if hint else ""))
        if unknown:
            return 1
        exercises = [e for e in exercises if e.id in args.ids]
    nodes, failures = every_node(session.node)
    for failure in failures:
        out.print(Text("✘ ", style="red") + Text(failure))
    out.print(
        Text(
            f"verifying {len(exercises)} exercises × {len(nodes)} Node versions × {args.runs} runs "
            f"({args.jobs} at a time)",
            style="bold",
        )
    )
    for node in nodes:
        out.print(Text(f"  {node.describe()}", style="dim"), soft_wrap=True)

    def report(outcome: VerifyOutcome) -> None:
        if outcome.skipped is not None:
            where = Text(f"{outcome.exercise.id:<28}", style="cyan") + Text(f" Node {outcome.node.version:<9} ")
            out.print(Text("· ", style="dim") + where + Text(outcome.skipped, style="yellow"), soft_wrap=True)
            return
        mark = Text("✔ ", style="green") if outcome.ok else Text("✘ ", style="bold red")
        line = mark + Text(f"{outcome.exercise.id:<28}", style="cyan") + Text(f" Node {outcome.node.version:<9}")
        line.append(f" reference {outcome.reference_passes}/{outcome.runs} pass")
        if outcome.checks_starter:
            line.append(f" · starter fails {outcome.runs - outcome.starter_passes}/{outcome.runs}")
        orders = len(outcome.orders)
        line.append(f" · {orders} output order{'s' if orders != 1 else ''} seen", style="dim" if orders == 1 else "")
        out.print(line, soft_wrap=True)
        for failure in outcome.failures:
            out.print(Text(f"    {failure}", style="red"), soft_wrap=True)

    outcomes = asyncio.run(verify_all(exercises, nodes, args.runs, args.jobs, report))
    bad = [o for o in outcomes if not o.ok]
    ran = [o for o in outcomes if o.skipped is None]
    total_runs = sum(o.runs * (2 if o.checks_starter else 1) for o in ran)
    skipped = f", {len(outcomes) - len(ran)} skipped" if len(ran) < len(outcomes) else ""
    if problems or bad or failures:
        out.print(
            Text(
                f"verify failed: {len(problems)} file problems, {len(bad)} exercise/Node pairs failing "
                f"({total_runs} runs{skipped})",
                style="bold red",
            )
        )
        return 1
    out.print(Text(f"verify passed: {len(ran)} exercise/Node pairs, {total_runs} runs{skipped}", style="bold green"))
    return 0


def cmd_doctor(session: Session) -> int:
    out, healthy = session.out, True

    def row(ok: bool | None, label: str, detail: str) -> None:
        mark = {True: Text("✔", style="green"), False: Text("✘", style="red"), None: Text("·", style="dim")}[ok]
        out.print(mark + Text(f" {label:<11}", style="bold") + Text(detail), soft_wrap=True)

    out.print(Text(f"looplab {__version__}", style="bold"))
    chosen: NodeBinary | None = None
    try:
        chosen = choose_node(session.args.node)
        old = f" (older than Node {MIN_MAJOR}; some lessons will differ)" if chosen.major < MIN_MAJOR else ""
        row(chosen.major >= MIN_MAJOR, "node", f"{chosen.version} from {chosen.source}: {chosen.path}{old}")
    except LooplabError as exc:
        healthy = False
        row(False, "node", str(exc))
    if chosen is not None:
        others, failures = every_node(chosen)
        for node in others[1:]:
            row(None, "also found", f"{node.version} from {node.source}: {node.path}")
        for failure in failures:
            row(False, "also found", failure)
    try:
        root = course_root(session.args.course)
        course, problems = read_course(root)
        if course is not None and not problems:
            row(
                True,
                "course",
                f"{len(course.lessons)} lessons, {len(course.exercises)} exercises from {root}",
            )
        else:
            healthy = False
            row(
                False,
                "course",
                f"{len(problems)} problems in {root}; first: {problems[0] if problems else '?'}",
            )
            out.print(Text("  looplab verify lists them all", style="dim"))
    except LooplabError as exc:
        healthy = False
        row(False, "course", str(exc))
    progress_path = data_dir() / "progress.json"
    try:
        if progress_path.exists():
            parse_progress(read_regular(progress_path).decode("utf-8"))
            row(True, "progress", str(progress_path))
        else:
            row(None, "progress", f"{progress_path} (not created yet)")
    except LooplabError as exc:  # not a plain file: no command can use it, so doctor fails too
        healthy = False
        row(False, "progress", str(exc))
    except (CorruptProgress, OSError, UnicodeDecodeError) as exc:
        row(False, "progress", f"{progress_path}: {exc} (the next command backs it up and starts fresh)")
    if healthy or progress_path.is_file():
        row(None, "workspace", str(session.workspace.root))  # named in progress, so read only from a plain file
    if chosen is not None:
        from app.trace.addon import build_addon

        build = build_addon(chosen)
        exact = build.path is not None
        # Inferred phases are a fallback, not a fault: no red mark for them.
        row(
            True if exact else None,
            "tracer",
            ("exact phases: loop-marker addon " if exact else "phases will be inferred: ") + build.reason,
        )
    return 0 if healthy else 1
