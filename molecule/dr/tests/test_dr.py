"""LVS-DR cluster from playbooks/site.yml: traffic, weights, check mode, failover, real-server death
and node restart (shared checks in molecule/shared)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
import lvs_checks as lvs

CLUSTER = lvs.Cluster(
    forwarding="dr",
    vip="10.88.0.200",
    directors=("dr-director1", "dr-director2"),
    realservers={"dr-rs1": ("10.88.0.21", 80), "dr-rs2": ("10.88.0.22", 80)},
    weights={"dr-rs1": 2, "dr-rs2": 1},
    client="dr-client",
    director_sysctls={"net.ipv4.conf.all.send_redirects": 0},
)
testinfra_hosts = [f"ansible://{CLUSTER.client}"]


@pytest.fixture(scope="module")
def nodes():
    return {n: lvs.node(n) for n in (*CLUSTER.directors, *CLUSTER.realservers)}


def test_cluster_is_set_up(nodes):
    lvs.check_cluster_is_set_up(CLUSTER, nodes)


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
