# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""net.ipv4.conf.*.arp_ignore / arp_announce for LVS direct-routing and tunnel real servers.

Real servers carry the VIP on a loopback/dummy interface and must neither answer nor announce
ARP for it.  The kernel applies ``max(conf/all/X, conf/IFACE/X)`` for both settings, so the
effective value of an interface is reported alongside the configured one.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils.file_update import update_file

PROC_SYS = '/proc/sys'
KEYS = ('arp_ignore', 'arp_announce')
VALID = {'arp_ignore': tuple(range(0, 9)), 'arp_announce': (0, 1, 2)}
KERNEL_DEFAULTS = {'arp_ignore': 0, 'arp_announce': 0}
HEADER = '# Managed by Ansible (lvs.cluster.sysctl_arp): ARP settings for LVS real servers.\n'
IFACE_RE = re.compile(r'^[A-Za-z0-9_.:@+-]{1,15}$')


class SysctlError(Exception):
    """A validation error; the message names the field and the bad value."""


def validate_value(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise SysctlError('%s: %r is not an integer' % (name, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SysctlError('%s: %r is not an integer' % (name, value)) from None
    if number not in VALID[name]:
        raise SysctlError('%s: %d is not one of %s' % (name, number, ', '.join(str(v) for v in VALID[name])))
    return number


def validate_interfaces(interfaces: Optional[List[str]]) -> List[str]:
    result: List[str] = []
    for iface in interfaces if interfaces is not None else ['all', 'lo']:
        name = str(iface).strip()
        if not IFACE_RE.match(name) or name in ('.', '..'):
            raise SysctlError("interfaces: '%s' is not a valid interface name" % (iface,))
        if name not in result:
            result.append(name)
    if not result:
        raise SysctlError('interfaces: must list at least one interface (for example all and lo)')
    return result


def proc_path(iface: str, key: str) -> str:
    return os.path.join(PROC_SYS, 'net', 'ipv4', 'conf', iface, key)


def sysctl_name(iface: str, key: str) -> str:
    """The sysctl.d name; a dot in an interface name (VLAN eth0.10) is written as a slash."""
    return 'net.ipv4.conf.%s.%s' % (iface.replace('.', '/'), key)


def read_value(iface: str, key: str) -> int:
    path = proc_path(iface, key)
    try:
        with open(path) as handle:
            return int(handle.read().strip())
    except FileNotFoundError:
        raise SysctlError("interfaces: '%s' does not exist on this host (no %s)"
                          % (iface, os.path.dirname(path))) from None


def write_value(iface: str, key: str, value: int) -> None:
    with open(proc_path(iface, key), 'w') as handle:
        handle.write('%d\n' % value)


def effective(all_values: Dict[str, int], values: Dict[str, int]) -> Dict[str, int]:
    """What the kernel uses for an interface: max(all, interface) per setting."""
    return {key: max(all_values[key], values[key]) for key in KEYS}


def render_file(interfaces: List[str], desired: Dict[str, int]) -> str:
    lines = [HEADER]
    for iface in interfaces:
        for key in KEYS:
            lines.append('%s = %d\n' % (sysctl_name(iface, key), desired[key]))
    return ''.join(lines)


def report(interfaces: List[str], values: Dict[str, Dict[str, int]], all_values: Dict[str, int]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for iface in interfaces:
        item: Dict[str, Any] = dict(values[iface])
        eff = effective(all_values, values[iface])
        for key in KEYS:
            item['effective_%s' % key] = eff[key]
        out[iface] = item
    return out


def plan(interfaces: List[str], desired: Dict[str, int]):
    """Read the live values and compute the changes: (before, after, changes[(iface, key, old, new)])."""
    before: Dict[str, Dict[str, int]] = {}
    for iface in set(interfaces) | {'all'}:
        before[iface] = {key: read_value(iface, key) for key in KEYS}
    after = {iface: dict(vals) for iface, vals in before.items()}
    changes = []
    for iface in interfaces:
        for key in KEYS:
            if before[iface][key] != desired[key]:
                changes.append((iface, key, before[iface][key], desired[key]))
                after[iface][key] = desired[key]
    return before, after, changes


# where systemd-sysctl reads *.conf files at boot (sysctl.d(5)), and the file it also reads
SYSCTL_DIRS = ('/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d')
SYSCTL_CONF = '/etc/sysctl.conf'


def validate_path(path: Any, persist: bool) -> List[str]:
    """PATH must be a file systemd-sysctl reads at boot: a *.conf file, not a directory. Returns warnings (a .conf
    file outside the directories systemd-sysctl reads is written, and said so)."""
    if not persist:
        return []
    if not isinstance(path, str) or not path:
        raise SysctlError('path: %r is not a file path' % (path,))
    if os.path.isdir(path) or path.endswith('/'):
        raise SysctlError("path: '%s' is a directory: name the file to write in it, e.g. %s/90-lvs-arp.conf"
                          % (path, path.rstrip('/')))
    if path != SYSCTL_CONF and not path.endswith('.conf'):
        raise SysctlError("path: '%s' does not end in .conf: systemd-sysctl reads only *.conf files of %s at boot"
                          % (path, ', '.join(SYSCTL_DIRS)))
    if path != SYSCTL_CONF and os.path.dirname(os.path.normpath(path)) not in SYSCTL_DIRS:
        return ['path: %s is not in a directory systemd-sysctl reads at boot (%s): the values will not come back '
                'after a reboot from it' % (path, ', '.join(SYSCTL_DIRS))]
    return []


def check(params: Dict[str, Any]) -> Tuple[List[str], List[str], Dict[str, int]]:
    """The options of sysctl_arp (also realserver_vips' arp), checked before the host is read: (warnings,
    interfaces, desired values); raises SysctlError naming the field."""
    warnings = validate_path(params['path'], params['persist'])
    interfaces = validate_interfaces(params['interfaces'])
    desired = {'arp_ignore': validate_value('arp_ignore', params['arp_ignore']),
               'arp_announce': validate_value('arp_announce', params['arp_announce'])}
    if params['state'] == 'absent':
        desired = dict(KERNEL_DEFAULTS)
    return warnings, interfaces, desired


def converge(module, params: Dict[str, Any], interfaces: List[str], desired: Dict[str, int]) -> Dict[str, Any]:
    """Set what differs live (not in check mode) and write the file: the result fields of sysctl_arp, with
    ``diff`` a list. Fails the module when the host refuses a value."""
    try:
        before, after, changes = plan(interfaces, desired)
    except SysctlError as exc:
        module.fail_json(msg=str(exc))
    if not params['live']:
        after, changes = before, []
    if changes and not module.check_mode:
        for iface, key, _old, new in changes:
            try:
                write_value(iface, key, new)
            except OSError as exc:
                module.fail_json(msg='cannot set %s to %d: %s' % (sysctl_name(iface, key), new, exc))
    diffs = [{
        'before': ''.join('%s = %d\n' % (sysctl_name(i, k), before[i][k]) for i in interfaces for k in KEYS),
        'after': ''.join('%s = %d\n' % (sysctl_name(i, k), after[i][k]) for i in interfaces for k in KEYS),
        'before_header': '/proc/sys (before)', 'after_header': '/proc/sys (after)',
    }]
    result: Dict[str, Any] = {'changed': bool(changes), 'file_changed': False}
    if params['persist']:
        content = render_file(interfaces, desired) if params['state'] == 'present' else None
        res = update_file(module, params['path'], content)
        diffs.append(res['diff'])
        result['file_changed'] = res['changed']
        result['changed'] = result['changed'] or res['changed']
        if 'backup_file' in res:
            result['backup_file'] = res['backup_file']
    result.update(interfaces=report(interfaces, after, after['all']), diff=diffs,
                  changes=['%s: %d -> %d' % (sysctl_name(i, k), old, new) for i, k, old, new in changes])
    return result


def run(module) -> None:
    """lvs.cluster.sysctl_arp"""
    try:
        warnings, interfaces, desired = check(module.params)
    except SysctlError as exc:
        module.fail_json(msg=str(exc))
    result = converge(module, module.params, interfaces, desired)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)
