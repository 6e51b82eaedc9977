#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ipvs_wait
short_description: Wait, bounded, until drained real servers have no active IPVS connection
version_added: 0.2.0
description:
  - Reads the live IPVS table (as M(lvs.cluster.ipvs_info) does) every O(interval) seconds until the real servers
    at O(addresses) have no active connection in any service, or O(timeout) seconds have passed; returns what is
    left per address.
  - Inactive connections (closing, or UDP) are reported but not waited for.
  - Never changes anything; never loads C(ip_vs).
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.info_attributes
options:
  addresses:
    description: Addresses of the real servers (as in the table).
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds to wait at most (0-86400; 0 = look once).
    type: int
    default: 300
  interval:
    description: Seconds between two reads of the table (1-60).
    type: int
    default: 1
  fail_on_timeout:
    description: Fail when active connections are left after O(timeout); else only warn.
    type: bool
    default: false
  vip_local:
    description:
      - Count only the services whose virtual address is on one of this host's interfaces (and firewall-mark
        services), so that a BACKUP director, whose table holds the connection sync daemon's copies, does not wait
        for copies that end only with their timeout.
    type: bool
    default: false
  weight:
    description:
      - Wait also until every destination at O(addresses) has this weight (0-65535) in the live table, for
        example 0 right after a drain, while keepalived applies its reload. Unset, weights are not looked at.
    type: int
requirements:
  - C(ipvsadm) on the managed host.
seealso:
  - module: lvs.cluster.ipvs_info
  - module: lvs.cluster.ipvs_dest
'''

EXAMPLES = r'''
- name: Wait at most 5 minutes for the connections of 10.0.0.11 to end
  lvs.cluster.ipvs_wait:
    addresses: [10.0.0.11]
    timeout: 300
  register: left

- name: Wait until keepalived has applied weight 0 to 10.0.0.11, then for its connections to end
  lvs.cluster.ipvs_wait:
    addresses: [10.0.0.11]
    weight: 0
    vip_local: true
'''

RETURN = r'''
left:
  description: Connections left per address.
  returned: always
  type: dict
  sample: {10.0.0.11: {active: 0, inactive: 3}}
active:
  description: Active connections left in all.
  returned: always
  type: int
  sample: 0
waited:
  description: Seconds waited.
  returned: always
  type: float
  sample: 4.2
weights_left:
  description: The destinations whose live weight is not yet O(weight) (address and weight); empty without O(weight).
  returned: always
  type: dict
  sample: {}
drained:
  description: Whether no active connection is left.
  returned: always
  type: bool
'''

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_tasks import run_wait
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        {'addresses': {'type': 'list', 'elements': 'str', 'required': True},
         'timeout': {'type': 'int', 'default': 300},
         'interval': {'type': 'int', 'default': 1},
         'fail_on_timeout': {'type': 'bool', 'default': False},
         'vip_local': {'type': 'bool', 'default': False},
         'weight': {'type': 'int'}},
        supports_check_mode=True,
    )
    run_wait(module)


if __name__ == '__main__':
    main()
