"""A node whose kernel dies is reported at once, with its console's panic lines, not after an SSH timeout.

Consoles recorded on this workplace's machines: bookworm's UML 6.1 on an AVX-512/AMX CPU (the panic
that made the lab move to a newer kernel) and UML 7.2 booting normally in seccomp mode.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from labkit import config, uml  # noqa: E402

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "STATE", tmp_path)
    return tmp_path


def console(name: str, fixture: str) -> None:
    path = uml.console_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((FIXTURES / fixture).read_bytes())


def test_avx512_panic_is_reported_with_its_console_lines(state):
    console("director1", "console-uml-6.1-avx512-panic.log")
    msg = uml.boot_failure("director1")
    assert msg is not None and msg.startswith("lab: director1: kernel failed while booting")
    assert "userspace - ptrace set fp regs failed, errno = 14" in msg
    assert "Kernel panic - not syncing: Attempted to kill init!" in msg
    assert str(uml.console_path("director1")) in msg


def test_a_healthy_console_of_a_running_node_is_no_failure(state):
    console("director1", "console-uml-7.2-booted.log")
    node_dir = uml.node_dir("director1")
    node_dir.mkdir(parents=True)
    (node_dir / "pid").write_text(f"{subprocess.os.getpid()}\n")  # a live process: this test's own
    assert uml.boot_failure("director1") is None


def test_a_kernel_that_exited_without_a_panic_line_is_reported_with_its_console_tail(state):
    console("director1", "console-uml-7.2-booted.log")
    msg = uml.boot_failure("director1")  # no pid file: nothing runs
    assert msg is not None and "kernel exited while booting" in msg and "seccomp" in msg


def test_a_zombie_is_not_alive():
    """A kernel that died but was not reaped yet still answers kill -0; alive() must say it is gone."""
    proc = subprocess.Popen(["sh", "-c", "exit 3"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{proc.pid}/stat").read_text().split(")")[-1].split()[0] != "Z":
        time.sleep(0.01)
    subprocess.os.kill(proc.pid, 0)  # kill -0 succeeds on the zombie
    assert not uml.alive(proc.pid)
    proc.wait()
    assert not uml.alive(proc.pid)


def test_a_running_process_is_alive():
    proc = subprocess.Popen(["sleep", "30"])
    try:
        assert uml.alive(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def test_waiting_for_several_nodes_stops_at_the_first_failure(state, tmp_path):
    """One node panics, another never answers: wait_all raises the panic instead of waiting its timeout."""
    dead, slow = config.Node("lvslab-dead", "directors", 251), config.Node("lvslab-slow", "directors", 252)
    console(dead.name, "console-uml-6.1-avx512-panic.log")
    console(slow.name, "console-uml-7.2-booted.log")
    uml.node_dir(slow.name).mkdir(parents=True)
    (uml.node_dir(slow.name) / "pid").write_text(f"{subprocess.os.getpid()}\n")
    start = time.monotonic()
    with pytest.raises(SystemExit) as err:
        uml.wait_all([slow, dead], tmp_path / "no-key", timeout=300)
    assert "Attempted to kill init!" in str(err.value) and dead.name in str(err.value)
    assert time.monotonic() - start < 150, "the slow node's wait ran to its timeout instead of stopping"
