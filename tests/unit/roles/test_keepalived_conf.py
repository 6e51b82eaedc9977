"""roles/keepalived/templates/keepalived.conf.j2 rendered by Ansible's own templar from cluster models (built by
cluster_model from inventories, the director's part from setup facts recorded on a lab director), then checked
by the real `keepalived -t` (Debian's keepalived, installed on the host by `./lab setup`): every option of the
model must render into a configuration keepalived accepts, and a keyword keepalived does not know must fail."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model, host_view
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors
from render import render_role

ROOT = Path(__file__).resolve().parents[3]
ROLE = ROOT / 'roles' / 'keepalived'
# eth0 10.78.0.11 and fd78::11, eth1 10.79.0.11
FACTS = ROOT / 'tests' / 'unit' / 'fixtures' / 'facts' / 'director1-dualstack.json'
HOSTS = {'director1': {'ansible_host': '10.78.0.11'}, 'director2': {'ansible_host': '10.78.0.12'},
         'rs1': {'ansible_host': '10.78.0.21'}, 'rs2': {'ansible_host': '10.78.0.22'}}
NAT_HOSTS = dict(HOSTS, rs1={'ansible_host': '10.79.0.21'}, rs2={'ansible_host': '10.79.0.22'})
DUAL_HOSTS = dict(HOSTS, rs1={'ansible_host': '10.78.0.21', 'lvs_real_address6': 'fd78::21'},
                  rs2={'ansible_host': '10.78.0.22', 'lvs_real_address6': 'fd78::22'})
NAT6_HOSTS = dict(HOSTS, rs1={'ansible_host': 'fd79::21'}, rs2={'ansible_host': 'fd79::22'})
WEB6 = {'name': 'http6', 'address': 'fd78::200', 'port': 80, 'scheduler': 'wrr',
        'sorry_server': {'address': 'fd78::50'}, 'health_check': {'type': 'http', 'path': '/'}}
WEB = {'name': 'http', 'port': 80}
EVERY_OPTION = [
    dict(WEB, scheduler='sh', sched_flags=['sh-port', 'sh-fallback'], persistence=60, inhibit_on_failure=True,
         alpha=True, omega=True, quorum_up='/usr/local/bin/lvs-quorum up', quorum_down='/usr/local/bin/lvs-quorum down',
         sorry_server={'address': '10.78.0.50'}, sorry_server_inhibit=True, upper_threshold=100, lower_threshold=10,
         health_check={'type': 'http', 'path': '/health', 'virtualhost': 'www.example.com',
                       'digest': '0123456789ABCDEF0123456789abcdef'}, keepalived_extra=['virtualhost www.example.com']),
    {'name': 'sip', 'protocol': 'udp', 'port': 5060, 'scheduler': 'rr', 'one_packet': True, 'persistence': 30,
     'persistence_engine': 'sip'},
    {'name': 'dns', 'protocol': 'udp', 'port': 53,
     'health_check': {'type': 'dns', 'dns_name': 'example.com', 'dns_type': 'A'}},
    dict(WEB, name='https', port=443, health_check={'type': 'https', 'path': '/'}),
    dict(WEB, name='misc', port=8080,
         health_check={'type': 'misc', 'misc_path': '/usr/local/bin/check {address}:{port}', 'misc_dynamic': True}),
    dict(WEB, name='second-vip', address='10.78.0.202', scheduler='mh', sched_flags=['mh-port', 'mh-fallback']),
    dict(WEB, name='maint', port=8081, health_check={'type': 'file', 'file_path': '/run/lvs-maint/{name}-{port}'}),
    dict(WEB, name='smtp', port=25, health_check={'type': 'smtp', 'smtp_helo': 'lb.example.com', 'retry': 1}),
    {'name': 'marked', 'address': '10.78.0.203', 'fwmark': 7, 'ports': [80, 443], 'persistence': 300,
     'netmask': '255.255.255.0'},  # its own VIP: marking 80 and 443 of the first would take them from http, https
]
VRRP_OPTIONS = {
    'lvs_vrrp_scripts': [{'name': 'chk_web', 'script': '/usr/bin/curl -fs http://127.0.0.1/', 'weight': -60,
                          'interval': 1, 'fall': 2, 'rise': 2}, {'name': 'chk_flag', 'script': '/bin/true'}],
    'lvs_vrrp_track_interfaces': [{'name': 'eth1', 'weight': -30}, {'name': 'eth0'}],
    'lvs_vrrp_notify': {'master': '/usr/local/bin/lvs-state master', 'fault': '/usr/local/bin/lvs-state fault'},
    'lvs_vrrp_email': {'to': ['ops@example.com', 'lvs@example.com'], 'from': 'lvs@example.com',
                       'smtp_server': '192.0.2.25'},
    'lvs_vrrp_garp': {'master_delay': 1, 'master_repeat': 3, 'lower_prio_repeat': 1},
}
CASES = {
    'dr': ({'lvs_vip': '10.78.0.200', 'lvs_services': [WEB]}, HOSTS, {}),
    'tun': ({'lvs_vip': '10.78.0.200', 'lvs_forwarding': 'tun', 'lvs_services': [WEB],
             'lvs_vrrp_auth_pass': 'labpass1'}, HOSTS, {'keepalived_unicast': True, 'keepalived_nopreempt': True}),
    'nat': ({'lvs_vip': '10.78.0.200', 'lvs_forwarding': 'nat', 'lvs_internal_vip': '10.79.0.254',
             'lvs_services': [dict(WEB, real_port=8080)]}, NAT_HOSTS,
            {'keepalived_notify_script': '/usr/local/bin/lvs-notify', 'keepalived_sync_daemon': True}),
    'vrrp-options': (dict(VRRP_OPTIONS, lvs_vip='10.78.0.200', lvs_services=[WEB]), HOSTS, {}),
    'vrrp-options-nat': (dict(VRRP_OPTIONS, lvs_vip='10.78.0.200', lvs_forwarding='nat', lvs_internal_vip='10.79.0.254',
                              lvs_services=[WEB]), NAT_HOSTS, {}),
    'active-active': ({'lvs_vip': '10.78.0.200', 'lvs_services': [WEB, dict(WEB, name='web2', address='10.78.0.202')],
                       'lvs_vrrp_instances': [{'name': 'VI_WEB1', 'vips': ['10.78.0.200']},
                                              {'name': 'VI_WEB2', 'vips': ['10.78.0.202'], 'master': 'director2'}]},
                      HOSTS, {'keepalived_sync_daemon': True}),
    'active-active-nat': ({'lvs_vip': '10.78.0.200', 'lvs_forwarding': 'nat', 'lvs_internal_vip': '10.79.0.254',
                           'lvs_services': [WEB, dict(WEB, name='web2', address='10.78.0.202')],
                           'lvs_vrrp_instances': [{'name': 'VI_A', 'vips': ['10.78.0.200'], 'router_id': 70},
                                                  {'name': 'VI_B', 'vips': ['10.78.0.202'], 'router_id': 71}]},
                          NAT_HOSTS, {}),
    # IPv6: the IPv6 VIP excluded from the IPv4 instance's adverts; an instance of IPv6 VIPs only (VRRPv3)
    'dual-stack': ({'lvs_vip': '10.78.0.200', 'lvs_services': [WEB, WEB6]}, DUAL_HOSTS,
                   {'keepalived_sync_daemon': True}),
    'ipv6-instance': ({'lvs_vip': '10.78.0.200', 'lvs_services': [WEB, WEB6],
                       'lvs_vrrp_instances': [{'name': 'VI_V4', 'vips': ['10.78.0.200']},
                                              {'name': 'VI_V6', 'vips': ['fd78::200'], 'master': 'director2'}]},
                      DUAL_HOSTS, {}),
    # NAT with IPv6: a pure IPv6 cluster (both instances IPv6), and dual stack (the IPv6 gateway excluded)
    'nat-ipv6': ({'lvs_vip': 'fd78::200', 'lvs_forwarding': 'nat', 'lvs_internal_vip6': 'fd79::fe',
                  'lvs_internal_interface': 'eth1', 'lvs_vrrp_router_id': 51,
                  'lvs_services': [dict(WEB, real_port=8080)]}, NAT6_HOSTS, {}),
    'nat-dual-stack': ({'lvs_vip': '10.78.0.200', 'lvs_forwarding': 'nat', 'lvs_internal_vip': '10.79.0.254',
                        'lvs_internal_vip6': 'fd79::fe',
                        'lvs_services': [WEB, dict(WEB6, name='nat6', sorry_server=None)]},
                       dict(NAT_HOSTS, rs1={'ansible_host': '10.79.0.21', 'lvs_real_address6': 'fd79::21'},
                            rs2={'ansible_host': '10.79.0.22', 'lvs_real_address6': 'fd79::22'}), {}),
    'every-option': ({'lvs_vip': '10.78.0.200', 'lvs_services': EVERY_OPTION}, HOSTS,
                     {'keepalived_garp_master_refresh': 60, 'keepalived_preempt_delay': 5}),
    # lvs_frontend bgp: no VRRP; each service's quorum announces its VIP (lvs-announce)
    'bgp': ({'lvs_vip': '10.76.0.1', 'lvs_frontend': 'bgp', 'lvs_bgp': {'asn': 65001, 'peers': [
        {'address': '10.78.0.250', 'asn': 65000}]}, 'lvs_services': [
        dict(WEB, scheduler='mh', sched_flags=['mh-port']),
        dict(WEB, name='https', port=443, scheduler='sh', delay_loop=8),
        dict(WEB, name='second-vip', address='10.76.0.2', scheduler='mh', health_check={'type': 'none'})]}, HOSTS,
        {'keepalived_sync_daemon': True}),
    # seed 004's MASTER, written as inventory: mail from a bare 'localhost', PASS 1111 as a number, persistence 50
    'seed-004': ({'lvs_vip': '10.78.0.200', 'lvs_vrrp_auth_pass': 1111, 'lvs_vrrp_router_id': 51,
                  'lvs_vrrp_email': {'to': ['admin@unixhot.com'], 'from': 'localhost', 'smtp_server': '127.0.0.1',
                                     'connect_timeout': 30},
                  'lvs_services': [{'name': 'web', 'port': 80, 'scheduler': 'wrr', 'persistence': 50, 'delay_loop': 6,
                                    'netmask': '255.255.255.0',
                                    'health_check': {'type': 'tcp', 'connect_timeout': 10, 'retry': 3,
                                                     'delay_before_retry': 3, 'port': 80}}]},
                 HOSTS, {'keepalived_router_id': 'LVS_MASTER'}),
}


def keepalived() -> str:
    path = shutil.which('keepalived') or shutil.which('keepalived', path='/usr/sbin:/sbin')
    assert path, 'keepalived is not installed: `./lab setup` installs it (Debian package keepalived)'
    return path


def render(cluster: dict, hosts: dict, role_vars: dict, host: str = 'director1') -> str:
    inv = cluster_model.Inventory(cluster=copy.deepcopy(cluster), hostvars=copy.deepcopy(hosts),
                                  groups={'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2']})
    model, errors = cluster_model.build(inv)[:2]
    assert errors == []
    facts, host_errors = json.loads(FACTS.read_text()), Errors()
    # the recorded director's facts for both directors: director2's addresses are then director1's, which
    # keepalived -t does not check (the unicast peers are set below as the lab has them)
    model['hosts'] = host_view.views(model, {'director1': facts, 'director2': facts}, {host}, False,
                                     host_errors)
    peer = '12' if host == 'director1' else '11'
    model['hosts'][host]['peers'] = {'public': ['10.78.0.' + peer], 'internal': ['10.79.0.' + peer]}
    assert host_errors == []
    return render_role('keepalived', 'keepalived.conf.j2', dict(role_vars, lvs_model=model),
                       inventory_hostname=host)


@pytest.fixture(scope='module')
def netns():
    """A network namespace with the recorded director's eth0 and eth1 (keepalived -t checks that a configuration's
    interfaces exist): veth pairs made here, removed with the namespace."""
    name = 'lvs-unit-kconf-%d' % os.getpid()  # a run of its own (two runs at once shared one)
    subprocess.run(['ip', 'netns', 'del', name], capture_output=True, check=False)
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    try:
        for i, addr in enumerate(('10.78.0.11/24', '10.79.0.11/24')):
            for cmd in (['link', 'add', f'eth{i}', 'type', 'veth', 'peer', 'name', f'peer{i}'],
                        ['addr', 'add', addr, 'dev', f'eth{i}'], ['link', 'set', f'eth{i}', 'up']):
                subprocess.run(['ip', '-n', name, *cmd], check=True)
        yield name
    finally:
        subprocess.run(['ip', 'netns', 'del', name], check=False)


def check(conf: str, tmp_path: Path, netns: str) -> subprocess.CompletedProcess:
    """keepalived -t in NETNS; it exits non-zero on an error and on a warning (a keyword it ignores)."""
    path = tmp_path / 'keepalived.conf'
    path.write_text(conf)
    return subprocess.run(['ip', 'netns', 'exec', netns, keepalived(), '-t', '-f', str(path)], check=False,
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize('case', sorted(CASES))
def test_keepalived_accepts_the_rendered_configuration(case, tmp_path, netns):
    secret = tmp_path / 'secret.conf'
    secret.write_text('auth_pass labpass1\n')
    cluster, hosts, role_vars = CASES[case]
    conf = render(cluster, hosts, dict(role_vars, keepalived_secret_path=str(secret)))
    res = check(conf, tmp_path, netns)
    assert res.returncode == 0, f'{res.stdout}{res.stderr}\n{conf}'
    assert 'router_id %s' % role_vars.get('keepalived_router_id', 'director1') in conf
    assert 'virtual_router_id 51' in conf or case.startswith('active-active-nat') or case == 'bgp'


def test_bgp_front_end_runs_no_vrrp_and_announces_by_quorum():
    conf = render(*CASES['bgp'])
    assert 'vrrp_instance' not in conf and 'track_file lvs_handover' not in conf, conf
    blocks = {b.split('\n', 1)[0]: b for b in conf.split('# service ')[1:]}
    announce = '/usr/bin/python3 /usr/local/sbin/lvs-announce %s lvs-vips %s %s %s %d'
    # the delay: the longest first round of checks of the VIP's services (https: delay_loop 8 + connect_timeout 3);
    # none without checks
    for name, vip, services, delay in (('http', '10.76.0.1/32', 'http,https', 11),
                                       ('https', '10.76.0.1/32', 'http,https', 11),
                                       ('second-vip', '10.76.0.2/32', 'second-vip', 0)):
        for state in ('up', 'down'):
            line = '    quorum_%s "%s"\n' % (state, announce % (state, name, vip, services, delay))
            assert line in blocks[name], blocks[name]
        assert '    alpha\n' in blocks[name] and '    omega\n' in blocks[name]


def test_every_option_is_rendered(tmp_path):
    conf = render(*CASES['every-option'])
    blocks = conf.split('# service ')
    http = next(b for b in blocks if b.startswith('http\n'))
    for line in ('lb_algo sh', 'sh-port', 'sh-fallback', 'persistence_timeout 60', 'alpha', 'omega',
                 'quorum_up "/usr/local/bin/lvs-quorum up"', 'quorum_down "/usr/local/bin/lvs-quorum down"',
                 'sorry_server 10.78.0.50 80', 'sorry_server_inhibit', 'inhibit_on_failure', 'uthreshold 100',
                 'lthreshold 10', 'path /health', 'digest 0123456789abcdef0123456789abcdef',
                 'virtualhost www.example.com'):
        assert f'    {line}\n' in http, (line, http)
    sip = next(b for b in blocks if b.startswith('sip\n'))
    assert '    ops\n' in sip and '    persistence_engine sip\n' in sip and 'UDP_CHECK' in sip
    dns = next(b for b in blocks if b.startswith('dns\n'))
    assert 'DNS_CHECK {' in dns and 'type A' in dns and 'name example.com' in dns
    assert 'virtual_server 10.78.0.202 80 {' in conf and '    mh-port\n' in conf
    assert '10.78.0.202/32 dev eth0' in conf  # the second VIP floats with the first
    assert 'virtual_server fwmark 7 {' in conf and 'persistence_granularity 255.255.255.0' in conf
    misc = next(b for b in blocks if b.startswith('misc\n'))
    commands = re.findall(r'real_server (\S+) (\d+) \{[^}]*MISC_CHECK \{\s*misc_path "([^"]*)"\s*'
                          r'misc_timeout \d+\s*misc_dynamic', misc)
    assert commands and all(cmd == f'/usr/local/bin/check {a}:{p}' for a, p, cmd in commands), misc
    assert len({c[2] for c in commands}) == len(commands) > 1, misc  # each real server its own command
    assert '    mh-fallback\n' in conf
    # FILE_CHECK: one track_file per real server's file, declared globally, named in its real_server block
    maint = next(b for b in blocks if b.startswith('maint\n'))
    names = re.findall(r'FILE_CHECK \{\s*track_file (\S+)\s*\}', maint)
    assert len(names) == 2 and len(set(names)) == 2, maint
    for name, rs in zip(names, ('rs1', 'rs2')):
        assert f'track_file {name} {{\n    file /run/lvs-maint/{rs}-8081\n    weight 0\n    init_file 0\n}}' in conf
    smtp = next(b for b in blocks if b.startswith('smtp\n'))
    assert 'SMTP_CHECK {' in smtp and 'helo_name lb.example.com' in smtp and 'connect_port 25' in smtp, smtp


def test_ipv6_vips_and_real_servers_are_rendered():
    conf = render(*CASES['dual-stack'])
    instance = conf.split('vrrp_instance VI_PUBLIC {')[1].split('\n}\n')[0]
    assert '    virtual_ipaddress {\n        10.78.0.200/32 dev eth0\n    }' in instance, instance
    assert '    virtual_ipaddress_excluded {\n        fd78::200/128 dev eth0\n    }' in instance, instance
    http6 = conf.split('# service http6\n')[1]
    for line in ('virtual_server fd78::200 80 {', 'real_server fd78::21 80 {', 'real_server fd78::22 80 {',
                 'sorry_server fd78::50 80'):
        assert line in http6, (line, http6)
    conf = render(*CASES['ipv6-instance'])
    v6 = conf.split('vrrp_instance VI_V6 {')[1].split('\n}\n')[0]
    assert '    virtual_ipaddress {\n        fd78::200/128 dev eth0\n    }' in v6 and 'excluded' not in v6, v6


def test_ipv6_nat_gateways_are_rendered():
    conf = render(*CASES['nat-ipv6'])
    gateway = conf.split('vrrp_instance VI_GATEWAY {')[1].split('\n}\n')[0]
    assert '    virtual_ipaddress {\n        fd79::fe/64 dev eth1\n    }' in gateway, gateway
    assert 'real_server fd79::21 8080 {' in conf and 'lb_kind NAT' in conf, conf
    conf = render(*CASES['nat-dual-stack'])
    gateway = conf.split('vrrp_instance VI_GATEWAY {')[1].split('\n}\n')[0]
    assert '    virtual_ipaddress {\n        10.79.0.254/24 dev eth1\n    }' in gateway, gateway
    assert '    virtual_ipaddress_excluded {\n        fd79::fe/64 dev eth1\n    }' in gateway, gateway


def test_an_unknown_keyword_fails_the_check(tmp_path, netns):
    """The escape hatch takes any keyword the model's pattern allows; keepalived -t (the role's validate:) refuses
    one keepalived does not know, so a typo never reaches a director."""
    cluster, hosts, role_vars = CASES['dr']
    conf = render(dict(cluster, lvs_services=[dict(WEB, keepalived_extra=['quorum_upp /bin/true'])]), hosts,
                  role_vars)
    assert '    quorum_upp /bin/true\n' in conf
    res = check(conf, tmp_path, netns)
    assert res.returncode != 0 and "Unknown keyword 'quorum_upp'" in res.stdout + res.stderr, res


def test_vrrp_options_are_rendered():
    conf = render(*CASES['vrrp-options'])
    for block in ('vrrp_script chk_web {\n    script "/usr/bin/curl -fs http://127.0.0.1/"\n    interval 1\n'
                  '    timeout 2\n    weight -60\n    rise 2\n    fall 2\n}',
                  '    track_script {\n        chk_web\n        chk_flag\n    }',
                  '    track_interface {\n        eth1 weight -30\n    }',  # not eth0: VI_PUBLIC's own
                  '    notify_master "/usr/local/bin/lvs-state master"\n'
                  '    notify_fault "/usr/local/bin/lvs-state fault"',
                  '    notification_email {\n        ops@example.com\n        lvs@example.com\n    }\n'
                  '    notification_email_from lvs@example.com\n    smtp_server 192.0.2.25 25\n'
                  '    smtp_connect_timeout 30\n    smtp_alert',
                  '    vrrp_garp_master_delay 1\n    vrrp_garp_master_repeat 3\n    vrrp_garp_lower_prio_repeat 1\n'):
        assert block in conf, (block, conf)
    assert 'vrrp_garp_master_refresh_repeat' not in conf  # only the keys given
    nat = render(*CASES['vrrp-options-nat'])
    group = nat[nat.index('vrrp_sync_group'):nat.index('vrrp_instance')]
    assert 'notify_master "/usr/local/bin/lvs-state master"' in group  # with nat the sync group notifies
    assert nat.count('notify_master') == 1 and nat.count('track_script {') == 2


def test_active_active_instances():
    """director1 is MASTER of VI_WEB1 (priority 150, director2 100), director2 of VI_WEB2 (director1 100)."""
    conf = render(*CASES['active-active'])
    web1 = conf[conf.index('vrrp_instance VI_WEB1'):conf.index('vrrp_instance VI_WEB2')]
    web2 = conf[conf.index('vrrp_instance VI_WEB2'):conf.index('# service')]
    assert 'state MASTER' in web1 and 'priority 150' in web1 and 'virtual_router_id 51' in web1
    assert '10.78.0.200/32 dev eth0' in web1 and '10.78.0.202' not in web1
    assert 'state BACKUP' in web2 and 'priority 100' in web2 and 'virtual_router_id 52' in web2
    assert '10.78.0.202/32 dev eth0' in web2 and '10.78.0.200/' not in web2
    assert 'lvs_sync_daemon' not in conf  # the director role runs both sync daemons (keepalived_sync_daemon: true)
    nat = render(*CASES['active-active-nat'])
    group = nat[nat.index('vrrp_sync_group'):nat.index('vrrp_instance')]
    assert all(f'        {n}\n' in group for n in ('VI_A', 'VI_B', 'VI_GATEWAY')), group


def test_seed_004_renders_as_its_hand_written_configuration():
    """What seed 004 writes by hand (global_defs mail and router_id, PASS 1111, a DR wrr virtual server with
    persistence 50 and TCP_CHECKs on port 80) is what the role renders from its inventory form."""
    text = render(*CASES['seed-004'])
    for line in ('notification_email {\n        admin@unixhot.com\n    }', 'notification_email_from localhost',
                 'smtp_server 127.0.0.1', 'smtp_connect_timeout 30', 'router_id LVS_MASTER',
                 'virtual_router_id 51', 'advert_int 1', 'auth_type PASS', 'delay_loop 6', 'lb_algo wrr',
                 'lb_kind DR', 'persistence_timeout 50', 'protocol TCP', 'connect_timeout 10', 'retry 3',
                 'delay_before_retry 3', 'connect_port 80'):
        assert line in text, (line, text)
    assert text.count('TCP_CHECK {') == 2, text
