"""The collection tarball on plain ansible-core: a fresh virtualenv with only ansible-core (from PyPI), the
tarball installed with the collections galaxy.yml declares (Galaxy is unreachable here, so their tarballs are
made from the copies in pip's `ansible` package), then the site playbook, the docs and one module."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUNDLE = Path(sys.executable).parents[1] / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / \
    "site-packages" / "ansible_collections"
CORE = next(line.split("==")[1].strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
            if line.startswith("ansible-core=="))


def run(cmd, env=None, cwd=None, timeout=600):
    res = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                         check=False)
    assert res.returncode == 0, f"{cmd}: rc {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res.stdout


def artifact(namespace: str, name: str, dest: Path) -> Path:
    """A collection tarball made from an installed copy. pip's bundle leaves out some files its FILES.json lists
    (CI scripts, tests), so FILES.json is written anew for the files present and MANIFEST.json's checksum of it
    follows; every file keeps its recorded checksum, which ansible-galaxy verifies on install."""
    src = BUNDLE / namespace / name
    manifest = json.loads((src / "MANIFEST.json").read_text())
    files = json.loads((src / "FILES.json").read_text())
    files["files"] = [f for f in files["files"] if f["name"] == "." or (src / f["name"]).exists()]
    files_json = json.dumps(files).encode()
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files_json).hexdigest()
    manifest_json = json.dumps(manifest).encode()
    out = dest / f"{namespace}-{name}-{manifest['collection_info']['version']}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        for arcname, data in (("MANIFEST.json", manifest_json), ("FILES.json", files_json)):
            info = tarfile.TarInfo(arcname)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for f in files["files"]:
            if f["name"] != ".":
                tar.add(src / f["name"], arcname=f["name"], recursive=False)
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """env, collections path, venv and declared dependencies of a venv with ansible-core and the installed
    collection, nothing else."""
    tmp = tmp_path_factory.mktemp("clean")
    run([BIN / "ansible-galaxy", "collection", "build", ROOT, "--output-path", tmp])
    (tarball,) = tmp.glob("lvs-cluster-*.tar.gz")
    deps = yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"]
    artifacts = [artifact(*fqcn.split("."), tmp) for fqcn in deps]
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", venv])
    run([venv / "bin/pip", "install", "-q", f"ansible-core=={CORE}"])
    colls = tmp / "collections"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp), "ANSIBLE_COLLECTIONS_PATH": str(colls),
           "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "ANSIBLE_NOCOLOR": "1", "LANG": "C.UTF-8",
           "ANSIBLE_LOCAL_TEMP": str(tmp / "tmp"), "ANSIBLE_PYTHON_INTERPRETER": str(venv / "bin/python")}
    run([venv / "bin/ansible-galaxy", "collection", "install", "--offline", "-p", colls, tarball, *artifacts],
        env=env)
    return SimpleNamespace(env=env, colls=colls, venv=venv, deps=deps)


def test_only_ansible_core_and_the_declared_collections(clean):
    env, colls, venv, deps = clean.env, clean.colls, clean.venv, clean.deps
    pkgs = run([venv / "bin/pip", "list", "--format", "json"], env=env)
    assert "ansible" not in {p["name"] for p in json.loads(pkgs)}  # no bundle of collections
    listed = run([venv / "bin/ansible-galaxy", "collection", "list", "-p", colls, "--format", "json"], env=env)
    # ansible-core's own internal collections (ansible._protomatter) are listed too
    found = {name for path in json.loads(listed).values() for name in path if not name.startswith("ansible._")}
    assert found == {"lvs.cluster", *deps}, found


def test_site_playbook_syntax(clean):
    env, venv = clean.env, clean.venv
    out = run([venv / "bin/ansible-playbook", "-i", "localhost,", "lvs.cluster.site", "--syntax-check"], env=env)
    assert "ansible_collections/lvs/cluster/playbooks/site.yml" in out  # the installed copy


@pytest.mark.parametrize("kind, name", [("module", p.stem) for p in sorted((ROOT / "plugins/modules").glob("*.py"))]
                         + [("role", p.name) for p in sorted((ROOT / "roles").iterdir()) if p.is_dir()])
def test_docs_render(clean, kind, name):
    env, venv = clean.env, clean.venv
    out = run([venv / "bin/ansible-doc", "-t", kind, f"lvs.cluster.{name}"], env=env)
    assert f"lvs.cluster.{name}" in out


def test_a_module_runs_on_localhost(clean):
    env, venv = clean.env, clean.venv
    out = run([venv / "bin/ansible", "localhost", "-m", "lvs.cluster.ipvs_info", "-a", "gather_subset=timeouts"],
              env=env)
    assert '"loaded":' in out and "SUCCESS" in out


def test_module_defaults_group(clean, tmp_path):
    """group/lvs.cluster.ipvs reaches ipvs_service: with load_module false it refuses to load ip_vs (this machine's
    kernel has no IPVS; with the default true, check mode would count it as an empty table)."""
    assert not Path("/proc/net/ip_vs").exists(), "this test needs a host kernel without IPVS loaded"
    env, venv = clean.env, clean.venv
    book = tmp_path / "defaults.yml"
    book.write_text("""
- name: module_defaults for the IPVS modules
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/lvs.cluster.ipvs:
      load_module: false
  tasks:
    - name: A service, in check mode
      lvs.cluster.ipvs_service:
        address: 192.0.2.10
        port: 80
      check_mode: true
      register: svc
      ignore_errors: true
    - name: The group default was applied
      ansible.builtin.assert:
        that: svc is failed and 'load_module is false' in svc.msg
""")
    run([venv / "bin/ansible-playbook", "-i", "localhost,", "-c", "local", book], env=env)
