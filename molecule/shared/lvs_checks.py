"""The tests every molecule scenario (dr, nat, tun) runs, and the checks behind them.

A scenario's test module declares `CLUSTER` (a Cluster) and `testinfra_hosts` (its client) and
star-imports this module: pytest collects the imported tests there, once per scenario.

Traffic comes from a client container through bounded request loops; nodes are reached with
testinfra over molecule's inventory; restarts go through the docker API (DOCKER_HOST is set by
`./lab molecule`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from labkit import requestloop  # the bounded request loop, shared with tests/lab

__all__ = [  # noqa: RUF022  in run order: a star import binds, and pytest collects, in this order
    "cluster",
    "nodes",
    "test_cluster_is_set_up",
    "test_keepalived_logs_no_error_after_converge_and_reload",
    "test_check_mode_reports_no_change",
    "test_every_real_server_answers_and_weights_are_respected",
    "test_failover_when_the_master_dies",
    "test_dead_real_server_is_removed_by_the_health_check",
    "test_restarted_nodes_come_back",
]

# Requests that may fail while the backup takes over from a killed master container (measured on the
# lab engine, UML 7.2: 3-4 of 9-12 during takeovers of 3.4-4.2 s, each failed request waiting out its
# 1 s timeout); none may fail before the kill or after the takeover.
MAX_FAILED_DURING_TAKEOVER = 8
LOOP, LOOP_OUT = "/tmp/lvs-loop", "/tmp/lvs-loop.out"  # the loop's state files and its output
MAX_REQUESTS = 200
MAX_SECONDS = 60
BOOT_SECONDS = 120
IPVS_KIND = {"dr": "Route", "nat": "Masq", "tun": "Tunnel"}


@dataclass(frozen=True)
class Cluster:
    """What a scenario built: names, addresses and the expected state."""

    forwarding: str  # dr | nat | tun
    vip: str
    directors: tuple  # in priority order: the first is the VRRP master
    realservers: dict  # name -> (address, port) as the directors send to it
    weights: dict  # name -> IPVS weight
    client: str
    port: int = 80
    internal_vip: str = ""  # nat: the real servers' default gateway
    director_sysctls: dict = field(default_factory=dict)
    sync_daemons: bool = False  # keepalived_sync_daemon: true (the director role runs master and backup)


def node(name):
    inv = os.environ["MOLECULE_INVENTORY_FILE"]
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={inv}")


def requests(client, vip, count, interval=0.0, budget=MAX_SECONDS, port=80):
    """Send at most `count` (<= MAX_REQUESTS) requests within `budget` seconds; return the answers ('' = failed)."""
    count = min(count, MAX_REQUESTS)
    script = (
        f"end=$(($(date +%s)+{min(budget, MAX_SECONDS)})); i=0; "
        f"while [ $i -lt {count} ] && [ $(date +%s) -lt $end ]; do i=$((i+1)); "
        f"r=$(curl -s --max-time 1 http://{vip}:{port}/ || true); echo \"R:$r\"; sleep {interval}; done"
    )
    out = client.run(script).stdout
    return [line[2:].strip() for line in out.splitlines() if line.startswith("R:")]


def has_vip(host, vip):
    return re.search(rf"\binet {re.escape(vip)}/", host.check_output("ip -4 -o addr show")) is not None


def wait_for(predicate, timeout=20.0, step=0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _wait_clean(problems, timeout):
    """Wait until problems() returns nothing; assert with the last list of problems."""
    wait_for(lambda: not problems(), timeout=timeout, step=1)
    found = problems()
    assert not found, found


# --- state of the nodes -------------------------------------------------------------------------


def ipvs_destinations(host, cluster):
    """{'addr:port': (kind, weight)} of the VIP service in `ipvsadm -Ln`, or None without the service."""
    dests, inside = None, False
    for line in host.check_output("ipvsadm -Ln").splitlines():
        fields = line.split()
        if line.startswith(("TCP", "UDP", "SCTP", "FWM")):
            inside = fields[1] == f"{cluster.vip}:{cluster.port}"
            if inside:
                dests = {}
        elif inside and fields and fields[0] == "->" and fields[1][0].isdigit():
            dests[fields[1]] = (fields[2], int(fields[3]))
    return dests


def director_problems(host, cluster, master):
    """What is wrong with a director: rules, sysctls, the VIP(s) on the master only."""
    problems = []
    kind = IPVS_KIND[cluster.forwarding]
    want = {f"{a}:{p}": (kind, cluster.weights[n]) for n, (a, p) in cluster.realservers.items()}
    got = ipvs_destinations(host, cluster)
    if got != want:
        problems.append(f"ipvs {cluster.vip}:{cluster.port}: {got} != {want}")
    for key, value in cluster.director_sysctls.items():
        if host.sysctl(key) != value:
            problems.append(f"{key}={host.sysctl(key)} != {value}")
    for vip in filter(None, (cluster.vip, cluster.internal_vip)):
        if has_vip(host, vip) != master:
            problems.append(f"VIP {vip} {'missing' if master else 'present on the backup'}")
    return problems


def realserver_problems(host, cluster):
    """What is wrong with a real server for the cluster's forwarding method."""
    problems = []
    if cluster.forwarding == "nat":
        route = host.check_output("ip -4 route show default")
        if not re.fullmatch(rf"default via {re.escape(cluster.internal_vip)} dev \S+.*", route.strip()):
            problems.append(f"default route {route!r} is not via {cluster.internal_vip}")
        return problems
    dev, label = ("lo", "lo:0") if cluster.forwarding == "dr" else ("tunl0", "tunl0")
    addrs = host.check_output(f"ip -4 -o addr show dev {dev}")
    if not re.search(rf"inet {re.escape(cluster.vip)}/32 .*\b{re.escape(label)}\b", addrs):
        problems.append(f"VIP {cluster.vip}/32 ({label}) not on {dev}: {addrs!r}")
    want = {"net.ipv4.conf.all.arp_ignore": 1, "net.ipv4.conf.all.arp_announce": 2}
    if cluster.forwarding == "tun":
        want.update({"net.ipv4.conf.all.rp_filter": 0, "net.ipv4.conf.tunl0.rp_filter": 0})
        if "UP" not in host.check_output("ip -o link show dev tunl0").split(">")[0]:
            problems.append("tunl0 is down")
    problems += [f"{k}={host.sysctl(k)} != {v}" for k, v in want.items() if host.sysctl(k) != v]
    return problems


def wait_booted(host, timeout=BOOT_SECONDS):
    """Wait until systemd in the container has finished booting."""

    def booted():
        res = host.run("systemctl is-system-running")
        return res.stdout.strip() in ("running", "degraded")

    assert wait_for(booted, timeout=timeout, step=1), host.run("systemctl --failed --no-legend").stdout


def docker_container(name):
    import docker  # in .venv; DOCKER_HOST points at the lab engine

    return docker.from_env().containers.get(name)


def docker_errors():
    import docker.errors

    return docker.errors


# --- the tests every scenario runs -------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster(request):
    """The scenario's CLUSTER, from the test module that imported these tests."""
    return request.module.CLUSTER


@pytest.fixture(scope="module")
def nodes(cluster):
    return {n: node(n) for n in (*cluster.directors, *cluster.realservers)}


def test_cluster_is_set_up(cluster, nodes):
    for i, d in enumerate(cluster.directors):
        found = director_problems(nodes[d], cluster, master=(i == 0))
        assert not found, (d, found)
    for rs in cluster.realservers:
        found = realserver_problems(nodes[rs], cluster)
        assert not found, (rs, found)


def test_keepalived_logs_no_error_after_converge_and_reload(cluster, nodes):
    """keepalived's journal on each director holds no error line after the converge and a reload of keepalived
    (the roles reload, never restart; keepalived 2.3 of Debian 13 logged an IPVS sync-daemon error at reloads)."""
    for d in cluster.directors:
        assert nodes[d].run("systemctl reload keepalived").rc == 0, d
    time.sleep(3)  # the reload's new configuration applied (VRRP and checkers restarted)
    for d in cluster.directors:
        version = nodes[d].run("keepalived --version 2>&1 | head -1").stdout.strip()
        journal = nodes[d].run("journalctl -b -u keepalived --no-pager -o cat").stdout
        errors = [line for line in journal.splitlines() if re.search(r"\berror\b", line, re.I)]
        print(f"{d}: {version}, {len(journal.splitlines())} journal lines, {len(errors)} with an error")
        assert errors == [], (d, version, errors)


def test_sync_daemons_run_by_the_director_role(cluster, nodes):
    """With keepalived_sync_daemon every director runs the master and the backup sync daemon (the director role's,
    not keepalived's lvs_sync_daemon, which keepalived.conf no longer names); without it none."""
    for d in cluster.directors:
        daemons = nodes[d].check_output("ipvsadm -L --daemon")
        conf = nodes[d].check_output("cat /etc/keepalived/keepalived.conf")
        assert "lvs_sync_daemon" not in conf, d
        if cluster.sync_daemons:
            assert "master sync daemon" in daemons and "backup sync daemon" in daemons, (d, daemons)
        else:
            assert daemons.strip() == "", (d, daemons)


def check_weights(cluster, client, count=30):
    """`count` requests through the VIP: none fails, every real server answers, in the ratio of the weights."""
    counts = Counter(requests(client, cluster.vip, count, port=cluster.port))
    assert counts[""] == 0, counts
    assert set(counts) == set(cluster.realservers), counts
    total = sum(cluster.weights.values())
    assert sum(counts.values()) == count, counts
    for rs, w in cluster.weights.items():
        assert counts[rs] == count * w // total, counts  # wrr on fresh connections: exact when count % total == 0


def test_every_real_server_answers_and_weights_are_respected(cluster, host):
    check_weights(cluster, host)


def test_failover_when_the_master_dies(cluster, host, nodes):
    """Kill the master director's container (power loss) under a request loop that runs from before the
    kill until after the takeover: the backup takes the VIP(s), at most MAX_FAILED_DURING_TAKEOVER
    requests fail in between and none after; the master boots again and takes them back with its rules."""
    master, backup = cluster.directors[0], cluster.directors[1]
    container = docker_container(master)
    url = f"http://{cluster.vip}:{cluster.port}/"
    host.run(requestloop.shell(url, LOOP, LOOP_OUT, interval=0.05, seconds=90))
    time.sleep(2)
    host.run(requestloop.mark(LOOP, "failed"))
    killed = time.monotonic()
    try:
        try:
            container.kill()
        except docker_errors().APIError as exc:  # the slow engine may answer before the exit event
            print(f"kill {master}: {exc}")
        for vip in filter(None, (cluster.vip, cluster.internal_vip)):
            assert wait_for(lambda v=vip: has_vip(nodes[backup], v), timeout=15, step=0.1), \
                f"{backup} did not take {vip}"
        took = time.monotonic() - killed
        host.run(requestloop.mark(LOOP, "taken"))
        time.sleep(5)
        host.run(f"{requestloop.mark(LOOP, 'stop')}; sleep 1.5")
        seen = requestloop.Takeover.parse(host.file(LOOP_OUT).content_string)
        print(f"VIP takeover {took:.2f} s; {seen.summary()}")
        seen.check(max_failed_during=MAX_FAILED_DURING_TAKEOVER)
        assert {r.who for r in seen.after} == set(cluster.realservers), seen.after[-10:]
    finally:
        host.run(requestloop.mark(LOOP, "stop"))
        container.wait(timeout=BOOT_SECONDS)
        container.start()
        wait_booted(nodes[master])
    _wait_clean(lambda: director_problems(nodes[master], cluster, master=True), timeout=30)


def test_dead_real_server_is_removed_by_the_health_check(cluster, host, nodes):
    """Stop a real server's web server: keepalived's check removes it, then no request fails."""
    names = list(cluster.realservers)
    rs, survivor = names[-1], names[0]
    addr = "{}:{}".format(*cluster.realservers[rs])
    d1 = nodes[cluster.directors[0]]
    nodes[rs].run("systemctl stop lvs-lab-web")
    try:
        assert wait_for(lambda: addr not in (ipvs_destinations(d1, cluster) or {}), timeout=20)
        answers = requests(host, cluster.vip, 20, port=cluster.port)
        assert answers == [survivor] * 20, answers
    finally:
        nodes[rs].run("systemctl start lvs-lab-web")
    assert wait_for(lambda: addr in (ipvs_destinations(d1, cluster) or {}), timeout=20)


def test_restarted_nodes_come_back(cluster, host, nodes):
    """Reboot the master director and a real server (clean shutdown, container start): rules, VIP,
    sysctls and real-server setup come back by themselves and traffic flows with the weights."""
    director, realserver = cluster.directors[0], next(iter(cluster.realservers))
    containers = [docker_container(n) for n in (director, realserver)]
    for name in (director, realserver):
        nodes[name].run("systemctl --no-block poweroff")
    for c in containers:
        c.wait(timeout=BOOT_SECONDS)
        c.reload()
        assert c.status == "exited", c.status
    for c in containers:
        c.start()
    for name in (director, realserver):
        wait_booted(nodes[name])
    _wait_clean(lambda: director_problems(nodes[director], cluster, master=True), timeout=30)
    _wait_clean(lambda: realserver_problems(nodes[realserver], cluster), timeout=10)
    for d in cluster.directors[1:]:
        _wait_clean(lambda d=d: director_problems(nodes[d], cluster, master=False), timeout=10)
    check_weights(cluster, host)


def test_check_mode_reports_no_change(cluster):
    """`ansible-playbook --check` of the converge playbook on the converged cluster: every director and
    real server ran tasks, none changed or failed."""
    inventory = Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent
    playbook = Path(__file__).with_name("converge.yml")
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "--check", "-i", str(inventory), str(playbook)]
    env = {**os.environ, "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_NOCOLOR": "1"}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False, env=env)
    out = re.sub(r"\x1b\[[0-9;]*m", "", res.stdout + res.stderr)
    recap = re.findall(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out, re.M)
    recap = [r for r in recap if r[0] != "localhost"]  # site.yml's first play checks the inventory there
    assert res.returncode == 0, out[-4000:]
    assert {r[0] for r in recap} == {*cluster.directors, *cluster.realservers}, out[-4000:]
    for host, ok, changed, unreachable, failed in recap:
        assert (changed, unreachable, failed) == ("0", "0", "0"), (host, out[-4000:])
        assert int(ok) > 0, host
