"""Integration targets (tests/integration/targets/*) run with ansible-playbook against a fresh
container on the lab engine: a real IPVS kernel, one IPVS table per container."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import docker
import pytest

from labkit import config, deps, engine

pytestmark = pytest.mark.lane("engine")

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "tests" / "integration" / "targets"
NAMES = sorted(p.name for p in TARGETS.iterdir()
               if (p / "tasks" / "main.yml").exists() and not p.name.startswith("setup_"))


@pytest.fixture
def target_container():
    client = docker.DockerClient(base_url=config.engine_url(), timeout=120)
    name = f"lvslab-it-{uuid.uuid4().hex[:8]}"
    ct = client.containers.run(engine.IMAGES[0], ["sleep", "infinity"], detach=True, name=name, hostname=name,
                               cap_add=["NET_ADMIN", "NET_RAW", "SYS_ADMIN"], tmpfs={"/tmp": ""})
    # net.* sysctls belong to the container's network namespace; /proc/sys is read-only by default.
    res = ct.exec_run(["mount", "-o", "remount,rw", "/proc/sys"])
    assert res.exit_code == 0, res.output
    yield name
    ct.remove(force=True)


@pytest.mark.parametrize("target", NAMES)
def test_integration_target(lab, target_container, target, tmp_path):
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": {"ipvs_target": {
        "ansible_connection": "community.docker.docker_api",
        "ansible_host": target_container,
        "ansible_docker_docker_host": config.engine_url(),
        "ansible_python_interpreter": "/usr/bin/python3",
    }}}}))
    playbook = tmp_path / "run.yml"
    playbook.write_text(f"- hosts: all\n  gather_facts: false\n  roles:\n    - {target}\n")
    env = deps.venv_env()
    env.update(ANSIBLE_ROLES_PATH=str(TARGETS), ANSIBLE_DISPLAY_FAILED_STDERR="1", ANSIBLE_PIPELINING="1")
    # the engine falls back to ipvsadm with this warning when netlink fails: that must not happen here
    out = lab.run_logged([str(deps.VENV / "bin/ansible-playbook"), "-i", str(inventory), str(playbook)],
                         f"integration-{target}", env, timeout=1200, forbid=("generic netlink failed",))
    print(out[-6000:])
    assert re.search(r"ok=[1-9]\d* .*failed=0", out), out[-3000:]
