"""The roles' own options: each name declared in its role's argument_specs, and a catalogue of values that are
of the right type but break a host or the cluster, each reported once with the hosts that have it."""

import pytest
from ansible_collections.lvs.cluster.plugins.plugin_utils import role_options

BAD = [
    ('realserver_arp_ignore', 0, 'realserver_arp_ignore: 0 answers ARP for the VIP it holds on lo or tunl0'),
    ('realserver_arp_ignore', 3, 'realserver_arp_ignore: 3 answers ARP for every local address not of scope host'),
    ('realserver_arp_ignore', 5, 'realserver_arp_ignore: 5 is reserved and acts as 0'),
    ('realserver_arp_ignore', 8, 'realserver_arp_ignore: 8 answers no ARP request at all'),
    ('realserver_arp_ignore', 9, 'realserver_arp_ignore: 9 is out of range 0-8'),
    ('realserver_arp_announce', 0, 'realserver_arp_announce: 0 may use the VIP as the source of its ARP requests'),
    ('realserver_arp_announce', 1, 'realserver_arp_announce: 1 still uses the VIP'),
    ('realserver_arp_announce', 'two', "realserver_arp_announce: 'two' is not an integer"),
    ('realserver_lo_label', 'eth0:1', "realserver_lo_label: 'eth0:1' is not lo or lo:LABEL"),
    ('realserver_lo_label', 'lo:vip-label-too-long', "realserver_lo_label: 'lo:vip-label-too-long' is not lo or"),
    ('keepalived_advert_int', 0, 'keepalived_advert_int: 0 is out of range 1-255'),
    ('keepalived_preempt_delay', 5000, 'keepalived_preempt_delay: 5000 is out of range 0-1000'),
    ('keepalived_router_id', 'lb 1', "keepalived_router_id: 'lb 1' is not one keepalived word"),
    ('keepalived_sync_interface', 'eth0 eth1', "keepalived_sync_interface: 'eth0 eth1' is not an interface name"),
    ('director_sync_threshold', '3', "director_sync_threshold: '3' is not \"N M\""),
    ('director_sync_threshold', '50 3', "director_sync_threshold: '50 3': the kernel needs N below M"),
    ('director_sync_id', 256, 'director_sync_id: 256 is out of range 0-255'),
    ('director_arping_count', 0, 'director_arping_count: 0 is out of range 1-100'),
    ('director_fwmark_chain', 'PREROUTING; reboot', "director_fwmark_chain: 'PREROUTING; reboot' is not an iptables"),
    ('director_arping_command', 'arping; reboot', "director_arping_command: 'arping; reboot' is not a command"),
    ('director_arping_command', '$(reboot)', "director_arping_command: '$(reboot)' is not a command"),
    ('keepalived_notify_script', 'notify.sh', "keepalived_notify_script: 'notify.sh' is not an absolute file path"),
    ('keepalived_notify_script', '/usr/local/bin/notify.sh master',
     "keepalived_notify_script: '/usr/local/bin/notify.sh master' is not an absolute file path"),
]


@pytest.mark.parametrize('name, value, error', BAD, ids=['%s=%s' % (n, v) for n, v, _e in BAD])
def test_bad_role_option(name, value, error):
    errors = role_options.check({'h1': {name: value}})
    assert len(errors) == 1 and errors[0].startswith(error), errors


@pytest.mark.parametrize('name, value', [
    ('realserver_arp_ignore', 1), ('realserver_arp_ignore', 2), ('realserver_arp_announce', 2),
    ('realserver_lo_label', 'lo:0'), ('realserver_lo_label', 'lo'), ('keepalived_router_id', 'lb-1.example.com'),
    ('director_sync_threshold', '3 50'), ('director_sync_threshold', ''), ('director_sync_threshold', '3 0'),
    ('keepalived_advert_int', 200), ('director_fwmark_chain', 'LVS-MARK'), ('keepalived_sync_interface', ''),
    ('director_arping_command', '/usr/sbin/arping -q'), ('keepalived_notify_script', '/usr/local/bin/lvs-notify'),
    ('keepalived_notify_script', ''),
])
def test_good_role_option(name, value):
    assert role_options.check({'h1': {name: value}}) == []


def test_each_problem_once_with_the_hosts_when_not_all():
    same = role_options.check({'rs1': {'realserver_arp_ignore': 0}, 'rs2': {'realserver_arp_ignore': 0}})
    assert len(same) == 1 and '(on' not in same[0]
    one = role_options.check({'rs1': {'realserver_arp_ignore': 1}, 'rs2': {'realserver_arp_ignore': 0}})
    assert len(one) == 1 and one[0].endswith('(on rs2)'), one


def test_advert_int_of_vrrp_version_3():
    assert role_options.check({'d1': {'keepalived_advert_int': 41}}) == []
    errors = role_options.check({'d1': {'keepalived_advert_int': 41}}, ipv6_vrrp=True)
    assert errors == ['keepalived_advert_int: 41 is above 40: VRRP version 3 (the IPv6 VIPs) carries the interval in '
                      'centiseconds, at most 40.95 s']


def test_unknown_role_variable_with_did_you_mean():
    errors = role_options.check({'d1': {'keepalived_advert_itn': 2}, 'd2': {'keepalived_advert_itn': 2}})
    assert len(errors) == 1, errors
    assert errors[0].startswith('keepalived_advert_itn: unknown variable of the keepalived role'), errors
    assert errors[0].endswith('did you mean keepalived_advert_int?'), errors
    one = role_options.check({'rs1': {'realserver_arp_ignor': 1}, 'rs2': {}})
    assert len(one) == 1 and one[0].endswith('(on rs1)') and 'realserver_arp_ignore' in one[0], one


ROLE_HOSTS = {'director': ['d1', 'd2'], 'keepalived': ['d1', 'd2'], 'realserver': ['rs1', 'rs2']}


@pytest.mark.parametrize('values, error', [
    ({'d1': {'keepalived_advert_int': 1}, 'd2': {'keepalived_advert_int': 2}},
     "keepalived_advert_int: differs between the hosts of the keepalived role (d1: 1, d2: 2)"),
    # set on one director only: the other has the default
    ({'d1': {'keepalived_advert_int': 3}, 'd2': {}},
     "keepalived_advert_int: differs between the hosts of the keepalived role (d1: 3, d2: 1 (unset: the default))"),
    ({'d1': {'director_sync_id': 7}, 'd2': {'director_sync_id': '8'}},
     "director_sync_id: differs between the hosts of the director role (d1: 7, d2: 8)"),
    ({'d1': {'keepalived_unicast': True}, 'd2': {'keepalived_unicast': 'no'}},
     "keepalived_unicast: differs between the hosts of the keepalived role (d1: True, d2: False)"),
])
def test_cluster_scoped_role_options_agree(values, error):
    values = {'rs1': {}, 'rs2': {}, **values}
    errors = role_options.check(values, role_hosts=ROLE_HOSTS)
    assert errors == [error + ': it must be the same on every one (set it once, in group_vars)'], errors


def test_host_scoped_role_options_may_differ_and_equal_values_agree():
    values = {'d1': {'director_sync_interface': 'eth0', 'keepalived_router_id': 'lb1', 'keepalived_advert_int': 2},
              'd2': {'director_sync_interface': 'eth1', 'keepalived_router_id': 'lb2', 'keepalived_advert_int': '2'},
              'rs1': {'realserver_lo_label': 'lo:0'}, 'rs2': {'realserver_lo_label': 'lo:vip'}}
    assert role_options.check(values, role_hosts=ROLE_HOSTS) == []


def test_sync_interface_is_not_loopback():
    errors = role_options.check({'d1': {'director_sync_interface': 'lo', 'keepalived_sync_interface': 'lo'}})
    assert sorted(e.split(':')[0] for e in errors) == ['director_sync_interface', 'keepalived_sync_interface']
    assert all("'lo' is the loopback interface" in e for e in errors), errors
