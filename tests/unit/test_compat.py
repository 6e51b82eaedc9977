"""What the collection declares about its support follows what the tests run on (labkit/compat.py): no
dependency (the roles use only ansible.builtin and this collection's modules), meta/runtime.yml admits the oldest
ansible-core tested and the roles' metadata says the same; README names both ends."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from labkit.compat import ENDS  # noqa: E402


def test_no_dependency_and_no_other_collection_used():
    assert yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"] == {}
    used = set()
    for path in [*ROOT.glob("roles/**/*.yml"), *ROOT.glob("playbooks/**/*.yml")]:
        used.update(re.findall(r"^\s*-?\s*([a-z_]+\.[a-z_]+)\.[a-z_]+:\s*$", path.read_text(), re.M))
    assert used and used <= {"ansible.builtin", "lvs.cluster"}, used


def test_requires_ansible_is_the_oldest_core_tested():
    runtime = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=%s" % ENDS["oldest"]["ansible_core"]


def test_roles_metadata_agrees():
    major_minor = ".".join(ENDS["oldest"]["ansible_core"].split(".")[:2])
    for meta in sorted(ROOT.glob("roles/*/meta/main.yml")):
        info = yaml.safe_load(meta.read_text())["galaxy_info"]
        assert info["min_ansible_version"] == major_minor, meta
        assert info["platforms"] == [{"name": "Debian", "versions": debian_releases_tested()}], meta


def debian_releases_tested():
    """The Debian releases CI runs the roles on: the lab nodes' own (labkit/image.py SUITE) and the molecule
    scenarios' container images; every release the lab builds an image of is used by a scenario."""
    import re
    import sys
    sys.path.insert(0, str(ROOT))
    from labkit import image
    used = {image.SUITE}
    for f in ROOT.glob("molecule/*/molecule.yml"):
        used.update(re.findall(r"image: lvslab/debian:(\w+)", f.read_text()))
    assert used == set(image.CONTAINER_SUITES), used
    return list(image.CONTAINER_SUITES)


def test_readme_names_the_tested_range():
    readme = (ROOT / "README.md").read_text()
    for end in ENDS.values():
        assert end["ansible_core"] in readme, end
