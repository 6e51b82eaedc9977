# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPVS virtual services and real servers: the data model, its normalisation and validation.

Everything is normalised to exactly what ``ipvsadm -Sn`` (ipvsadm 1.31, kernel 6.1) prints, so a
desired object built from module parameters compares equal to the same object parsed from the
live table.  Validation errors are raised as :class:`IPVSError` with a message that names the
field and the bad value, e.g. ``weight: 70000 is out of range 0-65535``.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

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

SERVICE_FIELDS = ('scheduler', 'sched_flags', 'persistence', 'netmask', 'persistence_engine', 'one_packet')
DEST_FIELDS = ('forwarding', 'weight', 'upper_threshold', 'lower_threshold', 'tun_type', 'tun_port', 'tun_csum')
SERVICE_DEFAULTS = {
    'scheduler': DEFAULT_SCHEDULER, 'sched_flags': [], 'persistence': 0, 'netmask': None,
    'persistence_engine': None, 'one_packet': False,
}
DEST_DEFAULTS = {
    'forwarding': 'dr', 'weight': 1, 'upper_threshold': 0, 'lower_threshold': 0,
    'tun_type': None, 'tun_port': None, 'tun_csum': None,
}


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


class KeyedList(list):
    """A list of services or real servers that also finds its items by ``key`` in constant time.

    The list (the kernel's listing order) stays the only order; the index by key is built on the first
    :meth:`find` and dropped by every change to the list, so a look-up never sees a stale index.  Like
    the linear search it replaces, :meth:`find` returns the first item with the key.  Items must not
    change their key while they are in the list (the key of a service or real server is never edited:
    a key change is a delete and an add).
    """

    _index: Optional[Dict[Any, Any]] = None

    def find(self, key) -> Any:
        index = self._index
        if index is None:
            index = {}
            for item in self:
                index.setdefault(item.key, item)
            self._index = index
        item = index.get(key)
        if item is not None and item.key != key:  # a key edited in place after all: search the list
            self._index = None
            return next((i for i in self if i.key == key), None)
        return item

    def __copy__(self) -> KeyedList:
        return KeyedList(self)

    def __deepcopy__(self, memo) -> KeyedList:
        result = KeyedList()
        memo[id(self)] = result
        list.extend(result, (copy.deepcopy(item, memo) for item in self))
        return result

    # every method that adds, removes or replaces items drops the index
    def append(self, item) -> None:
        self._index = None
        list.append(self, item)

    def extend(self, items) -> None:
        self._index = None
        list.extend(self, items)

    def insert(self, index, item) -> None:
        self._index = None
        list.insert(self, index, item)

    def remove(self, item) -> None:
        self._index = None
        list.remove(self, item)

    def pop(self, *args) -> Any:
        self._index = None
        return list.pop(self, *args)

    def clear(self) -> None:
        self._index = None
        list.clear(self)

    def __setitem__(self, index, value) -> None:
        self._index = None
        list.__setitem__(self, index, value)

    def __delitem__(self, index) -> None:
        self._index = None
        list.__delitem__(self, index)

    def __iadd__(self, items) -> KeyedList:
        self._index = None
        return list.__iadd__(self, items)

    def __imul__(self, count) -> KeyedList:
        self._index = None
        return list.__imul__(self, count)


def _find(items, key) -> Any:
    """The first item of *items* with *key*: indexed for a KeyedList, a linear search for a plain list."""
    if isinstance(items, KeyedList):
        return items.find(key)
    for item in items:
        if item.key == key:
            return item
    return None


@dataclass
class Destination:
    """A real server of a virtual service, normalised as ipvsadm prints it."""

    address: str
    port: int
    forwarding: str = 'dr'
    weight: int = 1
    upper_threshold: int = 0
    lower_threshold: int = 0
    tun_type: Optional[str] = None
    tun_port: Optional[int] = None
    tun_csum: Optional[str] = None

    @property
    def key(self) -> Tuple[str, int]:
        return (self.address, self.port)

    @property
    def family(self) -> str:
        return addr_family(self.address)

    @property
    def name(self) -> str:
        return format_addrport(self.address, self.port)

    def clone(self) -> Destination:
        """An independent copy (every field is immutable, so a field-by-field copy is a deep copy)."""
        new = Destination.__new__(Destination)
        new.__dict__.update(self.__dict__)
        return new

    def to_dict(self) -> Dict[str, Any]:
        return {
            'address': self.address, 'port': self.port, 'forwarding': self.forwarding, 'weight': self.weight,
            'upper_threshold': self.upper_threshold, 'lower_threshold': self.lower_threshold,
            'tun_type': self.tun_type, 'tun_port': self.tun_port, 'tun_csum': self.tun_csum,
        }


@dataclass
class Service:
    """A virtual service (protocol+address+port, or fwmark+family) with its real servers."""

    protocol: str  # tcp, udp, sctp or fwmark
    family: str = 'ipv4'
    address: Optional[str] = None
    port: Optional[int] = None
    fwmark: Optional[int] = None
    scheduler: str = DEFAULT_SCHEDULER
    sched_flags: Tuple[str, ...] = ()
    persistence: int = 0  # 0: not persistent
    netmask: Optional[str] = None  # None: host mask (/32 or /128)
    persistence_engine: Optional[str] = None
    one_packet: bool = False
    destinations: List[Destination] = field(default_factory=KeyedList)

    @property
    def key(self) -> Tuple[Any, ...]:
        if self.protocol == 'fwmark':
            return ('fwmark', self.family, self.fwmark)
        return (self.protocol, self.address, self.port)

    @property
    def name(self) -> str:
        """The service as ipvsadm names it in a rule, e.g. ``-t 10.0.0.1:80`` or ``-f 5 -6``."""
        if self.protocol == 'fwmark':
            return '-f %d%s' % (self.fwmark, ' -6' if self.family == 'ipv6' else '')
        flag = {'tcp': '-t', 'udp': '-u', 'sctp': '--sctp-service'}[self.protocol]
        return '%s %s' % (flag, format_addrport(self.address, self.port))

    @property
    def label(self) -> str:
        """A short human readable name, e.g. ``tcp 10.0.0.1:80`` or ``fwmark 5 ipv6``."""
        if self.protocol == 'fwmark':
            return 'fwmark %d%s' % (self.fwmark, ' ipv6' if self.family == 'ipv6' else '')
        return '%s %s' % (self.protocol, format_addrport(self.address, self.port))

    def options_equal(self, other: Service) -> bool:
        return all(getattr(self, f) == getattr(other, f) for f in SERVICE_FIELDS)

    def find(self, key) -> Optional[Destination]:
        return _find(self.destinations, key)

    def clone(self) -> Service:
        """An independent copy, like copy.deepcopy() but without its cost (the fields are immutable
        but for the destinations, which are cloned)."""
        new = Service.__new__(Service)
        new.__dict__.update(self.__dict__)
        if not isinstance(self.sched_flags, tuple):
            new.sched_flags = copy.deepcopy(self.sched_flags)
        new.destinations = KeyedList(dest.clone() for dest in self.destinations)
        return new

    def to_dict(self, destinations: bool = True) -> Dict[str, Any]:
        data = {
            'protocol': self.protocol, 'family': self.family, 'address': self.address, 'port': self.port,
            'fwmark': self.fwmark, 'scheduler': self.scheduler, 'sched_flags': list(self.sched_flags),
            'persistence': self.persistence, 'netmask': self.netmask,
            'persistence_engine': self.persistence_engine, 'one_packet': self.one_packet,
        }
        if destinations:
            data['destinations'] = [d.to_dict() for d in self.destinations]
        return data


@dataclass
class Table:
    """The whole IPVS table, in the order ipvsadm lists it."""

    services: List[Service] = field(default_factory=KeyedList)

    def find(self, key) -> Optional[Service]:
        return _find(self.services, key)

    def copy(self) -> Table:
        """An independent copy (as copy.deepcopy() would make, in linear time)."""
        return Table(services=KeyedList(svc.clone() for svc in self.services))

    def to_list(self) -> List[Dict[str, Any]]:
        return [s.to_dict() for s in self.services]


# --------------------------------------------------------------------------- building from parameters

def _pick(params: Dict[str, Any], name: str, base: Any, defaults: Dict[str, Any]) -> Any:
    value = params.get(name)
    if value is not None:
        return value
    if base is not None:
        return getattr(base, name)
    return copy.copy(defaults[name])


def service_key_from_params(params: Dict[str, Any], path: str = '') -> Service:
    """Build a bare Service (key fields only, defaults elsewhere) from protocol/address/port/fwmark/family."""
    fwmark = params.get('fwmark')
    address = params.get('address')
    port = params.get('port')
    protocol = params.get('protocol')
    family = params.get('family')
    if family is not None:
        family = str(family).lower()
        family = {'inet': 'ipv4', 'inet6': 'ipv6', '4': 'ipv4', '6': 'ipv6'}.get(family, family)
        if family not in FAMILIES:
            raise _fail(path, 'family', "'%s' is not one of %s" % (params.get('family'), _join(FAMILIES)))
    if protocol is not None:
        protocol = str(protocol).lower()
        if protocol not in (*PROTOCOLS, 'fwmark'):
            raise _fail(path, 'protocol', "'%s' is not one of %s" % (params.get('protocol'), _join(PROTOCOLS)))
    if fwmark is not None or protocol == 'fwmark':
        if fwmark is None:
            raise _fail(path, 'fwmark', 'required when protocol is fwmark')
        if address is not None:
            raise _fail(path, 'fwmark', "%s cannot be combined with address '%s'" % (fwmark, address))
        if port is not None:
            raise _fail(path, 'port', '%s cannot be combined with fwmark' % (port,))
        if protocol not in (None, 'fwmark'):
            raise _fail(path, 'protocol', "'%s' cannot be combined with fwmark" % (protocol,))
        try:
            mark = int(fwmark)
        except (TypeError, ValueError):
            raise _fail(path, 'fwmark', '%r is not an integer' % (fwmark,)) from None
        if mark < 1 or mark > MAX_FWMARK:
            raise _fail(path, 'fwmark', 'must be 1-%d, got %d' % (MAX_FWMARK, mark))
        return Service(protocol='fwmark', family=family or 'ipv4', fwmark=mark)
    if address is None:
        raise _fail(path, 'address', 'required (or give fwmark)')
    addr = user_address(address, path, 'address')
    fam = addr_family(addr)
    if family is not None and family != fam:
        raise _fail(path, 'family', "'%s' does not match address '%s'" % (family, addr))
    protocol = protocol or 'tcp'
    if port is None:
        raise _fail(path, 'port', 'required for protocol %s' % protocol)
    number = _int(port, path, 'port', 0, 65535)
    return Service(protocol=protocol, family=fam, address=addr, port=number)


def service_from_params(params: Dict[str, Any], base: Optional[Service] = None, path: str = '') -> Service:
    """Build and validate a Service from module parameters.

    Options that are None take their value from *base* (merge semantics) or else the defaults.
    Destinations are not handled here (see :func:`dest_from_params`).
    """
    svc = service_key_from_params(params, path)
    scheduler = str(_pick(params, 'scheduler', base, SERVICE_DEFAULTS)).lower()
    if scheduler not in SCHEDULERS:
        raise _fail(path, 'scheduler', "'%s' is not one of %s" % (params.get('scheduler'), _join(SCHEDULERS)))
    svc.scheduler = scheduler
    raw_flags = params.get('sched_flags')
    if raw_flags is None and base is not None and base.scheduler == scheduler:
        raw_flags = list(base.sched_flags)
    svc.sched_flags = normalise_sched_flags(raw_flags, scheduler, path)
    persistence = _pick(params, 'persistence', base, SERVICE_DEFAULTS)
    if persistence is True:
        persistence = DEFAULT_PERSISTENCE
    elif persistence is False or persistence is None:
        persistence = 0
    svc.persistence = _int(persistence, path, 'persistence', 0, MAX_PERSISTENCE)
    netmask = params.get('netmask')
    if netmask is not None and str(netmask) != '':
        svc.netmask = normalise_netmask(netmask, svc.family, path)
        if not svc.persistence:
            raise _fail(path, 'netmask', "'%s' is only valid with persistence" % (netmask,))
    elif netmask is None and base is not None and svc.persistence:
        svc.netmask = base.netmask
    if not svc.persistence:
        svc.netmask = None
    pe = _pick(params, 'persistence_engine', base, SERVICE_DEFAULTS)
    if pe is not None and str(pe).strip() not in ('', 'none'):
        pe = str(pe).strip().lower()
        if pe not in PERSISTENCE_ENGINES:
            raise _fail(path, 'persistence_engine', "'%s' is not one of %s" % (pe, _join(PERSISTENCE_ENGINES)))
        svc.persistence_engine = pe
    ops = _bool(_pick(params, 'one_packet', base, SERVICE_DEFAULTS), path, 'one_packet')
    if ops and svc.protocol not in ('udp', 'fwmark'):
        raise _fail(path, 'one_packet', 'only valid for protocol udp or fwmark services, not %s' % svc.protocol)
    svc.one_packet = ops
    if svc.protocol != 'fwmark' and svc.port == 0 and not svc.persistence:
        raise _fail(path, 'port', '0 (all ports) requires persistence')
    return svc


def dest_from_params(params: Dict[str, Any], service: Service, base: Optional[Destination] = None,
                     path: str = '') -> Destination:
    """Build and validate a real server of *service* from module parameters."""
    if params.get('address') is None:
        raise _fail(path, 'address', 'required for a destination')
    addr = user_address(params['address'], path, 'address')
    raw_fwd = _pick(params, 'forwarding', base, DEST_DEFAULTS)
    forwarding = FORWARDING_ALIASES.get(str(raw_fwd).strip().lower())
    if forwarding is None:
        raise _fail(path, 'forwarding', "'%s' is not one of %s" % (raw_fwd, _join(sorted(FORWARDING_ALIASES))))
    fam = addr_family(addr)
    if fam != service.family and forwarding != 'tun':
        raise _fail(path, 'address', "'%s' is %s but the service is %s; mixing families needs forwarding tun"
                    % (addr, fam, service.family))
    port = params.get('port')
    if service.protocol == 'fwmark':
        port = _int(port if port is not None else 0, path, 'port', 0, 65535)
    elif port is None:
        port = service.port
    else:
        port = _int(port, path, 'port', 0, 65535)
        if forwarding != 'nat' and port != service.port:
            raise _fail(path, 'port', '%d differs from the service port %d; only forwarding nat can map ports '
                        '(ipvsadm silently uses the service port for %s)' % (port, service.port, forwarding))
    weight = _int(_pick(params, 'weight', base, DEST_DEFAULTS), path, 'weight', 0, MAX_WEIGHT)
    upper = _int(_pick(params, 'upper_threshold', base, DEST_DEFAULTS), path, 'upper_threshold', 0, MAX_THRESHOLD)
    lower = _int(_pick(params, 'lower_threshold', base, DEST_DEFAULTS), path, 'lower_threshold', 0, MAX_THRESHOLD)
    if lower > upper:
        raise _fail(path, 'lower_threshold', '%d is greater than upper_threshold %d (the kernel refuses it)'
                    % (lower, upper))
    dest = Destination(address=addr, port=port, forwarding=forwarding, weight=weight,
                       upper_threshold=upper, lower_threshold=lower)
    inherit = base is not None and base.forwarding == 'tun' and forwarding == 'tun'
    tun_type = params.get('tun_type')
    tun_port = params.get('tun_port')
    tun_csum = params.get('tun_csum')
    if forwarding != 'tun':
        for name, value in (('tun_type', tun_type), ('tun_port', tun_port), ('tun_csum', tun_csum)):
            if value is not None:
                raise _fail(path, name, "'%s' is only valid with forwarding tun, not %s" % (value, forwarding))
        return dest
    if inherit and tun_type is None:
        tun_type = base.tun_type
        if tun_port is None:
            tun_port = base.tun_port
        if tun_csum is None:
            tun_csum = base.tun_csum
    tun_type = str(tun_type or 'ipip').lower()
    if tun_type not in TUN_TYPES:
        raise _fail(path, 'tun_type', "'%s' is not one of %s" % (tun_type, _join(TUN_TYPES)))
    dest.tun_type = tun_type
    if tun_type == 'gue':
        if tun_port is None:
            raise _fail(path, 'tun_port', 'required when tun_type is gue')
        dest.tun_port = _int(tun_port, path, 'tun_port', 1, 65535)
    elif tun_port is not None:
        raise _fail(path, 'tun_port', '%s is only valid with tun_type gue, not %s' % (tun_port, tun_type))
    if tun_csum is not None:
        csum = str(tun_csum).lower()
        if csum.startswith('tun_'):
            csum = csum[4:]
        if csum not in TUN_CSUM:
            raise _fail(path, 'tun_csum', "'%s' is not one of %s" % (tun_csum, _join(TUN_CSUM)))
        if tun_type == 'ipip':
            raise _fail(path, 'tun_csum', "'%s' is only valid with tun_type gue or gre, not ipip" % csum)
        if tun_type == 'gre' and csum == 'remcsum':
            raise _fail(path, 'tun_csum', "'remcsum' is only valid with tun_type gue, not gre")
        dest.tun_csum = csum
    elif tun_type in ('gue', 'gre'):
        dest.tun_csum = 'nocsum'
    return dest


def service_with_dests(params: Dict[str, Any], base: Optional[Service] = None, path: str = '',
                       merge_dests: bool = False) -> Service:
    """A Service from a config entry including its ``destinations`` list.

    With *merge_dests* the live destinations of *base* that are not listed are kept and listed
    ones take unspecified options from their live counterpart.
    """
    svc = service_from_params(params, base, path)
    listed = params.get('destinations')
    dests: List[Destination] = KeyedList()
    if merge_dests and base is not None:
        dests = KeyedList(dest.clone() for dest in base.destinations)
    positions = first_positions(dests)
    seen = set()
    for index, raw in enumerate(listed or []):
        if not isinstance(raw, dict):
            raise _fail('%sdestinations[%d]' % (path, index), '', '%r is not a dictionary' % (raw,))
        live = base.find(_dest_key_guess(raw, svc)) if (merge_dests and base is not None) else None
        dest = dest_from_params(raw, svc, live, '%sdestinations[%d].' % (path, index))
        if dest.key in seen:
            raise _fail('%sdestinations[%d].' % (path, index), 'address',
                        "'%s' is listed twice" % dest.name)
        seen.add(dest.key)
        replace_or_append(dests, dest, positions)
    svc.destinations = dests
    return svc


def first_positions(items) -> Dict[Any, int]:
    """{key: position of the first item with that key} of a list of services or real servers."""
    positions: Dict[Any, int] = {}
    for index, item in enumerate(items):
        positions.setdefault(item.key, index)
    return positions


def replace_or_append(items: List[Any], item: Any, positions: Dict[Any, int]) -> None:
    """Replace the first item of *items* with the key of *item*, else append it; *positions* (from
    :func:`first_positions`) is kept up to date."""
    index = positions.get(item.key)
    if index is None:
        positions[item.key] = len(items)
        items.append(item)
    else:
        items[index] = item


def dest_key(raw: Dict[str, Any], svc: Service, path: str = '') -> Tuple[str, int]:
    """The key (address, port) a destination config entry refers to; port defaults like ipvsadm."""
    if not isinstance(raw, dict) or raw.get('address') is None:
        raise _fail(path, 'address', 'required for a destination')
    addr = user_address(raw['address'], path, 'address')
    port = raw.get('port')
    if port is None:
        port = 0 if svc.protocol == 'fwmark' else svc.port
    return (addr, _int(port, path, 'port', 0, 65535))


def _dest_key_guess(raw: Dict[str, Any], svc: Service) -> Tuple[str, int]:
    """Like dest_key() but never raises (for merge look-ups before validation)."""
    try:
        return dest_key(raw, svc)
    except IPVSError:
        return ('', -1)


# --------------------------------------------------------------------------- options given, before the table is read

def check_given_service(params: Dict[str, Any], path: str = '') -> Service:
    """ipvs_rules merged/deleted: every option PARAMS gives, checked as the builders above check it, before the
    live table is read (what is not given merges from the live service later, so only the rules among given
    values apply here). Returns the bare service of the key."""
    svc = service_key_from_params({k: params.get(k) for k in ('protocol', 'address', 'port', 'fwmark', 'family')},
                                  path)
    scheduler = params.get('scheduler')
    if scheduler is not None:
        scheduler = str(scheduler).lower()
        if scheduler not in SCHEDULERS:
            raise _fail(path, 'scheduler', "'%s' is not one of %s" % (params['scheduler'], _join(SCHEDULERS)))
    flags = params.get('sched_flags')
    if flags is not None:
        if scheduler is not None:
            normalise_sched_flags(flags, scheduler, path)
        else:  # the live scheduler decides the names: each must be a flag of some scheduler
            known = set(GENERIC_FLAGS) | {f for names in FLAG_NAMES.values() for f in names}
            for raw in flags if isinstance(flags, (list, tuple)) else str(flags).split(','):
                if str(raw).strip().lower() not in known | {''}:
                    raise _fail(path, 'sched_flags', "'%s' is not a scheduler flag (%s)" % (raw, _join(sorted(known))))
    persistence = params.get('persistence')
    if persistence is not None and not isinstance(persistence, bool):
        _int(persistence, path, 'persistence', 0, MAX_PERSISTENCE)
    if params.get('netmask') not in (None, ''):
        normalise_netmask(params['netmask'], svc.family, path)
    engine = params.get('persistence_engine')
    if engine is not None and str(engine).strip().lower() not in ('', 'none', *PERSISTENCE_ENGINES):
        raise _fail(path, 'persistence_engine', "'%s' is not one of %s" % (engine, _join(PERSISTENCE_ENGINES)))
    if params.get('one_packet') is not None and _bool(params['one_packet'], path, 'one_packet') \
            and svc.protocol not in ('udp', 'fwmark'):
        raise _fail(path, 'one_packet', 'only valid for protocol udp or fwmark services, not %s' % svc.protocol)
    return svc


def check_given_dest(params: Dict[str, Any], service: Service, path: str = '') -> Tuple[str, int]:
    """A real server entry of ipvs_rules merged/deleted: its key and every option it gives (see
    check_given_service). Returns its key."""
    key = dest_key(params, service, path)
    fwd = params.get('forwarding')
    if fwd is not None:
        fwd = FORWARDING_ALIASES.get(str(fwd).strip().lower())
        if fwd is None:
            raise _fail(path, 'forwarding', "'%s' is not one of %s"
                        % (params['forwarding'], _join(sorted(FORWARDING_ALIASES))))
    if params.get('weight') is not None:
        _int(params['weight'], path, 'weight', 0, MAX_WEIGHT)
    bounds = {}
    for name in ('upper_threshold', 'lower_threshold'):
        if params.get(name) is not None:
            bounds[name] = _int(params[name], path, name, 0, MAX_THRESHOLD)
    if len(bounds) == 2 and bounds['lower_threshold'] > bounds['upper_threshold']:
        raise _fail(path, 'lower_threshold', '%d is greater than upper_threshold %d (the kernel refuses it)'
                    % (bounds['lower_threshold'], bounds['upper_threshold']))
    if params.get('tun_type') is not None and str(params['tun_type']).lower() not in TUN_TYPES:
        raise _fail(path, 'tun_type', "'%s' is not one of %s" % (params['tun_type'], _join(TUN_TYPES)))
    if params.get('tun_port') is not None:
        _int(params['tun_port'], path, 'tun_port', 1, 65535)
    if params.get('tun_csum') is not None:
        csum = str(params['tun_csum']).lower()
        if (csum[4:] if csum.startswith('tun_') else csum) not in TUN_CSUM:
            raise _fail(path, 'tun_csum', "'%s' is not one of %s" % (params['tun_csum'], _join(TUN_CSUM)))
    if fwd is not None and fwd != 'tun':
        for name in ('tun_type', 'tun_port', 'tun_csum'):
            if params.get(name) is not None:
                raise _fail(path, name, "'%s' is only valid with forwarding tun, not %s" % (params[name], fwd))
    if fwd is not None and fwd != 'nat' and service.protocol != 'fwmark' and key[1] != service.port:
        raise _fail(path, 'port', '%d differs from the service port %d; only forwarding nat can map ports'
                    % (key[1], service.port))
    return key
