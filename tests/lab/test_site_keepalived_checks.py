"""keepalived's checks of site.yml on the lab hosts (DR, IPVS owned by keepalived), observed in behaviour: a
real server whose web server stops stays in the table with weight 0 (inhibit_on_failure); with both down the
quorum is lost, quorum_down runs and the sorry server (a namespace on the lab bridge) answers; quorum 2 with
hysteresis 1 (weights 2 and 1) keeps the quorum with one server of weight 1 alive and regains it only with
both (realserver1 alone, weight 2, is not enough), then quorum_up runs;
a failing vrrp_script (lvs_vrrp_scripts, weight 0) puts the MASTER in
FAULT, its VIP moves under a bounded request loop, and the per-state notify commands (lvs_vrrp_notify) run."""

from __future__ import annotations

import re
import time

import pytest

from labkit import config, lanhost

pytestmark = pytest.mark.lane("hosts")

DIRECTORS = ("director1", "director2")
RS1 = config.node("realserver1").addr("public")
FAULT_FLAG = "/run/lvs-lab-fault"
STATE = "/usr/local/sbin/lvs-lab-state"  # appends its arguments to LOG
LOG = "/run/lvs-lab-state.log"
SORRY = "10.78.0.31"
SORRY_MAC = "02:00:0a:4e:00:1f"
HC = {"type": "tcp", "connect_timeout": 1, "retry": 1, "delay_before_retry": 1}
EXTRA = {
    "lvs_services": [{"name": "http", "port": 80, "scheduler": "wrr", "delay_loop": 1, "health_check": HC,
                      "inhibit_on_failure": True, "quorum": 2, "hysteresis": 1, "quorum_up": f"{STATE} quorum up",
                      "quorum_down": f"{STATE} quorum down", "sorry_server": {"address": SORRY}}],
    "lvs_vrrp_scripts": [{"name": "lab_flag", "script": f"/usr/bin/test ! -e {FAULT_FLAG}", "interval": 1}],
    "lvs_vrrp_notify": {"master": f"{STATE} MASTER", "fault": f"{STATE} FAULT"},
}
# measured alone (UML 7.2): 0-2 of ~60 failed while a FAULTed MASTER's VIP moved (it is withdrawn first)
MAX_FAILED_DURING_FAULT = 20


def holder(lab):
    return [d for d in DIRECTORS if lab.has_vip(d)]


def rs1_row(lab, director: str) -> str:
    m = re.search(rf"->\s+{re.escape(RS1)}:80\s+\w+\s+\d+.*", lab.sh(director, "ipvsadm -Ln"))
    return m.group(0) if m else ""


def journal(lab, director: str = "director1") -> str:
    """keepalived's log on DIRECTOR (its checker's messages: Enabling service, Lost/Gained quorum)."""
    return lab.sh(director, "journalctl -u keepalived --no-pager -o cat")


def log(lab, director: str) -> str:
    return lab.sh(director, f"cat {LOG} 2>/dev/null; true")


@pytest.fixture
def sorry(lab):
    """The sorry server: a DR real server outside the inventory (the VIP on lo, not announced)."""
    with lanhost.lan_host("lvslab-sorry", "lvslab-so", SORRY, SORRY_MAC, [lab.vip], "sorry"):
        yield


@pytest.fixture
def checked_cluster(lab, sorry):
    lab.reset()
    for d in DIRECTORS:
        lab.sh(d, f"rm -f {FAULT_FLAG} {LOG}; printf '#!/bin/sh\\necho \"$*\" >> {LOG}\\n' > {STATE}; "
                  f"chmod 0755 {STATE}")
    yield
    for rs in ("realserver1", "realserver2"):
        lab.sh(rs, "systemctl start lvs-lab-web")
    for d in DIRECTORS:
        lab.sh(d, f"rm -f {FAULT_FLAG} {LOG} {STATE}")


def test_inhibit_sorry_server_quorum_commands_and_a_failing_vrrp_script(lab, checked_cluster, record_property):
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", extra=EXTRA)
    assert lab.wait_for(lambda: holder(lab) == ["director1"], 20, step=0.5), holder(lab)
    conf = lab.sh("director1", "cat /etc/keepalived/keepalived.conf")
    assert "vrrp_script lab_flag {" in conf and "inhibit_on_failure" in conf, conf
    assert lab.wait_for(lambda: re.search(r"Route\s+2\s", rs1_row(lab, "director1")), 20, step=0.5), \
        lab.sh("director1", "ipvsadm -Ln")

    # realserver1 stops serving: it stays in the table with weight 0 (inhibit_on_failure), realserver2 answers all
    lab.sh("realserver1", "systemctl stop lvs-lab-web")
    assert lab.wait_for(lambda: re.search(r"Route\s+0\s", rs1_row(lab, "director1")), 20, step=0.5), \
        lab.sh("director1", "ipvsadm -Ln")
    counts = lab.requests(9)
    assert counts == {"realserver2": 9}, counts
    # hysteresis: lost below quorum - hysteresis = 1; realserver2's weight 1 keeps it (quorum 2 alone would not)
    assert "quorum down" not in log(lab, "director1")

    # realserver2 too: the quorum is lost, quorum_down runs and keepalived puts the sorry server in
    lost, gained = (f"{what} for VS [{lab.vip}]:tcp:80"
                    for what in ("Lost quorum 2-1=1 > 0", "Gained quorum 2+1=3 <= 3"))
    lost_before = journal(lab).count(lost)
    lab.sh("realserver2", "systemctl stop lvs-lab-web")
    assert lab.wait_for(lambda: f"{SORRY}:80" in lab.sh("director1", "ipvsadm -Ln"), 20, step=0.5), \
        lab.sh("director1", "ipvsadm -Ln")
    assert lab.wait_for(lambda: "quorum down" in log(lab, "director1"), 10, step=0.5), log(lab, "director1")
    counts = lab.requests(6)
    assert counts == {"sorry": 6}, counts
    assert journal(lab).count(lost) == lost_before + 1, journal(lab)[-2000:]  # below quorum - hysteresis

    # realserver1 back (weight 2): keepalived sees it alive again, but 2 is below quorum + hysteresis = 3, so the
    # quorum stays lost and the sorry server alone in the pool (with quorum 2 alone it would have been regained)
    enabled = f"Enabling service [{RS1}]:tcp:80"
    before = journal(lab).count(enabled)
    lab.sh("realserver1", "systemctl start lvs-lab-web")
    assert lab.wait_for(lambda: journal(lab).count(enabled) > before, 20, step=0.5), journal(lab)[-2000:]
    time.sleep(3)  # three check rounds (delay_loop 1)
    table = lab.sh("director1", "ipvsadm -Ln")
    assert f"{SORRY}:80" in table and re.search(r"Route\s+0\s", rs1_row(lab, "director1")), table
    assert "quorum up" not in log(lab, "director1").split("quorum down", 1)[-1], log(lab, "director1")

    # both back: quorum_up runs, the sorry server leaves, the weights are the configured ones again
    gained_before = journal(lab).count(gained)
    lab.sh("realserver2", "systemctl start lvs-lab-web")
    assert lab.wait_for(lambda: f"{SORRY}:80" not in lab.sh("director1", "ipvsadm -Ln"), 20, step=0.5), \
        lab.sh("director1", "ipvsadm -Ln")
    assert lab.wait_for(lambda: re.search(r"Route\s+2\s", rs1_row(lab, "director1")), 20, step=0.5), \
        lab.sh("director1", "ipvsadm -Ln")
    assert lab.wait_for(lambda: "quorum up" in log(lab, "director1").split("quorum down", 1)[-1], 10, step=0.5), \
        log(lab, "director1")
    assert journal(lab).count(gained) == gained_before + 1, journal(lab)[-2000:]  # quorum + hysteresis reached
    counts = lab.requests(9)
    assert set(counts) == {"realserver1", "realserver2"}, counts

    # the vrrp_script fails on the MASTER: FAULT, the VIP moves to director2 and comes back when it passes again
    took, seen = lab.takeover(lambda: lab.sh("director1", f"touch {FAULT_FLAG}"),
                              lambda: holder(lab) == ["director2"], 20)
    record_property("failover", f"VIP moved by a failing vrrp_script (FAULT) in {took:.2f} s; {seen.summary()}")
    seen.check(max_failed_during=MAX_FAILED_DURING_FAULT)
    assert "FAULT" in log(lab, "director1") and "MASTER" in log(lab, "director2")
    lab.sh("director1", f"rm -f {FAULT_FLAG}")
    assert lab.wait_for(lambda: holder(lab) == ["director1"], 20, step=0.5), holder(lab)
    counts = lab.requests(6)
    assert counts[None] == 0, counts
