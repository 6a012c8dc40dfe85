"""One classroom for the whole test session: built fresh, torn down with everything it started.

The tests use their own classroom (accounts ``mlopstest-*``, folder /srv/mlops-classroom-test, free
ports), so a classroom started with ``make classroom`` is never touched. The shared environment is kept
between runs (it is rebuilt when the course changes); accounts, folders and the gradebook are not.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import classroom  # noqa: E402 -- classroom/classroom.py, the script under test

BUILD = HERE.parent.parent / "build" / "classroom"


def _free_port_block(count: int = 3) -> int:
    """A port with ``count - 1`` free neighbours on 127.0.0.1 (the hub uses three in a row)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            start = probe.getsockname()[1]
        if start + count > 65535:
            continue
        sockets = []
        try:
            for port in range(start, start + count):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                sockets.append(s)
            return start
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no three free ports in a row on 127.0.0.1")


@pytest.fixture(scope="session")
def room():
    if os.geteuid() != 0:
        pytest.fail("the classroom tests create accounts and start servers: run them as root "
                    "(sudo make test-classroom)")
    settings = classroom.Classroom(root=Path("/srv/mlops-classroom-test"), name="mlopstest",
                                   port=_free_port_block(), python="/usr/bin/python3")
    classroom.remove(settings, keep_environment=True)
    try:
        classroom.up(settings)
        yield settings
    finally:
        if os.environ.get("CLASSROOM_KEEP_FAILED"):  # to look into a failure; stops the servers all the same
            classroom.down(settings)
            return
        classroom.remove(settings, keep_environment=True)
        left = classroom._account_processes(settings)
        assert not left, f"processes of the test accounts still run after teardown: {left}"
        assert not classroom._postgres_running(settings)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Screenshots and logs of the browser tests, kept for people to look at."""
    BUILD.mkdir(parents=True, exist_ok=True)
    return BUILD
