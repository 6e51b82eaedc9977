"""site.yml with an IPv6 service beside the IPv4 one, on the lab hosts (DR, keepalived, the lab's public network
dual-stack: fd78::/64): the directors carry the IPv6 VIP with the IPv4 one (one VRRP instance, IPv4 adverts, the
IPv6 VIP in virtual_ipaddress_excluded), the real servers carry it on lo as /128, the client's IPv6 requests
are balanced by the weights, no real server answers neighbour solicitations for the VIP, and a crash of the
MASTER moves the IPv6 VIP with the IPv4 one. Then both services by tun (IPv6 in IPv6 to ip6tnl0), and an
IPv6-only NAT cluster (the real servers behind the floating IPv6 gateway on the private network, VRRPv3)."""

from __future__ import annotations

import sys
import time
from collections import Counter

import pytest

from labkit import config

pytestmark = pytest.mark.lane("hosts")

VIP6 = config.VIP6
DIRECTORS = ("director1", "director2")
RS6 = {rs: config.node(rs).addr6() for rs in ("realserver1", "realserver2")}
HC = {"type": "tcp", "connect_timeout": 1, "retry": 1, "delay_before_retry": 1}
EXTRA = {"lvs_services": [
    {"name": "http", "port": 80, "scheduler": "wrr", "delay_loop": 1, "health_check": HC},
    {"name": "http6", "address": VIP6, "port": 80, "scheduler": "wrr", "delay_loop": 1, "health_check": HC},
]}
URL6 = f"http://[{VIP6}]/"


@pytest.fixture(scope="module")
def ipv6_cluster(lab):
    """A reset before the first test only (the next fixture's reset cleans up after the last): each test's site.yml
    run converges the hosts from what the one before left (dr -> tun -> nat: the realserver role removes the VIPs
    the last method put on lo, tunl0 and ip6tnl0), and a full-run minute is saved per reset."""
    flush = ("ip", "-6", "neigh", "flush", "dev", "eth0", "nud", "all")  # permanent entries too (the probes')
    for rs in RS6:  # what the tests need of the lab network: each real server's public and link-local IPv6
        v6 = lab.sh(rs, "ip -6 -o addr show dev eth0")
        assert f"inet6 {RS6[rs]}/64" in v6 and "inet6 fe80:" in v6, (rs, v6)
    lab.client(*flush)
    lab.reset()
    yield
    lab.client(*flush)


def holders6(lab) -> list:
    return [d for d in DIRECTORS if f"inet6 {VIP6}/128" in lab.sh(d, "ip -6 -o addr show dev eth0")]


def crash(lab) -> None:
    """A crash of the MASTER's keepalived: stopped, then killed (no child withdraws the VIPs cleanly)."""
    lab.sh("director1", "systemctl kill -s STOP keepalived && systemctl kill -s KILL keepalived")


def advertisers(lab, unicast: bool = False) -> list:
    """The link-layer addresses that answer a neighbour solicitation for the IPv6 VIP from the client."""
    env = ["env", f"PYTHONPATH={config.PROJECT}"]
    res = lab.client(*env, sys.executable, "-m", "labkit.ndisc", "eth0", VIP6, "2",
                     *(["--unicast"] if unicast else []))
    assert res.returncode == 0, res
    return sorted({line.split()[1] for line in res.stdout.splitlines() if line.strip()})


def test_ipv6_vip_balanced_by_weights_no_nd_from_real_servers_and_failover(lab, ipv6_cluster, record_property):
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", extra=EXTRA)
    assert lab.wait_for(lambda: holders6(lab) == ["director1"], 20, step=0.5), holders6(lab)
    assert lab.has_vip("director1") and not lab.has_vip("director2")
    conf = lab.sh("director1", "cat /etc/keepalived/keepalived.conf")
    assert f"virtual_ipaddress_excluded {{\n        {VIP6}/128 dev eth0" in conf, conf
    for rs in RS6:
        lo = lab.sh(rs, "ip -6 -o addr show dev lo")
        assert f"inet6 {VIP6}/128" in lo, lo
    table = lab.sh("director1", "ipvsadm -Ln")
    assert f"TCP  [{VIP6}]:80 wrr" in table, table
    for rs, weight in (("realserver1", 2), ("realserver2", 1)):
        assert f"-> [{RS6[rs]}]:80" in table and f"[{RS6[rs]}]:80                Route   {weight}" in table, table

    # balanced by the weights (wrr 2:1 over a multiple of 3 requests, whatever its starting point)
    got = Counter(lab.get(URL6) for _ in range(30))
    assert got == {"realserver1": 20, "realserver2": 10}, got

    # neighbour discovery: only the MASTER answers for the VIP; a real server does not, neither to the
    # solicited-node group nor to a unicast probe sent to its own MAC (a stale entry of the client)
    assert advertisers(lab) == [lab.mac("director1")]
    for rs in RS6:
        # a permanent entry: the client's kernel sends no solicitation of its own (whose answers the probe sees)
        lab.client("ip", "-6", "neigh", "replace", VIP6, "lladdr", lab.mac(rs), "dev", "eth0", "nud", "permanent")
        try:
            assert advertisers(lab, unicast=True) == [], rs
        finally:
            lab.client("ip", "-6", "neigh", "del", VIP6, "dev", "eth0")
    # the probe can see an answer: the same probe for a real server's own address gets one (from that server)
    lab.client("ip", "-6", "neigh", "flush", "dev", "eth0")
    env = ["env", f"PYTHONPATH={config.PROJECT}"]
    own = lab.client(*env, sys.executable, "-m", "labkit.ndisc", "eth0", RS6["realserver1"], "2")
    assert lab.mac("realserver1") in own.stdout, own

    # a crash of the MASTER's keepalived moves the IPv6 VIP with the IPv4 one
    took, seen = lab.takeover(lambda: crash(lab), lambda: "director2" in holders6(lab), 20, url=URL6)
    record_property("failover", f"IPv6 VIP {VIP6} after a crash of the MASTER's keepalived (STOP, KILL): "
                                f"{took:.2f} s; {seen.summary()}")
    assert lab.has_vip("director2")
    seen.check(max_failed_during=8)
    assert {r.who for r in seen.after} == {"realserver1", "realserver2"}, seen.summary()
    lab.sh("director1", "systemctl restart keepalived")


def test_ipv6_over_tun(lab, ipv6_cluster, record_property):
    """The same two services forwarded by tun: IPv6 in IPv6 to the real servers' ip6tnl0 (IPv4 to tunl0)."""
    tun = dict(EXTRA, lvs_forwarding="tun")
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", extra=tun)
    assert lab.wait_for(lambda: holders6(lab) == ["director1"], 20, step=0.5), holders6(lab)
    for rs in RS6:
        assert f"inet6 {VIP6}/128" in lab.sh(rs, "ip -6 -o addr show dev ip6tnl0"), rs
        assert f"inet {lab.vip}/32" in lab.sh(rs, "ip -4 -o addr show dev tunl0"), rs
        # after the dr test: the VIPs the realserver role had put on lo are gone (recorded, no longer wanted)
        lo = lab.sh(rs, "ip -o addr show dev lo")
        assert VIP6 not in lo and lab.vip not in lo, (rs, lo)
        unit = lab.sh(rs, "cat /etc/systemd/system/lvs-realserver.service")
        assert "ip addr replace fd78::200/128 dev ip6tnl0" in unit and "/sbin/modprobe ip6_tunnel" in unit, (rs, unit)
    table = lab.sh("director1", "ipvsadm -Ln")
    assert f"-> [{RS6['realserver1']}]:80                Tunnel  2" in table, table
    # the test before moved the VIPs to director2 and back: the client may still send to director2's MAC (once 7 of
    # 30 IPv6 requests failed in a full run), which holds neither VIP and does not forward; until its neighbour
    # table has director1's address (or none: the next packet asks), a failed request says nothing of tun
    t0 = time.monotonic()
    for vip in (VIP6, lab.vip):
        assert lab.wait_for(lambda v=vip: lab.client_neighbour(v) in (None, lab.mac("director1")), 30, step=0.5), \
            (vip, lab.client_neighbour(vip), lab.mac("director1"), lab.mac("director2"))
    waited = time.monotonic() - t0
    answers6 = [lab.get(URL6) for _ in range(30)]
    got6 = Counter(answers6)
    got4 = Counter(lab.get(f"http://{lab.vip}/") for _ in range(30))
    failed6 = [i for i, a in enumerate(answers6) if a is None]
    record_property("tun", f"IPv6 over tun: {dict(got6)} (failed: requests {failed6}); IPv4 over tun: {dict(got4)}; "
                           f"the client's neighbour entries on director1 after {waited:.2f} s")
    assert got6 == {"realserver1": 20, "realserver2": 10}, got6
    assert got4 == {"realserver1": 20, "realserver2": 10}, got4
    assert advertisers(lab) == [lab.mac("director1")]


NAT6_GATEWAY = "fd79::fe"
NAT6_HOSTS = """all:
  children:
    lvs:
      children:
        realservers:
          hosts:
            realserver1: {lvs_real_address6: "fd79::21"}
            realserver2: {lvs_real_address6: "fd79::22"}
"""


@pytest.fixture
def nat6_realservers(lab, ipv6_cluster):
    """NAT real servers take the replies through the directors only when the client is not on one of their links:
    their public IPv6 addresses go (Ansible reaches them over the private IPv4 network), and come back after."""
    for rs in RS6:
        lab.sh(rs, "ip -6 addr flush dev eth0 scope global")
    yield
    for rs in RS6:
        lab.sh(rs, "ip -6 route del default 2>/dev/null; networkctl reconfigure eth0; true")
    for d in DIRECTORS:
        lab.sh(d, "sysctl -qw net.ipv6.conf.all.forwarding=0")
    for rs in RS6:
        assert lab.wait_for(lambda rs=rs: RS6[rs] in lab.sh(rs, "ip -6 -o addr show dev eth0"), 20, step=0.5), rs


def test_ipv6_nat_pure_ipv6_vrrp(lab, nat6_realservers, tmp_path, record_property):
    """An IPv6-only NAT cluster: the VIP fd78::200, the real servers at fd79::21/22 behind the floating IPv6
    gateway fd79::fe; both VRRP instances IPv6 (VRRPv3, in the NAT sync group, without authentication, which
    VRRPv3 does not have); a crash of the MASTER moves the VIP and the gateway."""
    inventory = tmp_path / "nat6.yml"
    inventory.write_text(NAT6_HOSTS)
    extra = {"lvs_vip": VIP6, "lvs_forwarding": "nat", "lvs_internal_vip6": NAT6_GATEWAY, "lvs_vrrp_auth_pass": "",
             "lvs_services": [{"name": "http6", "port": 80, "scheduler": "wrr", "delay_loop": 1, "health_check": HC}]}
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", extra=extra, inventories=["-i", str(inventory)])

    def gateways() -> list:
        return [d for d in DIRECTORS if f"inet6 {NAT6_GATEWAY}/64" in lab.sh(d, "ip -6 -o addr show dev eth1")]

    assert lab.wait_for(lambda: holders6(lab) == ["director1"] and gateways() == ["director1"], 30, step=0.5), \
        (holders6(lab), gateways())
    conf = lab.sh("director1", "cat /etc/keepalived/keepalived.conf")
    assert "authentication" not in conf and f"{NAT6_GATEWAY}/64 dev eth1" in conf, conf
    for rs in RS6:
        assert f"default via {NAT6_GATEWAY} " in lab.sh(rs, "ip -6 route show default"), rs
    # after the tun test: the tunnel devices' VIPs are gone from the real servers (no longer wanted), the IPv4 VIP
    # and its service from the directors (keepalived's reload)
    for rs in RS6:
        tunnels = lab.sh(rs, "ip -o addr show dev tunl0; ip -o addr show dev ip6tnl0")
        assert VIP6 not in tunnels and lab.vip not in tunnels, (rs, tunnels)
    assert not lab.has_vip("director1") and f"{lab.vip}:80" not in lab.sh("director1", "ipvsadm -Ln")
    table = lab.sh("director1", "ipvsadm -Ln")
    for addr, weight in (("fd79::21", 2), ("fd79::22", 1)):
        assert f"-> [{addr}]:80                Masq    {weight}" in table, table
    got = Counter(lab.get(URL6) for _ in range(30))
    assert got == {"realserver1": 20, "realserver2": 10}, got

    moved = lambda: "director2" in holders6(lab) and "director2" in gateways()  # noqa: E731
    took, seen = lab.takeover(lambda: crash(lab), moved, 20, url=URL6)
    record_property("failover", f"IPv6 NAT (VRRPv3 VIP and gateway) after a crash of the MASTER's keepalived: "
                                f"{took:.2f} s; {seen.summary()}")
    # director1 was killed with both addresses on it: the client and the real servers follow director2's
    # unsolicited neighbour advertisements
    seen.check(max_failed_during=8)
    assert {r.who for r in seen.after} == {"realserver1", "realserver2"}, seen.summary()
    lab.sh("director1", "systemctl restart keepalived")
