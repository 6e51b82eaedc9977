# SPDX-License-Identifier: GPL-3.0-or-later
"""sysctl_arp: effective values, file rendering, validation and the module against a fake /proc/sys."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lvs.cluster.plugins.module_utils import arp_sysctl as A
from ansible_collections.lvs.cluster.plugins.modules import sysctl_arp
from ipvs_harness import run_module


@pytest.fixture
def proc(tmp_path, monkeypatch):
    root = tmp_path / 'proc_sys'
    for iface, ignore, announce in (('all', 0, 0), ('default', 0, 0), ('lo', 0, 0), ('eth0', 2, 1),
                                    ('eth0.10', 0, 0)):
        conf = root / 'net' / 'ipv4' / 'conf' / iface
        conf.mkdir(parents=True)
        (conf / 'arp_ignore').write_text('%d\n' % ignore)
        (conf / 'arp_announce').write_text('%d\n' % announce)
    monkeypatch.setattr(A, 'PROC_SYS', str(root))
    return root


def value(root, iface, key):
    return int((root / 'net' / 'ipv4' / 'conf' / iface / key).read_text())


@pytest.mark.parametrize('all_values,iface,expected', [
    ({'arp_ignore': 0, 'arp_announce': 0}, {'arp_ignore': 1, 'arp_announce': 2}, {'arp_ignore': 1, 'arp_announce': 2}),
    ({'arp_ignore': 1, 'arp_announce': 2}, {'arp_ignore': 0, 'arp_announce': 0}, {'arp_ignore': 1, 'arp_announce': 2}),
    ({'arp_ignore': 8, 'arp_announce': 1}, {'arp_ignore': 2, 'arp_announce': 2}, {'arp_ignore': 8, 'arp_announce': 2}),
])
def test_effective_is_max_of_all_and_interface(all_values, iface, expected):
    assert A.effective(all_values, iface) == expected


def test_file_rendering_and_vlan_names():
    text = A.render_file(['all', 'lo', 'eth0.10'], {'arp_ignore': 1, 'arp_announce': 2})
    assert text.splitlines() == [
        A.HEADER.strip(),
        'net.ipv4.conf.all.arp_ignore = 1', 'net.ipv4.conf.all.arp_announce = 2',
        'net.ipv4.conf.lo.arp_ignore = 1', 'net.ipv4.conf.lo.arp_announce = 2',
        'net.ipv4.conf.eth0/10.arp_ignore = 1', 'net.ipv4.conf.eth0/10.arp_announce = 2',
    ]


@pytest.mark.parametrize('name,value,message', [
    ('arp_ignore', 9, 'arp_ignore: 9 is not one of 0, 1, 2, 3, 4, 5, 6, 7, 8'),
    ('arp_ignore', -1, 'arp_ignore: -1 is not one of'),
    ('arp_announce', 3, 'arp_announce: 3 is not one of 0, 1, 2'),
    ('arp_announce', 'two', "arp_announce: 'two' is not an integer"),
])
def test_value_validation(name, value, message):
    with pytest.raises(A.SysctlError) as exc:
        A.validate_value(name, value)
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize('ifaces,message', [
    (['eth/0'], "interfaces: 'eth/0' is not a valid interface name"),
    (['..'], "interfaces: '..' is not a valid interface name"),
    (['averyveryverylongname'], "interfaces: 'averyveryverylongname' is not a valid interface name"),
    ([], 'interfaces: must list at least one interface'),
])
def test_interface_validation(ifaces, message):
    with pytest.raises(A.SysctlError) as exc:
        A.validate_interfaces(ifaces)
    assert str(exc.value).startswith(message)


def test_module_check_mode_changes_nothing(proc, tmp_path):
    path = tmp_path / '90-lvs-arp.conf'
    res = run_module(sysctl_arp.main, {'path': str(path)}, check_mode=True, diff=True)
    assert res['changed'] is True and res['file_changed'] is True
    assert value(proc, 'all', 'arp_ignore') == 0 and not path.exists()
    assert res['interfaces']['lo'] == {'arp_ignore': 1, 'arp_announce': 2, 'effective_arp_ignore': 1,
                                       'effective_arp_announce': 2}
    assert 'net.ipv4.conf.all.arp_ignore = 0' in res['diff'][0]['before']
    assert 'net.ipv4.conf.all.arp_ignore = 1' in res['diff'][0]['after']


def test_module_applies_and_is_idempotent(proc, tmp_path):
    path = tmp_path / '90-lvs-arp.conf'
    args = {'path': str(path), 'interfaces': ['all', 'lo', 'eth0.10']}
    res = run_module(sysctl_arp.main, args)
    assert res['changed'] is True
    assert sorted(res['changes']) == sorted([
        'net.ipv4.conf.%s.%s: 0 -> %d' % (i, k, v) for i in ('all', 'lo', 'eth0/10')
        for k, v in (('arp_ignore', 1), ('arp_announce', 2))])
    assert value(proc, 'eth0.10', 'arp_announce') == 2
    assert path.read_text() == A.render_file(['all', 'lo', 'eth0.10'], {'arp_ignore': 1, 'arp_announce': 2})
    assert oct(path.stat().st_mode & 0o777) == '0o644'
    again = run_module(sysctl_arp.main, args)
    assert again['changed'] is False and again['changes'] == []


def test_module_reports_effective_for_untouched_interface(proc, tmp_path):
    res = run_module(sysctl_arp.main, {'path': str(tmp_path / 'f.conf'), 'interfaces': ['eth0'], 'arp_ignore': 2,
                                       'arp_announce': 1, 'persist': False})
    assert res['changed'] is False
    assert res['interfaces'] == {'eth0': {'arp_ignore': 2, 'arp_announce': 1, 'effective_arp_ignore': 2,
                                          'effective_arp_announce': 1}}


def test_module_all_raises_effective(proc, tmp_path):
    res = run_module(sysctl_arp.main, {'path': str(tmp_path / 'f.conf'), 'interfaces': ['all'], 'arp_ignore': 3,
                                       'arp_announce': 2, 'persist': False})
    assert res['changed'] is True
    assert res['interfaces']['all']['effective_arp_ignore'] == 3
    # eth0 (ignore 2) was not touched but now effectively uses all's 3: the report for eth0 says so
    res = run_module(sysctl_arp.main, {'path': str(tmp_path / 'f.conf'), 'interfaces': ['eth0'], 'arp_ignore': 2,
                                       'arp_announce': 1, 'persist': False})
    assert res['interfaces']['eth0']['effective_arp_ignore'] == 3


def test_module_missing_interface_and_bad_value(proc, tmp_path):
    res = run_module(sysctl_arp.main, {'path': str(tmp_path / 'f.conf'), 'interfaces': ['eth9']})
    assert res['failed'] and res['msg'].startswith("interfaces: 'eth9' does not exist on this host")
    res = run_module(sysctl_arp.main, {'path': str(tmp_path / 'f.conf'), 'arp_announce': 5})
    assert res['failed'] and res['msg'] == 'arp_announce: 5 is not one of 0, 1, 2'


def test_module_absent_removes_file_and_resets(proc, tmp_path):
    path = tmp_path / 'f.conf'
    run_module(sysctl_arp.main, {'path': str(path)})
    assert path.exists() and value(proc, 'lo', 'arp_ignore') == 1
    res = run_module(sysctl_arp.main, {'path': str(path), 'state': 'absent'})
    assert res['changed'] is True and not path.exists()
    assert value(proc, 'lo', 'arp_ignore') == 0 and value(proc, 'all', 'arp_announce') == 0
    assert run_module(sysctl_arp.main, {'path': str(path), 'state': 'absent'})['changed'] is False


def test_backup_and_unsafe_writes(proc, tmp_path, monkeypatch):
    path = tmp_path / 'arp.conf'
    path.write_text('# old\n')

    moves = []
    real_move = AnsibleModule.atomic_move
    monkeypatch.setattr(AnsibleModule, 'atomic_move',
                        lambda self, src, dest, unsafe_writes=False, **kw: moves.append(unsafe_writes)
                        or real_move(self, src, dest, unsafe_writes=unsafe_writes, **kw))
    res = run_module(sysctl_arp.main, {'path': str(path), 'backup': True, 'unsafe_writes': True})
    assert res['changed'] and res['file_changed'] and moves == [True]
    backup = res['backup_file']
    assert backup != str(path) and Path(backup).read_text() == '# old\n'
    assert 'arp_ignore = 1' in path.read_text()
    again = run_module(sysctl_arp.main, {'path': str(path), 'backup': True})
    assert not again['changed'] and 'backup_file' not in again


@pytest.mark.parametrize('name, message', [
    ('dir', "path: '{tmp}/dir' is a directory: name the file to write in it, e.g. {tmp}/dir/90-lvs-arp.conf"),
    ('arp.txt', "path: '{tmp}/arp.txt' does not end in .conf: systemd-sysctl reads only *.conf files"),
    ('90-lvs-arp', "path: '{tmp}/90-lvs-arp' does not end in .conf"),
])
def test_path_refused_before_anything_is_written(proc, tmp_path, name, message):
    (tmp_path / 'dir').mkdir()
    before = {p: p.read_text() for p in proc.rglob('*') if p.is_file()}
    res = run_module(sysctl_arp.main, {'path': str(tmp_path / name)})
    assert res['failed'] and res['msg'].startswith(message.format(tmp=tmp_path)), res
    assert {p: p.read_text() for p in proc.rglob('*') if p.is_file()} == before  # no live value changed
    assert not (tmp_path / name).is_file()


def test_path_outside_the_sysctl_directories_warns(proc, tmp_path, monkeypatch):
    warned = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warned.append(msg))
    res = run_module(sysctl_arp.main, {'path': str(tmp_path / 'f.conf')}, check_mode=True)
    assert not res.get('failed'), res
    assert any('is not in a directory systemd-sysctl reads at boot' in w for w in warned), warned
