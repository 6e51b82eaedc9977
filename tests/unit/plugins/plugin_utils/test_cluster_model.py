"""The cluster model on valid inventories (what the roles render from) and on a catalogue of broken ones."""

import copy

import pytest
from ansible_collections.lvs.cluster.plugins.plugin_utils import bgp_frontend, cluster_model
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema as S
from ansible_collections.lvs.cluster.tests.unit.plugins.plugin_utils import cluster_cases as C


def build(case):
    case = copy.deepcopy(case)
    return cluster_model.build(cluster_model.Inventory(**case))


def without_check(dests):
    """Real servers without their keepalived.conf lines (test_keepalived_conf.py renders and checks those)."""
    return [{k: v for k, v in d.items() if k not in ('check', 'ipvs_lines')} for d in dests]


def errors_of(case):
    return build(case)[1]


def test_misc_check_command_per_real_server():
    """misc_path's {address} and {port} become each real server's, also for a server Ansible does not manage."""
    case = copy.deepcopy(C.DR)
    svc = case['cluster']['lvs_services'][0]
    svc['health_check'] = {'type': 'misc', 'misc_path': '/usr/local/bin/check_web -H {address} -p {port}'}
    svc['servers'] = [{'address': '192.0.2.31', 'weight': 2}]
    model, errors, warnings = build(case)
    assert errors == [] and warnings == []
    dests = model['services'][0]['destinations']
    assert '192.0.2.31' in [d['address'] for d in dests], dests
    assert all(d['misc_path'] == '/usr/local/bin/check_web -H %s -p 80' % d['address'] for d in dests), dests
    svc.pop('servers')
    dests = build(case)[0]['services'][0]['destinations']
    assert [(d['address'], d['misc_path']) for d in dests] == [
        ('192.0.2.21', '/usr/local/bin/check_web -H 192.0.2.21 -p 80'),
        ('192.0.2.22', '/usr/local/bin/check_web -H 192.0.2.22 -p 80')]


def test_dr_model():
    model, errors, warnings = build(C.DR)
    assert errors == [] and warnings == []
    (svc,) = model['services']
    assert svc['address'] == '192.0.2.10' and svc['port'] == 80 and svc['real_port'] == 80
    assert svc['health_check'] == {'type': 'http', 'path': '/health', 'port': 80, 'status_code': 200,
                                   'misc_path': '', 'misc_dynamic': False, 'connect_timeout': 3, 'retry': 2,
                                   'delay_before_retry': 1,
                                   'dns_type': 'SOA', 'dns_name': '.', 'virtualhost': '', 'digest': '',
                                   'smtp_helo': '', 'file_path': '/etc/keepalived/lvs-maintenance/{name}'}
    check = ['HTTP_GET {', '    url {', '        path /health', '        status_code 200', '    }',
             '    connect_port 80', '    connect_timeout 3', '    retry 2', '    delay_before_retry 1', '}']
    assert svc['destinations'] == [
        {'host': 'rs1', 'name': 'rs1', 'address': '192.0.2.21', 'port': 80, 'weight': 1, 'forwarding': 'dr',
         'managed': True, 'check': check, 'ipvs_lines': ['weight 1']},
        {'host': 'rs2', 'name': 'rs2', 'address': '192.0.2.22', 'port': 80, 'weight': 3, 'forwarding': 'dr',
         'managed': True, 'check': check, 'ipvs_lines': ['weight 3']}]
    assert svc['ipvs_lines'] == ['lb_algo wlc']
    assert model['vips'] == ['192.0.2.10'] and model['realserver_vips'] == {'rs1': ['192.0.2.10'],
                                                                            'rs2': ['192.0.2.10']}
    assert model['priorities'] == {'director1': 150, 'director2': 100}
    assert model['realserver_modes'] == {'rs1': ['dr'], 'rs2': ['dr']}
    assert model['forwardings'] == ['dr'] and model['schedulers'] == ['wlc']
    assert model['vrrp'] == {'router_id': 51, 'internal_router_id': 52, 'auth': True, 'scripts': [],
                             'track_interfaces': [], 'notify': {}, 'email': {}, 'garp': {}, 'instances': [
                                 {'name': 'VI_PUBLIC', 'vips': ['192.0.2.10'], 'router_id': 51, 'master': 'director1',
                                  'priorities': {'director1': 150, 'director2': 100}, 'family': 4,
                                  'addresses': ['192.0.2.10/32'], 'excluded': []}]}
    assert 's3cret' not in repr(model)


def test_nat_model():
    model, errors = build(C.NAT)[:2]
    assert errors == []
    (svc,) = model['services']
    assert [d['port'] for d in svc['destinations']] == [8080, 8080]
    assert svc['sorry_server'] == {'address': '10.0.0.50', 'port': 8080}
    assert model['internal_vip'] == '10.0.0.254' and model['internal_vip_prefix'] == 24


def test_seed_004_secret_as_number():
    model, errors = build(C.SEED_004)[:2]
    assert errors == []
    assert model['services'][0]['persistence'] == 50 and model['vrrp']['auth']


def test_fwmark_rules():
    model, errors = build(C.FWMARK)[:2]
    assert errors == []
    assert model['mark_rules'] == [
        '-d 192.0.2.10/32 -p tcp --dport 80 -m comment --comment "lvs web-affinity" -j MARK --set-mark 1',
        '-d 192.0.2.10/32 -p tcp --dport 443 -m comment --comment "lvs web-affinity" -j MARK --set-mark 1']
    svc = model['services'][0]
    assert svc['health_check']['port'] == 80 and svc['netmask'] == '255.255.255.0'
    assert [d['port'] for d in svc['destinations']] == [0, 0]
    assert model['ipvs_config'] == [{
        'scheduler': 'wlc', 'fwmark': 1, 'persistence': 300, 'netmask': '255.255.255.0', 'destinations': [
            {'address': '192.0.2.21', 'weight': 1, 'forwarding': 'dr'},
            {'address': '192.0.2.22', 'weight': 3, 'forwarding': 'dr'}]}]


def test_ipvs_config_of_a_port_service():
    model = build(C.NAT)[0]
    assert model['ipvs_config'] == [{
        'scheduler': 'wrr', 'protocol': 'tcp', 'address': '198.51.100.10', 'port': 80, 'destinations': [
            {'address': '10.0.0.21', 'weight': 1, 'forwarding': 'nat', 'port': 8080},
            {'address': '10.0.0.22', 'weight': 1, 'forwarding': 'nat', 'port': 8080}]}]


def test_service_defaults_merge_deeply():
    inv = C.cluster(lvs_service_defaults={'scheduler': 'rr', 'health_check': {'retry': 5}})
    model, errors = build(inv)[:2]
    assert errors == []
    hc = model['services'][0]['health_check']
    assert model['services'][0]['scheduler'] == 'rr' and hc['retry'] == 5 and hc['type'] == 'http'


def test_weights_per_service_and_realserver_subset():
    model, errors = build(C.service(realservers=['rs2'], weights={'rs2': 0}))[:2]
    assert errors == []
    assert without_check(model['services'][0]['destinations']) == [
        {'host': 'rs2', 'name': 'rs2', 'address': '192.0.2.22', 'port': 80, 'weight': 0, 'forwarding': 'dr',
         'managed': True}]
    assert model['realserver_modes'] == {'rs2': ['dr']}


def test_several_vips():
    """A service with its own address: the directors carry it, and the dr real servers of that service."""
    model, errors = build(C.services(C.WEB, dict(C.WEB, name='api', address='192.0.2.11', realservers=['rs1']),
                                     dict(C.WEB, name='api-tls', port=443, address='192.0.2.11')))[:2]
    assert errors == []
    assert model['vips'] == ['192.0.2.10', '192.0.2.11']
    assert model['realserver_vips'] == {'rs1': ['192.0.2.10', '192.0.2.11'], 'rs2': ['192.0.2.10', '192.0.2.11']}
    assert [(s['address'], s['port']) for s in model['ipvs_config']] == [
        ('192.0.2.10', 80), ('192.0.2.11', 80), ('192.0.2.11', 443)]


def test_unmanaged_real_servers():
    """servers: real servers by address (seed 000's Windows hosts); with no realservers, no inventory host serves."""
    model, errors = build(C.services(C.WEB, dict(C.WEB, name='win', address='192.0.2.12', servers=[
        {'address': '192.0.2.41', 'weight': 2, 'name': 'win1'}, {'address': '192.0.2.42'}])))[:2]
    assert errors == []
    win = model['services'][1]
    assert without_check(win['destinations']) == [
        {'host': None, 'name': 'win1', 'address': '192.0.2.41', 'port': 80, 'weight': 2, 'forwarding': 'dr',
         'managed': False},
        {'host': None, 'name': '192.0.2.42', 'address': '192.0.2.42', 'port': 80, 'weight': 1, 'forwarding': 'dr',
         'managed': False}]
    assert model['realserver_vips'] == {'rs1': ['192.0.2.10'], 'rs2': ['192.0.2.10']}  # no inventory host has .12
    assert model['vips'] == ['192.0.2.10', '192.0.2.12']
    nat, errors = build(C.service(base=C.NAT, servers=[{'address': '10.0.0.40', 'port': 8081}],
                                  realservers=['rs1']))[:2]
    assert errors == []
    got = [(d['address'], d['port']) for d in nat['services'][0]['destinations']]
    assert got == [('10.0.0.21', 8080), ('10.0.0.40', 8081)]
    errors = build(C.service(base=C.NAT, servers=[{'address': '192.0.2.40'}]))[1]
    assert any("nat real server '192.0.2.40' (192.0.2.40) is not on the directors' internal network" in e
               for e in errors), errors


def test_numbers_as_strings_from_templates():
    model, errors = build(C.cluster(lvs_vrrp_router_id='60', lvs_services=[{'name': 'http', 'port': '80'}]))[:2]
    assert errors == [] and model['vrrp']['router_id'] == 60 and model['services'][0]['port'] == 80


@pytest.mark.parametrize('inv, expected', [pytest.param(i, e, id=n) for n, i, e in C.BROKEN])
def test_broken_inventory(inv, expected):
    errors = errors_of(inv)
    assert any(expected in e for e in errors), errors


def test_catalogue_ids_unique():
    names = [case[0] for case in C.BROKEN]
    assert len(names) == len(set(names))


def test_every_error_reported_in_one_run():
    inv = C.cluster(lvs_vip='10.0.0.300', lvs_vrrp_router_id=0,
                    lvs_services=[{'name': 'a b', 'port': 70000, 'health_check': {'type': 'htttp'}}])
    errors = errors_of(inv)
    assert len(errors) >= 4, errors
    for path in ('lvs_vip:', 'lvs_vrrp_router_id:', 'lvs_services[0].name:', 'lvs_services[0].port:',
                 'lvs_services[0].health_check.type:'):
        assert any(e.startswith(path) for e in errors), (path, errors)


def test_secret_never_in_errors():
    errors = errors_of(C.cluster(lvs_vrrp_auth_pass='toolong-secret'))
    assert errors and not any('toolong' in e for e in errors)


def test_agreement_between_hosts():
    errors = cluster_model.agreement({'lvs_vip': {'director1': '192.0.2.10', 'rs1': '192.0.2.11'},
                                      'lvs_vrrp_auth_pass': {'director1': 'a', 'rs1': 'b'},
                                      'lvs_forwarding': {'director1': 'dr', 'rs1': 'dr'}})
    assert len(errors) == 2
    assert errors[0].startswith("lvs_vip: differs between hosts (director1: '192.0.2.10', rs1: '192.0.2.11')")
    assert "'a'" not in errors[1] and '(secret)' in errors[1]


def test_health_check_ignored_warning():
    errors, warnings = build(C.cluster(lvs_ipvs_owner='ansible', lvs_keepalived=False))[1:]
    assert errors == [] and 'lvs_services[0].health_check is not used' in warnings[0]


def test_a_fwmark_service_beside_port_services_of_other_vips_or_protocols():
    """Marks are per VIP and TCP port: a fwmark service on another VIP, or a udp service on a marked port, is fine."""
    case = C.services(C.WEB, dict(C.WEB, name='dns', protocol='udp', port=443, health_check={'type': 'udp'}),
                      {'name': 'm', 'fwmark': 1, 'ports': [443]},
                      {'name': 'm2', 'address': '192.0.2.11', 'fwmark': 2, 'ports': [80]})
    assert errors_of(case) == []


@pytest.mark.parametrize('forwarding', ['dr', 'nat'])
def test_a_sorry_server_on_the_director_itself(forwarding):
    """Seed 000's ldirectord falls back to 127.0.0.1:443: the director serves the sorry page itself (IPVS makes a
    local address a local node, whatever the forwarding), so loopback and the directors' own addresses are
    accepted for the sorry server, also off the nat internal network; a loopback real server is not."""
    base = C.NAT if forwarding == 'nat' else C.DR
    for address in ('127.0.0.1', base['hostvars']['director1']['ansible_host']):
        case = C.service(base=base, port=443, real_port=443, sorry_server={'address': address},
                         health_check={'type': 'tcp'})
        model, errors = build(case)[:2]
        assert errors == [] and model['services'][0]['sorry_server'] == {'address': address, 'port': 443}
    assert 'is a loopback address' in ' '.join(errors_of(C.service(servers=[{'address': '127.0.0.1'}])))


def test_every_weight_zero_warns():
    """A service whose real servers all have weight 0 is valid (all drained) but answers nothing: said once."""
    case = C.host('rs1', base=C.host('rs2', lvs_weight=0), lvs_weight=0)
    errors, warnings = build(case)[1:]
    assert errors == [] and warnings == [
        'lvs_services[0]: every real server has weight 0: the service answers no request (all drained?)']
    assert build(C.host('rs1', lvs_weight=0))[2] == []


def test_edges_of_a_prefix_are_fine_at_31_and_32():
    for prefix in (31, 32):
        assert errors_of(C.cluster(lvs_vip='192.0.2.0', lvs_vip_prefix=prefix)) == []


def test_unknown_variables():
    errors = cluster_model.unknown_variables({'lvs_forwardng': 'nat', 'lvs_vip': 'x', 'other': 1}, 'hostvars[d1].')
    assert len(errors) == 1
    assert errors[0].startswith('hostvars[d1].lvs_forwardng: unknown variable (known: lvs_')
    assert 'lvs_director_group' in errors[0]
    assert errors[0].endswith('did you mean lvs_forwarding?')


def test_a_udp_service_is_checked_over_udp():
    model, errors = build(C.services(dict(C.WEB, name='dns', protocol='udp', port=53),
                                     dict(C.WEB, name='dns-q', protocol='udp', port=5353,
                                          health_check={'type': 'dns', 'dns_name': 'example.org'})))[:2]
    assert errors == []
    assert model['services'][0]['health_check']['type'] == 'udp'
    hc = model['services'][1]['health_check']
    assert (hc['type'], hc['dns_type'], hc['dns_name'], hc['port']) == ('dns', 'SOA', 'example.org', 5353)


def test_ipvs_options_reach_the_director_role_table_and_the_modules_accept_it():
    from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model
    inv = C.cluster(lvs_ipvs_owner='ansible', lvs_services=[
        {'name': 'sip', 'protocol': 'udp', 'port': 5060, 'scheduler': 'sh', 'sched_flags': ['sh-port', 'flag-1'],
         'one_packet': True, 'persistence': 30, 'persistence_engine': 'sip', 'upper_threshold': 50,
         'lower_threshold': 5}])
    model, errors = build(inv)[:2]
    assert errors == []
    (entry,) = model['ipvs_config']
    assert entry['sched_flags'] == ['sh-fallback', 'sh-port']  # flag-1 is sh-fallback, in ipvsadm's order
    assert entry['one_packet'] is True and entry['persistence_engine'] == 'sip'
    assert {(d['upper_threshold'], d['lower_threshold']) for d in entry['destinations']} == {(50, 5)}
    svc = ipvs_model.service_with_dests(entry)  # what lvs.cluster.ipvs_rules does with the role's config
    assert svc.sched_flags == ('sh-fallback', 'sh-port') and svc.one_packet and svc.persistence_engine == 'sip'
    assert [(d.upper_threshold, d.lower_threshold) for d in svc.destinations] == [(50, 5), (50, 5)]


def test_vip_devices_per_forwarding_method():
    from ansible_collections.lvs.cluster.plugins.plugin_utils import address_family
    vips = ['192.0.2.10', '2001:db8::10']
    assert address_family.vip_devices('dr', vips) == [{'cidr': '192.0.2.10/32', 'dev': 'lo'},
                                                      {'cidr': '2001:db8::10/128', 'dev': 'lo'}]
    assert address_family.vip_devices('tun', vips) == [{'cidr': '192.0.2.10/32', 'dev': 'tunl0'},
                                                       {'cidr': '2001:db8::10/128', 'dev': 'ip6tnl0'}]
    assert address_family.vip_devices('nat', vips) == [] and address_family.vip_devices('none', vips) == []


def test_ipv6_nat_model():
    inv = C.cluster(C.NAT6, lvs_vrrp_auth_pass=None)
    model, errors, warnings = cluster_model.build(cluster_model.Inventory(**inv))
    assert errors == [] and warnings == []
    assert model['nat_families'] == [6] and model['internal_vip'] == '' and model['internal_vip6'] == '2001:db8:1::fe'
    assert model['gateway'] == {'family': 6, 'cidrs': ['2001:db8:1::fe/64'], 'addresses': ['2001:db8:1::fe/64'],
                                'excluded': []}
    assert model['realserver_gateways'] == {'rs1': ['2001:db8:1::fe'], 'rs2': ['2001:db8:1::fe']}
    assert [d['address'] for d in model['services'][0]['destinations']] == ['2001:db8:1::21', '2001:db8:1::22']
    assert model['vrrp']['instances'][0]['family'] == 6


def test_dual_stack_nat_model():
    inv = C.cluster(C.NAT, lvs_internal_vip6='2001:db8:1::fe', lvs_services=[
        {'name': 'http', 'port': 80, 'real_port': 8080},
        {'name': 'http6', 'address': '2001:db8::10', 'port': 80, 'real_port': 8080}])
    inv['hostvars']['rs1']['lvs_real_address6'] = '2001:db8:1::21'
    inv['hostvars']['rs2']['lvs_real_address6'] = '2001:db8:1::22'
    model, errors, warnings = cluster_model.build(cluster_model.Inventory(**inv))
    assert errors == [] and warnings == []
    assert model['gateway']['addresses'] == ['10.0.0.254/24'] and model['gateway']['excluded'] == ['2001:db8:1::fe/64']
    assert model['realserver_gateways']['rs1'] == ['10.0.0.254', '2001:db8:1::fe']
    # an IPv6 gateway without an IPv6 nat service is not used, and said so
    inv = C.cluster(C.NAT, lvs_internal_vip6='2001:db8:1::fe')
    warnings = cluster_model.build(cluster_model.Inventory(**inv))[2]
    assert warnings == ['lvs_internal_vip6 is not used: no IPv6 service forwards by nat']


def test_one_director_serving_nat_on_its_own_addresses():
    """Seed 001's NAT: one director without keepalived, the VIP its public address 172.25.254.100, the real
    servers' gateway its internal 192.168.0.10. Valid for nat; not with keepalived (the VIP floats), not for dr
    (the real servers would hold the director's address on lo and answer its checks to themselves)."""
    seed = {
        'cluster': {'lvs_vip': '172.25.254.100', 'lvs_forwarding': 'nat', 'lvs_internal_vip': '192.168.0.10',
                    'lvs_keepalived': False, 'lvs_ipvs_owner': 'ansible',
                    'lvs_services': [{'name': 'web', 'port': 80, 'scheduler': 'wrr'}]},
        'groups': {'directors': ['vs'], 'realservers': ['rs1', 'rs2'], 'all': []},
        'hostvars': {'vs': {'ansible_host': '172.25.254.100'}, 'rs1': {'ansible_host': '192.168.0.30'},
                     'rs2': {'ansible_host': '192.168.0.40', 'lvs_weight': 2}},
    }
    model, errors = build(seed)[:2]
    assert errors == [], errors
    assert [(d['address'], d['weight']) for d in model['services'][0]['destinations']] == [
        ('192.168.0.30', 1), ('192.168.0.40', 2)]
    keepalived = C.cluster(seed, lvs_keepalived=True, lvs_ipvs_owner='keepalived')
    assert any(e.startswith("lvs_vip: 172.25.254.100 is the address of director 'vs'") for e in errors_of(keepalived))
    dr = C.cluster(seed, lvs_forwarding='dr', lvs_internal_vip=None)
    assert any(e.startswith("lvs_vip: 172.25.254.100 is the address of director 'vs'") for e in errors_of(dr))
    gateway_is_host = C.cluster(seed, lvs_internal_vip='192.168.0.30')
    assert any(e.startswith("lvs_internal_vip: 192.168.0.30 is the address of real server 'rs1'")
               for e in errors_of(gateway_is_host))


def test_hyphenated_names_of_ours_are_errors():
    errors = cluster_model.unknown_variables(['lvs-vip', 'keepalived-advert-int', 'my-var', 'lvs_vip'])
    assert errors == ['keepalived-advert-int: is not a variable name Ansible can use (a hyphen): write '
                      'keepalived_advert_int', 'lvs-vip: is not a variable name Ansible can use (a hyphen): write '
                      'lvs_vip'], errors


def test_weight_in_group_vars_all_is_no_director_value():
    """lvs_weight from group_vars/all reaches the directors too: a default of the real servers, not an error."""
    case = copy.deepcopy(C.DR)
    for h in case['hostvars']:
        case['hostvars'][h].setdefault('lvs_weight', 2)
    assert errors_of(case) == []


def test_sync_daemons_each_director_runs():
    """keepalived_sync_daemon: true means both daemons on every director of the pair (its interface, else the VIP's);
    director_sync_daemon is each director's own, with either owner; a director asking both ways is named."""
    daemons, errors = cluster_model.sync_daemons(True, {
        'd1': {'keepalived_sync_daemon': 'yes', 'keepalived_sync_interface': 'eth1'},
        'd2': {'keepalived_sync_daemon': True, 'director_sync_interface': 'eth2'},
        'd3': {'director_sync_daemon': 'backup'},
        'd4': {}})
    assert errors == []
    assert daemons == {'d1': {'state': 'both', 'interface': 'eth1'}, 'd2': {'state': 'both', 'interface': 'eth2'},
                       'd3': {'state': 'backup', 'interface': ''}, 'd4': {'state': 'none', 'interface': ''}}
    # without keepalived, keepalived_sync_daemon asks for nothing
    daemons, errors = cluster_model.sync_daemons(False, {'d1': {'keepalived_sync_daemon': True,
                                                                'keepalived_sync_interface': 'eth1'}})
    assert daemons == {'d1': {'state': 'none', 'interface': ''}} and errors == []
    daemons, errors = cluster_model.sync_daemons(True, {'d1': {'keepalived_sync_daemon': True},
                                                        'd2': {'keepalived_sync_daemon': True,
                                                               'director_sync_daemon': 'master'}})
    assert daemons['d2'] == {'state': 'both', 'interface': ''}
    assert errors == ["director_sync_daemon: 'master' with keepalived_sync_daemon: true: both ask for the IPVS sync "
                      "daemons (keepalived_sync_daemon means both on every director); keep one (on d2)"]


@pytest.mark.parametrize('name', bgp_frontend.VRRP_ONLY)
def test_every_vrrp_option_is_refused_with_the_bgp_front_end(name):
    """Each cluster variable declared frontend='vrrp' in cluster_schema, set to anything but its default."""
    errors = errors_of(C.cluster(C.BGP, **{name: 7 if S.CLUSTER[name].default != 7 else 8}))
    assert any(e.startswith(name + ': is an option of the VRRP front end') for e in errors), errors


@pytest.mark.parametrize('name', bgp_frontend.VRRP_HOST_ONLY)
def test_every_vrrp_host_option_is_refused_with_the_bgp_front_end(name):
    """Each director variable declared frontend='vrrp' (the cluster model's, the keepalived role's)."""
    errors = errors_of(C.host('director2', C.BGP, **{name: 7}))
    assert any(e.startswith('hostvars[director2].%s: is an option of the VRRP front end' % name) for e in errors), \
        errors


def test_the_vrrp_options_are_tagged():
    """The VRRP front end's options, as its sections of the schema name them: a new lvs_vrrp_* variable or VRRP
    setting of the keepalived role is tagged (or is one of the few both front ends use)."""
    both = {'lvs_vrrp_email'}  # keepalived's global mail settings: its checkers' alerts too
    assert {n for n in S.CLUSTER if n.startswith('lvs_vrrp_')} - both <= set(bgp_frontend.VRRP_ONLY)
    assert 'lvs_vrrp_priority' in bgp_frontend.VRRP_HOST_ONLY
