# SPDX-License-Identifier: GPL-3.0-or-later
"""realserver_vips: labels, the boot unit, what is added and removed, check mode, and the module against a fake
`ip`, systemctl and /sys/class/net."""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible_collections.lvs.cluster.plugins.module_utils import realserver_vips as V
from ansible_collections.lvs.cluster.plugins.modules import realserver_vips
from ipvs_harness import run_module

DUAL = [{'cidr': '10.78.0.200/32', 'dev': 'lo'}, {'cidr': 'fd78::200/128', 'dev': 'lo'},
        {'cidr': '10.78.0.202/32', 'dev': 'lo'}]
TUN = [{'cidr': '10.78.0.200/32', 'dev': 'tunl0'}, {'cidr': 'fd78::200/128', 'dev': 'ip6tnl0'},
       {'cidr': '10.78.0.202/32', 'dev': 'tunl0'}]


def exec_lines(text, kind='ExecStart'):
    return [line.split('=', 1)[1] for line in text.splitlines() if line.startswith(kind + '=')]


def test_dr_labels_by_position_ipv4_only():
    wanted = V.validate(DUAL)
    assert [w['label'] for w in wanted] == ['lo:0', '', 'lo:2']
    assert [w['label'] for w in V.validate(DUAL, 'lo:vip')] == ['lo:vip', '', 'lo:2']
    text = V.unit(wanted, '# header')
    assert exec_lines(text) == ['/sbin/ip addr replace 10.78.0.200/32 dev lo label lo:0',
                                '/sbin/ip addr replace fd78::200/128 dev lo',
                                '/sbin/ip addr replace 10.78.0.202/32 dev lo label lo:2'], text
    assert exec_lines(text, 'ExecStartPre') == [] and 'After=network.target' in text and 'networkd' not in text
    assert 'WantedBy=multi-user.target' in text


def test_tun_unit_loads_the_tunnel_modules_and_brings_the_devices_up():
    text = V.unit(V.validate(TUN), '# header')
    assert exec_lines(text, 'ExecStartPre') == ['-/sbin/modprobe ipip', '/sbin/ip link set dev tunl0 up',
                                                '-/sbin/modprobe ip6_tunnel', '/sbin/ip link set dev ip6tnl0 up'], text
    assert exec_lines(text) == ['/sbin/ip addr replace 10.78.0.200/32 dev tunl0',
                                '/sbin/ip addr replace fd78::200/128 dev ip6tnl0',
                                '/sbin/ip addr replace 10.78.0.202/32 dev tunl0'], text


@pytest.mark.parametrize('addresses, message', [
    ([{'cidr': '10.78.0.200/24', 'dev': 'lo'}], 'addresses[0].cidr: \'10.78.0.200/24\' is not a VIP as a host route'),
    ([{'cidr': '10.78.0.200/32', 'dev': 'eth0'}], "addresses[0].dev: 'eth0' is not one of lo, tunl0, ip6tnl0"),
    ([{'cidr': 'fd78::200/128', 'dev': 'tunl0'}], 'addresses[0].dev: tunl0 carries IPv4 VIPs, not fd78::200/128'),
    ([{'cidr': '10.78.0.200/32', 'dev': 'lo', 'label': 'eth0:1'}], "addresses[0].label: 'eth0:1' is not a label"),
    ([{'cidr': '10.78.0.200/32', 'dev': 'lo'}, {'cidr': '10.78.0.200/32', 'dev': 'lo'}],
     'addresses[1].cidr: 10.78.0.200/32 on lo is listed twice'),
    ([{'cidr': '127.0.0.2/32', 'dev': 'lo'}], "addresses[0].cidr: '127.0.0.2/32' is not a VIP"),
])
def test_bad_addresses(addresses, message):
    with pytest.raises(V.VipError) as exc:
        V.validate(addresses)
    assert str(exc.value).startswith(message), exc.value


def test_plan_adds_missing_and_removes_recorded_only():
    live = V.live_addresses('1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n'
                            '1: lo    inet 10.78.0.201/32 scope global lo:1\\       valid_lft forever\n'
                            '1: lo    inet 10.78.0.9/32 scope global lo:9\\       valid_lft forever\n'
                            '7: tunl0@NONE    inet 10.78.0.200/32 scope global tunl0\\       valid_lft forever\n')
    assert ('10.78.0.200/32', 'tunl0') in live
    record = V.recorded(json.dumps([{'cidr': '10.78.0.201/32', 'dev': 'lo'},
                                    {'cidr': '10.78.0.200/32', 'dev': 'tunl0'}]))
    add, remove = V.plan(V.validate(DUAL[:1]), live, record)
    assert [(a['cidr'], a['dev']) for a in add] == [('10.78.0.200/32', 'lo')]
    # the recorded addresses go; 10.78.0.9 was added by hand (not recorded) and stays
    assert [(r['cidr'], r['dev']) for r in remove] == [('10.78.0.201/32', 'lo'), ('10.78.0.200/32', 'tunl0')]


class Host:
    """A fake host: `ip` and `systemctl` answered from state, /sys/class/net and /etc/systemd/system under tmp."""

    def __init__(self, tmp):
        self.tmp, self.addrs, self.calls = tmp, [('127.0.0.1/8', 'lo')], []
        (tmp / 'net/tunl0').mkdir(parents=True)
        (tmp / 'net/tunl0/flags').write_text('0x80\n')  # down
        (tmp / 'system/multi-user.target.wants').mkdir(parents=True)

    def run_command(self, args, **_kw):
        args = [os.path.basename(args[0]), *args[1:]]
        self.calls.append(' '.join(args))
        if args[:3] == ['ip', '-o', 'addr']:
            return 0, ''.join('1: %s    inet%s %s scope global %s\\\n' % (d, '6' if ':' in c else '', c, d)
                              for c, d in self.addrs), ''
        if args[:3] == ['ip', 'addr', 'replace']:
            self.addrs.append((args[3], args[5]))
        elif args[:3] == ['ip', 'addr', 'del']:
            self.addrs.remove((args[3], args[5]))
        elif args[:3] == ['systemctl', '--no-reload', 'enable']:
            (self.tmp / 'system/multi-user.target.wants' / args[3]).write_text('')
        elif args[:3] == ['systemctl', '--no-reload', 'disable']:
            (self.tmp / 'system/multi-user.target.wants' / args[3]).unlink(missing_ok=True)
        return 0, '', ''


@pytest.fixture
def host(tmp_path, monkeypatch):
    fake = Host(tmp_path)
    monkeypatch.setattr(realserver_vips, 'SYSTEMD', str(tmp_path / 'system'))
    monkeypatch.setattr(realserver_vips, 'SYS_NET', str(tmp_path / 'net'))
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', lambda self, name, **kw: '/usr/sbin/' + name)
    with mock.patch.object(basic.AnsibleModule, 'run_command', lambda self, *a, **k: fake.run_command(*a, **k)):
        yield fake


def args(tmp_path, addresses, **kw):
    return dict({'addresses': addresses, 'state_file': str(tmp_path / 'vips.json'),
                 'unit': str(tmp_path / 'system/lvs-realserver.service')}, **kw)


def test_module_converges_is_idempotent_and_cleans_up(host, tmp_path):
    legacy = tmp_path / '10-lvs-lo.network'
    legacy.write_text('[Match]\nName=lo\n')
    res = run_module(realserver_vips.main, args(tmp_path, DUAL[:1], remove_files=[str(legacy)]), check_mode=True)
    assert res['changed'] and res['added'] == ['10.78.0.200/32 lo'] and host.addrs == [('127.0.0.1/8', 'lo')]
    assert legacy.exists() and not (tmp_path / 'vips.json').exists()  # check mode changed nothing
    res = run_module(realserver_vips.main, args(tmp_path, DUAL[:1], remove_files=[str(legacy)]))
    assert res['changed'] and ('10.78.0.200/32', 'lo') in host.addrs and not legacy.exists()
    assert 'ip addr replace 10.78.0.200/32 dev lo label lo:0' in host.calls
    assert (tmp_path / 'system/multi-user.target.wants/lvs-realserver.service').exists()
    again = run_module(realserver_vips.main, args(tmp_path, DUAL[:1], remove_files=[str(legacy)]))
    assert again['changed'] is False, again
    # the method changes to tun: the lo VIP goes (recorded), tunl0 is brought up and gets it
    res = run_module(realserver_vips.main, args(tmp_path, TUN[:1]))
    assert res['removed'] == ['10.78.0.200/32 lo'] and res['added'] == ['10.78.0.200/32 tunl0']
    assert 'ip link set dev tunl0 up' in host.calls
    # no VIP any more (nat): the recorded one removed, the unit disabled and removed
    res = run_module(realserver_vips.main, args(tmp_path, []))
    assert res['removed'] == ['10.78.0.200/32 tunl0'] and res['unit_changed']
    assert not (tmp_path / 'system/lvs-realserver.service').exists()
    assert not (tmp_path / 'system/multi-user.target.wants/lvs-realserver.service').exists()


def test_module_fails_before_changing_anything_on_bad_input(host, tmp_path):
    res = run_module(realserver_vips.main, args(tmp_path, [{'cidr': '10.78.0.200/24', 'dev': 'lo'}]))
    assert res['failed'] and 'is not a VIP as a host route' in res['msg'] and host.calls == []
    res = run_module(realserver_vips.main, args(tmp_path, [{'cidr': 'fd78::200/128', 'dev': 'ip6tnl0'}]))
    assert res['failed'] and res['msg'] == 'addresses: device ip6tnl0 does not exist (its module, ip6_tunnel, is ' \
                                           'not loaded)' and host.calls == []


@pytest.fixture
def proc(tmp_path, monkeypatch):
    from ansible_collections.lvs.cluster.plugins.module_utils import arp_sysctl
    for iface in ('all', 'lo'):
        conf = tmp_path / 'proc_sys/net/ipv4/conf' / iface
        conf.mkdir(parents=True)
        (conf / 'arp_ignore').write_text('0\n')
        (conf / 'arp_announce').write_text('0\n')
    monkeypatch.setattr(arp_sysctl, 'PROC_SYS', str(tmp_path / 'proc_sys'))
    return tmp_path / 'proc_sys/net/ipv4/conf'


def test_arp_is_set_before_the_vip_in_the_same_run(host, proc, tmp_path):
    """A DR real server: arp_ignore/arp_announce on all and lo, live and at boot, in the run that adds the VIP
    (before it); check mode sets nothing; bad ARP input fails naming arp.FIELD before anything is read."""
    arp = {'arp_ignore': 1, 'arp_announce': 2, 'interfaces': ['all', 'lo'], 'path': str(tmp_path / '90-lvs-arp.conf')}
    res = run_module(realserver_vips.main, args(tmp_path, DUAL[:1], arp=arp), check_mode=True)
    assert res['arp_changes'] == ['net.ipv4.conf.all.arp_ignore: 0 -> 1', 'net.ipv4.conf.all.arp_announce: 0 -> 2',
                                  'net.ipv4.conf.lo.arp_ignore: 0 -> 1', 'net.ipv4.conf.lo.arp_announce: 0 -> 2']
    assert (proc / 'lo/arp_ignore').read_text() == '0\n' and not (tmp_path / '90-lvs-arp.conf').exists()
    seen = []
    original = host.run_command

    def run_command(args, **kw):
        if 'replace' in args:
            seen.append(((proc / 'lo/arp_ignore').read_text(), (proc / 'all/arp_announce').read_text()))
        return original(args, **kw)
    host.run_command = run_command
    res = run_module(realserver_vips.main, args(tmp_path, DUAL[:1], arp=arp))
    assert res['added'] == ['10.78.0.200/32 lo'] and seen == [('1\n', '2\n')]  # ARP set when the VIP came
    assert 'net.ipv4.conf.lo.arp_ignore = 1' in (tmp_path / '90-lvs-arp.conf').read_text()
    again = run_module(realserver_vips.main, args(tmp_path, DUAL[:1], arp=arp))
    assert again['changed'] is False and again['arp_changes'] == []
    calls = len(host.calls)
    for bad, message in (({'arp_ignore': 9}, 'arp.arp_ignore: 9 is not one of'),
                         ({'interfaces': ['lo;reboot']}, "arp.interfaces: 'lo;reboot' is not a valid interface"),
                         ({'path': str(tmp_path / 'arp.txt')}, 'arp.path: ')):
        res = run_module(realserver_vips.main, args(tmp_path, DUAL, arp=dict(arp, **bad)))
        assert res['failed'] and res['msg'].startswith(message), res
    assert len(host.calls) == calls and (proc / 'all/arp_ignore').read_text() == '1\n'
