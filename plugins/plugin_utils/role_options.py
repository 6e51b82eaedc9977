# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the roles' own options (director_*, keepalived_*, realserver_*) must be beyond their type.

Each option is declared once, in its role's meta/argument_specs.yml (type, default, description), which
Ansible checks only when that role starts, after the roles before it changed hosts, and only for its type.
lvs.cluster.cluster_model checks here, before any host is changed, the values the inventory sets against
what argument_specs cannot say: ranges, the characters that reach commands and keepalived.conf, and the
values that break an LVS cluster (a unit test keeps every name here declared in its role).
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.lvs.cluster.plugins.plugin_utils.cluster_schema import IFNAME, IFNAME_MEANING
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors, Int, Str

# keepalived.conf words: no whitespace, quotes, comment characters or braces
WORD = r'[^\s"\'#!\\{}]{1,64}'

OPTIONS = {
    'director': {
        'director_sync_threshold': Str('net.ipv4.vs.sync_threshold', pattern=r'|[0-9]{1,6} [0-9]{1,6}',
                                       meaning='"N M", two numbers (empty = the kernel\'s)'),
        'director_sync_interface': Str('sync daemon interface', pattern='|' + IFNAME, meaning=IFNAME_MEANING),
        'director_sync_id': Int('sync daemon id', 0, 255),
        'director_arping_count': Int('gratuitous ARPs sent for a VIP', 1, 100),
        'director_fwmark_chain': Str('mangle chain of the MARK rules', pattern=r'[A-Za-z][A-Za-z0-9_-]{0,28}',
                                     meaning='an iptables chain name'),
        'director_arping_command': Str('command sending gratuitous ARP, run by sh',
                                       pattern=r'[A-Za-z0-9_./-]+( [A-Za-z0-9_./=-]+)*',
                                       meaning='a command and its arguments (letters, digits, _ . / - =; no shell '
                                               'characters)'),
    },
    'keepalived': {
        'keepalived_router_id': Str('global_defs router_id', pattern=WORD,
                                    meaning='one keepalived word (no spaces, quotes, #, !, \\ or braces)'),
        'keepalived_advert_int': Int('VRRP advertisement interval', 1, 255),
        'keepalived_preempt_delay': Int('preemption delay', 0, 1000),
        'keepalived_garp_master_refresh': Int('gratuitous ARP refresh interval', 0, 86400),
        'keepalived_sync_interface': Str('sync daemon interface', pattern='|' + IFNAME, meaning=IFNAME_MEANING),
        'keepalived_notify_script': Str('notify script, a file the role installs', pattern=r'|/[^\s"\'\\#!{}]+',
                                        meaning='an absolute file path (no spaces, quotes, #, !, \\ or braces)'),
    },
    'realserver': {
        'realserver_lo_label': Str('label of the VIP on lo', pattern=r'lo(:[A-Za-z0-9_.-]{1,12})?',
                                   meaning='lo or lo:LABEL (at most 15 characters: letters, digits, _ . -)'),
        'realserver_arp_ignore': Int('net.ipv4.conf.*.arp_ignore', 0, 8),
        'realserver_arp_announce': Int('net.ipv4.conf.*.arp_announce', 0, 2),
    },
}
NAMES = {name: spec for options in OPTIONS.values() for name, spec in options.items()}

# Values that are in range but make a DR or TUN real server claim the VIP, which only the director may own.
# Measured on the lab kernel (UML 7.2.7), a real server with the VIP /32 on lo (scope global) in its eth0 subnet:
# a client's ARP request for the VIP is answered with arp_ignore 0 and 3, not with 1 and 2; with 8 not even its
# own address is; a datagram it sends from the VIP puts the VIP with its MAC into the client's neighbour table
# with arp_announce 0 and 1, with 2 its ARP request comes from its own address.
ARP_IGNORE = {
    0: 'answers ARP for the VIP it holds on lo or tunl0, from any interface',
    3: 'answers ARP for every local address not of scope host, the VIP it holds on lo or tunl0 among them (the '
       'realserver role adds it with scope global)',
    4: 'is reserved and acts as 0: it answers ARP for the VIP it holds on lo or tunl0',
    8: 'answers no ARP request at all, not even for its own address',
}
for _value in (5, 6, 7):
    ARP_IGNORE[_value] = ARP_IGNORE[4]
ARP_ANNOUNCE = {
    0: 'may use the VIP as the source of its ARP requests, which teaches the router the real server\'s MAC for it',
    1: 'still uses the VIP as the source of its ARP requests when the VIP is in the target\'s subnet (the usual DR '
       'case)',
}


def _lvs_rules(name: str, value: int) -> str:
    if name == 'realserver_arp_ignore' and value in ARP_IGNORE:
        return '%d %s: use 1 (reply only for addresses of the receiving interface) or 2' % (value, ARP_IGNORE[value])
    if name == 'realserver_arp_announce' and value in ARP_ANNOUNCE:
        why = ARP_ANNOUNCE[value]
        return '%d %s: use 2 (always the best local address of the outgoing interface)' % (value, why)
    return ''


def check(values: Dict[str, Dict[str, Any]], ipv6_vrrp: bool = False) -> List[str]:
    """VALUES: {host: {option: value}} of the role options the inventory sets, for every host of the cluster ->
    errors, each problem once, with the hosts that have it unless every host does. IPV6_VRRP: some VRRP
    instance advertises IPv6 (VRRP version 3, whose advertisement interval is in centiseconds, at most 40.95 s)."""
    found: Dict[str, List[str]] = {}
    for host, options in values.items():
        for name, value in options.items():
            spec = NAMES.get(name)
            if spec is None:
                continue
            errors = Errors()
            checked = spec.check(value, name, errors)
            if not errors and isinstance(checked, int):
                why = _lvs_rules(name, checked)
                if why:
                    errors.append('%s: %s' % (name, why))
                if name == 'keepalived_advert_int' and ipv6_vrrp and checked > 40:
                    errors.append('%s: %d is above 40: VRRP version 3 (the IPv6 VIPs) carries the interval in '
                                  'centiseconds, at most 40.95 s' % (name, checked))
            if name == 'director_sync_threshold' and not errors and checked:
                first, every = (int(v) for v in checked.split())
                if every and first >= every:
                    errors.append('%s: %r: the kernel needs N below M (or M 0): a connection is synced at its Nth '
                                  'packet and every Mth after' % (name, checked))
            for error in errors:
                found.setdefault(error, []).append(host)
    out = []
    for error, hosts in found.items():
        out.append(error if hosts == list(values) else '%s (on %s)' % (error, ', '.join(hosts)))
    return out
