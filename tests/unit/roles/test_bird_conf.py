"""roles/director/templates/bird.conf.j2 (lvs_frontend bgp) rendered by Ansible's templar from cluster models, the
director's part from setup facts recorded on a lab director, then checked by the real `bird -p` (Debian's bird2,
installed on the host by `./lab setup`): what the model says must become a configuration BIRD accepts."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_model, host_view
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors
from render import render_role

ROOT = Path(__file__).resolve().parents[3]
# eth0 10.78.0.11 and fd78::11, eth1 10.79.0.11
FACTS = ROOT / 'tests' / 'unit' / 'fixtures' / 'facts' / 'director1-dualstack.json'
HOSTS = {'director1': {'ansible_host': '10.78.0.11'}, 'director2': {'ansible_host': '10.78.0.12'},
         'rs1': {'ansible_host': '10.78.0.21', 'lvs_real_address6': 'fd78::21'},
         'rs2': {'ansible_host': '10.78.0.22', 'lvs_real_address6': 'fd78::22'}}
WEB = {'name': 'http', 'port': 80, 'scheduler': 'mh', 'sched_flags': ['mh-port']}
PEER = {'address': '10.78.0.250', 'asn': 65000}
CASES = {
    'minimal': {'lvs_bgp': {'asn': 65001, 'peers': [PEER]}, 'lvs_services': [WEB]},
    'every-option': {'lvs_bgp': {'asn': 4200000001, 'peers': [dict(PEER, name='router'), {
        'address': '10.78.0.251', 'asn': 65002}], 'hold_time': 30, 'bfd_interval': 50, 'bfd_multiplier': 5,
        'med': 0, 'communities': ['65001:100', '0:65535'], 'interface': 'vips0'},
        'lvs_services': [WEB, dict(WEB, name='dns', protocol='udp', port=53, address='10.76.0.2')]},
    'no-bfd': {'lvs_bgp': {'asn': 65001, 'peers': [PEER], 'bfd': False}, 'lvs_services': [WEB]},
    'dual-stack': {'lvs_bgp': {'asn': 65001, 'peers': [PEER, {'address': 'fd78::250', 'asn': 65000}]},
                   'lvs_services': [WEB, dict(WEB, name='http6', address='2001:db8:76::1')]},
}


def bird() -> str:
    path = shutil.which('bird') or shutil.which('bird', path='/usr/sbin:/sbin')
    assert path, 'bird is not installed: `./lab setup` installs it (Debian package bird2)'
    return path


def render(case: str) -> str:
    cluster = dict(copy.deepcopy(CASES[case]), lvs_vip='10.76.0.1', lvs_frontend='bgp')
    inv = cluster_model.Inventory(cluster=cluster, hostvars=copy.deepcopy(HOSTS),
                                  groups={'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2']})
    model, errors = cluster_model.build(inv)[:2]
    assert errors == []
    facts, host_errors = json.loads(FACTS.read_text()), Errors()
    model['hosts'] = host_view.views(model, {'director1': facts, 'director2': facts}, {'director1'}, False,
                                     host_errors)
    assert host_errors == []
    return render_role('director', 'bird.conf.j2', {'lvs_model': model}, inventory_hostname='director1')


def check(conf: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / 'bird.conf'
    path.write_text(conf)
    return subprocess.run([bird(), '-p', '-c', str(path)], check=False, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize('case', sorted(CASES))
def test_bird_accepts_the_rendered_configuration(case, tmp_path):
    conf = render(case)
    res = check(conf, tmp_path)
    assert res.returncode == 0, f'{res.stdout}{res.stderr}\n{conf}'
    assert 'router id 10.78.0.11;' in conf and 'import none;' in conf


def test_a_configuration_bird_refuses_fails_the_check(tmp_path):
    """The check the role runs before installing (validate: bird -p -c %s) can fail."""
    res = check(render('minimal').replace('local as 65001;', 'local as 65001 65002;'), tmp_path)
    assert res.returncode != 0 and 'syntax error' in (res.stdout + res.stderr).lower(), res


def test_every_option_is_rendered():
    conf = render('every-option')
    assert 'interface "vips0";' in conf
    announce = (r'filter lvs_announce4 \{\n    if net ~ \[ 10\.76\.0\.1/32, 10\.76\.0\.2/32 \] then \{\n'
                r'        bgp_med = 0;\n        bgp_community\.add\(\(65001,100\)\);\n'
                r'        bgp_community\.add\(\(0,65535\)\);\n        accept;')
    assert re.search(announce, conf), conf
    assert ('protocol bgp peer_router {\n    local as 4200000001;\n    neighbor 10.78.0.250 as 65000;\n'
            '    hold time 30;\n    keepalive time 10;\n') in conf, conf
    assert 'connect retry time 5;' in conf and 'bfd on;' in conf
    assert 'protocol bgp peer_router2 {' in conf and 'neighbor 10.78.0.251 as 65002;' in conf
    assert 'interface "eth0" {\n        min rx interval 50 ms;\n        min tx interval 50 ms;\n' \
           '        multiplier 5;' in conf, conf


def test_without_bfd_and_per_family():
    conf = render('no-bfd')
    assert 'protocol bfd' not in conf and 'bfd off;' in conf and 'bgp_med' not in conf
    dual = render('dual-stack')
    assert 'filter lvs_announce6 {\n    if net ~ [ 2001:db8:76::1/128 ] then' in dual, dual
    v6 = dual[dual.index('protocol bgp peer_router2'):]
    assert 'neighbor fd78::250 as 65000;' in v6 and 'ipv6 {' in v6 and 'export filter lvs_announce6;' in v6, v6
    v4 = dual[dual.index('protocol bgp peer_router1'):dual.index('protocol bgp peer_router2')]
    assert 'ipv4 {' in v4 and 'export filter lvs_announce4;' in v4, v4
