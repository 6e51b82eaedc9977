"""The realserver role's boot-time unit (lvs-realserver.service) for dual-stack DR and TUN real servers, rendered
from the cluster model's host view as the role renders them (Templar, the role's defaults and vars)."""

from __future__ import annotations

import copy
from pathlib import Path

from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model, host_view
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors
from render import render_role

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
    errors = Errors()
    model['hosts'] = host_view.views(model, {}, set(), False, errors)
    assert errors == []
    return render_role('realserver', template, {'lvs_model': model}, inventory_hostname='rs1')


def exec_lines(text: str, kind: str = 'ExecStart') -> list:
    return [line.split('=', 1)[1] for line in text.splitlines() if line.startswith(kind + '=')]


def test_dr_unit_labels_ipv4_only_on_lo():
    text = render('lvs-realserver.service.j2', 'dr')
    assert exec_lines(text) == ['/sbin/ip addr replace 10.78.0.200/32 dev lo label lo:0',
                                '/sbin/ip addr replace fd78::200/128 dev lo',
                                '/sbin/ip addr replace 10.78.0.202/32 dev lo label lo:2'], text
    assert exec_lines(text, 'ExecStartPre') == [], text
    # after whatever manages the network, and independent of it
    assert 'After=network.target' in text and 'networkd' not in text.split('[Unit]')[1], text
    assert 'WantedBy=multi-user.target' in text, text


def test_tun_unit_loads_the_tunnel_modules_and_uses_one_device_per_family():
    text = render('lvs-realserver.service.j2', 'tun')
    assert exec_lines(text, 'ExecStartPre') == ['/sbin/modprobe ipip', '/sbin/ip link set dev tunl0 up',
                                                '/sbin/modprobe ip6_tunnel', '/sbin/ip link set dev ip6tnl0 up'], text
    assert exec_lines(text) == ['/sbin/ip addr replace 10.78.0.200/32 dev tunl0',
                                '/sbin/ip addr replace fd78::200/128 dev ip6tnl0',
                                '/sbin/ip addr replace 10.78.0.202/32 dev tunl0'], text
