# SPDX-License-Identifier: GPL-3.0-or-later
"""Big tables: the indexed engine gives exactly the answers of the plain list scans, in linear time."""

from __future__ import annotations

import copy
import random

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_diff as D
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model as M
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_parse as P
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as R
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import (
    Destination,
    IPVSError,
    KeyedList,
    Service,
    Table,
)

# --------------------------------------------------------------------------- the former algorithms


def _scan(items, key):
    return next((item for item in items if item.key == key), None)


def reference_apply(table: Table, commands):
    """apply_commands() as it was: list scans and deep copies."""
    result = copy.deepcopy(table)
    for cmd in commands:
        where = 'line %d' % cmd.line if cmd.line else repr(cmd.text)
        if cmd.op == 'clear':
            result.services = []
            continue
        live = _scan(result.services, cmd.service.key)
        if cmd.op == 'add-service':
            if live is not None:
                raise IPVSError('%s: service %s already exists' % (where, cmd.service.label))
            result.services.append(copy.deepcopy(cmd.service))
        elif live is None:
            raise IPVSError('%s: no such service %s' % (where, cmd.service.label))
        elif cmd.op == 'edit-service':
            for name in M.SERVICE_FIELDS:
                setattr(live, name, getattr(cmd.service, name))
        elif cmd.op == 'delete-service':
            result.services.remove(live)
        else:
            dest = _scan(live.destinations, cmd.dest.key)
            if cmd.op == 'add-server':
                if dest is not None:
                    raise IPVSError('%s: destination %s already exists in %s' % (where, cmd.dest.name, live.label))
                live.destinations.append(copy.deepcopy(cmd.dest))
            elif dest is None:
                raise IPVSError('%s: no such destination %s in %s' % (where, cmd.dest.name, live.label))
            elif cmd.op == 'edit-server':
                live.destinations[live.destinations.index(dest)] = copy.deepcopy(cmd.dest)
            else:
                live.destinations.remove(dest)
    return result


def reference_plan(live: Table, target: Table):
    """plan() as it was: list scans."""
    commands = []
    for svc in target.services:
        old = _scan(live.services, svc.key)
        if old is None:
            commands.extend(R.render_service(svc))
            continue
        if not svc.options_equal(old):
            commands.append(R.edit_service(svc))
        adds, edits, dels = [], [], []
        for dest in svc.destinations:
            cur = _scan(old.destinations, dest.key)
            if cur is None:
                adds.append(R.add_dest(svc, dest))
            elif cur != dest:
                edits.append(R.edit_dest(svc, dest))
        for cur in old.destinations:
            if _scan(svc.destinations, cur.key) is None:
                dels.append(R.delete_dest(svc, cur))
        commands.extend(adds + edits + dels)
    for old in live.services:
        if _scan(target.services, old.key) is None:
            commands.append(R.delete_service(old))
    return commands


# --------------------------------------------------------------------------- random tables and batches

def random_lines(rng: random.Random, count: int):
    """Rule lines over a small key space, so adds, edits and deletes hit existing and missing keys."""
    lines = []
    for _i in range(count):
        svc = rng.choice(['-t 10.0.0.%d:80' % rng.randint(1, 6), '-u 10.0.0.%d:53' % rng.randint(1, 3),
                          '-f %d' % rng.randint(1, 3), '-t [2001:db8::%d]:443' % rng.randint(1, 2)])
        port = 0 if svc.startswith('-f') else int(svc.rsplit(':', 1)[1])
        rip = ('[2001:db8::1%d]' if 'db8' in svc else '192.168.0.%d') % rng.randint(1, 5)
        op = rng.choice(['-A', '-E', '-D', '-a', '-a', '-a', '-e', '-e', '-d', '-C' if rng.random() < 0.02 else '-a'])
        if op in ('-A', '-E'):
            lines.append('%s %s -s %s' % (op, svc, rng.choice(['rr', 'wrr', 'wlc'])))
        elif op == '-D':
            lines.append('-D %s' % svc)
        elif op == '-C':
            lines.append('-C')
        elif op == '-d':
            lines.append('-d %s -r %s:%d' % (svc, rip, port))
        else:
            lines.append('%s %s -r %s:%d -g -w %d' % (op, svc, rip, port, rng.randint(0, 3)))
    return lines


def replay_both(table: Table, lines):
    """Apply *lines* one by one with both implementations; a refused line is skipped by both alike."""
    new, ref = table, table
    for line in lines:
        cmds = P.parse_rules(line)
        try:
            expected = reference_apply(ref, cmds)
        except IPVSError as exc:
            with pytest.raises(IPVSError) as err:
                P.apply_commands(new, cmds)
            assert str(err.value) == str(exc)
            continue
        new = P.apply_commands(new, cmds)
        ref = expected
        assert new == ref
        assert R.render_table(new) == R.render_table(ref)
    return new


@pytest.mark.parametrize('seed', range(20))
def test_apply_commands_matches_the_list_scans(seed):
    rng = random.Random(seed)
    replay_both(Table(), random_lines(rng, 300))


@pytest.mark.parametrize('seed', range(20))
def test_plan_matches_the_list_scans_and_converges(seed):
    rng = random.Random(1000 + seed)
    live = replay_both(Table(), random_lines(rng, 120))
    target = replay_both(Table(), random_lines(rng, 120))
    commands = D.plan(live, target)
    assert commands == reference_plan(live, target)
    after = D.simulate(live, commands)
    assert after == reference_apply(live, P.parse_rules('\n'.join(commands)))
    assert D.plan(after, target) == []


def test_apply_keeps_the_kernel_order_and_shares_nothing():
    live = P.parse_save('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n'
                        '-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 1\n-A -t 10.0.0.2:80 -s rr\n-A -t 10.0.0.3:80 -s rr\n')
    after = D.simulate(live, ['-e -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 5', '-E -t 10.0.0.2:80 -s wrr',
                              '-D -t 10.0.0.1:80', '-A -t 10.0.0.1:80 -s lc',
                              '-a -t 10.0.0.3:80 -r 10.0.1.9:80 -g -w 1'])
    assert R.render_table(after) == ['-A -t 10.0.0.2:80 -s wrr', '-A -t 10.0.0.3:80 -s rr',
                                     '-a -t 10.0.0.3:80 -r 10.0.1.9:80 -g -w 1', '-A -t 10.0.0.1:80 -s lc']
    after = D.simulate(live, ['-e -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 5'])
    assert [d.weight for d in after.services[0].destinations] == [5, 1]
    assert [d.weight for d in live.services[0].destinations] == [1, 1]
    for new, old in zip(after.services, live.services):
        assert new is not old
        assert all(a is not b for a in new.destinations for b in old.destinations)


def test_table_copy_is_deep_and_equal():
    table = P.parse_save('-A -t 10.0.0.1:80 -s sh -b sh-port\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n')
    table.services[0].sched_flags = ['sh-port']  # a list here would be shared by a shallow copy
    clone = table.copy()
    assert clone == table == copy.deepcopy(table)
    assert isinstance(clone.services, KeyedList) and isinstance(clone.services[0].destinations, KeyedList)
    clone.services[0].destinations[0].weight = 7
    clone.services[0].sched_flags.append('sh-fallback')
    clone.services[0].destinations.append(Destination('10.0.1.2', 80))
    assert table.services[0].destinations == [Destination('10.0.1.1', 80)]
    assert table.services[0].sched_flags == ['sh-port']


# --------------------------------------------------------------------------- KeyedList


def test_keyed_list_finds_the_first_and_follows_every_change():
    a, b, a2 = Destination('10.0.0.1', 80), Destination('10.0.0.2', 80), Destination('10.0.0.1', 80, weight=5)
    items = KeyedList([a, b, a2])
    assert items.find(a.key) is a and items.find(('10.0.0.9', 80)) is None
    c = Destination('10.0.0.3', 80)
    items.append(c)
    assert items.find(c.key) is c
    items[0] = Destination('10.0.0.4', 80)
    assert items.find(a.key) is a2
    del items[2]
    assert items.find(a.key) is None
    items.insert(0, a)
    assert items.find(a.key) is a
    items.remove(a)
    assert items.find(a.key) is None
    items.extend([a])
    assert items.find(a.key) is a
    assert items.pop() is a and items.find(a.key) is None
    items += [a]
    assert items.find(a.key) is a
    items[:] = [b]
    assert items.find(a.key) is None and items.find(b.key) is b
    items.clear()
    assert items.find(b.key) is None
    items.append(a)
    a.port = 81  # a key edited in place is still found under its new key
    assert items.find((a.address, 81)) is a and items.find((a.address, 80)) is None
    assert KeyedList([b]) == [b] and isinstance(copy.copy(KeyedList([b])), KeyedList)
    deep = copy.deepcopy(KeyedList([b]))
    assert isinstance(deep, KeyedList) and deep == [b] and deep[0] is not b and deep.find(b.key) == b


def test_plain_lists_are_still_searched():
    svc = Service('tcp', address='10.0.0.1', port=80, destinations=[Destination('10.0.0.2', 80)])
    table = Table(services=[svc])
    assert table.find(svc.key) is svc and svc.find(('10.0.0.2', 80)) is svc.destinations[0]
    assert table.find(('tcp', '10.0.0.9', 80)) is None


# --------------------------------------------------------------------------- linear time


def big_save(services: int, dests: int = 2) -> str:
    lines = []
    for i in range(services):
        vip = '10.%d.%d.1:80' % (i // 250, i % 250)
        lines.append('-A -t %s -s wrr' % vip)
        lines.extend('-a -t %s -r 192.168.%d.%d:80 -g -w 1' % (vip, j, i % 250 + 1) for j in range(dests))
    return ''.join(line + '\n' for line in lines)


def big_config(services: int, dests: int = 2):
    return [{'address': '10.%d.%d.1' % (i // 250, i % 250), 'port': 80, 'scheduler': 'wrr',
             'destinations': [{'address': '192.168.%d.%d' % (j, i % 250 + 1)} for j in range(dests)]}
            for i in range(services)]


def key_calls(monkeypatch, func) -> int:
    """How many times func() reads Service.key (the old list scans read it n*n/2 times per parse)."""
    calls = [0]
    prop = M.Service.key

    def counted(self):
        calls[0] += 1
        return prop.fget(self)

    monkeypatch.setattr(M.Service, 'key', property(counted))
    try:
        func()
    finally:
        monkeypatch.setattr(M.Service, 'key', prop)
    return calls[0]


@pytest.mark.parametrize('name', ['parse_save', 'simulate', 'plan_new', 'plan_same', 'merged', 'replaced',
                                  'overridden', 'deleted'])
def test_engine_is_linear(monkeypatch, name):
    def work(n):
        save, config = big_save(n), big_config(n)
        full = P.parse_save(save)
        return {
            'parse_save': lambda: P.parse_save(save),
            'simulate': lambda: D.simulate(Table(), R.render_table(full)),
            'plan_new': lambda: D.plan(Table(), full),
            'plan_same': lambda: D.plan(full, full.copy()),
            'merged': lambda: D.target_for_rules(full, config, 'merged'),
            'replaced': lambda: D.target_for_rules(full, config, 'replaced'),
            'overridden': lambda: D.target_for_rules(full, config, 'overridden'),
            'deleted': lambda: D.target_for_rules(full, config[::2], 'deleted'),
        }[name]

    small = key_calls(monkeypatch, work(250))
    large = key_calls(monkeypatch, work(1000))
    assert large <= 5 * max(small, 1), (small, large)  # quadratic would be 16 times


def test_big_table_round_trip():
    save = big_save(1000, 10)
    table = P.parse_save(save)
    assert R.render_text(R.render_table(table)) == save
    target = D.target_for_rules(table, big_config(1000, 10), 'overridden')
    assert D.plan(table, target) == []
    assert D.plan(Table(), target) == save.splitlines()
