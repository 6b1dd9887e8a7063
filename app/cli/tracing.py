"""`looplab trace` and `looplab replay`: what the event loop really did with a program."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.cli.output import print_json
from app.cli.session import Session
from app.errors import LooplabError
from app.runner.process import RunRequest, run_to_end
from app.trace.analysis import run_notes
from app.trace.attribute import attribute_lines
from app.trace.recording import TraceRecording, load_recording, save_recording
from app.trace.schema import Deopt, TierStep
from app.trace.session import TraceCollector, record_run, traced


def cmd_trace(session: Session) -> int:
    args = session.args
    program = Path(args.file).expanduser().resolve()
    if not program.is_file():
        raise LooplabError(f"{args.file}: file not found")
    node = session.node
    collector = TraceCollector(sample_fds=True)  # a saved trace can redraw the fds view
    # The program runs from its own folder, so relative paths resolve as under `node FILE`.
    request = traced(
        RunRequest((str(node.path), program.name), program.parent, args.timeout),
        node,
        collector,
        detail_limit=args.detail_limit,
        syscalls=args.syscalls,
        tiers=args.tiers,
    )
    if args.syscalls and collector.syscall_log is None:
        session.warn("strace is not installed (apt-get install strace): tracing without the syscalls lane")
    if args.json:
        result = asyncio.run(run_to_end(request))
    else:
        with session.err.status(f"tracing {program.name} on Node {node.version}…"):
            result = asyncio.run(run_to_end(request))
    collector.run_over()  # stops the /proc samples and adds strace's syscalls and V8's tier changes, if any
    if args.tiers and collector.tiers_off:
        session.warn(f"no tiers recorded: {collector.tiers_off}")
    elif args.tiers and not args.json:
        compiles = sum(isinstance(event, TierStep) for event in collector.events)
        deopts = sum(isinstance(event, Deopt) for event in collector.events)
        session.note(f"tiers: {compiles} compiles and {deopts} deopts of the program's functions, from V8's code log")
    recording = record_run(program, node, result, collector)
    if collector.error:  # after record_run, which decodes what was received
        session.warn(f"the trace stream was damaged ({collector.error}); lines after that are unattributed")
    if collector.cut_note:
        session.warn(collector.cut_note)
    if args.save:
        save_recording(recording, Path(args.save).expanduser())
        session.note(f"saved the trace to {args.save}")
    return show(session, recording)


def cmd_replay(session: Session) -> int:
    return show(session, load_recording(Path(session.args.file).expanduser()))


def show(session: Session, recording: TraceRecording) -> int:
    """Print the trace; exit 1 if looplab had to stop the program, since the trace then ends early."""
    lines = attribute_lines(list(recording.events), list(recording.stdout))
    status = 1 if recording.stopped else 0
    if session.args.json:
        print_json({"run": run_json(recording), "lines": [line.to_json() for line in lines]})
        if recording.stopped:  # a script reading only stdout and the exit code must not miss it either
            session.warn(f"the program was {recording.end}; the trace covers only what it did until then")
        for note in run_notes(recording, quiet_when_exact=True):  # stdout stays pure JSON
            session.note(f"note: {note}")
        return status
    from app.cli.render_trace import trace_view  # Rich and the loop model: not needed for --json
    from app.trace.loop_model import replay

    timeline = None
    if session.args.show_internals:
        timeline = replay(list(recording.events), show_internals=True, threadpool_size=recording.threadpool_size)
    session.out.print(trace_view(recording, lines, timeline))
    return status


def run_json(recording: TraceRecording) -> dict[str, object]:
    """How the traced run ended, for `looplab trace --json`."""
    return {
        "end": recording.end,
        "stopped": recording.stopped,
        "exit_code": recording.exit_code,
        "duration": recording.duration,
    }
