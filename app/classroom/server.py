"""The presenter's side of follow mode: a TCP server that admits followers with the join token and tells them
every slide turn, reveal step and run. It reads nothing from a follower after its join line."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import secrets
import socket
from collections.abc import Callable

from app.classroom.address import show_address
from app.classroom.protocol import MAX_JOIN_LINE, ClassMessage, ProtocolError, Refused, encode, read_join
from app.classroom.state import ClassState
from app.errors import LooplabError, Problem

JOIN_TIMEOUT = 5.0  # seconds a connection may take to send its join line
BACKLOG_LIMIT = 256 << 20  # bytes queued for one follower before it is dropped as too slow to keep up
WRONG_TOKEN = "wrong join token (copy it from the presenter's screen)"


class ClassroomServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None) -> None:
        self.host = host
        self.port = port
        self.token = token or secrets.token_urlsafe(12)
        self.state = ClassState()
        self.refused = 0  # connections turned away (a wrong token, not a join)
        self.on_followers: Callable[[int], None] | None = None  # told the new count when one joins or leaves
        self._followers: dict[asyncio.StreamWriter, _Outbox] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._socket: socket.socket | None = None

    def bind(self) -> None:
        """Take the port now, before any event loop runs: a busy port is a one-line error before the app starts."""
        try:
            self._socket = socket.create_server((self.host, self.port), family=_family(self.host))
        except (OSError, OverflowError) as exc:
            where = show_address(self.host, self.port)
            errno = getattr(exc, "errno", None)
            reason = os.strerror(errno) if errno else str(exc)  # create_server adds the address to strerror
            raise LooplabError(
                Problem(f"cannot listen on {where}: {reason}", hint="try another --port, or 0 for any free one")
            ) from None
        self.port = self._socket.getsockname()[1]

    async def start(self) -> None:
        if self._socket is None:
            self.bind()
        self._server = await asyncio.start_server(self._admit, sock=self._socket, limit=MAX_JOIN_LINE)

    @property
    def address(self) -> str:
        return show_address(self.host, self.port)

    @property
    def followers(self) -> int:
        return len(self._followers)

    def publish(self, message: ClassMessage) -> None:
        """Tell every follower, and remember it for those who join later."""
        self.state.apply(message)
        data = encode(message)
        for writer, outbox in list(self._followers.items()):
            if not outbox.put(data):
                self._drop(writer)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._followers):
            self._drop(writer)  # its connection closes, so its task sees the end and returns
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=1)
        for task in list(self._tasks):
            task.cancel()  # a join still being read
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    async def _admit(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            writer.close()  # returns normally: asyncio's stream callback would report a cancelled task (3.11)
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            token = read_join(await asyncio.wait_for(reader.readline(), JOIN_TIMEOUT))
        except (ProtocolError, ValueError, TimeoutError, ConnectionError):
            self.refused += 1
            await _refuse(writer, "not a looplab follower (run `looplab follow ADDRESS`)")
            return
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            self.refused += 1
            await _refuse(writer, WRONG_TOKEN)
            return
        outbox = _Outbox()
        for message in self.state.catch_up():  # where the class is, then the run so far
            outbox.put(encode(message))
        self._followers[writer] = outbox
        self._told()
        sender = asyncio.create_task(_send(outbox, writer))
        try:
            while await reader.read(1 << 16):  # a follower has nothing to say: its words are dropped
                pass
        except ConnectionError:
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await sender
            self._drop(writer)

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        outbox = self._followers.pop(writer, None)
        if outbox is not None:
            outbox.close()
            self._told()
        writer.close()

    def _told(self) -> None:
        if self.on_followers is not None:
            self.on_followers(len(self._followers))


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class _Outbox:
    """The lines waiting for one follower; a follower that falls too far behind is let go, never waited for."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.bytes = 0

    def put(self, data: bytes) -> bool:
        self.bytes += len(data)
        self.queue.put_nowait(data)
        return self.bytes <= BACKLOG_LIMIT

    def close(self) -> None:
        self.queue.put_nowait(None)


async def _send(outbox: _Outbox, writer: asyncio.StreamWriter) -> None:
    while (data := await outbox.queue.get()) is not None:
        outbox.bytes -= len(data)
        writer.write(data)
        await writer.drain()


async def _refuse(writer: asyncio.StreamWriter, reason: str) -> None:
    with contextlib.suppress(ConnectionError, TimeoutError):
        writer.write(encode(Refused(reason)))
        await asyncio.wait_for(writer.drain(), 1)
    writer.close()
