#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ipvs_settings
short_description: IPVS protocol timeouts and connection synchronisation daemons
version_added: 0.2.0
description:
  - Sets the IPVS TCP, TCP FIN and UDP timeouts (C(ipvsadm --set)) and starts, restarts or stops the connection
    synchronisation daemons (C(ipvsadm --start-daemon)/C(--stop-daemon)), the settings of IPVS that are not
    services.
  - Reads the current values with C(ipvsadm -Ln --timeout) and C(-Ln --daemon), changes only what differs and
    reads them back. A running daemon whose options differ from the wanted ones is stopped and started again.
  - Every option is validated before the host is read or changed.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.settings_attributes
options:
  timeouts:
    description:
      - The timeouts to set, in seconds (1-2147483); those not given are left as they are.
    type: dict
    suboptions:
      tcp:
        description: Idle timeout of established TCP connections.
        type: int
      tcpfin:
        description: Timeout of TCP connections after a FIN.
        type: int
      udp:
        description: Timeout of UDP flows.
        type: int
  daemons:
    description:
      - The sync daemons to run or stop; daemons not listed are left as they are. The kernel runs at most one
        V(master) and one V(backup) daemon.
      - Only the options given are compared with a running daemon.
    type: list
    elements: dict
    suboptions:
      state:
        description: Which daemon, V(master) (sends the connection table) or V(backup) (receives it).
        type: str
        required: true
        choices: [master, backup]
      present:
        description: Whether it runs (V(false) stops it).
        type: bool
        default: true
      mcast_interface:
        description: Interface of the multicast sync traffic; required when O(daemons[].present=true).
        type: str
      syncid:
        description: Sync ID 0-255 (0 = any), to tell several LVS clusters on one network apart.
        type: int
      sync_maxlen:
        description: Maximum length of a sync message (the kernel defaults to the interface MTU minus headers).
        type: int
      mcast_group:
        description: Multicast group of the sync messages (kernel default 224.0.0.81).
        type: str
      mcast_port:
        description: UDP port of the sync messages (kernel default 8848).
        type: int
      mcast_ttl:
        description: Multicast TTL 1-255 (kernel default 1).
        type: int
requirements:
  - C(ipvsadm) (tested with 1.31) and a kernel with IPVS on the managed host.
seealso:
  - module: lvs.cluster.ipvs_info
'''

EXAMPLES = r'''
- name: Timeouts and both sync daemons on a director pair (connections survive a takeover)
  lvs.cluster.ipvs_settings:
    timeouts: {tcp: 900, tcpfin: 120, udp: 300}
    daemons:
      - {state: master, mcast_interface: eth1, syncid: 7}
      - {state: backup, mcast_interface: eth1, syncid: 7}

- name: Stop the master daemon
  lvs.cluster.ipvs_settings:
    daemons:
      - {state: master, present: false}
'''

RETURN = r'''
timeouts:
  description: The timeouts after the change (predicted in check mode).
  returned: always
  type: dict
  sample: {tcp: 900, tcpfin: 120, udp: 300}
daemons:
  description: The running sync daemons after the change (predicted in check mode), as M(lvs.cluster.ipvs_info)
    reports them.
  returned: always
  type: list
  elements: dict
  sample: [{state: master, mcast_interface: eth1, syncid: 7, sync_maxlen: 1472, mcast_group: 224.0.0.81,
            mcast_port: 8848, mcast_ttl: 1}]
commands:
  description: The ipvsadm commands that were (or in check mode would be) run.
  returned: always
  type: list
  elements: str
  sample: ["ipvsadm --set 900 120 300", "ipvsadm --start-daemon master --mcast-interface eth1 --syncid 7"]
'''

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_args import COMMON_ARGS, spec
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_settings import ARGS
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_tasks import run_settings
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        spec(COMMON_ARGS, ARGS),
        supports_check_mode=True,
    )
    run_settings(module)


if __name__ == '__main__':
    main()
