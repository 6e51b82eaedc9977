# SPDX-License-Identifier: GPL-3.0-or-later
"""ipvs_settings: plans checked against what the kernel printed (fixtures daemon.txt and timeouts.txt, recorded
on a real IPVS kernel): the planned commands are the recorded ones and the predicted state is the listing the
kernel printed after them."""

from __future__ import annotations

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_settings as S
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import IPVSError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_parse import parse_daemon, parse_timeout
from ipvs_fixtures import load


def listing(name, index):
    return load(name)['blocks'][index].stdout


def test_timeouts_plan_matches_the_recorded_set():
    before = parse_timeout(listing('timeouts', 0))
    commands, after, _daemons = S.plan(before, [], S.normalise_timeouts({'tcp': 1000, 'tcpfin': 100, 'udp': 200}), [])
    assert commands == [['--set', '1000', '100', '200']]
    assert after == parse_timeout(listing('timeouts', 2))
    # one value: the others are sent as 0, which the kernel keeps (recorded: --set 0 60 0)
    commands, after, _daemons = S.plan(after, [], S.normalise_timeouts({'tcpfin': 60}), [])
    assert commands == [['--set', '0', '60', '0']] and after == parse_timeout(listing('timeouts', 4))
    assert S.plan(after, [], {'tcpfin': 60}, [])[0] == []


def test_daemon_plans_match_the_recorded_commands():
    blocks = load('daemon')['blocks']
    none = parse_daemon(blocks[0].stdout)
    master = S.normalise_daemons([{'state': 'master', 'mcast_interface': 'dummy0', 'syncid': 7}])
    commands, _timeouts, predicted = S.plan({}, none, {}, master)
    assert ['ipvsadm', *commands[0]] == blocks[1].cmd.split()
    assert predicted == [{'state': 'master', 'mcast_interface': 'dummy0', 'syncid': 7}]
    one = parse_daemon(blocks[2].stdout)
    assert S.plan({}, one, {}, master)[0] == []  # the kernel's extra fields (maxlen, group, ...) are not asked for
    backup = S.normalise_daemons([{'state': 'backup', 'mcast_interface': 'dummy0', 'syncid': 8, 'sync_maxlen': 1400,
                                   'mcast_group': '224.0.0.82', 'mcast_port': 8849, 'mcast_ttl': 2}])
    commands = S.plan({}, one, {}, backup)[0]
    assert ['ipvsadm', *commands[0]] == blocks[3].cmd.split()
    both = parse_daemon(blocks[4].stdout)
    assert S.plan({}, both, {}, master + backup)[0] == []
    commands, _timeouts, predicted = S.plan({}, both, {}, S.normalise_daemons([{'state': 'master', 'present': False}]))
    assert ['ipvsadm', *commands[0]] == blocks[5].cmd.split()
    assert predicted == parse_daemon(blocks[6].stdout)


def test_changed_daemon_is_restarted():
    running = parse_daemon(listing('daemon', 2))  # master, syncid 7
    wanted = S.normalise_daemons([{'state': 'master', 'mcast_interface': 'dummy0', 'syncid': 9}])
    commands = S.plan({}, running, {}, wanted)[0]
    assert commands == [['--stop-daemon', 'master'],
                        ['--start-daemon', 'master', '--mcast-interface', 'dummy0', '--syncid', '9']]


def test_render_for_diff():
    text = S.render({'tcp': 900, 'tcpfin': 120, 'udp': 300}, parse_daemon(listing('daemon', 2)))
    assert text == ('Timeout (tcp tcpfin udp): 900 120 300\nmaster sync daemon (mcast_interface=dummy0, syncid=7, '
                    'sync_maxlen=1472, mcast_group=224.0.0.81, mcast_port=8848, mcast_ttl=1)\n')


@pytest.mark.parametrize('timeouts, daemons, message', [
    ({'tcp': 0}, None, 'timeouts.tcp: 0 is out of range 1-2147483'),
    ({'tcp': 'long'}, None, "timeouts.tcp: 'long' is not an integer"),
    ({'tpc': 900}, None, 'timeouts: unknown key tpc (known: tcp, tcpfin, udp)'),
    (None, [{'state': 'primary', 'mcast_interface': 'eth0'}], "daemons[0].state: 'primary' is not one of master"),
    (None, [{'state': 'master'}], 'daemons[0].mcast_interface: is required to start a master daemon'),
    (None, [{'state': 'master', 'mcast_interface': 'eth0; reboot'}], "daemons[0].mcast_interface: 'eth0; reboot'"),
    (None, [{'state': 'master', 'mcast_interface': 'eth0', 'syncid': 256}], 'daemons[0].syncid: 256 is out of range'),
    (None, [{'state': 'master', 'mcast_interface': 'eth0', 'mcast_group': '10.0.0.1'}],
     'daemons[0].mcast_group: 10.0.0.1 is not a multicast address'),
    (None, [{'state': 'master', 'mcast_interface': 'eth0', 'mcast_group': 'ff02::1%eth0'}],
     "daemons[0].mcast_group: 'ff02::1%eth0' is not an IP address"),
    (None, [{'state': 'master', 'mcast_interface': 'eth0', 'mcast_ttl': 0}], 'daemons[0].mcast_ttl: 0 is out of range'),
    (None, [{'state': 'master', 'mcast_interface': 'eth0', 'sync_id': 1}], 'daemons[0].sync_id: unknown key'),
    (None, [{'state': 'backup', 'mcast_interface': 'eth0'}, {'state': 'backup', 'mcast_interface': 'eth1'}],
     'daemons[1].state: backup is listed twice'),
    (None, [{'state': 'master', 'present': 'no'}], "daemons[0].present: 'no' is not a boolean"),
])
def test_bad_input(timeouts, daemons, message):
    with pytest.raises(IPVSError) as exc:
        S.normalise_timeouts(timeouts)
        S.normalise_daemons(daemons)
    assert str(exc.value).startswith(message), str(exc.value)
