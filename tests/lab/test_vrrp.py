"""VRRP between the two directors: the VIP moves to the backup when the master's keepalived is killed,
and client requests through a DR service on both directors keep being answered."""

from __future__ import annotations

import pytest

from labkit import config

pytestmark = pytest.mark.lane("hosts")

# measured on UML 7.2: 0 of 71 during a 4.1 s takeover alone (the crashed master's IPVS keeps forwarding); in a
# full run (three lanes) 2 of 56: a connection opened on the crashed master just before the client's ARP entry
# moved is reset by the new one (no connection sync here), and one request starved past its 1 s bound
MAX_FAILED_DURING_TAKEOVER = 3

KEEPALIVED = """\
global_defs {{
    router_id {name}
    vrrp_garp_master_refresh 5
}}
vrrp_instance VI_LAB {{
    state {state}
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int 1
    authentication {{
        auth_type PASS
        auth_pass labpass1
    }}
    virtual_ipaddress {{
        {vip}/32 dev eth0
    }}
}}
"""


def test_vip_fails_over_when_master_keepalived_is_killed(lab, directors, realservers, record_property):
    for rs in realservers:
        lab.sh(rs, "sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 "
                   f"&& ip addr add {lab.vip}/32 dev lo label lo:0")
    reals = [config.node(rs).addr("public") for rs in realservers]
    for name, state, prio in (("director1", "MASTER", 150), ("director2", "BACKUP", 100)):
        conf = KEEPALIVED.format(name=name, state=state, priority=prio, vip=lab.vip)
        rules = [f"ipvsadm -A -t {lab.vip}:80 -s rr"] + [f"ipvsadm -a -t {lab.vip}:80 -r {r}:80 -g" for r in reals]
        lab.sh(name, f"cat > /etc/keepalived/keepalived.conf <<'EOF'\n{conf}EOF\n"
                     "keepalived -t -f /etc/keepalived/keepalived.conf && ipvsadm -C && "
                     + " && ".join(rules) + " && systemctl restart keepalived")
    assert lab.wait_for(lambda: lab.has_vip("director1", prefix="32"), timeout=20), "director1 never became MASTER"
    assert not lab.has_vip("director2", prefix="32")
    counts = lab.requests(4)  # rr, but the scheduler's position is whatever earlier tests left: not always 2:2
    assert counts[None] == 0 and set(counts) == {"realserver1", "realserver2"}, counts

    # Crash the master under a request loop that runs from before the kill until well after the takeover:
    # stop every keepalived process first, so that no child can react to its parent's death (keepalived's
    # children get SIGTERM then and would withdraw the VIP cleanly), then kill them all. The crashed
    # master keeps the VIP and its IPVS table, as a real crash would; nobody removes it.
    took, seen = lab.takeover(
        lambda: lab.sh("director1", "systemctl kill -s STOP keepalived && systemctl kill -s KILL keepalived"),
        lambda: lab.has_vip("director2", prefix="32"))
    record_property("failover", f"VRRP takeover after SIGKILL of the master keepalived: {took:.2f} s; "
                                f"{seen.summary()}")
    seen.check(max_failed_during=MAX_FAILED_DURING_TAKEOVER)
    assert {r.who for r in seen.after} == set(realservers), seen.after[-10:]
    neigh = lab.client("ip", "neigh", "show", lab.vip).stdout
    assert lab.mac("director2") in neigh, neigh
    assert "MASTER" in lab.sh("director2", "journalctl -u keepalived --no-pager | tail -20")
