"""molecule's docker driver creates its containers on an IPVS kernel and a full `molecule test` passes."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_molecule_docker_driver_runs_on_an_ipvs_kernel(lab):
    res = subprocess.run([str(ROOT / "lab"), "molecule", "test", "-s", "lab-engine"], cwd=ROOT, check=False,
                         capture_output=True, text=True, timeout=900)
    tail = (res.stdout + res.stderr)[-4000:]
    assert res.returncode == 0, tail
    assert "lab-engine" in res.stdout + res.stderr
