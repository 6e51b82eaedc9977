#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sysctl_arp
short_description: Set arp_ignore and arp_announce for LVS real servers
version_added: 0.1.0
description:
  - Sets C(net.ipv4.conf.<interface>.arp_ignore) and C(arp_announce) live (in C(/proc/sys)) and persistently in a
    file under C(/etc/sysctl.d), so that direct-routing and tunnel real servers do not answer or announce ARP
    for the virtual IP they carry on a loopback or dummy interface.
  - The kernel uses the larger of the C(all) value and the interface value for both settings; the module
    returns that effective value per interface.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.sysctl_attributes
  - ansible.builtin.files
  - lvs.cluster.ipvs.backup
options:
  arp_ignore:
    description:
      - Value for C(arp_ignore), one of 0 to 8. V(1) replies only for addresses configured on the
        incoming interface, the usual setting for LVS-DR real servers.
    type: int
    default: 1
  arp_announce:
    description:
      - Value for C(arp_announce), V(0), V(1) or V(2). V(2) always uses the best local address for the ARP
        source, the usual setting for LVS-DR real servers.
    type: int
    default: 2
  interfaces:
    description:
      - Interfaces to configure; V(all) and V(default) are the kernel's pseudo interfaces. A VLAN interface
        such as V(eth0.10) is written as C(eth0/10) in the sysctl file.
    type: list
    elements: str
    default: [all, lo]
  path:
    description:
      - File that holds the persistent settings, read by systemd-sysctl at boot.
      - It must end in C(.conf) (systemd-sysctl reads no other file) and cannot be a directory; both are refused
        before anything is read or written. Outside the directories systemd-sysctl reads (C(/etc/sysctl.d),
        C(/run/sysctl.d), C(/usr/local/lib/sysctl.d), C(/usr/lib/sysctl.d), C(/lib/sysctl.d)) it is written with a
        warning.
    type: path
    default: /etc/sysctl.d/90-lvs-arp.conf
  live:
    description: Change the running kernel values in C(/proc/sys).
    type: bool
    default: true
  persist:
    description: Write O(path) so the values survive a reboot.
    type: bool
    default: true
  state:
    description:
      - V(present) sets the values. V(absent) removes O(path) and (with O(live)) puts the listed interfaces back
        to the kernel defaults (0).
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: Usual LVS-DR real server settings (all and lo)
  lvs.cluster.sysctl_arp:

- name: Stricter settings, also on eth0, persisted in a custom file
  lvs.cluster.sysctl_arp:
    arp_ignore: 1
    arp_announce: 2
    interfaces: [all, lo, eth0]
    path: /etc/sysctl.d/60-lvs.conf

- name: Undo
  lvs.cluster.sysctl_arp:
    state: absent
'''

RETURN = r'''
interfaces:
  description:
    - Per interface the configured values and the effective ones (the kernel uses max(all, interface)).
    - Predicted values in check mode.
  returned: always
  type: dict
  sample:
    all: {arp_ignore: 1, arp_announce: 2, effective_arp_ignore: 1, effective_arp_announce: 2}
    lo: {arp_ignore: 1, arp_announce: 2, effective_arp_ignore: 1, effective_arp_announce: 2}
changes:
  description: The live values that were (or would be) changed.
  returned: always
  type: list
  elements: str
  sample: ["net.ipv4.conf.all.arp_ignore: 0 -> 1"]
file_changed:
  description: Whether O(path) was (or would be) changed.
  returned: always
  type: bool
backup_file:
  description: The copy made by O(backup) before the file was changed.
  returned: when a backup was made
  type: str
  sample: /etc/ipvsadm.rules.12345.2026-12-02@03:30:00~
'''

from ansible_collections.lvs.cluster.plugins.module_utils.arp_sysctl import run
from ansible_collections.lvs.cluster.plugins.module_utils.file_update import FILE_ARGS
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        {
            'arp_ignore': {'type': 'int', 'default': 1},
            'arp_announce': {'type': 'int', 'default': 2},
            'interfaces': {'type': 'list', 'elements': 'str', 'default': ['all', 'lo']},
            'path': {'type': 'path', 'default': '/etc/sysctl.d/90-lvs-arp.conf'},
            'live': {'type': 'bool', 'default': True},
            'persist': {'type': 'bool', 'default': True},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            **FILE_ARGS,
        },
        add_file_common_args=True,
        supports_check_mode=True,
    )
    run(module)


if __name__ == '__main__':
    main()
