# SPDX-License-Identifier: GPL-3.0-or-later
"""sysctls and kernel_modules against a fake /proc/sys and /sys/module: set or load what differs, write one file,
idempotent, check mode, and bad input refused before anything is read."""

from __future__ import annotations

from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible_collections.lvs.cluster.plugins.module_utils import kernel_modules as kernel_modules_utils
from ansible_collections.lvs.cluster.plugins.module_utils import sysctl_file
from ansible_collections.lvs.cluster.plugins.modules import kernel_modules, sysctls
from ipvs_harness import run_module


@pytest.fixture
def proc(tmp_path, monkeypatch):
    root = tmp_path / 'proc_sys'
    for name, value in (('net/ipv4/ip_forward', '0'), ('net/ipv4/vs/sync_threshold', '3\t50'),
                        ('net/ipv4/conf/eth0.10/send_redirects', '1')):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(value + '\n')
    monkeypatch.setattr(sysctl_file, 'PROC_SYS', str(root))
    return root


SETTINGS = {'net.ipv4.ip_forward': 1, 'net.ipv4.vs.sync_threshold': '1 50',
            'net.ipv4.conf.eth0/10.send_redirects': 0}


def test_sysctls_set_write_and_are_idempotent(proc, tmp_path):
    path = tmp_path / 'lvs.conf'
    res = run_module(sysctls.main, {'settings': SETTINGS, 'path': str(path)}, check_mode=True)
    assert res['changed'] and len(res['changes']) == 3 and not path.exists()
    assert (proc / 'net/ipv4/ip_forward').read_text() == '0\n'
    res = run_module(sysctls.main, {'settings': SETTINGS, 'path': str(path)})
    assert res['changes'] == ['net.ipv4.ip_forward: 0 -> 1', 'net.ipv4.vs.sync_threshold: 3 50 -> 1 50',
                              'net.ipv4.conf.eth0/10.send_redirects: 1 -> 0']
    assert (proc / 'net/ipv4/conf/eth0.10/send_redirects').read_text() == '0\n'
    assert path.read_text().splitlines()[1:] == ['net.ipv4.ip_forward = 1', 'net.ipv4.vs.sync_threshold = 1 50',
                                                 'net.ipv4.conf.eth0/10.send_redirects = 0']
    assert run_module(sysctls.main, {'settings': SETTINGS, 'path': str(path)})['changed'] is False


@pytest.mark.parametrize('settings, message', [
    ({'net.ipv4.vs.nothere': 1}, 'settings.net.ipv4.vs.nothere: does not exist on this host'),
    ({'net ipv4': 1}, "settings: 'net ipv4' is not a sysctl name"),
    ({'net.ipv4.ip_forward': '1; reboot'}, "settings.net.ipv4.ip_forward: '1; reboot' is not a sysctl value"),
    ({'net.ipv4.ip_forward': True}, 'settings.net.ipv4.ip_forward: True is not a sysctl value'),
    ({}, 'settings: {} is not a mapping of sysctl names to values'),
])
def test_sysctls_bad_input_changes_nothing(proc, tmp_path, settings, message):
    res = run_module(sysctls.main, {'settings': dict(settings), 'path': str(tmp_path / 'x.conf')})
    assert res['failed'] and res['msg'].startswith(message), res
    assert not (tmp_path / 'x.conf').exists() and (proc / 'net/ipv4/ip_forward').read_text() == '0\n'


@pytest.fixture
def sys_module(tmp_path, monkeypatch):
    root = tmp_path / 'module'
    (root / 'ip_vs').mkdir(parents=True)
    monkeypatch.setattr(kernel_modules_utils, 'SYS_MODULE', str(root))
    calls = []

    def run_command(self, args, **_kw):
        calls.append(list(args[1:]))
        for name in args[2:]:
            (root / name).mkdir()
        return 0, '', ''
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', lambda self, name, **kw: '/sbin/' + name)
    with mock.patch.object(basic.AnsibleModule, 'run_command', run_command):
        yield calls


def test_kernel_modules_load_missing_ones_in_one_call(sys_module, tmp_path):
    path = tmp_path / 'lvs.conf'
    args = {'names': ['ip_vs', 'ip_vs_wrr', 'ip_vs_mh'], 'path': str(path)}
    res = run_module(kernel_modules.main, args, check_mode=True)
    assert res['loaded'] == ['ip_vs_wrr', 'ip_vs_mh'] and sys_module == [] and not path.exists()
    res = run_module(kernel_modules.main, args)
    assert sys_module == [['-a', 'ip_vs_wrr', 'ip_vs_mh']] and res['file_changed']
    assert path.read_text().splitlines()[1:] == ['ip_vs', 'ip_vs_wrr', 'ip_vs_mh']
    assert run_module(kernel_modules.main, args)['changed'] is False and len(sys_module) == 1


def test_kernel_modules_bad_input(sys_module, tmp_path):
    res = run_module(kernel_modules.main, {'names': ['ip_vs; reboot'], 'path': str(tmp_path / 'a.conf')})
    assert res['failed'] and res['msg'] == "names[0]: 'ip_vs; reboot' is not a kernel module name"
    res = run_module(kernel_modules.main, {'names': ['ip_vs'], 'path': str(tmp_path / 'lvs.txt')})
    assert res['failed'] and 'is not a .conf file' in res['msg'] and sys_module == []


def test_sysctls_load_their_modules_first_in_the_same_run(proc, sys_module, tmp_path):
    """A director's run: ip_vs and a scheduler loaded, then settings that exist only with ip_vs; check mode shows
    those as coming with the module instead of failing."""
    def modprobe(self, args, **_kw):
        sys_module.append(list(args[1:]))
        for name in args[2:]:
            (tmp_path / 'module' / name).mkdir()
        (proc / 'net/ipv4/vs').mkdir(exist_ok=True)
        (proc / 'net/ipv4/vs/expire_nodest_conn').write_text('0\n')
        return 0, '', ''
    args = {'modules': ['ip_vs', 'ip_vs_mh', 'ip_vs'], 'modules_path': str(tmp_path / 'lvs-modules.conf'),
            'settings': {'net.ipv4.vs.expire_nodest_conn': 1}, 'path': str(tmp_path / 'lvs.conf')}
    (tmp_path / 'module' / 'ip_vs').rmdir()
    with mock.patch.object(basic.AnsibleModule, 'run_command', modprobe):
        res = run_module(sysctls.main, args, check_mode=True)
        assert res['loaded'] == ['ip_vs', 'ip_vs_mh'] and sys_module == [], res
        assert res['changes'] == ['net.ipv4.vs.expire_nodest_conn: (not there until ip_vs, ip_vs_mh is loaded) -> 1']
        res = run_module(sysctls.main, args)
        assert sys_module == [['-a', 'ip_vs', 'ip_vs_mh']] and res['modules_file_changed'] and res['file_changed']
        assert (tmp_path / 'lvs-modules.conf').read_text().splitlines()[1:] == ['ip_vs', 'ip_vs_mh']
        assert (proc / 'net/ipv4/vs/expire_nodest_conn').read_text() == '1\n'
        assert run_module(sysctls.main, args)['changed'] is False and len(sys_module) == 1


@pytest.mark.parametrize('extra, message', [
    ({'modules': ['ip_vs; reboot']}, "modules[0]: 'ip_vs; reboot' is not a kernel module name"),
    ({'modules': ['ip_vs']}, "modules_path: 'None' is not a .conf file"),
    ({'modules': ['ip_vs'], 'modules_path': '/etc/modules'}, "modules_path: '/etc/modules' is not a .conf file"),
])
def test_sysctls_bad_modules_change_nothing(proc, sys_module, tmp_path, extra, message):
    res = run_module(sysctls.main, dict({'settings': {'net.ipv4.ip_forward': 1}, 'path': str(tmp_path / 'a.conf')},
                                        **extra))
    assert res['failed'] and res['msg'].startswith(message), res
    assert sys_module == [] and not (tmp_path / 'a.conf').exists()
    assert (proc / 'net/ipv4/ip_forward').read_text() == '0\n'
