"""Even connections over several API processes: each accepts only while it serves no more
connections than the least busy of the others.

With one listening socket shared by N processes, the process that wakes first accepts: in
bench/api.py 100 keep-alive connections split 80/20 or 43/28/21/8, and the busiest process
set every latency. Here each process publishes how many connections it holds on an
`AcceptBoard` (a small shared-memory file the parent makes), and its event loop
(`balanced_loop`, given to uvicorn as its loop factory) accepts from the socket itself: a
process with more connections than the least busy one steps aside for a moment and lets that
one accept. It never steps aside for longer than MAX_DEFER_SECONDS, so a stalled or dead
process cannot hold a client back; an entry not refreshed within STALE_SECONDS is ignored.
"""

from __future__ import annotations

import asyncio
import fcntl
import mmap
import os
import select
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvloop

from ita_rent_bot.log import get_logger

log = get_logger(__name__)

BOARD_ENV = "ITA_RENT_BOT_ACCEPT_BOARD"  # set by `ita-rent-bot run --workers N` for its processes
SLOTS = 64
STALE_SECONDS = 1.0
PUBLISH_SECONDS = 0.1
DEFER_STEP_SECONDS = 0.002
MAX_DEFER_SECONDS = 0.02
ACCEPT_BATCH = 16
_RECORD = struct.Struct("=qqd")  # pid, open connections, when written (time.monotonic)
_RETRY_ERRNOS = (BlockingIOError, InterruptedError, ConnectionAbortedError)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class AcceptBoard:
    """A slot per process in a shared file: its pid, how many connections it holds, when."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("r+b") as file:
            self._map = mmap.mmap(file.fileno(), SLOTS * _RECORD.size)

    @classmethod
    def create(cls, path: Path) -> AcceptBoard:
        path.write_bytes(bytes(SLOTS * _RECORD.size))
        return cls(path)

    def claim(self) -> int:
        """A free slot (never used, or its process is gone) for this process."""
        with self.path.open("r+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for slot in range(SLOTS):
                pid, _, _ = _RECORD.unpack_from(self._map, slot * _RECORD.size)
                if pid == 0 or not _alive(pid):
                    self.publish(slot, 0)
                    return slot
        raise RuntimeError(f"more than {SLOTS} API processes share one accept board")

    def publish(self, slot: int, connections: int) -> None:
        offset = slot * _RECORD.size
        _RECORD.pack_into(self._map, offset, os.getpid(), connections, time.monotonic())

    def release(self, slot: int) -> None:
        _RECORD.pack_into(self._map, slot * _RECORD.size, 0, 0, 0.0)

    def fewest_elsewhere(self, slot: int) -> int | None:
        """The fewest connections any other live process holds; None when there is none."""
        now = time.monotonic()
        fewest: int | None = None
        for index, (pid, connections, written) in enumerate(_RECORD.iter_unpack(self._map)):
            if index != slot and pid and now - written < STALE_SECONDS:
                fewest = connections if fewest is None else min(fewest, connections)
        return fewest

    def close(self) -> None:
        self._map.close()


class BalancedAcceptor:
    """Accepts from a shared listening socket while this process is among the least busy;
    what uvicorn holds as its server (close, wait_closed, sockets)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.Protocol],
        board: AcceptBoard,
    ) -> None:
        self.loop, self.sock, self.board = loop, sock, board
        self.protocol_factory = protocol_factory
        self.sockets = [sock]
        self.slot = board.claim()
        self._transports: set[asyncio.BaseTransport] = set()
        self._starting = 0
        self._deferred_since: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._readable)
        self._publish()

    def open_connections(self) -> int:
        """Connections this process holds, counting those accepted and not yet set up."""
        return len(self._transports) + self._starting

    def _forget_closed(self) -> None:
        self._transports = {t for t in self._transports if not t.is_closing()}

    def _publish(self) -> None:
        self._forget_closed()
        self.board.publish(self.slot, self.open_connections())
        self._timer = self.loop.call_later(PUBLISH_SECONDS, self._publish)

    def _readable(self) -> None:
        """Accept while this process holds no more connections than the least busy other;
        several in a row while it holds fewer, so a burst is not taken one per loop turn."""
        self._forget_closed()
        for _ in range(ACCEPT_BATCH):
            fewest = self.board.fewest_elsewhere(self.slot)
            if fewest is not None and self.open_connections() > fewest and self._defer():
                return
            self._deferred_since = None
            if not self._accept():
                return
            if fewest is not None and self.open_connections() >= fewest:
                return  # as busy as another now: the next one is theirs to take

    def _defer(self) -> bool:
        """Step aside for DEFER_STEP_SECONDS; False once this connection waited long enough."""
        now = time.monotonic()
        if self._deferred_since is None:
            self._deferred_since = now
        if now - self._deferred_since >= MAX_DEFER_SECONDS:
            return False
        self._pause(DEFER_STEP_SECONDS)
        return True

    def _pause(self, seconds: float) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self.loop.call_later(seconds, self._resume)

    def _accept(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except _RETRY_ERRNOS:
            return False  # nothing waiting, or another process took it
        except OSError as exc:  # out of descriptors or memory: pause rather than spin
            log.warning("accept failed; pausing", error=str(exc))
            self._pause(0.1)
            return False
        conn.setblocking(False)
        if conn.family in (socket.AF_INET, socket.AF_INET6):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._starting += 1
        self.board.publish(self.slot, self.open_connections())  # at once: the others decide on it
        self.loop.create_task(self._serve(conn))
        return True

    async def _serve(self, conn: socket.socket) -> None:
        try:
            transport, _ = await self.loop.connect_accepted_socket(self.protocol_factory, conn)
        except OSError:
            conn.close()
            return
        else:
            self._transports.add(transport)
        finally:
            self._starting -= 1

    def _resume(self) -> None:
        if self._closed:
            return
        waiting = select.poll()
        waiting.register(self.sock.fileno(), select.POLLIN)
        if not waiting.poll(0):  # someone else accepted what was waiting
            self._deferred_since = None
        self.loop.add_reader(self.sock.fileno(), self._readable)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.loop.remove_reader(self.sock.fileno())
        if self._timer is not None:
            self._timer.cancel()
        self.board.release(self.slot)

    async def wait_closed(self) -> None:
        return None


class BalancedLoop(uvloop.Loop):
    """uvloop, except that a server on a socket handed over by `run` accepts through a
    BalancedAcceptor when the process has an accept board."""

    board: AcceptBoard | None = None

    async def create_server(  # type: ignore[override]
        self, protocol_factory: Callable[[], asyncio.Protocol], *args: Any, **kwargs: Any
    ) -> Any:
        sock = kwargs.get("sock")
        if self.board is None or sock is None or args or kwargs.get("ssl") is not None:
            return await super().create_server(protocol_factory, *args, **kwargs)
        sock.listen(kwargs.get("backlog", 2048))  # uvicorn binds the socket; serving listens
        return BalancedAcceptor(self, sock, protocol_factory, self.board)


def balanced_loop() -> asyncio.AbstractEventLoop:
    """uvicorn's loop factory for `run --workers N` (Config(loop="ita_rent_bot.serving:...")."""
    loop = BalancedLoop()
    path = os.environ.get(BOARD_ENV)
    if path:
        try:
            loop.board = AcceptBoard(Path(path))
        except OSError as exc:
            log.warning("no accept board; connections are accepted unbalanced", error=str(exc))
    return loop


def connection_spread(parent: int, port: int) -> list[int]:
    """How the established connections to `port` are spread over the child processes of
    `parent` that listen on it (from Linux's /proc), most first: what bench/api.py reports
    and the tests check."""
    listening: set[str] = set()
    established: set[str] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            inode = f"socket:[{fields[9]}]"
            {"0A": listening, "01": established}.get(fields[3], set()).add(inode)
    counts = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != parent:
                continue
            links = {os.readlink(fd) for fd in (stat.parent / "fd").iterdir()}
        except (OSError, ValueError, IndexError):
            continue
        if links & listening:
            counts.append(len(links & established))
    return sorted(counts, reverse=True)
