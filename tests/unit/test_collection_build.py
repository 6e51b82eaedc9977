"""The collection builds with ansible-galaxy, installs, and ships none of the lab tooling."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_collection_builds_and_installs(tmp_path):
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(ROOT), "--output-path", str(tmp_path)],
                   check=True, capture_output=True)
    (tarball,) = tmp_path.glob("lvs-cluster-*.tar.gz")
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    assert "galaxy.yml" not in names and "MANIFEST.json" in names
    assert "meta/runtime.yml" in names and "README.md" in names
    assert not [n for n in names if n.startswith(("labkit", ".ci", ".venv", "tests/lab"))]
    dest = tmp_path / "collections"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", str(tarball), "-p", str(dest)],
                   check=True, capture_output=True)
    listed = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "-p", str(dest)],
                            check=True, capture_output=True, text=True).stdout
    assert "lvs.cluster" in listed
