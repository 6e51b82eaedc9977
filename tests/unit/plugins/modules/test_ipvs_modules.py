# SPDX-License-Identifier: GPL-3.0-or-later
"""The IPVS modules end to end, faking only the process boundary with real-kernel recordings."""

from __future__ import annotations

import os

import converge_case as C
import ipvs_fixtures as F
import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_runner
from ansible_collections.lvs.cluster.plugins.modules import ipvs_dest, ipvs_info, ipvs_rules, ipvs_service, ipvs_wait
from ipvs_harness import FakeIPVS, run_module, view_state

LOADED = ('ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_wlc', 'ip_vs_sh', 'ip_vs_mh', 'ip_vs_lc')


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """/proc/net/ip_vs present and some scheduler modules loaded (as /sys/module entries)."""
    proc = tmp_path / 'ip_vs'
    proc.write_text('IP Virtual Server version 1.2.1 (size=4096)\n')
    sys_module = tmp_path / 'module'
    for name in LOADED:
        (sys_module / name).mkdir(parents=True)
    monkeypatch.setattr(ipvs_runner, 'PROC_IP_VS', str(proc))
    monkeypatch.setattr(ipvs_runner, 'SYS_MODULE', str(sys_module))
    return proc


@pytest.fixture
def no_kernel(tmp_path, monkeypatch):
    monkeypatch.setattr(ipvs_runner, 'PROC_IP_VS', str(tmp_path / 'missing'))
    monkeypatch.setattr(ipvs_runner, 'SYS_MODULE', str(tmp_path / 'module'))


def dests_fake():
    return FakeIPVS([view_state('dests')])


def converge_fake():
    return FakeIPVS([view_state('converge', 0), view_state('converge', 1)])


# --------------------------------------------------------------------------- ipvs_service

def test_service_unchanged_on_live_table(kernel):
    fake = dests_fake()
    res = run_module(ipvs_service.main, {'protocol': 'udp', 'address': '10.2.0.4', 'port': 53, 'scheduler': 'rr',
                                         'persistence': 30}, fake)
    assert res['changed'] is False, res
    assert res['commands'] == []
    assert fake.applied == []
    assert res['service']['destinations'][0] == {
        'address': '192.168.1.21', 'port': 5353, 'forwarding': 'nat', 'weight': 10, 'upper_threshold': 1000,
        'lower_threshold': 900, 'tun_type': None, 'tun_port': None, 'tun_csum': None}


def test_service_check_mode_makes_no_apply_call(kernel):
    fake = dests_fake()
    res = run_module(ipvs_service.main, {'protocol': 'udp', 'address': '10.2.0.4', 'port': 53, 'scheduler': 'wrr',
                                         'persistence': 30}, fake, check_mode=True, diff=True)
    assert res['changed'] is True
    assert res['commands'] == ['-E -u 10.2.0.4:53 -s wrr -p 30']
    assert fake.applied == []
    assert not any(c.startswith('-R') for c in fake.commands())
    assert res['diff']['before'].startswith('-A -u 10.2.0.4:53 -s rr -p 30\n')
    assert res['diff']['after'].startswith('-A -u 10.2.0.4:53 -s wrr -p 30\n')
    assert '-x 1000 -y 900' in res['diff']['after']
    assert res['service']['scheduler'] == 'wrr'


def test_service_new_with_destinations_applies_one_batch(kernel):
    fake = FakeIPVS([view_state('empty'), view_state('converge', 1)])
    # what the kernel held after the converge batch: ask for the mh service of converge_case
    args = dict(C.CONFIG[0], state='present')
    fake.states[1] = dict(view_state('converge', 1).items())
    res = run_module(ipvs_service.main, args, fake)
    assert res.get('failed') is not True, res
    assert len(fake.applied) == 1
    assert fake.applied[0] == (
        '-A -t 10.5.0.1:80 -s mh -b mh-port\n'
        '-a -t 10.5.0.1:80 -r 192.168.1.1:80 -g -w 0\n'
        '-a -t 10.5.0.1:80 -r 192.168.1.2:8080 -m -w 1 -x 200 -y 20\n'
        '-a -t 10.5.0.1:80 -r 192.168.1.5:80 -g -w 3\n')
    assert res['changed'] is True


def test_service_absent(kernel):
    fake = FakeIPVS([view_state('converge', 0), view_state('converge', 0)])
    res = run_module(ipvs_service.main, {'address': '2001:db8::1', 'port': 443, 'state': 'absent'}, fake,
                     check_mode=True)
    assert res['commands'] == ['-D -t [2001:db8::1]:443']
    assert res['service'] == {}


def test_service_absent_when_missing_is_noop(kernel):
    res = run_module(ipvs_service.main, {'address': '10.9.9.9', 'port': 80, 'state': 'absent'}, dests_fake())
    assert res['changed'] is False


def test_service_validation_happens_before_any_command(kernel):
    fake = dests_fake()
    res = run_module(ipvs_service.main, {'address': '10.0.0.1', 'port': 80, 'scheduler': 'foo'}, fake)
    assert res['failed'] and res['msg'].startswith("scheduler: 'foo' is not one of rr, wrr")
    assert fake.calls == []


# Bad input of every IPVS module: (module, arguments, the message's start). Each fails before the table is read.
BAD_BEFORE_READ = [
    (ipvs_service, {'address': '224.0.0.18', 'port': 80},
     "address: '224.0.0.18' is a multicast address: IPVS balances only unicast addresses"),
    (ipvs_service, {'address': 'fe80::1%eth0', 'port': 80}, "address: 'fe80::1%eth0' is not a valid IP address"),
    (ipvs_service, {'address': '255.255.255.255', 'port': 80, 'protocol': 'udp'},
     "address: '255.255.255.255' is the broadcast address"),
    (ipvs_service, {'address': '0.0.0.0', 'port': 80}, "address: '0.0.0.0' is the unspecified address"),
    (ipvs_service, {'address': '10.2.0.3', 'port': 80, 'destinations': [{'address': 'ff02::1'}]},
     "destinations[0].address: 'ff02::1' is a multicast address"),
    (ipvs_dest, {'service_address': '10.2.0.3', 'service_port': 80, 'address': '10.0.0.1', 'weight': -1},
     'weight: -1 is out of range 0-65535'),
    (ipvs_dest, {'service_address': '10.2.0.3', 'service_port': 80, 'address': '10.0.0.1', 'forwarding': 'fullnat'},
     "forwarding: 'fullnat' is not one of"),
    (ipvs_dest, {'service_address': '10.2.0.3', 'service_port': 80, 'address': '10.0.0.1', 'port': 8080},
     'port: 8080 differs from the service port 80'),
    (ipvs_dest, {'service_address': '10.2.0.3', 'service_port': 80, 'address': '2001:db8::1'},
     "address: '2001:db8::1' is ipv6 but the service is ipv4"),
    (ipvs_dest, {'service_address': '10.2.0.3', 'service_port': 80, 'address': '10.0.0.1', 'upper_threshold': 5,
                 'lower_threshold': 9}, 'lower_threshold: 9 is greater than upper_threshold 5'),
    (ipvs_dest, {'service_address': '10.2.0.3', 'service_port': 80, 'address': '10.0.0.1', 'tun_type': 'gue'},
     "tun_type: 'gue' is only valid with forwarding tun, not dr"),
    (ipvs_dest, {'fwmark': 7, 'address': '10.0.0.300'}, "address: '10.0.0.300' is not a valid IP address"),
    (ipvs_dest, {'service_address': '10.2.0.300', 'service_port': 80, 'address': '10.0.0.1'},
     "address: '10.2.0.300' is not a valid IP address"),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.300', 'port': 80}]},
     "config[0].address: '10.2.0.300' is not a valid IP address"),
    (ipvs_rules, {'state': 'deleted', 'config': [{'address': '10.2.0.3', 'port': 80,
                                                  'destinations': [{'address': '10.0.0.1', 'port': 70000}]}]},
     'config[0].destinations[0].port: 70000 is out of range 0-65535'),
    (ipvs_rules, {'state': 'merged', 'config': [{'fwmark': 0}]}, 'config[0].fwmark: '),
    # merged and deleted entries: every option they give, before the read (what they leave out merges later)
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'scheduler': 'rrr'}]},
     "config[0].scheduler: 'rrr' is not one of"),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80},
                                                {'address': '10.2.0.3', 'port': 80, 'scheduler': 'rr'}]},
     'config[1].address: service tcp 10.2.0.3:80 is listed twice (also config[0])'),
    (ipvs_rules, {'state': 'deleted', 'config': [{'address': '10.2.0.3', 'port': 80}, {'address': '10.2.0.3',
                                                                                       'port': 80}]},
     'config[1].address: service tcp 10.2.0.3:80 is listed twice'),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80,
                                                 'destinations': [{'address': '10.0.0.1', 'weight': 70000}]}]},
     'config[0].destinations[0].weight: 70000 is out of range 0-65535'),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'destinations': [
        {'address': '10.0.0.1'}, {'address': '10.0.0.1', 'port': 80}]}]},
     "config[0].destinations[1].address: '10.0.0.1:80' is listed twice"),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'sched_flags': ['flag-9']}]},
     "config[0].sched_flags: 'flag-9' is not a scheduler flag"),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'scheduler': 'rr',
                                                 'sched_flags': ['sh-port']}]},
     "config[0].sched_flags: 'sh-port' is not valid for scheduler 'rr'"),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'persistence': -1}]},
     'config[0].persistence: -1 is out of range'),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'one_packet': True}]},
     'config[0].one_packet: only valid for protocol udp or fwmark services, not tcp'),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'destinations': [
        {'address': '10.0.0.1', 'forwarding': 'dr', 'tun_type': 'gre'}]}]},
     "config[0].destinations[0].tun_type: 'gre' is only valid with forwarding tun, not dr"),
    (ipvs_rules, {'state': 'merged', 'config': [{'address': '10.2.0.3', 'port': 80, 'destinations': [
        {'address': '10.0.0.1', 'upper_threshold': 3, 'lower_threshold': 8}]}]},
     'config[0].destinations[0].lower_threshold: 8 is greater than upper_threshold 3'),
    # a typo in an address would never match a real server: the wait would end at once, "drained"
    (ipvs_wait, {'addresses': ['10.0.0.1', '10.0.0.300']}, "addresses[1]: '10.0.0.300' is not a valid IP address"),
    (ipvs_wait, {'addresses': ['rs1.example.com']}, "addresses[0]: 'rs1.example.com' is not a valid IP address"),
    (ipvs_wait, {'addresses': []}, 'addresses: needs at least one real server address'),
]


@pytest.mark.parametrize('module,args,msg', BAD_BEFORE_READ, ids=[m[2].split(':')[0] for m in BAD_BEFORE_READ])
def test_bad_input_fails_before_the_table_is_read(kernel, module, args, msg):
    fake = dests_fake()
    res = run_module(module.main, args, fake)
    assert res['failed'] and res['msg'].startswith(msg), res['msg']
    assert fake.calls == [], fake.calls


def test_merged_options_left_out_still_merge_from_the_live_service(kernel):
    """The check before the read takes only what an entry gives: a netmask without persistence is fine when the
    live service is persistent, a real server port that differs is fine when the live forwarding is nat."""
    fake = dests_fake()
    res = run_module(ipvs_rules.main, {'state': 'merged', 'config': [
        {'protocol': 'udp', 'address': '10.2.0.4', 'port': 53, 'netmask': '255.255.255.0',
         'destinations': [{'address': '192.168.1.21', 'port': 5353, 'weight': 10}]}]}, fake, check_mode=True)
    assert not res.get('failed'), res


def test_service_unknown_twos_scheduler_reports_missing_module(kernel):
    fake = dests_fake()
    res = run_module(ipvs_service.main, {'address': '10.0.0.1', 'port': 80, 'scheduler': 'twos'}, fake)
    assert res['failed']
    assert "scheduler: 'twos' is not available on this kernel (kernel module ip_vs_twos" in res['msg']
    assert fake.applied == []


def test_service_kernel_refusal_is_reported(kernel):
    """If the pre-check cannot tell, ipvsadm -R's stderr (rc 0!) still fails the task."""
    err = next(b.stderr for b in F.blocks('errors', 'ipvsadm -R') if 'twos' in (b.stdin or ''))
    fake = FakeIPVS([view_state('dests')], missing_modules=(), apply_result=(255, '', err))
    res = run_module(ipvs_service.main, {'address': '10.0.0.1', 'port': 80, 'scheduler': 'lblc'}, fake)
    assert res['failed']
    assert 'Scheduler or persistence engine not found' in res['msg']
    assert 'not transactional' in res['msg']


def test_service_rc0_with_stderr_is_failure(kernel):
    fake = FakeIPVS([view_state('dests')], apply_result=(0, '', 'Service already exists\n'))
    res = run_module(ipvs_service.main, {'address': '10.0.0.1', 'port': 80}, fake)
    assert res['failed'] and 'Service already exists' in res['msg']


def test_kernel_without_ipvs_fails_clearly(no_kernel):
    fake = dests_fake()
    res = run_module(ipvs_service.main, {'address': '10.0.0.1', 'port': 80, 'load_module': False}, fake)
    assert res['failed'] and 'The kernel has no IPVS' in res['msg'] and 'load_module is false' in res['msg']
    assert fake.calls == []


def test_kernel_without_ipvs_modprobe_failure(no_kernel):
    fake = FakeIPVS([view_state('empty')], missing_modules=('ip_vs',))
    res = run_module(ipvs_service.main, {'address': '10.0.0.1', 'port': 80}, fake)
    assert res['failed'] and 'modprobe ip_vs' in res['msg']
    assert fake.commands() == ['ip_vs']


def test_check_mode_without_loaded_ipvs_predicts_from_empty_table(no_kernel):
    fake = FakeIPVS([view_state('empty')])
    res = run_module(ipvs_service.main, {'address': '10.0.0.1', 'port': 80, 'scheduler': 'rr'}, fake,
                     check_mode=True)
    assert res['changed'] is True
    assert res['commands'] == ['-A -t 10.0.0.1:80 -s rr']
    assert fake.commands() == ['-n ip_vs', '-n ip_vs_rr']  # only dry-run modprobe, never ipvsadm


# --------------------------------------------------------------------------- ipvs_dest

def test_dest_quiesce_edits_in_place(kernel):
    fake = dests_fake()
    res = run_module(ipvs_dest.main, {'service_address': '10.2.0.1', 'service_port': 80, 'address': '192.168.1.11',
                                      'state': 'quiesced'}, fake, check_mode=True)
    assert res['commands'] == ['-e -t 10.2.0.1:80 -r 192.168.1.11:80 -g -w 0']
    assert res['destination']['weight'] == 0


def test_dest_idempotent_gue(kernel):
    res = run_module(ipvs_dest.main, {'fwmark': 10, 'address': '192.168.1.32', 'forwarding': 'ipip', 'tun_type': 'gue',
                                      'tun_port': 5555, 'tun_csum': 'csum'}, dests_fake())
    assert res['changed'] is False, res


def test_dest_ipv6_mixed_family_tunnel_idempotent(kernel):
    res = run_module(ipvs_dest.main, {'vip': '2001:db8::100', 'vport': 443, 'rip': '192.168.1.40',
                                      'forwarding': 'tun'}, dests_fake())
    assert res['changed'] is False, res


def test_dest_add_and_remove(kernel):
    args = {'service_address': '10.2.0.3', 'service_port': 80, 'address': '192.168.1.99', 'forwarding': 'nat',
            'port': 8080, 'weight': 7}
    res = run_module(ipvs_dest.main, args, dests_fake(), check_mode=True)
    assert res['commands'] == ['-a -t 10.2.0.3:80 -r 192.168.1.99:8080 -m -w 7']
    res = run_module(ipvs_dest.main, dict(args, state='absent', address='192.168.1.20', port=None), dests_fake(),
                     check_mode=True)
    assert res['commands'] == ['-d -t 10.2.0.3:80 -r 192.168.1.20:80']


def test_dest_needs_existing_service(kernel):
    res = run_module(ipvs_dest.main, {'service_address': '10.9.9.9', 'service_port': 80, 'address': '10.0.0.1'},
                     dests_fake())
    assert res['failed'] and res['msg'].startswith('service: tcp 10.9.9.9:80 does not exist')


def test_dest_bad_weight_names_field(kernel):
    res = run_module(ipvs_dest.main, {'service_address': '10.2.0.3', 'service_port': 80, 'address': '10.0.0.1',
                                      'weight': 70000}, dests_fake())
    assert res['failed'] and res['msg'] == 'weight: 70000 is out of range 0-65535'


# --------------------------------------------------------------------------- ipvs_rules

def test_rules_overridden_converges_with_the_recorded_batch(kernel):
    fake = converge_fake()
    res = run_module(ipvs_rules.main, {'state': 'overridden', 'config': C.CONFIG}, fake, diff=True)
    assert res.get('failed') is not True, res
    assert res['changed'] is True
    assert fake.applied == [C.BATCH]
    assert len([c for c in fake.commands() if c == '-R']) == 1
    assert res['commands'] == C.BATCH.splitlines()
    assert '-D' not in res['diff']['after']


def test_rules_second_run_is_unchanged(kernel):
    fake = FakeIPVS([view_state('converge', 1)])
    res = run_module(ipvs_rules.main, {'state': 'overridden', 'config': C.CONFIG}, fake)
    assert res['changed'] is False and res['commands'] == [] and fake.applied == []


def test_rules_check_mode_after_matches_real_kernel(kernel):
    fake = converge_fake()
    res = run_module(ipvs_rules.main, {'state': 'overridden', 'config': C.CONFIG}, fake, check_mode=True)
    assert fake.applied == []
    gathered = run_module(ipvs_rules.main, {'state': 'gathered'}, FakeIPVS([view_state('converge', 1)]))['gathered']

    def key(s):
        return (s['protocol'], s['family'], str(s['address']), s['port'] or 0, s['fwmark'] or 0)

    assert sorted(res['after'], key=key) == sorted(gathered, key=key)


def test_rules_merged_keeps_unlisted(kernel):
    res = run_module(ipvs_rules.main, {'state': 'merged', 'config': [
        {'address': '10.5.0.1', 'port': 80, 'destinations': [{'address': '192.168.1.2', 'port': 8080, 'weight': 9}]},
    ]}, converge_fake(), check_mode=True)
    # forwarding and thresholds of the live real server are kept, only the weight changes
    assert res['commands'] == ['-e -t 10.5.0.1:80 -r 192.168.1.2:8080 -m -w 9 -x 100 -y 10']


def test_rules_replaced_resets_unset_options(kernel):
    res = run_module(ipvs_rules.main, {'state': 'replaced', 'config': [
        {'protocol': 'udp', 'address': '10.5.0.2', 'port': 53, 'scheduler': 'rr',
         'destinations': [{'address': '192.168.1.3', 'forwarding': 'nat', 'weight': 5}]},
    ]}, converge_fake(), check_mode=True)
    assert res['commands'] == ['-E -u 10.5.0.2:53 -s rr']


def test_rules_deleted(kernel):
    res = run_module(ipvs_rules.main, {'state': 'deleted', 'config': [
        {'fwmark': 5}, {'address': '10.5.0.1', 'port': 80, 'destinations': [{'address': '192.168.1.1'}]}]},
        converge_fake(), check_mode=True)
    assert res['commands'] == ['-d -t 10.5.0.1:80 -r 192.168.1.1:80', '-D -f 5']
    res = run_module(ipvs_rules.main, {'state': 'deleted'}, converge_fake(), check_mode=True)
    assert len(res['commands']) == 4 and all(c.startswith('-D ') for c in res['commands'])


def test_rules_rendered_and_parsed_never_touch_the_host(no_kernel):
    fake = FakeIPVS([])
    res = run_module(ipvs_rules.main, {'state': 'rendered', 'config': C.CONFIG}, fake)
    assert fake.calls == []
    text = F.output('converge', 'ipvsadm -Sn', 1)
    rendered = set(res['rendered'])
    assert rendered - set(text.splitlines()) == {'-a -t 10.5.0.1:80 -r 192.168.1.2:8080 -m -w 1 -x 200 -y 20'}
    parsed = run_module(ipvs_rules.main, {'state': 'parsed', 'running_config': text}, fake)
    assert fake.calls == []
    assert len(parsed['parsed']) == 5 and parsed['parsed'][0]['scheduler'] == 'mh'


def test_rules_parsed_error_names_line(no_kernel):
    res = run_module(ipvs_rules.main, {'state': 'parsed', 'running_config': '-A -t 10.0.0.1:80 -s rr\n-Z\n'})
    assert res['failed'] and res['msg'] == "running_config: line 2: unknown option '-Z'"


def test_rules_dest_file_check_and_write(kernel, tmp_path):
    path = tmp_path / 'ipvsadm.rules'
    args = {'state': 'overridden', 'config': C.CONFIG, 'dest': str(path)}
    res = run_module(ipvs_rules.main, args, FakeIPVS([view_state('converge', 1)]), check_mode=True, diff=True)
    assert res['changed'] is True and res['dest_changed'] is True and not path.exists()
    assert res['diff'][1]['after'].startswith('-A -t 10.5.0.1:80 -s mh -b mh-port\n')
    res = run_module(ipvs_rules.main, args, FakeIPVS([view_state('converge', 1)]))
    assert res['changed'] is True and path.exists()
    assert oct(os.stat(path).st_mode & 0o777) == '0o644'
    content = path.read_text()
    assert '#' not in content  # ipvsadm -R refuses comment lines
    assert '-x 200 -y 20' in content
    res = run_module(ipvs_rules.main, args, FakeIPVS([view_state('converge', 1)]))
    assert res['changed'] is False


def test_rules_config_validation_path(kernel):
    res = run_module(ipvs_rules.main, {'state': 'merged', 'config': [
        {'address': '10.0.0.1', 'port': 80, 'destinations': [{'address': '10.0.0.2', 'tun_type': 'gue'}]}]},
        dests_fake())
    assert res['failed']
    assert res['msg'] == "config[0].destinations[0].tun_type: 'gue' is only valid with forwarding tun, not dr"


# --------------------------------------------------------------------------- ipvs_info

def test_info_full(kernel):
    fake = FakeIPVS([view_state('stats')])
    fake.states[0]['-Ln --timeout'] = F.output('timeouts', 'ipvsadm -Ln --timeout')
    fake.states[0]['-Ln --daemon'] = F.blocks('daemon', 'ipvsadm -Ln --daemon')[2].stdout
    res = run_module(ipvs_info.main, {}, fake, check_mode=True)
    info = res['ipvs']
    assert res['changed'] is False and info['loaded'] is True
    assert info['timeouts'] == {'tcp': 1000, 'tcpfin': 60, 'udp': 200}
    assert [d['state'] for d in info['daemons']] == ['master', 'backup']
    svc = info['services'][0]
    assert svc['stats'] == {'conns': 5, 'inpkts': 5, 'outpkts': 5, 'inbytes': 300, 'outbytes': 200}
    assert svc['destinations'][0]['stats']['conns'] == 5
    assert svc['destinations'][1]['weight'] == 0
    assert svc['destinations'][0]['inactive_conns'] == 5
    assert info['rules'] == F.output('stats', 'ipvsadm -Sn')
    assert not any(c == '-R' for c in fake.commands())


def test_info_connections_from_thresholds(kernel):
    res = run_module(ipvs_info.main, {'gather_subset': ['services']}, dests_fake())
    dest = res['ipvs']['services'][0]['destinations'][0]
    assert dest['active_conns'] == 0 and dest['inactive_conns'] == 0
    assert res['ipvs']['version'] == '1.2.1' and res['ipvs']['size'] == 4096


def test_info_without_ipvs_runs_nothing(no_kernel):
    fake = dests_fake()
    res = run_module(ipvs_info.main, {}, fake)
    assert res['ipvs']['loaded'] is False and res['ipvs']['services'] == []
    assert fake.calls == []


def test_info_bad_subset(kernel):
    res = run_module(ipvs_info.main, {'gather_subset': ['bogus']}, dests_fake())
    assert res['failed'] and res['msg'].startswith("gather_subset: 'bogus' is not one of")


# --------------------------------------------------------------------------- converge: reads, simulate, diff

SIMPLE = [{'address': '10.0.0.1', 'port': 80, 'scheduler': 'rr', 'destinations': [{'address': '10.0.1.1'}]}]
SIMPLE_SAVE = '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n'


def test_rules_real_run_verifies_by_reading_back_not_by_simulating(kernel, monkeypatch):
    def no_simulate(*_args):
        raise AssertionError('simulate() outside check mode')

    monkeypatch.setattr(ipvs_runner, 'simulate', no_simulate)
    res = run_module(ipvs_rules.main, {'state': 'overridden', 'config': C.CONFIG}, converge_fake())
    assert res.get('failed') is not True, res
    assert res['after'] == run_module(ipvs_rules.main, {'state': 'gathered'},
                                      FakeIPVS([view_state('converge', 1)]))['gathered']
    again = run_module(ipvs_rules.main, {'state': 'overridden', 'config': C.CONFIG},
                       FakeIPVS([view_state('converge', 1)]))
    # no change: no copy of the table (state=gathered returns it); the converged table is what was asked for
    assert again['changed'] is False and 'after' not in again and 'before' not in again, again
    assert again['commands'] == [] and res['before'] != res['after'], res


def test_read_back_skips_thresholds_when_none_are_involved(kernel):
    # the state after the batch has no '-Ln --thresholds' recording: reading it would fail the task
    fake = FakeIPVS([view_state('empty'), {'-Sn': SIMPLE_SAVE}])
    res = run_module(ipvs_rules.main, {'state': 'overridden', 'config': SIMPLE}, fake)
    assert res.get('failed') is not True, res
    assert fake.commands() == ['-Sn', '-Ln --thresholds', '-R', '-Sn']
    assert res['after'][0]['destinations'][0]['upper_threshold'] == 0


def test_read_back_reads_thresholds_when_the_target_has_some(kernel):
    fake = converge_fake()
    res = run_module(ipvs_rules.main, {'state': 'overridden', 'config': C.CONFIG}, fake)
    assert res.get('failed') is not True, res
    assert fake.commands()[-2:] == ['-Sn', '-Ln --thresholds']
    assert res['after'][0]['destinations'][1]['upper_threshold'] == 200


def test_read_back_reads_thresholds_when_live_had_some(kernel):
    """Removing the last thresholds must be verified: -Sn alone cannot tell they are gone."""
    fake = FakeIPVS([view_state('converge', 1), view_state('converge', 1)])  # the kernel keeps them
    config = [dict(C.CONFIG[0], destinations=[dict(d, upper_threshold=None, lower_threshold=None)
                                              for d in C.CONFIG[0]['destinations']]), *C.CONFIG[1:]]
    res = run_module(ipvs_rules.main, {'state': 'overridden', 'config': config}, fake)
    assert fake.commands()[-2:] == ['-Sn', '-Ln --thresholds']
    assert res['failed'] and 'did not converge' in res['msg']


def test_diff_texts_only_in_diff_mode(kernel, tmp_path):
    args = {'state': 'overridden', 'config': C.CONFIG, 'dest': str(tmp_path / 'rules')}
    res = run_module(ipvs_rules.main, args, FakeIPVS([view_state('converge', 1)]), check_mode=True)
    assert 'diff' not in res and res['dest_changed'] is True
    res = run_module(ipvs_rules.main, args, FakeIPVS([view_state('converge', 1)]), check_mode=True, diff=True)
    assert [d['before_header'] for d in res['diff']] == ['ipvsadm rules (before)', str(tmp_path / 'rules')]
    svc = {'protocol': 'udp', 'address': '10.2.0.4', 'port': 53, 'scheduler': 'wrr', 'persistence': 30}
    assert 'diff' not in run_module(ipvs_service.main, svc, dests_fake(), check_mode=True)
    assert 'diff' in run_module(ipvs_service.main, svc, dests_fake(), check_mode=True, diff=True)
    dest = {'service_address': '10.2.0.3', 'service_port': 80, 'address': '192.168.1.99'}
    assert 'diff' not in run_module(ipvs_dest.main, dest, dests_fake(), check_mode=True)
    assert run_module(ipvs_dest.main, dest, dests_fake(), check_mode=True, diff=True)['diff']['after']


def test_wait_weights_not_names_the_destinations_off_the_weight():
    from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_tasks import weights_not
    services = [{'destinations': [{'address': '10.0.0.11', 'weight': 2}, {'address': '10.0.0.12', 'weight': 0}]},
                {'destinations': [{'address': '10.0.0.11', 'weight': 0}]}]
    assert weights_not(services, ['10.0.0.11', '10.0.0.12'], 0) == {'10.0.0.11': 2}
    assert weights_not(services, ['10.0.0.12'], 0) == {}
    assert weights_not(services, ['10.0.0.11'], None) == {}  # no weight asked: none looked at
