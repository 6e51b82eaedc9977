# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Talk to the host: find IPVS, read the live table, apply the planned changes.

All process calls go through ``AnsibleModule.run_command``.  ipvsadm loads the ip_vs kernel module
on its first call, so even a read would change the host: :meth:`IPVSHost.ensure` checks
``/proc/net/ip_vs`` first and only runs ``modprobe ip_vs`` when allowed (and never in check mode,
where a missing-but-loadable ip_vs simply means an empty table).

``ipvsadm -R`` is not transactional: it stops at the first line it cannot parse, carries on
after lines the kernel refuses, and its exit status is that of the last line.  So every batch is
validated before it is sent, the schedulers it needs are checked with ``modprobe -n`` first, any
output on stderr counts as a failure, and the table is read back to verify it converged.

The table is read over generic netlink when the kernel answers there (one dump with thresholds,
no process, no text), else from ipvsadm's listings; both give the same normalised Table.  Changes go
over generic netlink too, many requests per send (:func:`ipvs_netlink.apply`), else as one
``ipvsadm -R`` batch; either way the module warns when it falls back and returns which way it wrote.
"""

from __future__ import annotations

import errno
import os
import re
from typing import Any, Dict, List, Optional

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_netlink
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as render
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_diff import plan, simulate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import IPVSError, Table
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_parse import (
    RATE_FIELDS,
    STATS_FIELDS,
    merge_thresholds,
    parse_counters,
    parse_daemon,
    parse_rules,
    parse_save,
    parse_timeout,
    parse_version,
)

PROC_IP_VS = '/proc/net/ip_vs'
SYS_MODULE = '/sys/module'
NOT_FOUND = 'Scheduler or persistence engine not found'
# how ipvsadm (libipvs ipvs_strerror) words the kernel's refusals, per kind of request
REFUSALS = {('service', errno.ENOENT): NOT_FOUND, ('service', errno.ESRCH): 'No such service',
            ('service', errno.EEXIST): 'Service already exists', ('server', errno.ESRCH): 'Service not defined',
            ('server', errno.ENOENT): 'No such destination', ('server', errno.EEXIST): 'Destination already exists'}


class IPVSHost:
    """The IPVS state of the managed host, reached through ``module.run_command``."""

    def __init__(self, module, load_module: bool = True, netlink: bool = True):
        self.module = module
        self.load_module = load_module
        self.netlink = netlink
        self.netlink_error: Optional[str] = None
        self.reader = 'netlink' if netlink else 'ipvsadm'  # how the table was last read
        self.writer: Optional[str] = None  # how changes were applied (none yet)
        self._ipvsadm: Optional[str] = None
        self.loaded = False
        self.thresholds_text = ''

    # ------------------------------------------------------------------ helpers
    def fail(self, msg: str, **kwargs: Any) -> None:
        self.module.fail_json(msg=msg, **kwargs)

    @property
    def ipvsadm(self) -> str:
        if self._ipvsadm is None:
            path = self.module.get_bin_path('ipvsadm')
            if not path:
                self.fail('ipvsadm: command not found on the target; install the ipvsadm package')
            self._ipvsadm = path
        return self._ipvsadm

    def run(self, args: List[str], data: Optional[str] = None, check_rc: bool = True):
        kwargs: Dict[str, Any] = {}
        if data is not None:
            kwargs = {'data': data, 'binary_data': True}
        rc, out, err = self.module.run_command(args, **kwargs)
        if check_rc and rc != 0:
            self.fail('%s failed (rc=%d): %s' % (' '.join(args), rc, (err or out).strip()),
                      rc=rc, stdout=out, stderr=err, cmd=' '.join(args))
        return rc, out, err

    def ipvsadm_out(self, *args: str) -> str:
        return self.run([self.ipvsadm, *list(args)])[1]

    # ------------------------------------------------------------------ kernel
    def ensure(self, check_mode: bool = False, may_load: Optional[bool] = None) -> bool:
        """True when the IPVS table can be read; False when ip_vs is absent but loadable in check mode.

        Fails with a clear message when the kernel has no IPVS.
        """
        may_load = self.load_module if may_load is None else may_load
        if os.path.exists(PROC_IP_VS):
            self.loaded = True
            return True
        modprobe = self.module.get_bin_path('modprobe')
        if not may_load or modprobe is None:
            self.fail('The kernel has no IPVS: %s does not exist and %s. Load it with "modprobe ip_vs" '
                      '(CONFIG_IP_VS) or set load_module=true.'
                      % (PROC_IP_VS, 'load_module is false' if not may_load else 'modprobe is not installed'))
        if check_mode:
            rc, out, err = self.run([modprobe, '-n', 'ip_vs'], check_rc=False)
            if rc != 0:
                self.fail('The kernel has no IPVS: %s does not exist and the ip_vs module is not available (%s)'
                          % (PROC_IP_VS, (err or out).strip()))
            return False
        rc, out, err = self.run([modprobe, 'ip_vs'], check_rc=False)
        if rc != 0 or not os.path.exists(PROC_IP_VS):
            self.fail('The kernel has no IPVS: %s does not exist and "modprobe ip_vs" failed (rc=%d): %s'
                      % (PROC_IP_VS, rc, (err or out).strip()))
        self.loaded = True
        return True

    def module_available(self, name: str) -> Optional[str]:
        """None when kernel module *name* is loaded or loadable, else the reason it is not."""
        if os.path.isdir(os.path.join(SYS_MODULE, name)):
            return None
        modprobe = self.module.get_bin_path('modprobe')
        if modprobe is None:
            return None  # cannot tell; let the kernel decide
        rc, out, err = self.run([modprobe, '-n', name], check_rc=False)
        if rc == 0:
            return None
        return (err or out).strip() or 'modprobe -n %s failed' % name

    def check_kernel_modules(self, commands: List[str]) -> None:
        """Fail before applying if a scheduler or persistence engine of the batch is unavailable."""
        needed = []
        for line in commands:
            match = re.search(r' -s (\S+)', line)
            if line.startswith(('-A ', '-E ')) and match and match.group(1) not in needed:
                needed.append(match.group(1))
        problems = []
        for sched in needed:
            reason = self.module_available('ip_vs_%s' % sched)
            if reason is not None:
                problems.append("scheduler: '%s' is not available on this kernel (kernel module ip_vs_%s: %s)"
                                % (sched, sched, reason))
        if any(' --pe sip' in line for line in commands):
            reason = self.module_available('ip_vs_pe_sip')
            if reason is not None:
                problems.append("persistence_engine: 'sip' is not available on this kernel "
                                "(kernel module ip_vs_pe_sip: %s)" % reason)
        if problems:
            self.fail('; '.join(problems), commands=commands)

    # ------------------------------------------------------------------ reading
    def read_table(self, thresholds: bool = True) -> Table:
        """The live table.

        Read over generic netlink (:mod:`ipvs_netlink`: one dump, thresholds included, no process)
        unless this host was created with ``netlink=False`` or netlink failed once; then from
        ``ipvsadm -Sn`` plus ``ipvsadm -Ln --thresholds`` (real-server thresholds are absent from
        ``-Sn``), which *thresholds=False* skips (every threshold is then 0).
        """
        if not self.loaded:
            return Table()
        if self.netlink:
            try:
                return ipvs_netlink.read_table()
            except ipvs_netlink.NetlinkError as exc:
                self.netlink, self.netlink_error, self.reader = False, str(exc), 'ipvsadm'
                # never silently: a broken netlink reader must show in every run that falls back
                self.module.warn('IPVS table read with ipvsadm -Sn: generic netlink failed (%s)' % exc)
        save = self.ipvsadm_out('-Sn')
        if thresholds:
            self.thresholds_text = self.ipvsadm_out('-Ln', '--thresholds')
        try:
            table = parse_save(save)
        except IPVSError as exc:
            self.fail('cannot parse "ipvsadm -Sn" output: %s' % exc, stdout=save)
        return merge_thresholds(table, self.thresholds_text) if thresholds else table

    def read_timeouts(self) -> Dict[str, int]:
        if not self.loaded:
            return {}
        return parse_timeout(self.ipvsadm_out('-Ln', '--timeout'))

    def read_daemons(self) -> List[Dict[str, Any]]:
        if not self.loaded:
            return []
        return parse_daemon(self.ipvsadm_out('-Ln', '--daemon'))

    def read_stats(self):
        return parse_counters(self.ipvsadm_out('-Ln', '--stats', '--exact'), STATS_FIELDS)

    def read_rate(self):
        return parse_counters(self.ipvsadm_out('-Ln', '--rate', '--exact'), RATE_FIELDS)

    def version(self) -> Dict[str, Any]:
        return parse_version(self.thresholds_text)

    # ------------------------------------------------------------------ writing
    def apply(self, commands: List[str]) -> None:
        """Send *commands* over generic netlink, else as ONE ``ipvsadm -R`` batch; fail clearly if any line was
        refused."""
        if not commands:
            return
        self.check_kernel_modules(commands)
        if self.netlink and self._apply_netlink(commands):
            return
        self.writer = 'ipvsadm'
        batch = render.render_text(commands)
        rc, out, err = self.run([self.ipvsadm, '-R'], data=batch, check_rc=False)
        if rc == 0 and not (err or '').strip():
            return
        message = (err or out).strip()
        hint = ''
        if NOT_FOUND in message:
            names = sorted(set(re.findall(r' -s (\S+)', batch)))
            missing = [n for n in names if self.module_available('ip_vs_%s' % n) is not None]
            if missing:
                hint = ' (scheduler %s: kernel module %s not available)' % (
                    ', '.join("'%s'" % n for n in missing), ', '.join('ip_vs_%s' % n for n in missing))
            else:
                hint = ' (scheduler(s) of the batch: %s; persistence engine needs ip_vs_pe_sip)' % ', '.join(names)
        self.fail('ipvsadm -R refused the batch (rc=%d): %s%s. ipvsadm -R is not transactional; lines before '
                  'the failing one may have been applied.' % (rc, message, hint),
                  rc=rc, stdout=out, stderr=err, commands=commands)

    def _apply_netlink(self, commands: List[str]) -> bool:
        """True when COMMANDS went over netlink; False (and a warning) when netlink could send nothing."""
        try:
            refused = ipvs_netlink.apply(parse_rules('\n'.join(commands)))
        except ipvs_netlink.NetlinkError as exc:
            if exc.partial:
                self.fail('IPVS changes over generic netlink failed part-way (%s); the table may be partly changed'
                          % exc, commands=commands)
            self.netlink, self.netlink_error = False, str(exc)
            self.module.warn('IPVS changes applied with ipvsadm -R: generic netlink failed (%s)' % exc)
            return False
        except IPVSError as exc:  # a planning bug, never expected: the plan renders what the parser reads
            self.fail('internal error: the planned batch does not parse: %s' % exc, commands=commands)
        self.writer = 'netlink'
        if refused:
            lines = ['%s: %s' % (cmd.text, REFUSALS.get(('service' if cmd.op.endswith('service') else 'server',
                                                         code), os.strerror(code)))
                     for cmd, code in refused]
            self.fail('the kernel refused %d of the %d changes: %s. The others were applied.'
                      % (len(refused), len(commands), '; '.join(lines)), commands=commands)
        return True


def _only(table: Table, keys=None) -> Table:
    """The services of *table* with *keys* (all when keys is None)."""
    if keys is None:
        return table
    return Table(services=[s for s in table.services if s.key in keys])


def diff_text(table: Table, keys=None) -> str:
    """Rule text of *table* (optionally only the services with *keys*) for diff mode."""
    return render.render_text(render.render_table(_only(table, keys)))


def has_thresholds(table: Table) -> bool:
    """True when a real server of *table* has a non-zero upper or lower threshold."""
    return any(d.upper_threshold or d.lower_threshold for s in table.services for d in s.destinations)


def converge(module, host: IPVSHost, live: Table, target: Table, keys=None) -> Dict[str, Any]:
    """Plan, apply (unless check mode) and verify ``live -> target``.

    Returns ``changed``, ``commands``, ``before``/``after`` tables and the ``diff`` dict (None unless
    diff mode is on).  *keys* limits the diff text to some services (the ones a module manages).

    Check mode predicts the after table by replaying the batch on *live* (:func:`simulate`); a real
    run reads it back from the kernel and verifies it instead.  The read-back skips
    ``ipvsadm -Ln --thresholds`` when neither *live* nor *target* has a threshold: then the batch
    sets none and every threshold of the kernel's table is 0, which is what ``-Sn`` alone gives.
    """
    commands = plan(live, target)
    after = live
    if module.check_mode:
        try:
            after = simulate(live, commands)
        except IPVSError as exc:  # a planning bug, never expected
            module.fail_json(msg='internal error: the planned batch does not replay: %s' % exc, commands=commands)
        if commands:
            host.check_kernel_modules(commands)
    elif commands:
        host.apply(commands)
        after = host.read_table(thresholds=has_thresholds(live) or has_thresholds(target))
        remaining = plan(_only(after, keys), _only(target, keys))
        if remaining:
            module.fail_json(msg='ipvsadm -R reported success but the table did not converge; still needed: %s'
                             % '; '.join(remaining), commands=commands, remaining=remaining)
    diff = None
    if getattr(module, '_diff', False):
        diff = {'before': diff_text(live, keys), 'after': diff_text(after, keys),
                'before_header': 'ipvsadm rules (before)', 'after_header': 'ipvsadm rules (after)'}
    return {
        'changed': bool(commands),
        'commands': commands,
        'before_table': live,
        'after_table': after,
        'diff': diff,
    }
