# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPVS virtual services and real servers: the data model and its building from parameters.

Everything is normalised to exactly what ``ipvsadm -Sn`` (ipvsadm 1.31, kernel 6.1) prints, so a
desired object built from module parameters compares equal to the same object parsed from the
live table.  The options of services and real servers are declared once, in :mod:`ipvs_options`;
the values and their normalisers are in :mod:`ipvs_values`.  Validation errors are
raised as :class:`IPVSError` with a message that names the field and the bad value.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_options import (
    DEST_FIELDS,
    DEST_OPTIONS,
    SERVICE_FIELDS,
    SERVICE_OPTIONS,
    apply_options,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_values import (
    DEFAULT_PERSISTENCE,
    DEFAULT_SCHEDULER,
    FAMILIES,
    FLAG_NAMES,
    GENERIC_FLAGS,
    MAX_FWMARK,
    MAX_THRESHOLD,
    PROTOCOLS,
    IPVSError,
    _fail,
    _int,
    _join,
    addr_family,
    format_addrport,
    user_address,
)


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
    # the options, as ipvs_options.DEST_OPTIONS declares them (a unit test keeps them equal)
    forwarding: str = 'dr'
    weight: int = 1
    tun_type: Optional[str] = None
    tun_port: Optional[int] = None
    tun_csum: Optional[str] = None
    upper_threshold: int = 0
    lower_threshold: int = 0

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
        data: Dict[str, Any] = {'address': self.address, 'port': self.port}
        for name in DEST_FIELDS:
            data[name] = getattr(self, name)
        return data


@dataclass
class Service:
    """A virtual service (protocol+address+port, or fwmark+family) with its real servers."""

    protocol: str  # tcp, udp, sctp or fwmark
    family: str = 'ipv4'
    address: Optional[str] = None
    port: Optional[int] = None
    fwmark: Optional[int] = None
    # the options, as ipvs_options.SERVICE_OPTIONS declares them (a unit test keeps them equal)
    scheduler: str = DEFAULT_SCHEDULER
    persistence: int = 0  # 0: not persistent
    netmask: Optional[str] = None  # None: host mask (/32 or /128)
    persistence_engine: Optional[str] = None
    one_packet: bool = False
    sched_flags: Tuple[str, ...] = ()
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
        data: Dict[str, Any] = {'protocol': self.protocol, 'family': self.family, 'address': self.address,
                                'port': self.port, 'fwmark': self.fwmark}
        for name in SERVICE_FIELDS:
            data[name] = getattr(self, name)
        data['sched_flags'] = list(self.sched_flags)
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

    Options that are None take their value from *base* (merge semantics) where the option inherits, or else
    their default (see ipvs_options). Destinations are not handled here (see :func:`dest_from_params`).
    """
    svc = apply_options(service_key_from_params(params, path), SERVICE_OPTIONS, params, base, path)
    if svc.protocol != 'fwmark' and svc.port == 0 and not svc.persistence:
        raise _fail(path, 'port', '0 (all ports) requires persistence')
    return svc


def dest_from_params(params: Dict[str, Any], service: Service, base: Optional[Destination] = None,
                     path: str = '') -> Destination:
    """Build and validate a real server of *service* from module parameters."""
    if params.get('address') is None:
        raise _fail(path, 'address', 'required for a destination')
    dest = Destination(address=user_address(params['address'], path, 'address'), port=0)
    apply_options(dest, DEST_OPTIONS, params, base, path)
    forwarding = dest.forwarding
    if dest.family != service.family and forwarding != 'tun':
        raise _fail(path, 'address', "'%s' is %s but the service is %s; mixing families needs forwarding tun"
                    % (dest.address, dest.family, service.family))
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
    dest.port = port
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

# what an option not given may turn out to be, live: the value that lets the given options pass
_UNKNOWN = {'persistence': DEFAULT_PERSISTENCE, 'forwarding': 'tun', 'tun_type': 'gue',
            'upper_threshold': MAX_THRESHOLD}


def _check_given(obj: Any, options, params: Dict[str, Any], path: str) -> Any:
    """Check every option PARAMS gives on OBJ, in the table's order, with the options not given at their most
    permissive live value (_UNKNOWN, else the default)."""
    for opt in options:
        value = params.get(opt.name)
        if value is None:
            setattr(obj, opt.name, _UNKNOWN.get(opt.name, opt.default))
        elif opt.name == 'sched_flags' and params.get('scheduler') is None:
            _check_flags_of_any_scheduler(value, path)
        else:
            setattr(obj, opt.name, opt.check(value, obj, path))
    return obj


def _check_flags_of_any_scheduler(flags: Any, path: str) -> None:
    """The live scheduler decides the flags' names: each must be a flag of some scheduler."""
    known = set(GENERIC_FLAGS) | {f for names in FLAG_NAMES.values() for f in names}
    for raw in flags if isinstance(flags, (list, tuple)) else str(flags).split(','):
        if str(raw).strip().lower() not in known | {''}:
            raise _fail(path, 'sched_flags', "'%s' is not a scheduler flag (%s)" % (raw, _join(sorted(known))))


def check_given_service(params: Dict[str, Any], path: str = '') -> Service:
    """ipvs_rules merged/deleted: every option PARAMS gives, checked as the builders above check it, before the
    live table is read (what is not given merges from the live service later, so only the rules among given
    values apply here). Returns the bare service of the key."""
    svc = service_key_from_params({k: params.get(k) for k in ('protocol', 'address', 'port', 'fwmark', 'family')},
                                  path)
    _check_given(svc.clone(), SERVICE_OPTIONS, params, path)
    return svc


def check_given_dest(params: Dict[str, Any], service: Service, path: str = '') -> Tuple[str, int]:
    """A real server entry of ipvs_rules merged/deleted: its key and every option it gives (see
    check_given_service). Returns its key."""
    key = dest_key(params, service, path)
    dest = _check_given(Destination(address=key[0], port=key[1]), DEST_OPTIONS, params, path)
    fwd = dest.forwarding if params.get('forwarding') is not None else None
    if fwd is not None and fwd != 'nat' and service.protocol != 'fwmark' and key[1] != service.port:
        raise _fail(path, 'port', '%d differs from the service port %d; only forwarding nat can map ports'
                    % (key[1], service.port))
    return key
