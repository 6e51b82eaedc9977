"""A lab node configured as Debian installs a server: ifupdown brings its network up (/etc/network/interfaces),
systemd-networkd is disabled. The lab's nodes run systemd-networkd (configured from the kernel's `ip=` arguments);
a role that relies on networkd at boot passes there and fails on a stock server, so a test turns a node into one
before rebooting it. Undo: `lab restart NODE` (a fresh disk)."""

from __future__ import annotations

from . import config, uml


def interfaces(node: config.Node) -> str:
    """/etc/network/interfaces as the Debian installer writes it (allow-hotplug, static), both lab networks."""
    out = ["# The loopback network interface", "auto lo", "iface lo inet loopback", ""]
    for i, netname in enumerate(uml.nics(node)):
        net = config.NETWORKS[netname]
        out += [f"allow-hotplug eth{i}", f"iface eth{i} inet static",
                f"    address {node.addr(netname)}/{net['len']}", ""]
        if node.public:
            prefix6 = config.NETWORKS6[netname]["len"]
            out += [f"iface eth{i} inet6 static", f"    address {node.addr6(netname)}/{prefix6}", ""]
    return "\n".join(["source /etc/network/interfaces.d/*", "", *out])


def script(node: config.Node) -> str:
    """Shell run on NODE: ifupdown from the next boot on, networkd disabled (and, as on a stock server, not
    running: the addresses it set stay until the reboot)."""
    return (
        "set -e\n"
        f"cat > /etc/network/interfaces <<'EOF'\n{interfaces(node)}EOF\n"
        "mkdir -p /etc/network/interfaces.d\n"
        "systemctl unmask networking.service\n"
        "systemctl enable networking.service\n"
        "systemctl disable --now systemd-networkd.service systemd-networkd.socket 2>/dev/null\n"
        "systemctl is-enabled systemd-networkd.service && exit 1 || true\n"
    )
