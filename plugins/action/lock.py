# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of lvs.cluster.lock: who this run is, the bounded wait, and dead-run detection."""

from __future__ import annotations

import time

from ansible.plugins.action import ActionBase
from ansible_collections.lvs.cluster.plugins.plugin_utils import run_lock

POLL = 2.0


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self.validate_argument_spec(argument_spec={
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            'purpose': {'type': 'str', 'default': 'ansible'},
            'wait': {'type': 'int', 'default': 600},
            'ttl': {'type': 'int', 'default': 3600},
            'path': {'type': 'path', 'default': '/run/lvs-cluster/lock.json'},
        })[1]
        if not 0 <= args['wait'] <= 86400:
            return dict(result, failed=True, msg='wait: %d is out of range 0-86400' % args['wait'])
        host = self._task.delegate_to or task_vars.get('inventory_hostname')
        me = run_lock.this_run(args['purpose'])
        module_args = {'state': args['state'], 'ttl': args['ttl'], 'path': args['path'], 'holder': me,
                       'purpose': args['purpose'], 'wait': args['wait']}
        started = time.monotonic()
        deadline = started + args['wait']
        while True:
            res = self._execute_module(module_name='lvs.cluster.lock', module_args=module_args, task_vars=task_vars)
            if res.get('failed') or res.get('unreachable') or args['state'] == 'absent' or res.get('acquired'):
                res['waited'] = round(time.monotonic() - started, 1)
                res['changed'] = False  # run-time state, not configuration: a rerun stays changed=0
                return dict(result, **res)
            holder = res.get('holder') or {}
            if run_lock.is_dead(holder):
                module_args['break_run'] = holder.get('run')
                continue
            if time.monotonic() >= deadline:
                return dict(result, failed=True, acquired=False, holder=holder,
                            waited=round(time.monotonic() - started, 1),
                            msg=run_lock.busy_message(host, holder, args['wait'], args['path']))
            time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
