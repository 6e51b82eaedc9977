"""The day-2 logic on the cluster model: drained real servers, handover priorities, rolling checks, status."""

import copy
import json

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import keepalived_data
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model, operations
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors
from ansible_collections.lvs.cluster.tests.unit.ipvs_fixtures import FIXTURES
from ansible_collections.lvs.cluster.tests.unit.plugins.plugin_utils import cluster_cases as C


def model_of(case=None):
    model, errors = cluster_model.build(cluster_model.Inventory(**copy.deepcopy(case or C.DR)))[:2]
    assert errors == []
    return model


def ops(**given):
    errors = Errors()
    out = operations.check_values(given, errors)
    return out, errors


def drain(model, state=None, **given):
    values, errors = ops(**given)
    warnings = []
    addrs = operations.drained(model, values, state, errors, warnings)
    if not errors:
        operations.apply_drained(model, addrs, values['lvs_drain_force'], errors)
    return addrs, list(errors), warnings


def test_defaults_are_declared_once():
    values, errors = ops()
    assert errors == []
    assert values['lvs_lock_wait'] == 600 and values['lvs_drain'] == [] and values['lvs_drain_timeout'] == 300


@pytest.mark.parametrize('given, expected', [
    ({'lvs_lock_wait': -1}, 'lvs_lock_wait: -1 is out of range 0-86400'),
    ({'lvs_lock_ttl': 10}, 'lvs_lock_ttl: 10 is out of range 60-604800'),
    ({'lvs_drain': 'rs1'}, "lvs_drain: 'rs1' is not a list"),
    ({'lvs_drain': ['rs1', 'rs1']}, "lvs_drain[1]: 'rs1' is listed twice"),
    ({'lvs_drain': ['rs 1']}, "lvs_drain[0]: 'rs 1' is not an inventory host name"),
    ({'lvs_rolling_batch': 0}, 'lvs_rolling_batch: 0 is out of range 1-1000'),
    ({'lvs_handover_to': 'director;1'}, "lvs_handover_to: 'director;1' is not an inventory host name"),
    ({'lvs_drain_strict': 'maybe'}, "lvs_drain_strict: 'maybe' is not a boolean"),
])
def test_bad_operation_values(given, expected):
    errors = ops(**given)[1]
    assert any(e.startswith(expected) for e in errors), errors


def test_drain_by_host_and_by_address():
    model = model_of()
    addrs, errors = drain(model, lvs_drain=['rs1'])[:2]
    assert errors == [] and addrs == ['192.0.2.21']
    (svc,) = model['services']
    assert [(d['weight'], d['configured_weight'], d['drained']) for d in svc['destinations']] == [
        (0, 1, True), (3, 3, False)]
    assert [d['weight'] for d in model['ipvs_config'][0]['destinations']] == [0, 3]
    # keepalived.conf's real_server lines too (keepalived owns the table: the drain is these weights)
    assert [d['ipvs_lines'] for d in svc['destinations']] == [['weight 0'], ['weight 3']]
    assert drain(model_of(), lvs_drain=['192.0.2.22'])[0] == ['192.0.2.22']


def test_drain_of_a_dual_stack_host_takes_out_both_its_addresses():
    model = model_of(C.DUAL)
    addrs, errors = drain(model, lvs_drain=['rs1'])[:2]
    assert errors == [] and addrs == ['192.0.2.21', '2001:db8::21']
    assert [[d['weight'] for d in s['destinations']] for s in model['services']] == [[0, 3], [0, 3]]
    # by address: only that one
    assert drain(model_of(C.DUAL), lvs_drain=['2001:db8::22'])[0] == ['2001:db8::22']
    assert drain(model_of(C.DUAL), state=['192.0.2.21', '2001:db8::21'], lvs_restore=['rs1'])[0] == []


def test_recorded_drain_lasts_and_restore_removes_it():
    assert drain(model_of(), state=['192.0.2.21'])[0] == ['192.0.2.21']
    assert drain(model_of(), state=['192.0.2.21'], lvs_drain=['rs2'])[0] == ['192.0.2.21', '192.0.2.22']
    assert drain(model_of(), state=['192.0.2.21'], lvs_restore=['rs1'])[0] == []
    assert drain(model_of(), state=['192.0.2.21', '192.0.2.22'], lvs_restore=['all'])[0] == []


def test_a_recorded_server_that_left_the_inventory_is_forgotten_with_a_warning():
    addrs, errors, warnings = drain(model_of(), state=['192.0.2.99'])
    assert addrs == [] and errors == []
    assert warnings == ["the drained real server '192.0.2.99' recorded on this director is in no service any "
                        "more; forgotten"]


def test_unknown_server_names_the_known_ones():
    errors = drain(model_of(), lvs_drain=['rs9'])[1]
    assert errors == ["lvs_drain[0]: 'rs9' is not a real server of any service (real servers: rs1, rs2)"]
    errors = drain(model_of(), lvs_restore=['director1'])[1]
    assert errors == ["lvs_restore[0]: 'director1' is a director: with lvs_frontend vrrp a director is not drained, "
                      "its VIPs are handed over (lvs.cluster.handover)"]


def test_draining_every_server_of_a_service_needs_force():
    errors = drain(model_of(), lvs_drain=['rs1', 'rs2'])[1]
    assert errors == ['lvs_drain: service http would keep no real server with weight above 0 (drained: rs1, rs2): '
                      'new connections would fail; drain fewer at a time or set lvs_drain_force: true']
    assert drain(model_of(), lvs_drain=['rs1', 'rs2'], lvs_drain_force=True)[1] == []


def test_drain_and_restore_of_the_same_server_is_an_error():
    errors = drain(model_of(), lvs_drain=['rs1'], lvs_restore=['rs1'])[1]
    assert errors == ['lvs_restore: 192.0.2.21 also in lvs_drain']


def states(master, backup, prio_master=150, prio_backup=100):
    return {master: [{'name': 'VI_PUBLIC', 'state': 'MASTER', 'priority': prio_master}],
            backup: [{'name': 'VI_PUBLIC', 'state': 'BACKUP', 'priority': prio_backup}]}


def test_handover_to_the_backup_lowers_the_master_just_below_it():
    errors = Errors()
    plan = operations.handover_plan(model_of(), states('director1', 'director2'), '', errors)
    assert errors == []
    assert plan == {'target': 'director2', 'masters': ['director1'], 'values': {'director1': 51, 'director2': 0},
                    'configured': False, 'expected': {}}
    # and back: the target's own offset goes to 0, the other's too (it is below already)
    plan = operations.handover_plan(model_of(), states('director2', 'director1'), 'director1', errors)
    assert plan['values'] == {'director1': 0, 'director2': 0} and errors == []


@pytest.mark.parametrize('target, st, expected', [
    ('director9', None, "lvs_handover_to: 'director9' is not a director (directors: director1, director2)"),
    ('director2', {'director1': [{'state': 'MASTER'}], 'director2': []},
     'lvs_handover_to: director2 does not run keepalived'),
    ('', {'director1': [{'state': 'MASTER'}], 'director2': []},
     'lvs_handover_to: no running BACKUP director to hand over to (MASTER: director1); name the director that '
     'gets every VIP, e.g. -e lvs_handover_to=director2'),
])
def test_handover_errors(target, st, expected):
    errors = Errors()
    operations.handover_plan(model_of(), st or states('director1', 'director2'), target, errors)
    assert errors == [expected]


def test_handover_with_active_active_instances():
    """director1 MASTER of VI_A (150/100), director2 of VI_B (150/100): to move every VIP to director2, director1
    goes below it in both instances (150 - 100 + 1 = 51); there is no BACKUP to pick by default."""
    inv = C.services(dict(C.WEB), dict(C.WEB, name='b', address='192.0.2.11'), base=C.cluster(lvs_vrrp_instances=[
        {'name': 'VI_A', 'vips': ['192.0.2.10']}, {'name': 'VI_B', 'vips': ['192.0.2.11'], 'master': 'director2'}]))
    model = model_of(inv)
    both = {'director1': [{'name': 'VI_A', 'state': 'MASTER'}, {'name': 'VI_B', 'state': 'BACKUP'}],
            'director2': [{'name': 'VI_A', 'state': 'BACKUP'}, {'name': 'VI_B', 'state': 'MASTER'}]}
    errors = Errors()
    plan = operations.handover_plan(model, both, 'director2', errors)
    assert errors == [] and plan['values'] == {'director1': 51, 'director2': 0}
    plan = operations.handover_plan(model, both, 'director1', errors)
    assert errors == [] and plan['values'] == {'director1': 0, 'director2': 51}
    # back to active/active: every offset 0, each director waits for its configured states
    plan = operations.handover_plan(model, states('director1', 'director2'), 'configured', errors)
    assert errors == [] and plan['configured'] and plan['values'] == {'director1': 0, 'director2': 0}
    assert plan['expected'] == {'director1': {'VI_A': 'MASTER', 'VI_B': 'BACKUP'},
                                'director2': {'VI_A': 'BACKUP', 'VI_B': 'MASTER'}}
    operations.handover_plan(model, both, '', errors)
    assert errors == ['lvs_handover_to: no running BACKUP director to hand over to (MASTER: director1, director2); '
                      'name the director that gets every VIP, e.g. -e lvs_handover_to=director2']


def test_configured_states_with_nat_include_the_gateway():
    states_ = operations.configured_states(model_of(C.NAT))
    assert states_ == {'director1': {'VI_PUBLIC': 'MASTER', 'VI_GATEWAY': 'MASTER'},
                       'director2': {'VI_PUBLIC': 'BACKUP', 'VI_GATEWAY': 'BACKUP'}}


def test_check_targets_of_a_batch():
    assert operations.check_targets(model_of(), ['rs2']) == [{'host': 'rs2', 'address': '192.0.2.22', 'port': 80}]
    fw = model_of(C.FWMARK)  # fwmark: no port on the destination, the health check's port
    assert {t['port'] for t in operations.check_targets(fw, ['rs1'])} == {80}


def test_lock_holder_of_a_lock_file():
    assert operations.lock_holder('') is None and operations.lock_holder('not json') is None
    text = json.dumps({'run': 'c:1:2', 'purpose': 'site', 'user': 'root', 'controller': 'c', 'pid': 1,
                       'since': 'S', 'expires': 'E', 'expires_at': 5})
    assert operations.lock_holder(text) == {'purpose': 'site', 'user': 'root', 'controller': 'c', 'pid': 1,
                                            'since': 'S', 'expires': 'E'}


def lab_model():
    case = copy.deepcopy(C.DR)
    case['cluster']['lvs_vip'] = '10.78.0.200'
    case['groups']['realservers'] = ['realserver1', 'realserver2']
    case['hostvars'] = {'director1': {'ansible_host': '10.78.0.11'}, 'director2': {'ansible_host': '10.78.0.12'},
                        'realserver1': {'ansible_host': '10.78.0.21', 'lvs_weight': 2},
                        'realserver2': {'ansible_host': '10.78.0.22'}}
    return model_of(case)


def test_status_joins_the_table_and_keepalived_view():
    """Recorded on the lab: keepalived's dumps while realserver2's web server was down (keepalived removed it
    from the table); the table as ipvs_info returns it."""
    model = lab_model()
    ka = {'running': True,
          'instances': keepalived_data.parse_vrrp((FIXTURES / 'keepalived/director1.vrrp.data').read_text()),
          'virtual_servers': keepalived_data.parse_check((FIXTURES / 'keepalived/director1.check.data').read_text())}
    ipvs = {'services': [{'protocol': 'tcp', 'address': '10.78.0.200', 'port': 80, 'fwmark': None, 'scheduler': 'wrr',
                          'rate': {'cps': 4}, 'destinations': [
                              {'address': '10.78.0.21', 'port': 80, 'forwarding': 'dr', 'weight': 2,
                               'active_conns': 1, 'inactive_conns': 7, 'rate': {'cps': 4}}]}]}
    report = operations.status(model, 'director1', ipvs, ka, '')
    assert report['vrrp'] == [{'instance': 'VI_PUBLIC', 'state': 'MASTER', 'priority': 150,
                               'effective_priority': 150, 'vips': ['10.78.0.200']}]
    (svc,) = report['services']
    assert svc['service'] == 'tcp 10.78.0.200:80' and svc['quorum_up'] is True and svc['cps'] == 4
    assert svc['destinations'] == [{'address': '10.78.0.21', 'port': 80, 'host': 'realserver1', 'name': 'realserver1',
                                    'forwarding': 'dr',
                                    'weight': 2, 'active': 1, 'inactive': 7, 'cps': 4, 'drained': False,
                                    'keepalived': {'alive': True, 'weight': 2}}]
    text = operations.status_text([report])
    assert text.splitlines()[0] == 'director1: VI_PUBLIC MASTER (priority 150/150)'
    assert '10.78.0.21:80          realserver1  dr        2       1        7      4  alive w2' in text
    assert 'REDACTED' not in json.dumps(report)


def test_status_without_keepalived_and_locked():
    lock = json.dumps({'run': 'c:1:2', 'purpose': 'drain realserver1', 'user': 'bob', 'controller': 'ctl',
                       'pid': 7, 'since': '2026-12-02T05:00:00Z', 'expires': 'E'})
    report = operations.status(lab_model(), 'director2', {'services': []}, None, lock)
    assert report['keepalived_running'] is False and report['vrrp'] == []
    assert operations.status_text([report]).splitlines() == [
        'director2: keepalived not running',
        '  locked by drain realserver1 (bob@ctl pid 7) since 2026-12-02T05:00:00Z']


def test_status_names_unmanaged_real_servers():
    model = model_of(C.service(servers=[{'address': '192.0.2.41', 'name': 'win1'}], realservers=['rs1']))
    ipvs = {'services': [{'protocol': 'tcp', 'address': '192.0.2.10', 'port': 80, 'scheduler': 'wlc', 'destinations': [
        {'address': '192.0.2.21', 'port': 80, 'forwarding': 'dr', 'weight': 1},
        {'address': '192.0.2.41', 'port': 80, 'forwarding': 'dr', 'weight': 1}]}]}
    report = operations.status(model, 'director1', ipvs, None)
    assert [(d['host'], d['name']) for d in report['services'][0]['destinations']] == [('rs1', 'rs1'),
                                                                                       (None, 'win1')]
    text = operations.status_text([report])
    assert '192.0.2.41:80          win1*' in text and text.endswith('(* a real server Ansible does not manage)')
    assert drain(model, lvs_drain=['192.0.2.41'])[:2] == (['192.0.2.41'], [])


def test_a_director_is_drained_only_with_the_bgp_front_end():
    """lvs_frontend bgp: a director named in lvs_drain withdraws its routes (withdraw.yml); the real servers keep
    their weights, and not every director at once. With VRRP a director is handed over, not drained."""
    model = model_of(C.BGP)
    assert drain(model, lvs_drain=['director1']) == ([], [], [])
    assert [d['weight'] for d in model['services'][0]['destinations']] == [1, 1]
    assert drain(model_of(C.BGP), lvs_drain=['director1', 'rs1'])[:2] == (['10.78.0.21'], [])
    assert drain(model_of(C.BGP), lvs_restore=['director1'])[:2] == ([], [])
    errors = drain(model_of(C.BGP), lvs_drain=['director1', 'director2'])[1]
    assert errors == ['lvs_drain: every director (director1, director2) would withdraw its routes: the VIPs would be '
                      'announced by none; drain fewer at a time or set lvs_drain_force: true']
    assert drain(model_of(C.BGP), lvs_drain=['director1', 'director2'], lvs_drain_force=True)[1] == []
    assert drain(model_of(C.BGP), lvs_drain=['director1'], lvs_restore=['director1'])[1] == [
        'lvs_restore: director1 also in lvs_drain']
    assert drain(model_of(), lvs_drain=['director2'])[1] == [
        "lvs_drain[0]: 'director2' is a director: with lvs_frontend vrrp a director is not drained, its VIPs are "
        "handed over (lvs.cluster.handover)"]


def test_status_of_a_bgp_director():
    """What `lvs-announce status` printed on a lab director, BIRD's sessions as `birdc show protocols` listed them
    (recorded after the lab's router went away)."""
    birdc = (FIXTURES / 'bird' / 'protocols-after-router-shutdown.txt').read_text()
    assert operations.bird_sessions(birdc) == [{'name': 'peer_router', 'state': 'start', 'since': '07:44:47.673',
                                                'info': 'Connect       Received: Administrative shutdown'}]
    model = model_of(C.BGP)
    report = operations.status(model, 'director1', {'services': []}, {'running': True, 'instances': []}, '',
                               {'announced': ['10.76.0.1/32'], 'withdrawn': False, 'birdc': birdc})
    assert report['bgp']['announced'] == ['10.76.0.1/32'] and report['vrrp'] == []
    assert operations.status_text([report]).splitlines()[:2] == [
        'director1: keepalived running (its checks and quorum decide what is announced)',
        '  BGP peer_router Connect; announces 10.76.0.1/32']
    report = operations.status(model, 'director1', {'services': []}, {'running': True}, '',
                               {'announced': [], 'withdrawn': True, 'birdc': ''})
    assert operations.status_text([report]).splitlines()[1] == (
        '  BGP no session (BIRD not running?); WITHDRAWN (drained)')
    assert operations.status(model, 'director1', {'services': []}, None)['bgp'] is None


def test_status_of_an_announcing_bgp_director():
    """`lvs-announce status` as it printed on a lab director peering with the lab's router."""
    bgp = json.loads((FIXTURES / 'bird' / 'lvs-announce-status.json').read_text())
    report = operations.status(model_of(C.BGP), 'director1', {'services': []}, {'running': True, 'instances': []},
                               '', bgp)
    assert report['bgp'] == {'announced': ['10.76.0.1/32'], 'withdrawn': False, 'sessions': [
        {'name': 'peer_router', 'state': 'up', 'since': '08:58:34.887', 'info': 'Established'}]}
    assert operations.status_text([report]).splitlines()[1] == '  BGP peer_router Established; announces 10.76.0.1/32'
