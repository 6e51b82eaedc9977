"""Host side of the lab network: bridges, taps, the client namespace and firewall exceptions.

Nothing here routes anywhere: the bridges have no uplink, the host does not forward for them and
the guests get no default route.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import config
from .util import log, ok, out, run

TAG = "lvslab"  # iptables comment on every rule the lab adds


def tap_name(node: config.Node, net: str) -> str:
    return f"lvt{node.octet}{net[:2]}"  # e.g. lvt11pu, lvt11pr: short enough for IFNAMSIZ


def link_exists(name: str) -> bool:
    return Path(f"/sys/class/net/{name}").exists()


def _sysctl(key: str, value: str) -> None:
    path = Path("/proc/sys") / key.replace(".", "/")
    if path.exists():
        path.write_text(value)


def _iptables(rule: list[str]) -> None:
    if not shutil.which("iptables"):
        return
    tagged = [*rule, "-m", "comment", "--comment", TAG]
    if not ok(["iptables", "-C", *tagged]):
        run(["iptables", "-I", *tagged])


def up() -> None:
    for net in config.NETWORKS.values():
        br = net["bridge"]
        if not link_exists(br):
            run(["ip", "link", "add", br, "type", "bridge", "stp_state", "0", "forward_delay", "0"])
        _sysctl(f"net.ipv6.conf.{br}.disable_ipv6", "1")
        _sysctl(f"net.ipv4.conf.{br}.forwarding", "0")
        addr = f"{net['host']}/{net['len']}"
        if addr not in out(["ip", "-4", "-o", "addr", "show", "dev", br]):
            run(["ip", "addr", "add", addr, "dev", br])
        run(["ip", "link", "set", br, "up"])
        # A dockerd on the host sets FORWARD to DROP and bridged frames may cross iptables:
        # let traffic within each lab bridge pass, and nothing out of it.
        _iptables(["FORWARD", "-i", br, "-o", br, "-j", "ACCEPT"])
    _client_up()


def _client_up() -> None:
    ns = config.CLIENT_NETNS
    if ns not in out(["ip", "netns", "list"]).split():
        run(["ip", "netns", "add", ns])
    if not link_exists("lvslab-cl"):
        run(["ip", "link", "add", "lvslab-cl", "type", "veth", "peer", "name", "eth0", "netns", ns])
    run(["ip", "link", "set", "lvslab-cl", "master", config.PUBLIC["bridge"], "up"])
    nsx = ["ip", "netns", "exec", ns]
    # IPv6 on the client's eth0 only, with a static address (no DAD: usable at once, no router advertisements)
    run([*nsx, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf.default.accept_ra=0",
         "net.ipv6.conf.eth0.accept_ra=0", "net.ipv6.conf.eth0.accept_dad=0"])
    run([*nsx, "ip", "link", "set", "lo", "up"])
    run([*nsx, "ip", "link", "set", "eth0", "up"])
    addr = f"{config.CLIENT_ADDR}/{config.PUBLIC['len']}"
    if addr not in out([*nsx, "ip", "-4", "-o", "addr", "show", "dev", "eth0"]):
        run([*nsx, "ip", "addr", "add", addr, "dev", "eth0"])
    addr6 = f"{config.CLIENT_ADDR6}/{config.PUBLIC6['len']}"
    if addr6 not in out([*nsx, "ip", "-6", "-o", "addr", "show", "dev", "eth0"]):
        run([*nsx, "ip", "-6", "addr", "add", addr6, "dev", "eth0", "nodad"])


def add_tap(name: str, bridge: str) -> None:
    if link_exists(name):
        run(["ip", "link", "del", name])
    run(["ip", "tuntap", "add", "dev", name, "mode", "tap", "user", config.UML_USER])
    _sysctl(f"net.ipv6.conf.{name}.disable_ipv6", "1")
    run(["ip", "link", "set", name, "master", bridge, "up"])


def del_tap(name: str) -> None:
    if link_exists(name):
        run(["ip", "link", "del", name], check=False)


def down() -> None:
    """Remove every tap, bridge, namespace and rule the lab made (whatever state they are in)."""
    for dev in Path("/sys/class/net").iterdir():
        if dev.name.startswith("lvt") or dev.name.startswith("lvslab-"):
            run(["ip", "link", "del", dev.name], check=False, capture=True)
    if config.CLIENT_NETNS in out(["ip", "netns", "list"]).split():
        run(["ip", "netns", "del", config.CLIENT_NETNS])
    if shutil.which("iptables"):
        for line in out(["iptables", "-S"]).splitlines():
            if f"--comment {TAG}" in line and line.startswith("-A "):
                run(["iptables", "-D", *line.split()[1:]], check=False, capture=True)
    log("lab network removed")


def leftovers() -> list[str]:
    """What of the lab's network is still on this host (empty after `down`)."""
    found = [d.name for d in Path("/sys/class/net").iterdir()
             if d.name.startswith(("lvt", "lvslab-"))]
    if config.CLIENT_NETNS in out(["ip", "netns", "list"]).split():
        found.append(f"netns {config.CLIENT_NETNS}")
    if shutil.which("iptables"):
        found += [r for r in out(["iptables", "-S"]).splitlines() if f"--comment {TAG}" in r]
    return found
