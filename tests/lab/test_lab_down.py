"""`lab down` leaves no UML process, tap, bridge, namespace or firewall rule behind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from labkit import net, uml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.lane("teardown")
def test_down_leaves_nothing_behind(lab):
    assert uml.running(), "the lab should be up before this test"
    res = subprocess.run([str(ROOT / "lab"), "down"], check=False, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr
    assert uml.running() == []
    assert uml.stray_processes() == []
    assert net.leftovers() == []
    links = subprocess.run(["ip", "-o", "link"], check=False, capture_output=True, text=True).stdout
    assert "lvslab" not in links and "lvt" not in links


@pytest.mark.lane("teardown")
def test_failed_up_reports_the_panic_and_leaves_nothing_behind():
    """A kernel that panics at boot (here: an init that does not exist) fails `lab up` at once, with the
    console's panic line, and the failed `lab up` removes the nodes, taps, bridges and namespace it made."""
    assert uml.running() == [], "runs after test_down_leaves_nothing_behind, on a stopped lab"
    env = {**os.environ, "LVS_LAB_UML_ARGS": "seccomp=on init=/lab-no-such-init"}
    res = subprocess.run([str(ROOT / "lab"), "up", "hosts"], check=False, capture_output=True, text=True,
                         timeout=300, env=env)
    assert res.returncode != 0, res.stdout + res.stderr
    assert "kernel failed while booting" in res.stderr and "Kernel panic" in res.stderr, res.stderr
    assert "/lab-no-such-init" in res.stderr, res.stderr
    assert "not reachable by SSH" not in res.stderr  # reported from the console, not after the SSH timeout
    assert uml.running() == [] and uml.stray_processes() == [] and net.leftovers() == []
