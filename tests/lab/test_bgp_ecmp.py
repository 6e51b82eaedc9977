"""The BGP front end (lvs_frontend bgp) on the lab hosts: site.yml makes the directors active, each announcing the
VIP (on no LAN) by BGP with BFD to a BIRD router (labkit/router.py), which spreads its client network's flows over
them by ECMP; every director schedules with maglev hashing of addresses and ports, so a flow reaches the same real
server through either. Counted from the directors' IPVS stats, the real servers' answers and long downloads: a
director added to a running one (0 failed, the downloads it takes over complete), the spread, a director whose
interface goes down under load (BFD's detection and the router's reroute timed, failed requests counted, the
downloads through it completed by the other), the director back (0 failed), a director whose health checks all
fail withdrawing its route (0 failed after), one whose keepalived is killed withdrawing too, and the day-2
playbooks: a director drained (its routes withdrawn, then idle) and restored, and the status of both."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter

import pytest
import yaml

from labkit import config, download, requestloop, router

pytestmark = pytest.mark.lane("hosts")

INVENTORY = "labkit/inventories/lab-ecmp"
VIP = "10.76.0.1"
DIRECTORS = {"director1": "10.78.0.11", "director2": "10.78.0.12"}
REALSERVERS = {"realserver1": "10.78.0.21", "realserver2": "10.78.0.22"}  # weights 2 and 1 (lab-dr/hosts.yml)
URL = f"http://{VIP}/"
BIG_BYTES = 1024 * 1024  # 50 KB/s: 20 s, through a director lost and back
# director1's health checks come from its own address, the flows it forwards (DR) from the client's: a real server
# with no route back to director1 fails director1's checks alone (the lab kernel has no iptables filter table)
FAIL_CHECKS = f"{DIRECTORS['director1']}/32"


def conns(lab, director: str) -> int:
    """Connections the director's IPVS scheduled for the VIP (ipvsadm --stats)."""
    out = lab.sh(director, f"ipvsadm -Ln --stats -t {VIP}:80 2>/dev/null || true")
    found = re.search(rf"TCP\s+{re.escape(VIP)}:80\s+(\d+)", out)
    return int(found.group(1)) if found else 0


def get(port: int) -> str | None:
    """One request from client port PORT. Each of its own: IPVS reuses a connection entry in FIN_WAIT for a new
    connection from the same port (conn_reuse_mode 1; a DR director sees the client's FIN alone) and counts no new
    connection, and the request loops before had taken ephemeral ports at random (89 of 90 counted, once)."""
    res = subprocess.run(["ip", "netns", "exec", router.ECMP_CLIENT_NETNS, "curl", "-s", "--max-time", "5",
                          "--local-port", str(port), URL], capture_output=True, text=True, timeout=15, check=False)
    return res.stdout.strip() if res.returncode == 0 else None


def loop(seconds: float = 60) -> requestloop.NetnsLoop:
    """A request loop bounded by SECONDS and by requestloop.MAX_REQUESTS: 20 a second for a minute, slower for the
    playbook runs (a site.yml adding a director took ... s in the full suite)."""
    return requestloop.NetnsLoop(router.ECMP_CLIENT_NETNS, URL, interval=0.05 if seconds <= 60 else 0.25,
                                 count=requestloop.MAX_REQUESTS, seconds=seconds, timeout=2)


@pytest.fixture
def ecmp(lab):
    lab.reset()
    with router.ecmp_router(DIRECTORS, **router.inventory_bgp(INVENTORY)) as rt:
        subprocess.run(["ip", "netns", "exec", router.ECMP_CLIENT_NETNS, "sysctl", "-qw",
                        "net.ipv4.tcp_rmem=" + download.SMALL_RMEM], check=True)
        for rs in REALSERVERS:  # the DR replies go straight to the client, through the router
            lab.sh(rs, f"ip route replace {router.ECMP_NET}.0/24 via {router.ROUTER_ADDR}")
        try:
            yield rt
        finally:
            lab.sh("director2", "ip link set eth0 up")
            for rs in REALSERVERS:
                lab.sh(rs, f"ip route del {router.ECMP_NET}.0/24 2>/dev/null; ip route del prohibit {FAIL_CHECKS} "
                           "2>/dev/null; true")


def one_director(tmp_path) -> str:
    """lab-ecmp with director1 alone in its directors group: the cluster before director2 is added."""
    hosts = yaml.safe_load((config.PROJECT / INVENTORY / "hosts.yml").read_text())
    del hosts["all"]["children"]["lvs"]["children"]["directors"]["hosts"]["director2"]
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (tmp_path / "group_vars").symlink_to(config.PROJECT / INVENTORY / "group_vars")
    return str(tmp_path)


def downloads(lab, first_port: int, count: int, max_time: int = 120, timeout: float = 30
              ) -> dict[int, download.Download]:
    """COUNT slow downloads of the big file from client ports FIRST_PORT on, once every one of them is an
    ESTABLISHED connection on a director: {port: download}."""
    started = {p: download.Download(router.ECMP_CLIENT_NETNS, URL + "big", rate="50k", max_time=max_time, port=p)
               for p in range(first_port, first_port + count)}
    assert lab.wait_for(lambda: set(started) <= set(carriers(lab, started)), timeout, step=0.5), \
        (carriers(lab, started), [d.result() for d in started.values() if d.proc.poll() is not None])
    return started


def carriers(lab, ports, state: str | None = "ESTABLISHED") -> dict[int, str]:
    """{client port: the director whose IPVS table holds its connection} for PORTS (in STATE; None: any)."""
    found = {}
    for d in DIRECTORS:
        found.update({p: d for p in download.connections(lab.sh(d, "ipvsadm -Lnc"), state) if p in ports})
    return found


def finished(started: dict[int, download.Download]) -> dict[int, bool]:
    """{port: whether its download got the whole file}, once all have ended."""
    return {p: download.complete(d.result(), BIG_BYTES) for p, d in started.items()}


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


def test_bgp_front_end_spreads_flows_over_the_directors_and_survives_losing_one(lab, ecmp, record_property,
                                                                                   tmp_path):
    lab.playbook("labkit/playbooks/web.yml", "playbooks/site.yml", base=one_director(tmp_path))
    ecmp.wait_nexthops(VIP, [DIRECTORS["director1"]], 60)
    for rs in REALSERVERS:
        lab.sh(rs, download.make_big(BIG_BYTES))

    # director2 added to the inventory and site.yml run under load; paused downloads all on director1 meanwhile
    # (open, idle), resumed once director2 announces: the router moves about half of them to director2, whose
    # maglev hash sends them to the real server director1 chose (sloppy_tcp: it takes them mid-flow)
    held = downloads(lab, 20001, 10, max_time=600)
    assert set(carriers(lab, held).values()) == {"director1"}, carriers(lab, held)
    for d in held.values():
        d.pause()
    both = sorted(DIRECTORS.values())
    seen = phase(lab, record_property, "director added",
                 lambda: lab.playbook("playbooks/site.yml", base=INVENTORY),
                 lambda: ecmp.wait_nexthops(VIP, both, 60), seconds=300)
    for d in held.values():
        d.resume()
    done = finished(held)
    moved = [p for p, d in carriers(lab, held, state=None).items() if d == "director2"]
    record_property("downloads through director2 added", f"{len(moved)} of {len(held)} moved to director2; "
                                                          f"{sum(done.values())} complete")
    seen.check(max_failed_during=0)
    assert all(done.values()) and moved, (done, moved)
    for d in DIRECTORS:
        assert "vrrp_instance" not in lab.sh(d, "cat /etc/keepalived/keepalived.conf")
        assert f"inet {VIP}/32" in lab.sh(d, "ip -4 -o addr show dev lvs-vips")
        assert f"inet {VIP}/" not in lab.sh(d, "ip -4 -o addr show dev eth0")  # never on the shared LAN
    assert "Established" in ecmp.birdc("show", "protocols"), ecmp.birdc("show", "protocols")
    rerun = lab.playbook("playbooks/site.yml", base=INVENTORY)
    assert lab.changed(rerun) == 0, rerun  # idempotent

    # the spread: flows from many client ports over both directors, the real servers' shares by their weights
    before = {d: conns(lab, d) for d in DIRECTORS}
    answers = Counter(get(port) for port in range(30001, 30091))
    # the kernel adds up its per-CPU counters into what ipvsadm reads every 2 s (the estimator): read until all are in
    deadline, spread = time.monotonic() + 10, {}
    while time.monotonic() < deadline and sum(spread.values()) != 90:
        time.sleep(0.5)
        spread = {d: conns(lab, d) - before[d] for d in DIRECTORS}
    record_property("spread", f"90 requests: directors {spread}, real servers {dict(answers)}")
    assert None not in answers and sum(spread.values()) == 90, (answers, spread)
    assert min(spread.values()) >= 15, spread  # 2 next hops, 90 flows: below 15 is 1 in 10^8 for a fair hash
    assert 0.5 <= answers["realserver1"] / 90 <= 0.85, answers  # weights 2:1

    # downloads running through both directors (12 flows: all on one is 1 in 2048 for a fair hash)
    running = downloads(lab, 20101, 12)
    through = carriers(lab, running)
    assert set(through.values()) == set(DIRECTORS), through

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

    done = finished(running)
    record_property("downloads through director2 lost", "; ".join(
        f"through {d}: {sum(done[p] for p in through if through[p] == d)} of "
        f"{sum(1 for p in through if through[p] == d)} complete" for d in DIRECTORS))
    assert all(done.values()), (done, through)

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

    # keepalived killed on director1 (no omega, no quorum_down): its unit's ExecStopPost withdraws the VIP, which
    # would otherwise stay announced with nothing checking its real servers; started again, it announces again
    seen = phase(lab, record_property, "keepalived killed",
                 lambda: lab.sh("director1", "pkill -KILL -x keepalived"),
                 lambda: ecmp.wait_nexthops(VIP, [DIRECTORS["director2"]], 30))
    seen.check(max_failed_during=2)
    seen = phase(lab, record_property, "keepalived started again",
                 lambda: lab.sh("director1", "systemctl restart keepalived"),
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
