# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Desired state versus live table: target tables and the ordered ipvsadm restore batch.

Every module builds a complete *target* :class:`Table` from the live one and its parameters; then
:func:`plan` turns ``live -> target`` into one ordered list of restore commands:

1. per service, in target order: ``-A`` for a new service followed by its ``-a`` lines, or for an
   existing one ``-E`` (only if an option changed), then ``-a`` for new real servers, ``-e`` for
   changed ones and only then ``-d`` for removed ones, so a service never passes through zero
   real servers while it is being changed;
2. ``-D`` for services that are gone, last, so a service that moves to a new address/protocol
   (a delete and an add, as the key cannot be edited) is added before the old one is removed.

Edits use the full option set because ``ipvsadm -E``/``-e`` reset every option not given.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as render
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import (
    Destination,
    IPVSError,
    KeyedList,
    Service,
    Table,
    check_given_dest,
    check_given_service,
    dest_from_params,
    dest_key,
    first_positions,
    replace_or_append,
    service_from_params,
    service_key_from_params,
    service_with_dests,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_parse import apply_commands, parse_rules

RULES_STATES = ('merged', 'replaced', 'overridden', 'deleted', 'gathered', 'rendered', 'parsed')


def plan(live: Table, target: Table) -> List[str]:
    """The ordered restore commands that turn *live* into *target* (linear: look-ups go through dicts)."""
    commands: List[str] = []
    live_index = _first_by_key(live.services)
    target_keys = {svc.key for svc in target.services}
    for svc in target.services:
        old = live_index.get(svc.key)
        if old is None:
            commands.extend(render.render_service(svc))
            continue
        if not svc.options_equal(old):
            commands.append(render.edit_service(svc))
        adds, edits, dels = [], [], []
        old_dests = _first_by_key(old.destinations)
        for dest in svc.destinations:
            cur = old_dests.get(dest.key)
            if cur is None:
                adds.append(render.add_dest(svc, dest))
            elif cur != dest:
                edits.append(render.edit_dest(svc, dest))
        new_keys = {dest.key for dest in svc.destinations}
        for cur in old.destinations:
            if cur.key not in new_keys:
                dels.append(render.delete_dest(svc, cur))
        commands.extend(adds + edits + dels)
    for old in live.services:
        if old.key not in target_keys:
            commands.append(render.delete_service(old))
    return commands


def _first_by_key(items) -> Dict[Any, Any]:
    """{key: first item with that key}, the answer a linear find() would give."""
    index: Dict[Any, Any] = {}
    for item in items:
        index.setdefault(item.key, item)
    return index


def simulate(live: Table, commands: List[str]) -> Table:
    """The table after applying *commands* (check mode's prediction)."""
    return apply_commands(live, parse_rules('\n'.join(commands)))


def _replace_or_append(table: Table, svc: Service, positions: Optional[Dict[Any, int]] = None) -> None:
    """Replace the service with the key of *svc*, else append it; pass *positions* (from
    :func:`first_positions`, kept up to date here) to do many of these in linear time."""
    replace_or_append(table.services, svc, first_positions(table.services) if positions is None else positions)


def _remove(table: Table, key) -> None:
    table.services = KeyedList(s for s in table.services if s.key != key)


# --------------------------------------------------------------------------- ipvs_service

def target_for_service(live: Table, params: Dict[str, Any]) -> Tuple[Table, Service]:
    """Target table for ``ipvs_service``: one service present/absent, optionally its destinations.

    Returns (target, the desired service or the bare key service for state=absent).
    """
    target = live.copy()
    if params.get('state') == 'absent':
        key_params = {k: params.get(k) for k in ('protocol', 'address', 'port', 'fwmark', 'family')}
        svc = service_key_from_params(key_params)
        _remove(target, svc.key)
        return target, svc
    base = live.find(_key_of(params))
    svc = service_from_params(params)
    if params.get('destinations') is None:
        svc.destinations = KeyedList(d.clone() for d in base.destinations) if base is not None else KeyedList()
    else:
        listed = service_with_dests(params, None)
        if params.get('purge_destinations') or base is None:
            svc.destinations = listed.destinations
        else:
            merged = KeyedList(d.clone() for d in base.destinations)
            positions = first_positions(merged)
            for dest in listed.destinations:
                replace_or_append(merged, dest, positions)
            svc.destinations = merged
    _replace_or_append(target, svc)
    return target, svc


def _key_of(params: Dict[str, Any], path: str = ''):
    return service_key_from_params({k: params.get(k) for k in ('protocol', 'address', 'port', 'fwmark', 'family')},
                                   path).key


# --------------------------------------------------------------------------- ipvs_dest

def check_dest_input(service_params: Dict[str, Any], dest_params: Dict[str, Any]) -> None:
    """ipvs_dest's input checked before the host is read: the real server is built as target_for_dest builds it
    (options not given take their defaults, not the live values), against the service its key names."""
    dest_from_params(dest_params, service_key_from_params(service_params))


def target_for_dest(live: Table, service_params: Dict[str, Any], dest_params: Dict[str, Any],
                    state: str) -> Tuple[Table, Service]:
    """Target table for ``ipvs_dest``: one real server present, absent or quiesced (weight 0)."""
    key = _key_of(service_params)
    svc = live.find(key)
    if svc is None:
        bare = service_key_from_params(service_params)
        if state == 'absent':
            return live.copy(), bare
        raise IPVSError('service: %s does not exist; create it first with lvs.cluster.ipvs_service'
                        % bare.label)
    target = live.copy()
    tsvc = target.find(key)
    dest = dest_from_params(dest_params, tsvc)
    if state == 'absent':
        tsvc.destinations = KeyedList(d for d in tsvc.destinations if d.key != dest.key)
        return target, tsvc
    if state == 'quiesced':
        dest.weight = 0
    for index, cur in enumerate(tsvc.destinations):
        if cur.key == dest.key:
            tsvc.destinations[index] = dest
            break
    else:
        tsvc.destinations.append(dest)
    return target, tsvc


# --------------------------------------------------------------------------- ipvs_rules

def config_services(config: Optional[Iterable[Dict[str, Any]]], live: Optional[Table] = None,
                    merge: bool = False) -> List[Service]:
    """Validate a ``config`` list into Services (merge: unspecified options come from *live*)."""
    services: List[Service] = []
    seen = set()
    for index, entry in enumerate(config or []):
        path = 'config[%d].' % index
        if not isinstance(entry, dict):
            raise IPVSError('config[%d]: %r is not a dictionary' % (index, entry))
        base = live.find(_key_of(entry, path)) if (merge and live is not None) else None
        svc = service_with_dests(entry, base, path, merge_dests=merge)
        if svc.key in seen:
            raise IPVSError('%saddress: service %s is listed twice' % (path, svc.label))
        seen.add(svc.key)
        services.append(svc)
    return services


def check_rules_keys(config: Optional[Iterable[Dict[str, Any]]]) -> None:
    """What ipvs_rules checks of merged and deleted entries before the host is read: each entry a mapping naming a
    valid service once, every option it gives valid (ipvs_model.check_given_service; what it does not give merges
    from the live service after the read), and each of its real servers once, with valid options."""
    seen: Dict[Any, int] = {}
    for index, entry in enumerate(config or []):
        path = 'config[%d].' % index
        if not isinstance(entry, dict):
            raise IPVSError('config[%d]: %r is not a dictionary' % (index, entry))
        bare = check_given_service(entry, path)
        if bare.key in seen:
            raise IPVSError('%saddress: service %s is listed twice (also config[%d])'
                            % (path, bare.label, seen[bare.key]))
        seen[bare.key] = index
        dests = entry.get('destinations')
        if dests is not None and not isinstance(dests, list):
            raise IPVSError('%sdestinations: %r is not a list' % (path, dests))
        keys: Dict[Any, int] = {}
        for i, raw in enumerate(dests or []):
            where = '%sdestinations[%d].' % (path, i)
            if not isinstance(raw, dict):
                raise IPVSError('%s: %r is not a dictionary' % (where[:-1], raw))
            key = check_given_dest(raw, bare, where)
            if key in keys:
                raise IPVSError("%saddress: '%s' is listed twice (also destinations[%d])" % (
                    where, Destination(address=key[0], port=key[1]).name, keys[key]))
            keys[key] = i


def target_for_rules(live: Table, config: Optional[List[Dict[str, Any]]], state: str) -> Table:
    """Target table for ``ipvs_rules`` with state merged, replaced, overridden or deleted."""
    if state == 'overridden':
        return Table(services=KeyedList(config_services(config)))
    target = live.copy()
    if state == 'deleted':
        if not config:
            return Table()
        for index, entry in enumerate(config):
            path = 'config[%d].' % index
            key = _key_of(entry, path)
            svc = target.find(key)
            if svc is None:
                continue
            if entry.get('destinations'):
                gone = {dest_key(raw, svc, '%sdestinations[%d].' % (path, i))
                        for i, raw in enumerate(entry['destinations'])}
                svc.destinations = KeyedList(d for d in svc.destinations if d.key not in gone)
            else:
                _remove(target, key)
        return target
    positions = first_positions(target.services)
    for svc in config_services(config, live, merge=(state == 'merged')):
        _replace_or_append(target, svc, positions)
    return target
