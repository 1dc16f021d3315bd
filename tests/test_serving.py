"""Even connections over several API processes: the accept board and the acceptor."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from ita_rent_bot import serving
from ita_rent_bot.serving import BOARD_ENV, AcceptBoard, BalancedAcceptor, balanced_loop


def _claim_in_another_process(path: Path, connections: int) -> None:
    """A process that takes a slot, says how many connections it holds, and exits."""
    code = (
        "import sys; from pathlib import Path; from ita_rent_bot.serving import AcceptBoard; "
        "b = AcceptBoard(Path(sys.argv[1])); b.publish(b.claim(), int(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(connections)], check=True)


def test_each_process_gets_its_own_slot_and_sees_the_others(tmp_path: Path) -> None:
    board = AcceptBoard.create(tmp_path / "board")
    mine, other = board.claim(), board.claim()
    assert mine != other
    board.publish(mine, 3)
    board.publish(other, 1)
    assert board.fewest_elsewhere(mine) == 1
    assert board.fewest_elsewhere(other) == 3
    board.release(other)
    assert board.fewest_elsewhere(mine) is None


def test_a_gone_process_is_forgotten_and_its_slot_reused(tmp_path: Path) -> None:
    board = AcceptBoard.create(tmp_path / "board")
    _claim_in_another_process(board.path, 0)
    assert board.fewest_elsewhere(serving.SLOTS - 1) == 0  # fresh: still counted
    time.sleep(serving.STALE_SECONDS + 0.1)
    assert board.fewest_elsewhere(serving.SLOTS - 1) is None  # not refreshed: ignored
    assert board.claim() == 0  # its process is gone: the slot is free again


def test_a_board_that_cannot_be_opened_leaves_plain_accepting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BOARD_ENV, str(tmp_path / "missing"))
    with capture_logs() as logged:
        loop = balanced_loop()
    try:
        assert isinstance(loop, serving.BalancedLoop)
        assert loop.board is None
        assert [entry["event"] for entry in logged] == [
            "no accept board; connections are accepted unbalanced"
        ]
    finally:
        loop.close()


class _Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


async def _echo(port: int, data: bytes) -> tuple[bytes, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    return await asyncio.wait_for(reader.readexactly(len(data)), 5), writer


async def test_a_busier_process_still_serves_when_the_idle_one_does_not_accept(
    tmp_path: Path,
) -> None:
    """Another live process holds fewer connections but never accepts (stalled): each client
    waits at most MAX_DEFER_SECONDS, then this process takes it."""
    board = AcceptBoard.create(tmp_path / "board")
    stalled = board.claim()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    loop = asyncio.get_running_loop()
    acceptor = BalancedAcceptor(loop, listener, _Echo, board)
    writers = []
    try:
        for n in range(3):
            board.publish(stalled, 0)  # fresh, and fewer than this process holds
            echoed, writer = await _echo(port, b"ping %d" % n)
            writers.append(writer)
            assert echoed == b"ping %d" % n
        assert acceptor.open_connections() == 3
    finally:
        for writer in writers:
            writer.close()
        acceptor.close()
        listener.close()
    assert board.fewest_elsewhere(stalled) is None  # closing gave the slot back


async def test_alone_it_takes_a_whole_burst(tmp_path: Path) -> None:
    board = AcceptBoard.create(tmp_path / "board")
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    port = listener.getsockname()[1]
    acceptor = BalancedAcceptor(asyncio.get_running_loop(), listener, _Echo, board)
    try:
        answers = await asyncio.gather(*(_echo(port, b"%d" % n) for n in range(30)))
        assert sorted(int(echoed) for echoed, _ in answers) == list(range(30))
        assert acceptor.open_connections() == 30
        for _, writer in answers:
            writer.close()
    finally:
        acceptor.close()
        listener.close()
