# SPDX-License-Identifier: GPL-3.0-or-later
"""ipvs_netlink's writer: the requests it builds carry what the recorded kernel replies carry (every service and
real server of the lab kernel's recordings, encoded and decoded again), many requests per send, the kernel's
refusals matched to their rule lines, and the runner's fallback to ipvsadm -R never silent."""

from __future__ import annotations

import errno
import struct

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_netlink as nl
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_parse import parse_rules
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_render import render_table
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.test_ipvs_netlink import (
    _host,
    replay,
)


def recorded_table(name):
    channel = replay(name)
    return nl.read_table(lambda: channel)


@pytest.mark.parametrize('name', ['services', 'dests'])
def test_every_recorded_service_and_real_server_encodes_to_what_the_kernel_reports(name):
    table = recorded_table(name)
    for svc in table.services:
        decoded, key = nl.decode_service(nl.attr(nl.IPVS_CMD_ATTR_SERVICE | nl.NESTED, nl.service_attrs(svc)))
        for field in ('protocol', 'family', 'address', 'port', 'fwmark', 'scheduler', 'sched_flags', 'persistence',
                      'netmask', 'persistence_engine', 'one_packet'):
            assert getattr(decoded, field) == getattr(svc, field), (svc.label, field)
        assert key == nl.service_key(svc)
        for dest in svc.destinations:
            back = nl.decode_dest(svc, nl.attr(nl.IPVS_CMD_ATTR_DEST | nl.NESTED, nl.dest_attrs(dest)))
            assert back == dest, (svc.label, dest)


def test_every_rule_line_has_a_request():
    table = recorded_table('dests')
    lines = ['-C', *render_table(table)]
    svc, dest = table.services[0], table.services[0].destinations[0]
    lines += ['-E %s -s rr' % svc.name, '-e %s -r %s -w 3' % (svc.name, dest.name), '-d %s -r %s' % (svc.name,
              dest.name), '-D %s' % svc.name]
    kinds = [nl.encode(c)[0] for c in parse_rules('\n'.join(lines))]
    assert kinds[0] == nl.IPVS_CMD_FLUSH and kinds[-4:] == [
        nl.IPVS_CMD_SET_SERVICE, nl.IPVS_CMD_SET_DEST, nl.IPVS_CMD_DEL_DEST, nl.IPVS_CMD_DEL_SERVICE]
    assert set(kinds[1:-4]) == {nl.IPVS_CMD_NEW_SERVICE, nl.IPVS_CMD_NEW_DEST}


class Kernel:
    """A socket that answers as the kernel does: an error for each refused request (by position in the send),
    and an acknowledgement for the last one of a send when it was not refused."""

    def __init__(self, refuse):
        self.refuse, self.sends, self.answers, self.position = refuse, [], [], 0

    def send(self, data):
        self.sends.append(data)
        offset = 0
        while offset < len(data):
            length, _kind, flags, seq, _pid = nl._HDR.unpack_from(data, offset)
            code = self.refuse.get(self.position, 0)
            if code or flags & nl.NLM_F_ACK:
                body = struct.pack('=i', -code) + data[offset:offset + nl._HDR.size]
                self.answers.append(nl._HDR.pack(nl._HDR.size + len(body), nl.NLMSG_ERROR, 0, seq, 0) + body)
            self.position += 1
            offset += nl._align(length)
        return len(data)

    def recv_into(self, view):
        data = self.answers.pop(0)
        view[:len(data)] = data
        return len(data)

    def close(self):
        pass


CHANNEL = nl.Channel  # the runner's tests replace it in the module


def channel(kernel):
    ch = CHANNEL.__new__(CHANNEL)
    ch.sock, ch.seq, ch.buf = kernel, 0, bytearray(nl.RECV_SIZE)
    ch.family = lambda name: 99
    return ch


def test_many_requests_per_send_and_the_refused_ones_by_line():
    commands = parse_rules('\n'.join(render_table(recorded_table('dests'))))
    assert len(commands) > 20
    kernel = Kernel({3: errno.EEXIST, 20: errno.ENOENT})
    refused = nl.apply(commands, lambda: channel(kernel), batch=8)
    assert len(kernel.sends) == -(-len(commands) // 8)  # one send per 8 requests
    assert [(c.text, code) for c, code in refused] == [(commands[3].text, errno.EEXIST),
                                                       (commands[20].text, errno.ENOENT)]
    assert kernel.answers == []  # every answer read, none left for the next request


def test_a_refused_last_request_ends_its_send():
    commands = parse_rules('-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s rr')
    kernel = Kernel({1: errno.EEXIST})
    assert [(c.line, code) for c, code in nl.apply(commands, lambda: channel(kernel))] == [(2, errno.EEXIST)]
    assert len(kernel.sends) == 1 and kernel.answers == []


MODPROBE = {'-n ip_vs_rr': '', '-n ip_vs_wlc': ''}  # the schedulers checked before the batch


def test_the_runner_writes_over_netlink_and_names_what_the_kernel_refused(monkeypatch):
    kernel = Kernel({1: errno.ENOENT})
    host = _host(monkeypatch, lambda: channel(kernel), MODPROBE)
    with pytest.raises(AssertionError) as failed:
        host.apply(['-A -t 10.0.0.1:80 -s rr', '-A -t 10.0.0.2:80 -s wlc'])
    assert host.writer == 'netlink' and not [c for c in host.module.calls if c not in MODPROBE]
    assert failed.value.args[0]['msg'] == (
        'the kernel refused 1 of the 2 changes: -A -t 10.0.0.2:80 -s wlc: Scheduler or persistence engine not '
        'found. The others were applied.')


def test_the_runner_falls_back_to_ipvsadm_and_says_so(monkeypatch):
    def broken():
        raise nl.NetlinkError('cannot open a generic netlink socket: denied')

    host = _host(monkeypatch, broken, dict(MODPROBE, **{'-R': ''}))
    host.apply(['-A -t 10.0.0.1:80 -s rr'])
    assert host.writer == 'ipvsadm' and [c for c in host.module.calls if c not in MODPROBE] == ['-R']
    assert host.module.warnings == ['IPVS changes applied with ipvsadm -R: generic netlink failed (cannot open a '
                                    'generic netlink socket: denied)']
