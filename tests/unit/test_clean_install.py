"""The collection tarball installed as a user installs it, at both ends of the supported range (labkit/compat.py),
each in a fresh virtualenv:

- oldest: only ansible-core, the oldest release meta/runtime.yml admits (the collection needs no other);
- newest: the newest `ansible` bundle from PyPI: the collection installs beside it and installs nothing else
  (nothing that would shadow the user's copies of other collections).

On each: the site playbook, the docs of every module and role, a module run and the module_defaults group."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from labkit import config, deps  # noqa: E402
from labkit.compat import ENDS  # noqa: E402

WHEELS = config.CACHE / "wheels"
DECLARED = yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"]


def run(cmd, env=None, cwd=None, timeout=900):
    res = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                         check=False)
    assert res.returncode == 0, f"{cmd}: rc {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res.stdout


def bundle_wheel(python: Path, version: str) -> Path:
    """pip's `ansible` VERSION as a wheel, downloaded once into the lab cache."""
    found = sorted(WHEELS.glob(f"ansible-{version}-*.whl"))
    if not found:
        WHEELS.mkdir(parents=True, exist_ok=True)
        run([python, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", WHEELS,
             f"ansible=={version}"])
        found = sorted(WHEELS.glob(f"ansible-{version}-*.whl"))
    return found[0]


@pytest.fixture(scope="module", params=sorted(ENDS))
def clean(request, tmp_path_factory):
    """A fresh venv at one end of the range with the built collection installed; env, venv, collections path."""
    end, spec = request.param, ENDS[request.param]
    tmp = tmp_path_factory.mktemp(f"clean-{end}")
    python = deps.find_python(spec["python"])
    venv = tmp / "venv"
    run([python, "-m", "venv", venv])
    colls = tmp / "collections"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp), "ANSIBLE_COLLECTIONS_PATH": str(colls),
           "ANSIBLE_NOCOLOR": "1", "LANG": "C.UTF-8", "ANSIBLE_LOCAL_TEMP": str(tmp / "tmp"),
           "ANSIBLE_PYTHON_INTERPRETER": str(venv / "bin/python")}
    if end == "oldest":
        run([venv / "bin/pip", "install", "-q", f"ansible-core=={spec['ansible_core']}"])
        env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "false"
    else:  # the whole bundle, with the ansible-core it requires
        run([venv / "bin/pip", "install", "-q", bundle_wheel(venv / "bin/python", spec["bundle"])])
    run([venv / "bin/ansible-galaxy", "collection", "build", ROOT, "--output-path", tmp], env=env)
    (tarball,) = tmp.glob("lvs-cluster-*.tar.gz")
    run([venv / "bin/ansible-galaxy", "collection", "install", "--offline", "-p", colls, tarball], env=env)
    return SimpleNamespace(end=end, spec=spec, env=env, colls=colls, venv=venv)


def installed(clean) -> dict:
    """{fqcn: version} of the collections ansible sees, the first copy of each (ansible-core's own left out)."""
    listed = json.loads(run([clean.venv / "bin/ansible-galaxy", "collection", "list", "--format", "json"],
                            env=clean.env))
    out: dict = {}
    for path in listed.values():
        for name, info in path.items():
            if not name.startswith("ansible._"):
                out.setdefault(name, info["version"])
    return out


def test_ansible_core_and_dependency_versions(clean):
    core = run([clean.venv / "bin/python", "-c", "import ansible.release; print(ansible.release.__version__)"])
    assert core.strip() == clean.spec["ansible_core"]
    found = installed(clean)
    assert found["lvs.cluster"] == yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    assert DECLARED == {}, DECLARED
    tree = clean.colls / "ansible_collections"  # nothing was installed beside lvs.cluster
    assert [p.relative_to(tree).as_posix() for p in tree.glob("*/*")] == ["lvs/cluster"]
    if clean.end == "oldest":  # ansible-core alone
        assert found == {"lvs.cluster": found["lvs.cluster"]}, found


def test_site_playbook_syntax(clean):
    out = run([clean.venv / "bin/ansible-playbook", "-i", "localhost,", "lvs.cluster.site", "--syntax-check"],
              env=clean.env)
    assert "ansible_collections/lvs/cluster/playbooks/site.yml" in out  # the installed copy


@pytest.mark.parametrize("kind, names", [
    ("module", sorted(p.stem for p in (ROOT / "plugins/modules").glob("*.py"))),
    ("role", sorted(p.name for p in (ROOT / "roles").iterdir() if p.is_dir())),
])
def test_docs_render(clean, kind, names):
    out = run([clean.venv / "bin/ansible-doc", "-t", kind, *(f"lvs.cluster.{n}" for n in names)], env=clean.env)
    missing = [n for n in names if f"lvs.cluster.{n}" not in out]
    assert not missing and "WARNING" not in out, (missing, out[-2000:])


def test_a_module_runs_on_localhost(clean):
    out = run([clean.venv / "bin/ansible", "localhost", "-m", "lvs.cluster.ipvs_info", "-a", "gather_subset=timeouts"],
              env=clean.env)
    assert '"loaded":' in out and "SUCCESS" in out


def test_module_defaults_group(clean, tmp_path):
    """group/lvs.cluster.ipvs reaches ipvs_service: with load_module false it refuses to load ip_vs (this machine's
    kernel has no IPVS; with the default true, check mode would count it as an empty table)."""
    assert not Path("/proc/net/ip_vs").exists(), "this test needs a host kernel without IPVS loaded"
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
    run([clean.venv / "bin/ansible-playbook", "-i", "localhost,", "-c", "local", book], env=clean.env)
