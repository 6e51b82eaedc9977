# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ldirectord.cf as ldirectord reads it: global `key = value` lines, then `virtual=` sections whose lines are
indented (`real=`, `checktype=`, `request=`, ...). Comments start with # (a whole line, or after a space: the
seeds write `checktimeout=3 #检测超时3s`). A line ldirectord would refuse (no `=`, an indented line outside a
virtual section, a `real=` without an address) raises ConfError naming the file and the line."""

from __future__ import annotations

import re
from typing import Any, Dict

from ansible_collections.lvs.cluster.plugins.module_utils.keepalived_conf import ConfError

KEY_RE = re.compile(r'^([A-Za-z_]+)\s*=\s*(.*?)\s*$')


def _strip_comment(line: str) -> str:
    if line.lstrip().startswith('#'):
        return ''
    return re.split(r'\s#', line, maxsplit=1)[0].rstrip()


def parse_text(text: str, name: str = 'ldirectord.cf') -> Dict[str, Any]:
    """{'global': {key: value}, 'virtuals': [{'virtual': value, 'options': {key: value}, 'reals': [{address,
    port, method, weight}], 'file', 'line'}], 'lines': {(section index or None, key): line}}"""
    out: Dict[str, Any] = {'global': {}, 'virtuals': [], 'where': {}}
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        where = '%s:%d' % (name, number)
        line = _strip_comment(raw)
        if not line.strip():
            continue
        indented = line[0].isspace()
        m = KEY_RE.match(line.strip())
        if not m:
            raise ConfError('%s: %r is not a key=value line' % (where, raw.strip()))
        key, value = m.group(1).lower(), m.group(2).strip('"')
        if key == 'virtual':
            current = {'virtual': value, 'options': {}, 'reals': [], 'file': name, 'line': number}
            out['virtuals'].append(current)
        elif key == 'real':
            if current is None:
                raise ConfError('%s: real= outside a virtual= section' % where)
            words = value.split()
            if not words:
                raise ConfError('%s: real= names no address' % where)
            addr, _sep, port = words[0].rpartition(':') if ':' in words[0] else (words[0], '', '')
            real = {'address': addr.strip('[]'), 'port': port, 'method': words[1] if len(words) > 1 else 'gate',
                    'weight': words[2] if len(words) > 2 else '1', 'line': number}
            current['reals'].append(real)
        elif current is not None and (indented or key not in GLOBAL_ONLY):
            current['options'][key] = value
            out['where'][(len(out['virtuals']) - 1, key)] = number
        elif indented:
            raise ConfError('%s: %s= is indented outside a virtual= section' % (where, key))
        else:
            out['global'][key] = value
            out['where'][(None, key)] = number
    return out


def parse_file(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfError('%s: cannot be read (%s)' % (path, exc.strerror or exc)) from None
    return parse_text(text, path)


# keys ldirectord takes only globally: once a virtual section started, an unindented one of these is global again
GLOBAL_ONLY = ('checktimeout', 'negotiatetimeout', 'connecttimeout', 'checkinterval', 'failurecount', 'fallback',
               'autoreload', 'callback', 'logfile', 'execute', 'supervised', 'quiescent', 'emailalert',
               'emailalertfreq', 'emailalertstatus', 'emailalertfrom', 'cleanstop', 'maintenancedir',
               'readdquiescent', 'smtp', 'fork')
