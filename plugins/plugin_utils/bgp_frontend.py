# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""lvs_frontend bgp: every director active, announcing the VIPs by BGP to the routers, which spread the flows over
the directors by ECMP (a hash of the addresses and ports). What it needs of the rest of the model, checked before
any host changes, and what the roles render from (lvs_model.bgp):

- a flow that a router re-hashes to another director (a director added, withdrawn or dead) must reach the same real
  server there: every service schedules by a consistent hash of the source (mh or sh), and no persistence (its
  templates live on one director);
- replies leave the real servers directly (dr on the directors' LAN, tun across routers): nat would send them back
  through whichever director is the real servers' gateway, not the one the router chose;
- keepalived runs without VRRP: its checks and each service's quorum add the VIP to the director's dummy interface
  (quorum_up) and remove it (quorum_down), and the BGP daemon announces what the interface holds; so quorum_up and
  quorum_down are the front end's, and the VRRP options have no meaning.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.lvs.cluster.plugins.plugin_utils import address_family
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema as S
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors, duplicates, shown
from ansible_collections.lvs.cluster.plugins.plugin_utils.role_schema import KEEPALIVED

# the script keepalived runs on quorum changes (roles/director/files/lvs-announce), and how it is run
ANNOUNCE = '/usr/local/sbin/lvs-announce'
COMMAND = ['/usr/bin/python3', ANNOUNCE]
CONSISTENT = ('mh', 'sh')
# the options of the VRRP front end alone (tagged frontend='vrrp' where they are declared): cluster variables, and
# variables of a director (the cluster model's and the keepalived role's)
VRRP_ONLY = tuple(name for name, f in S.CLUSTER.items() if f.frontend == 'vrrp')
VRRP_HOST_ONLY = tuple(name for name, f in {**S.DIRECTOR, **KEEPALIVED}.items() if f.frontend == 'vrrp')
# AS_TRANS (RFC 6793) stands in for a 4-byte AS number on old speakers: refused (the schema's range takes the rest)
AS_TRANS = 23456


def check(c: Dict[str, Any], given: Dict[str, Any], services: List[Dict[str, Any]], vips: List[str],
          directors: List[str], hostvars: Dict[str, Dict[str, Any]], owners: Dict[str, str],
          errors: Errors) -> Dict[str, Any]:
    """lvs_model.bgp for lvs_frontend bgp (C: the checked cluster variables; GIVEN: those the inventory sets), with
    every mistake in ERRORS; the services' quorum commands are set here."""
    bgp = c.get('lvs_bgp') or {}
    if not given.get('lvs_bgp'):
        errors.add('lvs_bgp', 'is required with lvs_frontend bgp (the directors\' AS number and the routers they '
                   'announce the VIPs to)')
    for var in VRRP_ONLY:
        if given.get(var) not in (None, '', [], {}, S.CLUSTER[var].default):
            errors.add(var, 'is an option of the VRRP front end: with lvs_frontend bgp no director holds a VIP by '
                       'ARP (remove it)')
    for h in directors:
        for var in VRRP_HOST_ONLY:
            if (hostvars.get(h) or {}).get(var) not in (None, '', KEEPALIVED.get(var, S.DIRECTOR.get(var)).default):
                errors.add('hostvars[%s].%s' % (h, var), 'is an option of the VRRP front end: with lvs_frontend bgp '
                           'keepalived runs no VRRP (remove it)')
    if c.get('lvs_keepalived') is False:
        errors.add('lvs_keepalived', 'false: lvs_frontend bgp needs keepalived (its health checks and each service\'s '
                   'quorum decide whether a director announces the VIPs)')
    if c.get('lvs_ipvs_owner') not in (None, 'keepalived'):
        errors.add('lvs_ipvs_owner', '%s: lvs_frontend bgp needs keepalived as the owner (its health checks and each '
                   'service\'s quorum decide whether a director announces the VIPs)' % shown(c['lvs_ipvs_owner']))
    by_vip: Dict[str, List[str]] = {}
    for i, s in enumerate(services):
        path = 'lvs_services[%d]' % i
        if s['scheduler'] not in CONSISTENT:
            errors.add(path + '.scheduler', '%s: with lvs_frontend bgp the routers may send a flow to any director, '
                       'which must pick the same real server: use mh (maglev hashing) or sh (source hashing), with '
                       'sched_flags [mh-port] or [sh-port] to spread one client\'s flows' % shown(s['scheduler']))
        if s.get('persistence'):
            errors.add(path + '.persistence', '%s: persistence templates live on one director, and the routers send a '
                       'client\'s flows to several; mh or sh without the port flag keeps a client on one real '
                       'server on every director' % shown(s['persistence']))
        if s['forwarding'] == 'nat':
            errors.add(path + '.forwarding', '\'nat\': with lvs_frontend bgp the replies would go back through the '
                       'real servers\' gateway, not the director the router chose: use dr (real servers on the '
                       'directors\' LAN) or tun')
        for cmd in ('quorum_up', 'quorum_down'):
            if s.get(cmd):
                errors.add('%s.%s' % (path, cmd), '%s: with lvs_frontend bgp the quorum commands announce and '
                           'withdraw the VIP (remove it)' % shown(s[cmd]))
        by_vip.setdefault(s['address'], []).append(s['name'])
    # a peer whose address or AS number is wrong was reported by its field
    peers = [p for p in bgp.get('peers') or [] if p.get('address') and p.get('asn') is not None]
    for i, p in enumerate(bgp.get('peers') or []):
        if p not in peers:
            continue
        p['name'] = p.get('name') or 'router%d' % (i + 1)
        p['family'] = address_family.family(p['address'])
        if p['asn'] == bgp.get('asn'):
            errors.add('lvs_bgp.peers[%d].asn' % i, '%d is lvs_bgp.asn: the directors speak eBGP to the routers (a '
                       'router of the same AS would not pass the VIPs on to its iBGP peers)' % p['asn'])
        if p['address'] in vips:
            errors.add('lvs_bgp.peers[%d].address' % i, '%s is a VIP' % p['address'])
        if p['address'] in owners:
            errors.add('lvs_bgp.peers[%d].address' % i, '%s is the address of %s: the peers are the routers' % (
                p['address'], owners[p['address']]))
    for asn in {bgp.get('asn')} | {p['asn'] for p in peers}:
        if asn == AS_TRANS:
            errors.add('lvs_bgp', 'AS %d is AS_TRANS (RFC 6793), which stands in for a 4-byte AS number: use the '
                       'AS number itself' % asn)
    given_peers = bgp.get('peers') or []
    for what, pos in duplicates(given_peers, lambda p: p.get('address')).items():
        errors.add('lvs_bgp.peers[%d].address' % pos[1], '%s is also lvs_bgp.peers[%d]' % (what, pos[0]))
    for what, pos in duplicates(given_peers, lambda p: p.get('name')).items():
        errors.add('lvs_bgp.peers[%d].name' % pos[1], '%s is also the name of lvs_bgp.peers[%d]' % (what, pos[0]))
    for i, community in enumerate(bgp.get('communities') or []):
        if any(int(n) > 65535 for n in community.split(':')):
            errors.add('lvs_bgp.communities[%d]' % i, '%s: each number of a standard community is 0-65535' %
                       shown(community))
    families = {address_family.family(p['address']) for p in peers}
    for vip in vips:
        fam = address_family.family(vip)
        if peers and fam not in families:
            errors.add('lvs_bgp.peers', 'no IPv%d router: VIP %s would never be announced (add a peer of its '
                       'family)' % (fam, vip))
    hold = bgp.get('hold_time')
    if bgp.get('bfd') and hold and bgp.get('bfd_interval') and bgp.get('bfd_multiplier') and \
            bgp['bfd_interval'] * bgp['bfd_multiplier'] >= hold * 1000:
        errors.add('lvs_bgp.bfd_interval', '%d ms x %d (bfd_multiplier) is not below the hold time %d s: BFD would '
                   'notice a dead director no sooner than BGP' % (bgp['bfd_interval'], bgp['bfd_multiplier'], hold))
    iface = bgp.get('interface') or 'lvs-vips'
    taken = 'the loopback interface' if iface == 'lo' else next(
        (var for var in ('lvs_public_interface', 'lvs_internal_interface') if c.get(var) == iface), None)
    if taken:
        errors.add('lvs_bgp.interface', '%s is %s: lvs-announce keeps only the VIPs on it (and removes every other '
                   'address); name a dummy interface of its own (default lvs-vips)' % (shown(iface), taken))
    delays = {v: announce_delay(bgp, [s for s in services if s['address'] == v]) for v in by_vip}
    for s in services:
        args = (iface, s['name'], address_family.host_cidr(s['address']), ','.join(by_vip[s['address']]),
                str(delays[s['address']]))
        s['quorum_up'] = ' '.join([*COMMAND, 'up', *args])
        s['quorum_down'] = ' '.join([*COMMAND, 'down', *args])
        s['alpha'] = True  # a director announces a VIP only once its checks found enough real servers
        s['omega'] = True  # and withdraws it when keepalived stops
    return {
        'asn': bgp.get('asn'), 'peers': peers, 'hold_time': hold, 'bfd': bool(bgp.get('bfd')),
        'bfd_interval': bgp.get('bfd_interval'), 'bfd_multiplier': bgp.get('bfd_multiplier'),
        'med': bgp.get('med'), 'communities': bgp.get('communities') or [],
        'interface': iface,
        'vips': [{'address': v, 'cidr': address_family.host_cidr(v), 'family': address_family.family(v),
                  'services': by_vip.get(v, []), 'announce_delay': delays.get(v, 0),
                  'spec': '%s=%s' % (address_family.host_cidr(v), ','.join(by_vip.get(v, [])))} for v in vips],
        'announce': ANNOUNCE, 'command': COMMAND,
    }


def announce_delay(bgp: Dict[str, Any], services: List[Dict[str, Any]]) -> int:
    """Seconds between a VIP's quorum and its announcement: lvs_bgp.announce_delay, or the time the first round of
    checks of its SERVICES takes (keepalived starts each real server's checks within delay_loop, and an attempt
    lasts up to connect_timeout; a service without checks has every real server in its table at once)."""
    if bgp.get('announce_delay') is not None:
        return bgp['announce_delay']
    return max([s['delay_loop'] + (s.get('health_check') or {}).get('connect_timeout', 0) for s in services
                if (s.get('health_check') or {}).get('type') != 'none'] or [0])


def peer_network_address(peers: List[Dict[str, Any]]) -> str:
    """The address whose network is the directors' public side with lvs_frontend bgp: the first router's."""
    return peers[0]['address'] if peers else ''
