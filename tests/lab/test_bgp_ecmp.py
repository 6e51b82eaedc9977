"""The BGP front end (lvs_frontend bgp) on the lab hosts: site.yml makes both directors active, each announcing the
VIP (on no LAN) by BGP with BFD to a BIRD router (labkit/router.py), which spreads its client network's flows over
them by ECMP; every director schedules with maglev hashing of addresses and ports, so a flow reaches the same real
server through either. Counted from the directors' IPVS stats and the real servers' answers: the spread, a director
whose interface goes down under load (BFD's detection and the router's reroute timed, failed requests counted), the
director back (0 failed), a director whose health checks all fail withdrawing its route (0 failed after), and the
day-2 playbooks: a director drained (its routes withdrawn, then idle) and restored, and the status of both."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter

import pytest

from labkit import requestloop, router

pytestmark = pytest.mark.lane("hosts")

INVENTORY = "labkit/inventories/lab-ecmp"
VIP = "10.76.0.1"
DIRECTORS = {"director1": "10.78.0.11", "director2": "10.78.0.12"}
REALSERVERS = {"realserver1": "10.78.0.21", "realserver2": "10.78.0.22"}  # weights 2 and 1 (lab-dr/hosts.yml)
URL = f"http://{VIP}/"
# director1's health checks come from its own address, the flows it forwards (DR) from the client's: a real server
# with no route back to director1 fails director1's checks alone (the lab kernel has no iptables filter table)
FAIL_CHECKS = f"{DIRECTORS['director1']}/32"


def conns(lab, director: str) -> int:
    """Connections the director's IPVS scheduled for the VIP (ipvsadm --stats)."""
    out = lab.sh(director, f"ipvsadm -Ln --stats -t {VIP}:80 2>/dev/null || true")
    found = re.search(rf"TCP\s+{re.escape(VIP)}:80\s+(\d+)", out)
    return int(found.group(1)) if found else 0


def get() -> str | None:
    res = subprocess.run(["ip", "netns", "exec", router.ECMP_CLIENT_NETNS, "curl", "-s", "--max-time", "5", URL],
                         capture_output=True, text=True, timeout=15, check=False)
    return res.stdout.strip() if res.returncode == 0 else None


def loop(seconds: float = 60) -> requestloop.NetnsLoop:
    return requestloop.NetnsLoop(router.ECMP_CLIENT_NETNS, URL, interval=0.05, seconds=seconds, timeout=2)


@pytest.fixture
def ecmp(lab):
    lab.reset()
    with router.ecmp_router(DIRECTORS, **router.inventory_bgp(INVENTORY)) as rt:
        for rs in REALSERVERS:  # the DR replies go straight to the client, through the router
            lab.sh(rs, f"ip route replace {router.ECMP_NET}.0/24 via {router.ROUTER_ADDR}")
        try:
            yield rt
        finally:
            lab.sh("director2", "ip link set eth0 up")
            for rs in REALSERVERS:
                lab.sh(rs, f"ip route del {router.ECMP_NET}.0/24 2>/dev/null; ip route del prohibit {FAIL_CHECKS} "
                           "2>/dev/null; true")


def phase(lab, record_property, name: str, action, wait, settle: float = 5, seconds: float = 60
          ) -> requestloop.Takeover:
    """Requests from the router's client through ACTION (a function) until WAIT (a function returning seconds)
    returns; their counts and WAIT's time recorded under NAME."""
    reqs = loop(seconds)
    time.sleep(3)
    reqs.mark("failed")
    t0 = time.monotonic()
    action()
    took = wait()
    reqs.mark("taken")
    time.sleep(settle)
    seen = reqs.stop()
    record_property(name, f"{time.monotonic() - t0 - settle:.2f} s (router: {took:.2f} s); {seen.summary()}")
    return seen


def test_bgp_front_end_spreads_flows_over_both_directors_and_survives_losing_one(lab, ecmp, record_property):
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", base=INVENTORY)
    both = sorted(DIRECTORS.values())
    took = ecmp.wait_nexthops(VIP, both, 60)
    record_property("announced", f"both directors' routes {took:.2f} s after site.yml")
    for d in DIRECTORS:
        assert "vrrp_instance" not in lab.sh(d, "cat /etc/keepalived/keepalived.conf")
        assert f"inet {VIP}/32" in lab.sh(d, "ip -4 -o addr show dev lvs-vips")
        assert f"inet {VIP}/" not in lab.sh(d, "ip -4 -o addr show dev eth0")  # never on the shared LAN
    assert "Established" in ecmp.birdc("show", "protocols"), ecmp.birdc("show", "protocols")
    rerun = lab.playbook("playbooks/site.yml", base=INVENTORY)
    assert lab.changed(rerun) == 0, rerun  # idempotent

    # the spread: flows from many client ports over both directors, the real servers' shares by their weights
    before = {d: conns(lab, d) for d in DIRECTORS}
    answers = Counter(get() for _ in range(90))
    # the kernel adds up its per-CPU counters into what ipvsadm reads every 2 s (the estimator): read until all are in
    deadline, spread = time.monotonic() + 10, {}
    while time.monotonic() < deadline and sum(spread.values()) != 90:
        time.sleep(0.5)
        spread = {d: conns(lab, d) - before[d] for d in DIRECTORS}
    record_property("spread", f"90 requests: directors {spread}, real servers {dict(answers)}")
    assert None not in answers and sum(spread.values()) == 90, (answers, spread)
    assert min(spread.values()) >= 15, spread  # 2 next hops, 90 flows: below 15 is 1 in 10^8 for a fair hash
    assert 0.5 <= answers["realserver1"] / 90 <= 0.85, answers  # weights 2:1

    # a director lost under load (its interface down): BFD notices, the router moves its flows to the other
    seen = phase(lab, record_property, "director lost",
                 lambda: lab.sh("director2", "ip link set eth0 down"),
                 lambda: ecmp.wait_nexthops(VIP, [DIRECTORS["director1"]], 30))
    seen.check(max_failed_during=3)
    assert {r.who for r in seen.after} == set(REALSERVERS), seen.summary()

    # the director back: its session up again, it takes its share of new flows, and no request fails
    seen = phase(lab, record_property, "director back",
                 lambda: lab.sh("director2", "ip link set eth0 up"),
                 lambda: ecmp.wait_nexthops(VIP, both, 60))
    seen.check(max_failed_during=0)

    # every health check of director1 fails: its quorum is lost, it withdraws the VIP, the flows go to director2
    seen = phase(lab, record_property, "withdrawn by its checks",
                 lambda: [lab.sh(rs, f"ip route add prohibit {FAIL_CHECKS}") for rs in REALSERVERS],
                 lambda: ecmp.wait_nexthops(VIP, [DIRECTORS["director2"]], 30))
    seen.check(max_failed_during=2)
    assert f"inet {VIP}/" not in lab.sh("director1", "ip -4 -o addr show dev lvs-vips")
    seen = phase(lab, record_property, "announced again",
                 lambda: [lab.sh(rs, f"ip route del prohibit {FAIL_CHECKS}") for rs in REALSERVERS],
                 lambda: ecmp.wait_nexthops(VIP, both, 30))
    seen.check(max_failed_during=0)

    # day-2: drain director1 (its routes withdrawn, the playbook waits until no packet reaches it), status, restore
    drained = {}
    seen = phase(lab, record_property, "director drained",
                 lambda: drained.update(out=lab.playbook("playbooks/drain.yml", base=INVENTORY,
                                                          extra={"lvs_drain": ["director1"]})),
                 lambda: ecmp.wait_nexthops(VIP, [DIRECTORS["director2"]], 5), seconds=180)
    seen.check(max_failed_during=0)
    assert re.search(r'"withdrawn; idle after \d+\.\d s"', drained["out"]), drained["out"]
    status = lab.playbook("playbooks/status.yml", base=INVENTORY)
    assert "  BGP peer_router Established; WITHDRAWN (drained)" in status, status
    assert f"  BGP peer_router Established; announces {VIP}/32" in status, status
    seen = phase(lab, record_property, "director restored",
                 lambda: lab.playbook("playbooks/restore.yml", base=INVENTORY, extra={"lvs_restore": ["director1"]}),
                 lambda: ecmp.wait_nexthops(VIP, both, 30), seconds=180)
    seen.check(max_failed_during=0)
