"""`lab down` leaves no UML process, tap, bridge, namespace or firewall rule behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from labkit import net, uml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.lab_teardown
def test_down_leaves_nothing_behind(lab):
    assert uml.running(), "the lab should be up before this test"
    res = subprocess.run([str(ROOT / "lab"), "down"], check=False, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr
    assert uml.running() == []
    assert uml.stray_processes() == []
    assert net.leftovers() == []
    links = subprocess.run(["ip", "-o", "link"], check=False, capture_output=True, text=True).stdout
    assert "lvslab" not in links and "lvt" not in links
