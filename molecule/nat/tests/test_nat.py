"""LVS-NAT cluster from playbooks/site.yml: port mapping 80 -> 8080, traffic, weights, check mode,
failover of both VIPs, real-server death and node restart (shared checks in molecule/shared)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
import lvs_checks as lvs

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


@pytest.fixture(scope="module")
def nodes():
    return {n: lvs.node(n) for n in (*CLUSTER.directors, *CLUSTER.realservers)}


def test_cluster_is_set_up(nodes):
    lvs.check_cluster_is_set_up(CLUSTER, nodes)


def test_real_servers_have_no_public_address(nodes):
    for rs in CLUSTER.realservers:
        assert "10.89.0." not in nodes[rs].check_output("ip -4 -o addr show")


def test_check_mode_reports_no_change():
    lvs.check_mode_reports_no_change(CLUSTER)


def test_every_real_server_answers_and_weights_are_respected(host):
    lvs.check_weights(CLUSTER, host)


def test_failover_when_the_master_dies(host, nodes):
    lvs.check_failover_when_the_master_dies(CLUSTER, host, nodes)


def test_dead_real_server_is_removed_by_the_health_check(host, nodes):
    lvs.check_dead_realserver_is_removed(CLUSTER, host, nodes)


def test_restarted_nodes_come_back(host, nodes):
    lvs.check_restart(CLUSTER, host, nodes)
