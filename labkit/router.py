"""An upstream router for the BGP front end (lvs_frontend bgp): a network namespace of this machine running BIRD 2,
on the lab's public bridge at ROUTER_ADDR, with a client network of its own behind it (the client namespace
ECMP_CLIENT_NETNS at ECMP_CLIENT_ADDR). Every director is its eBGP neighbour, with BFD; the VIPs they announce
become one multipath route in the router's kernel table (BIRD's merge paths), over which the kernel spreads the
client's flows by a hash of addresses and ports (fib_multipath_hash_policy 1), as a data-centre router does.

This is the router side README's snippets describe; the lab's real servers reach the client network through it
(a route each test adds). Everything goes when the context ends; BIRD exits with it."""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import config

ROUTER_NETNS = "lvslab-router"
ROUTER_ADDR = "10.78.0.250"
ROUTER_MAC = "02:00:0a:4e:00:fa"
ROUTER_ASN = 65000
ECMP_CLIENT_NETNS = "lvslab-eclient"
ECMP_NET = "10.77.0"
ECMP_CLIENT_ADDR = f"{ECMP_NET}.2"

CONF = """\
log stderr all;
debug protocols {{ states }};
router id {router};
protocol device {{ scan time 1; }}
# the VIPs the directors announce, one route with a next hop per director
protocol kernel {{
    ipv4 {{ import none; export all; }};
    merge paths on;
}}
protocol bfd {{
    interface "eth0" {{ min rx interval {bfd} ms; min tx interval {bfd} ms; multiplier {mult}; }};
}}
template bgp director {{
    local {router} as {asn};
    hold time {hold};
    connect retry time 5;
    error wait time 5, 60;
    bfd on;
    ipv4 {{ import all; export none; }};
}}
"""


def _sh(*cmd: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)


@dataclass
class Router:
    directory: Path
    proc: subprocess.Popen

    def birdc(self, *cmd: str) -> str:
        return _sh("birdc", "-s", str(self.directory / "bird.ctl"), *cmd, check=False).stdout

    def nexthops(self, vip: str) -> list[str]:
        """The routers' next hops for VIP (the directors announcing it), sorted; [] when none announces it."""
        routes = json.loads(_sh("ip", "-n", ROUTER_NETNS, "-j", "route", "show", f"{vip}/32").stdout or "[]")
        out = []
        for r in routes:
            out += [h["gateway"] for h in r.get("nexthops", [])] or ([r["gateway"]] if r.get("gateway") else [])
        return sorted(out)

    def wait_nexthops(self, vip: str, want: list[str], timeout: float = 30) -> float:
        """Seconds until the route to VIP has exactly the next hops WANT; raises after TIMEOUT."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.nexthops(vip) == sorted(want):
                return time.monotonic() - t0
            time.sleep(0.05)
        raise AssertionError(f"route to {vip} via {self.nexthops(vip)}, not {sorted(want)}, after {timeout} s; "
                             f"{self.birdc('show', 'protocols')}")

    def log(self) -> str:
        return (self.directory / "bird.log").read_text(errors="replace")

    def flaps(self) -> int:
        """BGP sessions that went down so far (BIRD's state log)."""
        return sum(1 for line in self.log().splitlines() if "BGP session" not in line and
                   " State changed to stop" in line and "director" in line)


def inventory_bgp(inventory: str) -> dict:
    """ecmp_router's AS and BFD arguments from INVENTORY's lvs_bgp (group_vars/all.yml, from the project root),
    so that both ends of each session agree."""
    import yaml

    bgp = yaml.safe_load((config.PROJECT / inventory / "group_vars" / "all.yml").read_text())["lvs_bgp"]
    return {"director_asn": bgp["asn"], "bfd_ms": bgp.get("bfd_interval", 100),
            "bfd_multiplier": bgp.get("bfd_multiplier", 3)}


@contextlib.contextmanager
def ecmp_router(directors: dict[str, str], director_asn: int, bfd_ms: int = 100, bfd_multiplier: int = 5,
                hold: int = 9) -> Iterator[Router]:
    """The router and its client network, BIRD peering with DIRECTORS ({name: address}) of AS DIRECTOR_ASN."""
    for ns in (ROUTER_NETNS, ECMP_CLIENT_NETNS):
        _sh("ip", "netns", "del", ns, check=False)
    _sh("ip", "link", "del", "lvslab-rt", check=False)
    directory = Path(tempfile.mkdtemp(prefix="lvs-lab-router-"))
    proc = None
    try:
        _sh("ip", "netns", "add", ROUTER_NETNS)
        _sh("ip", "netns", "add", ECMP_CLIENT_NETNS)
        rt = ["ip", "netns", "exec", ROUTER_NETNS]
        cl = ["ip", "netns", "exec", ECMP_CLIENT_NETNS]
        _sh("ip", "link", "add", "lvslab-rt", "type", "veth", "peer", "name", "eth0", "address", ROUTER_MAC,
            "netns", ROUTER_NETNS)
        _sh("ip", "link", "set", "lvslab-rt", "master", config.PUBLIC["bridge"], "up")
        _sh("ip", "-n", ROUTER_NETNS, "link", "add", "eth1", "type", "veth", "peer", "name", "eth0", "netns",
            ECMP_CLIENT_NETNS)
        for cmd in (["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1",
                     "net.ipv6.conf.all.disable_ipv6=1"],
                    ["ip", "link", "set", "lo", "up"], ["ip", "link", "set", "eth0", "up"],
                    ["ip", "link", "set", "eth1", "up"],
                    ["ip", "addr", "add", f"{ROUTER_ADDR}/{config.PUBLIC['len']}", "dev", "eth0"],
                    ["ip", "addr", "add", f"{ECMP_NET}.1/24", "dev", "eth1"]):
            _sh(*rt, *cmd)
        for cmd in (["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"], ["ip", "link", "set", "lo", "up"],
                    ["ip", "link", "set", "eth0", "up"],
                    ["ip", "addr", "add", f"{ECMP_CLIENT_ADDR}/24", "dev", "eth0"],
                    ["ip", "route", "add", "default", "via", f"{ECMP_NET}.1"]):
            _sh(*cl, *cmd)
        conf = CONF.format(router=ROUTER_ADDR, asn=ROUTER_ASN, bfd=bfd_ms, mult=bfd_multiplier, hold=hold)
        conf += "".join(f"protocol bgp {name} from director {{ neighbor {addr} as {director_asn}; }}\n"
                        for name, addr in sorted(directors.items()))
        (directory / "bird.conf").write_text(conf)
        _sh("bird", "-p", "-c", str(directory / "bird.conf"))
        with open(directory / "bird.log", "w") as log:
            # real-time, as a router's control plane is: the lab's UML nodes and tests load this machine's CPUs,
            # and a starved BIRD here missed BFD packets and dropped sessions no real router would have dropped
            proc = subprocess.Popen([*rt, "chrt", "--fifo", "10", "bird", "-f", "-c", str(directory / "bird.conf"),
                                     "-s", str(directory / "bird.ctl"), "-P", str(directory / "bird.pid")],
                                    stdout=log, stderr=subprocess.STDOUT)
        router = Router(directory, proc)
        deadline = time.monotonic() + 10
        while "BIRD" not in router.birdc("show", "status"):
            assert proc.poll() is None and time.monotonic() < deadline, router.log()
            time.sleep(0.1)
        yield router
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for ns in (ROUTER_NETNS, ECMP_CLIENT_NETNS):
            _sh("ip", "netns", "del", ns, check=False)
        _sh("ip", "link", "del", "lvslab-rt", check=False)
