#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: kernel_modules
short_description: Load kernel modules now and list them for every boot, in one run
version_added: 0.2.0
description:
  - Loads the modules of O(names) that are not loaded (one C(modprobe -a) for all of them) and writes them to
    one file under C(/etc/modules-load.d), which systemd-modules-load reads at boot (the director role loads
    IPVS and its schedulers with it, the realserver role the tunnel modules).
  - A module counts as loaded when C(/sys/module/NAME) exists (built into the kernel or loaded).
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.sysctl_attributes
  - ansible.builtin.files
  - lvs.cluster.ipvs.backup
options:
  names:
    description: The modules, in the order written to O(path).
    type: list
    elements: str
    required: true
  path:
    description:
      - The file listing them for systemd-modules-load (C(/etc/modules-load.d/*.conf)).
    type: path
    required: true
  state:
    description:
      - V(present) loads the modules and writes O(path). V(absent) removes O(path) and unloads nothing.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: IPVS and the schedulers in use, now and at boot
  lvs.cluster.kernel_modules:
    names: [ip_vs, ip_vs_wrr, ip_vs_mh]
    path: /etc/modules-load.d/lvs.conf
'''

RETURN = r'''
loaded:
  description: The modules that were (or would be) loaded now.
  returned: always
  type: list
  elements: str
  sample: [ip_vs_mh]
file_changed:
  description: Whether O(path) was (or would be) changed.
  returned: always
  type: bool
backup_file:
  description: The copy made by O(backup) before the file was changed.
  returned: when a backup was made
  type: str
  sample: /etc/modules-load.d/lvs.conf.12345.2026-12-04@12:00:00~
'''

from ansible_collections.lvs.cluster.plugins.module_utils import kernel_modules as K
from ansible_collections.lvs.cluster.plugins.module_utils.file_update import FILE_ARGS, update_file
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        {
            'names': {'type': 'list', 'elements': 'str', 'required': True},
            'path': {'type': 'path', 'required': True},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            **FILE_ARGS,
        },
        add_file_common_args=True,
        supports_check_mode=True,
    )
    params = module.params
    try:
        names = K.validate(params['names'], params['path'])
    except K.ModulesError as exc:
        module.fail_json(msg=str(exc))
    path = params['path']
    missing = K.load(module, names) if params['state'] == 'present' else []
    content = K.render(names) if params['state'] == 'present' else None
    res = update_file(module, path, content)
    module.exit_json(changed=bool(missing) or res['changed'], loaded=missing, file_changed=res['changed'],
                     diff=res['diff'], **({'backup_file': res['backup_file']} if 'backup_file' in res else {}))


if __name__ == '__main__':
    main()
