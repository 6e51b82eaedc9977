# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPVS values: the names, limits and normalisers every part of the engine shares (the option table,
the builders, the parsers).

Everything is normalised to exactly what ``ipvsadm -Sn`` (ipvsadm 1.31, kernel 6.1) prints. Errors are raised
as :class:`IPVSError` with a message that names the field and the bad value, e.g.
``weight: 70000 is out of range 0-65535``.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any, Optional, Tuple

SCHEDULERS = ('rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos')
DEFAULT_SCHEDULER = 'wlc'
PROTOCOLS = ('tcp', 'udp', 'sctp')
FAMILIES = ('ipv4', 'ipv6')
FORWARDING = ('dr', 'nat', 'tun')
FORWARDING_ALIASES = {
    'dr': 'dr', 'direct': 'dr', 'gatewaying': 'dr', 'route': 'dr', 'routing': 'dr', 'local': 'dr',
    'nat': 'nat', 'masq': 'nat', 'masquerading': 'nat',
    'tun': 'tun', 'tunnel': 'tun', 'tunneling': 'tun', 'ipip': 'tun',
}
TUN_TYPES = ('ipip', 'gue', 'gre')
TUN_CSUM = ('nocsum', 'csum', 'remcsum')
PERSISTENCE_ENGINES = ('sip',)
# ipvsadm prints `-p` without a value as this timeout (ipvsadm 1.31: 360, not the 300 of the man page)
DEFAULT_PERSISTENCE = 360
MAX_PERSISTENCE = 2678400  # 31 days, ipvsadm's limit
MAX_FWMARK = 4294967295
MAX_WEIGHT = 65535
MAX_THRESHOLD = 2147483647
# The three scheduler flag bits and how ipvsadm names them per scheduler.
FLAG_NAMES = {
    'sh': ('sh-fallback', 'sh-port'),
    'mh': ('mh-fallback', 'mh-port'),
}
GENERIC_FLAGS = ('flag-1', 'flag-2', 'flag-3')


class IPVSError(Exception):
    """A validation or parse error; str() is the complete user-facing message."""


def _fail(path: str, name: str, msg: str) -> IPVSError:
    return IPVSError('%s%s: %s' % (path, name, msg))


def digits(text: str) -> bool:
    """TEXT is a number written in ASCII digits, short enough for int() (str.isdigit() is also true for
    superscripts and the digits of other scripts, which int() refuses; Python refuses more than 4300 digits)."""
    return isinstance(text, str) and 0 < len(text) <= 30 and text.isascii() and text.isdigit()


_digits = digits


def _join(values) -> str:
    return ', '.join(values)


@functools.lru_cache(maxsize=65536)
def format_addr(addr: str) -> str:
    """Print an address the way inet_ntop does (IPv4-mapped IPv6 keeps its dotted tail).

    Cached: a big table repeats its addresses (every rule line names its service) and ipaddress is slow.
    """
    ip = ipaddress.ip_address(addr)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return '::ffff:%s' % ip.ipv4_mapped
    return ip.compressed


def format_addrport(addr: str, port: int) -> str:
    if ':' in addr:
        return '[%s]:%d' % (addr, port)
    return '%s:%d' % (addr, port)


def addr_family(addr: str) -> str:
    return 'ipv6' if ':' in addr else 'ipv4'


def _int(value: Any, path: str, name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise _fail(path, name, '%r is not an integer' % (value,))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _fail(path, name, '%r is not an integer' % (value,)) from None
    if isinstance(value, float) and number != value:
        raise _fail(path, name, '%r is not an integer' % (value,))
    if number < low or number > high:
        raise _fail(path, name, '%d is out of range %d-%d' % (number, low, high))
    return number


def _bool(value: Any, path: str, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('1', 'true', 'yes', 'on', 'y'):
        return True
    if text in ('0', 'false', 'no', 'off', 'n', ''):
        return False
    raise _fail(path, name, '%r is not a boolean' % (value,))


def user_address(value: Any, path: str, name: str) -> str:
    """An address given by the user: no scope (ipvsadm has none), nothing IPVS never balances."""
    text = str(value).strip()
    if text.startswith('[') and text.endswith(']'):
        text = text[1:-1]
    try:
        if '%' in text:
            raise ValueError(text)
        ip = ipaddress.ip_address(text)
    except ValueError:
        raise _fail(path, name, '%r is not a valid IP address (no prefix, scope or leading zeros)' % (value,)) from None
    # IPVS schedules only packets addressed to this host (PACKET_HOST): multicast and broadcast never reach it
    if ip.is_multicast or ip.is_unspecified or text == '255.255.255.255':
        what = 'a multicast' if ip.is_multicast else 'the unspecified' if ip.is_unspecified else 'the broadcast'
        raise _fail(path, name, "'%s' is %s address: IPVS balances only unicast addresses" % (text, what))
    return format_addr(text)


def normalise_sched_flags(flags: Any, scheduler: str, path: str = '') -> Tuple[str, ...]:
    """Return the flags in ipvsadm's print order and names for *scheduler*."""
    if flags is None:
        return ()
    if isinstance(flags, str):
        flags = list(flags.split(','))
    names = FLAG_NAMES.get(scheduler)
    valid = names if names else GENERIC_FLAGS
    bits = set()
    for raw in flags:
        flag = str(raw).strip().lower()
        if not flag:
            continue
        if flag in valid:
            bits.add(valid.index(flag))
        elif names and flag in GENERIC_FLAGS[:len(names)]:
            bits.add(GENERIC_FLAGS.index(flag))  # ipvsadm accepts flag-1/flag-2 for sh and mh
        else:
            raise _fail(path, 'sched_flags', "'%s' is not valid for scheduler '%s' (valid: %s)"
                        % (raw, scheduler, _join(valid)))
    return tuple(valid[i] for i in sorted(bits))


def normalise_netmask(value: Any, family: str, path: str = '', strict: bool = True) -> Optional[str]:
    """IPv4: dotted quad, IPv6: prefix length; the host mask (/32, /128) becomes None."""
    if value is None or value == '':
        return None
    text = str(value).strip()
    if text.startswith('/'):
        text = text[1:]
    if family == 'ipv6':
        if _digits(text):
            prefix = int(text)
        else:
            try:
                bits = int(ipaddress.IPv6Address(text))
            except ValueError:
                raise _fail(path, 'netmask', "'%s' is not a valid IPv6 prefix length" % (value,)) from None
            prefix = bin(bits).count('1')
            if bits != ((1 << 128) - 1) ^ ((1 << (128 - prefix)) - 1):
                raise _fail(path, 'netmask', "'%s' is not a contiguous netmask" % (value,))
        if prefix < 1 or prefix > 128:
            raise _fail(path, 'netmask', '%d is out of range 1-128' % prefix)
        return None if prefix == 128 else str(prefix)
    if _digits(text):
        prefix = int(text)
        if prefix < 1 or prefix > 32:
            raise _fail(path, 'netmask', '%d is out of range 1-32' % prefix)
        mask = str(ipaddress.IPv4Network('0.0.0.0/%d' % prefix).netmask)
    else:
        try:
            mask = str(ipaddress.IPv4Address(text))
        except ValueError:
            raise _fail(path, 'netmask', "'%s' is not a valid IPv4 netmask" % (value,)) from None
        if strict:
            try:
                ipaddress.IPv4Network('0.0.0.0/%s' % mask)
            except ValueError:
                raise _fail(path, 'netmask', "'%s' is not a contiguous netmask" % (value,)) from None
    return None if mask == '255.255.255.255' else mask
