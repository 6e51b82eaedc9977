#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: cluster_model
short_description: Build and validate the LVS cluster model from the inventory
version_added: 0.1.0
description:
  - Runs on the controller (an action plugin). Reads the C(lvs_*) variables, the director and real-server
    groups and every host's C(lvs_real_address), C(lvs_weight) and C(lvs_vrrp_priority), checks every field
    (type, range, unknown keys, strict addresses, safe names) and the cluster as a whole (duplicates, hosts
    in both groups, VIP collisions, NAT networks, VRRP ids and priorities, port mapping), and returns the
    normalised model as the fact C(lvs_model).
  - All errors are reported in one run, each naming the field path and the bad value; secrets are never
    printed.
  - Cluster-wide variables must have the same value on every host of both groups.
  - For a director (unless O(static=true)) it also finds, from the director's network facts, the interfaces
    carrying the VIP and the NAT internal VIP; the facts are gathered when missing.
  - The roles of this collection call it first; the validate role calls it once with O(static=true) before
    any fact gathering, so an unreachable host never hides a model error.
author:
  - lvs.cluster maintainers (@lvs-cluster)
options:
  static:
    description:
      - Only the static model, from inventory variables; no facts, no host contacted.
    type: bool
    default: false
  peers:
    description:
      - Also return the unicast VRRP peer addresses (the other directors' addresses on the VIP networks),
        from the other directors' facts (gather them first).
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
    details: Runs on the controller; it contacts no host except to gather a director's missing network facts.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: It never changes a host.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: all
seealso:
  - module: lvs.cluster.ipvs_rules
notes:
  - The reference of every variable is roles/lvs/README.md; the types and ranges are declared once, in
    plugins/plugin_utils/cluster_schema.py.
'''

EXAMPLES = r'''
- name: Check the whole cluster before touching any host
  lvs.cluster.cluster_model:
    static: true
  run_once: true
  delegate_to: localhost

- name: The model for this director, with its interfaces
  lvs.cluster.cluster_model:

- name: Show the real servers of the first service
  ansible.builtin.debug:
    msg: "{{ lvs_model.services[0].destinations | map(attribute='address') }}"
'''

RETURN = r'''
ansible_facts:
  description: The normalised model.
  returned: success
  type: dict
  contains:
    lvs_model:
      description:
        - The cluster as the roles render it. C(services) have every default filled in, C(destinations) (host,
          address, port, weight, forwarding) and a complete C(health_check); C(priorities) maps each director
          to its VRRP priority; C(realserver_modes) each real server to its forwarding method; C(mark_rules)
          are the iptables MARK rules of the firewall-mark services; C(host) is the view of the running host
          (its roles, interfaces, priority, forwarding method and, with O(peers=true), unicast peers).
        - The VRRP secret is not in it.
      type: dict
      sample:
        vip: 192.0.2.10
        forwardings: [dr]
        directors: [director1, director2]
        priorities: {director1: 150, director2: 100}
        host: {name: director1, director: true, public_interface: eth0}
'''
