"""site.yml on the lab hosts with the IPVS table owned by Ansible: the connection sync daemon, rules
persisted for the Debian ipvsadm service (in a file of another path than /etc/ipvsadm.rules, named to the service in
/etc/default/ipvsadm); then real reboots (clean power-off, same disk) of the
MASTER director and of a real server bring everything back: rules, sync daemons, VIP, lo:0 and ARP
sysctls, and traffic through the VIP. The rebooted real server is configured as Debian installs a server
(ifupdown, systemd-networkd disabled: labkit/stock.py), and is rebooted again after a converge to tun (VIP on
tunl0). (Firewall-mark services: test_site_fwmark.py.)
"""

from __future__ import annotations

import pytest

from labkit import config, stock

pytestmark = pytest.mark.lane("hosts")

EXTRA = {
    "lvs_ipvs_owner": "ansible",
    "director_sync_daemon": "both",
    "keepalived_sync_daemon": False,  # the lab inventory's; the director role owns the sync daemons here
    "director_sync_id": 7,
    "director_ipvs_timeouts": {"tcp": 1800, "tcpfin": 60},
    "director_rules_file": "/etc/lvs-ipvs.rules",
    "lvs_services": [{"name": "web", "port": 80, "scheduler": "wrr"}],
}
RULES = ["-A -t 10.78.0.200:80 -s wrr", "-a -t 10.78.0.200:80 -r 10.78.0.21:80 -g -w 2",
         "-a -t 10.78.0.200:80 -r 10.78.0.22:80 -g -w 1"]


def director_state(lab, node: str) -> dict:
    return {
        "rules": lab.sh(node, "ipvsadm -Sn").splitlines(),
        "daemons": lab.sh(node, "ipvsadm -Ln --daemon"),
        "saved": lab.sh(node, "cat /etc/lvs-ipvs.rules").splitlines(),
        "default_file": lab.sh(node, "cat /etc/ipvsadm.rules 2>/dev/null; true").splitlines(),
        "vip": lab.has_vip(node),
    }


def assert_director(lab, node: str, master: bool) -> None:
    state = director_state(lab, node)
    assert state["rules"] == RULES, state
    assert state["saved"] == RULES and not set(RULES) & set(state["default_file"]), state
    assert "master sync daemon" in state["daemons"] and "backup sync daemon" in state["daemons"], state
    assert "syncid=7" in state["daemons"], state
    assert state["vip"] is master, state


def assert_realserver(lab, node: str, dev: str = "lo") -> None:
    addrs = lab.sh(node, f"ip -4 -o addr show dev {dev}")
    assert f"inet {lab.vip}/32" in addrs and (dev != "lo" or "lo:0" in addrs), addrs
    assert lab.sh(node, "sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce").split() == ["1", "2"]


def assert_stock(lab, node: str) -> None:
    """NODE runs as a stock Debian server: ifupdown configured its network, systemd-networkd is not running."""
    state = lab.sh(node, "systemctl is-active systemd-networkd.service networking.service; true").split()
    assert state == ["inactive", "active"], state


def answers(lab, n: int = 12):
    counts = lab.requests(n)
    assert counts[None] == 0, counts
    return counts


STOCK = "realserver1"


@pytest.fixture
def ansible_owned_cluster(lab):
    lab.reset()
    lab.sh(STOCK, stock.script(config.node(STOCK)))
    yield
    lab.lab("restart", STOCK)  # a fresh disk: systemd-networkd again, as the other tests expect


def test_ansible_owned_rules_marks_and_sync_daemon_survive_reboots(lab, ansible_owned_cluster):
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", extra=EXTRA)
    assert lab.changed(lab.playbook("playbooks/site.yml", extra=EXTRA)) == 0  # idempotent
    for d in ("director1", "director2"):  # ipvs_settings: udp left at the kernel's 300
        assert lab.sh(d, "ipvsadm -Ln --timeout").split(":")[-1].split() == ["1800", "60", "300"]
    assert_director(lab, "director1", master=True)
    assert_director(lab, "director2", master=False)
    for rs in ("realserver1", "realserver2"):
        assert_realserver(lab, rs)
    assert answers(lab) == {"realserver1": 8, "realserver2": 4}  # wrr 2:1

    # the MASTER reboots: director2 takes over meanwhile, director1 comes back with everything
    lab.lab("reboot", "director1")
    assert lab.wait_for(lambda: lab.has_vip("director1"), 30)
    assert_director(lab, "director1", master=True)
    assert set(answers(lab)) == {"realserver1", "realserver2"}

    # a real server of stock Debian (ifupdown, no systemd-networkd) reboots: VIP on lo:0, ARP sysctls and its web
    # service come back
    lab.lab("reboot", STOCK)
    assert_stock(lab, STOCK)
    assert_realserver(lab, STOCK)
    assert lab.wait_for(lambda: lab.get("http://10.78.0.21/") == "realserver1", 30)
    assert answers(lab) == {"realserver1": 8, "realserver2": 4}

    # the same by tun: the VIP on tunl0 (ipip loaded at boot by the role's unit) comes back
    tun = {**EXTRA, "lvs_forwarding": "tun"}
    lab.playbook("playbooks/site.yml", extra=tun)
    assert answers(lab) == {"realserver1": 8, "realserver2": 4}
    lab.lab("reboot", STOCK)
    assert_stock(lab, STOCK)
    assert_realserver(lab, STOCK, dev="tunl0")
    assert "10.78.0.200" not in lab.sh(STOCK, "ip -4 -o addr show dev lo")  # the dr VIP went with the change
    assert lab.wait_for(lambda: lab.get("http://10.78.0.21/") == "realserver1", 30)
    assert answers(lab) == {"realserver1": 8, "realserver2": 4}
