"""Who answers an IPv6 neighbour solicitation for an address: the IPv6 side of "which host answers ARP
for the VIP". Run inside a network namespace (python3 -m labkit.ndisc IFACE TARGET [SECONDS] [--unicast]): it
sends one neighbour solicitation for TARGET to TARGET's solicited-node multicast group on IFACE, as a host
resolving TARGET does (with --unicast: to TARGET itself, as a host checking a neighbour entry does), and
prints one line per solicited neighbour advertisement for TARGET that arrives within SECONDS: the
advertiser's source address and link-layer address."""

from __future__ import annotations

import ipaddress
import select
import socket
import struct
import sys
import time

NS, NA = 135, 136
OPT_SOURCE_LL, OPT_TARGET_LL = 1, 2
SOLICITED = 0x40  # the S flag of an advertisement: an answer to a solicitation


def _mac(iface: str) -> bytes:
    with open(f"/sys/class/net/{iface}/address", encoding="ascii") as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def solicited_node(target: ipaddress.IPv6Address) -> str:
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | (int(target) & 0xFFFFFF)))


def probe(iface: str, target: str, seconds: float = 2.0, unicast: bool = False) -> list[tuple[str, str]]:
    """[(advertiser's IPv6 source address, its link-layer address)] of the advertisements for TARGET. *unicast*:
    send the solicitation to TARGET itself, as neighbour unreachability detection does (to whichever link-layer
    address the sender's neighbour entry for TARGET holds), instead of to its solicited-node group."""
    want = ipaddress.IPv6Address(target)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    try:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)  # ND needs hop limit 255
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
        # type, code, checksum (the kernel fills it in for ICMPv6 raw sockets), reserved, target, option
        msg = struct.pack("!BBHI", NS, 0, 0, 0) + want.packed + struct.pack("!BB", OPT_SOURCE_LL, 1) + _mac(iface)
        sock.sendto(msg, (str(want) if unicast else solicited_node(want), 0, 0, socket.if_nametoindex(iface)))
        found = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([sock], [], [], left)[0]:
                break
            data, src = sock.recvfrom(2048)
            if len(data) < 24 or data[0] != NA or ipaddress.IPv6Address(data[8:24]) != want:
                continue
            if not data[4] & SOLICITED:
                continue  # an unsolicited advertisement (keepalived repeats them for its VIPs), not an answer
            ll = ""
            opts = data[24:]
            while len(opts) >= 8 and opts[1]:
                if opts[0] == OPT_TARGET_LL:
                    ll = ":".join("%02x" % b for b in opts[2:8])
                opts = opts[opts[1] * 8:]
            found.append((src[0].split("%")[0], ll))
        return found
    finally:
        sock.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--unicast"]
    for addr, lladdr in probe(args[0], args[1], float(args[2]) if len(args) > 2 else 2.0, "--unicast" in sys.argv):
        print(addr, lladdr)
