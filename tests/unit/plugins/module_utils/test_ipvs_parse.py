# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsing every real-kernel recording, and rendering it back byte for byte."""

from __future__ import annotations

import re

import ipvs_fixtures as F
import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_parse as P
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as R
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import IPVSError

SAVES = [(name, i) for name in (*F.NAMES, 'converge') for i, _b in enumerate(F.blocks(name, 'ipvsadm -Sn'))]


def kernel_text(text: str) -> str:
    """ipvsadm 1.31 prints fwmarks >= 2^31 signed; we write them unsigned (its -R refuses '-f -1')."""
    return re.sub(r'-f (-\d+)', lambda m: '-f %d' % (int(m.group(1)) + (1 << 32)), text)


def test_fixture_headers_record_versions():
    for name in (*F.NAMES, 'converge'):
        header = F.load(name)['header']
        assert header['kernel'] == '6.1.176'
        assert header['ipvsadm'].startswith('ipvsadm v1.31')


@pytest.mark.parametrize('name,index', SAVES)
def test_save_round_trip(name, index):
    text = F.blocks(name, 'ipvsadm -Sn')[index].stdout
    table = P.parse_save(text)
    assert R.render_text(R.render_table(table, thresholds=False)) == kernel_text(text)


def test_negative_fwmark_is_unsigned():
    table = P.parse_save(F.output('services', 'ipvsadm -Sn'))
    marks = sorted(s.fwmark for s in table.services if s.protocol == 'fwmark')
    assert marks == [1, 2, 3, 6, 7, 2147483648, 4294967295]


def test_services_fixture_normalisation():
    table = P.parse_save(F.output('services', 'ipvsadm -Sn'))
    by = {s.label: s for s in table.services}
    assert by['tcp 10.1.1.1:80'].scheduler == 'wlc'  # ipvsadm's default
    assert by['tcp 10.1.1.9:80'].persistence == 360  # -p without a value
    assert by['tcp 10.1.1.12:80'].netmask is None  # /32 is not printed
    assert by['tcp [2001:db8::4]:443'].netmask is None  # /128 is not printed
    assert by['tcp 10.1.1.15:80'].persistence == 0 and by['tcp 10.1.1.15:80'].netmask is None  # -M without -p
    assert by['tcp 10.1.1.8:80'].sched_flags == ('sh-fallback',)  # flag-3 is dropped for sh
    assert by['tcp 10.1.1.6:80'].sched_flags == ('flag-1', 'flag-2', 'flag-3')
    assert by['udp 10.1.2.2:5060'].persistence_engine == 'sip' and by['udp 10.1.2.2:5060'].one_packet
    assert by['tcp [2001:db8::7]:80'].address == '2001:db8::7'
    assert by['fwmark 7 ipv6'].netmask == '64'
    assert by['sctp 10.1.3.1:3868'].scheduler == 'lc'
    schedulers = {s.scheduler for s in table.services}
    assert schedulers >= {'rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'}


def test_dests_fixture_with_thresholds():
    table = P.parse_save(F.output('dests', 'ipvsadm -Sn'))
    P.merge_thresholds(table, F.output('dests', 'ipvsadm -Ln --thresholds'))
    svc = table.find(('tcp', '10.2.0.1', 80))
    d = {x.address: x for x in svc.destinations}
    assert (d['192.168.1.2'].upper_threshold, d['192.168.1.2'].lower_threshold) == (100, 50)
    assert d['192.168.1.4'].upper_threshold == 7 and d['192.168.1.4'].tun_type == 'ipip'
    assert d['192.168.1.3'].port == 80  # no port given: the service port
    assert d['192.168.1.11'].port == 80  # -g with :81: ipvsadm uses the service port
    assert d['192.168.1.5'].tun_csum == 'nocsum' and d['192.168.1.8'].tun_csum == 'remcsum'
    assert d['192.168.1.9'].tun_type == 'gre' and d['192.168.1.9'].tun_port is None
    assert d['192.168.1.12'].weight == 70000  # the kernel takes more than ipvsadm's documented 65535
    assert d['2001:db8::10'].forwarding == 'tun'
    fw6 = table.find(('fwmark', 'ipv6', 11))
    assert [(x.address, x.port, x.upper_threshold) for x in fw6.destinations] == [
        ('192.168.1.33', 0, 0), ('2001:db8::20', 0, 0), ('2001:db8::21', 8080, 10)]
    v6 = table.find(('tcp', '2001:db8::100', 443))
    assert v6.find(('2001:db8::102', 8443)).lower_threshold == 10


def test_listing_views_agree_with_save():
    for name in ('services', 'dests', 'converge'):
        table = P.parse_save(F.output(name, 'ipvsadm -Sn'))
        for view in ('ipvsadm -Ln', 'ipvsadm -Ln --thresholds', 'ipvsadm -Ln --stats --exact'):
            if not F.blocks(name, view):
                continue
            entries = P.parse_listing(F.output(name, view))
            assert [e['key'] for e in entries] == [s.key for s in table.services]
            for entry, svc in zip(entries, table.services):
                assert [d['name'] for d in entry['dests']] == [d.name[:28] if svc.family == 'ipv4' else d.name
                                                               for d in svc.destinations]


def test_stats_and_rate():
    stats = P.parse_counters(F.output('stats', 'ipvsadm -Ln --stats --exact'))
    total = {'conns': 5, 'inpkts': 5, 'outpkts': 5, 'inbytes': 300, 'outbytes': 200}
    assert stats[('tcp', '10.99.0.1', 80)]['total'] == total
    assert stats[('tcp', '10.99.0.1', 81)]['dests'] == []
    rate = P.parse_counters(F.output('stats', 'ipvsadm -Ln --rate --exact'), P.RATE_FIELDS)
    assert set(rate[('tcp', '10.99.0.1', 80)]['total']) == set(P.RATE_FIELDS)
    assert P.parse_counters('TCP  10.0.0.1:80    1K  2M  3G  4T  5\n')[('tcp', '10.0.0.1', 80)]['total'] == {
        'conns': 1000, 'inpkts': 2000000, 'outpkts': 3000000000, 'inbytes': 4000000000000, 'outbytes': 5}


def test_timeouts():
    outs = [b.stdout for b in F.blocks('timeouts', 'ipvsadm -Ln --timeout')]
    assert [P.parse_timeout(o) for o in outs] == [
        {'tcp': 900, 'tcpfin': 120, 'udp': 300}, {'tcp': 1000, 'tcpfin': 100, 'udp': 200},
        {'tcp': 1000, 'tcpfin': 60, 'udp': 200}]
    with pytest.raises(IPVSError):
        P.parse_timeout('garbage')


def test_daemons():
    outs = [b.stdout for b in F.blocks('daemon', 'ipvsadm -Ln --daemon')]
    assert [len(P.parse_daemon(o)) for o in outs] == [0, 1, 2, 1, 0]
    assert P.parse_daemon(outs[2])[1] == {'state': 'backup', 'mcast_interface': 'dummy0', 'syncid': 8,
                                          'sync_maxlen': 1400, 'mcast_group': '224.0.0.82', 'mcast_port': 8849,
                                          'mcast_ttl': 2}
    assert P.parse_daemon('master sync daemon (mcast=eth0, syncid=1)\n') == [
        {'state': 'master', 'mcast_interface': 'eth0', 'syncid': 1}]


def test_version():
    assert P.parse_version(F.output('dests', 'ipvsadm -Ln')) == {'version': '1.2.1', 'size': 4096}


def test_edit_semantics_match_the_kernel():
    """Replaying the recorded -E/-e commands gives what the kernel printed after each of them."""
    blocks = F.blocks('edits')
    table = P.parse_save('')
    for block in blocks:
        if block.cmd == 'ipvsadm -Sn':
            # same services and real servers; ipvsadm sorts its listing, we keep insertion order
            assert sorted(R.render_table(table, thresholds=False)) == sorted(block.stdout.splitlines())
            continue
        if block.rc != 0 or not block.cmd.startswith('ipvsadm -'):
            continue
        text = block.stdin if block.cmd == 'ipvsadm -R' else block.cmd[len('ipvsadm '):]
        if text.startswith(('-A', '-E', '-a', '-e', '-d', '-D', '-C')):
            table = P.apply_commands(table, P.parse_rules(text))


@pytest.mark.parametrize('text,message', [
    ('-A -t 10.0.0.1:80 -s bogus', "line 1: scheduler: 'bogus' is not one of rr, wrr"),
    ('-A -t 10.0.0.1 -s rr', 'has no port'),
    ('-A -t 10.0.0.300:80', 'not a valid IP address'),
    ('-a -t 10.0.0.1:80', 'no real server'),
    ('-A -t 10.0.0.1:80 -r 10.0.0.2', 'real-server option'),
    ('-a -t 10.0.0.1:80 -r 10.0.0.2 -p 5', 'service option'),
    ('-A -t 10.0.0.1:nosuchservice', 'use numeric output'),
    ('# comment', "unknown option '#'"),
    ('-t 10.0.0.1:80', 'no command'),
    ('-a -t 10.0.0.1:80 -r 10.0.0.2 -g --tun-type gue', "tun_type: 'gue' is only valid with forwarding tun, not dr"),
    ('-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue', 'line 1: tun_port: required when tun_type is gue'),
    ('-a -t 10.0.0.1:80 -r 10.0.0.2 -w', 'line 1: -w needs a value'),
    ('-A -t 10.0.0.1:80 -b sh-port -s rr', "line 1: sched_flags: 'sh-port' is not valid for scheduler 'rr'"),
])
def test_parse_errors(text, message):
    with pytest.raises(IPVSError) as exc:
        P.parse_rules(text)
    assert message in str(exc.value)


@pytest.mark.parametrize('text,message', [
    ('-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80', 'already exists'),
    ('-E -t 10.0.0.1:80', 'no such service'),
    ('-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2\n-a -t 10.0.0.1:80 -r 10.0.0.2', 'already exists'),
    ('-A -t 10.0.0.1:80\n-e -t 10.0.0.1:80 -r 10.0.0.2', 'no such destination'),
    ('-d -t 10.0.0.1:80 -r 10.0.0.2', 'no such service'),
])
def test_replay_errors_like_the_kernel(text, message):
    with pytest.raises(IPVSError) as exc:
        P.parse_save(text)
    assert message in str(exc.value)


def test_long_options_and_clear():
    table = P.parse_save('ipvsadm --add-service --udp-service 10.0.0.1:53 --scheduler rr --persistent 60 '
                         '--netmask 24 --ops\n--add-server -u 10.0.0.1:53 --real-server 10.0.0.2:53 --masquerading '
                         '--weight=3\n')
    svc = table.services[0]
    assert (svc.persistence, svc.netmask, svc.one_packet) == (60, '255.255.255.0', True)
    assert svc.destinations[0].weight == 3
    assert P.parse_save('-A -t 10.0.0.1:80\n-C\n').services == []


def test_port_names_of_ipvsadm_save_without_n():
    """ipvsadm-save (as seed 003 saves its rules) names the well-known ports: they map to their numbers."""
    table = P.parse_save('-A -t 192.168.0.14:http -s rr\n-a -t 192.168.0.14:http -r 192.168.0.12:http -g -w 1\n')
    assert [(s.address, s.port) for s in table.services] == [('192.168.0.14', 80)]
    assert table.services[0].destinations[0].port == 80
