"""The collection tarball installed as a user installs it, at both ends of the supported range (labkit/compat.py),
each in a fresh virtualenv:

- oldest: only ansible-core (the oldest release meta/runtime.yml admits) and the dependencies galaxy.yml declares
  at their lower bounds (Galaxy is unreachable here: their tarballs are made from the copies in the `ansible`
  release that carries exactly those versions);
- newest: the newest `ansible` bundle from PyPI, whose newer community.general and ansible.posix must satisfy
  galaxy.yml (no cap that excludes them, nothing installed beside them that would shadow the user's copies).

On each: the site playbook, the docs of every module and role, a module run and the module_defaults group."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import zipfile
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


def lower_bound(fqcn: str) -> str:
    spec = DECLARED[fqcn]
    assert spec.startswith(">=") and "," not in spec and "<" not in spec, f"{fqcn}: {spec!r} is not a lower bound"
    return spec[2:]


def bundle_wheel(python: Path, version: str) -> Path:
    """pip's `ansible` VERSION as a wheel, downloaded once into the lab cache."""
    found = sorted(WHEELS.glob(f"ansible-{version}-*.whl"))
    if not found:
        WHEELS.mkdir(parents=True, exist_ok=True)
        run([python, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", WHEELS,
             f"ansible=={version}"])
        found = sorted(WHEELS.glob(f"ansible-{version}-*.whl"))
    return found[0]


def artifact(wheel: Path, fqcn: str, dest: Path) -> Path:
    """A collection tarball made from the copy of FQCN inside WHEEL. The bundle leaves out some files its FILES.json
    lists (CI scripts, tests), so FILES.json is written anew for the files present and MANIFEST.json's checksum of
    it follows; every file keeps its recorded checksum, which ansible-galaxy verifies on install."""
    prefix = "ansible_collections/%s/%s/" % tuple(fqcn.split("."))
    with zipfile.ZipFile(wheel) as whl:
        content = {n[len(prefix):]: whl.read(n) for n in whl.namelist() if n.startswith(prefix) and not n.endswith("/")}
    manifest = json.loads(content["MANIFEST.json"])
    files = json.loads(content["FILES.json"])
    dirs = {n.rsplit("/", i)[0] for n in content for i in range(1, n.count("/") + 1)}
    files["files"] = [f for f in files["files"] if f["name"] in content or f["name"] in dirs or f["name"] == "."]
    files_json = json.dumps(files).encode()
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files_json).hexdigest()
    out = dest / f"{fqcn.replace('.', '-')}-{manifest['collection_info']['version']}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        for arcname, data in (("MANIFEST.json", json.dumps(manifest).encode()), ("FILES.json", files_json),
                              *((f["name"], content.get(f["name"])) for f in files["files"] if f["name"] != ".")):
            info = tarfile.TarInfo(arcname)
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return out


@pytest.fixture(scope="module", params=sorted(ENDS))
def clean(request, tmp_path_factory):
    """A fresh venv at one end of the range with the built collection installed; env, venv, collections path."""
    end, spec = request.param, ENDS[request.param]
    tmp = tmp_path_factory.mktemp(f"clean-{end}")
    python = deps.find_python(spec["python"])
    venv = tmp / "venv"
    run([python, "-m", "venv", venv])
    wheel = bundle_wheel(venv / "bin/python", spec["bundle"])
    colls = tmp / "collections"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp), "ANSIBLE_COLLECTIONS_PATH": str(colls),
           "ANSIBLE_NOCOLOR": "1", "LANG": "C.UTF-8", "ANSIBLE_LOCAL_TEMP": str(tmp / "tmp"),
           "ANSIBLE_PYTHON_INTERPRETER": str(venv / "bin/python")}
    if end == "oldest":
        run([venv / "bin/pip", "install", "-q", f"ansible-core=={spec['ansible_core']}"])
        artifacts = [artifact(wheel, fqcn, tmp) for fqcn in DECLARED]
        env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "false"
    else:
        run([venv / "bin/pip", "install", "-q", wheel])  # the whole bundle, with the ansible-core it requires
        artifacts = []
    run([venv / "bin/ansible-galaxy", "collection", "build", ROOT, "--output-path", tmp], env=env)
    (tarball,) = tmp.glob("lvs-cluster-*.tar.gz")
    run([venv / "bin/ansible-galaxy", "collection", "install", "--offline", "-p", colls, tarball, *artifacts],
        env=env)
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
    if clean.end == "oldest":  # exactly the declared dependencies, at their lower bounds
        assert found == {"lvs.cluster": found["lvs.cluster"], **{f: lower_bound(f) for f in DECLARED}}, found
    else:  # the bundle's newer copies satisfied galaxy.yml: nothing was installed beside lvs.cluster
        tree = clean.colls / "ansible_collections"
        assert [p.relative_to(tree).as_posix() for p in tree.glob("*/*")] == ["lvs/cluster"]
        for fqcn in DECLARED:
            have = tuple(int(x) for x in found[fqcn].split("."))
            assert have > tuple(int(x) for x in lower_bound(fqcn).split(".")), (fqcn, found[fqcn])


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
