# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""keepalived's health checkers, declared once: for each health_check type its keepalived block, the transport
it checks over, and the lines of the block, each a keepalived keyword paired with the health_check key it comes
from. The schema's type choices (cluster_schema.HEALTH_CHECK), the rule that a key is used by its checkers only
(service_options), the protocol a checker can check (cluster_model), the lines rendered into each real_server
block (keepalived.conf) and their parsing back (parse_block) all read this table.

A key that starts with '@' is a value of each real server, computed by the model (the MISC_CHECK command with
its placeholders replaced, the FILE_CHECK track_file name).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

Line = Tuple[str, Union[str, Sequence['Line']]]  # (keyword, health_check key) or (block keyword, [lines])

# every stream and datagram checker: where and how long, how often before the real server counts as failed
COMMON: Tuple[Line, ...] = (('connect_port', 'port'), ('connect_timeout', 'connect_timeout'), ('retry', 'retry'),
                            ('delay_before_retry', 'delay_before_retry'))
URL: Tuple[Line, ...] = (('url', (('path', 'path'), ('digest', 'digest'), ('status_code', 'status_code'))),
                         ('virtualhost', 'virtualhost'))


class Checker:
    def __init__(self, block: str, transport: Optional[str], lines: Sequence[Line], quoted: Sequence[str] = (),
                 uses: Sequence[str] = ()):
        self.block = block          # the keepalived keyword of the checker
        self.transport = transport  # tcp or udp: the services it can check (None: any)
        self.lines = tuple(lines)
        self.quoted = tuple(quoted)  # keywords whose value keepalived takes as one quoted string
        self.uses = tuple(uses)     # health_check keys its per-real-server values are made from

    def used_keys(self) -> List[str]:
        """The health_check keys this checker uses."""
        return [k for _kw, k in _flat(self.lines) if not k.startswith('@')] + list(self.uses)


def _flat(lines: Sequence[Line]) -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    for keyword, key in lines:
        out.extend(_flat(key) if not isinstance(key, str) else [(keyword, key)])
    return out


CHECKERS: Dict[str, Checker] = {
    'tcp': Checker('TCP_CHECK', 'tcp', COMMON),
    'http': Checker('HTTP_GET', 'tcp', (*URL, *COMMON)),
    'https': Checker('SSL_GET', 'tcp', (*URL, *COMMON)),
    'udp': Checker('UDP_CHECK', 'udp', COMMON),
    'dns': Checker('DNS_CHECK', None, (*COMMON, ('type', 'dns_type'), ('name', 'dns_name'))),
    'misc': Checker('MISC_CHECK', None, (('misc_path', '@misc_path'), ('misc_timeout', 'connect_timeout'),
                                         ('misc_dynamic', 'misc_dynamic')),
                    quoted=('misc_path',), uses=('misc_path',)),
    'smtp': Checker('SMTP_CHECK', 'tcp', (*COMMON, ('helo_name', 'smtp_helo'))),
    'file': Checker('FILE_CHECK', None, (('track_file', '@track_file'),), uses=('file_path',)),
}
TYPES = (*CHECKERS, 'none')
# the keys of one kind of checker (not the common ones): given with another type they would be ignored
SPECIFIC = {key: tuple(t for t, c in CHECKERS.items() if key in c.used_keys())
            for key in sorted({k for c in CHECKERS.values() for k in c.used_keys()} - {k for _kw, k in COMMON})}


def _value(value: Any) -> Optional[str]:
    """A value as keepalived reads it; None: the line is left out (empty, false)."""
    if value is None or value is False or value == '':
        return None
    if value is True:
        return ''
    return str(value)


def render(hc: Dict[str, Any], dest: Dict[str, Any]) -> List[str]:
    """The checker block of one real server: its lines, indented four spaces per level ([] for type none)."""
    checker = CHECKERS.get(hc['type'])
    if checker is None:
        return []
    out = ['%s {' % checker.block]
    _render(checker, checker.lines, hc, dest, out, 1)
    return [*out, '}']


def _render(checker: Checker, lines: Sequence[Line], hc: Dict[str, Any], dest: Dict[str, Any], out: List[str],
            depth: int) -> None:
    pad = '    ' * depth
    for keyword, key in lines:
        if not isinstance(key, str):
            out.append('%s%s {' % (pad, keyword))
            _render(checker, key, hc, dest, out, depth + 1)
            out.append('%s}' % pad)
            continue
        value = _value(dest.get(key[1:]) if key.startswith('@') else hc.get(key))
        if value is None:
            continue
        if keyword in checker.quoted:
            value = '"%s"' % value
        out.append(('%s%s %s' % (pad, keyword, value)).rstrip())


def parse_block(block: str, body: List[Tuple[str, Any]]) -> Dict[str, Any]:
    """A checker block of keepalived.conf back into health_check keys: BLOCK its keyword (TCP_CHECK, ...), BODY its
    (keyword, value or nested body) pairs. Unknown keywords are returned under '_unknown' (the caller reports
    them); per-real-server values under '@key'."""
    for kind, checker in CHECKERS.items():
        if checker.block == block:
            out: Dict[str, Any] = {'type': kind}
            _parse(checker.lines, body, out)
            return out
    raise KeyError(block)


def _parse(lines: Sequence[Line], body: List[Tuple[str, Any]], out: Dict[str, Any]) -> None:
    known = dict(lines)
    for keyword, value in body:
        key = known.get(keyword)
        if key is None:
            out.setdefault('_unknown', []).append(keyword)
        elif not isinstance(key, str):
            _parse(key, value if isinstance(value, list) else [], out)
        else:
            out[key] = True if value in ('', None) else value
