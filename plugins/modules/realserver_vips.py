#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: realserver_vips
short_description: The VIPs of an LVS-DR or LVS-TUN real server, now and at every boot, in one run
version_added: 0.2.0
description:
  - Puts the VIPs of O(addresses) on C(lo) (DR), C(tunl0) or C(ip6tnl0) (TUN, the tunnel devices brought up),
    removes those an earlier run put there and no longer wanted (recorded in O(state_file); addresses added by
    hand are left alone), and writes and enables the systemd unit O(unit) that puts them back at every boot,
    whatever manages the network (ifupdown, NetworkManager or systemd-networkd).
  - With no address, it removes the recorded ones, and disables and removes the unit.
  - With O(arp), the ARP settings come first in the same run, as M(lvs.cluster.sysctl_arp) sets them (a DR or TUN
    real server must neither answer nor announce ARP for a VIP from the moment it has it).
  - The realserver role runs it once per host, with O(arp) for DR and TUN; the tunnel modules
    (M(lvs.cluster.sysctls) with its O(lvs.cluster.sysctls#module:modules)) come first.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The addresses before and after, the unit file, the record.
  platform:
    support: full
    platforms: posix
options:
  addresses:
    description: The VIPs, each a host route (C(/32), C(/128)) on a device.
    type: list
    elements: dict
    required: true
    suboptions:
      cidr:
        description: The VIP with its prefix, V(192.0.2.10/32) or V(2001:db8::10/128).
        type: str
        required: true
      dev:
        description: V(lo) (DR), V(tunl0) (TUN, IPv4) or V(ip6tnl0) (TUN, IPv6).
        type: str
        required: true
        choices: [lo, tunl0, ip6tnl0]
      label:
        description: An IPv4 address's label on lo; empty = by its position (O(lo_label), then C(lo:1), C(lo:2), ...).
        type: str
        default: ''
  lo_label:
    description: The label of the first address of the list on lo; the N-th gets C(lo:N).
    type: str
    default: "lo:0"
  state_file:
    description: Where the module records the addresses it configured (JSON); its directory must exist.
    type: path
    default: /var/lib/lvs-realserver-vips.json
  unit:
    description: The systemd unit that puts the VIPs back at boot.
    type: path
    default: /etc/systemd/system/lvs-realserver.service
  arp:
    description:
      - C(arp_ignore) and C(arp_announce) set live and in O(arp.path) before any VIP is added (nothing is set without
        it). Checked with the other options, before the host is read.
    type: dict
    suboptions:
      arp_ignore:
        description: 1 = answer only for addresses of the interface the request came in on.
        type: int
        default: 1
      arp_announce:
        description: 2 = announce the best local address of the outgoing interface, never the VIP.
        type: int
        default: 2
      interfaces:
        description: The interfaces set, C(all) and C(lo) for DR, C(all) for TUN.
        type: list
        elements: str
        default: [all, lo]
      path:
        description: The sysctl.d file that sets them at boot.
        type: path
        default: /etc/sysctl.d/90-lvs-arp.conf
  remove_files:
    description:
      - Files to remove when present, e.g. what earlier versions wrote or the unit of another forwarding method;
        a systemd unit among them is disabled first.
    type: list
    elements: path
    default: []
'''

EXAMPLES = r'''
- name: A DR real server's VIP on lo:0, now and at boot
  lvs.cluster.realserver_vips:
    addresses:
      - {cidr: 192.0.2.10/32, dev: lo, label: "lo:0"}
    arp: {arp_ignore: 1, arp_announce: 2, interfaces: [all, lo]}
'''

RETURN = r'''
added:
  description: The addresses (or would be) added, C(cidr dev).
  returned: always
  type: list
  elements: str
  sample: ["192.0.2.10/32 lo"]
removed:
  description: The recorded addresses that were (or would be) removed.
  returned: always
  type: list
  elements: str
unit_changed:
  description: Whether the unit was (or would be) written, enabled or removed.
  returned: always
  type: bool
arp_changes:
  description: The ARP settings of O(arp) that were (or would be) changed live, as M(lvs.cluster.sysctl_arp) says.
  returned: always
  type: list
  elements: str
  sample: ["net.ipv4.conf.lo.arp_ignore: 0 -> 1"]
files_removed:
  description: The files of O(remove_files) that were (or would be) removed.
  returned: always
  type: list
  elements: str
'''

import json
import os

from ansible_collections.lvs.cluster.plugins.module_utils import arp_sysctl as A
from ansible_collections.lvs.cluster.plugins.module_utils import realserver_vips as V
from ansible_collections.lvs.cluster.plugins.module_utils.file_update import read_text, update_file
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module

HEADER = '# Managed by Ansible (lvs.cluster.realserver_vips): the VIPs of this real server at every boot.'
SYSTEMD = '/etc/systemd/system'
SYS_NET = '/sys/class/net'


def run(module, args):
    rc, out, err = module.run_command(args)
    if rc != 0:
        module.fail_json(msg='%s failed: %s' % (' '.join(args), (err or out).strip()), rc=rc)
    return out


def wanted_by(unit):
    return os.path.join(SYSTEMD, 'multi-user.target.wants', os.path.basename(unit))


def link_up(dev):
    try:
        with open(os.path.join(SYS_NET, dev, 'flags')) as handle:
            return bool(int(handle.read().strip(), 16) & 1)
    except FileNotFoundError:
        return None


def main():
    module = new_module(
        {
            'addresses': {'type': 'list', 'elements': 'dict', 'required': True, 'options': {
                'cidr': {'type': 'str', 'required': True},
                'dev': {'type': 'str', 'required': True, 'choices': list(V.DEVICES)},
                'label': {'type': 'str', 'default': ''},
            }},
            'lo_label': {'type': 'str', 'default': 'lo:0'},
            'state_file': {'type': 'path', 'default': '/var/lib/lvs-realserver-vips.json'},
            'unit': {'type': 'path', 'default': '/etc/systemd/system/lvs-realserver.service'},
            'remove_files': {'type': 'list', 'elements': 'path', 'default': []},
            'arp': {'type': 'dict', 'options': {
                'arp_ignore': {'type': 'int', 'default': 1},
                'arp_announce': {'type': 'int', 'default': 2},
                'interfaces': {'type': 'list', 'elements': 'str', 'default': ['all', 'lo']},
                'path': {'type': 'path', 'default': '/etc/sysctl.d/90-lvs-arp.conf'},
            }},
        },
        supports_check_mode=True,
    )
    params = module.params
    arp = dict(params['arp'], live=True, persist=True, state='present') if params['arp'] else None
    try:
        wanted = V.validate(params['addresses'], params['lo_label'])
        arp_checked = A.check(arp) if arp else None
    except V.VipError as exc:
        module.fail_json(msg=str(exc))
    except A.SysctlError as exc:
        module.fail_json(msg='arp.%s' % exc)
    for name in ('state_file', 'unit'):
        if not os.path.isabs(params[name]) or os.path.isdir(params[name]):
            module.fail_json(msg='%s: %r is not a file path' % (name, params[name]))
    if not params['unit'].endswith('.service'):
        module.fail_json(msg="unit: %r is not a systemd service file (NAME.service)" % params['unit'])
    ip = module.get_bin_path('ip', required=True)
    systemctl = module.get_bin_path('systemctl', required=True)
    devices_down = []
    for dev in sorted({w['dev'] for w in wanted} - {'lo'}):
        state = link_up(dev)
        if state is None:
            module.fail_json(msg='addresses: device %s does not exist (its module, %s, is not loaded)'
                             % (dev, V.MODULE_OF[dev]))
        if not state:
            devices_down.append(dev)
    live = V.live_addresses(run(module, [ip, '-o', 'addr', 'show']))
    record_text = read_text(params['state_file'])
    add, remove = V.plan(wanted, live, V.recorded(record_text))
    arp_result = {'changed': False, 'changes': [], 'diff': []}
    if arp_checked:
        arp_result = A.converge(module, arp, *arp_checked[1:])
        for warning in arp_checked[0]:
            module.warn('arp.' + warning)
    if not module.check_mode:
        for dev in devices_down:
            run(module, [ip, 'link', 'set', 'dev', dev, 'up'])
        for entry in remove:
            run(module, [ip, 'addr', 'del', entry['cidr'], 'dev', entry['dev']])
        for entry in add:
            run(module, [ip, *V.add_command(entry)])
    record = json.dumps([{'cidr': w['cidr'], 'dev': w['dev']} for w in wanted], indent=2) + '\n'
    res_record = update_file(module, params['state_file'], record)
    unit_file = params['unit']
    existed = os.path.exists(unit_file)
    res_unit = update_file(module, unit_file, V.unit(wanted, HEADER) if wanted else None)
    unit_name = os.path.basename(unit_file)
    enabled = os.path.lexists(wanted_by(unit_file))
    unit_changed = res_unit['changed'] or bool(wanted) != enabled
    removed_files = [p for p in params['remove_files'] if os.path.lexists(p)]
    # enable and disable only link the unit (--no-reload: a reload of systemd's whole configuration takes seconds
    # on a small host, and the unit is not started now: the addresses are added above); systemd reloads only when a
    # unit it had loaded changed
    if not module.check_mode:
        if not wanted and enabled:
            run(module, [systemctl, '--no-reload', 'disable', unit_name])
        for path in removed_files:
            if path.startswith(SYSTEMD + '/') and path.endswith('.service'):
                module.run_command([systemctl, '--no-reload', 'disable', os.path.basename(path)])  # may be gone
            os.unlink(path)
        if (res_unit['changed'] and existed) or any(p.startswith(SYSTEMD + '/') for p in removed_files):
            run(module, [systemctl, 'daemon-reload'])
        if wanted and not enabled:
            run(module, [systemctl, '--no-reload', 'enable', unit_name])
    before = ''.join('%s dev %s\n' % (c, d) for c, d in sorted(live) if d in V.DEVICES and not
                     c.startswith(('127.', '::1/')))
    after_set = (set(live) | {(a['cidr'], a['dev']) for a in add}) - {(r['cidr'], r['dev']) for r in remove}
    after = ''.join('%s dev %s\n' % (c, d) for c, d in sorted(after_set) if d in V.DEVICES and not
                    c.startswith(('127.', '::1/')))
    module.exit_json(
        changed=bool(add or remove or devices_down or removed_files or unit_changed or res_record['changed']
                     or arp_result['changed']),
        arp_changes=arp_result['changes'],
        added=['%s %s' % (a['cidr'], a['dev']) for a in add],
        removed=['%s %s' % (r['cidr'], r['dev']) for r in remove],
        unit_changed=unit_changed, files_removed=removed_files,
        diff=[{'before': before, 'after': after, 'before_header': 'addresses (before)',
               'after_header': 'addresses (after)'}, res_unit['diff'], res_record['diff']] + arp_result['diff'])


if __name__ == '__main__':
    main()
