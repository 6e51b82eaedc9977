#!/usr/bin/env python3
"""Benchmarks of the roles on the lab's 4 hosts (./lab up hosts), DR + keepalived (labkit/inventories/lab-dr).

Prints: converge wall time from a reset lab, idempotent rerun wall time and changed count, request
distribution; three failover drills under one request loop each, split into before the failure, during
the takeover and after it (labkit/requestloop.py): a crash (the MASTER's public interface down), a planned
stop and a planned handover (lvs.cluster.handover), each as a ratio to the crash; and failed requests while
a real server is drained (weight 0) and then removed, each converged through site.yml.
Every request loop is bounded (at most 200 requests, at most 60 s) and only targets the lab VIP.

    python3 benchmarks/cluster.py
"""

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INV = str(ROOT / "labkit/inventories/lab-dr")
VIP = "10.78.0.200"
MAX_REQUESTS, MAX_SECONDS = 200, 60
ENV = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"), ANSIBLE_FORCE_COLOR="0",
           PATH=f"{ROOT / '.venv/bin'}:{os.environ['PATH']}")
SERVICE = {"name": "http", "port": 80, "scheduler": "wrr", "delay_loop": 1,
           "health_check": {"type": "tcp", "connect_timeout": 1, "retry": 1, "delay_before_retry": 1}}


def playbook(*books, extra=None):
    cmd = ["ansible-playbook", "-i", INV, *[str(ROOT / b) for b in books]]
    if extra:
        cmd += ["-e", json.dumps(extra)]
    t0 = time.monotonic()
    out = subprocess.run(cmd, check=False, env=ENV, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.monotonic() - t0
    if out.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout[-3000:]}")
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", out.stdout.split("PLAY RECAP")[-1]))
    return elapsed, changed


def lab(*args, timeout=90):
    cmd = [str(ROOT / "lab"), *args]
    return subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout).stdout


def request_loop(count=MAX_REQUESTS, interval=0.1, budget=MAX_SECONDS):
    """Start a bounded curl loop in the client namespace; returns the Popen (lines 'epoch answer')."""
    count, budget = min(count, MAX_REQUESTS), min(budget, MAX_SECONDS)
    script = (f"end=$(($(date +%s)+{budget})); i=0; while [ $i -lt {count} ] && [ $(date +%s) -lt $end ]; do "
              f"i=$((i+1)); r=$(curl -s --max-time 1 http://{VIP}/ || echo FAIL); echo \"$(date +%s.%N) $r\"; "
              f"sleep {interval}; done")
    return subprocess.Popen([str(ROOT / "lab"), "client", "sh", "-c", script], stdout=subprocess.PIPE, text=True)


def answers(proc):
    out, _ = proc.communicate(timeout=MAX_SECONDS + 30)
    return [line.split(" ", 1) for line in out.splitlines() if " " in line]


def main():
    print("== converge")
    playbook("labkit/playbooks/reset.yml", "labkit/playbooks/web.yml")
    t, c = playbook("playbooks/site.yml")
    print(f"converge from reset: {t:.1f} s (changed {c})")
    t, c = playbook("playbooks/site.yml")
    print(f"idempotent rerun:    {t:.1f} s (changed {c})")
    time.sleep(2)

    res = answers(request_loop(count=30, interval=0.05))
    print("distribution (30 requests, weights 2:1):", dict(Counter(a for _, a in res)))

    print("== failover drills (request loop from the lab client: before / during / after the takeover)")
    sys.path.insert(0, str(ROOT))
    from labkit import config, requestloop
    drills = {}
    for label, fail, restore in (
            # a crash: the MASTER drops off the network at once (no priority-0 advert, no cleanup). Killing
            # keepalived is not one: its children get SIGTERM from the dying parent and remove the VIP and the
            # IPVS table before they die (measured: 62 of 74 requests failed during that "takeover")
            ("crash: the MASTER's public interface down", lambda m: lab("ssh", m, "ip link set eth0 down"),
             lambda m: lab("ssh", m, "ip link set eth0 up")),
            ("planned stop: systemctl stop keepalived on the MASTER",
             lambda m: lab("ssh", m, "systemctl stop keepalived"),
             lambda m: lab("ssh", m, "systemctl start keepalived")),
            ("planned handover: lvs.cluster.handover", lambda m: playbook("playbooks/handover.yml"),
             lambda m: playbook("playbooks/handover.yml", extra={"lvs_handover_to": m}))):
        master = next(d for d in ("director1", "director2")
                      if f" {VIP}/" in lab("ssh", d, "ip -4 -o addr show dev eth0"))
        other = "director2" if master == "director1" else "director1"
        loop = requestloop.NetnsLoop(config.CLIENT_NETNS, f"http://{VIP}/", interval=0.05, count=1000, seconds=60)
        time.sleep(2)
        loop.mark("failed")
        t0 = time.monotonic()
        fail(master)
        deadline = t0 + 30
        while time.monotonic() < deadline and f" {VIP}/" not in lab("ssh", other, "ip -4 -o addr show dev eth0"):
            time.sleep(0.1)
        took = time.monotonic() - t0
        loop.mark("taken")
        time.sleep(5)
        seen = loop.stop()
        drills[label] = (took, seen)
        print(f"{label}: VIP on {other} after {took:.2f} s; {seen.summary()}")
        restore(master)
        time.sleep(8)
    crash = drills["crash: the MASTER's public interface down"]
    for label, (took, seen) in drills.items():
        print(f"  {label}: failed during the takeover {seen.failed(seen.during)} of {len(seen.during)}, "
              f"after {seen.failed(seen.after)}; time {took / crash[0]:.2f}x the crash's")

    print("== drain realserver2 (weight 0, then removal) through site.yml")
    for label, svc in (("weight 0", dict(SERVICE, weights={"realserver2": 0})),
                       ("removal", dict(SERVICE, realservers=["realserver1"]))):
        loop = request_loop(count=MAX_REQUESTS, interval=0.2)
        t, c = playbook("playbooks/site.yml", extra={"lvs_services": [svc]})
        time.sleep(3)
        res = answers(loop)
        print(f"{label}: converge {t:.1f} s (changed {c}); requests {len(res)}, failed "
              f"{sum(1 for _, a in res if a == 'FAIL')}, answers {dict(Counter(a for _, a in res))}")
    t, c = playbook("playbooks/site.yml")
    print(f"restore: {t:.1f} s (changed {c})")


if __name__ == "__main__":
    main()
