"""A firewall-mark service through site.yml: the director role's iptables MARK rules on a real kernel.

The UML lab kernel has IPVS but no IPv4 netfilter tables (labkit/qemu.py), so the director of this
test, `fwdirector`, boots a Debian release's own amd64 kernel under QEMU (`lab restart --machine qemu --suite`),
once on Debian 12 (bookworm, kernel 6.1) and once on Debian 13 (trixie, kernel 6.12): the roles on each release's
userland, each kernel's IPVS and netfilter, and a reboot of each.
one director, the IPVS table owned by Ansible and the VIP set by the director role (no keepalived). It
has its own VIP and two real servers Ansible does not manage (network namespaces on the lab bridge), so
it touches none of the hosts shape's nodes and runs in an engine lane while the hosts lane runs. Under
emulation every task is several times slower than on UML, so this test covers only what needs netfilter:
the MARK rules (and their idempotence), traffic through the mark with the weights, and the marks, table
and VIP coming back after a real reboot.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter

import pytest

from labkit import config, image, lanhost, uml

pytestmark = [pytest.mark.lane("engine"), pytest.mark.emulated]

DIRECTOR = "fwdirector"
GROUP, RS_GROUP = "lab_fwmark_directors", "lab_fwmark_realservers"
VIP = "10.78.0.210"  # no other test uses it: the hosts lane runs at the same time on the same bridge
RS = {"fwrs1": ("10.78.0.41", "02:00:0a:4e:00:29", 2), "fwrs2": ("10.78.0.42", "02:00:0a:4e:00:2a", 1)}
EXTRA = {
    "lvs_director_group": GROUP,
    "lvs_realserver_group": RS_GROUP,
    "lvs_vip": VIP,
    "lvs_keepalived": False,
    "lvs_ipvs_owner": "ansible",
    "director_sync_daemon": "both",  # started at boot by Debian's ipvsadm service, once the NIC's module made eth0
    "lvs_services": [{"name": "web", "fwmark": 1, "ports": [80], "scheduler": "wrr",
                      "servers": [{"address": a, "weight": w, "name": n} for n, (a, _, w) in RS.items()]}],
}
RULES = ["-A -f 1 -s wrr", "-a -f 1 -r 10.78.0.41:0 -g -w 2", "-a -f 1 -r 10.78.0.42:0 -g -w 1"]
MARK = re.compile(r"-A PREROUTING -d 10\.78\.0\.210/32 -p tcp .*--dport 80 .*-j MARK --set-xmark 0x1/0xffffffff")


# the release each run boots: (VERSION_ID of /etc/os-release, the kernel's major.minor)
RELEASES = {"bookworm": ("12", "6.1."), "trixie": ("13", "6.12.")}


@pytest.fixture(params=image.NODE_SUITES)
def qemu_director(lab, tmp_path, request):
    """fwdirector under QEMU on a Debian release's own kernel, alone in its directors group, and its two real
    servers (namespaces)."""
    inventory = tmp_path / "fwmark.yml"
    node = config.node(DIRECTOR)
    inventory.write_text(f"all:\n  children:\n    {GROUP}:\n      hosts:\n        {DIRECTOR}:\n"
                         f"          ansible_host: {node.addr('private')}\n    {RS_GROUP}:\n      hosts: {{}}\n")
    with contextlib.ExitStack() as stack:
        for name, (addr, mac, _) in RS.items():
            stack.enter_context(lanhost.lan_host(f"lvslab-{name}", f"lvslab-{name}", addr, mac, [VIP], name,
                                                 seconds=3600))
        try:
            lab.lab("restart", DIRECTOR, "--machine", "qemu", "--suite", request.param, timeout=1200)  # a fresh disk
            version, kernel = RELEASES[request.param]
            assert lab.sh(DIRECTOR, ". /etc/os-release; echo $VERSION_ID").strip() == version
            assert lab.sh(DIRECTOR, "uname -r").strip().startswith(kernel)
            yield ["-i", str(inventory)]
        finally:
            uml.stop(DIRECTOR)


def answers(lab, n: int = 12) -> Counter:
    return Counter(lab.get(f"http://{VIP}/") for _ in range(n))


def assert_director(lab) -> None:
    assert lab.sh(DIRECTOR, "ipvsadm -Sn").splitlines() == RULES
    assert lab.sh(DIRECTOR, "cat /etc/ipvsadm.rules").splitlines() == RULES
    mangle = lab.sh(DIRECTOR, "iptables -t mangle -S PREROUTING")
    assert len(MARK.findall(mangle)) == 1, mangle  # exactly one rule: reruns and boots add no copy
    assert f"inet {VIP}/" in lab.sh(DIRECTOR, "ip -4 -o addr show dev eth0")
    daemons = lab.sh(DIRECTOR, "ipvsadm -L --daemon")
    assert "master sync daemon (mcast=eth0" in daemons and "backup sync daemon (mcast=eth0" in daemons, daemons


def test_fwmark_service_marks_balances_and_survives_a_reboot(lab, qemu_director):
    assert lab.sh(DIRECTOR, "uname -r").strip().endswith("-amd64")  # Debian's kernel, with iptables tables
    lab.playbook("playbooks/site.yml", extra=EXTRA, inventories=qemu_director)
    assert lab.changed(lab.playbook("playbooks/site.yml", extra=EXTRA, inventories=qemu_director)) == 0
    assert_director(lab)
    lab.client("ip", "neigh", "flush", "to", VIP)
    counts = answers(lab)
    assert counts == {"fwrs1": 8, "fwrs2": 4}, counts  # wrr 2:1 through the mark

    lab.lab("reboot", DIRECTOR, timeout=900)  # lvs-fwmark.service and the ipvsadm service restore marks and table
    assert lab.wait_for(lambda: f"inet {VIP}/" in lab.sh(DIRECTOR, "ip -4 -o addr show dev eth0"), 60)
    assert_director(lab)
    counts = answers(lab)
    assert counts == {"fwrs1": 8, "fwrs2": 4}, counts

    # a rules file of another path: Debian 12's ipvsadm service restores it at boot (test_site_reboot.py); Debian
    # 13's restores only /etc/ipvsadm.rules, so there the director role refuses it before it changes anything
    if lab.sh(DIRECTOR, ". /etc/os-release; echo $VERSION_ID").strip() == "13":
        custom = {**EXTRA, "director_rules_file": "/etc/lvs-ipvs.rules"}
        out = lab.playbook("playbooks/site.yml", extra=custom, inventories=qemu_director, ok=False)
        assert "director_rules_file: /etc/lvs-ipvs.rules would not be restored at boot" in out, out[-2000:]
        assert lab.sh(DIRECTOR, "ls /etc/lvs-ipvs.rules 2>&1; true").strip().endswith("No such file or directory")
        assert_director(lab)
