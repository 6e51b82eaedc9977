"""Lab topology: networks, nodes and paths. One place for every address the lab uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LVS_LAB_CACHE", "/var/cache/lvs-lab"))
STATE = Path(os.environ.get("LVS_LAB_STATE", "/var/tmp/lvs-lab"))
SHM = Path(os.environ.get("LVS_LAB_SHM", "/dev/shm/lvs-lab"))
UML_USER = "nobody"
# Kernel arguments for every node. UML's seccomp userspace mode is faster than its ptrace mode
# here (benchmarks/uml_modes.py); LVS_LAB_UML_ARGS="" boots ptrace mode.
UML_ARGS = os.environ.get("LVS_LAB_UML_ARGS", "seccomp=on").split()

# Two lab networks, each a host bridge with no uplink. The host has an address on each
# (SSH and Ansible reach the nodes through it) and forwards nothing between them.
PUBLIC = {"bridge": "lvslab-pub", "prefix": "10.78.0", "host": "10.78.0.1", "len": 24}
PRIVATE = {"bridge": "lvslab-priv", "prefix": "10.79.0", "host": "10.79.0.1", "len": 24}
NETWORKS = {"public": PUBLIC, "private": PRIVATE}
# The hosts shape's networks are dual-stack too (ULA prefixes; the host bridges have no IPv6: the host takes no
# part in it). A node's IPv6 address is the prefix + its octet written as is (10.78.0.21 -> fd78::21).
PUBLIC6 = {"prefix": "fd78:", "len": 64}
PRIVATE6 = {"prefix": "fd79:", "len": 64}
NETWORKS6 = {"public": PUBLIC6, "private": PRIVATE6}

CLIENT_NETNS = "lvslab-client"
CLIENT_ADDR = "10.78.0.100"
CLIENT_ADDR6 = "fd78::100"
VIP = "10.78.0.200"  # the public virtual IP the examples and smoke tests use
VIP6 = "fd78::200"  # the IPv6 VIP of the IPv6 tests
NAT_GATEWAY_VIP = "10.79.0.254"  # the directors' floating internal address (NAT)
ENGINE_PORT = 2375


@dataclass
class Node:
    name: str
    group: str
    octet: int
    mem: str = "256M"
    public: bool = True  # has an address on the public network
    extra_args: list[str] = field(default_factory=list)

    def addr(self, net: str) -> str:
        return f"{NETWORKS[net]['prefix']}.{self.octet}"

    def addr6(self, net: str = "public") -> str:
        """Its IPv6 address on network NET."""
        return f"{NETWORKS6[net]['prefix']}:{self.octet}"


SHAPES: dict[str, list[Node]] = {
    "hosts": [
        Node("director1", "directors", 11),
        Node("director2", "directors", 12),
        Node("realserver1", "realservers", 21),
        Node("realserver2", "realservers", 22),
    ],
    # dockerd on an IPVS kernel: molecule's docker driver reaches it with DOCKER_HOST. Two engines,
    # so that two container workloads run at once (a UML node has one CPU; the machine has two).
    "engine": [Node("engine", "engines", 5, mem="3G", public=False),
               Node("engine2", "engines", 6, mem="3G", public=False)],
    # booted only by the test that needs it (`lab restart fwdirector --machine qemu`), not by `lab up all`: a
    # director on Debian's kernel under QEMU for the firewall-mark test (labkit/qemu.py), beside the hosts shape
    # (its own VIP and real servers), so that test runs in an engine lane at the same time as the hosts lane
    "on-demand": [Node("fwdirector", "directors", 13)],
}
UP_ALL = ("hosts", "engine")  # the shapes `lab up all` boots


def node(name: str) -> Node:
    for nodes in SHAPES.values():
        for n in nodes:
            if n.name == name:
                return n
    raise KeyError(name)


def shape_of(name: str) -> str:
    for shape, nodes in SHAPES.items():
        if any(n.name == name for n in nodes):
            return shape
    raise KeyError(name)


def engine_name() -> str:
    """The engine this process uses: LVS_LAB_ENGINE (engine or engine2), default engine."""
    name = os.environ.get("LVS_LAB_ENGINE", "engine")
    if name not in [n.name for n in SHAPES["engine"]]:
        raise SystemExit(f"lab: LVS_LAB_ENGINE={name!r} is not one of {[n.name for n in SHAPES['engine']]}")
    return name


def engine_url(name: str | None = None) -> str:
    return f"tcp://{node(name or engine_name()).addr('private')}:{ENGINE_PORT}"
