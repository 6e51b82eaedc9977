#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: keepalived_info
short_description: Read keepalived's own view of its VRRP instances and virtual servers
version_added: 0.2.0
description:
  - Asks the running keepalived for its state (C(SIGUSR1), the signal of C(keepalived --signum=DATA)), waits
    for the data files it writes, and returns per VRRP instance its state (MASTER, BACKUP, FAULT), priorities
    and VIPs, and per virtual server what keepalived's health checks think of each real server (alive,
    configured and effective weight) and whether the service has its quorum.
  - The data files also hold the VRRP password; only the fields described below are read, the password never,
    and the files are removed once read.
  - When keepalived does not run, returns RV(keepalived.running=false) and nothing else.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.info_attributes
options:
  pid_file:
    description: keepalived's PID file.
    type: path
    default: /run/keepalived.pid
  timeout:
    description: Seconds to wait for keepalived to write its data files (1-60).
    type: int
    default: 10
requirements:
  - keepalived 2.x (tested with 2.2.7).
seealso:
  - module: lvs.cluster.ipvs_info
'''

EXAMPLES = r'''
- name: Read keepalived's state
  lvs.cluster.keepalived_info:
  register: ka

- name: Fail unless this director is MASTER of every instance
  ansible.builtin.assert:
    that: ka.keepalived.instances | rejectattr('state', 'eq', 'MASTER') | list | length == 0
'''

RETURN = r'''
keepalived:
  description: keepalived's view.
  returned: always
  type: dict
  contains:
    running:
      description: Whether keepalived runs (its PID file names a live process).
      type: bool
      sample: true
    pid:
      description: keepalived's main process.
      type: int
      returned: when running
      sample: 1762
    instances:
      description: The VRRP instances.
      type: list
      elements: dict
      returned: when running
      sample:
        - name: VI_PUBLIC
          state: MASTER
          wantstate: MASTER
          interface: eth0
          vrid: 61
          priority: 150
          effective_priority: 150
          master_router: null
          master_priority: null
          preempt: true
          vips: [{address: 10.78.0.200, interface: eth0}]
    virtual_servers:
      description: The virtual servers with keepalived's view of their real servers.
      type: list
      elements: dict
      returned: when running
      sample:
        - address: 10.78.0.200
          port: 80
          fwmark: null
          group: null
          protocol: tcp
          scheduler: wrr
          forwarding: dr
          alive: true
          quorum: 1
          hysteresis: 0
          quorum_up: true
          real_servers:
            - {address: 10.78.0.21, port: 80, weight: 2, effective_weight: 2, alive: true,
               inhibit_on_failure: false}
'''

import contextlib
import os
import signal
import time

from ansible_collections.lvs.cluster.plugins.module_utils import keepalived_data
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def _pid(path):
    try:
        with open(path) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def _fresh(path, since):
    try:
        return os.stat(path).st_mtime >= since
    except OSError:
        return False


def main():
    module = new_module(
        {'pid_file': {'type': 'path', 'default': '/run/keepalived.pid'},
         'timeout': {'type': 'int', 'default': 10}},
        supports_check_mode=True,
    )
    timeout = module.params['timeout']
    if not 1 <= timeout <= 60:
        module.fail_json(msg='timeout: %d is out of range 1-60' % timeout)
    pid = _pid(module.params['pid_file'])
    if pid is None:
        module.exit_json(changed=False, keepalived={'running': False})
    files = (keepalived_data.VRRP_FILE, keepalived_data.CHECK_FILE)
    since = time.time() - 0.01
    for path in files:
        with contextlib.suppress(OSError):
            os.unlink(path)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    texts = {}
    # without virtual servers keepalived runs no checker process, which would write the second file: once one
    # file came, wait for the other at most 2 s more
    while time.monotonic() < deadline and len(texts) < len(files):
        for path in files:
            if path not in texts and _fresh(path, since):
                time.sleep(0.2)  # keepalived writes the file in one go; let it finish
                with open(path) as f:
                    texts[path] = f.read()
                os.unlink(path)
                if len(texts) == 1:
                    deadline = min(deadline, time.monotonic() + 2)
        time.sleep(0.1)
    if keepalived_data.VRRP_FILE not in texts and keepalived_data.CHECK_FILE not in texts:
        module.fail_json(msg='keepalived (pid %d) wrote no data file (%s) within %d s' % (
            pid, ', '.join(files), timeout))
    module.exit_json(changed=False, keepalived={
        'running': True, 'pid': pid,
        'instances': keepalived_data.parse_vrrp(texts.get(keepalived_data.VRRP_FILE, '')),
        'virtual_servers': keepalived_data.parse_check(texts.get(keepalived_data.CHECK_FILE, '')),
    })


if __name__ == '__main__':
    main()
