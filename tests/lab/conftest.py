"""Fixtures for the lab smoke tests: real UML nodes with IPVS, reached over SSH and docker's API.

The session brings the lab up if it is not already running (`./lab up all`); tearing it down is
left to the caller (`./lab test` does it and checks that nothing is left behind).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from labkit import config, deps, image, uml  # noqa: E402

NO_COLOR = {"NO_COLOR": "1", "PY_COLORS": "0", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"}
FAILURE_MARKS = ("fatal:", "failed:", "FAILED", "ERROR", "Traceback", "Executed: Failed")


def log_path(name: str) -> Path:
    """Where the output of an ansible/molecule run NAME is kept: one file per run (a second run of the same
    playbook gets -2, -3, ...), so no output is lost before the teardown lane reads them all."""
    base = Path(os.environ.get("LAB_LOG_DIR", "/tmp"))
    path, n = base / f"lvs-lab-{name}.log", 1
    while path.exists() and os.environ.get("LAB_LOG_DIR"):
        n += 1
        path = base / f"lvs-lab-{name}-{n}.log"
    return path


def failure_excerpt(out: str, name: str, log: Path | None = None, context: int = 40, tail: int = 3000) -> str:
    """What an assertion message should show of a long ansible/molecule log.

    The whole log goes to a file (named in the message); the message holds the lines around every
    failure mark (first ones first, where the cause is) and the log's tail.
    """
    if log is None:
        log = log_path(name)
        log.write_text(out)
    lines = out.splitlines()
    keep: set[int] = set()
    for i, line in enumerate(lines):
        if any(mark in line for mark in FAILURE_MARKS) and "RETRYING" not in line:
            keep.update(range(max(0, i - context), min(len(lines), i + 5)))
    excerpt, prev = [], None
    for i in sorted(keep)[:400]:
        if prev is not None and i > prev + 1:
            excerpt.append("[...]")
        excerpt.append(lines[i])
        prev = i
    return f"full log: {log}\n--- around the failures ---\n" + "\n".join(excerpt) + f"\n--- tail ---\n{out[-tail:]}"


class Lab:
    def __init__(self) -> None:
        self.key = image.key_path()
        self.vip = config.VIP
        self.dirty = True  # a playbook other than reset.yml may have changed the hosts since the last reset

    def reset(self) -> None:
        """labkit/playbooks/reset.yml, unless no other playbook ran since the last one: every test fixture that
        needs clean hosts resets at its start (so a test's cleanup is the next one's reset, once, not twice)."""
        if self.dirty:
            self.playbook("labkit/playbooks/reset.yml")

    def sh(self, node: str, script: str, check: bool = True, timeout: float = 60) -> str:
        """Run a shell script as root on a lab node; return its stdout."""
        addr = config.node(node).addr("private")
        res = subprocess.run(uml.ssh_cmd(self.key, addr, script), check=False, capture_output=True, text=True,
                             timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError(f"{node}: {script!r} exited {res.returncode}\n{res.stdout}\n{res.stderr}")
        return res.stdout

    def client(self, *cmd: str, timeout: float = 10) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", config.CLIENT_NETNS, *cmd],
                              check=False, capture_output=True, text=True, timeout=timeout)

    def get(self, url: str, max_time: float = 5) -> str | None:
        """One HTTP request from the client namespace; the body, or None when it failed (an error, or no answer
        within 5 s: while the QEMU firewall-mark test ran beside this lane, a 2 s bound counted 2 of 30 as failed)."""
        res = self.client("curl", "-s", "--max-time", str(max_time), url, timeout=max_time + 5)
        return res.stdout.strip() if res.returncode == 0 else None

    def requests(self, n: int, port: int = 80) -> Counter:
        """Send n requests (n is small: the loop is bounded) and count who answered each."""
        assert n <= 100
        return Counter(self.get(f"http://{self.vip}:{port}/") for _ in range(n))

    def playbook(self, *books: str, extra: dict | None = None, inventories: list[str] | None = None,
                 args: tuple[str, ...] = (), ok: bool = True, base: str = "labkit/inventories/lab-dr") -> str:
        """ansible-playbook BOOKS (paths from the project root) on the lab hosts (the inventory BASE and the
        *inventories* arguments given, e.g. ["-i", FILE] adding a group)."""
        cmd = [str(deps.VENV / "bin/ansible-playbook"), "-i", str(ROOT / base),
               *(inventories or []), *[str(ROOT / b) for b in books]]
        if extra is not None:
            cmd += ["-e", json.dumps(extra)]
        self.dirty = books != ("labkit/playbooks/reset.yml",) or not ok or bool(args)
        return self.run_logged([*cmd, *args], "playbook-" + "-".join(Path(b).stem for b in books), deps.venv_env(),
                               ok=ok)

    @staticmethod
    def run_logged(cmd: list[str], name: str, env: dict, timeout: float = 900, forbid: tuple = (),
                   ok: bool = True) -> str:
        """Run an ansible or molecule command (from the project root, without colors); return its output.

        Asserts it exited 0 (with ok=False: that it failed) and printed none of the *forbid* strings, with
        the failures' excerpt of the output as the message.
        """
        env = {**env, **NO_COLOR}
        res = subprocess.run(cmd, cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=timeout)
        out = res.stdout + res.stderr
        log = log_path(name)
        log.write_text(out)
        assert (res.returncode == 0) == ok, f"rc {res.returncode}: " + failure_excerpt(out, name, log)
        found = [f for f in forbid if f in out]
        assert not found, f"printed {found}: " + failure_excerpt(out, name, log)
        return out

    @staticmethod
    def lab(*args: str, timeout: float = 400) -> str:
        """Run `./lab ARGS` (e.g. reboot NODE); assert it succeeded; return its output."""
        res = subprocess.run([str(ROOT / "lab"), *args], cwd=ROOT, check=False, capture_output=True, text=True,
                             timeout=timeout)
        assert res.returncode == 0, res.stdout + res.stderr
        return res.stdout + res.stderr

    @staticmethod
    def changed(out: str) -> int:
        """The number of changed tasks in an ansible-playbook recap."""
        import re
        return sum(int(n) for n in re.findall(r"changed=(\d+)", out.split("PLAY RECAP")[-1]))

    def takeover(self, fail, taken_over, timeout: float = 15, settle: float = 5, url: str | None = None):
        """Call *fail* (kill or stop the MASTER) under a request loop to the VIP (or *url*) that runs from 2 s
        before until *settle* s after *taken_over()* became true; return (seconds to take over, Takeover)."""
        from labkit import requestloop
        # a request fails after 3 s: a client's SYN that the director drops once (a source port reused from an
        # entry still in FIN_WAIT whose real server is gone or drained, while an old conntrack entry exists: the
        # kernel drops it and the client resends it 1 s later) is not a failed request; a 1 s bound counted it so,
        # once in a full run, before any failure was injected
        loop = requestloop.NetnsLoop(config.CLIENT_NETNS, url or f"http://{self.vip}/", interval=0.05, seconds=40,
                                     timeout=3)
        time.sleep(2)
        loop.mark("failed")
        failed_at = time.monotonic()
        fail()
        ok = self.wait_for(taken_over, timeout)
        took = time.monotonic() - failed_at
        loop.mark("taken")
        time.sleep(settle)
        seen = loop.stop()
        assert ok, f"no takeover within {timeout} s; {seen.summary()}"
        return took, seen

    def has_vip(self, node: str, dev: str = "eth0", prefix: str = "") -> bool:
        """Whether NODE holds the VIP on DEV: with exactly PREFIX when given, else with any prefix."""
        return f"inet {self.vip}/{prefix}" in self.sh(node, f"ip -4 -o addr show dev {dev}")

    def mac(self, node: str, dev: str = "eth0") -> str:
        return self.sh(node, f"cat /sys/class/net/{dev}/address").strip()

    def client_neighbour(self, address: str) -> str | None:
        """The link-layer address the client's neighbour table holds for ADDRESS, None when it holds none (the
        next packet asks with a broadcast)."""
        entry = self.client("ip", "-j", "neigh", "show", "to", address).stdout
        return next((e.get("lladdr") for e in json.loads(entry or "[]") if e.get("dst") == address), None)

    def start_http(self, node: str) -> None:
        self.dirty = True  # the next reset stops it: a test that fails before its next playbook must not leave it
        self.sh(node, "mkdir -p /srv/www && hostname > /srv/www/index.html && "
                      "(pkill -f '^busybox httpd' || true) && busybox httpd -p 80 -h /srv/www")

    def stop_http(self, node: str) -> None:
        self.sh(node, "pkill -f '^busybox httpd' || true")

    def wait_for(self, what, timeout: float = 15, step: float = 0.1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = what()
            if value:
                return value
            time.sleep(step)
        return what()


@pytest.fixture(scope="session")
def lab() -> Lab:
    """The lab, both shapes running.

    Under `./lab test` (LVS_LAB_LANE set) the lab was booted fresh before the lanes started and
    must still run. Run by hand, the session boots a fresh lab (nodes left from earlier runs may
    hold any state), or with LAB_REUSE=1 keeps one that runs every node (development only).
    """
    everything = {n.name for s in config.UP_ALL for n in config.SHAPES[s]}  # not the on-demand nodes
    if os.environ.get("LVS_LAB_LANE"):
        assert everything <= set(uml.running()), f"the lab is not up: only {uml.running()} run"
        return Lab()
    if os.environ.get("LAB_REUSE") == "1" and everything <= set(uml.running()):
        return Lab()
    if uml.running():
        subprocess.run([str(ROOT / "lab"), "down"], check=True)
    subprocess.run([str(ROOT / "lab"), "up", "all"], check=True)
    return Lab()


@pytest.fixture
def directors(lab):
    lab.reset()  # no keepalived, VIP or table that site.yml left
    # the tests add the VIP by hand, without the gratuitous ARP keepalived sends: the client's neighbour
    # entry for it may still name the director that held it last (4 of 6 requests failed that way in CI)
    lab.client("ip", "neigh", "flush", "to", lab.vip)
    yield ["director1", "director2"]
    for d in ("director1", "director2"):
        lab.sh(d, f"systemctl stop keepalived; pkill keepalived; ipvsadm -C; "
                  f"ip addr del {lab.vip}/24 dev eth0 2>/dev/null; ip addr del {lab.vip}/32 dev eth0 2>/dev/null; "
                  "sysctl -qw net.ipv4.ip_forward=0; true")


@pytest.fixture
def realservers(lab):
    lab.reset()  # no lab web server that web.yml left on port 80
    names = ["realserver1", "realserver2"]
    for rs in names:
        lab.start_http(rs)
    yield names
    for rs in names:
        n = config.node(rs)
        lab.sh(rs, f"pkill -f '^busybox httpd'; ip addr del {lab.vip}/32 dev lo 2>/dev/null; "
                   f"ip route del default 2>/dev/null; "
                   f"ip addr replace {n.addr('public')}/24 dev eth0; "
                   "sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.all.arp_announce=0 "
                   "net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.lo.arp_announce=0; true")


# `./lab test` runs the lab tests in lanes, one pytest process each, at the same time: the lanes use
# disjoint nodes (the 4 hosts; engine and the on-demand fwdirector; engine2), so they do not disturb each
# other, and the machine's two cores both work (every UML node has one CPU). Every lab test names its lane;
# `teardown` runs alone, after the others.
LANES = ("hosts", "engine", "engine2", "teardown")


def lane_of(item) -> str:
    mark = item.get_closest_marker("lane")
    if mark is None or len(mark.args) != 1 or mark.args[0] not in LANES:
        raise pytest.UsageError(f"{item.nodeid}: a lab test needs @pytest.mark.lane(NAME), NAME one of {LANES}")
    return mark.args[0]


def pytest_collection_modifyitems(config, items):
    """With LVS_LAB_LANE, keep only that lane's tests; the teardown lane's tests run last, and in a lane the
    tests marked `emulated` after the others (a QEMU node in software emulation is CPU-bound: measured 4.2 min
    alone and about 19 min while the other lanes load both cores: it starts when the lane's other work is done)."""
    wanted = os.environ.get("LVS_LAB_LANE")
    if wanted and wanted not in LANES:
        raise pytest.UsageError(f"LVS_LAB_LANE={wanted!r} is not one of {LANES}")
    lab_items = [i for i in items if Path(str(i.path)).is_relative_to(Path(__file__).parent)]
    lanes = {i.nodeid: lane_of(i) for i in lab_items}
    if wanted:
        deselected = [i for i in lab_items if lanes[i.nodeid] != wanted]
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if i not in deselected]
    items.sort(key=lambda item: (lanes.get(item.nodeid) == "teardown", item.get_closest_marker("emulated") is not None))
