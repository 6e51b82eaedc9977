"""Molecule scenarios on the lab engine (an IPVS kernel): a full `molecule test` of each passes.

lab-engine proves the docker driver reaches the IPVS kernel; dr, nat and tun converge site.yml on
containers and verify real traffic and weights, check mode, failover, health checks and node restarts.

A verifier that found no test, or ran fewer than the scenario defines, fails here: molecule itself
reports success when testinfra logs "Skipping, no tests found".
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# scenario -> the engine (and lane) it runs on: the two engines carry about the same work
SCENARIOS = {"lab-engine": "engine", "dr": "engine", "nat": "engine2", "tun": "engine2"}


def expected_tests(scenario: str) -> int:
    """The testinfra tests a scenario defines: its own test functions and the shared ones it imports."""
    sys.path.insert(0, str(ROOT / "molecule" / "shared"))
    import lvs_checks

    count = 0
    for f in (ROOT / "molecule" / scenario / "tests").glob("test_*.py"):
        text = f.read_text()
        count += len(re.findall(r"^def test_", text, re.M))
        if "from lvs_checks import *" in text:
            count += sum(name.startswith("test_") for name in lvs_checks.__all__)
    return count


@pytest.mark.parametrize("scenario", [pytest.param(s, marks=pytest.mark.lane(e)) for s, e in SCENARIOS.items()])
def test_molecule_scenario(lab, scenario, record_property):
    want = expected_tests(scenario)
    assert want > 0, f"molecule/{scenario}/tests defines no test"
    out = lab.run_logged([str(ROOT / "lab"), "molecule", "test", "-s", scenario], f"molecule-{scenario}",
                         {**os.environ, "LVS_LAB_ENGINE": SCENARIOS[scenario]}, timeout=2400,
                         forbid=("no tests found",))
    print(out[-3000:])
    assert "failed=0" in out
    for i, line in enumerate(re.findall(r"^VIP takeover .*$", out, re.M)):
        record_property(f"failover{i}", line)
    ran = [int(n) for n in re.findall(r"=+ (\d+) passed", out)]
    record_property("testinfra_passed", sum(ran))
    assert ran == [want], f"testinfra ran {ran}, the scenario defines {want} tests"
