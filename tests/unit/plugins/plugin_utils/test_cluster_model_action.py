"""lvs.cluster.cluster_model through ansible-playbook: the shipped inventories pass, and what only the action
sees (templating, variables that differ between hosts, --limit, unreachable hosts) gives a precise message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
PLAYBOOK = """
- name: Static model
  hosts: directors:realservers
  gather_facts: false
  tasks:
    - name: Model
      lvs.cluster.cluster_model:
        static: true
      run_once: true
      delegate_to: localhost
      any_errors_fatal: true
    - name: Show it
      ansible.builtin.debug:
        msg: "MODEL {{ lvs_model | to_json }}"
      run_once: true
"""


def playbook(tmp_path, inventory, *args):
    book = tmp_path / 'book.yml'
    book.write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / '.collections'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_STDOUT_CALLBACK='default')
    ansible = Path(sys.executable).with_name('ansible-playbook')
    proc = subprocess.run([str(ansible), '-i', str(inventory), str(book), *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def model_of(out):
    line = next(ln for ln in out.splitlines() if '"msg": "MODEL ' in ln)
    return json.loads(json.loads('{' + line.strip() + '}')['msg'][len('MODEL '):])


@pytest.mark.parametrize('path', ['docs/inventories/dr', 'docs/inventories/nat', 'docs/inventories/tun',
                                  'labkit/inventories/lab-dr'])
def test_shipped_inventories_pass(tmp_path, path):
    rc, out = playbook(tmp_path, ROOT / path)
    assert rc == 0, out
    model = model_of(out)
    assert model['services'] and model['directors'] and model['realservers']
    assert 'CHANGEME' not in out and 'lab-vrrp' not in out


def write_inventory(tmp_path, group_vars, hosts=None):
    inv = tmp_path / 'inv'
    (inv / 'group_vars').mkdir(parents=True)
    (inv / 'group_vars' / 'all.yml').write_text(group_vars)
    (inv / 'hosts.yml').write_text(hosts or """
all:
  children:
    directors:
      hosts:
        d1: {ansible_host: 192.0.2.1}
        d2: {ansible_host: 192.0.2.2}
    realservers:
      hosts:
        rs1: {ansible_host: 192.0.2.21}
        rs2: {ansible_host: 192.0.2.22}
""")
    return inv


GOOD = 'lvs_vip: 192.0.2.10\nlvs_services: [{name: http, port: 80}]\n'


def test_secret_as_number_and_unreachable_hosts(tmp_path):
    # seed 004 writes auth_pass 1111; the hosts do not exist (192.0.2.0/24 is TEST-NET): nothing connects
    rc, out = playbook(tmp_path, write_inventory(tmp_path, GOOD + 'lvs_vrrp_auth_pass: 1111\n'))
    assert rc == 0, out
    assert model_of(out)['vrrp']['auth'] is True and '1111' not in out


def test_misspelled_variable(tmp_path):
    inv = write_inventory(tmp_path, GOOD + 'lvs_forwardng: nat\n')
    (inv / 'host_vars').mkdir()
    (inv / 'host_vars' / 'rs1.yml').write_text('lvs_wieght: 2\n')
    rc, out = playbook(tmp_path, inv)
    assert rc != 0
    assert 'lvs_forwardng: unknown variable' in out and 'did you mean lvs_forwarding?' in out
    assert 'lvs_wieght: unknown variable' in out and 'did you mean lvs_weight?' in out
    # once in the error list of the result, not once per host: 3 = the printed error, msg and errors
    assert out.count('lvs_forwardng: unknown variable') == 3


def test_undefined_vault_variable(tmp_path):
    rc, out = playbook(tmp_path, write_inventory(tmp_path, GOOD + 'lvs_vrrp_auth_pass: "{{ vault_pass }}"\n'))
    assert rc != 0
    assert 'lvs_vrrp_auth_pass: cannot be templated' in out


def test_variable_differs_between_hosts(tmp_path):
    inv = write_inventory(tmp_path, GOOD)
    (inv / 'host_vars').mkdir()
    (inv / 'host_vars' / 'rs2.yml').write_text('lvs_vip: 192.0.2.11\n')
    rc, out = playbook(tmp_path, inv)
    assert rc != 0
    assert "lvs_vip: differs between hosts (d1: '192.0.2.10', d2: '192.0.2.10', rs1: '192.0.2.10', rs2: " \
           "'192.0.2.11')" in out


@pytest.mark.parametrize('limit', ['rs2', 'd1'])
def test_limit_still_checks_the_whole_cluster(tmp_path, limit):
    inv = write_inventory(tmp_path, 'lvs_vip: 192.0.2.10\nlvs_services: [{name: http, port: 80, '
                                    'realservers: [rs1, rs1]}]\n')
    rc, out = playbook(tmp_path, inv, '--limit', limit)
    assert rc != 0
    assert "lvs_services[0].realservers[1]: 'rs1' is listed twice" in out
    rc, out = playbook(tmp_path, write_inventory(tmp_path / 'ok', GOOD), '--limit', limit)
    assert rc == 0, out
    assert [d['host'] for d in model_of(out)['services'][0]['destinations']] == ['rs1', 'rs2']


def test_later_plays_do_not_run_after_a_model_error(tmp_path):
    rc, out = playbook(tmp_path, write_inventory(tmp_path, 'lvs_vip: 192.0.2.300\nlvs_services: []\n'))
    assert rc != 0
    assert "lvs_vip: '192.0.2.300' is not an IPv4 address" in out
    assert 'lvs_services: needs at least one service' in out
    assert 'MODEL' not in out
