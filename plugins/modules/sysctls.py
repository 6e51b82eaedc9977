#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sysctls
short_description: Set several kernel settings live and in one sysctl.d file
version_added: 0.2.0
description:
  - Sets every setting of O(settings) in the running kernel (C(/proc/sys)) and writes them all to one file that
    systemd-sysctl reads at boot, in one run (the director and realserver roles set theirs with it).
  - The kernel modules of O(modules) are loaded first (one C(modprobe -a)) and listed in O(modules_path) for
    boot, as M(lvs.cluster.kernel_modules) does, so the settings they bring (C(net.ipv4.vs.*) of C(ip_vs)) exist
    when they are read, in one module run.
  - Every name and value is checked before anything is read; a setting the running kernel does not have (for
    example C(net.ipv4.vs.*) before C(ip_vs) is loaded) fails naming it.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.sysctl_attributes
  - ansible.builtin.files
  - lvs.cluster.ipvs.backup
options:
  settings:
    description:
      - The settings, each sysctl name mapped to its value, in the order written to O(path). A dot in an
        interface name (VLAN C(eth0.10)) is written as a slash, as in sysctl.d files
        (C(net.ipv4.conf.eth0/10.rp_filter)).
      - Values are numbers or words; several are separated by spaces (C(net.ipv4.vs.sync_threshold) V(1 50)).
    type: dict
    required: true
  path:
    description:
      - File that holds the settings, read by systemd-sysctl at boot. It must end in C(.conf) and cannot be a
        directory (refused before anything is read); outside the directories systemd-sysctl reads it is written
        with a warning.
    type: path
    required: true
  modules:
    description:
      - Kernel modules to load before the settings are read, in the order written to O(modules_path).
    type: list
    elements: str
    default: []
  modules_path:
    description:
      - The file listing O(modules) for systemd-modules-load (C(/etc/modules-load.d/*.conf)); required with
        O(modules). V(absent) in O(state) removes it too.
    type: path
  live:
    description: Change the running kernel values.
    type: bool
    default: true
  state:
    description:
      - V(present) sets the values and writes O(path). V(absent) removes O(path) and leaves the running values.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: IPVS loaded, and a director's settings, now and at boot
  lvs.cluster.sysctls:
    modules: [ip_vs, ip_vs_wrr]
    modules_path: /etc/modules-load.d/lvs.conf
    path: /etc/sysctl.d/90-lvs-director.conf
    settings:
      net.ipv4.ip_forward: 1
      net.ipv4.vs.sync_threshold: "1 50"
      net.ipv4.vs.expire_nodest_conn: 1
'''

RETURN = r'''
changes:
  description: The live values that were (or would be) changed, each as C(name) colon old value, arrow, new value.
  returned: always
  type: list
  elements: str
  sample: ["net.ipv4.ip_forward: 0 -> 1"]
file_changed:
  description: Whether O(path) was (or would be) changed.
  returned: always
  type: bool
loaded:
  description: The kernel modules of O(modules) that were (or would be) loaded now.
  returned: always
  type: list
  elements: str
  sample: [ip_vs_mh]
modules_file_changed:
  description: Whether O(modules_path) was (or would be) changed.
  returned: always
  type: bool
backup_file:
  description: The copy made by O(backup) before the file was changed.
  returned: when a backup was made
  type: str
  sample: /etc/sysctl.d/90-lvs-director.conf.12345.2026-12-04@12:00:00~
'''

from ansible_collections.lvs.cluster.plugins.module_utils import kernel_modules as K
from ansible_collections.lvs.cluster.plugins.module_utils import sysctl_file as S
from ansible_collections.lvs.cluster.plugins.module_utils.arp_sysctl import SysctlError, validate_path
from ansible_collections.lvs.cluster.plugins.module_utils.file_update import FILE_ARGS, update_file
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module

HEADER = '# Managed by Ansible (lvs.cluster.sysctls).\n'


def main():
    module = new_module(
        {
            'settings': {'type': 'dict', 'required': True},
            'path': {'type': 'path', 'required': True},
            'modules': {'type': 'list', 'elements': 'str', 'default': []},
            'modules_path': {'type': 'path'},
            'live': {'type': 'bool', 'default': True},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            **FILE_ARGS,
        },
        add_file_common_args=True,
        supports_check_mode=True,
    )
    params = module.params
    try:
        warnings = validate_path(params['path'], True)
        settings = S.validate(params['settings'])
        modules = K.validate(params['modules'], params['modules_path'], 'modules', 'modules_path') \
            if params['modules'] or params['modules_path'] else []
    except (S.SettingError, SysctlError, K.ModulesError) as exc:
        module.fail_json(msg=str(exc))
    present = params['state'] == 'present'
    loaded = K.load(module, modules) if present else []
    modules_file = {'changed': False}
    if params['modules_path']:
        modules_text = K.render(modules) if present else None
        modules_file = update_file(module, params['modules_path'], modules_text)
    changes = []
    if params['live'] and present:
        for name, value in settings:
            try:
                old = S.read(name)
            except S.SettingError as exc:
                if not (loaded and module.check_mode):
                    module.fail_json(msg=str(exc))
                old = '(not there until %s is loaded)' % ', '.join(loaded)
            if old != value:
                changes.append((name, old, value))
    if not module.check_mode:
        for name, _old, value in changes:
            try:
                S.write(name, value)
            except OSError as exc:
                module.fail_json(msg='settings.%s: cannot set %s: %s' % (name, value, exc))
    content = S.render(settings, HEADER) if params['state'] == 'present' else None
    res = update_file(module, params['path'], content)
    for warning in warnings:
        module.warn(warning)
    diff = [{'before': ''.join('%s = %s\n' % (n, old) for n, old, _v in changes),
             'after': ''.join('%s = %s\n' % (n, v) for n, _old, v in changes),
             'before_header': '/proc/sys (before)', 'after_header': '/proc/sys (after)'}, res['diff']]
    if 'diff' in modules_file:
        diff.insert(0, modules_file['diff'])
    module.exit_json(changed=bool(changes) or res['changed'] or bool(loaded) or modules_file['changed'],
                     file_changed=res['changed'], loaded=loaded, modules_file_changed=modules_file['changed'],
                     changes=['%s: %s -> %s' % c for c in changes], diff=diff,
                     **({'backup_file': res['backup_file']} if 'backup_file' in res else {}))


if __name__ == '__main__':
    main()
