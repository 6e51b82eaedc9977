#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ipvs_service
short_description: Manage an IPVS (Linux Virtual Server) virtual service
version_added: 0.1.0
description:
  - Create, change or remove one IPVS virtual service, identified by protocol, address and port
    (TCP, UDP, SCTP; IPv4 or IPv6) or by a firewall mark and address family.
  - Options are compared with the live table exactly as C(ipvsadm -Sn) prints them; only real differences
    cause a change, applied in place with C(ipvsadm -E) where the kernel allows it.
  - Optionally manages the service's real servers in the same batch of changes (O(destinations)).
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
  - lvs.cluster.ipvs.service
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.attributes
options:
  protocol:
    description:
      - Service protocol, V(tcp) (default), V(udp) or V(sctp). Not used with O(fwmark).
    type: str
  address:
    description:
      - Virtual IP address (IPv4 or IPv6) of the service. Mutually exclusive with O(fwmark).
      - Written without prefix or scope; multicast, broadcast and unspecified addresses are refused (IPVS
        schedules only packets addressed to the host).
    type: str
  port:
    description:
      - Virtual port, required with O(address). V(0) (all ports) needs O(persistence).
    type: int
  fwmark:
    description:
      - Firewall mark 1 to 4294967295 that identifies a fwmark service instead of O(address)/O(port).
    type: int
  family:
    description:
      - Address family V(ipv4) or V(ipv6). Needed for IPv6 fwmark services (the default is V(ipv4));
        for address services it is taken from O(address).
    type: str
  state:
    description:
      - V(present) makes sure the service exists with the given options, V(absent) removes it and its real servers.
    type: str
    choices: [present, absent]
    default: present
  destinations:
    description:
      - Real servers of the service. When omitted, the real servers are not touched.
      - Listed real servers are added or changed; others are kept unless O(purge_destinations=true).
      - Each entry takes the options of M(lvs.cluster.ipvs_dest).
    type: list
    elements: dict
    suboptions:
      address:
        description: Real server IP address.
        type: str
        required: true
      port:
        description:
          - Real server port. Defaults to the service port (V(0) for fwmark services); only V(nat) can map
            to a different port.
        type: int
      forwarding:
        description: V(dr) (default), V(nat) or V(tun), see M(lvs.cluster.ipvs_dest).
        type: str
      weight:
        description: Weight 0 to 65535, default 1.
        type: int
      upper_threshold:
        description: Upper connection threshold, default 0 (none).
        type: int
      lower_threshold:
        description: Lower connection threshold, default 0.
        type: int
      tun_type:
        description: V(ipip) (default), V(gue) or V(gre), only with O(destinations[].forwarding=tun).
        type: str
      tun_port:
        description: GUE destination port, required with O(destinations[].tun_type=gue).
        type: int
      tun_csum:
        description: V(nocsum) (default), V(csum) or V(remcsum) (gue only) for gue and gre tunnels.
        type: str
  purge_destinations:
    description:
      - Remove real servers that are not listed in O(destinations). New real servers are always added
        before old ones are removed.
    type: bool
    default: false
seealso:
  - module: lvs.cluster.ipvs_dest
  - module: lvs.cluster.ipvs_rules
  - module: lvs.cluster.ipvs_info
'''

EXAMPLES = r'''
- name: HTTP service with weighted round robin
  lvs.cluster.ipvs_service:
    protocol: tcp
    address: 192.0.2.10
    port: 80
    scheduler: wrr

- name: Persistent HTTPS per /24 with its real servers, removing any others
  lvs.cluster.ipvs_service:
    address: 192.0.2.10
    port: 443
    scheduler: wlc
    persistence: 600
    netmask: 255.255.255.0
    destinations:
      - address: 10.0.0.11
        forwarding: dr
      - address: 10.0.0.12
        forwarding: dr
        weight: 2
    purge_destinations: true

- name: IPv6 firewall-mark service with source hashing that falls back on overloaded servers
  lvs.cluster.ipvs_service:
    fwmark: 6
    family: ipv6
    scheduler: sh
    sched_flags: [sh-fallback, sh-port]

- name: SIP over UDP with the SIP persistence engine and one-packet scheduling
  lvs.cluster.ipvs_service:
    protocol: udp
    address: 192.0.2.20
    port: 5060
    persistence: 60
    persistence_engine: sip
    one_packet: true

- name: Remove a service
  lvs.cluster.ipvs_service:
    protocol: sctp
    address: 2001:db8::1
    port: 3868
    state: absent
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
service:
  description: The service after the change (empty when absent), in the format of M(lvs.cluster.ipvs_rules) C(config).
  returned: always
  type: dict
  sample:
    protocol: tcp
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
commands:
  description: The C(ipvsadm -R) lines that were (or in check mode would be) applied, in order.
  returned: always
  type: list
  elements: str
  sample: ["-E -t 192.0.2.10:80 -s wrr", "-a -t 192.0.2.10:80 -r 10.0.0.12:80 -g -w 2"]
'''

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_args import (
    COMMON_ARGS,
    SERVICE_KEY_ARGS,
    SERVICE_OPTION_ARGS,
    destination_list_arg,
    spec,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_tasks import run_service
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        spec(
            SERVICE_KEY_ARGS, SERVICE_OPTION_ARGS, COMMON_ARGS,
            state={'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            destinations=destination_list_arg(),
            purge_destinations={'type': 'bool', 'default': False},
        ),
        mutually_exclusive=[('fwmark', 'address')],
        required_one_of=[('fwmark', 'address')],
        supports_check_mode=True,
    )
    run_service(module)


if __name__ == '__main__':
    main()
