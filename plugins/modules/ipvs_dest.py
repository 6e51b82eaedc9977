#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ipvs_dest
short_description: Manage a real server (destination) of an IPVS virtual service
version_added: 0.1.0
description:
  - Add, change, quiesce or remove one real server of an existing IPVS virtual service.
  - Changes are made in place with C(ipvsadm -e) when only options change; a real server whose address or
    effective port changes is added before the old one is removed.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
  - lvs.cluster.ipvs.destination
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.attributes
options:
  protocol:
    description: Protocol of the service, V(tcp) (default), V(udp) or V(sctp). Not used with O(fwmark).
    type: str
  service_address:
    description: Virtual IP address of the service. Mutually exclusive with O(fwmark).
    type: str
    aliases: [vip]
  service_port:
    description: Virtual port of the service, required with O(service_address).
    type: int
    aliases: [vport]
  fwmark:
    description: Firewall mark of a fwmark service.
    type: int
  family:
    description: V(ipv4) (default) or V(ipv6), for fwmark services.
    type: str
  address:
    description:
      - IP address of the real server, written without prefix or scope; multicast, broadcast and unspecified
        addresses are refused (IPVS balances only unicast traffic).
      - An IPv6 real server in an IPv4 service (or the reverse) needs O(forwarding=tun).
    type: str
    required: true
    aliases: [real_server, rip]
  port:
    description:
      - Port of the real server. Defaults to the service port, or V(0) for fwmark services.
      - Only O(forwarding=nat) can use a port other than the service port (C(ipvsadm) ignores it otherwise).
    type: int
    aliases: [rport]
  state:
    description:
      - V(present) adds or updates the real server, V(absent) removes it.
      - V(quiesced) keeps (or adds) it with weight 0, so it gets no new connections while existing ones continue.
    type: str
    choices: [present, absent, quiesced]
    default: present
seealso:
  - module: lvs.cluster.ipvs_service
  - module: lvs.cluster.ipvs_rules
'''

EXAMPLES = r'''
- name: Direct-routing real server
  lvs.cluster.ipvs_dest:
    service_address: 192.0.2.10
    service_port: 80
    address: 10.0.0.11
    forwarding: dr
    weight: 100

- name: NAT real server on another port with connection thresholds
  lvs.cluster.ipvs_dest:
    protocol: tcp
    vip: 192.0.2.10
    vport: 80
    address: 10.0.0.12
    port: 8080
    forwarding: nat
    upper_threshold: 1000
    lower_threshold: 800

- name: GUE tunnel real server with checksums
  lvs.cluster.ipvs_dest:
    fwmark: 10
    address: 198.51.100.7
    forwarding: tun
    tun_type: gue
    tun_port: 6080
    tun_csum: csum

- name: Drain a real server before maintenance
  lvs.cluster.ipvs_dest:
    service_address: 192.0.2.10
    service_port: 80
    address: 10.0.0.11
    state: quiesced
'''

RETURN = r'''
table_reader:
  description:
    - How the live table was read, V(netlink) (generic netlink, the interface C(ipvsadm) uses) or V(ipvsadm)
      (C(ipvsadm -Sn), after netlink failed; the module then also warns why).
  returned: when the module read the live table
  type: str
  sample: netlink
table_writer:
  description:
    - How the changes were applied, V(netlink) (generic netlink, many requests per send) or V(ipvsadm)
      (one C(ipvsadm -R) batch, after netlink failed; the module then also warns why).
  returned: when the module changed the table
  type: str
  sample: netlink
destination:
  description: The real server after the change (empty when absent).
  returned: always
  type: dict
  sample:
    address: 10.0.0.12
    port: 8080
    forwarding: nat
    weight: 1
    upper_threshold: 1000
    lower_threshold: 800
    tun_type: null
    tun_port: null
    tun_csum: null
service:
  description: The whole service after the change, in the format of M(lvs.cluster.ipvs_rules) C(config).
  returned: always
  type: dict
commands:
  description: The C(ipvsadm -R) lines that were (or in check mode would be) applied.
  returned: always
  type: list
  elements: str
  sample: ["-e -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 0"]
'''

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_args import COMMON_ARGS, DEST_OPTION_ARGS, spec
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_tasks import run_dest
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        spec(
            DEST_OPTION_ARGS, COMMON_ARGS,
            protocol={'type': 'str'},
            service_address={'type': 'str', 'aliases': ['vip']},
            service_port={'type': 'int', 'aliases': ['vport']},
            fwmark={'type': 'int'},
            family={'type': 'str'},
            address={'type': 'str', 'required': True, 'aliases': ['real_server', 'rip']},
            port={'type': 'int', 'aliases': ['rport']},
            state={'type': 'str', 'choices': ['present', 'absent', 'quiesced'], 'default': 'present'},
        ),
        mutually_exclusive=[('fwmark', 'service_address')],
        required_one_of=[('fwmark', 'service_address')],
        supports_check_mode=True,
    )
    run_dest(module)


if __name__ == '__main__':
    main()
