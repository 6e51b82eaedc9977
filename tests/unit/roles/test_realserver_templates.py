"""The realserver role's boot-time files (systemd-networkd and ifupdown) for dual-stack DR and TUN real servers,
rendered from the cluster model's host view as the role renders them (Templar, the role's defaults and vars)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model

ROOT = Path(__file__).resolve().parents[3]
ROLE = ROOT / 'roles' / 'realserver'
HOSTS = {'director1': {'ansible_host': '10.78.0.11'}, 'director2': {'ansible_host': '10.78.0.12'},
         'rs1': {'ansible_host': '10.78.0.21', 'lvs_real_address6': 'fd78::21'},
         'rs2': {'ansible_host': '10.78.0.22', 'lvs_real_address6': 'fd78::22'}}
SERVICES = [{'name': 'http', 'port': 80}, {'name': 'http6', 'address': 'fd78::200', 'port': 80},
            {'name': 'http2', 'address': '10.78.0.202', 'port': 80}]


def render(template: str, forwarding: str) -> str:
    inv = cluster_model.Inventory(
        cluster={'lvs_vip': '10.78.0.200', 'lvs_forwarding': forwarding, 'lvs_services': copy.deepcopy(SERVICES)},
        hostvars=copy.deepcopy(HOSTS), groups={'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2']})
    model, errors = cluster_model.build(inv)[:2]
    assert errors == []
    model['host'] = {'vips': model['realserver_vips']['rs1'], 'vip_cidrs': model['realserver_vip_cidrs']['rs1']}
    loader = DataLoader()
    variables = {}
    for part in ('defaults', 'vars'):
        for k, v in loader.load_from_file(str(ROLE / part / 'main.yml')).items():
            variables[k] = trust_as_template(v) if isinstance(v, str) else v
    variables.update(lvs_model=model, inventory_hostname='rs1', ansible_managed='Ansible managed')
    templar = Templar(loader=loader, variables=variables)
    return templar.template(trust_as_template((ROLE / 'templates' / template).read_text()))


def test_dr_lo_networkd_labels_ipv4_only():
    text = render('lo.network.j2', 'dr')
    blocks = text.split('[Address]\n')[1:]
    assert blocks == ['Address=10.78.0.200/32\nLabel=lo:0\n\n', 'Address=fd78::200/128\n\n',
                      'Address=10.78.0.202/32\nLabel=lo:2\n'], text


def test_dr_lo_ifupdown_ipv6_on_lo_inet6():
    text = render('lo.ifupdown.j2', 'dr')
    assert 'iface lo:0 inet static\n    address 10.78.0.200\n    netmask 255.255.255.255' in text, text
    assert 'iface lo:2 inet static\n    address 10.78.0.202\n' in text, text
    assert 'iface lo inet6 loopback\n    up ip -6 addr replace fd78::200/128 dev lo\n' in text, text
    assert 'fd78::200' not in text.split('iface lo inet6')[0], text


@pytest.mark.parametrize('template, device, present, absent', [
    ('tunl0.network.j2', 'tunl0', ['Address=10.78.0.200/32', 'Address=10.78.0.202/32'], ['fd78::200']),
    ('ip6tnl0.network.j2', 'ip6tnl0', ['Address=fd78::200/128'], ['10.78.0.200']),
])
def test_tun_networkd_one_family_per_device(template, device, present, absent):
    text = render(template, 'tun')
    assert f'Name={device}\n' in text and 'LinkLocalAddressing=no' in text, text
    for line in present:
        assert line in text, text
    for addr in absent:
        assert addr not in text, text


def test_tun_ifupdown_both_devices():
    text = render('tunl0.ifupdown.j2', 'tun')
    assert 'iface tunl0 inet static\n    pre-up modprobe ipip\n    address 10.78.0.200\n' in text, text
    assert '    up ip addr replace 10.78.0.202/32 dev tunl0\n' in text, text
    assert ('iface ip6tnl0 inet6 manual\n    pre-up modprobe ip6_tunnel\n    up ip link set dev ip6tnl0 up\n'
            '    up ip -6 addr replace fd78::200/128 dev ip6tnl0\n') in text, text
