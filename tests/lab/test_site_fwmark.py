"""A firewall-mark service through site.yml: the director role's iptables MARK rules on a real kernel.

The UML lab kernel has IPVS but no IPv4 netfilter tables (labkit/qemu.py), so the director of this
test boots Debian bookworm's own amd64 kernel under QEMU (`lab restart --machine qemu`): one
director, the IPVS table owned by Ansible and the VIP set by the director role (no keepalived), the
real servers on the UML kernel. Under emulation every task is several times slower than on UML, so
this test covers only what needs netfilter: the MARK rules (and their idempotence), traffic through
the mark with the weights, and the marks, table and VIP coming back after a real reboot.
"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.lane("hosts"), pytest.mark.emulated]

DIRECTOR = "director1"
GROUP = "lab_fwmark_directors"
EXTRA = {
    "lvs_director_group": GROUP,
    "lvs_keepalived": False,
    "lvs_ipvs_owner": "ansible",
    "lvs_services": [{"name": "web", "fwmark": 1, "ports": [80], "scheduler": "wrr"}],
}
RULES = ["-A -f 1 -s wrr", "-a -f 1 -r 10.78.0.21:0 -g -w 2", "-a -f 1 -r 10.78.0.22:0 -g -w 1"]
MARK = re.compile(r"-A PREROUTING -d 10\.78\.0\.200/32 -p tcp .*--dport 80 .*-j MARK --set-xmark 0x1/0xffffffff")


@pytest.fixture
def qemu_director(lab, tmp_path):
    """director1 on Debian's kernel under QEMU, alone in the directors group of the play."""
    lab.reset()  # on the lab kernel, before the (slow) emulated boot
    lab.lab("restart", DIRECTOR, "--machine", "qemu")  # a fresh disk: nothing to reset there
    group = tmp_path / "fwmark-group.yml"
    group.write_text(f"all:\n  children:\n    {GROUP}:\n      hosts:\n        {DIRECTOR}:\n")
    yield ["-i", str(group)]
    lab.lab("restart", DIRECTOR)  # back on the lab kernel, with a fresh disk (the next fixture resets the others)


def assert_director(lab) -> None:
    assert lab.sh(DIRECTOR, "ipvsadm -Sn").splitlines() == RULES
    assert lab.sh(DIRECTOR, "cat /etc/ipvsadm.rules").splitlines() == RULES
    mangle = lab.sh(DIRECTOR, "iptables -t mangle -S PREROUTING")
    assert len(MARK.findall(mangle)) == 1, mangle  # exactly one rule: reruns and boots add no copy
    assert lab.has_vip(DIRECTOR)


def test_fwmark_service_marks_balances_and_survives_a_reboot(lab, qemu_director):
    assert lab.sh(DIRECTOR, "uname -r").strip().endswith("-amd64")  # Debian's kernel, with iptables tables
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", extra=EXTRA, inventories=qemu_director)
    assert lab.changed(lab.playbook("playbooks/site.yml", extra=EXTRA, inventories=qemu_director)) == 0
    assert_director(lab)
    counts = lab.requests(12)
    assert counts == {"realserver1": 8, "realserver2": 4}, counts  # wrr 2:1 through the mark

    lab.lab("reboot", DIRECTOR)  # lvs-fwmark.service and the ipvsadm service restore marks and table
    assert lab.wait_for(lambda: lab.has_vip(DIRECTOR), 30)
    assert_director(lab)
    counts = lab.requests(12)
    assert counts == {"realserver1": 8, "realserver2": 4}, counts
