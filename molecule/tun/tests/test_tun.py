"""LVS-TUN cluster from playbooks/site.yml: IPIP to the real servers (VIP on tunl0), traffic, weights,
check mode, failover, real-server death (seen by a MISC_CHECK command per real server) and node restart
(shared checks in molecule/shared)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
import lvs_checks as lvs

# the tests every scenario runs: pytest collects them here, where they find CLUSTER
from lvs_checks import *  # noqa: F403  # pylint: disable=wildcard-import,unused-wildcard-import

CLUSTER = lvs.Cluster(
    forwarding="tun",
    vip="10.91.0.200",
    directors=("tun-director1", "tun-director2"),
    realservers={"tun-rs1": ("10.91.0.21", 80), "tun-rs2": ("10.91.0.22", 80)},
    weights={"tun-rs1": 2, "tun-rs2": 1},
    client="tun-client",
    director_sysctls={"net.ipv4.conf.all.send_redirects": 0},
    sync_daemons=True,
)
testinfra_hosts = [f"ansible://{CLUSTER.client}"]


def test_requests_arrive_through_the_ipip_tunnel(host, nodes):
    def rx():
        return {rs: int(nodes[rs].file("/sys/class/net/tunl0/statistics/rx_packets").content_string)
                for rs in CLUSTER.realservers}

    before = rx()
    answers = lvs.requests(host, CLUSTER.vip, 6)
    after = rx()
    assert answers.count("") == 0, answers
    for rs in CLUSTER.realservers:
        assert after[rs] > before[rs], (rs, before, after)  # decapsulated on tunl0


def test_each_real_server_has_its_own_misc_check_command(nodes):
    """The shared real-server-death test runs against this check: keepalived runs curl per server."""
    for d in CLUSTER.directors:
        conf = nodes[d].file("/etc/keepalived/keepalived.conf").content_string
        for addr, port in CLUSTER.realservers.values():
            assert f'misc_path "/usr/bin/curl -fs -o /dev/null --max-time 2 http://{addr}:{port}/"' in conf, conf
        assert "TCP_CHECK" not in conf, conf
