# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPv4 and IPv6 in the cluster model: which prefix each VIP gets, what an IPv6 service may be, and how a VRRP
instance carries VIPs of both families.

IPVS forwards within one family: a service's real servers (and its sorry server) are of its VIP's family.
IPv6 services forward by dr, tun (IPv6 in IPv6, taken by the ip6_tunnel module's ip6tnl0 on the real servers)
or nat (the real servers' IPv6 default gateway is lvs_internal_vip6, floating like lvs_internal_vip); firewall-
mark services mark with iptables (IPv4).
A DR real server needs no IPv6 counterpart of arp_ignore/arp_announce: Linux answers a neighbour solicitation
only for an address of the interface it arrives on (measured on the lab kernel: an IPv6 VIP on lo gets no
advertisement out of eth0, neither to its solicited-node group nor to a unicast probe), so the VIP on lo is
enough.
VRRP: keepalived refuses addresses of two families in one virtual_ipaddress block (an advert carries one
family). An instance's adverts are IPv4 when it carries an IPv4 VIP; its IPv6 VIPs then go in
virtual_ipaddress_excluded (moved with the instance, not advertised). An instance of IPv6 VIPs only is an
IPv6 (VRRPv3) instance.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List

HOST_PREFIX = {4: 32, 6: 128}


def family(addr: str) -> int:
    return ipaddress.ip_address(addr).version


def cidr(addr: str, ipv4_prefix: int) -> str:
    """ADDR with its prefix on the directors: IPv4 lvs_vip_prefix, IPv6 /128."""
    return '%s/%d' % (addr, ipv4_prefix if family(addr) == 4 else 128)


def host_cidr(addr: str) -> str:
    """ADDR as a host route (a real server's VIP on lo or tunl0)."""
    return '%s/%d' % (addr, HOST_PREFIX[family(addr)])


def prefix_errors(addrs: List[str], ipv4_prefix: int, var: str) -> List[str]:
    """IPv4 addresses that are the network or broadcast address of their network at IPV4_PREFIX (a host can add
    them to an interface, but nothing on that network sends to them as to a host)."""
    out = []
    for addr in addrs:
        if not ipv4_prefix or family(addr) != 4 or ipv4_prefix > 30:
            continue
        net = ipaddress.ip_network('%s/%d' % (addr, ipv4_prefix), strict=False)
        for what, edge in (('network', net.network_address), ('broadcast', net.broadcast_address)):
            if ipaddress.ip_address(addr) == edge:
                out.append('%s: %d makes %s the %s address of %s: choose another address or prefix'
                           % (var, ipv4_prefix, addr, what, net))
    return out


def service_errors(svc: Dict[str, Any], path: str) -> List[str]:
    """A service's family rules: its real servers and sorry server of its VIP's family, IPv6 not with fwmark."""
    out: List[str] = []
    if not svc.get('address'):
        return out
    fam = family(svc['address'])
    if fam == 6 and svc['fwmark']:
        out.append('%s.address: %s is IPv6: firewall-mark services are marked by iptables rules for IPv4 VIPs '
                   '(use port services for IPv6)' % (path, svc['address']))
    for j, d in enumerate(svc['destinations']):
        if family(d['address']) != fam:
            where = '%s.servers[%d].address' % (path, sum(1 for x in svc['destinations'][:j] if not x['managed'])) \
                if not d['managed'] else '%s.realservers' % path
            out.append('%s: real server %s has the IPv%d address %s and the service\'s VIP %s is IPv%d: IPVS forwards '
                       'within one address family%s' % (
                           where, d['name'], family(d['address']), d['address'], svc['address'], fam,
                           ' (set lvs_real_address6 on the host)' if fam == 6 and d['managed'] else ''))
    sorry = svc.get('sorry_server') or {}
    if sorry.get('address') and family(sorry['address']) != fam:
        out.append('%s.sorry_server.address: %s is IPv%d and the service\'s VIP %s is IPv%d' % (
            path, sorry['address'], family(sorry['address']), svc['address'], fam))
    return out


def instance_addresses(vips: List[str], ipv4_prefix: int) -> Dict[str, Any]:
    """A VRRP instance's addresses: advertised (one family) and excluded (the other), and its advert family."""
    fams = {family(v) for v in vips}
    advert = 4 if 4 in fams else 6
    return {'family': advert,
            'addresses': [cidr(v, ipv4_prefix) for v in vips if family(v) == advert],
            'excluded': [cidr(v, ipv4_prefix) for v in vips if family(v) != advert]}


def vip_devices(mode: str, vips: List[str]) -> List[Dict[str, str]]:
    """Where a real server of forwarding MODE carries each of its VIPs: [{'cidr', 'dev'}] (dr: lo; tun: tunl0,
    IPv6 ip6tnl0; nat: none)."""
    if mode == 'dr':
        return [{'cidr': host_cidr(v), 'dev': 'lo'} for v in vips]
    if mode == 'tun':
        return [{'cidr': host_cidr(v), 'dev': 'ip6tnl0' if family(v) == 6 else 'tunl0'} for v in vips]
    return []


def gateway(gw4: str, prefix4: int, gw6: str, prefix6: int) -> Dict[str, Any]:
    """The NAT gateway instance's addresses (VI_GATEWAY): IPv4 advertised when there is one, IPv6 then excluded."""
    # a prefix out of range is None here (reported by its field)
    cidrs = (['%s/%d' % (gw4, prefix4 or 32)] if gw4 else []) + (['%s/%d' % (gw6, prefix6 or 128)] if gw6 else [])
    advert = 4 if gw4 else 6
    return {'family': advert, 'cidrs': cidrs,
            'addresses': [c for c in cidrs if family(c.split('/')[0]) == advert],
            'excluded': [c for c in cidrs if family(c.split('/')[0]) != advert]}


def auth_errors(instances: List[Dict[str, Any]], gateway: Dict[str, Any], nat: bool) -> List[str]:
    """VRRP PASS authentication exists in VRRPv2 (IPv4) only: an IPv6 instance cannot use lvs_vrrp_auth_pass."""
    names = [i['name'] for i in instances if i['family'] == 6] + (
        ['VI_GATEWAY'] if nat and gateway['cidrs'] and gateway['family'] == 6 else [])
    if not names:
        return []
    return ['lvs_vrrp_auth_pass: the VRRP instances %s advertise IPv6 (VRRP version 3), which has no authentication '
            '(keepalived ignores it): give each an IPv4 VIP (its IPv6 ones are then excluded from its adverts) or set '
            'lvs_vrrp_auth_pass to \'\'' % ', '.join(names)]
