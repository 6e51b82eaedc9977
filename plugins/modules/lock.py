#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: lock
short_description: Serialize the collection's playbooks on a host (a per-host lease with a bounded wait)
version_added: 0.2.0
description:
  - Takes or releases this host's lock, so that two runs of the collection's playbooks (C(site.yml) and a
    C(drain) started by a colleague, or two C(site.yml)) never change the same host at the same time. The
    second waits, bounded by O(wait), and then fails with a message naming who holds the lock, since when and
    until when.
  - The lock is a lease in a small JSON file (O(path), on tmpfs so a reboot clears it), changed under
    C(flock). The holder is one C(ansible-playbook) run (controller, process, start time). The same run may
    take it again (that renews the lease). A lock whose run is known dead (same controller, process gone) or
    whose lease ended (O(ttl)) is taken over, so a run killed half-way blocks nobody for long.
  - The action part runs on the controller (it knows the run and waits); the module part, on the host, makes
    one attempt per call.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - The lock is run-time state, not configuration; in check mode it is only reported.
      - The roles take it with C(check_mode=false), so a C(--check) run waits for a running change too.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: linux
  action:
    support: full
    details: The action part on the controller identifies the run, waits and detects dead runs.
  async:
    support: none
  bypass_host_loop:
    support: none
options:
  state:
    description: V(present) takes (or renews) the lock, V(absent) releases it when this run holds it.
    type: str
    choices: [present, absent]
    default: present
  purpose:
    description: What the run does (shown to whoever waits), e.g. V(site) or V(drain realserver1).
    type: str
    default: ansible
  wait:
    description: Seconds to wait for a lock held by another run (0-86400).
    type: int
    default: 600
  ttl:
    description: Seconds the lease lasts after it was last taken or renewed (60-604800).
    type: int
    default: 3600
  path:
    description: The lock file on the host, an absolute path (every run must name the same file).
    type: path
    default: /run/lvs-cluster/lock.json
  holder:
    description: Internal, set by the action part on the controller (the run taking the lock); do not set it.
    type: dict
  break_run:
    description: Internal, set by the action part (the run id of a dead holder to take over); do not set it.
    type: str
seealso:
  - module: lvs.cluster.cluster_model
'''

EXAMPLES = r'''
- name: Lock this host for the run (wait at most 10 minutes)
  lvs.cluster.lock:
    purpose: site
    wait: 600
  check_mode: false

- name: Release it
  lvs.cluster.lock:
    state: absent
  check_mode: false
'''

RETURN = r'''
acquired:
  description: Whether this run holds the lock now (state present).
  returned: always
  type: bool
holder:
  description: Who holds the lock after this call (null when free).
  returned: always
  type: dict
  sample: {run: "ctl:4242:123456", user: root, controller: ctl, pid: 4242, purpose: site,
           since: "2026-12-02T05:50:01Z", expires: "2026-12-02T06:50:01Z"}
taken_over:
  description: The holder whose lock was taken over (its run was dead or its lease ended), else null.
  returned: always
  type: dict
waited:
  description: Seconds this call waited for another run.
  returned: always
  type: float
'''

import datetime
import fcntl
import json
import os
import time

from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def _iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _read(path):
    try:
        with open(path) as f:
            data = json.load(f)
        return data if isinstance(data, dict) and data.get('run') else None
    except (OSError, ValueError):
        return None


def _write(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.rename(tmp, path)


def main():
    module = new_module(
        {
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            'purpose': {'type': 'str', 'default': 'ansible'},
            'wait': {'type': 'int', 'default': 600},
            'holder': {'type': 'dict'},
            'ttl': {'type': 'int', 'default': 3600},
            'break_run': {'type': 'str'},
            'path': {'type': 'path', 'default': '/run/lvs-cluster/lock.json'},
        },
        supports_check_mode=True,
    )
    p = module.params
    holder, path = p['holder'] or {}, p['path']
    if not isinstance(holder.get('run'), str) or not holder['run']:
        module.fail_json(msg='holder: missing (lvs.cluster.lock runs through its action plugin, which sets it)')
    if not 60 <= p['ttl'] <= 604800:
        module.fail_json(msg='ttl: %d is out of range 60-604800' % p['ttl'])
    if not os.path.isabs(path) or path.endswith('/'):
        # a relative path depends on the working directory of each run: two runs would not see each other's lock
        module.fail_json(msg='path: %r is not an absolute file path' % path)
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        if module.check_mode:
            module.exit_json(changed=p['state'] == 'present', acquired=p['state'] == 'present', holder=None,
                             taken_over=None)
        os.makedirs(directory, 0o700)
    with open(path + '.guard', 'a') as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        now = time.time()
        current = _read(path)
        mine = current is not None and current['run'] == holder['run']
        if p['state'] == 'absent':
            if mine and not module.check_mode:
                os.unlink(path)
            module.exit_json(changed=mine, acquired=False, holder=None if mine else current, taken_over=None)
        expired = current is not None and current.get('expires_at', 0) < now
        broken = current is not None and p['break_run'] is not None and current['run'] == p['break_run']
        if current is not None and not (mine or expired or broken):
            module.exit_json(changed=False, acquired=False, holder=current, taken_over=None)
        new = dict(holder, since=current['since'] if mine else _iso(now), expires=_iso(now + p['ttl']),
                   expires_at=now + p['ttl'])
        if not module.check_mode:
            _write(path, new)
        module.exit_json(changed=not mine, acquired=True, holder=new,
                         taken_over=None if (mine or current is None) else current)


if __name__ == '__main__':
    main()
