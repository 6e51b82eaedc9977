#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: adopt_info
short_description: Read what an LVS host built by hand runs, for lvs.cluster.adopt
version_added: 0.2.0
description:
  - Reads, without changing anything, what the adopt playbook maps to an inventory; the live IPVS table, its
    timeouts and connection sync daemons (only when C(ip_vs) is loaded); keepalived.conf with its includes and
    ldirectord.cf, parsed (each statement with its file and line); the ipvsadm rules files the distributions
    restore at boot; the host's addresses; the ARP and reverse-path settings; the iptables MARK rules of the
    mangle table; whether keepalived and ldirectord run.
  - The result holds the VRRP secret of keepalived.conf; the adopt playbook runs this with C(no_log) and writes the
    secret to a vault file only.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.info_attributes
options:
  keepalived_conf:
    description: keepalived's configuration.
    type: path
    default: /etc/keepalived/keepalived.conf
  ldirectord_conf:
    description: ldirectord's configurations, the first found is read.
    type: list
    elements: path
    default: [/etc/ha.d/ldirectord.cf, /etc/ldirectord.cf]
  rules_files:
    description: Files of ipvsadm rules restored at boot (Debian's and RedHat's).
    type: list
    elements: path
    default: [/etc/ipvsadm.rules, /etc/sysconfig/ipvsadm]
'''

EXAMPLES = r'''
- name: What this host runs
  lvs.cluster.adopt_info:
  register: adopted
  no_log: true
'''

RETURN = r'''
adopt_info:
  description: What the host runs (keys ipvs, addresses, sysctls, keepalived, ldirectord, rules_files, marks,
    services, errors).
  returned: always
  type: dict
'''

import os

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_runner
from ansible_collections.lvs.cluster.plugins.module_utils import keepalived_conf as K
from ansible_collections.lvs.cluster.plugins.module_utils import ldirectord_conf as L
from ansible_collections.lvs.cluster.plugins.module_utils.file_update import read_text
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_runner import IPVSHost
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module

SYSCTLS = ['net/ipv4/conf/%s/%s' % (i, k) for i in ('all', 'lo', 'tunl0')
           for k in ('arp_ignore', 'arp_announce', 'rp_filter')]


def read_sysctls():
    out = {}
    for name in SYSCTLS:
        text = read_text(os.path.join('/proc/sys', name))
        if text is not None:
            out[name.replace('/', '.')] = text.strip()
    return out


def main():
    module = new_module(
        {
            'keepalived_conf': {'type': 'path', 'default': '/etc/keepalived/keepalived.conf'},
            'ldirectord_conf': {'type': 'list', 'elements': 'path',
                                'default': ['/etc/ha.d/ldirectord.cf', '/etc/ldirectord.cf']},
            'rules_files': {'type': 'list', 'elements': 'path',
                            'default': ['/etc/ipvsadm.rules', '/etc/sysconfig/ipvsadm']},
        },
        supports_check_mode=True,
    )
    p = module.params
    info = {'ipvs': None, 'addresses': '', 'routes': '', 'sysctls': read_sysctls(), 'keepalived': None,
            'ldirectord': None, 'rules_files': {}, 'marks': '', 'services': {}, 'errors': []}
    ip = module.get_bin_path('ip')
    if ip:
        info['addresses'] = module.run_command([ip, '-o', 'addr', 'show'])[1]
        info['routes'] = ''.join(module.run_command([ip, *family, 'route', 'show', 'default'])[1]
                                 for family in ([], ['-6']))
    if os.path.exists(ipvs_runner.PROC_IP_VS) and module.get_bin_path('ipvsadm'):
        host = IPVSHost(module, load_module=False)
        host.loaded = True
        info['ipvs'] = {'services': host.read_table().to_list(), 'timeouts': host.read_timeouts(),
                        'daemons': host.read_daemons()}
    if os.path.exists(p['keepalived_conf']):
        try:
            info['keepalived'] = {'path': p['keepalived_conf'], 'tree': K.parse_file(p['keepalived_conf'])}
        except K.ConfError as exc:
            info['errors'].append(str(exc))
    for path in p['ldirectord_conf']:
        if os.path.exists(path):
            try:
                conf = L.parse_file(path)
                conf['where'] = {'%s|%s' % k: v for k, v in conf['where'].items()}
                info['ldirectord'] = dict(conf, path=path)
            except K.ConfError as exc:
                info['errors'].append(str(exc))
            break
    for path in p['rules_files']:
        text = read_text(path)
        if text is not None:
            info['rules_files'][path] = text
    iptables = module.get_bin_path('iptables')
    if iptables:
        rc, out, _err = module.run_command([iptables, '-t', 'mangle', '-S'])
        info['marks'] = out if rc == 0 else ''
    systemctl = module.get_bin_path('systemctl')
    for name in ('keepalived', 'ldirectord'):
        state = module.run_command([systemctl, 'is-active', name])[1].strip() if systemctl else 'unknown'
        info['services'][name] = state or 'unknown'
    module.exit_json(changed=False, adopt_info=info)


if __name__ == '__main__':
    main()
