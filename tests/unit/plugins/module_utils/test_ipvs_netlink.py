# SPDX-License-Identifier: GPL-3.0-or-later
"""ipvs_netlink on generic-netlink replies recorded from the lab kernel (fixtures/record_netlink.py)."""

from __future__ import annotations

import json
import socket
import struct
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_netlink as nl
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import Service, Table
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_parse import merge_thresholds, parse_save
from ansible_collections.lvs.cluster.tests.unit.netlink_replay import Replay

RECORDING = json.loads((Path(__file__).resolve().parents[2] / 'fixtures' / 'netlink.json').read_text())
SETS = sorted(RECORDING['sets'])


def replay(name: str) -> Replay:
    rec = RECORDING['sets'][name]
    return Replay(rec['family_id'], {k: [bytes.fromhex(r) for r in v] for k, v in rec['replies'].items()})


def listed(name: str):
    rec = RECORDING['sets'][name]
    return merge_thresholds(parse_save(rec['save']), rec['thresholds'])


@pytest.mark.parametrize('name', SETS)
def test_netlink_table_equals_the_ipvsadm_listings_of_the_same_state(name):
    channel = replay(name)
    table = nl.read_table(lambda: channel)
    expected = listed(name)
    assert table.to_list() == expected.to_list()  # same services, real servers, options and order
    if name != 'empty':
        assert len(table.services) > 5


def test_the_recordings_cover_what_the_reader_must_decode():
    dests = listed('dests')
    services = listed('services')
    seen = {(d.forwarding, d.tun_type, d.tun_csum) for s in dests.services for d in s.destinations}
    assert {('nat', None, None), ('dr', None, None), ('tun', 'ipip', None), ('tun', 'gue', 'csum'),
            ('tun', 'gue', 'remcsum'), ('tun', 'gre', 'nocsum'), ('tun', 'gre', 'csum')} <= seen
    assert any(d.upper_threshold and d.lower_threshold for s in dests.services for d in s.destinations)
    assert {s.protocol for s in services.services} == {'tcp', 'udp', 'sctp', 'fwmark'}
    assert any(s.fwmark == 4294967295 for s in services.services)  # printed negative by ipvsadm
    assert any(s.netmask == '64' for s in services.services)
    assert any(s.persistence_engine == 'sip' and s.one_packet for s in services.services)


def test_one_real_server_dump_per_service():
    channel = replay('dests')
    table = nl.read_table(lambda: channel)
    assert len(channel.requests) == 1 + len(table.services)
    assert channel.requests[0].startswith('%d:' % nl.IPVS_CMD_GET_SERVICE)


def test_a_request_without_recording_is_a_netlink_error():
    channel = Replay(28, {})
    with pytest.raises(nl.NetlinkError, match='no recorded reply'):
        nl.read_table(lambda: channel)


def _service_reply(*attributes):
    """A service reply nesting the given (type, payload) attributes."""
    return nl.attr(nl.IPVS_CMD_ATTR_SERVICE | 0x8000, b''.join(nl.attr(k, v) for k, v in attributes))


def test_truncated_service_reply_names_the_problem():
    reply = _service_reply()
    with pytest.raises(nl.NetlinkError, match='service reply without a valid attribute'):
        nl.decode_service(reply)
    with pytest.raises(nl.NetlinkError, match='without a service attribute'):
        nl.decode_service(b'')


def test_malformed_attribute_length_is_rejected():
    with pytest.raises(nl.NetlinkError, match='malformed netlink attribute'):
        nl.attrs(struct.pack('=HH', 40, 1) + b'\0' * 4)


def test_unknown_protocol_is_rejected():
    reply = _service_reply((nl.SVC_AF, struct.pack('=H', socket.AF_INET)), (nl.SVC_PROTOCOL, struct.pack('=H', 99)),
                           (nl.SVC_ADDR, socket.inet_aton('10.0.0.1') + b'\0' * 12), (nl.SVC_PORT, b'\0P'))
    with pytest.raises(nl.NetlinkError, match='unknown protocol 99'):
        nl.decode_service(reply)


def test_sort_order_is_ipvsadms():
    svcs = [Service(protocol='fwmark', fwmark=1), Service(protocol='udp', address='10.0.0.1', port=53),
            Service(protocol='tcp', address='2001:db8::1', family='ipv6', port=80),
            Service(protocol='tcp', address='10.0.0.10', port=80), Service(protocol='tcp', address='10.0.0.9', port=80)]
    svcs.append(Service(protocol='fwmark', fwmark=4294967295))
    svcs.append(Service(protocol='tcp', address='192.168.0.1', port=80))
    ordered = nl.ipvsadm_sort(svcs, nl.service_sort_key, nl.cmp_services)
    # libipvs subtracts unsigned values into an int: fwmark 2^32-1 sorts first, 192.168.0.1 before 10.0.0.9
    assert [s.label for s in ordered] == ['fwmark 4294967295', 'tcp 192.168.0.1:80', 'tcp 10.0.0.9:80',
                                          'tcp 10.0.0.10:80', 'udp 10.0.0.1:53', 'tcp [2001:db8::1]:80',
                                          'fwmark 1']


def test_this_kernel_answers_or_fails_with_a_netlink_error():
    """On a kernel without IPVS (this CI machine) the family is missing: NetlinkError, never a crash."""
    if Path('/proc/net/ip_vs').exists():
        assert isinstance(nl.read_table(), Table)
    else:
        with pytest.raises(nl.NetlinkError, match='family IPVS not found'):
            nl.read_table()


class _Module:
    """Just enough of AnsibleModule for IPVSHost.read_table."""

    def __init__(self, outputs):
        self.outputs = outputs
        self.calls = []
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)

    def get_bin_path(self, name, required=False):
        return '/usr/sbin/' + name

    def run_command(self, args, **kwargs):
        self.calls.append(' '.join(args[1:]))
        return 0, self.outputs[' '.join(args[1:])], ''

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def _host(monkeypatch, channel, outputs):
    from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_runner import IPVSHost

    monkeypatch.setattr(nl, 'Channel', channel)
    host = IPVSHost(_Module(outputs))
    host.loaded = True
    return host


def test_the_runner_reads_over_netlink_without_starting_ipvsadm(monkeypatch):
    recorded = replay('dests')
    host = _host(monkeypatch, lambda: recorded, {})
    assert host.read_table().to_list() == listed('dests').to_list()
    assert host.module.calls == []
    assert host.netlink_error is None
    assert host.reader == 'netlink' and host.module.warnings == []


def test_the_runner_falls_back_to_ipvsadm_when_netlink_fails(monkeypatch):
    rec = RECORDING['sets']['dests']

    def broken():
        raise nl.NetlinkError('generic netlink family IPVS not found')

    host = _host(monkeypatch, broken, {'-Sn': rec['save'], '-Ln --thresholds': rec['thresholds']})
    assert host.read_table().to_list() == listed('dests').to_list()
    assert host.module.calls == ['-Sn', '-Ln --thresholds']
    assert 'IPVS not found' in host.netlink_error
    # never silently: the run warns, and the modules return table_reader=ipvsadm
    assert host.reader == 'ipvsadm'
    assert host.module.warnings == ['IPVS table read with ipvsadm -Sn: generic netlink failed '
                                    '(generic netlink family IPVS not found)']
    host.read_table()  # netlink is not tried again
    assert host.module.calls[2:] == ['-Sn', '-Ln --thresholds']
    assert len(host.module.warnings) == 1
