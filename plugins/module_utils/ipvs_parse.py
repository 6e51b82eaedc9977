# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers for ipvsadm output.

* :func:`parse_rules` / :func:`parse_save` read the rule format of ``ipvsadm -Sn`` and of files for
  ``ipvsadm -R`` (``-A -E -D -a -e -d -C`` lines); :func:`apply_commands` replays such commands on a
  :class:`Table` with the kernel's semantics, which is also how check mode predicts the result.
* :func:`parse_listing` reads the ``ipvsadm -Ln`` family (``--thresholds``, ``--stats --exact``,
  ``--rate --exact``), :func:`parse_timeout` ``-Ln --timeout`` and :func:`parse_daemon`
  ``-Ln --daemon``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import (
    Destination,
    IPVSError,
    KeyedList,
    Service,
    Table,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_options import (
    DEST_FIELDS,
    DEST_OPTIONS,
    SERVICE_FIELDS,
    SERVICE_OPTIONS,
    switch_table,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_values import addr_family, format_addr
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_values import digits as _digits

OPS = {
    '-A': 'add-service', '--add-service': 'add-service',
    '-E': 'edit-service', '--edit-service': 'edit-service',
    '-D': 'delete-service', '--delete-service': 'delete-service',
    '-a': 'add-server', '--add-server': 'add-server',
    '-e': 'edit-server', '--edit-server': 'edit-server',
    '-d': 'delete-server', '--delete-server': 'delete-server',
    '-C': 'clear', '--clear': 'clear',
}
SERVICE_FLAGS = {'-t': 'tcp', '--tcp-service': 'tcp', '-u': 'udp', '--udp-service': 'udp',
                 '--sctp-service': 'sctp', '-f': 'fwmark', '--fwmark-service': 'fwmark'}
OPTION_SWITCHES = switch_table(SERVICE_OPTIONS + DEST_OPTIONS)
BOOL_OPTS = {'-6': 'ipv6', '--ipv6': 'ipv6', '-n': 'numeric', '--numeric': 'numeric'}
SERVICE_ONLY = SERVICE_FIELDS
SERVER_ONLY = ('server', *DEST_FIELDS)
PROTO_NAMES = {'TCP': 'tcp', 'UDP': 'udp', 'SCTP': 'sctp', 'FWM': 'fwmark'}


@dataclass
class Command:
    """One parsed ipvsadm rule line."""

    op: str
    service: Optional[Service] = None
    dest: Optional[Destination] = None
    line: int = 0
    text: str = ''


# the port names `ipvsadm -S` (without -n) prints for the usual services, as /etc/services names them
SERVICE_PORTS = {'ftp': 21, 'ssh': 22, 'telnet': 23, 'smtp': 25, 'domain': 53, 'http': 80, 'www': 80, 'pop3': 110,
                 'imap2': 143, 'imap': 143, 'snmp': 161, 'ldap': 389, 'https': 443, 'submission': 587,
                 'ldaps': 636, 'imaps': 993, 'pop3s': 995, 'mysql': 3306, 'sip': 5060, 'http-alt': 8080}


def service_port(name: str) -> Optional[int]:
    """The port of a service NAME (http -> 80), from SERVICE_PORTS or the system's services database."""
    if name in SERVICE_PORTS:
        return SERVICE_PORTS[name]
    import socket
    try:
        return socket.getservbyname(name)
    except (OSError, TypeError):
        return None


def split_addrport(text: str, where: str, default_port: Optional[int] = None) -> Tuple[str, Optional[int]]:
    """``10.0.0.1:80`` / ``[2001:db8::1]:80`` / ``10.0.0.1`` -> (address, port)."""
    text = text.strip()
    port: Any = default_port
    if text.startswith('['):
        end = text.find(']')
        if end < 0:
            raise IPVSError('%s: %r is not a valid [address]:port' % (where, text))
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(':'):
                raise IPVSError('%s: %r is not a valid [address]:port' % (where, text))
            port = rest[1:]
    elif text.count(':') == 1:
        host, port = text.split(':')
    else:
        host = text
    try:
        addr = format_addr(host)
    except ValueError:
        raise IPVSError('%s: %r is not a valid IP address' % (where, host)) from None
    if port is not None:
        if not _digits(str(port)) and service_port(str(port)) is not None:
            port = service_port(str(port))  # ipvsadm -S without -n names the well-known ports
        if not _digits(str(port)) or int(port) > 65535:
            raise IPVSError('%s: port %r is not a number 0-65535 (use numeric output, ipvsadm -n)' % (where, port))
        port = int(port)
    return addr, port


def _number(value: str, where: str, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise IPVSError('%s: %s %r is not a number' % (where, name, value)) from None


def _tokens_to_options(tokens: List[str], where: str) -> Dict[str, Any]:
    opts: Dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if '=' in tok and tok.startswith('--'):
            tok, inline = tok.split('=', 1)
            tokens = [*tokens[:i], tok, inline, *tokens[i + 1:]]
        if tok in OPS:
            if 'op' in opts:
                raise IPVSError('%s: more than one command (%s)' % (where, tok))
            opts['op'] = OPS[tok]
        elif tok in SERVICE_FLAGS:
            if i + 1 >= len(tokens):
                raise IPVSError('%s: %s needs a value' % (where, tok))
            opts['proto'] = SERVICE_FLAGS[tok]
            opts['svc'] = tokens[i + 1]
            i += 1
        elif tok in ('-r', '--real-server'):
            if i + 1 >= len(tokens):
                raise IPVSError('%s: %s needs a value' % (where, tok))
            opts['server'] = tokens[i + 1]
            i += 1
        elif tok in OPTION_SWITCHES:
            opt, fixed = OPTION_SWITCHES[tok]
            if fixed is not None:
                opts[opt.name] = fixed
            elif opt.bare is not None and not opt.optional_value:
                opts[opt.name] = opt.bare
            elif i + 1 < len(tokens) and (not opt.optional_value or _digits(tokens[i + 1])):
                opts[opt.name] = tokens[i + 1]
                i += 1
            elif opt.optional_value:
                opts[opt.name] = opt.bare
            else:
                raise IPVSError('%s: %s needs a value' % (where, tok))
        elif tok in BOOL_OPTS:
            opts[BOOL_OPTS[tok]] = True
        else:
            raise IPVSError('%s: unknown option %r' % (where, tok))
        i += 1
    return opts


def _service_from_options(opts: Dict[str, Any], where: str) -> Service:
    proto = opts.get('proto')
    if proto is None:
        raise IPVSError('%s: no service given (-t, -u, --sctp-service or -f)' % where)
    if proto == 'fwmark':
        mark = _number(opts['svc'], where, 'fwmark')
        if mark < 0:  # ipvsadm 1.31 prints fwmarks >= 2^31 as negative numbers
            mark += 1 << 32
        if mark < 1 or mark > 0xFFFFFFFF:
            raise IPVSError('%s: fwmark %s is out of range 1-4294967295' % (where, opts['svc']))
        return Service(protocol='fwmark', family='ipv6' if opts.get('ipv6') else 'ipv4', fwmark=mark)
    addr, port = split_addrport(opts['svc'], where)
    if port is None:
        raise IPVSError('%s: service %r has no port' % (where, opts['svc']))
    return Service(protocol=proto, family=addr_family(addr), address=addr, port=port)


def _fill_service_options(svc: Service, opts: Dict[str, Any], where: str) -> None:
    path = where + ': '
    for opt in SERVICE_OPTIONS:
        setattr(svc, opt.name, opt.parse(opts.get(opt.name), svc, path))


def _dest_from_options(svc: Service, opts: Dict[str, Any], where: str, need_options: bool = True) -> Destination:
    if 'server' not in opts:
        raise IPVSError('%s: no real server given (-r)' % where)
    fwd = opts.get('forwarding', 'dr')
    addr, port = split_addrport(opts['server'], where)
    if svc.protocol == 'fwmark':
        port = port if port is not None else 0
    elif port is None or (need_options and fwd != 'nat'):
        port = svc.port  # ipvsadm uses the service port unless masquerading
    dest = Destination(address=addr, port=port, forwarding=fwd)
    if need_options:
        path = where + ': '
        for opt in DEST_OPTIONS:
            setattr(dest, opt.name, opt.parse(opts.get(opt.name), dest, path))
    return dest


def parse_rule(line: str, lineno: int = 0) -> Optional[Command]:
    """Parse one rule line; blank lines give None."""
    tokens = line.split()
    if not tokens:
        return None
    where = 'line %d' % lineno if lineno else 'rule %r' % line.strip()
    if tokens[0] == 'ipvsadm':
        tokens = tokens[1:]
    opts = _tokens_to_options(tokens, where)
    op = opts.get('op')
    if op is None:
        raise IPVSError('%s: no command (-A, -E, -D, -a, -e, -d or -C) in %r' % (where, line.strip()))
    cmd = Command(op=op, line=lineno, text=line.strip())
    if op == 'clear':
        return cmd
    cmd.service = _service_from_options(opts, where)
    if op in ('add-service', 'edit-service', 'delete-service'):
        extra = [k for k in SERVER_ONLY if k in opts]
        if extra:
            raise IPVSError('%s: real-server option(s) %s with %s' % (where, ', '.join(extra), op))
        if op != 'delete-service':
            _fill_service_options(cmd.service, opts, where)
        return cmd
    extra = [k for k in SERVICE_ONLY if k in opts]
    if extra:
        raise IPVSError('%s: service option(s) %s with %s' % (where, ', '.join(extra), op))
    cmd.dest = _dest_from_options(cmd.service, opts, where, need_options=(op != 'delete-server'))
    return cmd


def parse_rules(text: str) -> List[Command]:
    commands = []
    for lineno, line in enumerate(text.splitlines(), 1):
        cmd = parse_rule(line, lineno)
        if cmd is not None:
            commands.append(cmd)
    return commands


def _by_key(items) -> Dict[Any, Any]:
    """*items* as an ordered {key: item} dict; a repeated key (never in a kernel table) gets a private
    key so the item keeps its place but, as with a linear search, only the first one is found."""
    result: Dict[Any, Any] = {}
    for item in items:
        key = item.key
        result[('\0duplicate', len(result)) if key in result else key] = item
    return result


def apply_commands(table: Table, commands: List[Command]) -> Table:
    """Replay *commands* on a copy of *table* the way the kernel would; errors raise IPVSError.

    Linear: services and the real servers of every service that a command touches are held in
    ordered dicts by key while replaying (a dict keeps insertion order like the kernel's list: an
    edit keeps the place, an add goes to the end).  The result shares nothing with *table*.
    """
    services = _by_key(svc.clone() for svc in table.services)
    dest_maps: Dict[int, Tuple[Service, Dict[Any, Destination]]] = {}
    for cmd in commands:
        where = 'line %d' % cmd.line if cmd.line else repr(cmd.text)
        if cmd.op == 'clear':
            services = {}
            continue
        key = cmd.service.key
        live = services.get(key)
        if cmd.op == 'add-service':
            if live is not None:
                raise IPVSError('%s: service %s already exists' % (where, cmd.service.label))
            services[key] = cmd.service.clone()
        elif live is None:
            raise IPVSError('%s: no such service %s' % (where, cmd.service.label))
        elif cmd.op == 'edit-service':
            for name in SERVICE_FIELDS:
                setattr(live, name, getattr(cmd.service, name))
        elif cmd.op == 'delete-service':
            del services[key]
        else:
            entry = dest_maps.get(id(live))
            if entry is None:
                entry = dest_maps[id(live)] = (live, _by_key(live.destinations))
            dests = entry[1]
            dkey = cmd.dest.key
            dest = dests.get(dkey)
            if cmd.op == 'add-server':
                if dest is not None:
                    raise IPVSError('%s: destination %s already exists in %s' % (where, cmd.dest.name, live.label))
                dests[dkey] = cmd.dest.clone()
            elif dest is None:
                raise IPVSError('%s: no such destination %s in %s' % (where, cmd.dest.name, live.label))
            elif cmd.op == 'edit-server':
                dests[dkey] = cmd.dest.clone()
            else:
                del dests[dkey]
    for svc, dests in dest_maps.values():
        svc.destinations = KeyedList(dests.values())
    return Table(services=KeyedList(services.values()))


def parse_save(text: str) -> Table:
    """Parse ``ipvsadm -Sn`` output (or any rules text) into a Table."""
    return apply_commands(Table(), parse_rules(text))


# --------------------------------------------------------------------------- -Ln listings

def listing_service_key(tokens: List[str]) -> Tuple[Tuple[Any, ...], int]:
    """Key of a listing service line and the number of tokens it used."""
    proto = PROTO_NAMES.get(tokens[0])
    if proto is None:
        raise IPVSError('unknown protocol %r in ipvsadm listing' % tokens[0])
    if proto == 'fwmark':
        mark = int(tokens[1])
        if mark < 0:
            mark += 1 << 32
        if len(tokens) > 2 and tokens[2] == 'IPv6':
            return ('fwmark', 'ipv6', mark), 3
        return ('fwmark', 'ipv4', mark), 2
    addr, port = split_addrport(tokens[1], 'ipvsadm listing')
    return (proto, addr, port), 2


def parse_version(text: str) -> Dict[str, Any]:
    match = re.search(r'IP Virtual Server version (\S+) \(size=(\d+)\)', text)
    if not match:
        return {}
    return {'version': match.group(1), 'size': int(match.group(2))}


def parse_listing(text: str) -> List[Dict[str, Any]]:
    """Parse any ``ipvsadm -Ln`` style listing.

    Returns ``[{'key': service-key, 'fields': [tokens after the service], 'dests': [{'name': str,
    'fields': [...]}]}]``.  Real-server names of IPv4 services are cut to 28 characters by ipvsadm,
    so callers match real servers by position (the listings share one sort order).
    """
    entries: List[Dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith('IP Virtual Server') or line.startswith('Prot '):
            continue
        if line.startswith('  -> '):
            tokens = line[5:].split()
            if not tokens or tokens[0] == 'RemoteAddress:Port':
                continue
            if not entries:
                raise IPVSError('real server line before any service in ipvsadm listing: %r' % line)
            entries[-1]['dests'].append({'name': tokens[0], 'fields': tokens[1:]})
            continue
        tokens = line.split()
        key, used = listing_service_key(tokens)
        entries.append({'key': key, 'fields': tokens[used:], 'dests': []})
    return entries


def _match_dests(svc: Service, entry: Dict[str, Any]):
    """Yield (Destination, listing dest) pairs, by position with a name check, else by name."""
    listed = entry['dests']
    for index, dest in enumerate(svc.destinations):
        item = listed[index] if index < len(listed) else None
        if item is None or not dest.name.startswith(item['name']):
            item = next((d for d in listed if d['name'] == dest.name), None)
        if item is not None:
            yield dest, item


def merge_thresholds(table: Table, text: str) -> Table:
    """Fill upper/lower thresholds (absent from ``-Sn``) from ``ipvsadm -Ln --thresholds``."""
    entries = {e['key']: e for e in parse_listing(text)}
    for svc in table.services:
        entry = entries.get(svc.key)
        if entry is None:
            continue
        for dest, item in _match_dests(svc, entry):
            if len(item['fields']) >= 2 and _digits(item['fields'][0]) and _digits(item['fields'][1]):
                dest.upper_threshold = int(item['fields'][0])
                dest.lower_threshold = int(item['fields'][1])
    return table


def parse_connections(text: str) -> Dict[Tuple[Any, ...], Dict[str, Any]]:
    """Active/inactive connection counts per real server from ``-Ln --thresholds``."""
    result: Dict[Tuple[Any, ...], Dict[str, Any]] = {}
    for entry in parse_listing(text):
        dests = []
        for item in entry['dests']:
            fields = item['fields']
            dests.append({'name': item['name'],
                          'active_conns': int(fields[-2]) if len(fields) >= 4 else None,
                          'inactive_conns': int(fields[-1]) if len(fields) >= 4 else None})
        result[entry['key']] = {'dests': dests}
    return result


STATS_FIELDS = ('conns', 'inpkts', 'outpkts', 'inbytes', 'outbytes')
RATE_FIELDS = ('cps', 'inpps', 'outpps', 'inbps', 'outbps')


def _counter(value: str) -> int:
    """``--exact`` gives plain numbers; without it ipvsadm abbreviates with K, M, G, T."""
    scale = {'K': 10 ** 3, 'M': 10 ** 6, 'G': 10 ** 9, 'T': 10 ** 12}
    if value and value[-1] in scale:
        return int(float(value[:-1]) * scale[value[-1]])
    return int(value)


def parse_counters(text: str, names=STATS_FIELDS) -> Dict[Tuple[Any, ...], Dict[str, Any]]:
    """``-Ln --stats --exact`` / ``-Ln --rate --exact`` -> {service-key: {'total': {...}, 'dests': [...]}}."""
    result: Dict[Tuple[Any, ...], Dict[str, Any]] = {}
    for entry in parse_listing(text):
        values = entry['fields'][-len(names):]
        total = dict(zip(names, (_counter(v) for v in values)))
        dests = [{'name': d['name'], 'counters': dict(zip(names, (_counter(v) for v in d['fields'][-len(names):])))}
                 for d in entry['dests']]
        result[entry['key']] = {'total': total, 'dests': dests}
    return result


def parse_timeout(text: str) -> Dict[str, int]:
    match = re.search(r'Timeout \(tcp tcpfin udp\):\s+(\d+)\s+(\d+)\s+(\d+)', text)
    if not match:
        raise IPVSError('cannot parse ipvsadm --timeout output: %r' % text.strip())
    return {'tcp': int(match.group(1)), 'tcpfin': int(match.group(2)), 'udp': int(match.group(3))}


DAEMON_KEYS = {'mcast': 'mcast_interface', 'syncid': 'syncid', 'maxlen': 'sync_maxlen', 'group': 'mcast_group',
               'port': 'mcast_port', 'ttl': 'mcast_ttl'}


def parse_daemon(text: str) -> List[Dict[str, Any]]:
    """``ipvsadm -Ln --daemon`` -> [{'state': 'master', 'mcast_interface': 'eth0', 'syncid': 7, ...}]."""
    daemons = []
    for line in text.splitlines():
        match = re.match(r'\s*(master|backup) sync daemon \((.*)\)\s*$', line)
        if not match:
            continue
        item: Dict[str, Any] = {'state': match.group(1)}
        for pair in match.group(2).split(','):
            if '=' not in pair:
                continue
            key, value = pair.strip().split('=', 1)
            name = DAEMON_KEYS.get(key, key)
            item[name] = int(value) if _digits(value) and name != 'mcast_interface' else value
        daemons.append(item)
    return daemons
