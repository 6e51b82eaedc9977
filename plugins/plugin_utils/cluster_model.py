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

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model, ipvs_values
from ansible_collections.lvs.cluster.plugins.plugin_utils import (
    address_family,
    bgp_frontend,
    ipvs_table,
    keepalived_checks,
    service_options,
    vrrp_options,
)
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema as S
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import MISSING, Errors, did_you_mean, duplicates, shown
from ansible_collections.lvs.cluster.plugins.plugin_utils.role_schema import KEEPALIVED


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
        self.director_addresses: set = set()
        self.owners: Dict[str, str] = {}  # address -> 'director NAME' or 'real server NAME'
        self.track_files: Dict[str, str] = {}  # FILE_CHECK: file -> keepalived track_file name

    # -- groups and hosts ------------------------------------------------------------------------
    def group(self, var: str, name: Optional[str]) -> List[str]:
        if name is None:
            return []
        hosts = list(self.inv.groups.get(name) or [])
        # no inventory real server at all is fine when every service lists its servers (each service without
        # any real server is an error of its own)
        if not hosts and var != 'lvs_realserver_group':
            self.errors.add(var, 'group %s has no hosts in the inventory' % shown(name))
        return hosts

    def misplaced(self, directors: List[str], realservers: List[str]) -> None:
        """A host variable of the other kind of host is ignored: a VRRP priority on a real server, a real server's
        weight or address on a director (unless a real server has the same value: group_vars/all)."""
        hv = self.inv.hostvars
        for h in realservers:
            if h not in directors and hv.get(h, {}).get('lvs_vrrp_priority') is not None:
                self.errors.add('hostvars[%s].lvs_vrrp_priority' % h, 'is set on real server %s: only directors have '
                                'a VRRP priority' % shown(h))
        for name in S.REALSERVER:
            # a value some real server has too comes from a group all hosts are in (group_vars/all): a default
            shared = [hv.get(h, {}).get(name) for h in realservers]
            for h in directors:
                value = hv.get(h, {}).get(name)
                if h not in realservers and value is not None and value not in shared:
                    self.errors.add('hostvars[%s].%s' % (h, name), 'is set on director %s: only real servers have '
                                    'it (%s)' % (shown(h), S.REALSERVER[name].description))

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
        self.misplaced(directors, realservers)
        self.rs_vars = self.host_fields(realservers, S.REALSERVER)
        self.dir_vars = self.host_fields(directors, S.DIRECTOR)
        rs_addr = self.realserver_addresses(realservers)
        self.rs_addr6 = {h: v['lvs_real_address6'] for h, v in self.rs_vars.items() if v['lvs_real_address6']}
        services = self.services(realservers, rs_addr)
        prios = self.priorities(directors)
        self.addresses(directors, rs_addr, services)
        modes: Dict[str, List[str]] = {}
        for s in services:
            for d in s['destinations']:
                if not d['managed']:
                    continue
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
        nat_families = sorted({address_family.family(s['address']) for s in services
                               if s['forwarding'] == 'nat' and s['address']})
        for fam, var in ((4, 'lvs_internal_vip'), (6, 'lvs_internal_vip6')):
            if fam in nat_families:
                self.nat(c, services, fam)
            elif self.inv.cluster.get(var):
                self.warnings.append('%s is not used: no IPv%d service forwards by nat' % (var, fam))
        fw = [s for s in services if s['fwmark']]
        vrrp_part, vrrp_errors = vrrp_options.build(c, self.inv.cluster)
        self.errors.extend(vrrp_errors)
        vips = vips_of(c['lvs_vip'], services)
        bgp: Dict[str, Any] = {}
        if c['lvs_frontend'] == 'bgp':
            bgp = bgp_frontend.check(c, self.inv.cluster, services, vips, directors, self.inv.hostvars, self.owners,
                                     self.errors)
            insts, inst_errors = [], []
        else:
            if self.inv.cluster.get('lvs_bgp'):
                self.warnings.append('lvs_bgp is not used: lvs_frontend is vrrp')
            insts, inst_errors = vrrp_options.instances(
                c, directors, vips, [h for h in directors if self.dir_vars[h]['lvs_vrrp_priority'] is not None],
                'nat' in forwardings)
        self.errors.extend(inst_errors)
        if bgp:
            prios = {}
        elif insts:
            prios = insts[0]['priorities']
        else:
            insts = [{'name': 'VI_PUBLIC', 'vips': vips, 'router_id': c['lvs_vrrp_router_id'],
                      'master': max(prios, key=prios.get) if prios else '', 'priorities': prios}]
        prefix = c['lvs_vip_prefix'] or 32
        self.errors.extend(address_family.prefix_errors(vips, prefix, 'lvs_vip_prefix'))
        if 4 in nat_families and c['lvs_internal_vip']:
            self.errors.extend(address_family.prefix_errors([c['lvs_internal_vip']], c['lvs_internal_vip_prefix'],
                                                            'lvs_internal_vip_prefix'))
        for inst in insts:
            inst.update(address_family.instance_addresses(inst['vips'], prefix))
        gateway = address_family.gateway(
            c['lvs_internal_vip'] if 4 in nat_families else '', c['lvs_internal_vip_prefix'],
            c['lvs_internal_vip6'] if 6 in nat_families else '', c['lvs_internal_vip6_prefix'])
        if c['lvs_keepalived'] and c['lvs_vrrp_auth_pass']:
            self.errors.extend(address_family.auth_errors(insts, gateway, bool(nat_families)))
        vrrp_part['instances'] = insts
        return {
            'frontend': c['lvs_frontend'], 'bgp': bgp,
            'vip': c['lvs_vip'], 'vip_prefix': c['lvs_vip_prefix'], 'vips': vips,
            'vip_cidrs': [address_family.cidr(v, prefix) for v in vips],
            'internal_vip': c['lvs_internal_vip'] if 4 in nat_families else '',
            'internal_vip_prefix': c['lvs_internal_vip_prefix'],
            'internal_vip6': c['lvs_internal_vip6'] if 6 in nat_families else '', 'nat_families': nat_families,
            'gateway': gateway,
            'realserver_gateways': realserver_gateways(services, c['lvs_internal_vip'], c['lvs_internal_vip6']),
            'public_interface': c['lvs_public_interface'], 'internal_interface': c['lvs_internal_interface'],
            'forwarding': c['lvs_forwarding'], 'owner': c['lvs_ipvs_owner'], 'keepalived': c['lvs_keepalived'],
            'vrrp': dict({'router_id': c['lvs_vrrp_router_id'], 'internal_router_id': c['lvs_vrrp_internal_router_id'],
                          'auth': bool(c['lvs_vrrp_auth_pass'])}, **vrrp_part),
            'services': services, 'priorities': prios, 'realserver_modes': modes,
            'directors': directors, 'realservers': realservers,
            'realserver_addresses': rs_addr, 'realserver_vips': realserver_vips(services),
            'realserver_vip_cidrs': {h: [address_family.host_cidr(v) for v in vs]
                                     for h, vs in realserver_vips(services).items()},
            'forwardings': forwardings,
            'schedulers': sorted({s['scheduler'] for s in services}),
            'fwmark_services': fw, 'mark_rules': mark_rules(fw),
            'track_files': [{'name': n, 'file': f} for f, n in self.track_files.items()],
            'ipvs_config': ipvs_table.config(services),
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
            reached = shown(self.inv.hostvars.get(h, {}).get('ansible_host', h))
            if addr is None:
                self.errors.add('hostvars[%s].lvs_real_address' % h, 'is not set and ansible_host %s is not an IP '
                                'address: set the address the directors send to' % reached)
            elif ipaddress.ip_address(addr).is_loopback or ipaddress.ip_address(addr).is_link_local:
                self.errors.add('hostvars[%s].lvs_real_address' % h, 'is not set and ansible_host %s is a %s address '
                                '(Ansible reaches the host through a port forward or a local tunnel), which the '
                                'directors cannot send to: set the address the directors send to' % (
                                    reached, 'loopback' if ipaddress.ip_address(addr).is_loopback else 'link-local'))
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
            before = len(self.errors)
            s = S.SERVICE.check(given, path, self.errors, S.SERVICE.defaults())
            if s is MISSING or 'name' not in s or len(self.errors) > before:
                continue  # its fields are wrong (reported): the rules across fields need them right
            if s.get('address', self.c['lvs_vip']) is None:
                continue  # no VIP: lvs_vip is missing or wrong (reported)
            svc = self.service(s, given, path, realservers, rs_addr, raw)
            if svc:
                out.append(svc)
        self.service_duplicates(out)
        return out

    def track_file(self, file: str) -> str:
        """The name of keepalived's track_file for FILE (one per file, whatever the services that read it)."""
        name = self.track_files.get(file)
        if name is None:
            name = self.track_files[file] = 'lvs_file_%d' % (len(self.track_files) + 1)
        return name

    def service(self, s, given, path, realservers, rs_addr, own=None):
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
        netmask = None
        if s['netmask']:
            try:
                family = 'ipv%d' % address_family.family(address)
                netmask = ipvs_values.normalise_netmask(s['netmask'], family, path + '.')
            except ipvs_model.IPVSError as exc:
                err.append(str(exc))
            if not s['persistence']:
                err.add('%s.netmask' % path, '%s needs persistence > 0 (it is the granularity of persistence)'
                        % shown(s['netmask']))
        members = s['realservers'] or ([] if s['servers'] else realservers)
        for j, h in enumerate(s['realservers']):
            if h not in realservers:
                err.add('%s.realservers[%d]' % (path, j), '%s is not a host of group %s'
                        % (shown(h), shown(c['lvs_realserver_group'])))
        for h in s['weights']:
            if h not in members:
                err.add('%s.weights.%s' % (path, h), 'names a host that is not a real server of this service')
        if not members and not s['servers']:
            err.add('%s.realservers' % path, 'the service has no real server (no host of group %s, no servers)'
                    % shown(c['lvs_realserver_group']))
        dests = []
        for h in members:
            if h not in realservers or h not in rs_addr:
                continue
            weight = s['weights'].get(h, self.rs_vars[h]['lvs_weight'])
            addr = rs_addr[h]
            if address and address_family.family(address) == 6 and h in self.rs_addr6:
                addr = self.rs_addr6[h]
            dests.append({'host': h, 'name': h, 'address': addr, 'port': real_port,
                          'weight': weight if weight is not None else 1, 'forwarding': fwd, 'managed': True})
        for j, srv in enumerate(s['servers']):
            if not srv.get('address'):
                continue  # reported: address is required
            if fwmark and srv.get('port') is not None:
                err.add('%s.servers[%d].port' % (path, j), '%d is not used with fwmark: a firewall-mark service sends '
                        'each packet to the port it was sent to' % srv['port'])
            sport = srv.get('port', real_port)
            if port and sport != port and fwd != 'nat':
                err.add('%s.servers[%d].port' % (path, j), '%d differs from port %d with forwarding %s: only nat can '
                        'change the port' % (sport, port, fwd))
            if srv['address'] in rs_addr.values() or srv['address'] in self.rs_addr6.values():
                err.add('%s.servers[%d].address' % (path, j), '%s is the address of inventory real server %s: list '
                        'it in realservers instead' % (srv['address'], shown(next(
                            h for h, a in list(rs_addr.items()) + list(self.rs_addr6.items())
                            if a == srv['address']))))
            dests.append({'host': None, 'name': srv.get('name') or srv['address'], 'address': srv['address'],
                          'port': 0 if fwmark else sport, 'weight': srv['weight'], 'forwarding': fwd,
                          'managed': False})
        for addr in duplicates(dests, lambda d: d['address']):
            err.add('%s.servers' % path, '%s is listed twice in the service' % addr)
        hc = dict(s['health_check'])
        hc_given = given.get('health_check') if isinstance(given.get('health_check'), dict) else {}
        protocol = None if fwmark else s['protocol']
        if 'type' not in hc_given and protocol == 'udp':
            hc['type'] = 'udp'  # a TCP connect cannot tell whether a UDP service answers
        checker = keepalived_checks.CHECKERS.get(hc['type'])
        if checker and checker.transport == 'tcp' and protocol == 'udp':
            err.add('%s.health_check.type' % path, '%s (%s) connects over TCP: it cannot check a udp service (use %s)'
                    % (shown(hc['type']), checker.block, ', '.join(
                        t for t, c in keepalived_checks.CHECKERS.items() if c.transport != 'tcp')))
        elif checker and checker.transport == 'udp' and protocol in ('tcp', 'sctp'):
            err.add('%s.health_check.type' % path, '%s (%s) cannot check a %s service' % (
                shown(hc['type']), checker.block, protocol))
        if hc.get('digest'):
            hc['digest'] = hc['digest'].lower()  # keepalived compares the genhash output in lower case
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
            vips = (c['lvs_vip'], c['lvs_internal_vip'], c['lvs_internal_vip6'], address)
            if sorry.get('address') and sorry.get('address') in vips:
                err.add('%s.sorry_server.address' % path, '%s is a VIP of the directors' % sorry['address'])
            sorry = dict(sorry)
            if port and sorry.get('port') not in (None, port) and fwd != 'nat':
                err.add('%s.sorry_server.port' % path, '%d differs from port %d with forwarding %s: only nat can '
                        'change the port' % (sorry['port'], port, fwd))
            sorry.setdefault('port', real_port or hc['port'])
        total = sum(d['weight'] for d in dests)
        if s['hysteresis'] and s['hysteresis'] >= s['quorum']:
            err.add('%s.hysteresis' % path, '%d is not below quorum %d: the service would never lose its quorum'
                    % (s['hysteresis'], s['quorum']))
        if dests and not total:
            self.warnings.append('%s: every real server has weight 0: the service answers no request (all drained?)'
                                 % path)
        if dests and total and s['quorum'] > total:
            err.add('%s.quorum' % path, '%d is more than the weight of all its real servers (%d): the service '
                    'would never be up' % (s['quorum'], total))
        opts = dict(s, health_check=hc)
        err.extend(service_options.check(opts, given, path, c['lvs_ipvs_owner'], protocol, own))
        for d in dests:  # the per-real-server values of the checker, then its lines in keepalived.conf
            values = {'address': d['address'], 'port': d['port'] or hc['port'], 'name': d['name']}
            if hc['type'] == 'misc' and hc['misc_path']:
                d['misc_path'] = service_options.fill(hc['misc_path'], **values)
            if hc['type'] == 'file':
                d['track_file'] = self.track_file(service_options.fill(hc['file_path'], **values))
            d['check'] = keepalived_checks.render(hc, d)
        svc = dict(s, forwarding=fwd, address=address, fwmark=fwmark or 0, port=port or 0, real_port=real_port,
                   netmask=netmask or '', destinations=dests, health_check=hc, sched_flags=opts['sched_flags'])
        svc.pop('weights')
        if sorry:
            svc['sorry_server'] = sorry
        else:
            svc.pop('sorry_server', None)
        before = len(err)
        err.extend(address_family.service_errors(svc, path))
        if len(err) == before:
            ipvs_table.add_lines(svc, path, err)
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
        # the TCP ports a fwmark service marks: IPVS looks a marked packet up by its mark first, and of two MARK
        # rules for one port the last one wins, so each VIP:port is marked once and served by nothing else
        marked: Dict[Tuple[str, int], int] = {}
        for i, svc in enumerate(services):
            for p in svc['ports'] if svc['fwmark'] else []:
                if (svc['address'], p) in marked:
                    self.errors.add('lvs_services[%d].ports' % i, 'tcp %s:%d is also marked by fwmark service %s: '
                                    'the last MARK rule wins and the other service never sees it' % (
                                        svc['address'], p, shown(services[marked[(svc['address'], p)]]['name'])))
                marked.setdefault((svc['address'], p), i)
        for i, svc in enumerate(services):
            owner = marked.get((svc['address'], svc['port'])) if not svc['fwmark'] and svc['protocol'] == 'tcp' \
                else None
            if owner is not None:
                self.errors.add('lvs_services[%d].port' % i, 'tcp %s:%d is marked by fwmark service %s, which IPVS '
                                'looks up first: this service would never see a packet' % (
                                    svc['address'], svc['port'], shown(services[owner]['name'])))

    # -- addresses, VRRP, NAT ----------------------------------------------------------------------
    def addresses(self, directors, rs_addr, services) -> None:
        c = self.c
        dir_addr = {h: host_address(h, self.inv.hostvars.get(h, {})) for h in directors}
        self.director_addresses = {a for a in dir_addr.values() if a}
        reached: Dict[Any, str] = {}  # (address, SSH port) -> the first director reached there
        for h, a in dir_addr.items():
            where = (a, str(self.inv.hostvars.get(h, {}).get('ansible_port', 22)))
            if a and where in reached:
                self.errors.add('hostvars[%s].ansible_host' % h, '%s is also the address of director %s (port %s): '
                                'two names for one machine, which cannot be its own peer' % (
                                    a, shown(reached[where]), where[1]))
            reached.setdefault(where, h)
        owners = {a: 'director %s' % shown(h) for h, a in dir_addr.items() if a}
        for h, a in rs_addr.items():
            if a in owners:
                self.errors.add('hostvars[%s].lvs_real_address' % h, '%s is the address of %s' % (a, owners[a]))
        owners.update({a: 'real server %s' % shown(h) for h, a in rs_addr.items()})
        for h, a in self.rs_addr6.items():
            if a in owners:
                self.errors.add('hostvars[%s].lvs_real_address6' % h, '%s is also the address of %s' % (a, owners[a]))
            owners[a] = 'real server %s' % shown(h)
        self.owners = owners
        # One director without keepalived may serve nat on its own addresses, as seeds 001 and 002 do (the VIP is
        # its public address, the real servers' gateway its internal one). A VIP that floats cannot be one host's,
        # and a dr or tun VIP cannot be the director's: its real servers hold the VIP themselves, so the director's
        # own traffic to them (health checks) would be answered to their lo.
        own = set()
        if len(directors) == 1 and not c['lvs_keepalived']:
            own = {a for a in self.director_addresses
                   if all(svc['forwarding'] == 'nat' for svc in services if svc['address'] == a)}
        why = ('a VIP must be an address of its own' if len(directors) > 1 else 'a VIP must be an address of its own '
               '(one director without keepalived may use its own address for nat services)')
        for var in ('lvs_vip', 'lvs_internal_vip', 'lvs_internal_vip6'):
            if c[var] and c[var] in owners and c[var] not in own:
                self.errors.add(var, '%s is the address of %s: %s' % (c[var], owners[c[var]], why))
        if c['lvs_vip'] and c['lvs_vip'] == c['lvs_internal_vip']:
            self.errors.add('lvs_internal_vip', '%s is the same as lvs_vip' % c['lvs_vip'])
        vips = {c['lvs_vip'], c['lvs_internal_vip'], c['lvs_internal_vip6']}
        for i, s in enumerate(services):
            path = 'lvs_services[%d]' % i
            if s['address'] != c['lvs_vip']:
                if s['address'] in owners and s['address'] not in own:
                    self.errors.add(path + '.address', '%s is the address of %s: %s' % (
                        s['address'], owners[s['address']], why))
                elif s['address'] in (c['lvs_internal_vip'], c['lvs_internal_vip6']):
                    self.errors.add(path + '.address', '%s is %s (the real servers\' gateway)' % (
                        s['address'], 'lvs_internal_vip' if s['address'] == c['lvs_internal_vip'] else
                        'lvs_internal_vip6'))
            vips.add(s['address'])
        for i, s in enumerate(services):
            sorry = (s.get('sorry_server') or {}).get('address')
            if not sorry:
                continue
            where = 'lvs_services[%d].sorry_server.address' % i
            if sorry in vips and sorry != s['address']:
                self.errors.add(where, '%s is a VIP of the directors (another service\'s or a gateway): the sorry '
                                'server must be a host the directors send to' % sorry)
            elif sorry in [d['address'] for d in s['destinations']]:
                self.errors.add(where, '%s is one of the service\'s own real servers: it is down whenever the sorry '
                                'server is needed' % sorry)
            elif sorry in self.rs_addr6.values():
                self.errors.add(where, '%s is a real server\'s address' % sorry)
        for i, s in enumerate(services):
            for j, d in enumerate(x for x in s['destinations'] if not x['managed']):
                where = 'lvs_services[%d].servers[%d].address' % (i, j)
                if d['address'] in vips:
                    self.errors.add(where, '%s is a VIP of the directors' % d['address'])
                elif d['address'] in owners and not owners[d['address']].startswith('real server'):
                    self.errors.add(where, '%s is the address of %s' % (d['address'], owners[d['address']]))

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
        if c['lvs_keepalived'] and c['lvs_frontend'] != 'bgp':
            for prio, pos in duplicates(list(out.items()), lambda kv: kv[1]).items():
                names = [list(out)[i] for i in pos]
                self.errors.add('hostvars[%s].lvs_vrrp_priority' % names[1], 'priority %d is also the priority of '
                                'director %s: VRRP priorities must differ' % (prio, shown(names[0])))
        return out

    def vrrp(self, c, forwardings) -> None:
        if not c['lvs_keepalived'] or c['lvs_frontend'] == 'bgp':
            return
        if ('nat' in forwardings and c['lvs_vrrp_router_id'] is not None
                and c['lvs_vrrp_router_id'] == c['lvs_vrrp_internal_router_id']):
            self.errors.add('lvs_vrrp_internal_router_id', '%d is also lvs_vrrp_router_id: the two VRRP instances '
                            'need different virtual_router_ids' % c['lvs_vrrp_router_id'])

    def nat(self, c, services, fam: int) -> None:
        """The real servers' gateway of family FAM (lvs_internal_vip, IPv6 lvs_internal_vip6): required, and the
        nat real servers of that family inside its network, the VIPs outside it."""
        var = 'lvs_internal_vip' if fam == 4 else 'lvs_internal_vip6'
        vip, prefix = c[var], c[var + '_prefix']
        if not vip:
            if self.inv.cluster.get(var) in (None, ''):
                self.errors.add(var, 'is required with nat%s (the real servers\' default gateway, floating between '
                                'the directors)' % ('' if fam == 4 else ' of IPv6 services'))
            return
        if prefix is None:
            return
        net = ipaddress.ip_network('%s/%d' % (vip, prefix), strict=False)
        if c['lvs_vip'] and ipaddress.ip_address(c['lvs_vip']) in net:
            self.errors.add('lvs_vip', '%s is inside the internal network %s of %s: NAT needs the VIP '
                            'on the public side' % (c['lvs_vip'], net, var))
        for i, s in enumerate(services):
            if s['address'] != c['lvs_vip'] and s['address'] and ipaddress.ip_address(s['address']) in net:
                self.errors.add('lvs_services[%d].address' % i, '%s is inside the internal network %s of '
                                '%s: NAT needs the VIPs on the public side' % (s['address'], net, var))
            if s['forwarding'] != 'nat' or not s['address'] or address_family.family(s['address']) != fam:
                continue
            sorry = s.get('sorry_server') or {}
            local = sorry.get('address') and (ipaddress.ip_address(sorry['address']).is_loopback
                                              or sorry['address'] in self.director_addresses)
            if sorry.get('address') and not local and address_family.family(sorry['address']) == fam and \
                    ipaddress.ip_address(sorry['address']) not in net:
                self.errors.add('lvs_services[%d].sorry_server.address' % i, '%s is not on the directors\' internal '
                                'network %s (%s %s/%d): with nat its replies would not return through the '
                                'directors' % (sorry['address'], net, var, vip, prefix))
            edges = (net.network_address, net.broadcast_address) if net.prefixlen < net.max_prefixlen - 1 else ()
            for what, addr in [('sorry server', sorry.get('address'))] + [
                    ('real server %s' % shown(d['name']), d['address']) for d in s['destinations']]:
                if addr and ipaddress.ip_address(addr) in edges:
                    self.errors.add('lvs_services[%d]' % i, '%s %s is the %s address of the internal network %s: no '
                                    'host answers there' % (what, addr, 'network' if ipaddress.ip_address(addr) ==
                                                            net.network_address else 'broadcast', net))
            for d in s['destinations']:
                if ipaddress.ip_address(d['address']) not in net:
                    self.errors.add('lvs_services[%d]' % i, 'nat real server %s (%s) is not on the directors\' '
                                    'internal network %s (%s %s/%d): its replies would not return '
                                    'through the directors' % (shown(d['name']), d['address'], net, var, vip, prefix))


def vips_of(vip: Optional[str], services: List[Dict[str, Any]]) -> List[str]:
    """Every VIP the directors carry: lvs_vip first, then the services' own addresses in order."""
    out = [vip] if vip else []
    for s in services:
        if s['address'] and s['address'] not in out:
            out.append(s['address'])
    return out


def realserver_vips(services: List[Dict[str, Any]]) -> Dict[str, List[str]]:
    """The VIPs each managed dr/tun real server must accept (on lo or tunl0): those of the services it serves."""
    out: Dict[str, List[str]] = {}
    for s in services:
        for d in s['destinations']:
            if d['managed'] and d['forwarding'] in ('dr', 'tun') and s['address']:
                out.setdefault(d['host'], [])
                if s['address'] not in out[d['host']]:
                    out[d['host']].append(s['address'])
    return out


def realserver_gateways(services: List[Dict[str, Any]], gw4: str, gw6: str) -> Dict[str, List[str]]:
    """The default gateways each managed nat real server routes through: one per family of its nat services."""
    out: Dict[str, List[str]] = {}
    for s in services:
        if s['forwarding'] != 'nat' or not s['address']:
            continue
        gw = gw4 if address_family.family(s['address']) == 4 else gw6
        for d in s['destinations']:
            if d['managed'] and gw:
                out.setdefault(d['host'], [])
                if gw not in out[d['host']]:
                    out[d['host']].append(gw)
    return {h: sorted(gws, key=address_family.family) for h, gws in out.items()}


def mark_rules(fwmark_services: List[Dict[str, Any]]) -> List[str]:
    """iptables mangle rule arguments (after the chain name) marking each firewall-mark service's packets."""
    return ['-d %s/32 -p tcp --dport %d -m comment --comment "lvs %s" -j MARK --set-mark %d'
            % (s['address'], p, s['name'], s['fwmark']) for s in fwmark_services for p in s['ports']]


KNOWN = set(S.CLUSTER) | set(S.REALSERVER) | set(S.DIRECTOR) | set(S.OPERATIONS) | {'lvs_model'}


PREFIXES = ('lvs_', 'director_', 'keepalived_', 'realserver_')
# the lvs role's own variables (roles/lvs/vars/main.yml), in scope wherever a task includes that role: not the
# inventory's, which may not set them (hostvars are checked with them)
ROLE_VARS = ('lvs_host',)


def unknown_variables(names, where: str = '') -> List[str]:
    """lvs_* variables that the model does not know (a misspelled lvs_forwarding is silently ignored), and names
    with a hyphen that would be ours with underscores (Ansible cannot use them in templates, so they never
    apply)."""
    errors = Errors()
    names = [n for n in names if isinstance(n, str)]
    for name in sorted(n for n in names if '-' in n and n.replace('-', '_').startswith(PREFIXES)):
        fixed = name.replace('-', '_')
        errors.add(where + name, 'is not a variable name Ansible can use (a hyphen): write %s' % fixed)
    for name in sorted(n for n in names if n.startswith('lvs_') and n not in KNOWN):
        known = ', '.join(sorted(KNOWN - {'lvs_model'}))
        errors.add(where + name, 'unknown variable (known: %s)%s' % (known, did_you_mean(name, dict.fromkeys(KNOWN))))
    return errors


def agreement(values: Dict[str, Dict[str, Any]], members: Optional[List[str]] = None) -> List[str]:
    """Cluster-wide variables that differ between hosts: ``{var: {host: value}}`` -> errors. MEMBERS: every host
    of the cluster; a variable that some of them set and others do not is an error too (group_vars of one group,
    one host's host_vars): the others would build the cluster from the default."""
    errors = Errors()
    for var, per_host in values.items():
        spec = S.CLUSTER.get(var)
        secret = bool(spec and spec.secret)
        unset = [h for h in members or [] if h not in per_host]
        if unset:
            errors.add(var, 'is set for %s but not for %s: a cluster-wide variable must be the same for every '
                       'director and real server (set it in group_vars/all)' % (
                           ', '.join(list(per_host)[:4]) + (', ...' if len(per_host) > 4 else ''),
                           ', '.join(unset[:4]) + (', ...' if len(unset) > 4 else '')))
            continue
        distinct = []
        for v in per_host.values():
            if v not in distinct:
                distinct.append(v)
        if len(distinct) > 1:
            sample = ', '.join('%s: %s' % (h, '(secret)' if secret else shown(v))
                               for h, v in list(per_host.items())[:4])
            errors.add(var, 'differs between hosts (%s): a cluster-wide variable must be the same for every '
                       'director and real server (set it in group_vars/all)' % sample)
    return errors


# the role variables that choose the IPVS connection sync daemons, as named in their specs
SYNC_DAEMON_ROLES = ('director_sync_daemon', 'director_sync_interface', 'keepalived_sync_daemon',
                     'keepalived_sync_interface')


def sync_daemons(keepalived: bool, per_director: Dict[str, Dict[str, Any]]
                 ) -> Tuple[Dict[str, Dict[str, str]], List[str]]:
    """The IPVS connection sync daemons each director runs, and the mistakes. The director role runs them, with any
    owner of the table: keepalived's own lvs_sync_daemon restarts the daemon at every reload (an error line in its
    log, keepalived 2.2 and 2.3) and follows one VRRP instance only. keepalived_sync_daemon: true (a keepalived pair)
    asks for both daemons on every director: each sends the connections it schedules and receives its peer's, which
    also covers active/active instances. PER_DIRECTOR: {host: {variable: value}} of SYNC_DAEMON_ROLES that are set.
    Returns ({host: {'state': none|master|backup|both, 'interface': name or '' (the VIP's)}}, errors); both
    variables set on a director is a mistake, once, with the hosts when not all."""
    found: Dict[str, List[str]] = {}
    out: Dict[str, Dict[str, str]] = {}
    for host, values in per_director.items():
        director = values.get('director_sync_daemon', 'none')
        director = 'none' if director in (None, '') else director
        # a value that is not a boolean is the role options check's error (role_options, before any role runs)
        pair = keepalived and KEEPALIVED['keepalived_sync_daemon'].check(
            values.get('keepalived_sync_daemon', False), 'keepalived_sync_daemon', Errors()) is True
        if pair and director != 'none':
            msg = ('%s with keepalived_sync_daemon: true: both ask for the IPVS sync daemons (keepalived_sync_daemon '
                   'means both on every director); keep one' % shown(director))
            found.setdefault(msg, []).append(host)
        state = 'both' if pair else str(director)
        own = values.get('keepalived_sync_interface') if pair else ''
        interface = values.get('director_sync_interface') or own or ''
        out[host] = {'state': state, 'interface': str(interface)}
    errors = Errors()
    for msg, hosts in found.items():
        errors.add('director_sync_daemon', msg + ('' if len(hosts) == len(per_director) else
                                                  ' (on %s)' % ', '.join(hosts)))
    return out, list(errors)


def build(inv: Inventory) -> Tuple[Dict[str, Any], List[str], List[str]]:
    b = Builder(inv)
    model = b.build()
    return model, list(b.errors), b.warnings
