"""A director's interfaces and unicast peers, from setup facts recorded on a lab director (UML 7.2:
eth0 10.78.0.11/24 public, eth1 10.79.0.11/24 private; the second recording carries the VIP /32 too, the third
is of the dual-stack lab: eth0 also fd78::11/64)."""

import copy
import json
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model, host_view
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors

FACTS = Path(__file__).resolve().parents[2] / 'fixtures' / 'facts'


def facts(kind='plain'):
    return json.loads((FACTS / ('director1-%s.json' % kind)).read_text())


def model(**cluster):
    base = {'lvs_vip': '10.78.0.200', 'lvs_services': [{'name': 'http', 'port': 80}]}
    base.update(cluster)
    inv = cluster_model.Inventory(
        cluster=base, groups={'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2']},
        hostvars={'director1': {'ansible_host': '10.79.0.11'}, 'director2': {'ansible_host': '10.79.0.12'},
                  'rs1': {'ansible_host': '10.79.0.21'}, 'rs2': {'ansible_host': '10.79.0.22'}})
    m, errors = cluster_model.build(inv)[:2]
    assert errors == []
    return m


@pytest.mark.parametrize('kind', ['plain', 'vip'])
def test_public_interface_by_network(kind):
    errors = Errors()
    view = host_view.interfaces(model(), 'director1', facts(kind), errors)
    assert errors == []
    assert view['public_interface'] == 'eth0' and view['public_address'] == '10.78.0.11'


def test_nat_internal_interface():
    errors = Errors()
    m = model(lvs_forwarding='nat', lvs_internal_vip='10.79.0.254')
    view = host_view.interfaces(m, 'director1', facts(), errors)
    assert errors == []
    assert view['internal_interface'] == 'eth1' and view['internal_address'] == '10.79.0.11'


def test_vip_outside_every_network_names_lvs_vip():
    errors = Errors()
    host_view.interfaces(model(lvs_vip='192.0.2.10'), 'director1', facts(), errors)
    assert errors == ["lvs_vip: 192.0.2.10 is inside no network of director 'director1' (eth0 10.78.0.11/24, "
                      "eth1 10.79.0.11/24): use an address of its network or set lvs_public_interface"]


def test_wrong_interface_names_lvs_public_interface():
    errors = Errors()
    host_view.interfaces(model(lvs_public_interface='eth7'), 'director1', facts(), errors)
    assert errors == ["lvs_public_interface: 'eth7' is not an interface of director 'director1' "
                      "(interfaces: eth0, eth1)"]


def test_given_interface_wins():
    errors = Errors()
    view = host_view.interfaces(model(lvs_public_interface='eth1'), 'director1', facts(), errors)
    assert errors == [] and view['public_interface'] == 'eth1' and view['public_address'] == '10.79.0.11'


def test_dr_real_server_off_the_directors_networks():
    m = model()
    m['services'][0]['destinations'][0]['address'] = '172.16.0.21'
    errors = Errors()
    host_view.interfaces(m, 'director1', facts(), errors)
    assert errors == ["lvs_services[0]: dr real server 'rs1' (172.16.0.21) is on no network of director 'director1' "
                      "(eth0 10.78.0.11/24, eth1 10.79.0.11/24): direct routing needs the real servers on a LAN of "
                      "the director (use tun or nat across routers)"]


def test_no_facts():
    errors = Errors()
    host_view.interfaces(model(), 'director1', {}, errors)
    assert errors == ['director1: has no network facts (gather them with gather_subset network)']


def test_unicast_peers():
    peer = copy.deepcopy(facts())
    peer['eth0']['ipv4']['address'] = '10.78.0.12'
    errors = Errors()
    found = host_view.peers(model(), 'director1', {'director2': peer}, errors)
    assert found == {'public': ['10.78.0.12'], 'internal': []}
    assert errors == []
    host_view.peers(model(), 'director1', {'director2': {}}, errors)
    assert errors == ['unicast peer director2: director2: has no network facts (gather them with gather_subset '
                      'network)']


def model6(**cluster):
    """An IPv6 VIP on the dual-stack lab network, the real servers' IPv6 addresses given."""
    base = {'lvs_vip': 'fd78::200', 'lvs_services': [{'name': 'http6', 'port': 80}]}
    base.update(cluster)
    inv = cluster_model.Inventory(
        cluster=base, groups={'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2']},
        hostvars={'director1': {'ansible_host': '10.79.0.11'}, 'director2': {'ansible_host': '10.79.0.12'},
                  'rs1': {'ansible_host': '10.79.0.21', 'lvs_real_address6': 'fd78::21'},
                  'rs2': {'ansible_host': '10.79.0.22', 'lvs_real_address6': 'fd78::22'}})
    m, errors = cluster_model.build(inv)[:2]
    assert errors == []
    return m


def test_ipv6_vip_finds_the_interface_of_its_ipv6_network():
    errors = Errors()
    view = host_view.interfaces(model6(), 'director1', facts('dualstack'), errors)
    assert errors == []
    assert view['public_interface'] == 'eth0' and view['public_address'] == 'fd78::11'


def test_ipv6_vip_on_a_director_without_ipv6_names_lvs_vip():
    errors = Errors()
    host_view.interfaces(model6(), 'director1', facts('plain'), errors)
    assert errors[0] == ("lvs_vip: fd78::200 is inside no network of director 'director1' (eth0 10.78.0.11/24, "
                         "eth1 10.79.0.11/24): use an address of its network or set lvs_public_interface")
    assert "dr real server 'rs1' (fd78::21) is on no network of director 'director1'" in errors[1]


def test_ipv6_dr_real_server_off_the_directors_ipv6_network():
    errors = Errors()
    m = model6()
    m['services'][0]['destinations'][1]['address'] = '2001:db8::22'
    host_view.interfaces(m, 'director1', facts('dualstack'), errors)
    assert len(errors) == 1 and errors[0].startswith("lvs_services[0]: dr real server 'rs2' (2001:db8::22) is on no "
                                                     "network of director 'director1'"), errors


def bgp_model(**bgp):
    """lab-ecmp's cluster (lvs_frontend bgp, VIP 10.76.0.1 on no LAN, the router on the public one)."""
    return model(lvs_vip='10.76.0.1', lvs_frontend='bgp', lvs_services=[
        {'name': 'http', 'port': 80, 'scheduler': 'mh', 'sched_flags': ['mh-port']}],
        lvs_bgp=dict({'asn': 65001, 'peers': [{'name': 'router', 'address': '10.78.0.250', 'asn': 65000}]}, **bgp))


def test_bgp_public_interface_faces_the_first_router():
    """Recorded on a director of the BGP lab: lvs-vips carries the announced VIP (10.76.0.1/32), on no LAN."""
    errors = Errors()
    view = host_view.interfaces(bgp_model(), 'director1', facts('bgp'), errors)
    assert errors == []
    assert view['public_interface'] == 'eth0' and view['public_address'] == '10.78.0.11'


def test_bgp_router_on_no_lan_of_a_director():
    errors = Errors()
    host_view.interfaces(bgp_model(peers=[{'address': '10.78.0.250', 'asn': 65000},
                                          {'address': '192.0.2.1', 'asn': 65002}]), 'director1', facts('bgp'), errors)
    assert errors == ["lvs_bgp.peers[1].address: 192.0.2.1 is inside no network of director 'director1' (eth0 "
                      "10.78.0.11/24, eth0 fd78::11/64, eth1 10.79.0.11/24, eth1 fd79::11/64, lvs-vips 10.76.0.1/32): "
                      "the directors speak BGP to routers on their own LANs"]


@pytest.mark.parametrize('iface, address', [('eth0', '10.78.0.11, fd78::11'), ('eth1', '10.79.0.11, fd79::11')])
def test_bgp_interface_with_an_address_of_its_own_is_refused(iface, address):
    """lvs-announce removes every address but the VIPs from the interface: on eth1 it would cut the director off."""
    errors = Errors()
    host_view.interfaces(bgp_model(interface=iface), 'director1', facts('bgp'), errors)
    assert errors == ["lvs_bgp.interface: %r is an interface of director 'director1' with addresses of its "
                      "own (%s): lvs-announce keeps only the VIPs on it (and removes every other address); name a "
                      "dummy interface of its own (default lvs-vips)" % (iface, address)], errors
