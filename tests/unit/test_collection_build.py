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
    # only the product: nothing of the lab, the tests, molecule or the development tooling
    top = {n.split("/")[0] for n in names if n != "."}
    assert top == {"MANIFEST.json", "FILES.json", "README.md", "LICENSE", "CHANGELOG.rst", "changelogs", "docs",
                   "meta", "playbooks", "plugins", "roles"}, top
    assert sorted(n for n in names if n.startswith("playbooks/") and n.count("/") == 1 and n.endswith(".yml")) == [
        f"playbooks/{p}.yml" for p in ("adopt", "drain", "handover", "restore", "rolling", "site", "status")]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "plugins/action/cluster_model.py" in names and "plugins/plugin_utils/cluster_model.py" in names
    dest = tmp_path / "collections"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--no-deps", str(tarball), "-p", str(dest)],
                   check=True, capture_output=True)
    listed = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "-p", str(dest)],
                            check=True, capture_output=True, text=True).stdout
    assert "lvs.cluster" in listed
