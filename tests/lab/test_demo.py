"""`./lab demo`, the README's first command, as a lab test: its own code path (labkit/demo.py main: `lab up
hosts` with the hosts already up, the lab inventory, web.yml and site.yml from labkit/inventories/lab-dr, the
VIP's answers), from reset hosts, its printed output checked."""

from __future__ import annotations

import re

import pytest
from conftest import log_path

from labkit import demo

pytestmark = pytest.mark.lane("hosts")


def test_lab_demo_converges_and_balances(lab, capfd, record_property):
    lab.reset()
    lab.dirty = True
    try:
        result = demo.main()
    finally:
        out = capfd.readouterr()
        log_path("demo").write_text(out.out + out.err)
    # weights 2:1 (labkit/inventories/lab-dr), 12 requests, none failed
    assert result.answers == {"realserver1": 8, "realserver2": 4}, result
    assert re.search(r"VIP answered after [0-9.]+ s", out.err + out.out), out.err[-2000:]
    assert "answers: {" in out.out and "FAILED" not in out.out
    assert "changed=0" not in out.out.split("PLAY RECAP")[-1].split("\n")[1]  # it converged from reset hosts
    record_property("demo", f"converged in {result.converge_s:.1f} s, VIP answered after {result.vip_after_s:.1f} s, "
                            f"{dict(result.answers)}")
