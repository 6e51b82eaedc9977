# SPDX-License-Identifier: GPL-3.0-or-later
"""Planning: ordering, minimal edits, no service left without real servers, check-mode prediction."""

from __future__ import annotations

import converge_case as C
import ipvs_fixtures as F
import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_diff as D
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_parse as P
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as R
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import IPVSError, Table


def live(name='converge', index=0):
    table = P.parse_save(F.blocks(name, 'ipvsadm -Sn')[index].stdout)
    return P.merge_thresholds(table, F.blocks(name, 'ipvsadm -Ln --thresholds')[index].stdout)


def canon(table):
    return sorted(R.render_table(table))


def assert_never_empty(before: Table, commands):
    """Replay line by line: a service that had real servers and keeps some never drops to zero."""
    table = before
    final = D.simulate(before, commands)
    for line in commands:
        table = D.simulate(table, [line])
        for svc in table.services:
            target = final.find(svc.key)
            if target is not None and target.destinations and before.find(svc.key) is not None \
                    and before.find(svc.key).destinations:
                assert svc.destinations, 'service %s had no real server after %r' % (svc.label, line)


def test_converge_case_batch_is_stable():
    target = D.target_for_rules(live(), C.CONFIG, 'overridden')
    commands = D.plan(live(), target)
    assert R.render_text(commands) == C.BATCH
    assert_never_empty(live(), commands)


def test_real_kernel_result_equals_target():
    """The recorded table after sending BATCH to the real kernel is exactly the target."""
    target = D.target_for_rules(live(), C.CONFIG, 'overridden')
    after = live('converge', 1)
    assert D.plan(after, target) == []
    assert canon(after) == canon(target)
    assert canon(D.simulate(live(), D.plan(live(), target))) == canon(after)


def test_replacing_every_real_server_adds_before_deleting():
    before = P.parse_save('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n'
                          '-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 1\n')
    target = D.target_for_rules(before, [{'address': '10.0.0.1', 'port': 80, 'scheduler': 'rr', 'destinations': [
        {'address': '10.0.2.1'}, {'address': '10.0.2.2'}]}], 'replaced')
    commands = D.plan(before, target)
    assert commands == ['-a -t 10.0.0.1:80 -r 10.0.2.1:80 -g -w 1', '-a -t 10.0.0.1:80 -r 10.0.2.2:80 -g -w 1',
                        '-d -t 10.0.0.1:80 -r 10.0.1.1:80', '-d -t 10.0.0.1:80 -r 10.0.1.2:80']
    assert_never_empty(before, commands)


def test_changing_the_service_key_adds_the_new_before_deleting_the_old():
    before = P.parse_save('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n')
    target = D.target_for_rules(before, [{'protocol': 'udp', 'address': '10.0.0.1', 'port': 80, 'scheduler': 'rr',
                                          'destinations': [{'address': '10.0.1.1'}]}], 'overridden')
    assert D.plan(before, target) == ['-A -u 10.0.0.1:80 -s rr', '-a -u 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1',
                                      '-D -t 10.0.0.1:80']


def test_only_changed_things_are_edited():
    table = live('dests')
    target = table.copy()
    target.services[0].destinations[3].weight = 9
    target.find(('udp', '10.2.0.4', 53)).scheduler = 'wrr'
    assert D.plan(table, target) == ['-e -t 10.2.0.1:80 -r 192.168.1.4:80 -i -w 9 --tun-type ipip -x 7',
                                     '-E -u 10.2.0.4:53 -s wrr -p 30']
    assert D.plan(table, table.copy()) == []


def test_threshold_only_change_is_an_edit():
    table = live('dests')
    target = table.copy()
    target.find(('udp', '10.2.0.4', 53)).destinations[0].upper_threshold = 0
    target.find(('udp', '10.2.0.4', 53)).destinations[0].lower_threshold = 0
    assert D.plan(table, target) == ['-e -u 10.2.0.4:53 -r 192.168.1.21:5353 -m -w 10']


def test_nat_port_change_to_dr_is_add_then_delete():
    before = P.parse_save('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 1\n')
    target = D.target_for_rules(before, [{'address': '10.0.0.1', 'port': 80, 'scheduler': 'rr',
                                          'destinations': [{'address': '10.0.1.1', 'forwarding': 'dr'}]}], 'replaced')
    # the kernel cannot -e across ports ("No such destination", recorded in fixtures/edits.txt)
    assert D.plan(before, target) == ['-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1', '-d -t 10.0.0.1:80 -r 10.0.1.1:8080']


def test_forwarding_change_with_same_port_is_edit():
    before = P.parse_save('-A -u 10.0.0.1:53 -s rr\n-a -u 10.0.0.1:53 -r 10.0.1.1:53 -m -w 1\n')
    target = D.target_for_rules(before, [{'protocol': 'udp', 'address': '10.0.0.1', 'port': 53, 'destinations': [
        {'address': '10.0.1.1', 'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 99}]}], 'merged')
    assert D.plan(before, target) == ['-e -u 10.0.0.1:53 -r 10.0.1.1:53 -i -w 1 --tun-type gue --tun-port 99 '
                                      '--tun-nocsum']


def test_service_module_targets():
    table = live()
    params = {'protocol': 'tcp', 'address': '10.5.0.1', 'port': 80, 'scheduler': 'wrr', 'state': 'present',
              'destinations': [{'address': '192.168.1.9'}], 'purge_destinations': False}
    target, _svc = D.target_for_service(table, params)
    assert D.plan(table, target) == ['-a -t 10.5.0.1:80 -r 192.168.1.9:80 -g -w 1']
    target, _svc = D.target_for_service(table, dict(params, purge_destinations=True))
    assert D.plan(table, target) == ['-a -t 10.5.0.1:80 -r 192.168.1.9:80 -g -w 1',
                                     '-d -t 10.5.0.1:80 -r 192.168.1.1:80', '-d -t 10.5.0.1:80 -r 192.168.1.2:8080']
    target, _svc = D.target_for_service(table, dict(params, destinations=None))
    assert D.plan(table, target) == []
    target, _svc = D.target_for_service(table, dict(params, state='absent'))
    assert D.plan(table, target) == ['-D -t 10.5.0.1:80']


def test_dest_module_targets():
    table = live()
    key = {'protocol': 'udp', 'address': '10.5.0.2', 'port': 53}
    target, _d = D.target_for_dest(table, key, {'address': '192.168.1.3', 'forwarding': 'nat', 'weight': 5}, 'present')
    assert D.plan(table, target) == []
    target, _d = D.target_for_dest(table, key, {'address': '192.168.1.3', 'forwarding': 'nat'}, 'quiesced')
    assert D.plan(table, target) == ['-e -u 10.5.0.2:53 -r 192.168.1.3:53 -m -w 0']
    target, _d = D.target_for_dest(table, key, {'address': '192.168.1.3'}, 'absent')
    assert D.plan(table, target) == ['-d -u 10.5.0.2:53 -r 192.168.1.3:53']
    target, _d = D.target_for_dest(table, dict(key, port=54), {'address': '192.168.1.3'}, 'absent')
    assert D.plan(table, target) == []
    with pytest.raises(IPVSError, match='does not exist'):
        D.target_for_dest(table, dict(key, port=54), {'address': '192.168.1.3'}, 'present')


def test_overridden_empty_clears_everything_in_order():
    table = live()
    commands = D.plan(table, D.target_for_rules(table, [], 'overridden'))
    assert [c.split()[0] for c in commands] == ['-D'] * 4


def test_rendered_text_restores_with_thresholds():
    table = live('dests')
    text = R.render_text(R.render_table(table))
    assert '-a -u 10.2.0.4:53 -r 192.168.1.21:5353 -m -w 10 -x 1000 -y 900\n' in text
    assert canon(P.parse_save(text)) == canon(table)
