"""Stoplight Prism serving Twilio's own OpenAPI spec on a free 127.0.0.1 port.

Prism (from package.json, `npm ci`) mocks `../shared/twilio/twilio_api_v2010.json`: it answers
like Twilio and refuses (422) a request that breaks the contract. Outside CI the tests that need
it are skipped with the reason when Prism or the spec is absent; in CI that is a failure.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import IN_CI, SHARED, require_shared

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
SPEC = SHARED / "twilio" / "twilio_api_v2010.json"
START_TIMEOUT_SECONDS = 90.0
_LISTENING = re.compile(r"Prism is listening on (http://127\.0\.0\.1:\d+)")


def _require_prism() -> Path:
    if not PRISM.exists():
        message = f"Prism is not installed ({PRISM} missing; run `npm ci`)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return PRISM


@contextmanager
def running_prism() -> Iterator[str]:
    """Start Prism on port 0, wait for the port it reports, yield its base URL, stop it."""
    spec = require_shared(SPEC)
    prism = _require_prism()
    process = subprocess.Popen(
        [str(prism), "mock", "-h", "127.0.0.1", "-p", "0", str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    found: list[str] = []
    ready = threading.Event()
    tail: list[str] = []

    def read() -> None:  # also drains the pipe for Prism's whole life, so it never blocks
        assert process.stdout is not None
        for line in process.stdout:
            tail[:] = [*tail[-20:], line.rstrip()]
            match = _LISTENING.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, name="prism-output", daemon=True)
    reader.start()
    try:
        started = time.monotonic()
        ready.wait(START_TIMEOUT_SECONDS)
        if not found:
            pytest.fail(
                f"Prism did not start within {time.monotonic() - started:.0f}s: "
                + " | ".join(tail[-5:])
            )
        yield found[0]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
