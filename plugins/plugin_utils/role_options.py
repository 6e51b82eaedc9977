# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the roles' own options (director_*, keepalived_*, realserver_*) must be, checked before any host changes.

Each option is declared once, in role_schema.py (type, range or pattern, default, scope), from which its role's
meta/argument_specs.yml and defaults/main.yml are generated. Ansible checks a role's argument specs only when
that role starts, after the roles before it changed hosts, and only the types; lvs.cluster.cluster_model checks
here, for every host of the cluster: unknown names (a misspelt option is otherwise ignored), each value by its
field, the values that break an LVS cluster, and the cluster-scoped options, which must be the same on every
host of their role (a host that leaves one unset has the default).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import MISSING, Errors, did_you_mean, shown
from ansible_collections.lvs.cluster.plugins.plugin_utils.role_schema import OPTIONS, PREFIXES, ROLES

NAMES = OPTIONS

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


def role_of(name: str) -> str:
    return name.split('_', 1)[0]


def check(values: Dict[str, Dict[str, Any]], ipv6_vrrp: bool = False,
          role_hosts: Optional[Dict[str, List[str]]] = None) -> List[str]:
    """VALUES: {host: {variable: value}} of the role variables (names starting director_, keepalived_ or
    realserver_) the inventory sets, for every host of the cluster -> errors, each problem once, with the hosts
    that have it unless every host does. IPV6_VRRP: some VRRP instance advertises IPv6 (VRRP version 3, whose
    advertisement interval is in centiseconds, at most 40.95 s). ROLE_HOSTS: {role: [hosts it runs on]}: the
    cluster-scoped options are compared across them."""
    found: Dict[str, List[str]] = {}
    effective: Dict[str, Dict[str, Any]] = {}
    for host, options in values.items():
        for name, value in options.items():
            if not isinstance(name, str):
                continue  # Ansible's variable names are strings
            errors = Errors()
            spec = OPTIONS.get(name)
            if spec is None:
                if name.startswith(PREFIXES):
                    known = sorted(ROLES[role_of(name)])
                    errors.add(name, 'unknown variable of the %s role (known: %s)%s' % (
                        role_of(name), ', '.join(known), did_you_mean(name, dict.fromkeys(known))))
                for error in errors:
                    found.setdefault(error, []).append(host)
                continue
            checked = spec.check(value, name, errors) if value is not None else spec.default
            if not errors and isinstance(checked, int) and not isinstance(checked, bool):
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
            effective.setdefault(name, {})[host] = MISSING if errors else checked
    out = []
    for error, hosts in found.items():
        out.append(error if hosts == list(values) else '%s (on %s)' % (error, ', '.join(hosts)))
    return out + disagreements(effective, role_hosts or {})


def disagreements(effective: Dict[str, Dict[str, Any]], role_hosts: Dict[str, List[str]]) -> List[str]:
    """The cluster-scoped role options whose value differs between the hosts of their role (a host that leaves
    one unset has the default)."""
    errors = Errors()
    for role, options in ROLES.items():
        hosts = role_hosts.get(role) or []
        for name, spec in options.items():
            if spec.scope != 'cluster' or len(hosts) < 2 or name not in effective:
                continue
            default = spec.defaults() if hasattr(spec, 'defaults') else spec.default
            if any(effective[name].get(h, default) is MISSING for h in hosts):
                continue  # a bad value, reported by itself
            per_host = {h: effective[name].get(h, MISSING) for h in hosts}
            distinct = {repr(default if v is MISSING else v) for v in per_host.values()}
            if len(distinct) > 1:
                shown_values = ', '.join('%s: %s' % (h, '%s (unset: the default)' % shown(default) if v is MISSING
                                                     else shown(v)) for h, v in per_host.items())
                errors.add(name, 'differs between the hosts of the %s role (%s): it must be the same on every one '
                           '(set it once, in group_vars)' % (role, shown_values))
    return list(errors)
