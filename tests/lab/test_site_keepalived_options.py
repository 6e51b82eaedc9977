"""keepalived options of site.yml on the lab hosts (DR, IPVS owned by keepalived): unicast VRRP peers,
nopreempt and a notify script, observed on the wire and in behaviour rather than only in the config."""

from __future__ import annotations

import re
import time

import pytest

from labkit import config

pytestmark = pytest.mark.lane("hosts")

NOTIFY = "/usr/local/sbin/lvs-notify"
LOG = "/run/lvs-vrrp.log"
EXTRA = {
    "keepalived_unicast": True,
    "keepalived_nopreempt": True,
    "keepalived_notify_script": NOTIFY,
    "keepalived_notify_script_content": f'#!/bin/sh\necho "$1 $2 $3" >> {LOG}\n',
}
DIRECTORS = ("director1", "director2")
# measured on UML 7.2: 1 of 24 failed during a 2.6 s planned takeover (issue 11 is to make that 0)
MAX_FAILED_DURING_STOP = 2
ADDR = {d: config.node(d).addr("public") for d in DIRECTORS}


def holder(lab):
    """The directors that hold the VIP right now."""
    return [d for d in DIRECTORS if lab.has_vip(d)]


def wait_holder(lab, name: str, timeout: float = 20) -> None:
    assert lab.wait_for(lambda: holder(lab) == [name], timeout, step=0.5), holder(lab)


def stop(lab, name: str) -> None:
    lab.sh(name, "systemctl stop keepalived")


def start(lab, name: str) -> None:
    lab.sh(name, "systemctl start keepalived")


@pytest.fixture
def keepalived_options_cluster(lab):
    lab.reset()
    yield
    for d in DIRECTORS:
        lab.sh(d, f"rm -f {NOTIFY} {LOG}")


def test_unicast_nopreempt_and_notify(lab, keepalived_options_cluster, record_property):
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", extra=EXTRA)
    for d in DIRECTORS:
        conf = lab.sh(d, "cat /etc/keepalived/keepalived.conf")
        assert "nopreempt" in conf and "state BACKUP" in conf, conf
        peer = ADDR["director2" if d == "director1" else "director1"]
        assert re.search(rf"unicast_src_ip {ADDR[d]}\s+unicast_peer {{\s+{peer}\s+}}", conf), conf
    assert lab.wait_for(lambda: len(holder(lab)) == 1, 20, step=0.5), holder(lab)

    # make director1 (the higher priority) the MASTER: a BACKUP with nopreempt never takes over by priority
    stop(lab, "director2")
    wait_holder(lab, "director1")
    start(lab, "director2")

    # VRRP adverts go to the peer's address, not to the 224.0.0.18 multicast group
    wire = lab.sh("director2", "timeout 5 tcpdump -c 3 -nn -l -i eth0 vrrp 2>/dev/null; true", timeout=20)
    adverts = [line for line in wire.splitlines() if "VRRP" in line]
    assert adverts, wire
    assert all(f"{ADDR['director1']} > {ADDR['director2']}: VRRPv2" in line for line in adverts), wire

    counts = lab.requests(12)
    assert counts[None] == 0 and set(counts) == {"realserver1", "realserver2"}, counts
    assert "INSTANCE VI_PUBLIC MASTER" in lab.sh("director1", f"cat {LOG}")

    # failover to director2 under a request loop from before the stop to after the takeover (a clean
    # stop: the MASTER sends priority 0, the BACKUP takes over at once); its notify script records MASTER
    took, seen = lab.takeover(lambda: stop(lab, "director1"), lambda: holder(lab) == ["director2"], 20)
    record_property("failover", f"planned takeover (keepalived stopped on the MASTER) {took:.2f} s; "
                                f"{seen.summary()}")
    seen.check(max_failed_during=MAX_FAILED_DURING_STOP)
    assert "INSTANCE VI_PUBLIC MASTER" in lab.sh("director2", f"cat {LOG}")

    # nopreempt: director1 comes back with the higher priority and stays BACKUP
    start(lab, "director1")
    assert lab.wait_for(lambda: "INSTANCE VI_PUBLIC BACKUP" in lab.sh("director1", f"cat {LOG} 2>/dev/null; true"),
                        20, step=0.5)
    time.sleep(6)  # > 3 advert intervals + skew: a preempting BACKUP would have taken over by now
    assert holder(lab) == ["director2"]
    counts = lab.requests(12)
    assert counts[None] == 0, counts


SECRET = "lab-vrrp"  # labkit/inventories/lab-dr
SECRET_FILE = "/etc/keepalived/lvs-vrrp-secret.conf"


def test_diff_and_rejected_config_never_show_the_secret(lab, keepalived_options_cluster):
    """keepalived.conf holds no secret (it includes a 0600 file), so --check --diff shows what would change in
    it, and a config that `keepalived -t` rejects fails with keepalived's own lines; neither shows the secret."""
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml")
    before = {d: lab.sh(d, "sha256sum /etc/keepalived/keepalived.conf") for d in DIRECTORS}
    for d in DIRECTORS:
        assert lab.sh(d, f"stat -c '%a %U' {SECRET_FILE}; cat {SECRET_FILE}").split() == ["600", "root",
                                                                                         "auth_pass", SECRET]
        assert f"include {SECRET_FILE}" in lab.sh(d, "cat /etc/keepalived/keepalived.conf")
        assert SECRET not in lab.sh(d, "cat /etc/keepalived/keepalived.conf")

    out = lab.playbook("playbooks/site.yml", extra={"keepalived_advert_int": 3}, args=("--check", "--diff"))
    assert "-    advert_int 1" in out and "+    advert_int 3" in out, out[-3000:]
    assert "keepalived.conf" in out and SECRET not in out

    bad = {"keepalived_global_defs_extra": ["lvs_no_such_keyword 1"]}
    out = lab.playbook("playbooks/site.yml", extra=bad, ok=False)
    assert "Unknown keyword 'lvs_no_such_keyword'" in out, out[-3000:]
    assert "The VRRP secret and the keepalived configuration" in out and "censored" not in out and SECRET not in out
    assert {d: lab.sh(d, "sha256sum /etc/keepalived/keepalived.conf") for d in DIRECTORS} == before
    assert lab.sh("director1", "systemctl is-active keepalived").strip() == "active"
