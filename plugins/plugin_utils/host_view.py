# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What one host of the cluster model needs from gathered facts: a director's public and internal
interfaces (the ones whose networks, IPv4 or IPv6, hold the VIPs) and the unicast VRRP addresses of its peers."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.plugin_utils import address_family, bgp_frontend
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors


def networks(facts: Dict[str, Any]) -> List[Tuple[str, Any]]:
    """(interface, address/prefix) for every IPv4 address and global IPv6 address in setup facts, lo excluded,
    sorted by name (IPv4 first on each interface)."""
    out: List[Tuple[str, Any]] = []
    for name in sorted(facts.get('interfaces') or []):
        if name == 'lo':
            continue
        info = facts.get(name.replace('-', '_').replace('.', '_')) or {}
        for a in [info.get('ipv4'), *(info.get('ipv4_secondaries') or [])]:
            if isinstance(a, dict) and a.get('address') and a.get('netmask'):
                out.append((name, ipaddress.IPv4Interface('%s/%s' % (a['address'], a['netmask']))))
        for a in info.get('ipv6') or []:
            if isinstance(a, dict) and a.get('address') and a.get('prefix') and a.get('scope') == 'global':
                out.append((name, ipaddress.IPv6Interface('%s/%s' % (a['address'], a['prefix']))))
    return out


def interface_for(facts: Dict[str, Any], addr: str) -> Optional[Tuple[str, str]]:
    """(interface, its address) of the first network that contains *addr* and is not a host route."""
    target = ipaddress.ip_address(addr)
    for name, iface in networks(facts):
        if iface.version == target.version and iface.network.prefixlen < iface.max_prefixlen \
                and target in iface.network:
            return name, str(iface.ip)
    return None


def describe(facts: Dict[str, Any]) -> str:
    return ', '.join('%s %s' % (n, i.with_prefixlen) for n, i in networks(facts)) or 'no IP address'


def interfaces(model: Dict[str, Any], host: str, facts: Dict[str, Any], errors: Errors) -> Dict[str, Any]:
    """A director's interfaces for the VIP and (NAT) the internal VIP, from its own facts."""
    out = {'public_interface': '', 'internal_interface': '', 'public_address': '', 'internal_address': ''}
    if not facts.get('interfaces'):
        errors.add(host, 'has no network facts (gather them with gather_subset network)')
        return out
    if model.get('frontend') == 'bgp':  # the VIPs are on no LAN: the public side is the one facing the routers
        kinds = [('public', 'lvs_public_interface', 'lvs_bgp.peers[0].address',
                  bgp_frontend.peer_network_address(model['bgp']['peers']))]
    else:
        kinds = [('public', 'lvs_public_interface', 'lvs_vip', model['vip'])]
    if 'nat' in model['forwardings']:
        # the IPv4 gateway when there is one (the IPv6 one floats on the same interface)
        kinds.append(('internal', 'lvs_internal_interface', 'lvs_internal_vip' if model['internal_vip'] else
                      'lvs_internal_vip6', model['internal_vip'] or model.get('internal_vip6', '')))
    for kind, if_var, addr_var, addr in kinds:
        configured = model[kind + '_interface']
        if configured:
            if configured not in facts['interfaces']:
                errors.add(if_var, '%r is not an interface of director %r (interfaces: %s)' % (
                    configured, host, ', '.join(sorted(i for i in facts['interfaces'] if i != 'lo'))))
                continue
            out[kind + '_interface'] = configured
            found = interface_for(facts, addr) if addr else None
            out[kind + '_address'] = found[1] if found and found[0] == configured else first_address(facts, configured)
            continue
        found = interface_for(facts, addr) if addr else None
        if not found:
            errors.add(addr_var, '%s is inside no network of director %r (%s): use an address of its network '
                       'or set %s' % (addr, host, describe(facts), if_var))
            continue
        out[kind + '_interface'], out[kind + '_address'] = found
    if model.get('frontend') == 'bgp':
        iface = model['bgp']['interface']
        foreign = [str(a.ip) for n, a in networks(facts) if n == iface and str(a.ip) not in model.get('vips', [])]
        if foreign or iface == out['public_interface']:
            errors.add('lvs_bgp.interface', '%r is an interface of director %r with addresses of its own (%s): '
                       'lvs-announce keeps only the VIPs on it (and removes every other address); name a dummy '
                       'interface of its own (default lvs-vips)' % (iface, host,
                                                                    ', '.join(foreign or [out['public_address']])))
        for i, peer in enumerate(model['bgp']['peers'][1:], 1):
            if not interface_for(facts, peer['address']):
                errors.add('lvs_bgp.peers[%d].address' % i, '%s is inside no network of director %r (%s): the '
                           'directors speak BGP to routers on their own LANs' % (peer['address'], host,
                                                                                 describe(facts)))
    other_vips(model, host, facts, out['public_interface'], errors)
    on_link(model, host, facts, errors)
    return out


def other_vips(model: Dict[str, Any], host: str, facts: Dict[str, Any], public: str, errors: Errors) -> None:
    """The services' own VIPs float with lvs_vip on the public interface: each must be in one of its networks
    (or lvs_public_interface is set and names the interface on purpose)."""
    if not public or model['public_interface'] or model.get('frontend') == 'bgp':
        return
    for vip in model.get('vips', [])[1:]:
        i = next(n for n, s in enumerate(model['services']) if s['address'] == vip)
        found = interface_for(facts, vip)
        if found is None:
            errors.add('lvs_services[%d].address' % i, '%s is inside no network of director %r (%s): use an '
                       'address of its network or set lvs_public_interface' % (vip, host, describe(facts)))
        elif found[0] != public:
            errors.add('lvs_services[%d].address' % i, '%s is on %s of director %r, lvs_vip %s on %s: every VIP '
                       'floats on one interface' % (vip, found[0], host, model['vip'], public))


def on_link(model: Dict[str, Any], host: str, facts: Dict[str, Any], errors: Errors) -> None:
    """Direct routing rewrites only the MAC address: every dr real server must be on a network of the director."""
    nets = [iface.network for _name, iface in networks(facts) if iface.network.prefixlen < iface.max_prefixlen]
    for i, s in enumerate(model['services']):
        sorry = (s.get('sorry_server') or {}).get('address')
        for what, addr in [('real server %r' % d['name'], d['address']) for d in s['destinations']] + (
                [('sorry server', sorry)] if sorry else []):
            edge = network_edge(ipaddress.ip_address(addr), nets)
            if edge:
                errors.add('lvs_services[%d]' % i, '%s %s is the %s: no host answers there' % (what, addr, edge))
        for d in s['destinations']:
            addr = ipaddress.ip_address(d['address'])
            if d['forwarding'] == 'dr' and not any(addr.version == n.version and addr in n for n in nets):
                errors.add('lvs_services[%d]' % i, 'dr real server %r (%s) is on no network of director %r (%s): '
                           'direct routing needs the real servers on a LAN of the director (use tun or nat across '
                           'routers)'
                           % (d['name'], d['address'], host, describe(facts)))


def network_edge(addr, nets) -> str:
    """'network address of N' or 'broadcast address of N' when ADDR is one of a director network N's edges (IPv4
    networks of more than two addresses), else ''."""
    for net in nets:
        if addr.version == 4 == net.version and net.prefixlen < 31 and addr in net:
            if addr == net.network_address:
                return 'network address of %s' % net
            if addr == net.broadcast_address:
                return 'broadcast address of %s' % net
    return ''


def first_address(facts: Dict[str, Any], name: str) -> str:
    for n, iface in networks(facts):
        if n == name:
            return str(iface.ip)
    return ''


def peers(model: Dict[str, Any], host: str, facts_of: Dict[str, Dict[str, Any]],
          errors: Errors) -> Dict[str, List[str]]:
    """Unicast VRRP: the address of every other director on the network of each VIP."""
    out: Dict[str, List[str]] = {'public': [], 'internal': []}
    for peer in model['directors']:
        if peer == host:
            continue
        facts = facts_of.get(peer) or {}
        sub = Errors()
        view = interfaces(model, peer, facts, sub)
        if sub:
            errors.extend('unicast peer %s: %s' % (peer, e) for e in sub)
            continue
        for kind in out:
            if view[kind + '_address']:
                out[kind].append(view[kind + '_address'])
    return out


def vrrp_instances(model: Dict[str, Any], host: str, view: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The VRRP instances of director HOST as keepalived.conf declares them: the public VIPs' instances, then
    with nat the real servers' gateway (VI_GATEWAY, with the first instance's priorities and master), each with
    its interface, advertised and excluded addresses, router id, network kind (public or internal, for the
    unicast addresses), priority and whether HOST is its configured master."""
    vrrp = model['vrrp']
    out = [{'name': i['name'], 'interface': view.get('public_interface', ''), 'addresses': i['addresses'],
            'excluded': i['excluded'], 'router_id': i['router_id'], 'kind': 'public',
            'priority': i['priorities'].get(host), 'master': i['master'] == host} for i in vrrp['instances']]
    if 'nat' in model['forwardings'] and vrrp['instances']:
        first = vrrp['instances'][0]
        out.append({'name': 'VI_GATEWAY', 'interface': view.get('internal_interface', ''),
                    'addresses': model['gateway']['addresses'], 'excluded': model['gateway']['excluded'],
                    'router_id': vrrp['internal_router_id'], 'kind': 'internal',
                    'priority': first['priorities'].get(host), 'master': first['master'] == host})
    return out


def views(model: Dict[str, Any], facts_of: Dict[str, Dict[str, Any]], in_play: Any, want_peers: bool,
          errors: Errors) -> Dict[str, Dict[str, Any]]:
    """{host: its view} (lvs_model.hosts) for every host of the cluster: its forwarding method and VIPs, a
    director's interfaces from its facts (FACTS_OF: {director: setup facts}; a director of the play IN_PLAY without
    facts is an error, one outside it gets no view), its VRRP instances and, with WANT_PEERS, its unicast peers."""
    out = {}
    for h in model['directors'] + [r for r in model['realservers'] if r not in model['directors']]:
        view = {'name': h, 'director': h in model['directors'], 'realserver': h in model['realservers'],
                'mode': (model['realserver_modes'].get(h) or ['none'])[0],
                'priority': model['priorities'].get(h), 'vips': model['realserver_vips'].get(h, []),
                'vip_cidrs': model['realserver_vip_cidrs'].get(h, []),
                'gateways': model['realserver_gateways'].get(h, [])}
        view['vip_devices'] = address_family.vip_devices(view['mode'], view['vips'])
        if view['director']:
            if h not in facts_of:
                if h in in_play:
                    errors.add(h, 'has no network facts (gather them with gather_subset network)')
                continue
            view.update(interfaces(model, h, facts_of[h], errors))
            view['vrrp_instances'] = vrrp_instances(model, h, view)
            if want_peers:
                others = {p: facts_of.get(p, {}) for p in model['directors'] if p != h}
                view['peers'] = peers(model, h, others, errors)
        out[h] = view
    return out
