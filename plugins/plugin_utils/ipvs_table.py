# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster model's IPVS table, derived from its services with the engine's option table (ipvs_options):
``ipvs_config`` (what lvs.cluster.ipvs_rules applies when Ansible owns the table) and each service's and real
server's ``ipvs_lines`` (the same options as keepalived.conf lines, when keepalived owns it).

Both come from the services as they are: the model derives them when it is built, and again (:func:`derive`)
after anything changes a service, such as the day-2 operations setting drained real servers' weights to 0."""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model, ipvs_options
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors


def config(services: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The table as lvs.cluster.ipvs_rules ``config``: the options of ipvs_options that each service sets
    (thresholds are per service in the cluster, per real server in IPVS)."""
    out = []
    for s in services:
        dest_opts = {k: s[k] for k in ipvs_options.DEST_FIELDS if s.get(k) and k != 'forwarding'}
        entry: Dict[str, Any] = {'destinations': [
            dict({'address': d['address'], 'weight': d['weight'], 'forwarding': d['forwarding']},
                 **({} if s['fwmark'] else {'port': d['port']}), **dest_opts) for d in s['destinations']]}
        entry.update((k, s[k]) for k in ipvs_options.SERVICE_FIELDS if s.get(k))
        if s['fwmark']:
            entry['fwmark'] = s['fwmark']
        else:
            entry.update(protocol=s['protocol'], address=s['address'], port=s['port'])
        out.append(entry)
    return out


def add_lines(s: Dict[str, Any], path: str, err: Errors) -> None:
    """Service S's and its real servers' IPVS options as keepalived.conf lines (``ipvs_lines``), from the entry
    lvs.cluster.ipvs_rules would apply, built and checked by the engine; what the engine refuses is an error at
    PATH's field."""
    try:
        svc = ipvs_model.service_with_dests(config([s])[0], path=path + '.')
    except ipvs_model.IPVSError as exc:
        where, _sep, why = str(exc).partition(': ')
        err.add(where, '%s (the IPVS engine refuses it)' % why)
        return
    s['ipvs_lines'] = ipvs_options.keepalived_lines(svc, ipvs_options.SERVICE_OPTIONS)
    for d, dest in zip(s['destinations'], svc.destinations):
        d['ipvs_lines'] = ipvs_options.keepalived_lines(dest, ipvs_options.DEST_OPTIONS)


def derive(model: Dict[str, Any]) -> Errors:
    """MODEL's ``ipvs_config`` and ``ipvs_lines`` again, from its services as they are now; the engine's
    objections (none for a model that was built without errors and only had weights changed)."""
    errors = Errors()
    model['ipvs_config'] = config(model['services'])
    for index, s in enumerate(model['services']):
        add_lines(s, 'lvs_services[%s]' % s.get('name', index), errors)
    return errors
