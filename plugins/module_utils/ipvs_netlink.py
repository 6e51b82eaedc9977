# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read the IPVS table over generic netlink (family ``IPVS``), the interface ipvsadm itself uses.

One service dump plus one real-server dump per service give everything ``ipvsadm -Sn`` and
``ipvsadm -Ln --thresholds`` print together, without starting a process or formatting text, and
the result is normalised exactly as :func:`ipvs_parse.parse_save` normalises ``-Sn``: the unit tests
compare both on the same recorded kernel state.  Services and real servers are sorted exactly the way
ipvsadm sorts them (:func:`ipvsadm_sort`), so results list them in the order ``ipvsadm -Ln`` does.

Changes go the same way (:func:`apply`): each planned rule line becomes the request ipvsadm itself
would send, many requests per send, and only the last request of each send asks for an
acknowledgement (the kernel answers an error for any request it refuses, in order), where ``ipvsadm -R``
sends one request and waits for its acknowledgement at a time.  A failure before anything was sent
(no netlink, no IPVS family, permission) raises :class:`NetlinkError` and the caller falls back to
ipvsadm, saying so; requests the kernel refused are returned with the kernel's reason.

The I/O is one small class, :class:`Channel`, so recorded conversations can replace the kernel in
unit tests (``Replay`` in tests/unit/netlink_replay.py, keyed by :func:`request_key`).
"""

from __future__ import annotations

import os
import socket
import struct
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import Destination, KeyedList, Service, Table
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_options import (
    DEST_OPTIONS,
    SERVICE_OPTIONS,
    SVC_FLAGS,
    Option,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_values import (
    FLAG_NAMES,
    GENERIC_FLAGS,
    format_addr,
    normalise_netmask,
)

NETLINK_GENERIC = 16
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
NLA_TYPE_MASK = 0x3FFF

IPVS_GENL_NAME, IPVS_GENL_VERSION = b'IPVS\0', 1
IPVS_CMD_NEW_SERVICE, IPVS_CMD_SET_SERVICE, IPVS_CMD_DEL_SERVICE, IPVS_CMD_GET_SERVICE = 1, 2, 3, 4
IPVS_CMD_NEW_DEST, IPVS_CMD_SET_DEST, IPVS_CMD_DEL_DEST, IPVS_CMD_GET_DEST = 5, 6, 7, 8
IPVS_CMD_FLUSH = 17
IPVS_CMD_ATTR_SERVICE, IPVS_CMD_ATTR_DEST = 1, 2
# the attributes of a service's and a real server's key (the options' attributes are in ipvs_options)
SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT, SVC_FWMARK = range(1, 6)
DEST_ADDR, DEST_PORT, DEST_AF = 1, 2, 11
PROTOCOLS = {6: 'tcp', 17: 'udp', 132: 'sctp'}
PROTO_NUMBERS = {'tcp': 6, 'udp': 17, 'sctp': 132}

_HDR = struct.Struct('=IHHII')  # nlmsghdr: len, type, flags, seq, pid
_GENL = struct.Struct('=BBH')  # genlmsghdr: cmd, version, reserved
_ATTR = struct.Struct('=HH')  # nlattr: len, type
_U16 = struct.Struct('=H')
_U32 = struct.Struct('=I')
_BE16 = struct.Struct('>H')
_BE32 = struct.Struct('>I')
_FLAGS = struct.Struct('=II')
_U8 = struct.Struct('=B')
RECV_SIZE = 1 << 16
# requests per send: their acknowledgements and errors (36 bytes each, the request is not echoed on success)
# stay far below the socket's receive buffer, and the send below its send buffer
BATCH = 256


class NetlinkError(Exception):
    """Netlink is not possible or a reply is malformed; fall back to ipvsadm unless PARTIAL (requests were
    sent: the table may be partly changed)."""

    def __init__(self, message: str, partial: bool = False) -> None:
        super().__init__(message)
        self.partial = partial


def _align(n: int) -> int:
    return (n + 3) & ~3


def attr(kind: int, payload: bytes) -> bytes:
    """One netlink attribute, padded to 4 bytes."""
    data = _ATTR.pack(_ATTR.size + len(payload), kind) + payload
    return data + b'\0' * (_align(len(data)) - len(data))


def attrs(data: bytes, offset: int = 0, end: Optional[int] = None) -> Dict[int, bytes]:
    """{type: payload} of the attributes in data[offset:end]."""
    end = len(data) if end is None else end
    result = {}
    unpack = _ATTR.unpack_from
    while offset + 4 <= end:
        length, kind = unpack(data, offset)
        if length < 4 or offset + length > end:
            raise NetlinkError('malformed netlink attribute (length %d at offset %d)' % (length, offset))
        result[kind & NLA_TYPE_MASK] = data[offset + 4:offset + length]
        offset += _align(length)
    return result


def _string(payload: bytes) -> str:
    return payload.split(b'\0', 1)[0].decode('ascii', 'replace')


def _address(family: int, payload: bytes) -> str:
    if family == socket.AF_INET6:
        return format_addr(socket.inet_ntop(socket.AF_INET6, payload[:16]))
    return socket.inet_ntoa(payload[:4])


class Channel:
    """A generic netlink socket: resolve a family, send a request, collect the replies."""

    def __init__(self):
        try:
            self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
            self.sock.bind((0, 0))
        except (OSError, AttributeError) as exc:  # AttributeError: no AF_NETLINK on this platform
            raise NetlinkError('cannot open a generic netlink socket: %s' % exc) from None
        self.seq = 0
        self.buf = bytearray(RECV_SIZE)

    def close(self) -> None:
        self.sock.close()

    def request(self, family: int, cmd: int, version: int, payload: bytes = b'', dump: bool = False) -> List[bytes]:
        """Send one request; return the payload (after the genl header) of every reply message."""
        self.seq += 1
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        body = _GENL.pack(cmd, version, 0) + payload
        try:
            self.sock.send(_HDR.pack(_HDR.size + len(body), family, flags, self.seq, 0) + body)
        except OSError as exc:
            raise NetlinkError('netlink send failed: %s' % exc) from None
        return self._replies(dump)

    def _messages(self):
        """Every message the kernel sends from now on, as (kind, seq, message bytes): received a datagram at a
        time, for as long as the caller reads."""
        view = memoryview(self.buf)
        while True:
            try:
                size = self.sock.recv_into(view)
            except OSError as exc:
                raise NetlinkError('netlink receive failed: %s' % exc) from None
            data = bytes(view[:size])
            offset = 0
            while offset + _HDR.size <= size:
                length, kind, _flags, seq, _pid = _HDR.unpack_from(data, offset)
                if length < _HDR.size or offset + length > size:
                    raise NetlinkError('malformed netlink message (length %d)' % length)
                yield kind, seq, data[offset:offset + length]
                offset += _align(length)

    @staticmethod
    def _errno(message: bytes) -> int:
        """The error number of an NLMSG_ERROR message (0: an acknowledgement)."""
        return -struct.unpack_from('=i', message, _HDR.size)[0]

    def _replies(self, dump: bool) -> List[bytes]:
        replies: List[bytes] = []
        for kind, seq, message in self._messages():
            if seq != self.seq:
                continue
            if kind == NLMSG_DONE:
                return replies
            if kind == NLMSG_ERROR:
                code = self._errno(message)
                if code == 0 and not dump:
                    return replies
                raise NetlinkError('netlink request failed: %s' % os.strerror(code))
            replies.append(message[_HDR.size + _GENL.size:])
        return replies  # not reached: _messages() ends only by an exception

    def send_many(self, family: int, version: int, requests: List[Tuple[int, bytes]]) -> List[Tuple[int, int]]:
        """Send REQUESTS ((cmd, attributes) each) in one send, only the last asking for an acknowledgement;
        returns (index, errno) of each request the kernel refused. The kernel handles the requests of a send in
        order and answers an error for each it refuses, so the last one's answer ends the batch."""
        if not requests:
            return []
        first = self.seq + 1
        parts = []
        for i, (cmd, payload) in enumerate(requests):
            self.seq += 1
            body = _GENL.pack(cmd, version, 0) + payload
            flags = NLM_F_REQUEST | (NLM_F_ACK if i == len(requests) - 1 else 0)
            parts.append(_HDR.pack(_HDR.size + len(body), family, flags, self.seq, 0) + body)
        try:
            self.sock.send(b''.join(parts))
        except OSError as exc:
            raise NetlinkError('netlink send failed: %s' % exc) from None
        refused = []
        for kind, seq, message in self._messages():
            if kind == NLMSG_ERROR and first <= seq <= self.seq:
                code = self._errno(message)
                if code:
                    refused.append((seq - first, code))
                if seq == self.seq:
                    return refused
        return refused  # not reached: _messages() ends only by an exception

    def family(self, name: bytes) -> int:
        """Numeric id of a generic netlink family."""
        label = name.rstrip(b'\0').decode()
        try:
            replies = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, attr(CTRL_ATTR_FAMILY_NAME, name))
        except NetlinkError as exc:
            raise NetlinkError('generic netlink family %s not found (%s)' % (label, exc)) from None
        for reply in replies:
            found = attrs(reply).get(CTRL_ATTR_FAMILY_ID)
            if found is not None:
                return _U16.unpack_from(found)[0]
        raise NetlinkError('generic netlink family %s not found' % label)


def request_key(cmd: int, payload: bytes) -> str:
    """How recordings name a request: command number and the request's attributes in hex."""
    return '%d:%s' % (cmd, payload.hex())


# --------------------------------------------------------------------------- the options' codec (ipvs_options.Netlink)

_PACK = {'u8': _U8, 'u16': _U16, 'u32': _U32, 'be16': _BE16}


def _encode_options(obj: Any, options) -> Tuple[int, bytes]:
    """(the service flag bits, the attributes) that carry OBJ's OPTIONS."""
    flags, out = 0, b''
    for opt in options:
        nl = opt.netlink
        if not opt.applies(obj):
            continue
        value = getattr(obj, opt.name)
        if nl.fmt == 'sched_flags':  # one bit per flag, from bit nl.flag, named per scheduler
            names = FLAG_NAMES.get(obj.scheduler, GENERIC_FLAGS)
            flags |= sum(1 << (nl.flag + names.index(f)) for f in value if f in names)
            continue
        if nl.flag and value:
            flags |= nl.flag
        if nl.attr is None or (not value and not nl.always):
            continue
        if nl.fmt == 'str':
            payload = str(value).encode('ascii') + b'\0'
        elif nl.fmt == 'netmask':
            payload = (_U32.pack(int(value or 128)) if obj.family == 'ipv6'
                       else socket.inet_aton(value or '255.255.255.255'))
        else:
            if value is None:
                value = opt.check(None, obj, '')
            payload = _PACK[nl.fmt].pack(nl.codes[value] if nl.codes else value)
        out += attr(nl.attr, payload)
    return flags, out


def _decode_option(opt: Option, obj: Any, a: Dict[int, bytes], flags: int) -> Any:
    """OPT's value of OBJ from the attributes A and the service flag bits FLAGS of a reply; the options before
    it are already set on OBJ."""
    nl = opt.netlink
    if not opt.applies(obj):
        return None
    if nl.fmt == 'sched_flags':
        names = FLAG_NAMES.get(obj.scheduler, GENERIC_FLAGS)
        return tuple(names[bit] for bit in range(len(names)) if flags >> (nl.flag + bit) & 1)
    if nl.attr is None:
        return bool(flags & nl.flag)
    if nl.flag and not flags & nl.flag:  # the flag says the option is off
        return opt.default
    payload = a.get(nl.attr)
    if payload is None:  # not sent: the value the option takes when not given
        return opt.check(None, obj, '')
    if nl.fmt == 'str':
        return _string(payload) or opt.default
    if nl.fmt == 'netmask':
        if not obj.persistence:
            return None
        text = str(_U32.unpack_from(payload)[0]) if obj.family == 'ipv6' else socket.inet_ntoa(payload[:4])
        return normalise_netmask(text, obj.family, strict=False)
    number = _PACK[nl.fmt].unpack_from(payload)[0]
    if nl.mask:
        number &= nl.mask
    if nl.decode is not None:
        return nl.decode.get(number, opt.check(None, obj, ''))
    return number


# --------------------------------------------------------------------------- decoding

def decode_service(payload: bytes) -> Tuple[Service, bytes]:
    """A service reply -> (Service, the nested key attributes to ask for its real servers)."""
    outer = attrs(payload)
    nested = outer.get(IPVS_CMD_ATTR_SERVICE)
    if nested is None:
        raise NetlinkError('service reply without a service attribute')
    a = attrs(nested)
    try:
        af = _U16.unpack_from(a[SVC_AF])[0]
        family = 'ipv6' if af == socket.AF_INET6 else 'ipv4'
        if SVC_FWMARK in a and _U32.unpack_from(a[SVC_FWMARK])[0]:
            svc = Service(protocol='fwmark', family=family, fwmark=_U32.unpack_from(a[SVC_FWMARK])[0])
            key = attr(SVC_AF, a[SVC_AF]) + attr(SVC_FWMARK, a[SVC_FWMARK])
        else:
            proto = _U16.unpack_from(a[SVC_PROTOCOL])[0]
            if proto not in PROTOCOLS:
                raise NetlinkError('service with unknown protocol %d' % proto)
            svc = Service(protocol=PROTOCOLS[proto], family=family, address=_address(af, a[SVC_ADDR]),
                          port=_BE16.unpack_from(a[SVC_PORT])[0])
            key = b''.join(attr(k, a[k]) for k in (SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT))
        flags = _FLAGS.unpack_from(a[SVC_FLAGS])[0]
        for opt in SERVICE_OPTIONS:
            setattr(svc, opt.name, _decode_option(opt, svc, a, flags))
    except (KeyError, IndexError, struct.error) as exc:
        raise NetlinkError('service reply without a valid attribute %s' % exc) from None
    return svc, key


def decode_dest(svc: Service, payload: bytes) -> Destination:
    """A real-server reply of *svc* -> Destination, normalised like ``parse_save``."""
    nested = attrs(payload).get(IPVS_CMD_ATTR_DEST)
    if nested is None:
        raise NetlinkError('real-server reply without a destination attribute')
    a = attrs(nested)
    try:
        af = _U16.unpack_from(a[DEST_AF])[0] if DEST_AF in a else (
            socket.AF_INET6 if svc.family == 'ipv6' else socket.AF_INET)
        port = _BE16.unpack_from(a[DEST_PORT])[0]
        dest = Destination(address=_address(af, a[DEST_ADDR]), port=port)
        for opt in DEST_OPTIONS:
            setattr(dest, opt.name, _decode_option(opt, dest, a, 0))
        if svc.protocol != 'fwmark' and dest.forwarding != 'nat':
            dest.port = svc.port
    except (KeyError, IndexError, struct.error) as exc:
        raise NetlinkError('real-server reply without a valid attribute %s' % exc) from None
    return dest


def _int32(value: int) -> int:
    """C's conversion of an unsigned 32-bit difference to int (wraps at 2^31)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _words(address: Optional[str]) -> Tuple[int, Tuple[int, ...]]:
    """(AF, the address as four host-order 32-bit words of a zero-padded nf_inet_addr)."""
    if address is None:
        return 0, (0, 0, 0, 0)
    if ':' in address:
        return socket.AF_INET6, struct.unpack('>4I', socket.inet_pton(socket.AF_INET6, address))
    return socket.AF_INET, (*struct.unpack('>I', socket.inet_aton(address)), 0, 0, 0)


def _cmp_addr(af: int, a: Tuple[int, ...], b: Tuple[int, ...]) -> int:
    if af == socket.AF_INET6:
        for i in range(4):
            r = _int32(a[i] - b[i])
            if r:
                return r
        return 0
    return _int32(a[0] - b[0])


def service_sort_key(svc: Service) -> Tuple[int, int, int, Tuple[int, ...], int]:
    af = socket.AF_INET6 if svc.family == 'ipv6' else socket.AF_INET
    proto = 0 if svc.protocol == 'fwmark' else PROTO_NUMBERS[svc.protocol]
    return (svc.fwmark or 0, af, proto, _words(svc.address)[1], svc.port or 0)


def cmp_services(a, b) -> int:
    """libipvs' ipvs_cmp_services on service_sort_key tuples, C integer wrap-around included."""
    r = _int32(a[0] - b[0]) or a[1] - b[1] or a[2] - b[2] or _cmp_addr(a[1], a[3], b[3])
    return r or a[4] - b[4]


def dest_sort_key(dest: Destination) -> Tuple[int, Tuple[int, ...], int]:
    af, words = _words(dest.address)
    return (af, words, dest.port)


def cmp_dests(a, b) -> int:
    """libipvs' ipvs_cmp_dests: the first real server's family decides how addresses compare."""
    return _cmp_addr(a[0], a[1], b[1]) or a[2] - b[2]


def ipvsadm_sort(items: list, key: Callable[[Any], Any], cmp: Callable[[Any, Any], int]) -> list:
    """Sort like ipvsadm: glibc's qsort (a top-down merge sort up to glibc 2.36) with libipvs' comparator.

    The comparator wraps around for values 2^31 apart (fwmark 4294967295 sorts first), so no
    key-based sort reproduces the order; the same algorithm with the same comparisons does.
    """
    keyed = [(key(item), item) for item in items]

    def msort(part):
        if len(part) <= 1:
            return part
        half = len(part) // 2
        left, right = msort(part[:half]), msort(part[half:])
        merged, i, j = [], 0, 0
        while i < len(left) and j < len(right):
            if cmp(left[i][0], right[j][0]) <= 0:
                merged.append(left[i])
                i += 1
            else:
                merged.append(right[j])
                j += 1
        return merged + left[i:] + right[j:]

    return [item for _key, item in msort(keyed)]


# --------------------------------------------------------------------------- reading

def read_table(channel_factory: Optional[Callable[[], Any]] = None) -> Table:
    """The live IPVS table of this network namespace, thresholds included."""
    channel = (channel_factory or Channel)()
    try:
        family = channel.family(IPVS_GENL_NAME)
        services = []
        for reply in channel.request(family, IPVS_CMD_GET_SERVICE, IPVS_GENL_VERSION, dump=True):
            svc, key = decode_service(reply)
            dests = [decode_dest(svc, r) for r in channel.request(
                family, IPVS_CMD_GET_DEST, IPVS_GENL_VERSION, attr(IPVS_CMD_ATTR_SERVICE | 0x8000, key), dump=True)]
            svc.destinations = KeyedList(ipvsadm_sort(dests, dest_sort_key, cmp_dests))
            services.append(svc)
        return Table(services=KeyedList(ipvsadm_sort(services, service_sort_key, cmp_services)))
    finally:
        channel.close()


# --------------------------------------------------------------------------- writing

def _af(family: str) -> int:
    return socket.AF_INET6 if family == 'ipv6' else socket.AF_INET


def _addr16(address: str) -> bytes:
    """An address as the kernel's union nf_inet_addr (16 bytes, IPv4 zero-padded), as libipvs sends it."""
    if ':' in address:
        return socket.inet_pton(socket.AF_INET6, address)
    return socket.inet_aton(address) + b'\0' * 12


def service_key(svc: Service) -> bytes:
    """The attributes that name SVC: its family and firewall mark, or its protocol, address and port."""
    af = _U16.pack(_af(svc.family))
    if svc.protocol == 'fwmark':
        return attr(SVC_AF, af) + attr(SVC_FWMARK, _U32.pack(svc.fwmark or 0))
    return (attr(SVC_AF, af) + attr(SVC_PROTOCOL, _U16.pack(PROTO_NUMBERS[svc.protocol]))
            + attr(SVC_ADDR, _addr16(svc.address or '')) + attr(SVC_PORT, _BE16.pack(svc.port or 0)))


def service_attrs(svc: Service) -> bytes:
    """SVC's key and options, as ipvsadm -A/-E sends them (decode_service reads the same attributes)."""
    flags, out = _encode_options(svc, SERVICE_OPTIONS)
    return service_key(svc) + out + attr(SVC_FLAGS, _FLAGS.pack(flags, 0xFFFFFFFF))


def dest_attrs(dest: Destination, full: bool = True) -> bytes:
    """DEST's address and port, and with FULL its options, as ipvsadm -a/-e sends them."""
    af = socket.AF_INET6 if ':' in dest.address else socket.AF_INET
    out = attr(DEST_ADDR, _addr16(dest.address)) + attr(DEST_PORT, _BE16.pack(dest.port or 0))
    out += attr(DEST_AF, _U16.pack(af))
    if full:
        out += _encode_options(dest, DEST_OPTIONS)[1]
    return out


NESTED = 0x8000  # NLA_F_NESTED
SERVICE_COMMANDS = {'add-service': IPVS_CMD_NEW_SERVICE, 'edit-service': IPVS_CMD_SET_SERVICE}
DEST_COMMANDS = {'add-server': IPVS_CMD_NEW_DEST, 'edit-server': IPVS_CMD_SET_DEST, 'delete-server': IPVS_CMD_DEL_DEST}


def encode(command: Any) -> Tuple[int, bytes]:
    """(IPVS command, its attributes) for one parsed rule line (ipvs_parse.Command)."""
    op = command.op
    if op == 'clear':
        return IPVS_CMD_FLUSH, b''
    if op == 'delete-service':
        return IPVS_CMD_DEL_SERVICE, attr(IPVS_CMD_ATTR_SERVICE | NESTED, service_key(command.service))
    if op in SERVICE_COMMANDS:
        return SERVICE_COMMANDS[op], attr(IPVS_CMD_ATTR_SERVICE | NESTED, service_attrs(command.service))
    if op in DEST_COMMANDS:
        return DEST_COMMANDS[op], (attr(IPVS_CMD_ATTR_SERVICE | NESTED, service_key(command.service))
                                   + attr(IPVS_CMD_ATTR_DEST | NESTED,
                                          dest_attrs(command.dest, full=op != 'delete-server')))
    raise NetlinkError('no netlink request for %r' % op)


def apply(commands: List[Any], channel_factory: Optional[Callable[[], Any]] = None,
          batch: int = BATCH) -> List[Tuple[Any, int]]:
    """Send COMMANDS (parsed rule lines) to the kernel, BATCH requests per send; returns the (command, errno)
    of each request the kernel refused (the others are applied, as ipvsadm -R carries on). NetlinkError when
    nothing could be sent (no socket, no IPVS family), partial when a send or its answers failed."""
    channel = (channel_factory or Channel)()
    try:
        family = channel.family(IPVS_GENL_NAME)
        requests = [encode(c) for c in commands]
        refused = []
        for start in range(0, len(commands), batch):
            try:
                answers = channel.send_many(family, IPVS_GENL_VERSION, requests[start:start + batch])
            except NetlinkError as exc:
                raise NetlinkError(str(exc), partial=True) from None
            refused.extend((commands[start + index], code) for index, code in answers)
        return refused
    finally:
        channel.close()
