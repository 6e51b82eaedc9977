"""LVS-NAT cluster from playbooks/site.yml: port mapping 80 -> 8080, traffic, weights, check mode,
failover of both VIPs, real-server death and node restart (shared checks in molecule/shared)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
import lvs_checks as lvs

# the tests every scenario runs: pytest collects them here, where they find CLUSTER
from lvs_checks import *  # noqa: F403  # pylint: disable=wildcard-import,unused-wildcard-import

CLUSTER = lvs.Cluster(
    forwarding="nat",
    vip="10.89.0.200",
    internal_vip="10.90.0.254",
    directors=("nat-director1", "nat-director2"),
    realservers={"nat-rs1": ("10.90.0.21", 8080), "nat-rs2": ("10.90.0.22", 8080)},
    weights={"nat-rs1": 2, "nat-rs2": 1},
    client="nat-client",
    director_sysctls={"net.ipv4.ip_forward": 1, "net.ipv4.conf.all.send_redirects": 0},
)
testinfra_hosts = [f"ansible://{CLUSTER.client}"]


def test_real_servers_have_no_public_address(nodes):
    for rs in CLUSTER.realservers:
        assert "10.89.0." not in nodes[rs].check_output("ip -4 -o addr show")
