"""LVS-DR cluster from playbooks/site.yml: traffic, weights, check mode, failover, real-server death
and node restart (shared checks in molecule/shared); a second service on 443 checked by SSL_GET."""

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
import lvs_checks as lvs

# the tests every scenario runs: pytest collects them here, where they find CLUSTER
from lvs_checks import *  # noqa: F403  # pylint: disable=wildcard-import,unused-wildcard-import

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

HTTPS = dataclasses.replace(CLUSTER, port=443)
HTTPS_DESTS = {f"{rs[0]}:443" for rs in CLUSTER.realservers.values()}


def https_answers(client, count=4):
    out = client.run(f"for i in $(seq {count}); do curl -sk --max-time 2 https://{CLUSTER.vip}/ || echo FAILED; done")
    return out.stdout.split()


def test_https_service_checked_by_ssl_get(host, nodes):
    """Both real servers are in the 443 service while keepalived's SSL_GET passes, and answer over TLS through the
    VIP; the HTTPS server stopped on one real server takes it out of that service only (the HTTP service, checked
    by TCP_CHECK, keeps it); started again, it is back."""
    director = nodes[CLUSTER.directors[0]]
    assert "SSL_GET {" in director.file("/etc/keepalived/keepalived.conf").content_string
    assert lvs.wait_for(lambda: set(lvs.ipvs_destinations(director, HTTPS) or {}) == HTTPS_DESTS, timeout=20), \
        lvs.ipvs_destinations(director, HTTPS)
    assert sorted(set(https_answers(host))) == sorted(CLUSTER.realservers)  # rr over both
    stopped, kept_addr = "dr-rs2", CLUSTER.realservers["dr-rs1"][0]
    nodes[stopped].run("systemctl stop lvs-lab-web-tls")
    try:
        assert lvs.wait_for(lambda: set(lvs.ipvs_destinations(director, HTTPS) or {}) == {f"{kept_addr}:443"},
                            timeout=20), lvs.ipvs_destinations(director, HTTPS)
        assert "10.88.0.22:80" in lvs.ipvs_destinations(director, CLUSTER)
        assert https_answers(host) == ["dr-rs1"] * 4
    finally:
        nodes[stopped].run("systemctl start lvs-lab-web-tls")
    assert lvs.wait_for(lambda: set(lvs.ipvs_destinations(director, HTTPS) or {}) == HTTPS_DESTS, timeout=20), \
        lvs.ipvs_destinations(director, HTTPS)
