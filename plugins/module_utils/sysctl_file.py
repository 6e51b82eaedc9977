# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kernel settings as sysctl.d(5) and /proc/sys know them, for lvs.cluster.sysctls: names, values, the file
systemd-sysctl reads at boot (the path rules are arp_sysctl.validate_path's)."""

from __future__ import annotations

import os
import re
from typing import Any, List, Tuple

PROC_SYS = '/proc/sys'
# a dotted sysctl name; an interface name with a dot (VLAN eth0.10) is written with a slash, as sysctl.d wants
NAME_RE = re.compile(r'^[a-z0-9_]+(\.[A-Za-z0-9_/@:+-]+)+$')
VALUE_RE = re.compile(r'^[A-Za-z0-9_./:+-]+( [A-Za-z0-9_./:+-]+)*$')


class SettingError(Exception):
    """A validation or read error; the message names the setting and the value."""


def proc_path(name: str) -> str:
    """/proc/sys path of NAME: dots separate, a slash inside a part stands for a dot (eth0/10 -> eth0.10)."""
    return os.path.join(PROC_SYS, *(part.replace('/', '.') for part in name.split('.')))


def normalise(value: Any) -> str:
    """A value as /proc/sys prints it, whitespace between numbers as one space ("1 50" for "1\\t50")."""
    return ' '.join(str(value).split())


def validate(settings: Any) -> List[Tuple[str, str]]:
    """SETTINGS ({name: value}) -> [(name, value)] in their order; every name and value checked."""
    if not isinstance(settings, dict) or not settings:
        raise SettingError('settings: %r is not a mapping of sysctl names to values' % (settings,))
    out = []
    for name, value in settings.items():
        if not isinstance(name, str) or not NAME_RE.match(name) or '..' in name:
            raise SettingError("settings: %r is not a sysctl name (dotted, e.g. net.ipv4.ip_forward)" % (name,))
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            raise SettingError('settings.%s: %r is not a sysctl value (a number or word)' % (name, value))
        text = normalise(value)
        if not VALUE_RE.match(text):
            raise SettingError('settings.%s: %r is not a sysctl value (numbers or words, no shell characters)'
                               % (name, value))
        out.append((name, text))
    return out


def read(name: str) -> str:
    try:
        with open(proc_path(name)) as handle:
            return normalise(handle.read())
    except FileNotFoundError:
        raise SettingError('settings.%s: does not exist on this host (no %s; is its kernel module loaded?)'
                           % (name, proc_path(name))) from None


def write(name: str, value: str) -> None:
    with open(proc_path(name), 'w') as handle:
        handle.write(value + '\n')


def render(settings: List[Tuple[str, str]], header: str) -> str:
    return header + ''.join('%s = %s\n' % (name, value) for name, value in settings)
