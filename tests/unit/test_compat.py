"""What the collection declares about its support follows what the tests run on (labkit/compat.py): galaxy.yml's
dependency lower bounds are the versions of the oldest bundle test_clean_install.py installs, with no upper cap;
meta/runtime.yml admits the oldest ansible-core tested and the roles' metadata says the same; README names both
ends."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from test_clean_install import DECLARED, bundle_wheel, lower_bound  # noqa: E402

from labkit.compat import ENDS  # noqa: E402


def test_dependencies_are_lower_bounds_at_the_oldest_bundle():
    import json
    import zipfile
    wheel = bundle_wheel(Path(sys.executable), ENDS["oldest"]["bundle"])
    with zipfile.ZipFile(wheel) as whl:
        for fqcn in DECLARED:
            manifest = json.loads(whl.read("ansible_collections/%s/%s/MANIFEST.json" % tuple(fqcn.split("."))))
            assert lower_bound(fqcn) == manifest["collection_info"]["version"], fqcn


def test_requires_ansible_is_the_oldest_core_tested():
    runtime = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=%s" % ENDS["oldest"]["ansible_core"]


def test_roles_metadata_agrees():
    major_minor = ".".join(ENDS["oldest"]["ansible_core"].split(".")[:2])
    for meta in sorted(ROOT.glob("roles/*/meta/main.yml")):
        info = yaml.safe_load(meta.read_text())["galaxy_info"]
        assert info["min_ansible_version"] == major_minor, meta
        assert info["platforms"] == [{"name": "Debian", "versions": ["bookworm"]}], meta


def test_readme_names_the_tested_range():
    readme = (ROOT / "README.md").read_text()
    for end in ENDS.values():
        assert end["ansible_core"] in readme, end
