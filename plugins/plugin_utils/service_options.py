# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cross-field rules of a service's IPVS and keepalived options (cluster_schema.SERVICE): scheduler flags,
one-packet scheduling, the persistence engine, connection thresholds, and keepalived's virtual_server options.

Typed and ranged by the schema; here what depends on other fields: the same IPVS rules as the modules
(module_utils/ipvs_model), and keepalived options that need keepalived to own the table.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model, ipvs_values
from ansible_collections.lvs.cluster.plugins.plugin_utils import keepalived_checks
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors, shown

# options only keepalived applies: with lvs_ipvs_owner ansible nothing would read them
KEEPALIVED_ONLY = ('inhibit_on_failure', 'alpha', 'omega', 'quorum_up', 'quorum_down', 'sorry_server_inhibit',
                   'keepalived_extra')
MISC_PLACEHOLDERS = ('address', 'port')  # in misc_path, replaced for each real server
FILE_PLACEHOLDERS = ('name', 'address', 'port')  # in file_path
PLACEHOLDER = re.compile(r'\{([^{}]*)\}')


def fill(template: str, **values: Any) -> str:
    """TEMPLATE (misc_path, file_path) for one real server: {address}, {port}, {name} replaced."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def unfill(cases: List[Any], placeholders: Any = FILE_PLACEHOLDERS) -> Optional[str]:
    """The template that fill() turns into each case's text: CASES [(text, {placeholder: value})], e.g. the MISC_CHECK
    commands of a service's real servers with their addresses and ports. Each placeholder stands for its value
    where the value is a whole word of the text (not 80 in 8080); the template with the most placeholders that gives
    every case is returned (a real server's own values become its placeholders), None when none does."""
    if not cases:
        return None
    text, values = cases[0]

    def word(value: Any) -> Any:
        return re.compile(r'(?<![A-Za-z0-9.])%s(?![A-Za-z0-9])' % re.escape(str(value)))
    keys = [k for k in placeholders if str(values.get(k, '')) and word(values[k]).search(text)]
    subsets: List[List[str]] = [[]]
    for k in keys:
        subsets += [[*sub, k] for sub in subsets]
    for subset in sorted(subsets, key=len, reverse=True):
        template = text
        for k in sorted(subset, key=lambda k: -len(str(values[k]))):  # the longest value first (10.0.0.1 before 1)
            template = word(values[k]).sub('{%s}' % k, template)
        if all(fill(template, **v) == t for t, v in cases):
            return template
    return None


def misc_command(misc_path: str, address: str, port: int) -> str:
    """The MISC_CHECK command line for one real server: misc_path with {address} and {port} replaced."""
    return fill(misc_path, address=address, port=port)


def check(s: Dict[str, Any], given: Dict[str, Any], path: str, owner: str, protocol: Any,
          own: Optional[Dict[str, Any]] = None) -> List[str]:
    """Errors of service S (defaults applied; GIVEN: what the inventory wrote, lvs_service_defaults merged in; OWN:
    the service entry alone) at PATH. PROTOCOL: None for fwmark."""
    err = Errors()
    try:
        flags = ipvs_values.normalise_sched_flags(s['sched_flags'], s['scheduler'])
    except ipvs_model.IPVSError as exc:
        err.add(path + '.sched_flags', str(exc).split(': ', 1)[-1])
    else:
        s['sched_flags'] = list(flags)
    if s['one_packet'] and protocol not in (None, 'udp'):
        err.add(path + '.one_packet', 'is only for udp and fwmark services (a %s connection is more than one '
                'packet), not protocol %s' % (protocol, shown(protocol)))
    if s.get('persistence_engine') == 'sip' and protocol not in (None, 'udp'):
        # the kernel takes it (measured on the lab kernel) and its SIP engine then reads no packet: ip_vs_pe_sip
        # parses the Call-ID of UDP datagrams only, so the service persists by client address alone
        err.add(path + '.persistence_engine', "'sip' reads the Call-ID of UDP datagrams only: on a %s service it "
                'never applies (use protocol udp, or no persistence_engine)' % protocol)
    if s.get('persistence_engine') and not s['persistence']:
        err.add(path + '.persistence_engine', '%s needs persistence > 0 (the engine picks what persists)'
                % shown(s['persistence_engine']))
    if s['lower_threshold'] > s['upper_threshold']:
        err.add(path + '.lower_threshold', '%d is greater than upper_threshold %d (the kernel refuses it)'
                % (s['lower_threshold'], s['upper_threshold']))
    for name in KEEPALIVED_ONLY:
        if owner != 'keepalived' and name in given and s[name] not in (False, '', []):
            err.add('%s.%s' % (path, name), 'needs lvs_ipvs_owner keepalived (keepalived applies it; here Ansible '
                    'owns the table)')
    if s['omega'] and not s['quorum_down']:
        err.add(path + '.omega', 'needs quorum_down (omega runs it when the virtual server is removed)')
    if s['sorry_server_inhibit'] and not s.get('sorry_server'):
        err.add(path + '.sorry_server_inhibit', 'needs a sorry_server')
    hc = s['health_check']
    # what the service entry itself gives (lvs_service_defaults may hold keys for other services' checkers)
    hc_own = own.get('health_check') if isinstance(own, dict) and isinstance(own.get('health_check'), dict) else {}
    for name, types in keepalived_checks.SPECIFIC.items():
        if hc_own.get(name) not in (None, '', False) and hc['type'] not in types:
            err.add('%s.health_check.%s' % (path, name), 'is only used by %s checks, not type %s' % (
                ' and '.join(types), shown(hc['type'])))
    for key, allowed in (('misc_path', MISC_PLACEHOLDERS), ('file_path', FILE_PLACEHOLDERS)):
        text = hc.get(key) or ''
        unknown = [m for m in PLACEHOLDER.findall(text) if m not in allowed]
        if unknown or set('{}') & set(PLACEHOLDER.sub('', text)):
            err.add('%s.health_check.%s' % (path, key), '%s: %s is not a placeholder (use %s, each in braces)' % (
                shown(text), shown('{%s}' % unknown[0]) if unknown else 'a lone brace',
                ' or '.join('{%s}' % a for a in allowed)))
    return list(err)
