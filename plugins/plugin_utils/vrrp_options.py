# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""keepalived's VRRP options of the cluster (cluster_schema: lvs_vrrp_instances, lvs_vrrp_scripts,
lvs_vrrp_track_interfaces, lvs_vrrp_notify, lvs_vrrp_email, lvs_vrrp_garp): the rules across fields, and
their part of lvs_model.vrrp."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors, duplicates, shown

NAMES = ('lvs_vrrp_instances', 'lvs_vrrp_scripts', 'lvs_vrrp_track_interfaces', 'lvs_vrrp_notify', 'lvs_vrrp_email',
         'lvs_vrrp_garp')


def build(c: Dict[str, Any], given: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
    """C: the cluster variables with defaults applied; GIVEN: as the inventory wrote them. Returns the model's
    part (scripts, track_interfaces, notify, email, garp) and the errors."""
    err = Errors()
    scripts = [s for s in c['lvs_vrrp_scripts'] or [] if isinstance(s, dict)]
    interfaces = [t for t in c['lvs_vrrp_track_interfaces'] or [] if isinstance(t, dict)]
    for var, items in (('lvs_vrrp_scripts', scripts), ('lvs_vrrp_track_interfaces', interfaces)):
        for name, pos in duplicates(items, lambda x: x.get('name')).items():
            err.add('%s[%d].name' % (var, pos[1]), '%s is also the name of %s[%d]' % (shown(name), var, pos[0]))
    email = dict(c['lvs_vrrp_email'] or {})
    email_given = given.get('lvs_vrrp_email') if isinstance(given.get('lvs_vrrp_email'), dict) else {}
    if email_given and not email.get('to'):
        err.add('lvs_vrrp_email.to', 'is required: the addresses to alert (the other keys configure how)')
    elif email.get('to') and not email.get('smtp_server'):
        err.add('lvs_vrrp_email.smtp_server', 'is required to send to %s' % ', '.join(email['to']))
    garp_given = given.get('lvs_vrrp_garp') if isinstance(given.get('lvs_vrrp_garp'), dict) else {}
    garp = {k: v for k, v in (c['lvs_vrrp_garp'] or {}).items() if k in garp_given}  # only what was written
    notify = {k: v for k, v in (c['lvs_vrrp_notify'] or {}).items() if v}
    if not c['lvs_keepalived']:
        for name in NAMES:
            if given.get(name):
                err.add(name, 'needs lvs_keepalived true (keepalived runs the VRRP pair that uses it)')
    part = {'scripts': scripts, 'track_interfaces': interfaces, 'notify': notify,
            'email': email if email.get('to') else {}, 'garp': garp}
    return part, list(err)


def instances(c: Dict[str, Any], directors: List[str], vips: List[str], own_priority: List[str],
              nat: bool) -> Tuple[List[Dict[str, Any]], List[str]]:
    """The VRRP instances of the public VIPs: {name, vips, router_id, master, priorities}. Without
    lvs_vrrp_instances one, VI_PUBLIC, with every VIP (its priorities: the caller's). With them, each instance's
    priorities run base, base - step, ... from its master, then the other directors in group order."""
    err = Errors()
    raw = [i for i in c['lvs_vrrp_instances'] or [] if isinstance(i, dict)]
    if not raw:
        return [], []
    var = 'lvs_vrrp_instances'
    if own_priority:
        err.add('hostvars[%s].lvs_vrrp_priority' % own_priority[0], 'cannot be combined with %s: the priorities of '
                'each instance follow its master (lvs_vrrp_priority_base, minus lvs_vrrp_priority_step for each '
                'director after it)' % var)
    for key in ('name', 'router_id'):
        for value, pos in duplicates(raw, lambda i, k=key: i.get(k)).items():
            if value is not None:
                err.add('%s[%d].%s' % (var, pos[1], key), '%s is also the %s of %s[%d]' % (shown(value), key, var,
                                                                                           pos[0]))
    out, owner, ids = [], {}, []
    base, step = c['lvs_vrrp_priority_base'], c['lvs_vrrp_priority_step']
    for n, inst in enumerate(raw):
        path = '%s[%d]' % (var, n)
        if nat and inst.get('name') == 'VI_GATEWAY':
            err.add(path + '.name', "'VI_GATEWAY' is the name of the nat gateway instance")
        rid = inst.get('router_id')
        if rid is None and c['lvs_vrrp_router_id'] is not None:
            rid = c['lvs_vrrp_router_id'] + n
            if rid > 255:
                err.add(path + '.router_id', 'is not set and lvs_vrrp_router_id + %d = %d is above 255' % (n, rid))
        ids.append((n, rid, inst.get('router_id') is not None, inst.get('name')))
        if nat and rid is not None and rid == c['lvs_vrrp_internal_router_id']:
            err.add(path + '.router_id', '%d is also lvs_vrrp_internal_router_id' % rid)
        for j, vip in enumerate(inst.get('vips') or []):
            if vip not in vips:
                err.add('%s.vips[%d]' % (path, j), '%s is not a VIP of the cluster (lvs_vip or a service\'s address: '
                        '%s)' % (vip, ', '.join(vips)))
            elif vip in owner:
                err.add('%s.vips[%d]' % (path, j), '%s is also carried by %s (one instance per VIP)'
                        % (vip, owner[vip]))
            else:
                owner[vip] = inst.get('name') or path
        master = inst.get('master') or (directors[0] if directors else '')
        if master not in directors:
            err.add(path + '.master', '%s is not a director (directors: %s)' % (shown(master), ', '.join(directors)))
            continue
        order = [master] + [d for d in directors if d != master]
        prios = {d: base - i * step for i, d in enumerate(order)} if base is not None and step is not None else {}
        out.append({'name': inst.get('name'), 'vips': list(inst.get('vips') or []), 'router_id': rid,
                    'master': master, 'priorities': prios})
    # the router ids as keepalived gets them, computed ones included: two instances with one id are one VRRP router
    # to every director, and a computed id can fall on another instance's explicit one
    for rid, pos in duplicates(ids, lambda i: i[1]).items():
        first, later = ids[pos[0]], ids[pos[1]]
        if rid is None or (first[2] and later[2]):
            continue  # two explicit ids: reported above
        computed, other = (later, first) if not later[2] else (first, later)
        err.add('%s[%d].router_id' % (var, computed[0]), 'is not set and lvs_vrrp_router_id + %d = %d is also the '
                'router_id of %s[%d] (%s): set router_id on each instance' % (
                    computed[0], rid, var, other[0], shown(other[3])))
    for inst in out:
        low = [d for d, p in inst['priorities'].items() if p < 1]
        if low:
            err.add('lvs_vrrp_priority_step', 'instance %s gives director %s priority %d, below 1 (%d directors after '
                    'its master, step %d): lower the step' % (
                        shown(inst['name']), shown(low[0]), inst['priorities'][low[0]], len(directors) - 1, step))
    missing = [v for v in vips if v not in owner]
    if missing and raw:
        err.add(var, 'no instance carries %s: list every VIP in one instance' % ', '.join(missing))
    if nat and len({i['master'] for i in out}) > 1:
        err.add(var, 'with nat every instance needs the same master: the real servers\' gateway (VI_GATEWAY) '
                'is on one director, and replies must pass the director that took the request')
    return out, list(err)
