# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPVS settings that are not services: protocol timeouts and connection synchronisation daemons.

Read with the engine's parsers (``ipvsadm -Ln --timeout``/``--daemon``, see ipvs_parse), compared with
what is wanted, changed with the fewest ``ipvsadm --set`` / ``--start-daemon`` / ``--stop-daemon``
commands.  Validation errors are :class:`IPVSError` naming the field and the value.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import IPVSError, _int

TIMEOUTS = ('tcp', 'tcpfin', 'udp')
MAX_TIMEOUT = 2147483  # seconds; the kernel keeps them in jiffies (int), ipvsadm refuses more
DAEMON_STATES = ('master', 'backup')
# option -> (ipvsadm flag, low, high); mcast_interface and mcast_group are checked apart
DAEMON_INTS = {'syncid': ('--syncid', 0, 255), 'sync_maxlen': ('--sync-maxlen', 1, 65507),
               'mcast_port': ('--mcast-port', 1, 65535), 'mcast_ttl': ('--mcast-ttl', 1, 255)}
DAEMON_FIELDS = ('mcast_interface', 'syncid', 'sync_maxlen', 'mcast_group', 'mcast_port', 'mcast_ttl')
IFNAME = re.compile(r'[A-Za-z0-9_][A-Za-z0-9_.@-]{0,14}')

# The module's argument spec (types only; ranges and the rest are checked by normalise_*).
ARGS = {
    'timeouts': {'type': 'dict', 'options': {k: {'type': 'int'} for k in TIMEOUTS}},
    'daemons': {'type': 'list', 'elements': 'dict', 'options': {
        'state': {'type': 'str', 'required': True, 'choices': list(DAEMON_STATES)},
        'present': {'type': 'bool', 'default': True},
        'mcast_interface': {'type': 'str'},
        'mcast_group': {'type': 'str'},
        **{k: {'type': 'int'} for k in DAEMON_INTS},
    }},
}


def normalise_timeouts(raw: Optional[Dict[str, Any]]) -> Dict[str, int]:
    """The timeouts asked for (a subset of tcp, tcpfin, udp), each 1-MAX_TIMEOUT seconds."""
    if not raw:
        return {}
    unknown = sorted(set(raw) - set(TIMEOUTS))
    if unknown:
        raise IPVSError('timeouts: unknown key %s (known: %s)' % (unknown[0], ', '.join(TIMEOUTS)))
    return {k: _int(raw[k], 'timeouts.', k, 1, MAX_TIMEOUT) for k in TIMEOUTS if raw.get(k) is not None}


def normalise_daemon(raw: Dict[str, Any], path: str) -> Dict[str, Any]:
    """One wanted daemon: state master|backup, present, and the fields given (the rest left as they are)."""
    if not isinstance(raw, dict):
        raise IPVSError('%s: %r is not a mapping' % (path, raw))
    raw = {k: v for k, v in raw.items() if v is not None}  # the argument spec fills in None
    unknown = sorted(set(raw) - set(DAEMON_FIELDS) - {'state', 'present'})
    if unknown:
        known = ', '.join(('state', 'present', *DAEMON_FIELDS))
        raise IPVSError('%s.%s: unknown key (known: %s)' % (path, unknown[0], known))
    state = raw.get('state')
    if state not in DAEMON_STATES:
        raise IPVSError('%s.state: %r is not one of master, backup' % (path, state))
    present = raw.get('present', True)
    if not isinstance(present, bool):
        raise IPVSError('%s.present: %r is not a boolean' % (path, present))
    out: Dict[str, Any] = {'state': state, 'present': present}
    iface = raw.get('mcast_interface')
    if iface is not None:
        if not isinstance(iface, str) or not IFNAME.fullmatch(iface):
            raise IPVSError('%s.mcast_interface: %r is not an interface name' % (path, iface))
        out['mcast_interface'] = iface
    elif present:
        raise IPVSError('%s.mcast_interface: is required to start a %s daemon' % (path, state))
    for key, (_flag, low, high) in DAEMON_INTS.items():
        if raw.get(key) is not None:
            out[key] = _int(raw[key], path + '.', key, low, high)
    if raw.get('mcast_group') is not None:
        try:
            if '%' in str(raw['mcast_group']):
                raise ValueError(raw['mcast_group'])  # the interface is mcast_interface, not a scope
            group = ipaddress.ip_address(str(raw['mcast_group']))
        except ValueError:
            raise IPVSError('%s.mcast_group: %r is not an IP address' % (path, raw['mcast_group'])) from None
        if not group.is_multicast:
            raise IPVSError('%s.mcast_group: %s is not a multicast address' % (path, group))
        out['mcast_group'] = str(group)
    return out


def normalise_daemons(raw: Optional[List[Any]]) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for i, item in enumerate(raw or []):
        daemon = normalise_daemon(item, 'daemons[%d]' % i)
        if any(d['state'] == daemon['state'] for d in out):
            raise IPVSError('daemons[%d].state: %s is listed twice (the kernel runs one %s daemon)'
                            % (i, daemon['state'], daemon['state']))
        out.append(daemon)
    return out


def daemon_matches(current: Dict[str, Any], wanted: Dict[str, Any]) -> bool:
    return all(current.get(k) == wanted[k] for k in DAEMON_FIELDS if k in wanted)


def start_args(daemon: Dict[str, Any]) -> List[str]:
    """ipvsadm --start-daemon arguments, options in the order ipvsadm's own examples use."""
    flags = {**{k: v[0] for k, v in DAEMON_INTS.items()}, 'mcast_group': '--mcast-group'}
    args = ['--start-daemon', daemon['state'], '--mcast-interface', daemon['mcast_interface']]
    for key in ('syncid', 'sync_maxlen', 'mcast_group', 'mcast_port', 'mcast_ttl'):
        if key in daemon:
            args += [flags[key], str(daemon[key])]
    return args


def plan(current_timeouts: Dict[str, int], current_daemons: List[Dict[str, Any]], timeouts: Dict[str, int],
         daemons: List[Dict[str, Any]]) -> Tuple[List[List[str]], Dict[str, int], List[Dict[str, Any]]]:
    """(ipvsadm argument lists, predicted timeouts, predicted daemons) that turn current into wanted."""
    commands: List[List[str]] = []
    after_timeouts = dict(current_timeouts)
    if any(current_timeouts.get(k) != v for k, v in timeouts.items()):
        commands.append(['--set'] + [str(timeouts.get(k, 0)) for k in TIMEOUTS])  # 0 keeps a value
        after_timeouts.update(timeouts)
    after = {d['state']: dict(d) for d in current_daemons}
    for want in daemons:
        cur = after.get(want['state'])
        if not want['present']:
            if cur is not None:
                commands.append(['--stop-daemon', want['state']])
                del after[want['state']]
            continue
        if cur is not None and daemon_matches(cur, want):
            continue
        if cur is not None:
            commands.append(['--stop-daemon', want['state']])
        commands.append(start_args(want))
        after[want['state']] = {'state': want['state'], **{k: want[k] for k in DAEMON_FIELDS if k in want}}
    return commands, after_timeouts, [after[s] for s in DAEMON_STATES if s in after]


def render(timeouts: Dict[str, int], daemons: List[Dict[str, Any]]) -> str:
    """The settings as ipvsadm prints them, for diff mode."""
    lines = []
    if timeouts:
        lines.append('Timeout (tcp tcpfin udp): %s' % ' '.join(str(timeouts.get(k, '?')) for k in TIMEOUTS))
    for d in daemons:
        fields = ', '.join('%s=%s' % (k, d[k]) for k in DAEMON_FIELDS if k in d)
        lines.append('%s sync daemon (%s)' % (d['state'], fields))
    return ''.join(line + '\n' for line in lines)
