# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every IPVS option of a virtual service and of a real server, declared once.

One :class:`Option` per option pairs what each part of the engine needs to know about it, in the spirit of
cisco.ios' resource-module templates (parse and render side by side): its name (the field of
:class:`ipvs_model.Service`/``Destination`` and the module argument), its Ansible type and default, the
ipvsadm switches that set it and how it is printed, the generic netlink attribute or flag bit that carries
it, keepalived's keyword for it, and the one function that checks a given value in its context.  The
argument specs (:mod:`ipvs_args`), the builders from parameters (:mod:`ipvs_model`), the rule parser
(:mod:`ipvs_parse`), the renderer (:mod:`ipvs_render`) and the netlink encoder and decoder
(:mod:`ipvs_netlink`) all read these two tables; tests check the dataclasses and the modules' doc fragment
against them.  The tables are in ipvsadm's print order, which is also the order values are checked in: an
option's check sees the options before it already set on the object.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_values import (
    DEFAULT_PERSISTENCE,
    DEFAULT_SCHEDULER,
    FORWARDING,
    FORWARDING_ALIASES,
    MAX_PERSISTENCE,
    MAX_THRESHOLD,
    MAX_WEIGHT,
    PERSISTENCE_ENGINES,
    SCHEDULERS,
    TUN_CSUM,
    TUN_TYPES,
    _bool,
    _fail,
    _int,
    _join,
    normalise_netmask,
    normalise_sched_flags,
)

# generic netlink: the service and real-server attributes of the options (linux/ip_vs.h)
SVC_SCHED, SVC_FLAGS, SVC_TIMEOUT, SVC_NETMASK, SVC_PE = 6, 7, 8, 9, 11
DEST_FWD, DEST_WEIGHT, DEST_U_THRESH, DEST_L_THRESH, DEST_TUN_TYPE, DEST_TUN_PORT, DEST_TUN_FLAGS = (
    3, 4, 5, 6, 13, 14, 15)
SVC_F_PERSISTENT, SVC_F_ONEPACKET, SVC_F_SCHED_SHIFT = 0x1, 0x4, 3


@dataclass(frozen=True)
class Netlink:
    """How an option travels over generic netlink (ipvs_netlink's codec): as attribute ATTR in format FMT (``str``,
    ``u8``, ``u16``, ``u32``, ``be16``, or ``netmask``: a dotted mask for IPv4, a prefix length for IPv6), and/or as
    the service flag bit FLAG (set when the value is true); FMT ``sched_flags``: one flag bit per scheduler flag from
    bit FLAG on, named per scheduler. CODES maps a value to the number sent; DECODE maps a number read back (after
    MASK) to a value; an option that does not apply to an object (Option.applies) is neither sent nor read."""

    attr: Optional[int] = None
    fmt: str = 'u32'
    flag: int = 0
    codes: Optional[Mapping[Any, int]] = None
    decode: Optional[Mapping[int, Any]] = None
    mask: int = 0
    always: bool = True  # send the attribute even when the value is unset (the kernel wants it on every request)


@dataclass(frozen=True)
class Option:
    """One IPVS option (see the module docstring)."""

    name: str
    kind: str  # the Ansible type of the module argument: str, int, bool or list (of str)
    default: Any  # the value when not given, as ipvsadm -Sn would print it back
    summary: str  # one line: what it is (docs and messages)
    choices: Tuple[str, ...] = ()  # a str option's values (checked without case)
    bounds: Optional[Tuple[int, int]] = None  # an int option's range
    # (given value or None, the object so far, path) -> the normalised value, where the type, choices and bounds
    # above are not enough (defaults that depend on other options, aliases); None: those are enough
    normalise: Optional[Callable[[Any, Any, str], Any]] = None
    rule: Optional[Callable[[Any, Any, str], None]] = None  # raises when the value does not fit the options before
    switches: Tuple[str, ...] = ()  # ipvsadm switches followed by the value; the first is what ipvsadm prints
    choice_switches: Mapping[str, Any] = field(default_factory=dict)  # switches that are a value themselves
    bare: Any = None  # the value of a switch given without a value (-p: 360, -o: true); None: one is needed
    optional_value: bool = False  # the switch may be followed by a value (-p [timeout])
    applies: Callable[[Any], bool] = lambda obj: True  # the option exists for this object (tunnel options: tun)
    shown: Callable[[Any], bool] = lambda obj: True  # printed in a rule line for this object
    text: Callable[[Any], str] = str  # the value as ipvsadm prints it
    saved: bool = True  # ipvsadm -Sn prints it (the thresholds are only in -Ln --thresholds)
    inherit: Callable[[Any, Any], bool] = lambda base, obj: True  # merge: take BASE's value when not given
    netlink: Netlink = Netlink()
    keepalived: Optional[str] = None  # keepalived.conf's keyword (virtual_server or real_server block)
    read: Optional[Callable[[Any, Any, str], Any]] = None  # check of a value the kernel printed, when laxer

    def check(self, value: Any, obj: Any, path: str) -> Any:
        """VALUE (None: not given) normalised and checked in the context of OBJ; raises IPVSError naming the option."""
        if self.normalise is not None:
            value = self.normalise(value, obj, path)
        elif value is None:
            value = copy.copy(self.default)
        elif self.kind == 'int':
            low, high = self.bounds or (-(1 << 63), (1 << 64) - 1)
            value = _int(value, path, self.name, low, high)
        elif self.kind == 'bool':
            value = _bool(value, path, self.name)
        elif self.choices:
            value = _choice(value, self.choices, path, self.name)
        if self.rule is not None:
            self.rule(value, obj, path)
        return value

    def parse(self, value: Any, obj: Any, path: str) -> Any:
        """A value read from a rule line (the kernel's, or a rules file), normalised."""
        return self.read(value, obj, path) if self.read is not None else self.check(value, obj, path)

    def argument_spec(self) -> Dict[str, Any]:
        spec: Dict[str, Any] = {'type': self.kind}
        if self.kind == 'list':
            spec['elements'] = 'str'
        return spec

    def rule_tokens(self, obj: Any) -> Tuple[str, ...]:
        """The tokens of a rule line that carry this option's value of OBJ (none when not shown)."""
        if not self.shown(obj):
            return ()
        value = getattr(obj, self.name)
        if value is None:  # an object built by hand: the value the option takes when not given
            value = self.check(None, obj, '')
        for switch, fixed in self.choice_switches.items():
            if fixed == value:
                return (switch,)
        if self.bare is True:  # a switch without a value
            return (self.switches[0],)
        return (self.switches[0], self.text(value))

    def keepalived_lines(self, obj: Any) -> List[str]:
        """The lines of keepalived.conf (in a virtual_server or real_server block) for this option's value of OBJ."""
        if self.keepalived is None or not self.applies(obj) or not self.shown(obj):
            return []
        value = getattr(obj, self.name)
        if self.kind == 'list':  # each value a keyword of its own (sh-port, mh-fallback)
            return list(value)
        if self.kind == 'bool':
            return [self.keepalived] if value else []
        return ['%s %s' % (self.keepalived, self.text(value))]


# --------------------------------------------------------------------------- checks, one per option

def _choice(value: Any, choices, path: str, name: str, default: Any = None) -> Any:
    if value is None:
        return default
    text = str(value).strip().lower()
    if text not in choices:
        raise _fail(path, name, "'%s' is not one of %s" % (value, _join(choices)))
    return text


def _persistence(value, svc, path):
    if value is True:
        return DEFAULT_PERSISTENCE
    if value is None or value is False:
        return 0
    return _int(value, path, 'persistence', 0, MAX_PERSISTENCE)


def _netmask(value, svc, path):
    if value is None or str(value) == '':
        return None
    mask = normalise_netmask(value, svc.family, path)
    if not svc.persistence:
        raise _fail(path, 'netmask', "'%s' is only valid with persistence" % (value,))
    return mask


def _netmask_read(value, svc, path):
    """The kernel keeps any mask ipvsadm -M gave it, contiguous or not."""
    return normalise_netmask(value, svc.family, path, strict=False) if svc.persistence else None


def _persistence_engine(value, svc, path):
    if value is None or str(value).strip().lower() in ('', 'none'):
        return None
    return _choice(value, PERSISTENCE_ENGINES, path, 'persistence_engine')


def _one_packet_rule(ops, svc, path):
    if ops and svc.protocol not in ('udp', 'fwmark'):
        raise _fail(path, 'one_packet', 'only valid for protocol udp or fwmark services, not %s' % svc.protocol)


def _sched_flags(value, svc, path):
    return normalise_sched_flags(value, svc.scheduler, path)


def _forwarding(value, dest, path):
    if value is None:
        return 'dr'
    forwarding = FORWARDING_ALIASES.get(str(value).strip().lower())
    if forwarding is None:
        raise _fail(path, 'forwarding', "'%s' is not one of %s" % (value, _join(sorted(FORWARDING_ALIASES))))
    return forwarding


def _only_tun(value, dest, path, name) -> bool:
    """Whether a tunnel option applies; a value given for another forwarding method is an error."""
    if dest.forwarding == 'tun':
        return True
    if value is not None:
        raise _fail(path, name, "'%s' is only valid with forwarding tun, not %s" % (value, dest.forwarding))
    return False


def _tun_type(value, dest, path):
    if not _only_tun(value, dest, path, 'tun_type'):
        return None
    return _choice(value, TUN_TYPES, path, 'tun_type', 'ipip')


def _tun_port(value, dest, path):
    if not _only_tun(value, dest, path, 'tun_port'):
        return None
    if dest.tun_type != 'gue':
        if value is not None:
            raise _fail(path, 'tun_port', '%s is only valid with tun_type gue, not %s' % (value, dest.tun_type))
        return None
    if value is None:
        raise _fail(path, 'tun_port', 'required when tun_type is gue')
    return _int(value, path, 'tun_port', 1, 65535)


def _tun_csum(value, dest, path):
    if not _only_tun(value, dest, path, 'tun_csum'):
        return None
    if value is None:
        return 'nocsum' if dest.tun_type in ('gue', 'gre') else None
    csum = str(value).lower()
    csum = csum[4:] if csum.startswith('tun_') else csum
    if csum not in TUN_CSUM:
        raise _fail(path, 'tun_csum', "'%s' is not one of %s" % (value, _join(TUN_CSUM)))
    if dest.tun_type == 'ipip':
        raise _fail(path, 'tun_csum', "'%s' is only valid with tun_type gue or gre, not ipip" % csum)
    if dest.tun_type == 'gre' and csum == 'remcsum':
        raise _fail(path, 'tun_csum', "'remcsum' is only valid with tun_type gue, not gre")
    return csum


def _lower_rule(lower, dest, path):
    if lower > dest.upper_threshold:
        raise _fail(path, 'lower_threshold', '%d is greater than upper_threshold %d (the kernel refuses it)'
                    % (lower, dest.upper_threshold))


def _read_int(name: str, default: int = 0) -> Callable[[Any, Any, str], Any]:
    """The check of a number the kernel printed: any integer (the kernel keeps a weight of 70000 that ipvsadm
    gave it, where this collection refuses more than 65535)."""
    def read(value, obj, path):
        return default if value is None else _int(value, path, name, -(1 << 63), (1 << 64) - 1)
    return read


def _tunnel(dest) -> bool:
    return dest.forwarding == 'tun'


def _gue(dest) -> bool:
    return dest.forwarding == 'tun' and dest.tun_type == 'gue'


def _udp_or_gre_tunnel(dest) -> bool:
    return dest.forwarding == 'tun' and dest.tun_type in ('gue', 'gre')


def _same_tunnel(base, dest) -> bool:
    return base.forwarding == 'tun' and dest.forwarding == 'tun'


# --------------------------------------------------------------------------- the tables

SERVICE_OPTIONS: Tuple[Option, ...] = (
    Option('scheduler', 'str', DEFAULT_SCHEDULER, 'IPVS scheduler', choices=SCHEDULERS,
           switches=('-s', '--scheduler'), netlink=Netlink(SVC_SCHED, 'str'), keepalived='lb_algo'),
    Option('persistence', 'int', 0, 'persistence timeout in seconds, 0 = none', bounds=(0, MAX_PERSISTENCE),
           normalise=_persistence, switches=('-p', '--persistent'), bare=DEFAULT_PERSISTENCE, optional_value=True,
           shown=lambda svc: bool(svc.persistence),
           netlink=Netlink(SVC_TIMEOUT, 'u32', flag=SVC_F_PERSISTENT), keepalived='persistence_timeout'),
    Option('netmask', 'str', None, 'persistence netmask (dotted IPv4 netmask; IPv6: a prefix length), needs '
           'persistence', normalise=_netmask, read=_netmask_read, switches=('-M', '--netmask'),
           shown=lambda svc: bool(svc.persistence) and svc.netmask is not None,
           inherit=lambda base, svc: bool(svc.persistence),
           netlink=Netlink(SVC_NETMASK, 'netmask'), keepalived='persistence_granularity'),
    Option('persistence_engine', 'str', None, 'persistence engine (sip: Call-ID), needs persistence',
           choices=PERSISTENCE_ENGINES, normalise=_persistence_engine, switches=('--pe',),
           shown=lambda svc: bool(svc.persistence_engine),
           netlink=Netlink(SVC_PE, 'str', always=False), keepalived='persistence_engine'),
    Option('one_packet', 'bool', False, 'udp and fwmark services: schedule every datagram on its own '
           '(ipvsadm -o, keepalived ops)', rule=_one_packet_rule, switches=('-o', '--ops'), bare=True,
           shown=lambda svc: svc.one_packet, netlink=Netlink(flag=SVC_F_ONEPACKET), keepalived='ops'),
    Option('sched_flags', 'list', (), 'scheduler flags (sh: sh-fallback, sh-port; mh: mh-fallback, mh-port; '
           'else flag-1..3)', normalise=_sched_flags, switches=('-b', '--sched-flags'),
           shown=lambda svc: bool(svc.sched_flags), text=','.join,
           inherit=lambda base, svc: base.scheduler == svc.scheduler,
           netlink=Netlink(fmt='sched_flags', flag=SVC_F_SCHED_SHIFT), keepalived=''),  # '': each flag a keyword
)

DEST_OPTIONS: Tuple[Option, ...] = (
    Option('forwarding', 'str', 'dr', 'packet forwarding method: dr, nat or tun', choices=FORWARDING,
           normalise=_forwarding,
           choice_switches={'-g': 'dr', '--gatewaying': 'dr', '-m': 'nat', '--masquerading': 'nat',
                            '-i': 'tun', '--ipip': 'tun'},
           # IP_VS_CONN_F_FWD_MASK: ipvsadm prints LOCALNODE (and BYPASS) as -g
           netlink=Netlink(DEST_FWD, 'u32', codes={'nat': 0, 'tun': 2, 'dr': 3}, mask=0x7,
                           decode={0: 'nat', 1: 'dr', 2: 'tun', 3: 'dr', 4: 'dr'})),  # keepalived: lb_kind
    Option('weight', 'int', 1, 'IPVS weight, 0 = drained', bounds=(0, MAX_WEIGHT), read=_read_int('weight', 1),
           switches=('-w', '--weight'), netlink=Netlink(DEST_WEIGHT, 'u32'), keepalived='weight'),
    Option('tun_type', 'str', None, 'tunnel type: ipip, gue or gre', choices=TUN_TYPES, normalise=_tun_type,
           switches=('--tun-type',), applies=_tunnel, shown=_tunnel, inherit=_same_tunnel,
           netlink=Netlink(DEST_TUN_TYPE, 'u8', codes={'ipip': 0, 'gue': 1, 'gre': 2},
                           decode={0: 'ipip', 1: 'gue', 2: 'gre'})),
    Option('tun_port', 'int', None, 'destination UDP port of a gue tunnel', bounds=(1, 65535), normalise=_tun_port,
           switches=('--tun-port',), applies=_gue, shown=_gue, inherit=_same_tunnel,
           netlink=Netlink(DEST_TUN_PORT, 'be16', always=False)),
    Option('tun_csum', 'str', None, 'tunnel checksum mode: nocsum, csum or remcsum', choices=TUN_CSUM,
           normalise=_tun_csum,
           choice_switches={'--tun-nocsum': 'nocsum', '--tun-csum': 'csum', '--tun-remcsum': 'remcsum'},
           applies=_udp_or_gre_tunnel, shown=_udp_or_gre_tunnel, inherit=_same_tunnel,
           # IP_VS_TUNNEL_ENCAP_FLAG_CSUM 0x1, _REMCSUM 0x2
           netlink=Netlink(DEST_TUN_FLAGS, 'u16', codes={'nocsum': 0, 'csum': 0x1, 'remcsum': 0x2}, mask=0x3,
                           decode={0: 'nocsum', 1: 'csum', 2: 'remcsum', 3: 'csum'}, always=False)),
    Option('upper_threshold', 'int', 0, 'connections above which a real server gets no new one, 0 = none',
           bounds=(0, MAX_THRESHOLD), read=_read_int('upper_threshold'), switches=('-x', '--u-threshold'),
           shown=lambda dest: bool(dest.upper_threshold), saved=False,
           netlink=Netlink(DEST_U_THRESH, 'u32'), keepalived='uthreshold'),
    Option('lower_threshold', 'int', 0, 'connections below which it gets new ones again, 0 = none',
           bounds=(0, MAX_THRESHOLD), rule=_lower_rule, read=_read_int('lower_threshold'),
           switches=('-y', '--l-threshold'), shown=lambda dest: bool(dest.lower_threshold), saved=False,
           netlink=Netlink(DEST_L_THRESH, 'u32'), keepalived='lthreshold'),
)

IPVS_OPTIONS = {o.name: o for o in SERVICE_OPTIONS + DEST_OPTIONS}
SERVICE_FIELDS = tuple(o.name for o in SERVICE_OPTIONS)
DEST_FIELDS = tuple(o.name for o in DEST_OPTIONS)
SERVICE_DEFAULTS = {o.name: o.default for o in SERVICE_OPTIONS}
DEST_DEFAULTS = {o.name: o.default for o in DEST_OPTIONS}


def switch_table(options) -> Dict[str, Tuple[Option, Any]]:
    """{ipvsadm switch: (option, the value it stands for, or None when a value follows)} of OPTIONS."""
    table: Dict[str, Tuple[Option, Any]] = {}
    for opt in options:
        for switch in opt.switches:
            table[switch] = (opt, None)
        for switch, value in opt.choice_switches.items():
            table[switch] = (opt, value)
    return table


def keepalived_lines(obj: Any, options) -> List[str]:
    """The keepalived.conf lines of OBJ's OPTIONS, in the table's order."""
    return [line for opt in options for line in opt.keepalived_lines(obj)]


def apply_options(obj: Any, options, given: Mapping[str, Any], base: Any = None, path: str = '') -> Any:
    """Set every option of OBJ from GIVEN (None: not given), else from BASE where the option inherits, else its
    default; each value checked in the context of the options before it."""
    for opt in options:
        value = given.get(opt.name)
        if value is None and base is not None and opt.inherit(base, obj):
            value = getattr(base, opt.name)
        setattr(obj, opt.name, opt.check(value, obj, path))
    return obj
