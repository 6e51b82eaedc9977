# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The main() bodies of the IPVS modules; the modules themselves only declare their arguments."""

from __future__ import annotations

import os
from typing import Any, Dict, List

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as render
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_runner
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_settings as settings
from ansible_collections.lvs.cluster.plugins.module_utils.file_update import update_file
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_args import (
    DEST_OPTION_ARGS,
    SERVICE_KEY_ARGS,
    SERVICE_OPTION_ARGS,
    dest_service_params,
    fail_on_error,
    pick,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_diff import (
    check_dest_input,
    check_rules_keys,
    config_services,
    target_for_dest,
    target_for_rules,
    target_for_service,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import (
    IPVSError,
    KeyedList,
    Table,
    dest_key,
    user_address,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_parse import parse_connections, parse_save
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_runner import IPVSHost, converge


def _open(module) -> IPVSHost:
    host = IPVSHost(module, module.params.get('load_module', True))
    host.ensure(check_mode=module.check_mode)
    return host


def _find(table: Table, key) -> Dict[str, Any]:
    svc = table.find(key)
    return svc.to_dict() if svc is not None else {}


def _diff(res: Dict[str, Any]) -> Dict[str, Any]:
    """The ``diff`` return value of converge() as exit_json() keyword arguments (none without diff mode)."""
    return {} if res['diff'] is None else {'diff': res['diff']}


def _written(host) -> Dict[str, Any]:
    """``table_writer`` as exit_json() keyword arguments: how the changes went to the kernel, when they did."""
    return {} if host.writer is None else {'table_writer': host.writer}


def run_service(module) -> None:
    """lvs.cluster.ipvs_service"""
    params = dict(module.params)
    names = list(SERVICE_KEY_ARGS) + list(SERVICE_OPTION_ARGS) + ['state', 'destinations', 'purge_destinations']
    # validate before touching the host
    fail_on_error(module, target_for_service, Table(), pick(params, names))
    host = _open(module)
    live = host.read_table()
    target, svc = fail_on_error(module, target_for_service, live, pick(params, names))
    res = converge(module, host, live, target, keys={svc.key})
    module.exit_json(changed=res['changed'], commands=res['commands'], service=_find(res['after_table'], svc.key),
                     table_reader=host.reader, **_written(host), **_diff(res))


def run_dest(module) -> None:
    """lvs.cluster.ipvs_dest"""
    params = module.params
    svc_params = dest_service_params(params)
    dest_params = pick(params, ['address', 'port', *list(DEST_OPTION_ARGS)])
    state = params['state']
    fail_on_error(module, check_dest_input, svc_params, dest_params)  # validate before touching the host
    host = _open(module)
    live = host.read_table()
    target, svc = fail_on_error(module, target_for_dest, live, svc_params, dest_params, state)
    res = converge(module, host, live, target, keys={svc.key})
    after_svc = res['after_table'].find(svc.key)
    dest: Dict[str, Any] = {}
    if after_svc is not None:
        found = after_svc.find(fail_on_error(module, dest_key, dest_params, after_svc))
        dest = found.to_dict() if found is not None else {}
    module.exit_json(changed=res['changed'], commands=res['commands'], destination=dest,
                     service=after_svc.to_dict() if after_svc is not None else {}, table_reader=host.reader,
                     **_written(host), **_diff(res))


INFO_SUBSETS = ('all', 'services', 'timeouts', 'daemons', 'stats', 'rate')


def read_services(host: IPVSHost, subsets) -> tuple:
    """The live services as dicts with connection counters (and stats, rate when in SUBSETS), and the rules.

    ipvsadm's listings: the stats and rate listings are matched to the table by position.
    """
    table = host.read_table()
    rules = render.render_text(render.render_table(table))
    conns = parse_connections(host.thresholds_text)
    stats = host.read_stats() if 'stats' in subsets else {}
    rate = host.read_rate() if 'rate' in subsets else {}
    services = []
    for svc in table.services:
        item = svc.to_dict()
        if svc.key in stats:
            item['stats'] = stats[svc.key]['total']
        if svc.key in rate:
            item['rate'] = rate[svc.key]['total']
        for index, dest in enumerate(item['destinations']):
            for name, data, field in (('conn', conns, None), ('stats', stats, 'counters'),
                                      ('rate', rate, 'counters')):
                rows = data.get(svc.key, {}).get('dests', [])
                row = rows[index] if index < len(rows) else None
                if row is None:
                    continue
                if field is None:
                    dest['active_conns'] = row['active_conns']
                    dest['inactive_conns'] = row['inactive_conns']
                else:
                    dest[name] = row[field]
        services.append(item)
    return services, rules


def run_info(module) -> None:
    """lvs.cluster.ipvs_info: read only, never loads ip_vs and never runs ipvsadm without it."""
    subsets = set(module.params['gather_subset'] or ['all'])
    bad = sorted(subsets - set(INFO_SUBSETS))
    if bad:
        module.fail_json(msg="gather_subset: '%s' is not one of %s" % (bad[0], ', '.join(INFO_SUBSETS)))
    if 'all' in subsets:
        subsets = set(INFO_SUBSETS)
    info: Dict[str, Any] = {'loaded': os.path.exists(ipvs_runner.PROC_IP_VS), 'services': [], 'rules': '',
                            'timeouts': {}, 'daemons': []}
    if not info['loaded']:
        module.exit_json(changed=False, ipvs=info)
    host = IPVSHost(module, load_module=False, netlink=False)
    host.loaded = True
    if subsets & {'services', 'stats', 'rate'}:
        info['services'], info['rules'] = read_services(host, subsets)
        info.update(host.version())
    if 'timeouts' in subsets:
        info['timeouts'] = host.read_timeouts()
    if 'daemons' in subsets:
        info['daemons'] = host.read_daemons()
    module.exit_json(changed=False, ipvs=info)


def run_wait(module) -> None:
    """lvs.cluster.ipvs_wait: poll the table until the real servers at ADDRESSES have no active connection (and,
    with WEIGHT, until every destination of theirs has that weight: keepalived applies a reload some time later)."""
    import time
    p = module.params
    for name, low, high in (('timeout', 0, 86400), ('interval', 1, 60), ('weight', 0, 65535)):
        if p.get(name) is not None and not low <= p[name] <= high:
            module.fail_json(msg='%s: %d is out of range %d-%d' % (name, p[name], low, high))
    addrs = [fail_on_error(module, user_address, a, '', 'addresses[%d]' % i) for i, a in enumerate(p['addresses'])]
    if not addrs:
        module.fail_json(msg='addresses: needs at least one real server address')
    if not os.path.exists(ipvs_runner.PROC_IP_VS):
        module.fail_json(msg='IPVS is not loaded on this host (%s does not exist)' % ipvs_runner.PROC_IP_VS)
    host = IPVSHost(module, load_module=False, netlink=False)
    host.loaded = True
    local = local_addresses(module) if p['vip_local'] else None
    started = time.monotonic()
    while True:
        services, _rules = read_services(host, ())
        if local is not None:  # a BACKUP director's table holds the sync daemon's copies, which never end there
            services = [s for s in services if s.get('fwmark') or s.get('address') in local]
        left = connections_of(services, addrs)
        active = sum(c['active'] for c in left.values())
        unweighted = weights_not(services, addrs, p.get('weight'))
        waited = round(time.monotonic() - started, 1)
        if (active == 0 and not unweighted) or waited >= p['timeout']:
            break
        time.sleep(p['interval'])
    result = {'changed': False, 'left': left, 'active': active, 'waited': waited, 'drained': active == 0,
              'weights_left': unweighted}
    problems = []
    if unweighted:
        problems.append('weight not yet %d: %s' % (p['weight'], ', '.join('%s %d' % w for w in unweighted.items())))
    if active:
        problems.append('%d active connection%s left: %s' % (active, '' if active == 1 else 's', ', '.join(
            '%s %d' % (a, c['active']) for a, c in left.items() if c['active'])))
    if problems:
        msg = 'after %s s, %s' % (waited, '; '.join(problems))
        if p['fail_on_timeout']:
            module.fail_json(msg=msg, **result)
        module.warn(msg)
    module.exit_json(**result)


def weights_not(services: List[Dict[str, Any]], addrs: List[str], weight) -> Dict[str, int]:
    """The destinations at ADDRS whose weight is not WEIGHT (address -> live weight); none when WEIGHT is None."""
    if weight is None:
        return {}
    return {d['address']: d['weight'] for s in services for d in s['destinations']
            if d['address'] in addrs and d.get('weight') != weight}


def local_addresses(module) -> set:
    """The addresses assigned to this host's interfaces (ip -o addr show)."""
    rc, out, err = module.run_command(['ip', '-o', 'addr', 'show'])
    if rc != 0:
        module.fail_json(msg='ip -o addr show failed: %s' % err.strip())
    found = set()
    for line in out.splitlines():
        words = line.split()
        for i, word in enumerate(words[:-1]):
            if word in ('inet', 'inet6'):
                found.add(words[i + 1].split('/')[0])
    return found


def connections_of(services: List[Dict[str, Any]], addrs: List[str]) -> Dict[str, Dict[str, int]]:
    """Active and inactive connections of each address in ADDRS over all SERVICES (read_services' format)."""
    out = {a: {'active': 0, 'inactive': 0} for a in addrs}
    for svc in services:
        for dest in svc['destinations']:
            if dest['address'] in out:
                out[dest['address']]['active'] += dest.get('active_conns', 0)
                out[dest['address']]['inactive'] += dest.get('inactive_conns', 0)
    return out


def _write_dest(module, lines: List[str], results: Dict[str, Any], diffs: List[Dict[str, Any]]) -> None:
    path = module.params.get('dest')
    if not path:
        return
    res = update_file(module, path, render.render_text(lines))
    diffs.append(res['diff'])
    results['dest_changed'] = res['changed']
    if 'backup_file' in res:
        results['backup_file'] = res['backup_file']
    results['changed'] = results.get('changed', False) or res['changed']


def run_rules(module) -> None:
    """lvs.cluster.ipvs_rules"""
    params = module.params
    state = params['state']
    config = params.get('config')
    result: Dict[str, Any] = {'changed': False}
    diffs: List[Dict[str, Any]] = []
    if state == 'parsed':
        if params.get('running_config') is None:
            module.fail_json(msg='running_config: required with state parsed')
        table = fail_on_error(module, parse_save, params['running_config'], field='running_config')
        module.exit_json(changed=False, parsed=table.to_list())
    if state == 'rendered':
        if config is None:
            module.fail_json(msg='config: required with state rendered')
        table = Table(services=fail_on_error(module, config_services, config))
        lines = render.render_table(table)
        result['rendered'] = lines
        _write_dest(module, lines, result, diffs)
        if diffs:
            result['diff'] = diffs[0]
        module.exit_json(**result)
    if state in ('merged', 'replaced') and not config:
        module.fail_json(msg='config: required with state %s' % state)
    validated = None
    if config is not None and state in ('replaced', 'overridden'):
        validated = fail_on_error(module, config_services, config)  # validate before touching the host
    elif config is not None:
        fail_on_error(module, check_rules_keys, config)  # merged, deleted: what does not merge with the live table
    host = _open(module)
    live = host.read_table()
    result['table_reader'] = host.reader
    if state == 'gathered':
        result['gathered'] = live.to_list()
        _write_dest(module, render.render_table(live), result, diffs)
        if diffs:
            result['diff'] = diffs[0]
        module.exit_json(**result)
    if state == 'overridden' and validated is not None:
        target = Table(services=KeyedList(validated))  # the whole table is the config, validated above
    else:
        target = fail_on_error(module, target_for_rules, live, config, state)
    res = converge(module, host, live, target)
    # `before` and `after` only when something changed: an unchanged table is what state=gathered returns, and
    # its copy in the result cost a no-change run of 11,000 rules 0.67 s in ansible-core's exit_json alone
    result.update(changed=res['changed'], commands=res['commands'], **_written(host))
    if res['changed']:
        result.update(before=live.to_list(), after=res['after_table'].to_list())
    if res['diff'] is not None:
        diffs.append(res['diff'])
    _write_dest(module, render.render_table(res['after_table']), result, diffs)
    if diffs and module._diff:  # the file's diff too: both texts can be as big as the table
        result['diff'] = diffs if len(diffs) > 1 else diffs[0]
    module.exit_json(**result)


def run_settings(module) -> None:
    """lvs.cluster.ipvs_settings: timeouts and sync daemons; all input checked before the host is read."""
    try:
        timeouts = settings.normalise_timeouts(module.params['timeouts'])
        daemons = settings.normalise_daemons(module.params['daemons'])
    except IPVSError as exc:
        module.fail_json(msg=str(exc))
    host = _open(module)
    before_t = host.read_timeouts() if host.loaded else dict.fromkeys(settings.TIMEOUTS, 0)
    before_d = host.read_daemons()
    commands, after_t, after_d = settings.plan(before_t, before_d, timeouts, daemons)
    if commands and not module.check_mode:
        for args in commands:
            host.run([host.ipvsadm, *args])
        after_t, after_d = host.read_timeouts(), host.read_daemons()
        left, _t, _d = settings.plan(after_t, after_d, timeouts, daemons)
        if left:
            module.fail_json(msg='the IPVS settings did not converge: still to do %s'
                             % '; '.join(' '.join(a) for a in left), timeouts=after_t, daemons=after_d)
    module.exit_json(
        changed=bool(commands), commands=['ipvsadm ' + ' '.join(a) for a in commands],
        timeouts=after_t, daemons=after_d,
        diff={'before': settings.render(before_t, before_d), 'after': settings.render(after_t, after_d),
              'before_header': 'ipvsadm -Ln --timeout --daemon (before)',
              'after_header': 'ipvsadm -Ln --timeout --daemon (after)'})
