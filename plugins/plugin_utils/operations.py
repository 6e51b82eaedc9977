# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The day-2 operations on the cluster model: drained real servers, what a drain leaves, handover priorities
and the status report. Pure functions on the model and on what ipvs_info / keepalived_info return."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema as S
from ansible_collections.lvs.cluster.plugins.plugin_utils import ipvs_table
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import MISSING, Errors, shown


def check_values(raw: Dict[str, Any], errors: Errors) -> Dict[str, Any]:
    """The operation variables (cluster_schema.OPERATIONS) given in RAW, checked, with defaults."""
    out = {}
    for name, spec in S.OPERATIONS.items():
        if raw.get(name) is None:
            out[name] = spec.default
            continue
        value = spec.check(raw[name], name, errors)
        out[name] = spec.default if value is MISSING else value
    return out


def _addresses(model: Dict[str, Any]) -> Dict[str, Optional[str]]:
    """Every real server address of the model's services -> the inventory host serving it (None: unmanaged)."""
    return {d['address']: d['host'] for s in model['services'] for d in s['destinations']}


def _names(model: Dict[str, Any]) -> Dict[str, str]:
    """Every real server address -> its name in messages (inventory host, or an unmanaged server's name)."""
    return {d['address']: d.get('name') or d['host'] or d['address'] for s in model['services']
            for d in s['destinations']}


def resolve(model: Dict[str, Any], names: Iterable[str], var: str, errors: Errors) -> List[str]:
    """Real server NAMES (inventory hosts or addresses) -> addresses (a dual-stack host's IPv4 and IPv6 ones);
    unknown names are errors of VAR."""
    by_addr, by_host = _addresses(model), model['realserver_addresses']
    of_host: Dict[str, List[str]] = {}
    for addr, host in by_addr.items():
        if host:
            of_host.setdefault(host, []).append(addr)
    out: List[str] = []
    for i, name in enumerate(names):
        if name in by_host:
            addrs = of_host.get(name) or [by_host[name]]
        elif name in by_addr:
            addrs = [name]
        else:
            errors.add('%s[%d]' % (var, i), '%s is not a real server of any service (real servers: %s)' % (
                shown(name), ', '.join(sorted(by_host)) or 'none'))
            continue
        out.extend(a for a in addrs if a not in out)
    return out


def drained(model: Dict[str, Any], ops: Dict[str, Any], state: Optional[Iterable[Any]],
            errors: Errors, warnings: List[str]) -> List[str]:
    """The addresses drained after this run: the director's recorded state, plus lvs_drain, minus lvs_restore.

    A recorded address that no service has any more is dropped with a warning (its host left the inventory).
    """
    known = _addresses(model)
    current = []
    for addr in state or []:
        if addr in known:
            current.append(addr)
        else:
            warnings.append('the drained real server %s recorded on this director is in no service any more; '
                            'forgotten' % shown(addr))
    directors = director_names(model, ops, errors)
    add = resolve(model, [n for n in ops['lvs_drain'] if n not in directors], 'lvs_drain', errors)
    restore_all = ops['lvs_restore'] == ['all']
    remove = [] if restore_all else resolve(model, [n for n in ops['lvs_restore'] if n not in directors],
                                            'lvs_restore', errors)
    both = [a for a in add if a in remove]
    if both:
        errors.add('lvs_restore', '%s also in lvs_drain' % ', '.join(both))
    if restore_all:
        current = []
    out = [a for a in current + add if a not in remove]
    return sorted(set(out), key=out.index)


def director_names(model: Dict[str, Any], ops: Dict[str, Any], errors: Errors) -> List[str]:
    """The directors named in lvs_drain or lvs_restore: with lvs_frontend bgp a drained director withdraws its
    routes (its flows go to the others) until it is restored; never every director at once unless
    lvs_drain_force. With VRRP, naming a director is a mistake."""
    directors = model.get('directors') or []
    named = [n for n in ops['lvs_drain'] + ops['lvs_restore'] if n in directors]
    if model.get('frontend') != 'bgp':
        for var in ('lvs_drain', 'lvs_restore'):
            for i, n in enumerate(ops[var]):
                if n in directors:
                    errors.add('%s[%d]' % (var, i), '%s is a director: with lvs_frontend vrrp a director is not '
                               'drained, its VIPs are handed over (lvs.cluster.handover)' % shown(n))
        return named
    drained = [n for n in ops['lvs_drain'] if n in directors]
    if drained and set(directors) <= set(drained) and not ops['lvs_drain_force']:
        errors.add('lvs_drain', 'every director (%s) would withdraw its routes: the VIPs would be announced by none; '
                   'drain fewer at a time or set lvs_drain_force: true' % ', '.join(directors))
    both = [n for n in drained if n in ops['lvs_restore']]
    if both:
        errors.add('lvs_restore', '%s also in lvs_drain' % ', '.join(both))
    return sorted(set(named), key=named.index)


def apply_drained(model: Dict[str, Any], addrs: List[str], force: bool, errors: Errors) -> None:
    """Weight 0 for every destination at a drained address (its configured weight kept as configured_weight);
    an error when a service would keep no weight at all, unless FORCE."""
    model['drained'] = list(addrs)
    for s in model['services']:
        for d in s['destinations']:
            d.setdefault('configured_weight', d['weight'])
            d['drained'] = d['address'] in addrs
            if d['drained']:
                d['weight'] = 0
        if addrs and not force and s['destinations'] and all(d['weight'] == 0 for d in s['destinations']):
            left = [d['name'] for d in s['destinations'] if not d['drained']]
            errors.add('lvs_drain', 'service %s would keep no real server with weight above 0 (drained: %s%s): new '
                       'connections would fail; drain fewer at a time or set lvs_drain_force: true' % (
                           s['name'], ', '.join(d['name'] for d in s['destinations'] if d['drained']),
                           '; weight 0 configured: ' + ', '.join(left) if left else ''))
    ipvs_table.derive(model)  # the table and keepalived.conf's lines with the drained weights


def handover_plan(model: Dict[str, Any], states: Dict[str, List[Dict[str, Any]]], target: str,
                  errors: Errors) -> Dict[str, Any]:
    """Who gets the VIPs and the value each director's handover track file gets (TARGET 'configured': every
    value 0, each instance back on its configured master, EXPECTED the states to wait for).

    keepalived adds value * -1 to a director's priority (track_file weight -1): every director but the
    TARGET goes one below the TARGET's priority, so the TARGET preempts while the old MASTER keeps the VIP until
    then (no moment without a MASTER). STATES: director -> keepalived_info instances ([] = not running).
    """
    prios = model['priorities']
    directors = list(model['directors'])
    masters = [d for d in directors if any(i.get('state') == 'MASTER' for i in states.get(d) or [])]
    if target == CONFIGURED:
        return {'target': '', 'configured': True, 'masters': masters, 'values': {d: 0 for d in directors},
                'expected': configured_states(model)}
    if not target:
        others = sorted((d for d in directors if d not in masters and states.get(d)), key=lambda d: -prios[d])
        target = others[0] if others else ''
        if not target:
            hint = directors[-1] if directors else ''
            errors.add('lvs_handover_to', 'no running BACKUP director to hand over to (MASTER: %s); name the '
                       'director that gets every VIP, e.g. -e lvs_handover_to=%s'
                       % (', '.join(masters) or 'none', hint))
    elif target not in directors:
        errors.add('lvs_handover_to', '%s is not a director (directors: %s)' % (shown(target), ', '.join(directors)))
    elif not states.get(target):
        errors.add('lvs_handover_to', '%s does not run keepalived' % target)
    values = {}
    # active/active: one offset per director (keepalived tracks one file for all its instances), enough for the
    # TARGET to be highest in every instance
    instances = [i['priorities'] for i in (model.get('vrrp') or {}).get('instances') or []] or [prios]
    if target in prios:
        for d in directors:
            values[d] = 0 if d == target else max([0] + [p[d] - p[target] + 1 for p in instances
                                                         if d in p and target in p])
    return {'target': target, 'configured': False, 'masters': masters, 'values': values, 'expected': {}}


CONFIGURED = 'configured'  # lvs_handover_to: every instance back on its configured master (undoes a handover)


def configured_states(model: Dict[str, Any]) -> Dict[str, Dict[str, str]]:
    """director -> {instance: MASTER or BACKUP} as configured (lvs_vrrp_instances' masters; nat: VI_GATEWAY with
    the first instance)."""
    instances = [(i['name'], i['master']) for i in (model.get('vrrp') or {}).get('instances') or []]
    if instances and 'nat' in model.get('forwardings', []):
        instances.append(('VI_GATEWAY', instances[0][1]))
    return {d: {name: 'MASTER' if master == d else 'BACKUP' for name, master in instances}
            for d in model['directors']}


def _service_key(s: Dict[str, Any]) -> Tuple[Any, ...]:
    if s.get('fwmark'):
        return ('fwmark', s['fwmark'])
    return (s.get('protocol') or 'tcp', s.get('address'), s.get('port'))


def check_targets(model: Dict[str, Any], names: Iterable[str]) -> List[Dict[str, Any]]:
    """Address and port to check of each real server in NAMES, per service (rolling: does it answer again)."""
    errors = Errors()
    addrs = resolve(model, names, 'batch', errors)
    out = []
    for s in model['services']:
        port = s['health_check'].get('port') or s.get('real_port') or s.get('port')
        for d in s['destinations']:
            target = {'host': d['name'], 'address': d['address'], 'port': d.get('port') or port}
            if d['address'] in addrs and target['port'] and target not in out:
                out.append(target)
    return out


def lock_holder(text: str) -> Optional[Dict[str, Any]]:
    """The holder in a lock file's text (lvs.cluster.lock), or None."""
    import json
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get('run'):
        return None
    return {k: data.get(k) for k in ('purpose', 'user', 'controller', 'pid', 'since', 'expires')}


def bird_sessions(text: str) -> List[Dict[str, str]]:
    """The BGP sessions in `birdc show protocols` output (BIRD 2): name, state (up, start, ...), since and info
    (Established, Active, Connect, and the last error)."""
    out = []
    for line in text.splitlines():
        words = line.split(None, 5)
        if len(words) >= 5 and words[1] == 'BGP':
            out.append({'name': words[0], 'state': words[3], 'since': words[4],
                        'info': words[5].strip() if len(words) > 5 else ''})
    return out


def bgp_status(bgp: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """What `lvs-announce status` said (lvs_frontend bgp), or None: the VIPs announced, whether the director is
    withdrawn (drained), and its BGP sessions."""
    if not bgp:
        return None
    return {'announced': list(bgp.get('announced') or []), 'withdrawn': bool(bgp.get('withdrawn')),
            'sessions': bird_sessions(bgp.get('birdc') or '')}


def status(model: Dict[str, Any], director: str, ipvs: Dict[str, Any],
           keepalived: Optional[Dict[str, Any]], lock_text: str = '',
           bgp: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """One director's status as data: VRRP state per instance (lvs_frontend bgp: its BGP sessions, the VIPs it
    announces and whether it is withdrawn), the live table with connections, rates and keepalived's view of each
    real server, and which model real server each destination is."""
    hosts, names = _addresses(model), _names(model)
    checker = {}
    for vs in (keepalived or {}).get('virtual_servers') or []:
        key = ('fwmark', vs['fwmark']) if vs.get('fwmark') else (vs.get('protocol'), vs.get('address'), vs.get('port'))
        checker[key] = ({(r['address'], r['port']): r for r in vs['real_servers']}, vs)
    services = []
    for s in ipvs.get('services') or []:
        seen, vs = checker.get(_service_key(s), ({}, None))
        dests = []
        for d in s.get('destinations') or []:
            view = seen.get((d['address'], d['port']))
            dests.append({'address': d['address'], 'port': d['port'], 'host': hosts.get(d['address']),
                          'name': names.get(d['address'], d['address']),
                          'forwarding': d.get('forwarding'), 'weight': d.get('weight'),
                          'active': d.get('active_conns', 0), 'inactive': d.get('inactive_conns', 0),
                          'cps': (d.get('rate') or {}).get('cps', 0),
                          'drained': d['address'] in model.get('drained', []),
                          'keepalived': None if view is None else {'alive': view['alive'], 'weight': view['weight']}})
        services.append({'service': _service_name(s), 'scheduler': s.get('scheduler'),
                         'quorum_up': None if vs is None else vs.get('quorum_up'),
                         'cps': (s.get('rate') or {}).get('cps', 0), 'destinations': dests})
    ka = keepalived or {}
    return {'director': director, 'keepalived_running': bool(ka.get('running')), 'lock': lock_holder(lock_text),
            'bgp': bgp_status(bgp),
            'vrrp': [{'instance': i['name'], 'state': i['state'], 'priority': i['priority'],
                      'effective_priority': i['effective_priority'], 'vips': [v['address'] for v in i['vips']]}
                     for i in ka.get('instances') or []],
            'services': services}


def _service_name(s: Dict[str, Any]) -> str:
    if s.get('fwmark'):
        return 'fwmark %s' % s['fwmark']
    addr = s.get('address')
    if ':' in str(addr):
        addr = '[%s]' % addr
    return '%s %s:%s' % (s.get('protocol') or 'tcp', addr, s.get('port'))


def status_text(reports: List[Dict[str, Any]]) -> str:
    """The status of every director as a readable table."""
    lines = []
    for r in reports:
        vrrp = ', '.join('%s %s (priority %s/%s)' % (v['instance'], v['state'], v['effective_priority'],
                                                     v['priority']) for v in r['vrrp'])
        if r.get('bgp') is not None and r['keepalived_running']:
            vrrp = 'keepalived running (its checks and quorum decide what is announced)'
        lines.append('%s: %s' % (r['director'], vrrp if r['keepalived_running'] else 'keepalived not running'))
        if r.get('bgp'):
            b = r['bgp']
            lines.append('  BGP %s; %s' % (
                ', '.join('%s %s' % (x['name'], x['info'].split('  ')[0] or x['state']) for x in b['sessions'])
                or 'no session (BIRD not running?)',
                'WITHDRAWN (drained)' if b['withdrawn'] else
                'announces %s' % (', '.join(b['announced']) or 'nothing (no service has its quorum)')))
        if r.get('lock'):
            lines.append('  locked by %(purpose)s (%(user)s@%(controller)s pid %(pid)s) since %(since)s' % r['lock'])
        for s in r['services']:
            quorum = '' if s['quorum_up'] is None else ('  quorum up' if s['quorum_up'] else '  QUORUM LOST')
            lines.append('  %s %s  %s conn/s%s' % (s['service'], s['scheduler'], s['cps'], quorum))
            header = ('real server', 'host', 'fwd', 'weight', 'active', 'inactive', 'conn/s', 'keepalived')
            lines.append('    %-22s %-12s %-4s %6s %7s %8s %6s  %s' % header)
            for d in s['destinations']:
                ka = d['keepalived']
                view = '-' if ka is None else ('alive' if ka['alive'] else 'DOWN') + ' w%s' % ka['weight']
                lines.append('    %-22s %-12s %-4s %6s %7s %8s %6s  %s%s' % (
                    '%s:%s' % (d['address'], d['port']), d['host'] or '%s*' % d['name'], d['forwarding'], d['weight'],
                    d['active'], d['inactive'], d['cps'], view, '  drained' if d['drained'] else ''))
    if any(d['host'] is None for r in reports for s in r['services'] for d in s['destinations']):
        lines.append('(* a real server Ansible does not manage)')
    return '\n'.join(lines)
