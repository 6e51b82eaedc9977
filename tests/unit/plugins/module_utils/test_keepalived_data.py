"""keepalived's data dumps (SIGUSR1), recorded on the lab (keepalived 2.2.7): the MASTER and the BACKUP of the
DR pair while realserver2's web server was stopped. The recorded password was replaced by REDACTED."""

from ansible_collections.lvs.cluster.plugins.module_utils import keepalived_data as K
from ansible_collections.lvs.cluster.tests.unit.ipvs_fixtures import FIXTURES


def read(name):
    return (FIXTURES / 'keepalived' / name).read_text()


def test_vrrp_instances_of_the_master_and_the_backup():
    (master,) = K.parse_vrrp(read('director1.vrrp.data'))
    assert master == {'name': 'VI_PUBLIC', 'state': 'MASTER', 'wantstate': 'MASTER', 'interface': 'eth0', 'vrid': 61,
                      'priority': 150, 'effective_priority': 150, 'master_router': None, 'master_priority': None,
                      'preempt': True, 'vips': [{'address': '10.78.0.200', 'interface': 'eth0'}]}
    (backup,) = K.parse_vrrp(read('director2.vrrp.data'))
    assert (backup['state'], backup['priority'], backup['master_router'], backup['master_priority']) == (
        'BACKUP', 100, '10.78.0.11', 150)


def test_the_password_line_is_never_read():
    text = read('director1.vrrp.data').replace('Password = REDACTED', 'Password = s3cret')
    assert 's3cret' not in repr(K.parse_vrrp(text))


def test_virtual_servers_with_keepalived_view_of_each_real_server():
    (vs,) = K.parse_check(read('director1.check.data'))
    assert {k: vs[k] for k in ('address', 'port', 'fwmark', 'protocol', 'scheduler', 'forwarding', 'alive',
                               'quorum', 'hysteresis', 'quorum_up')} == {
        'address': '10.78.0.200', 'port': 80, 'fwmark': None, 'protocol': 'tcp', 'scheduler': 'wrr',
        'forwarding': 'dr', 'alive': True, 'quorum': 1, 'hysteresis': 0, 'quorum_up': True}
    assert vs['real_servers'] == [
        {'address': '10.78.0.21', 'port': 80, 'weight': 2, 'effective_weight': 2, 'alive': True,
         'inhibit_on_failure': False},
        {'address': '10.78.0.22', 'port': 80, 'weight': 1, 'effective_weight': 1, 'alive': False,
         'inhibit_on_failure': False}]


def test_fwmark_and_ipv6_virtual_servers():
    text = ('------< LVS Topology >------\n ------< Virtual server >------\n VS FWMARK = 7\n   lvs_sched = sh\n'
            '   protocol = TCP\n   ------< Real server >------\n   RIP = 10.0.0.1, RPORT = 0, WEIGHT = 3\n'
            '   alive = 1\n   Inhibit on failure is ON\n ------< Virtual server >------\n'
            ' VS VIP = 2001:db8::10, VPORT = 443\n   alive = 0\n')
    mark, v6 = K.parse_check(text)
    assert mark['fwmark'] == 7 and mark['scheduler'] == 'sh' and mark['real_servers'] == [
        {'address': '10.0.0.1', 'port': 0, 'weight': 3, 'effective_weight': None, 'alive': True,
         'inhibit_on_failure': True}]
    assert (v6['address'], v6['port'], v6['alive'], v6['real_servers']) == ('2001:db8::10', 443, False, [])


def test_empty_dumps():
    assert K.parse_vrrp('') == [] and K.parse_check('') == []
