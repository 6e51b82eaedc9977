# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The LVS cluster model: built once from the inventory, checked field by field and across fields.

``build(Inventory)`` returns ``(model, errors, warnings)``; the model is what the validate, director,
realserver and keepalived roles render from.  ``host_view`` adds what one host needs from its own facts
(its interfaces) and its peers' (unicast VRRP).  Everything here is static: no host is contacted.
"""

from __future__ import annotations

import copy
import ipaddress
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema as S
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import MISSING, Errors, did_you_mean, duplicates, shown


@dataclass
class Inventory:
    """What the model is built from: the cluster variables of the running host, the groups, and per host
    its variables (host vars and group vars, templated)."""

    cluster: Dict[str, Any]
    groups: Dict[str, List[str]]
    hostvars: Dict[str, Dict[str, Any]] = field(default_factory=dict)


def deep_merge(base: Dict[str, Any], over: Dict[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def check_cluster(cluster: Dict[str, Any], errors: Errors) -> Dict[str, Any]:
    """Every cluster-wide variable by its field; services are checked in check_services."""
    out = {}
    for name, spec in S.CLUSTER.items():
        if name in ('lvs_services', 'lvs_service_defaults'):
            continue
        value = cluster.get(name)
        if value is None:
            if spec.required:
                errors.add(name, 'is required (%s)' % spec.description)
            out[name] = spec.default if spec.default is not MISSING else None
            continue
        checked = spec.check(value, name, errors)
        out[name] = None if checked is MISSING else checked
    return out


def check_service_defaults(value: Any, errors: Errors) -> Dict[str, Any]:
    """lvs_service_defaults: any subset of a service's keys (not its name), each checked by its field."""
    path = 'lvs_service_defaults'
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        errors.add(path, '%s is not a mapping' % shown(value))
        return {}
    probe = dict(value, name='defaults')
    before = len(errors)
    S.SERVICE.check(probe, path, errors)
    return {k: v for k, v in value.items() if k != 'name'} if len(errors) == before else {}


def host_address(host: str, hv: Dict[str, Any]) -> Optional[str]:
    """ansible_host when it is an IP address (else None: the host is reached by name)."""
    text = hv.get('ansible_host', host)
    try:
        return str(ipaddress.ip_address(str(text)))
    except ValueError:
        return None


class Builder:
    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.errors = Errors()
        self.warnings: List[str] = []

    # -- groups and hosts ------------------------------------------------------------------------
    def group(self, var: str, name: Optional[str]) -> List[str]:
        if name is None:
            return []
        hosts = list(self.inv.groups.get(name) or [])
        if not hosts:
            self.errors.add(var, 'group %s has no hosts in the inventory' % shown(name))
        return hosts

    def host_fields(self, hosts: List[str], fields: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
        out = {}
        for h in hosts:
            hv = self.inv.hostvars.get(h, {})
            values = {}
            for name, spec in fields.items():
                path = 'hostvars[%s].%s' % (h, name)
                if hv.get(name) is None:
                    values[name] = None if spec.default is MISSING else spec.default
                else:
                    checked = spec.check(hv[name], path, self.errors)
                    values[name] = None if checked is MISSING else checked
            out[h] = values
        return out

    # -- the whole model ---------------------------------------------------------------------------
    def build(self) -> Dict[str, Any]:
        c = check_cluster(self.inv.cluster, self.errors)
        self.c = c
        directors = self.group('lvs_director_group', c['lvs_director_group'])
        realservers = self.group('lvs_realserver_group', c['lvs_realserver_group'])
        for h in directors:
            if h in realservers:
                self.errors.add('lvs_director_group', 'host %s is in both %s and %s: a director cannot be one '
                                'of its own real servers' % (shown(h), c['lvs_director_group'],
                                                             c['lvs_realserver_group']))
        if c['lvs_keepalived'] is False and c['lvs_ipvs_owner'] == 'keepalived':
            self.errors.add('lvs_ipvs_owner', "'keepalived' needs lvs_keepalived true (without keepalived "
                            "write lvs_ipvs_owner: ansible)")
        self.rs_vars = self.host_fields(realservers, S.REALSERVER)
        self.dir_vars = self.host_fields(directors, S.DIRECTOR)
        rs_addr = self.realserver_addresses(realservers)
        services = self.services(realservers, rs_addr)
        prios = self.priorities(directors)
        self.addresses(directors, rs_addr, services)
        modes: Dict[str, List[str]] = {}
        for s in services:
            for d in s['destinations']:
                modes.setdefault(d['host'], [])
                if d['forwarding'] not in modes[d['host']]:
                    modes[d['host']].append(d['forwarding'])
        for h, fwds in modes.items():
            if len(fwds) > 1:
                self.errors.add('lvs_services', 'real server %s is used with several forwarding methods (%s); a '
                                'host is configured for one of dr (VIP on lo), tun (VIP on tunl0) or nat (gateway '
                                'via the directors)' % (shown(h), ', '.join(fwds)))
        forwardings = sorted({s['forwarding'] for s in services})
        self.vrrp(c, forwardings)
        if 'nat' in forwardings:
            self.nat(c, services, rs_addr)
        elif self.inv.cluster.get('lvs_internal_vip'):
            self.warnings.append('lvs_internal_vip is not used: no service forwards by nat')
        fw = [s for s in services if s['fwmark']]
        return {
            'vip': c['lvs_vip'], 'vip_prefix': c['lvs_vip_prefix'],
            'internal_vip': c['lvs_internal_vip'], 'internal_vip_prefix': c['lvs_internal_vip_prefix'],
            'public_interface': c['lvs_public_interface'], 'internal_interface': c['lvs_internal_interface'],
            'forwarding': c['lvs_forwarding'], 'owner': c['lvs_ipvs_owner'], 'keepalived': c['lvs_keepalived'],
            'vrrp': {'router_id': c['lvs_vrrp_router_id'], 'internal_router_id': c['lvs_vrrp_internal_router_id'],
                     'auth': bool(c['lvs_vrrp_auth_pass'])},
            'services': services, 'priorities': prios, 'realserver_modes': modes,
            'directors': directors, 'realservers': realservers,
            'realserver_addresses': rs_addr,
            'forwardings': forwardings,
            'schedulers': sorted({s['scheduler'] for s in services}),
            'fwmark_services': fw, 'mark_rules': mark_rules(fw),
            'ipvs_config': ipvs_config(services),
        }

    def realserver_addresses(self, realservers: List[str]) -> Dict[str, str]:
        out = {}
        for h in realservers:
            given = self.rs_vars[h]['lvs_real_address']
            if given:
                out[h] = given
                continue
            if self.inv.hostvars.get(h, {}).get('lvs_real_address') is not None:
                continue  # invalid, reported
            addr = host_address(h, self.inv.hostvars.get(h, {}))
            if addr is None or ':' in addr:
                self.errors.add('hostvars[%s].lvs_real_address' % h, 'is not set and ansible_host %s is not an IPv4 '
                                'address: set the address the directors send to'
                                % shown(self.inv.hostvars.get(h, {}).get('ansible_host', h)))
            else:
                out[h] = addr
        for addr, hosts in duplicates(list(out.items()), lambda kv: kv[1]).items():
            names = [list(out)[i] for i in hosts]
            self.errors.add('hostvars[%s].lvs_real_address' % names[1], '%s is also the address of real server %s'
                            % (addr, shown(names[0])))
        return out

    # -- services ----------------------------------------------------------------------------------
    def services(self, realservers: List[str], rs_addr: Dict[str, str]) -> List[Dict[str, Any]]:
        raw_list = self.inv.cluster.get('lvs_services')
        defaults = check_service_defaults(self.inv.cluster.get('lvs_service_defaults'), self.errors)
        if raw_list is None or raw_list == []:
            self.errors.add('lvs_services', 'needs at least one service')
            return []
        if not isinstance(raw_list, list):
            self.errors.add('lvs_services', '%s is not a list' % shown(raw_list))
            return []
        out = []
        for i, raw in enumerate(raw_list):
            path = 'lvs_services[%d]' % i
            if not isinstance(raw, dict):
                self.errors.add(path, '%s is not a mapping' % shown(raw))
                continue
            given = deep_merge(defaults, raw)
            s = S.SERVICE.check(given, path, self.errors, S.SERVICE.defaults())
            if s is MISSING or 'name' not in s:
                continue
            svc = self.service(s, given, path, realservers, rs_addr)
            if svc:
                out.append(svc)
        self.service_duplicates(out)
        return out

    def service(self, s, given, path, realservers, rs_addr):
        c, err = self.c, self.errors
        fwd = s.get('forwarding') or c['lvs_forwarding']
        fwmark, port = s.get('fwmark'), s.get('port')
        if fwmark and port:
            err.add(path, 'has both port %d and fwmark %d: give exactly one' % (port, fwmark))
        elif 'fwmark' not in given and 'port' not in given:
            err.add(path, 'has neither port nor fwmark: give exactly one')
        if fwmark:
            for key in ('protocol', 'real_port'):
                if key in given:
                    err.add('%s.%s' % (path, key), 'is not used with fwmark (a firewall-mark service matches '
                            'whatever the MARK rules select)')
        elif s['ports']:
            err.add('%s.ports' % path, 'is only used with fwmark (the ports iptables marks)')
        real_port = 0 if fwmark else s.get('real_port', port or 0)
        if port and real_port != port and fwd != 'nat':
            err.add('%s.real_port' % path, '%d differs from port %d with forwarding %s: only nat can change the port '
                    '(dr and tun deliver the packet unchanged)' % (real_port, port, fwd))
        address = s.get('address', c['lvs_vip'])
        if 'address' in given and address and c['lvs_vip'] and address != c['lvs_vip']:
            err.add('%s.address' % path, '%s differs from lvs_vip %s: the directors carry only lvs_vip, no host would '
                    'answer for this address' % (address, c['lvs_vip']))
        netmask = None
        if s['netmask']:
            try:
                netmask = ipvs_model.normalise_netmask(s['netmask'], 'ipv4', path + '.')
            except ipvs_model.IPVSError as exc:
                err.append(str(exc))
            if not s['persistence']:
                err.add('%s.netmask' % path, '%s needs persistence > 0 (it is the granularity of persistence)'
                        % shown(s['netmask']))
        members = s['realservers'] or realservers
        for j, h in enumerate(s['realservers']):
            if h not in realservers:
                err.add('%s.realservers[%d]' % (path, j), '%s is not a host of group %s'
                        % (shown(h), shown(c['lvs_realserver_group'])))
        for h in s['weights']:
            if h not in members:
                err.add('%s.weights.%s' % (path, h), 'names a host that is not a real server of this service')
        if not members:
            err.add('%s.realservers' % path, 'the service has no real server')
        dests = []
        for h in members:
            if h not in realservers or h not in rs_addr:
                continue
            weight = s['weights'].get(h, self.rs_vars[h]['lvs_weight'])
            dests.append({'host': h, 'address': rs_addr[h], 'port': real_port,
                          'weight': weight if weight is not None else 1, 'forwarding': fwd})
        hc = dict(s['health_check'])
        if hc.get('port') is None:
            hc['port'] = real_port or (s['ports'][0] if s['ports'] else None)
        if hc['type'] not in ('misc', 'none') and not hc['port'] and 'port' not in given \
                and 'port' not in (given.get('health_check') or {}):
            err.add('%s.health_check.port' % path, 'is required for a fwmark service without ports (the port to '
                    'check)')
        if hc['type'] == 'misc' and not hc['misc_path']:
            err.add('%s.health_check.misc_path' % path, 'is required with type misc (the command to run)')
        if c['lvs_ipvs_owner'] == 'ansible' and 'health_check' in given:
            self.warnings.append('%s.health_check is not used: lvs_ipvs_owner is ansible (keepalived runs the '
                                 'checks)' % path)
        sorry = s.get('sorry_server')
        if sorry:
            if c['lvs_ipvs_owner'] != 'keepalived':
                err.add('%s.sorry_server' % path, 'needs lvs_ipvs_owner keepalived (keepalived switches to it)')
            if sorry.get('address') in rs_addr.values():
                err.add('%s.sorry_server.address' % path, '%s is a real server\'s address' % sorry['address'])
            if sorry.get('address') and sorry.get('address') in (c['lvs_vip'], c['lvs_internal_vip']):
                err.add('%s.sorry_server.address' % path, '%s is a VIP of the directors' % sorry['address'])
            sorry = dict(sorry)
            sorry.setdefault('port', real_port or hc['port'])
        total = sum(d['weight'] for d in dests)
        if s['hysteresis'] and s['hysteresis'] >= s['quorum']:
            err.add('%s.hysteresis' % path, '%d is not below quorum %d: the service would never lose its quorum'
                    % (s['hysteresis'], s['quorum']))
        if dests and total and s['quorum'] > total:
            err.add('%s.quorum' % path, '%d is more than the weight of all its real servers (%d): the service '
                    'would never be up' % (s['quorum'], total))
        svc = dict(s, forwarding=fwd, address=address, fwmark=fwmark or 0, port=port or 0, real_port=real_port,
                   netmask=netmask or '', destinations=dests, health_check=hc)
        svc.pop('weights')
        if sorry:
            svc['sorry_server'] = sorry
        else:
            svc.pop('sorry_server', None)
        return svc

    def service_duplicates(self, services: List[Dict[str, Any]]) -> None:
        checks = [
            ('name', lambda s: s['name'], 'the name %s'),
            ('port', lambda s: None if s['fwmark'] else (s['protocol'], s['address'], s['port']), '%s'),
            ('fwmark', lambda s: s['fwmark'] or None, 'fwmark %s'),
        ]
        for key, fn, what in checks:
            for value, pos in duplicates(services, fn).items():
                text = '%s %s:%s' % value if isinstance(value, tuple) else shown(value)
                self.errors.add('lvs_services[%d].%s' % (pos[1], key), '%s is also used by service %s' % (
                    what % text, shown(services[pos[0]]['name'])))

    # -- addresses, VRRP, NAT ----------------------------------------------------------------------
    def addresses(self, directors, rs_addr, services) -> None:
        c = self.c
        dir_addr = {h: host_address(h, self.inv.hostvars.get(h, {})) for h in directors}
        owners = {a: 'director %s' % shown(h) for h, a in dir_addr.items() if a}
        for h, a in rs_addr.items():
            if a in owners:
                self.errors.add('hostvars[%s].lvs_real_address' % h, '%s is the address of %s' % (a, owners[a]))
        owners.update({a: 'real server %s' % shown(h) for h, a in rs_addr.items()})
        for var in ('lvs_vip', 'lvs_internal_vip'):
            if c[var] and c[var] in owners:
                self.errors.add(var, '%s is the address of %s: a VIP must be an address of its own' % (
                    c[var], owners[c[var]]))
        if c['lvs_vip'] and c['lvs_vip'] == c['lvs_internal_vip']:
            self.errors.add('lvs_internal_vip', '%s is the same as lvs_vip' % c['lvs_vip'])

    def priorities(self, directors: List[str]) -> Dict[str, int]:
        c = self.c
        out = {}
        for i, h in enumerate(directors):
            own = self.dir_vars[h]['lvs_vrrp_priority']
            if own is not None:
                out[h] = own
                continue
            if c['lvs_vrrp_priority_base'] is None or c['lvs_vrrp_priority_step'] is None:
                continue
            prio = c['lvs_vrrp_priority_base'] - i * c['lvs_vrrp_priority_step']
            if prio < 1:
                self.errors.add('lvs_vrrp_priority_step', 'director %s (number %d) gets priority %d = %d - %d x %d, '
                                'below 1: lower the step or set its lvs_vrrp_priority' % (
                                    shown(h), i + 1, prio, c['lvs_vrrp_priority_base'], i,
                                    c['lvs_vrrp_priority_step']))
            out[h] = prio
        if c['lvs_keepalived']:
            for prio, pos in duplicates(list(out.items()), lambda kv: kv[1]).items():
                names = [list(out)[i] for i in pos]
                self.errors.add('hostvars[%s].lvs_vrrp_priority' % names[1], 'priority %d is also the priority of '
                                'director %s: VRRP priorities must differ' % (prio, shown(names[0])))
        return out

    def vrrp(self, c, forwardings) -> None:
        if not c['lvs_keepalived']:
            return
        if ('nat' in forwardings and c['lvs_vrrp_router_id'] is not None
                and c['lvs_vrrp_router_id'] == c['lvs_vrrp_internal_router_id']):
            self.errors.add('lvs_vrrp_internal_router_id', '%d is also lvs_vrrp_router_id: the two VRRP instances '
                            'need different virtual_router_ids' % c['lvs_vrrp_router_id'])

    def nat(self, c, services, rs_addr) -> None:
        vip = c['lvs_internal_vip']
        if not vip:
            if self.inv.cluster.get('lvs_internal_vip') in (None, ''):
                self.errors.add('lvs_internal_vip', 'is required with nat (the real servers\' default gateway, '
                                'floating between the directors)')
            return
        if c['lvs_internal_vip_prefix'] is None:
            return
        net = ipaddress.ip_network('%s/%d' % (vip, c['lvs_internal_vip_prefix']), strict=False)
        if c['lvs_vip'] and ipaddress.ip_address(c['lvs_vip']) in net:
            self.errors.add('lvs_vip', '%s is inside the internal network %s of lvs_internal_vip: NAT needs the VIP '
                            'on the public side' % (c['lvs_vip'], net))
        for i, s in enumerate(services):
            if s['forwarding'] != 'nat':
                continue
            for d in s['destinations']:
                if ipaddress.ip_address(d['address']) not in net:
                    self.errors.add('lvs_services[%d]' % i, 'nat real server %s (%s) is not on the directors\' '
                                    'internal network %s (lvs_internal_vip %s/%d): its replies would not return '
                                    'through the directors' % (shown(d['host']), d['address'], net, vip,
                                                               c['lvs_internal_vip_prefix']))


def ipvs_config(services: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The table as lvs.cluster.ipvs_rules ``config`` (the director role's table when Ansible owns it)."""
    out = []
    for s in services:
        entry: Dict[str, Any] = {'scheduler': s['scheduler'], 'destinations': [
            dict({'address': d['address'], 'weight': d['weight'], 'forwarding': d['forwarding']},
                 **({} if s['fwmark'] else {'port': d['port']})) for d in s['destinations']]}
        if s['fwmark']:
            entry['fwmark'] = s['fwmark']
        else:
            entry.update(protocol=s['protocol'], address=s['address'], port=s['port'])
        if s['persistence']:
            entry['persistence'] = s['persistence']
        if s['netmask']:
            entry['netmask'] = s['netmask']
        out.append(entry)
    return out


def mark_rules(fwmark_services: List[Dict[str, Any]]) -> List[str]:
    """iptables mangle rule arguments (after the chain name) marking each firewall-mark service's packets."""
    return ['-d %s/32 -p tcp --dport %d -m comment --comment "lvs %s" -j MARK --set-mark %d'
            % (s['address'], p, s['name'], s['fwmark']) for s in fwmark_services for p in s['ports']]


KNOWN = set(S.CLUSTER) | set(S.REALSERVER) | set(S.DIRECTOR) | {'lvs_model'}


def unknown_variables(names, where: str = '') -> List[str]:
    """lvs_* variables that the model does not know (a misspelled lvs_forwarding is silently ignored)."""
    errors = Errors()
    for name in sorted(n for n in names if n.startswith('lvs_') and n not in KNOWN):
        known = ', '.join(sorted(KNOWN - {'lvs_model'}))
        errors.add(where + name, 'unknown variable (known: %s)%s' % (known, did_you_mean(name, dict.fromkeys(KNOWN))))
    return errors


def agreement(values: Dict[str, Dict[str, Any]]) -> List[str]:
    """Cluster-wide variables that differ between hosts: ``{var: {host: value}}`` -> errors."""
    errors = Errors()
    for var, per_host in values.items():
        distinct = []
        for v in per_host.values():
            if v not in distinct:
                distinct.append(v)
        if len(distinct) > 1:
            spec = S.CLUSTER.get(var)
            secret = bool(spec and spec.secret)
            sample = ', '.join('%s: %s' % (h, '(secret)' if secret else shown(v))
                               for h, v in list(per_host.items())[:4])
            errors.add(var, 'differs between hosts (%s): a cluster-wide variable must be the same for every '
                       'director and real server (set it in group_vars/all)' % sample)
    return errors


def build(inv: Inventory) -> Tuple[Dict[str, Any], List[str], List[str]]:
    b = Builder(inv)
    model = b.build()
    return model, list(b.errors), b.warnings
