"""NAT and DR services built by hand with ipvsadm balance real client requests across both real servers."""

from __future__ import annotations

import pytest

from labkit import config

pytestmark = pytest.mark.lane("hosts")

PRIVATE_PREFIX = config.PRIVATE["prefix"]


def _rr_service(lab, director: str, flag: str, reals: list[str]) -> None:
    cmds = ["ipvsadm -C", f"ipvsadm -A -t {lab.vip}:80 -s rr"]
    cmds += [f"ipvsadm -a -t {lab.vip}:80 -r {r}:80 {flag} -w 1" for r in reals]
    lab.sh(director, " && ".join(cmds))


def test_nat_balances_across_both_real_servers(lab, directors, realservers):
    d = "director1"
    dip = config.node(d).addr("private")
    lab.sh(d, f"ip addr add {lab.vip}/24 dev eth0 && sysctl -qw net.ipv4.ip_forward=1")
    for rs in realservers:
        # NAT: the real servers are reachable only on the private network, gateway = the director.
        # IPv4 only: a flush of every address took the link-local IPv6 one too, which only a link down/up
        # gives back, and the IPv6 tests after this one found no neighbour discovery between the real
        # servers and the client
        lab.sh(rs, f"ip -4 addr flush dev eth0 && ip route replace default via {dip}")
    _rr_service(lab, d, "-m", [config.node(rs).addr("private") for rs in realservers])
    answers = lab.requests(6)
    assert answers == {"realserver1": 3, "realserver2": 3}, answers
    stats = lab.sh(d, "sleep 2.5; ipvsadm -Ln --stats")
    assert "Conns" in stats


def test_dr_balances_across_both_real_servers(lab, directors, realservers):
    d = "director1"
    lab.sh(d, f"ip addr add {lab.vip}/32 dev eth0")
    for rs in realservers:
        lab.sh(rs, "sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 "
                   "net.ipv4.conf.lo.arp_ignore=1 net.ipv4.conf.lo.arp_announce=2 && "
                   f"ip addr add {lab.vip}/32 dev lo label lo:0")
    lab.client("ip", "neigh", "flush", "all")
    _rr_service(lab, d, "-g", [config.node(rs).addr("public") for rs in realservers])
    answers = lab.requests(6)
    assert answers == {"realserver1": 3, "realserver2": 3}, answers
    # Only the director answered ARP for the VIP: the real servers kept quiet (arp_ignore).
    neigh = lab.client("ip", "neigh", "show", lab.vip).stdout
    assert lab.mac(d) in neigh, neigh
    # Replies went straight from the real servers to the client: the director saw no outbound packets.
    lab.sh(d, "sleep 2.5")
    outpkts = lab.sh(d, "ipvsadm -Ln --stats --exact").split(f"TCP  {lab.vip}:80")[1].split()[2]
    assert outpkts == "0", outpkts
