# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side micro-benchmark of the IPVS engine on a big table (not a test; prints timings).

Usage: .venv/bin/python benchmarks/engine_parse_plan.py [PLUGINS_DIR] [--services N] [--dests M] [--repeat R]

PLUGINS_DIR is the plugins/ tree to measure (default: this checkout's plugins/); point it at a
copy of an older tree (e.g. /tmp/orig_plugins) to compare.  The table has N services x M real
servers in the exact ``ipvsadm -Sn`` format of tests/unit/fixtures; the module run goes through
tests/unit/ipvs_harness.py with the ipvsadm outputs canned (no host is touched).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / 'tests' / 'unit'  # the unit-test harness and fixtures


def setup_collection(plugins: Path) -> Path:
    """A throw-away collections root whose lvs/cluster/plugins is *plugins*."""
    tree = Path(tempfile.mkdtemp(prefix='perf_ipvs_'))
    coll = tree / 'ansible_collections' / 'lvs' / 'cluster'
    coll.mkdir(parents=True)
    (coll / 'plugins').symlink_to(plugins.resolve(), target_is_directory=True)
    sys.path.insert(0, str(tree))
    sys.path.insert(0, str(HERE))
    return tree


def build_texts(nsvc: int, ndest: int):
    save, listing, config = [], [], []
    listing.append('IP Virtual Server version 1.2.1 (size=4096)')
    listing.append('Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ')
    listing.append('  -> RemoteAddress:Port')
    for i in range(nsvc):
        vip = '10.%d.%d.1' % (i // 250, i % 250)
        save.append('-A -t %s:80 -s wrr' % vip)
        listing.append('TCP  %s:80 wrr' % vip)
        dests = []
        for j in range(ndest):
            rip = '192.168.%d.%d' % (j, i % 250 + 1)
            save.append('-a -t %s:80 -r %s:80 -g -w 1' % (vip, rip))
            listing.append('  -> %-28s %-10d %-10d %-10d %-10d' % ('%s:80' % rip, 0, 0, 0, 0))
            dests.append({'address': rip, 'weight': 1})
        config.append({'address': vip, 'port': 80, 'scheduler': 'wrr', 'destinations': dests})
    header = '\n'.join(listing[:3]) + '\n'
    return '\n'.join(save) + '\n', '\n'.join(listing) + '\n', header, config


def best(func, repeat: int):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('plugins', nargs='?', default=str(ROOT / 'plugins'))
    parser.add_argument('--services', type=int, default=1000)
    parser.add_argument('--dests', type=int, default=10)
    parser.add_argument('--repeat', type=int, default=3)
    opts = parser.parse_args()
    setup_collection(Path(opts.plugins))

    from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_diff as D
    from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_parse as P
    from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as R
    from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_runner
    from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import Table
    from ansible_collections.lvs.cluster.plugins.modules import ipvs_rules
    from ipvs_harness import FakeIPVS, run_module

    save, listing, header, config = build_texts(opts.services, opts.dests)
    lines = save.count('\n')
    print('plugins: %s' % Path(opts.plugins).resolve())
    print('table: %d services x %d real servers = %d -Sn lines' % (opts.services, opts.dests, lines))
    rows = []

    def row(name, seconds):
        rows.append((name, seconds))
        print('  %-38s %8.3f s' % (name, seconds))

    sec, full = best(lambda: P.parse_save(save), opts.repeat)
    row('parse_save', sec)
    sec, _ = best(lambda: P.merge_thresholds(P.parse_save(save), listing), opts.repeat)
    row('parse_save + merge_thresholds', sec)
    sec, target = best(lambda: D.target_for_rules(Table(), config, 'overridden'), opts.repeat)
    row('target_for_rules overridden', sec)
    sec, commands = best(lambda: D.plan(Table(), target), opts.repeat)
    row('plan empty -> full (%d cmds)' % len(commands), sec)
    sec, same = best(lambda: D.plan(full, target), opts.repeat)
    assert same == [], same[:3]
    row('plan full -> full', sec)
    sec, merged = best(lambda: D.target_for_rules(full, config, 'merged'), opts.repeat)
    assert D.plan(full, merged) == []
    row('target_for_rules merged (live full)', sec)
    sec, predicted = best(lambda: D.simulate(Table(), commands), opts.repeat)
    assert R.render_table(predicted) == R.render_table(full)
    row('simulate empty + full batch', sec)
    sec, _ = best(lambda: D.simulate(full, []), opts.repeat)
    row('simulate full + no commands', sec)
    sec, rendered = best(lambda: R.render_text(R.render_table(full)), opts.repeat)
    assert rendered == save
    row('render_table + render_text', sec)

    tmp = Path(tempfile.mkdtemp(prefix='perf_ipvs_kernel_'))
    (tmp / 'ip_vs').write_text('IP Virtual Server version 1.2.1 (size=4096)\n')
    (tmp / 'module' / 'ip_vs_wrr').mkdir(parents=True)
    ipvs_runner.PROC_IP_VS = str(tmp / 'ip_vs')
    ipvs_runner.SYS_MODULE = str(tmp / 'module')
    empty_state = {'-Sn': '', '-Ln --thresholds': header}
    full_state = {'-Sn': save, '-Ln --thresholds': listing}
    args = {'state': 'overridden', 'config': config}

    def module_run(states, check_mode=False, diff=False):
        fake = FakeIPVS([dict(s) for s in states])
        res = run_module(ipvs_rules.main, args, fake, check_mode=check_mode, diff=diff)
        assert not res.get('failed'), res.get('msg')
        return res, fake

    for name, states, check, diff in (
            ('main() from empty', [empty_state, full_state], False, False),
            ('main() from empty, diff mode', [empty_state, full_state], False, True),
            ('main() from empty, check mode', [empty_state], True, False),
            ('main() no change', [full_state], False, False),
            ('main() no change, diff mode', [full_state], False, True)):
        sec, (res, fake) = best(lambda s=states, c=check, d=diff: module_run(s, c, d), opts.repeat)
        reads = sum(1 for c in fake.commands() if c.startswith('-L') or c.startswith('-S'))
        row('%s (%d ipvsadm reads)' % (name, reads), sec)
        assert res['changed'] is (states[0] is empty_state)
    print('total %.3f s' % sum(s for _n, s in rows))


if __name__ == '__main__':
    main()
