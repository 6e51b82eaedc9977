"""IPVS is real on the lab: ipvsadm builds a table on a director node and inside a container."""

from __future__ import annotations

import docker
import pytest

from labkit import config, engine, kernel

RULES = ["-A -t 10.9.0.1:80 -s wlc", "-a -t 10.9.0.1:80 -r 10.9.0.2:80 -m -w 3",
         "-a -t 10.9.0.1:80 -r 10.9.0.3:80 -m -w 1"]
EXPECTED_SAVE = ("-A -t 10.9.0.1:80 -s wlc\n-a -t 10.9.0.1:80 -r 10.9.0.2:80 -m -w 3\n"
                 "-a -t 10.9.0.1:80 -r 10.9.0.3:80 -m -w 1\n")


@pytest.mark.lane("hosts")
def test_director_kernel_has_ipvs(lab, directors):
    assert "ip_vs" in lab.sh("director1", "cat /proc/modules") or lab.sh("director1", "ipvsadm -Ln")
    lab.sh("director1", "ipvsadm -C && " + " && ".join(f"ipvsadm {r}" for r in RULES))
    assert lab.sh("director1", "ipvsadm -Sn") == EXPECTED_SAVE
    listing = lab.sh("director1", "ipvsadm -Ln")
    assert "TCP  10.9.0.1:80 wlc" in listing
    assert "-> 10.9.0.2:80                  Masq    3" in listing
    assert lab.sh("director1", "uname -r").strip() == kernel.current().release


@pytest.fixture
def container():
    client = docker.DockerClient(base_url=config.engine_url(), timeout=60)
    ct = client.containers.run(engine.IMAGES[0], ["sleep", "300"], detach=True, cap_add=["NET_ADMIN", "NET_RAW"],
                               name="lvslab-smoke-ipvs")
    yield ct
    ct.remove(force=True)


@pytest.mark.lane("engine")
def test_container_on_engine_has_its_own_ipvs_table(lab, container):
    for rule in RULES:
        res = container.exec_run(["ipvsadm", *rule.split()])
        assert res.exit_code == 0, res.output
    res = container.exec_run(["ipvsadm", "-Sn"])
    assert res.exit_code == 0 and res.output.decode() == EXPECTED_SAVE
    # The table lives in the container's network namespace, not on the engine node.
    assert "10.9.0.1" not in lab.sh("engine", "ipvsadm -Sn")
