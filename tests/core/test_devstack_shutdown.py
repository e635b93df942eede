"""`make run` stops completely (tools/devstack.py): a stop signal, even sent twice to the whole
process group as make does, leaves no web, worker, beat, PostgreSQL or Redis process behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Stand-ins for web, worker and beat: like Celery, each takes a moment to stop after SIGTERM.
SLOW_TO_STOP = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *a: (time.sleep(1.5), sys.exit(0)))\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "time.sleep(600)\n"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not yet reaped by init) is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """One embedded PostgreSQL initdb for both tests, inside the checkout (as root, PostgreSQL runs
    as a system user that cannot enter pytest's private temporary folders)."""
    path = ROOT / ".data" / f"devstack-test-{os.getpid()}"
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_sent_twice_to_the_group_leaves_no_process(data_dir: Path, signum: int) -> None:
    marker = f"devstack-child-{data_dir.name}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL"}}
    env.update(
        TONGBAO_DATA_DIR=str(data_dir),
        DEVSTACK_RUN_SKIP_SETUP="1",
        DEVSTACK_RUN_PROCESSES=json.dumps(
            {name: [sys.executable, "-c", SLOW_TO_STOP, marker] for name in ("web", "worker", "beat")}
        ),
    )
    stack = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "devstack.py"), "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like `make run` in a terminal
    )
    try:
        assert stack.stdout is not None
        output = []
        deadline = time.monotonic() + 45
        while len(_processes_mentioning(marker)) < 3:
            assert stack.poll() is None, "".join(output) + stack.stdout.read()
            assert time.monotonic() < deadline, "devstack did not start its processes"
            time.sleep(0.2)
        servers = [int((data_dir / "pg" / "data" / "postmaster.pid").read_text().split()[0])]
        servers.append(int((data_dir / "redis" / "redis.pid").read_text().strip()))
        children = _processes_mentioning(marker)

        os.killpg(stack.pid, signum)
        time.sleep(0.5)
        os.killpg(stack.pid, signum)  # make forwards it again while the shutdown runs
        time.sleep(0.5)
        os.killpg(stack.pid, signum)
        began = time.monotonic()
        rest, _ = stack.communicate(timeout=40)
        stopping = time.monotonic() - began
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()

    assert stack.returncode == 0, rest
    assert "stopped" in rest
    assert stopping < 10, "the children did not stop on SIGTERM (only the 10 s SIGKILL fallback got them)"
    time.sleep(0.5)
    assert [pid for pid in children + servers if _alive(pid)] == []
    assert _processes_mentioning(marker) == []
