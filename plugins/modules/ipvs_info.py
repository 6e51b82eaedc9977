#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ipvs_info
short_description: Read the IPVS table, timeouts, sync daemons and statistics
version_added: 0.1.0
description:
  - Returns the live IPVS table as structured data (in the format of M(lvs.cluster.ipvs_rules) C(config)),
    with connection counters, statistics and rates per service and real server, the protocol timeouts and
    the connection synchronisation daemons.
  - Never changes anything. When C(/proc/net/ip_vs) does not exist it returns RV(ipvs.loaded=false) without
    running C(ipvsadm), which would otherwise load the C(ip_vs) kernel module.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.info_attributes
options:
  gather_subset:
    description:
      - What to read, any of V(all), V(services), V(timeouts), V(daemons), V(stats) and V(rate).
      - V(stats) and V(rate) include V(services).
    type: list
    elements: str
    default: [all]
requirements:
  - C(ipvsadm) (tested with 1.31) on the managed host.
seealso:
  - module: lvs.cluster.ipvs_rules
'''

EXAMPLES = r'''
- name: Read everything
  lvs.cluster.ipvs_info:
  register: lvs

- name: Show the real servers of the first service
  ansible.builtin.debug:
    msg: "{{ lvs.ipvs.services[0].destinations | map(attribute='address') | list }}"

- name: Only the timeouts and sync daemons
  lvs.cluster.ipvs_info:
    gather_subset: [timeouts, daemons]
'''

RETURN = r'''
ipvs:
  description: The IPVS state of the host.
  returned: always
  type: dict
  contains:
    loaded:
      description: Whether the kernel has IPVS loaded (C(/proc/net/ip_vs) exists).
      type: bool
      sample: true
    version:
      description: IPVS version reported by the kernel.
      type: str
      returned: when services were read
      sample: 1.2.1
    size:
      description: Size of the connection hash table.
      type: int
      returned: when services were read
      sample: 4096
    rules:
      description: The table as C(ipvsadm -R) rules, including real server thresholds.
      type: str
      sample: "-A -t 192.0.2.10:80 -s wrr\n-a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 1\n"
    services:
      description:
        - Services in the format of M(lvs.cluster.ipvs_rules) C(config). Each service has C(stats) and C(rate)
          (when gathered) and each real server also C(active_conns) and C(inactive_conns).
      type: list
      elements: dict
      sample:
        - protocol: tcp
          family: ipv4
          address: 192.0.2.10
          port: 80
          fwmark: null
          scheduler: wrr
          sched_flags: []
          persistence: 0
          netmask: null
          persistence_engine: null
          one_packet: false
          stats: {conns: 5, inpkts: 5, outpkts: 5, inbytes: 300, outbytes: 200}
          destinations:
            - address: 10.0.0.11
              port: 80
              forwarding: dr
              weight: 1
              upper_threshold: 0
              lower_threshold: 0
              tun_type: null
              tun_port: null
              tun_csum: null
              active_conns: 0
              inactive_conns: 5
              stats: {conns: 5, inpkts: 5, outpkts: 5, inbytes: 300, outbytes: 200}
    timeouts:
      description: TCP, TCP FIN and UDP timeouts in seconds.
      type: dict
      sample: {tcp: 900, tcpfin: 120, udp: 300}
    daemons:
      description: Running connection synchronisation daemons.
      type: list
      elements: dict
      sample:
        - state: master
          mcast_interface: eth1
          syncid: 7
          sync_maxlen: 1472
          mcast_group: 224.0.0.81
          mcast_port: 8848
          mcast_ttl: 1
'''

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_tasks import run_info
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        {'gather_subset': {'type': 'list', 'elements': 'str', 'default': ['all']}},
        supports_check_mode=True,
    )
    run_info(module)


if __name__ == '__main__':
    main()
