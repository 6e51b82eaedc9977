"""Molecule scenarios on the lab engine (an IPVS kernel): a full `molecule test` of each passes.

lab-engine proves the docker driver reaches the IPVS kernel; dr, nat and tun converge site.yml on
containers and verify real traffic and weights, check mode, failover, health checks and node restarts.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("scenario", ["lab-engine", "dr", "nat", "tun"])
def test_molecule_scenario(lab, scenario):
    env = dict(os.environ, NO_COLOR="1", PY_COLORS="0", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    res = subprocess.run([str(ROOT / "lab"), "molecule", "test", "-s", scenario], cwd=ROOT, check=False,
                         capture_output=True, text=True, timeout=2400, env=env)
    out = res.stdout + res.stderr
    print(out[-3000:])
    assert res.returncode == 0, lab.failure_excerpt(out, f"molecule-{scenario}")
    assert f"{scenario}" in out and "failed=0" in out
