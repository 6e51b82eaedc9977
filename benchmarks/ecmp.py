#!/usr/bin/env python3
"""A director lost: the keepalived pair (VRRP) against several active directors behind an ECMP router (BGP + BFD),
on the lab's 4 hosts (./lab up hosts), measured in the same run.

Each drill takes a director's public interface down under a request loop (a crash, as the network sees it) and
times how long from that moment (the command waits connected: no SSH setup is timed) until the network sends the
traffic elsewhere: with VRRP until the BACKUP holds the VIP, with BGP
until the router's route to the VIP lost the dead director's next hop (BFD). Three drills each; printed: the
medians, their ratio (target: the pair at least 4x slower) and the requests that failed during and after each
(target: 0 after). Every request loop is bounded (at most 1000 requests, at most 60 s).

    python3 benchmarks/ecmp.py
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cluster import lab, playbook  # noqa: E402  (the benchmarks' own helpers)

from labkit import config, requestloop, router  # noqa: E402

ECMP_INV = str(ROOT / "labkit/inventories/lab-ecmp")
ECMP_VIP = "10.76.0.1"
DIRECTORS = {"director1": "10.78.0.11", "director2": "10.78.0.12"}
REALSERVERS = ("realserver1", "realserver2")
ROUNDS = 3
BFD = (100, 5)  # ms, multiplier


def drill(netns, url, node, moved):
    """NODE's public interface down under a request loop: seconds from the crash until MOVED() is true, and what
    the loop saw. The command waits, connected, for a line on its input: the SSH connection's setup is not timed."""
    crash = subprocess.Popen([str(ROOT / "lab"), "ssh", node, "read go; ip link set eth0 down"], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    loop = requestloop.NetnsLoop(netns, url, interval=0.05, count=1000, seconds=60, timeout=2)
    time.sleep(3)
    loop.mark("failed")
    t0 = time.monotonic()
    crash.communicate("go\n", timeout=30)
    while not moved() and time.monotonic() - t0 < 30:
        time.sleep(0.05)
    took = time.monotonic() - t0
    loop.mark("taken")
    time.sleep(5)
    seen = loop.stop()
    lab("ssh", node, "ip link set eth0 up")
    return took, seen


def report(label, results):
    for took, seen in results:
        print(f"  {label}: {took:.2f} s; {seen.summary()}")
    return statistics.median(t for t, _ in results)


def vrrp_rounds():
    playbook("labkit/playbooks/reset.yml", "labkit/playbooks/web.yml", "playbooks/site.yml")
    out = []
    for _ in range(ROUNDS):
        def holds(d):
            return f" {config.VIP}/" in lab("ssh", d, "ip -4 -o addr show dev eth0")
        deadline = time.monotonic() + 30  # keepalived is MASTER three adverts after it starts
        while not any(holds(d) for d in DIRECTORS) and time.monotonic() < deadline:
            time.sleep(0.5)
        master = next(d for d in DIRECTORS if holds(d))
        other = next(d for d in DIRECTORS if d != master)
        out.append(drill(config.CLIENT_NETNS, f"http://{config.VIP}/", master, lambda o=other: holds(o)))
        time.sleep(10)  # the old MASTER preempts back
    return out


def ecmp_rounds():
    playbook("labkit/playbooks/reset.yml")
    out = []
    # BFD as a data centre runs it on an idle network (lab-ecmp itself gives the loaded test suite 400 ms x 5)
    lab_bgp = router.inventory_bgp("labkit/inventories/lab-ecmp")
    bgp = {"asn": lab_bgp["director_asn"], "peers": [{"name": "router", "address": router.ROUTER_ADDR,
                                                      "asn": router.ROUTER_ASN}],
           "bfd_interval": BFD[0], "bfd_multiplier": BFD[1]}
    with router.ecmp_router(DIRECTORS, lab_bgp["director_asn"], bfd_ms=BFD[0], bfd_multiplier=BFD[1]) as rt:
        for rs in REALSERVERS:
            lab("ssh", rs, f"ip route replace {router.ECMP_NET}.0/24 via {router.ROUTER_ADDR}")
        try:
            playbook("labkit/playbooks/web.yml", "playbooks/site.yml", inventory=ECMP_INV, extra={"lvs_bgp": bgp})
            both = sorted(DIRECTORS.values())
            rt.wait_nexthops(ECMP_VIP, both, 60)
            for _ in range(ROUNDS):
                out.append(drill(router.ECMP_CLIENT_NETNS, f"http://{ECMP_VIP}/", "director2",
                                 lambda: rt.nexthops(ECMP_VIP) == [DIRECTORS["director1"]]))
                rt.wait_nexthops(ECMP_VIP, both, 60)
        finally:
            for rs in REALSERVERS:
                lab("ssh", rs, f"ip route del {router.ECMP_NET}.0/24")
    playbook("labkit/playbooks/reset.yml")
    return out


def main():
    print("== a director's public interface down under a request loop (every 50 ms)")
    vrrp = report("VRRP pair, VIP on the BACKUP", vrrp_rounds())
    ecmp = report(f"BGP + BFD ({BFD[0]} ms x {BFD[1]}), route without the director", ecmp_rounds())
    print(f"median: VRRP {vrrp:.2f} s, BGP {ecmp:.2f} s: the pair takes {vrrp / ecmp:.1f}x as long (target >= 4x)")


if __name__ == "__main__":
    main()
