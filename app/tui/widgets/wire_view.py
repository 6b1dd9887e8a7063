"""The wire view: each connection by its addresses, and the HTTP messages its two ends sent, the newest opened up."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.following import Following
from app.trace.wire_model import Stream, WireConnection, WireMessage, WireSnapshot, WireTimeline
from app.tui.widgets.fd_view import rows_in_sight

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

REQUEST, RESPONSE, HEADER, BODY = "bold cyan", "bold green", "dim", "yellow"
NO_RUN = "Run the exercise: each HTTP request and response on its sockets appears here, byte for byte."
NO_BYTES = "No bytes on a TCP socket yet."
SOURCES = {  # how a direction was seen, when it is not simply what its writer wrote
    "read": "as the other end read them",
    "parsed": "the head as Node's HTTP parser saw it: the server read these bytes in C++",
}


def addresses(connection: WireConnection, room: int) -> str:
    """client → server, naming a shared host once when both do not fit."""
    both = f"{connection.client} → {connection.server}"
    host, _, port = connection.client.rpartition(":")
    server_host, _, server_port = connection.server.rpartition(":")
    if len(both) > room and host == server_host:
        return f"{host} :{port}→:{server_port}"
    return both


def size(count: int) -> str:
    return f"{count} B" if count < 10_000 else f"{count // 1024} KiB"


def message_facts(message: WireMessage) -> str:
    """A few words after the start line: headers, body, and what is not known."""
    parts = [f"{len(message.headers)} header{'s' if len(message.headers) != 1 else ''}"]
    if message.parsed:
        parts.append("body not seen")
    elif message.body_size == 0:
        parts.append("no body")
    elif message.body_size is not None:
        chunked = " chunked" if "chunked" in (message.header("transfer-encoding") or "") else ""
        parts.append(f"{size(message.body_size)}{chunked} body")
    elif message.body or message.missing:
        parts.append(f"{size(len(message.body) + message.missing)} body so far")
    if not message.complete and not message.parsed:
        parts.append("still coming")
    return " · ".join(parts)


def printable(data: bytes) -> str:
    text = data.decode("utf-8", "replace").replace("\r\n", "⏎").replace("\n", "⏎")
    return "".join(char if char.isprintable() else "·" for char in text)


def message_detail(message: WireMessage, width: int, note: str) -> list[Text]:
    """The message opened up: its headers one per line, then the start of its body."""
    indent = "      "
    room = max(width - len(indent), 8)
    lines = [Text(f"{indent}{name}: {value}"[:width], style=HEADER, no_wrap=True) for name, value in message.headers]
    if message.body:
        body = printable(message.body)
        lines.append(Text(f"{indent}│ {body[: room - 2]}", style=BODY, no_wrap=True))
    if message.missing:
        lines.append(Text(f"{indent}… {size(message.missing)} not recorded (the tracer keeps the first 4 KiB)", "dim"))
    if note:
        lines.append(Text(f"{indent}({note})"[:width], style="dim italic", no_wrap=True))
    return lines


def connection_heading(connection: WireConnection, width: int) -> Text:
    count = len(connection.requests)
    tail = f"  {count} request{'s' if count != 1 else ''} on this socket" if count else ""
    if count > 1:
        tail = f"  {count} requests, kept alive"
    tail += " · closed" if connection.closed else " · open"
    heading = Text(addresses(connection, max(width - len(tail) - 6, 10)), style="bold", no_wrap=True)
    if connection.tls:
        heading.append("  TLS", style="bold magenta")
    heading.append(tail, style="dim")
    return heading


def _start_line(arrow: str, message: WireMessage, style: str, width: int, lit: bool) -> Text:
    line = Text(f"{'●' if lit else ' '} {arrow} ", style="bold" if lit else "", no_wrap=True, overflow="ellipsis")
    line.append(message.start, style=f"{style} reverse" if lit else style)
    line.append(f"  {message_facts(message)}", style="dim")
    line.truncate(width, overflow="ellipsis")
    return line


def wire_rows(snapshot: WireSnapshot | None, width: int, height: int) -> list[Text]:
    """The view as lines `width` wide, at most `height` of them, the newest message's details kept in sight."""
    if snapshot is None:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_RUN, max(width, 20))]
    if not snapshot.connections:
        return [Text(NO_BYTES, style="dim")]
    lines: list[Text] = []
    focus = (0, 0, 1)  # the lines to keep in sight: the newest message's heading, start line, end of details
    for index, connection in enumerate(snapshot.connections):
        heading_at = len(lines)
        lines.append(connection_heading(connection, width))
        for to_server, stream in ((True, connection.to_server), (False, connection.to_client)):
            if stream.preview:  # bytes that are not HTTP/1: a plain TCP exchange, or HTTP/2
                raw = Text(f"  {'→' if to_server else '←'} {size(stream.seen)} not HTTP/1  ", style="dim")
                lines.append(raw.append(printable(stream.preview), style=BODY))
        for turn in range(max(len(connection.requests), len(connection.responses))):
            for to_server, stream, arrow, style in (
                (True, connection.to_server, "→", REQUEST),
                (False, connection.to_client, "←", RESPONSE),
            ):
                if turn >= len(stream.messages):
                    continue
                lit = snapshot.latest == (index, to_server, turn)
                lines.append(_start_line(arrow, stream.messages[turn], style, width, lit))
                if lit:
                    lit_at = len(lines) - 1
                    lines += message_detail(stream.messages[turn], width, _note(connection, stream))
                    focus = (heading_at, lit_at, len(lines))
    if len(lines) > height >= 2:
        lines = _window(lines, focus, height)
    for line in lines:
        line.no_wrap = True
        line.truncate(width, overflow="ellipsis")
    return lines[: max(height, 1)]


def _note(connection: WireConnection, stream: Stream) -> str:
    note = SOURCES.get(stream.source, "")
    if connection.tls:
        tls = "TLS: the plaintext as JavaScript sees it, before encryption and after decryption"
        note = f"{note}; {tls}" if note else tls
    return note


def _window(lines: list[Text], focus: tuple[int, int, int], height: int) -> list[Text]:
    """`height` lines, one of them saying how many were left out. Kept first: the newest message's start line,
    its connection's heading, the message before it (the request a response answers), its details, then the
    lines nearest it."""
    heading, lit, end = focus
    room = height - 1
    wanted = [lit, heading, *range(lit - 1, heading, -1)[:1], *range(lit + 1, end), *range(lit - 2, heading, -1)]
    wanted += range(end, len(lines))
    wanted += range(heading - 1, -1, -1)
    kept = sorted(dict.fromkeys(wanted[:room]))
    more = Text(f"… {len(lines) - len(kept)} more lines: z zooms", style="dim")
    return [*(lines[i] for i in kept), more]


def wire_status(snapshot: WireSnapshot | None) -> str:
    if snapshot is None or not snapshot.connections:
        return ""
    sockets = len(snapshot.connections)
    requests = snapshot.requests
    reused = sum(1 for connection in snapshot.connections if len(connection.requests) > 1)
    said = f"{requests} request{'s' if requests != 1 else ''} on {sockets} connection{'s' if sockets != 1 else ''}"
    if reused:
        said += f" · {reused} reused (keep-alive)"
    return said


class WireView(Widget):
    """A view beside the loop's lanes (see view_set.py): the HTTP bytes on each socket at the visualizer's position."""

    view_name: ClassVar[str] = "wire"
    SCOPED_CSS = False  # the rule below names the visualizer around it
    DEFAULT_CSS = """
    WireView { overflow: hidden hidden; }
    Visualizer.narrow WireView { max-height: 11; }  /* the output below keeps a few lines at 80x24 */
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "the request on the wire"
        self._following = Following(lambda thread: WireTimeline(thread=thread))
        self.snapshot: WireSnapshot | None = None

    @property
    def wire(self) -> WireTimeline | None:
        return self._following.model

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        self.border_subtitle = wire_status(self.snapshot)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(wire_rows(self.snapshot, width, 1000))

    def render(self) -> Text:
        lines = wire_rows(self.snapshot, self.content_size.width or 80, rows_in_sight(self) or 1000)
        return Text("\n").join(lines)
