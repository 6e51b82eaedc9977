# SPDX-License-Identifier: GPL-3.0-or-later
"""No argument crashes a module: mutated valid arguments (tests/unit/fuzz.py) end as the module's result or as
fail_json with a message, never as an exception. Every module runs in check mode against a fake kernel (a
recorded table, a fake /proc/sys, a lock file under tmp); seeded and bounded in count and time."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import arp_sysctl, ipvs_runner, sysctl_file
from ansible_collections.lvs.cluster.plugins.module_utils import kernel_modules as kernel_modules_utils
from ansible_collections.lvs.cluster.plugins.modules import (
    ipvs_dest,
    ipvs_info,
    ipvs_rules,
    ipvs_service,
    ipvs_settings,
    ipvs_wait,
    keepalived_info,
    kernel_modules,
    lock,
    realserver_vips,
    role_files,
    sysctl_arp,
    sysctls,
)
from ipvs_harness import FakeIPVS, run_module, view_state

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import fuzz

# a longer run: LVS_FUZZ_COUNT=20000 LVS_FUZZ_SECONDS=120 LVS_FUZZ_SEED=7 pytest tests/unit/plugins/modules/...
COUNT = int(os.environ.get('LVS_FUZZ_COUNT', '400'))
SECONDS = float(os.environ.get('LVS_FUZZ_SECONDS', '4'))
SEED_OFFSET = int(os.environ.get('LVS_FUZZ_SEED', '0'))
DEST = {'address': '192.168.1.21', 'port': 5353, 'forwarding': 'nat', 'weight': 10, 'upper_threshold': 1000,
        'lower_threshold': 900}
SERVICE = {'protocol': 'udp', 'address': '10.2.0.4', 'port': 53, 'scheduler': 'rr', 'persistence': 30}
BASES = {
    'ipvs_service': (ipvs_service, [dict(SERVICE, destinations=[DEST], purge_destinations=True),
                                    {'fwmark': 5, 'family': 'ipv6', 'scheduler': 'sh', 'sched_flags': ['sh-port']}]),
    'ipvs_dest': (ipvs_dest, [dict(DEST, service_address='10.2.0.4', service_port=53, protocol='udp'),
                              {'fwmark': 7, 'address': '10.0.0.5', 'forwarding': 'tun', 'tun_type': 'gue',
                               'tun_port': 6080, 'tun_csum': 'remcsum', 'state': 'quiesced'}]),
    'ipvs_rules': (ipvs_rules, [{'state': st, 'config': [dict(SERVICE, destinations=[DEST])]}
                                for st in ('merged', 'replaced', 'overridden', 'deleted', 'rendered')]
                   + [{'state': 'parsed', 'running_config': '-A -u 10.2.0.4:53 -s rr -p 30\n'
                                                            '-a -u 10.2.0.4:53 -r 192.168.1.21:5353 -m -w 10\n'}]),
    'ipvs_settings': (ipvs_settings, [{'timeouts': {'tcp': 900, 'tcpfin': 120, 'udp': 300},
                                       'daemons': [{'state': 'master', 'mcast_interface': 'eth0', 'syncid': 7},
                                                   {'state': 'backup', 'present': False}]}]),
    'ipvs_wait': (ipvs_wait, [{'addresses': ['192.168.1.21'], 'timeout': 0, 'interval': 0.1, 'weight': 0}]),
    'ipvs_info': (ipvs_info, [{'gather_subset': ['services', 'stats', 'timeouts']}]),
    'keepalived_info': (keepalived_info, [{'timeout': 1}]),
    'sysctl_arp': (sysctl_arp, [{'interfaces': ['all', 'lo'], 'arp_ignore': 1, 'arp_announce': 2,
                                 'state': 'present'}]),
    'lock': (lock, [{'state': 'present', 'purpose': 'site', 'wait': 0, 'ttl': 60}, {'state': 'absent'}]),
    'sysctls': (sysctls, [{'settings': {'net.ipv4.conf.all.arp_ignore': 1, 'net.ipv4.conf.lo.arp_announce': 2}},
                          {'settings': {'net.ipv4.conf.all.arp_ignore': 1}, 'modules': ['ip_vs', 'ip_vs_mh']}]),
    'role_files': (role_files, [{'files': [{'path': 'secret', 'secret_content': 'auth_pass x\n', 'mode': '0600'},
                                           {'path': 'keepalived.conf', 'content': 'a\n', 'mode': 384,
                                            'validate': 'true %s', 'owner': 'root', 'group': 'root'},
                                           {'path': 'gone', 'state': 'absent'}]}]),
    'kernel_modules': (kernel_modules, [{'names': ['ip_vs', 'ip_vs_rr']}]),
    'realserver_vips': (realserver_vips, [{'addresses': [{'cidr': '10.78.0.200/32', 'dev': 'lo'},
                                                         {'cidr': 'fd78::200/128', 'dev': 'lo', 'label': ''}],
                                           'lo_label': 'lo:0', 'remove_files': []},
                                          {'addresses': [{'cidr': '10.78.0.200/32', 'dev': 'lo'}],
                                           'arp': {'arp_ignore': 1, 'arp_announce': 2, 'interfaces': ['all', 'lo']}}]),
}


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A fake kernel with IPVS (/proc/net/ip_vs, scheduler modules), a fake /proc/sys, paths under tmp."""
    proc = tmp_path / 'ip_vs'
    proc.write_text('IP Virtual Server version 1.2.1 (size=4096)\n')
    for name in ('ip_vs', 'ip_vs_rr', 'ip_vs_wlc', 'ip_vs_sh'):
        (tmp_path / 'module' / name).mkdir(parents=True)
    monkeypatch.setattr(ipvs_runner, 'PROC_IP_VS', str(proc))
    monkeypatch.setattr(ipvs_runner, 'SYS_MODULE', str(tmp_path / 'module'))
    for iface in ('all', 'default', 'lo', 'eth0'):
        conf = tmp_path / 'proc_sys' / 'net' / 'ipv4' / 'conf' / iface
        conf.mkdir(parents=True)
        (conf / 'arp_ignore').write_text('0\n')
        (conf / 'arp_announce').write_text('0\n')
    monkeypatch.setattr(arp_sysctl, 'PROC_SYS', str(tmp_path / 'proc_sys'))
    monkeypatch.setattr(sysctl_file, 'PROC_SYS', str(tmp_path / 'proc_sys'))
    monkeypatch.setattr(kernel_modules_utils, 'SYS_MODULE', str(tmp_path / 'module'))
    monkeypatch.setattr(realserver_vips, 'SYSTEMD', str(tmp_path / 'system'))
    monkeypatch.setattr(realserver_vips, 'SYS_NET', str(tmp_path / 'net'))
    return tmp_path


def with_paths(name, args, tmp):
    """The module's file arguments under tmp (added after the mutation: the fuzzer may still replace them)."""
    args = dict(args)
    if name == 'sysctl_arp':
        args.setdefault('path', str(tmp / 'arp.conf'))
    elif name == 'lock':
        args.setdefault('path', str(tmp / 'run' / 'lock.json'))
    elif name == 'keepalived_info':
        args.setdefault('pid_file', str(tmp / 'keepalived.pid'))
    elif name == 'sysctls':
        args.setdefault('path', str(tmp / 'lvs.conf'))
        if 'modules' in args:
            args.setdefault('modules_path', str(tmp / 'modules.conf'))
    elif name == 'role_files' and isinstance(args.get('files'), list):
        (tmp / 'files').mkdir(exist_ok=True)
        # under tmp whatever the fuzzer made of the name (a module in check mode still reads the files)
        args['files'] = [dict(f, path=str(tmp / 'files' / str(f['path']).replace('/', '_')[:50]))
                         if isinstance(f, dict) and isinstance(f.get('path'), str) and f['path'] else f
                         for f in args['files']]
    elif name == 'kernel_modules':
        args.setdefault('path', str(tmp / 'modules.conf'))
    elif name == 'realserver_vips':
        args.setdefault('state_file', str(tmp / 'vips.json'))
        args.setdefault('unit', str(tmp / 'system' / 'lvs-realserver.service'))
        if isinstance(args.get('arp'), dict):
            args['arp'] = dict(args['arp'], path=str(tmp / 'arp.conf'))
    return args


def encodable(args) -> bool:
    """What a controller can send a module: JSON (no bytes, sets or integers too long to print)."""
    import json
    try:
        json.dumps(args)
    except (TypeError, ValueError):
        return False
    return True


@pytest.mark.parametrize('name', sorted(BASES))
def test_module_never_raises(name, sandbox):
    module, bases = BASES[name]
    ran = 0
    for n, args in fuzz.cases(bases, seed=len(name) + SEED_OFFSET, count=COUNT, seconds=SECONDS,
                              where=lambda p: len(p) >= 1):
        if not isinstance(args, dict) or not encodable(args):
            continue
        given = with_paths(name, args, sandbox)
        fake = FakeIPVS([view_state('dests')])
        try:
            res = run_module(module.main, given, fake, check_mode=True)
        except Exception as exc:
            pytest.fail('%s case %d: %s: %s\nargs: %s' % (name, n, type(exc).__name__, exc, fuzz.short_repr(given)))
        if res.get('failed'):
            assert isinstance(res['msg'], str) and res['msg'], res
        ran += 1
    assert ran >= 50
