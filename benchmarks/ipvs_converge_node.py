# SPDX-License-Identifier: GPL-3.0-or-later
"""Node side of benchmarks/ipvs_converge.py: runs on a lab node (Python 3.11 stdlib only).

    python3 ipvs_converge_node.py setup  NETNS          # create NETNS with a dummy interface and routes
    ip netns exec NETNS python3 ipvs_converge_node.py run  [options]   # measure, print JSON last
    python3 ipvs_converge_node.py cleanup NETNS         # delete NETNS
    (ip netns exec NETNS python3 ipvs_converge_node.py breakdown ARGS.json: one phase-timed module run;
    ``run`` calls it)

``run`` must execute inside the namespace: every ipvsadm call and every module run it times then
works on that namespace's private IPVS table.  PYTHONPATH must hold the shipped copy of the
collection (ansible_collections/lvs/cluster/plugins) and of ansible.module_utils.
Progress goes to stderr; the last stdout line is one JSON document with every measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import statistics
import subprocess
import sys
import time

MODULE = 'ansible_collections.lvs.cluster.plugins.modules.ipvs_rules'


def log(msg: str) -> None:
    sys.stderr.write('[node %7.1fs] %s\n' % (time.monotonic() - START, msg))
    sys.stderr.flush()


START = time.monotonic()


def sh(cmd: list[str], data: str | None = None, check: bool = True,
       timeout: float = 300) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, input=data, capture_output=True, text=True, check=False, timeout=timeout)
    if check and res.returncode != 0:
        raise RuntimeError('%s failed (rc=%d): %s'
                           % (' '.join(cmd), res.returncode, (res.stderr or res.stdout)[-2000:]))
    return res


# --------------------------------------------------------------------------- namespace

def setup(ns: str) -> None:
    sh(['ip', 'netns', 'del', ns], check=False)
    sh(['ip', 'netns', 'add', ns])
    for cmd in (['ip', 'link', 'set', 'lo', 'up'],
                ['ip', 'link', 'add', 'dummy0', 'type', 'dummy'],
                ['ip', 'link', 'set', 'dummy0', 'up'],
                # real servers are 10.201.0.0/16; IPv4 real servers need a route ("address not unicast")
                ['ip', 'addr', 'add', '10.201.255.254/16', 'dev', 'dummy0'],
                ['ip', 'route', 'add', 'default', 'dev', 'dummy0']):
        sh(['ip', 'netns', 'exec', ns, *cmd])
    if not os.path.exists('/proc/net/ip_vs'):
        sh(['modprobe', 'ip_vs'])


def cleanup(ns: str) -> None:
    sh(['ip', 'netns', 'del', ns], check=False)


# --------------------------------------------------------------------------- the rule set

def vip(i: int) -> str:
    return '10.200.%d.%d' % (i // 250, i % 250 + 1)


def rip(i: int, j: int) -> str:
    return '10.201.%d.%d' % (i // 25, (i % 25) * 10 + j + 1)


def rule_lines(services: int, dests: int) -> list[str]:
    """The rules as ipvsadm -R lines, in the same form ipvsadm -Sn prints them."""
    lines = []
    for i in range(services):
        lines.append('-A -t %s:80 -s wrr' % vip(i))
        lines.extend('-a -t %s:80 -r %s:80 -g -w %d' % (vip(i), rip(i, j), j + 1) for j in range(dests))
    return lines


def module_config(services: int, dests: int) -> list[dict]:
    return [{'address': vip(i), 'port': 80, 'scheduler': 'wrr',
             'destinations': [{'address': rip(i, j), 'weight': j + 1} for j in range(dests)]}
            for i in range(services)]


# --------------------------------------------------------------------------- helpers

def clear() -> None:
    sh(['ipvsadm', '-C'])


def saved() -> list[str]:
    return sh(['ipvsadm', '-Sn']).stdout.splitlines()


def timed(cmd: list[str], data: str | None = None, timeout: float = 300) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.monotonic()
    res = sh(cmd, data=data, check=False, timeout=timeout)
    return time.monotonic() - t0, res


def run_module(args_path: str, timeout: float = 300) -> tuple[float, dict]:
    secs, res = timed([sys.executable, '-m', MODULE, args_path], timeout=timeout)
    try:
        out = json.loads(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError('module printed no JSON (rc=%d): %s %s'
                           % (res.returncode, res.stdout[-2000:], res.stderr[-2000:])) from None
    if res.returncode != 0 or out.get('failed'):
        raise RuntimeError('module failed (rc=%d): %s' % (res.returncode, out.get('msg', res.stderr[-2000:])))
    return secs, out


def median(values: list[float]) -> float:
    return statistics.median(values)


# --------------------------------------------------------------------------- in-process phase breakdown

class Phases:
    """Wrap functions with inclusive wall-clock timers (name -> [seconds, calls])."""

    def __init__(self):
        self.data: dict[str, list] = {}
        self.undo: list[tuple] = []

    def wrap(self, owner, attr: str, label: str) -> None:
        orig = getattr(owner, attr)
        data = self.data.setdefault(label, [0.0, 0])

        @functools.wraps(orig)
        def wrapper(*args, **kwargs):
            t0 = time.monotonic()
            try:
                return orig(*args, **kwargs)
            finally:
                data[0] += time.monotonic() - t0
                data[1] += 1

        setattr(owner, attr, wrapper)
        self.undo.append((owner, attr, orig))

    def restore(self) -> None:
        for owner, attr, orig in reversed(self.undo):
            setattr(owner, attr, orig)
        self.undo = []


def breakdown(args_bytes: bytes) -> dict:
    """Run the module's main() in this (fresh) process with phase timers; return phases and total."""
    from ansible.module_utils import basic
    from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model, ipvs_netlink, ipvs_runner, ipvs_tasks
    from ansible_collections.lvs.cluster.plugins.modules import ipvs_rules

    ph = Phases()
    wraps = [
        (basic.AnsibleModule, '__init__', 'AnsibleModule() argument parsing/validation'),
        (ipvs_tasks, 'config_services', 'config_services (pre-validation of config)'),
        (ipvs_runner.IPVSHost, 'ensure', 'IPVSHost.ensure'),
        (ipvs_runner.IPVSHost, 'read_table', 'read_table (netlink; ipvsadm listings as fallback), total'),
        (ipvs_netlink, 'read_table', '  of which: netlink dump + decode'),
        (ipvs_runner, 'parse_save', '  of which: parse_save (-Sn text -> Table, fallback)'),
        (ipvs_runner, 'merge_thresholds', '  of which: merge_thresholds (-Ln --thresholds)'),
        (ipvs_tasks, 'target_for_rules', 'target_for_rules (config -> target Table)'),
        (ipvs_runner, 'plan', 'plan (diff live -> target; called twice when changed)'),
        (ipvs_runner, 'simulate', 'simulate (replay batch on live copy)'),
        (ipvs_runner.IPVSHost, 'check_kernel_modules', 'check_kernel_modules'),
        (ipvs_runner.IPVSHost, 'apply', 'apply (the batch over netlink; ipvsadm -R as fallback), total'),
        (ipvs_runner, 'parse_rules', '  of which: parse_rules (rule lines -> requests)'),
        (ipvs_netlink, 'apply', '  of which: netlink encode + send + answers'),
        (ipvs_runner, 'diff_text', 'diff_text (before/after text for --diff)'),
        (ipvs_model.Table, 'to_list', 'Table.to_list (before/after results)'),
        (ipvs_runner.IPVSHost, 'run', 'run_command (every ipvsadm/modprobe process, in any phase)'),
        (basic.AnsibleModule, 'exit_json', 'exit_json (remove_values + JSON dump)'),
    ]
    for owner, attr, label in wraps:
        ph.wrap(owner, attr, label)
    procs: dict[str, list] = {}
    orig_run = ipvs_runner.IPVSHost.run

    def run_timed(self, args, *rest, **kwargs):
        t0 = time.monotonic()
        try:
            return orig_run(self, args, *rest, **kwargs)
        finally:
            entry = procs.setdefault(' '.join([os.path.basename(args[0]), *args[1:3]]), [0.0, 0])
            entry[0] += time.monotonic() - t0
            entry[1] += 1

    ipvs_runner.IPVSHost.run = run_timed  # inside the Phases wrapper installed above
    basic._ANSIBLE_ARGS = args_bytes
    basic._ANSIBLE_PROFILE = 'legacy'
    out = io.StringIO()
    t0 = time.monotonic()
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            ipvs_rules.main()
    finally:
        total = time.monotonic() - t0
        ipvs_runner.IPVSHost.run = orig_run
        ph.restore()
        basic._ANSIBLE_ARGS = None
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    if result.get('failed'):
        raise RuntimeError('in-process module run failed: %s' % result.get('msg'))
    return {'total': total, 'changed': result.get('changed'),
            'phases': [(label, *ph.data[label]) for _o, _a, label in wraps],
            'processes': [(name, *v) for name, v in procs.items()]}


# --------------------------------------------------------------------------- the measurement

def measure(opts) -> dict:
    deadline = START + opts.budget
    lines = rule_lines(opts.services, opts.dests)
    nrules = len(lines)
    text = '\n'.join(lines) + '\n'
    work = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'work')
    os.makedirs(work, exist_ok=True)
    args_empty = os.path.join(work, 'args.json')
    args_bytes = json.dumps({'ANSIBLE_MODULE_ARGS': {
        'state': 'overridden', 'config': module_config(opts.services, opts.dests)}}).encode()
    with open(args_empty, 'wb') as f:
        f.write(args_bytes)
    res: dict = {'services': opts.services, 'dests': opts.dests, 'rules': nrules, 'reps': opts.reps,
                 'kernel': os.uname().release, 'python': sys.version.split()[0],
                 'ipvsadm': sh(['ipvsadm', '--version']).stdout.strip(), 'checks': []}

    def check(ok: bool, what: str) -> None:
        res['checks'].append([bool(ok), what])
        if not ok:
            raise RuntimeError('check failed: ' + what)

    # warm-up: compile the bytecode of the shipped tree once (AnsiballZ ships .py too, but a one-time
    # compile is not what we want to time) and load ip_vs_wrr
    clear()
    warm = os.path.join(work, 'warm.json')
    with open(warm, 'w') as f:
        json.dump({'ANSIBLE_MODULE_ARGS': {'state': 'overridden', 'config': module_config(1, 1)}}, f)
    run_module(warm)
    clear()
    log('warm-up done; %d rules' % nrules)

    rules_path = os.path.join(work, 'rules.txt')
    sub_services = min(opts.per_rule_services, opts.services)
    subset = rule_lines(sub_services, opts.dests)
    with open(rules_path, 'w') as f:
        f.write('\n'.join(subset) + '\n')
    loop = 'while read -r l; do ipvsadm $l || exit 1; done < "$1"'

    # Each round runs 1. raw restore, 2. module from empty, 3. module no-change rerun and 4. the
    # per-rule loop back to back, so that load from other lab users hits all four alike and the
    # ratios of one round stay comparable; a round is skipped when the time budget cannot hold it.
    raw: list[float] = []
    empty: list[float] = []
    nochange: list[float] = []
    per_rule: list[float] = []
    reference: list[str] = []
    for rnd in range(opts.reps):
        t_round = time.monotonic()
        # 1. baseline: ipvsadm -C; ipvsadm -R < rules
        clear()
        secs, r = timed(['ipvsadm', '-R'], data=text)
        if r.returncode != 0 or r.stderr.strip():
            raise RuntimeError('ipvsadm -R failed: %s' % r.stderr[-2000:])
        raw.append(secs)
        table = sorted(saved())
        check(len(table) == nrules, 'raw restore: ipvsadm -Sn has %d lines' % len(table))
        if not reference:
            reference = table
        check(table == reference, 'raw restore: same table every round')
        # 2. module from empty
        clear()
        secs, out = run_module(args_empty)
        empty.append(secs)
        ncmd = len(out.get('commands', []))
        check(out.get('changed') is True, 'module from empty: changed=%s' % out.get('changed'))
        check(ncmd == nrules, 'module from empty: %d commands' % ncmd)
        check(out.get('table_writer') == 'netlink' and not out.get('warnings'),
              'module from empty: written over %s%s' % (out.get('table_writer'), ''.join(
                  ' (%s)' % w for w in out.get('warnings') or [])))
        table = sorted(saved())
        check(len(table) == nrules, 'module from empty: ipvsadm -Sn has %d lines' % len(table))
        check(table == reference, 'module from empty: table identical to the raw restore')
        # 3. no-change rerun on the converged table
        secs, out = run_module(args_empty)
        nochange.append(secs)
        check(out.get('changed') is False, 'no-change rerun: changed=%s' % out.get('changed'))
        check(out.get('commands') == [], 'no-change rerun: no commands')
        check(sorted(saved()) == reference, 'no-change rerun: table unchanged')
        # 4. one ipvsadm process per rule (the first sub_services services)
        clear()
        secs, r = timed(['sh', '-c', loop, 'loop', rules_path], timeout=max(30.0, deadline - time.monotonic()))
        if r.returncode != 0:
            raise RuntimeError('per-rule loop failed: %s' % r.stderr[-2000:])
        per_rule.append(secs)
        count = len(saved())
        check(count == len(subset), 'per-rule loop: ipvsadm -Sn has %d lines (%d rules)' % (count, len(subset)))
        t_round = time.monotonic() - t_round
        log('round %d (%.0f s): raw %.3f s, module from empty %.3f s, no-change %.3f s, per-rule %d rules %.3f s'
            % (rnd + 1, t_round, raw[-1], empty[-1], nochange[-1], len(subset), per_rule[-1]))
        if rnd + 1 < opts.reps and deadline - time.monotonic() < t_round * 1.3 + opts.reserve:
            log('time budget: stopping after %d round(s)' % (rnd + 1))
            break
    res['reps'] = len(raw)
    res['raw'] = raw
    res['module_empty'] = empty
    res['module_nochange'] = nochange
    res['per_rule'] = {'rules': len(subset), 'times': per_rule, 'extrapolated': len(subset) != nrules,
                       'full': [t * nrules / len(subset) for t in per_rule]}

    # ipvsadm listings of the full table alone (the floor of any read of the live table)
    clear()
    sh(['ipvsadm', '-R'], data=text)
    res['save'] = [timed(['ipvsadm', '-Sn'])[0] for _ in range(opts.reps)]
    res['thresholds'] = [timed(['ipvsadm', '-Ln', '--thresholds'])[0] for _ in range(opts.reps)]
    # interpreter start + imports of the module (part of every module run)
    res['startup'] = [timed([sys.executable, '-c', 'import %s' % MODULE])[0] for _ in range(opts.reps)]

    # phase breakdown of one from-empty run and one no-change run, each in a fresh process like a module
    # run; optional (skipped, and said so, when the time budget is short)
    res['skipped'] = []
    me = os.path.abspath(__file__)

    def fresh(key: str, estimate: float) -> None:
        left = deadline - time.monotonic()
        if left < estimate * 1.5:
            res['skipped'].append('%s (needs ~%.0f s, %.0f s left in the budget)' % (key, estimate, left))
            return
        try:
            r = sh([sys.executable, me, 'breakdown', args_empty], timeout=left)
        except subprocess.TimeoutExpired:
            res['skipped'].append('%s (timed out after %.0f s)' % (key, left))
            return
        res[key] = json.loads(r.stdout.strip().splitlines()[-1])

    if not opts.no_breakdown:
        clear()
        fresh('breakdown_empty', median(empty) * 1.3)
        if 'breakdown_empty' in res:
            fresh('breakdown_nochange', median(nochange) * 1.3)
        if 'breakdown_nochange' in res:
            check(res['breakdown_empty']['changed'] is True and res['breakdown_nochange']['changed'] is False,
                  'phase-timed runs: changed true, then false')
        log('breakdown done')
    clear()
    return res


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='cmd', required=True)
    sub.add_parser('setup').add_argument('netns')
    sub.add_parser('cleanup').add_argument('netns')
    run = sub.add_parser('run')
    run.add_argument('--services', type=int, default=1000)
    run.add_argument('--dests', type=int, default=10)
    run.add_argument('--reps', type=int, default=3)
    run.add_argument('--per-rule-services', type=int, default=50,
                     help='services in the per-rule subset (extrapolated when smaller than --services)')
    run.add_argument('--budget', type=float, default=480, help='seconds for the whole run')
    run.add_argument('--reserve', type=float, default=90, help='seconds kept for the breakdown after the rounds')
    run.add_argument('--no-breakdown', action='store_true')
    brk = sub.add_parser('breakdown', help='one phase-timed in-process module run (needs the netns)')
    brk.add_argument('args_json')
    opts = parser.parse_args()
    if opts.cmd == 'breakdown':
        with open(opts.args_json, 'rb') as f:
            print(json.dumps(breakdown(f.read())))
    elif opts.cmd == 'setup':
        setup(opts.netns)
    elif opts.cmd == 'cleanup':
        cleanup(opts.netns)
    else:
        print(json.dumps(measure(opts)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
