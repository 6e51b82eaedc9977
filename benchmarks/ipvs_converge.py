#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the IPVS engine on the lab kernel: 1,000 services x 10 real servers.

Run from the project root, as root, while the lab is up:

    python3 benchmarks/ipvs_converge.py [--node realserver2] [--reps 3]

Compares, in ONE run on the node and inside a private network namespace (``lvsbench``; IPVS
tables are per namespace, so the node's own table and keepalived are never touched):

1. baseline: ``ipvsadm -C`` then ``ipvsadm -R < rules`` of the 11,000 rules;
2. ``lvs.cluster.ipvs_rules`` state=overridden converging the same rules from an empty table, executed
   on the node the way Ansible runs a new-style module (``python3 -m ...ipvs_rules ARGS.json`` with
   the collection and ansible.module_utils on PYTHONPATH), without Ansible's transport;
3. the same module call again on the converged table (no change);
4. one ``ipvsadm`` process per rule from a shell loop, on the first --per-rule-services services
   (default 50, i.e. 550 rules, ~15 s on the lab) and extrapolated linearly to the full set: all
   11,000 rules take ~270 s per run on the lab kernel, too long for three rounds in 10 minutes.
   Pass --per-rule-services 1000 --reps 1 to measure the full loop once.

The four measurements run back to back in each round so that load from other lab users hits them
alike; ratios are of the medians, and the ratio of each round is printed too.

Times are taken on the node (time.monotonic around each command) and exclude SSH.  The script prints
medians, ratios against the baseline of the same run, whether each target is met, and a phase
breakdown of the module (in-process timers).  It exits non-zero only on an error, never on a
missed target.  The namespace and the copied files are removed at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import shlex
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit import config, uml  # noqa: E402

NETNS = 'lvsbench'
REMOTE = '/tmp/lvsbench'
NODE_SCRIPT = Path(__file__).resolve().parent / 'ipvs_converge_node.py'
TOTAL_TIMEOUT = 570  # seconds; the whole script must end in under 10 minutes

# targets of the spec
TARGET_RAW_RATIO = 1.0  # the module from empty beats ipvsadm -R itself (both over generic netlink)
# no-change rerun / floor, both of the same run: the floor is what any module run pays before doing
# anything (python3 start + import of the module) plus one listing of the table (ipvsadm -Sn)
TARGET_NOCHANGE_FLOOR_RATIO = 1.5
TARGET_PER_RULE_RATIO = 20.0


def ansible_module_utils() -> Path:
    """ansible.module_utils of the project's virtualenv (or of this interpreter)."""
    for path in sorted((ROOT / '.venv' / 'lib').glob('python3*/site-packages/ansible/module_utils')):
        if (path / 'basic.py').exists():
            return path
    try:
        import ansible.module_utils
    except ImportError:
        raise SystemExit('ansible-core not found: create the virtualenv (.venv) first') from None
    return Path(ansible.module_utils.__file__).resolve().parent


def bundle() -> bytes:
    """tar of the collection's plugins/, ansible.module_utils (with a minimal ansible package) and the driver."""

    def skip_cache(info: tarfile.TarInfo):
        return None if '__pycache__' in info.name.split('/') else info

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        tar.add(str(ROOT / 'plugins'), arcname='lib/ansible_collections/lvs/cluster/plugins', filter=skip_cache)
        tar.add(str(ansible_module_utils()), arcname='lib/ansible/module_utils', filter=skip_cache)
        # the real ansible/__init__.py pulls in the controller's vendored packages; modules need none of that
        init = b'# minimal package for running modules outside AnsiballZ\n'
        info = tarfile.TarInfo('lib/ansible/__init__.py')
        info.size = len(init)
        tar.addfile(info, io.BytesIO(init))
        tar.add(str(NODE_SCRIPT), arcname='ipvs_converge_node.py')
    return buf.getvalue()


class Node:
    def __init__(self, name: str):
        self.name = name
        key = config.CACHE / 'ssh' / 'id_ed25519'
        if not key.exists():
            raise SystemExit('no lab SSH key at %s: is the lab set up (./lab up)?' % key)
        self.key = key
        self.addr = config.node(name).addr('private')

    def run(self, command: str, timeout: float, data: bytes | None = None, stream_stderr: bool = False) -> str:
        cmd = uml.ssh_cmd(self.key, self.addr, 'timeout %d sh -c %s' % (int(timeout), shlex.quote(command)))
        res = subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                             stderr=None if stream_stderr else subprocess.PIPE, timeout=timeout + 30, check=False)
        if res.returncode != 0:
            err = '' if stream_stderr else res.stderr.decode(errors='replace')[-3000:]
            raise RuntimeError('on %s: %r failed (rc=%d)%s' % (self.name, command, res.returncode,
                                                                 ': ' + err if err else ''))
        return res.stdout.decode(errors='replace')


def fmt(secs: float) -> str:
    return '%8.3f s' % secs


def report(r: dict) -> None:
    med = statistics.median
    raw = med(r['raw'])
    empty = med(r['module_empty'])
    nochange = med(r['module_nochange'])
    pr = r['per_rule']
    per_rule = med(pr['full'])
    extra = ' (extrapolated)' if pr['extrapolated'] else ''

    print()
    print('IPVS engine benchmark: %d services x %d real servers = %d rules, kernel %s, %s, python %s'
          % (r['services'], r['dests'], r['rules'], r['kernel'], r['ipvsadm'].split(' (')[0], r['python']))
    print('node %s, network namespace %s; %d round(s) of 1-4 back to back, medians; timed on the node (no SSH)'
          % (r['node'], NETNS, r['reps']))
    print()
    print('%-58s %10s   %s' % ('measurement', 'median', 'each round'))

    def row(label: str, value: float, runs: list[float], note: str = '') -> None:
        print('%-58s %s   %s%s' % (label, fmt(value), ' '.join('%.3f' % x for x in runs), note))

    row('1. raw: ipvsadm -C; ipvsadm -R < rules', raw, r['raw'])
    row('2. ipvs_rules overridden, from empty', empty, r['module_empty'])
    row('3. ipvs_rules overridden, no-change rerun', nochange, r['module_nochange'])
    if pr['extrapolated']:
        row('4. one ipvsadm per rule, %d-rule subset (measured)' % pr['rules'], med(pr['times']), pr['times'])
        row('   one ipvsadm per rule, %d rules, EXTRAPOLATED' % r['rules'], per_rule, pr['full'],
            '  (linear, x %d/%d)' % (r['rules'], pr['rules']))
    else:
        row('4. one ipvsadm per rule, shell loop', per_rule, pr['times'])
    print('%-58s %s' % ('   for reference: ipvsadm -Sn of the full table', fmt(med(r['save']))))
    print('%-58s %s' % ('   for reference: ipvsadm -Ln --thresholds, full table', fmt(med(r['thresholds']))))
    print('%-58s %s' % ('   for reference: python3 start + import of the module', fmt(med(r['startup']))))
    print('%-58s %s' % ('   floor of a no-change run: the two lines above', fmt(med(
        [st + sv for st, sv in zip(r['startup'], r['save'])]))))
    print()
    rounds_raw = [e / w for e, w in zip(r['module_empty'], r['raw'])]
    floors = [st + sv for st, sv in zip(r['startup'], r['save'])]
    floor = med(floors)
    rounds_floor = [n / f for n, f in zip(r['module_nochange'], floors)]
    rounds_pr = [p / e for p, e in zip(pr['full'], r['module_empty'])]
    checks = [
        ('module from empty / raw restore', empty / raw, 'x', '<= %.1fx' % TARGET_RAW_RATIO,
         empty / raw <= TARGET_RAW_RATIO, rounds_raw),
        ('no-change rerun / floor (start + import + ipvsadm -Sn)', nochange / floor, 'x',
         '<= %.1fx' % TARGET_NOCHANGE_FLOOR_RATIO, nochange / floor <= TARGET_NOCHANGE_FLOOR_RATIO, rounds_floor),
        ('per-rule calls / module from empty' + extra, per_rule / empty, 'x', '>= %.0fx' % TARGET_PER_RULE_RATIO,
         per_rule / empty >= TARGET_PER_RULE_RATIO, rounds_pr),
    ]
    print('%-58s %10s   %-9s %-4s %s' % ('target (ratios: of the medians)', 'actual', 'target', 'met', 'each round'))
    for label, value, unit, target, met, rounds in checks:
        print('%-58s %8.2f%-2s   %-9s %-4s %s' % (label, value, unit, target, 'yes' if met else 'NO',
                                                  ' '.join('%.2f' % x for x in rounds)))
    print()
    seen: dict[str, int] = {}
    for _ok, what in r['checks']:
        seen[what] = seen.get(what, 0) + 1
    print('verified: ' + '; '.join(what + (' (x%d)' % n if n > 1 else '') for what, n in seen.items()))
    for key, title in (('breakdown_empty', 'from empty'), ('breakdown_nochange', 'no-change rerun')):
        b = r.get(key)
        if not b:
            continue
        print()
        print('module phases, %s (main() of one phase-timed run in a fresh process, inclusive wall time; '
              'total %.3f s, without interpreter start/imports):' % (title, b['total']))
        for label, secs, calls in b['phases']:
            if calls:
                print('  %-66s %8.3f s  %3d call%s' % (label, secs, calls, '' if calls == 1 else 's'))
        for name, secs, calls in b['processes']:
            print('  %-66s %8.3f s  %3d call%s' % ('    process: ' + name, secs, calls, '' if calls == 1 else 's'))
    for what in r.get('skipped', []):
        print('skipped: %s' % what)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--node', default='realserver2')
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--services', type=int, default=1000)
    parser.add_argument('--dests', type=int, default=10)
    parser.add_argument('--per-rule-services', type=int, default=50,
                        help='services of the per-rule loop (extrapolated when fewer than --services)')
    parser.add_argument('--json', action='store_true', help='print the raw measurements as JSON too')
    opts = parser.parse_args()

    started = time.monotonic()
    node = Node(opts.node)
    sys.stderr.write('copying the collection and ansible.module_utils to %s:%s\n' % (opts.node, REMOTE))
    node.run('rm -rf %s && mkdir -p %s && tar -xz -C %s' % (REMOTE, REMOTE, REMOTE), 60, data=bundle())
    try:
        node.run('python3 %s/ipvs_converge_node.py setup %s' % (REMOTE, NETNS), 60)
        budget = TOTAL_TIMEOUT - (time.monotonic() - started) - 40
        args = ['--services', opts.services, '--dests', opts.dests, '--reps', opts.reps,
                '--per-rule-services', opts.per_rule_services, '--budget', int(budget - 20)]
        out = node.run('cd %s && PYTHONPATH=%s/lib ip netns exec %s python3 '
                       'ipvs_converge_node.py run %s' % (REMOTE, REMOTE, NETNS, ' '.join(str(a) for a in args)),
                       budget, stream_stderr=True)
    finally:
        node.run('python3 %s/ipvs_converge_node.py cleanup %s; rm -rf %s' % (REMOTE, NETNS, REMOTE), 60)
    result = json.loads(out.strip().splitlines()[-1])
    result['node'] = opts.node
    report(result)
    if opts.json:
        print()
        print(json.dumps(result))
    sys.stderr.write('\ntotal wall time %.0f s\n' % (time.monotonic() - started))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        sys.stderr.write('ipvs_converge: error: %s\n' % exc)
        sys.exit(1)
