"""LVS-DR cluster from playbooks/site.yml: traffic, weights, failover and real-server death."""

import sys
import time
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from lvs_checks import has_vip, node, requests, wait_for

VIP = "10.88.0.200"
testinfra_hosts = ["ansible://dr-client"]


@pytest.fixture(scope="module")
def nodes():
    return {n: node(n) for n in ("dr-director1", "dr-director2", "dr-rs1", "dr-rs2")}


def test_master_holds_the_vip(nodes):
    assert has_vip(nodes["dr-director1"], VIP)
    assert not has_vip(nodes["dr-director2"], VIP)


def test_real_servers_are_set_up_for_dr(nodes):
    for rs in ("dr-rs1", "dr-rs2"):
        h = nodes[rs]
        assert f"inet {VIP}/32" in h.check_output("ip -4 -o addr show dev lo")
        assert "lo:0" in h.check_output("ip -4 -o addr show dev lo")
        assert h.sysctl("net.ipv4.conf.all.arp_ignore") == 1
        assert h.sysctl("net.ipv4.conf.all.arp_announce") == 2


def test_every_real_server_answers_and_weights_are_respected(host):
    answers = requests(host, VIP, 30)
    counts = Counter(answers)
    assert counts[""] == 0, counts
    assert set(counts) == {"dr-rs1", "dr-rs2"}, counts
    assert counts["dr-rs1"] == 2 * counts["dr-rs2"], counts  # wrr 2:1


def test_failover_moves_the_vip_without_failed_requests(host, nodes):
    d1, d2 = nodes["dr-director1"], nodes["dr-director2"]
    d1.run("systemctl stop keepalived")
    try:
        t0 = time.monotonic()
        assert wait_for(lambda: has_vip(d2, VIP), timeout=15)
        print(f"VIP takeover {time.monotonic() - t0:.2f} s")
        answers = requests(host, VIP, 20, interval=0.1)
        assert answers.count("") == 0, answers
        assert set(answers) == {"dr-rs1", "dr-rs2"}
    finally:
        d1.run("systemctl start keepalived")
    assert wait_for(lambda: has_vip(d1, VIP), timeout=15)


def test_dead_real_server_is_removed_by_the_health_check(host, nodes):
    d1, rs2 = nodes["dr-director1"], nodes["dr-rs2"]
    rs2.run("systemctl stop lvs-lab-web")
    try:
        assert wait_for(lambda: "10.88.0.22:80" not in d1.check_output("ipvsadm -Ln"), timeout=20)
        answers = requests(host, VIP, 20)
        assert answers == ["dr-rs1"] * 20, answers
    finally:
        rs2.run("systemctl start lvs-lab-web")
    assert wait_for(lambda: "10.88.0.22:80" in d1.check_output("ipvsadm -Ln"), timeout=20)
