"""Molecule scenarios on the lab engine (an IPVS kernel): a full `molecule test` of each passes.

lab-engine proves the docker driver reaches the IPVS kernel; dr, nat and tun converge site.yml on
containers and verify real traffic and weights, check mode, failover, health checks and node restarts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("scenario", ["lab-engine", "dr", "nat", "tun"])
def test_molecule_scenario(lab, scenario):
    out = lab.run_logged([str(ROOT / "lab"), "molecule", "test", "-s", scenario], f"molecule-{scenario}",
                         dict(os.environ), timeout=2400)
    print(out[-3000:])
    assert f"{scenario}" in out and "failed=0" in out
