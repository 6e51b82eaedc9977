# Benchmark-only callback (not shipped): counts the module runs on each host, the task results that carry a
# module's invocation (controller-side actions such as set_fact, assert or the cluster model carry none), and
# prints them after the recap as "MODULE_RUNS {host: count}".
from __future__ import annotations

import json
from collections import Counter

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: module_runs
type: aggregate
short_description: count module runs per host
description: Counts the task results of each host that ran a module there, for benchmarks/cluster.py.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'module_runs'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.runs = Counter()

    def _count(self, result):
        res = result._result
        items = res.get('results') if isinstance(res.get('results'), list) else [res]
        host = result._host.get_name()
        delegated = res.get('_ansible_delegated_vars', {}).get('ansible_host')
        for item in items:
            if isinstance(item, dict) and 'invocation' in item and not item.get('skipped'):
                self.runs[host if not delegated else '%s (delegated)' % host] += 1

    v2_runner_on_ok = v2_runner_on_failed = _count

    def v2_playbook_on_stats(self, stats):
        self._display.display('MODULE_RUNS %s' % json.dumps(dict(sorted(self.runs.items()))))
