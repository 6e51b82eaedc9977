#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ipvs_rules
short_description: Manage the whole IPVS table as a resource
version_added: 0.1.0
description:
  - Resource module for the IPVS table. Converges any number of services and real servers with one
    batch of changes, ordered so that no service passes through zero real servers.
  - Can also render C(ipvsadm-restore) text without touching the host, parse such text, return the live
    table in the same format, and write the resulting rules to a file that restores them at boot.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
  - ansible.builtin.action_common_attributes
  - lvs.cluster.ipvs.attributes
  - ansible.builtin.files
  - lvs.cluster.ipvs.backup
options:
  config:
    description:
      - The services. Each entry is identified by O(config[].protocol)/O(config[].address)/O(config[].port)
        or by O(config[].fwmark)/O(config[].family).
      - The options and their validation are those of M(lvs.cluster.ipvs_service) and M(lvs.cluster.ipvs_dest).
    type: list
    elements: dict
    suboptions:
      protocol:
        description: V(tcp) (default), V(udp) or V(sctp).
        type: str
      address:
        description: Virtual IP address.
        type: str
      port:
        description: Virtual port.
        type: int
      fwmark:
        description: Firewall mark (instead of address and port).
        type: int
      family:
        description: V(ipv4) or V(ipv6); needed for IPv6 fwmark services.
        type: str
      scheduler:
        description: Scheduler (V(wlc) by default), see M(lvs.cluster.ipvs_service).
        type: str
      sched_flags:
        description: Scheduler flags, see M(lvs.cluster.ipvs_service).
        type: list
        elements: str
      persistence:
        description: Persistence timeout in seconds, V(0) for none.
        type: int
      netmask:
        description: Persistence netmask (IPv4 dotted or prefix length, IPv6 prefix length).
        type: str
      persistence_engine:
        description: V(sip) or empty.
        type: str
      one_packet:
        description: One-packet scheduling (UDP and fwmark services).
        type: bool
      destinations:
        description: The real servers of the service.
        type: list
        elements: dict
        suboptions:
          address:
            description: Real server address.
            type: str
            required: true
          port:
            description: Real server port (the service port by default; V(0) for fwmark services).
            type: int
          forwarding:
            description: V(dr) (default), V(nat) or V(tun).
            type: str
          weight:
            description: Weight 0 to 65535 (default 1).
            type: int
          upper_threshold:
            description: Upper connection threshold (default 0, none).
            type: int
          lower_threshold:
            description: Lower connection threshold (default 0).
            type: int
          tun_type:
            description: V(ipip) (default), V(gue) or V(gre).
            type: str
          tun_port:
            description: GUE port.
            type: int
          tun_csum:
            description: V(nocsum), V(csum) or V(remcsum).
            type: str
  state:
    description:
      - V(merged) adds and updates the listed services and real servers; options that are not given keep their
        live values and unlisted real servers are kept.
      - V(replaced) makes each listed service exactly as given (unlisted real servers are removed, unset options
        take their defaults); other services are not touched.
      - V(overridden) makes the whole table exactly O(config); every other service is removed.
      - V(deleted) removes the listed services (all services when O(config) is empty). An entry that lists
        O(config[].destinations) removes only those real servers.
      - V(gathered) returns the live table in the O(config) format.
      - V(rendered) returns O(config) as C(ipvsadm -R) lines without contacting the kernel.
      - V(parsed) converts O(running_config) (C(ipvsadm -Sn) output or a rules file) to the O(config) format.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered, parsed]
    default: merged
  running_config:
    description:
      - C(ipvsadm -Sn)/C(ipvsadm-save -n) text to parse with O(state=parsed).
    type: str
  dest:
    description:
      - Also write the resulting table as C(ipvsadm -R) text to this file (for example C(/etc/ipvsadm.rules),
        which the Debian C(ipvsadm) service restores at boot). Real server thresholds are included.
      - The file has no comment lines because C(ipvsadm -R) rejects them.
      - Used with every state but V(parsed); with V(rendered) it receives the rendered O(config).
      - The file options (O(mode), O(owner), ...) apply to this file; a new file gets mode V(0644).
    type: path
seealso:
  - module: lvs.cluster.ipvs_service
  - module: lvs.cluster.ipvs_dest
  - module: lvs.cluster.ipvs_info
'''

EXAMPLES = r'''
- name: Exactly these two services, and persist them for the next boot
  lvs.cluster.ipvs_rules:
    state: overridden
    dest: /etc/ipvsadm.rules
    config:
      - address: 192.0.2.10
        port: 80
        scheduler: wrr
        destinations:
          - {address: 10.0.0.11, weight: 2}
          - {address: 10.0.0.12}
      - protocol: udp
        address: 192.0.2.10
        port: 53
        scheduler: rr
        one_packet: true
        destinations:
          - {address: 10.0.0.21, port: 5353, forwarding: nat}

- name: Change one weight, leave everything else alone
  lvs.cluster.ipvs_rules:
    state: merged
    config:
      - address: 192.0.2.10
        port: 80
        destinations:
          - {address: 10.0.0.12, weight: 0}

- name: Render restore text without touching the host
  lvs.cluster.ipvs_rules:
    state: rendered
    config:
      - fwmark: 5
        scheduler: mh
        sched_flags: [mh-port]
  register: out

- name: Parse saved rules
  lvs.cluster.ipvs_rules:
    state: parsed
    running_config: "{{ lookup('ansible.builtin.file', 'ipvsadm.rules') }}"

- name: Remove one service
  lvs.cluster.ipvs_rules:
    state: deleted
    config:
      - {protocol: udp, address: 192.0.2.10, port: 53}
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
before:
  description:
    - The table before the change, in the O(config) format.
    - Not returned when nothing changed, as O(state=gathered) returns the table; a copy of a large unchanged table
      in every result cost more than the rest of a no-change run.
  returned: when O(state) is merged, replaced, overridden or deleted, and the table changed
  type: list
  elements: dict
after:
  description:
    - The table after the change (predicted in check mode), in the O(config) format.
  returned: when O(state) is merged, replaced, overridden or deleted, and the table changed
  type: list
  elements: dict
commands:
  description: The C(ipvsadm -R) batch that was (or in check mode would be) applied.
  returned: when O(state) is merged, replaced, overridden or deleted
  type: list
  elements: str
  sample: ["-A -t 192.0.2.10:80 -s wrr", "-a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 2", "-D -u 192.0.2.10:53"]
rendered:
  description: O(config) as C(ipvsadm -R) lines.
  returned: when O(state=rendered)
  type: list
  elements: str
  sample: ["-A -f 5 -s mh -b mh-port"]
gathered:
  description: The live table in the O(config) format.
  returned: when O(state=gathered)
  type: list
  elements: dict
parsed:
  description: O(running_config) in the O(config) format.
  returned: when O(state=parsed)
  type: list
  elements: dict
dest_changed:
  description: Whether O(dest) was (or would be) changed.
  returned: when O(dest) is set
  type: bool
backup_file:
  description: The copy made by O(backup) before the file was changed.
  returned: when a backup was made
  type: str
  sample: /etc/ipvsadm.rules.12345.2026-12-02@03:30:00~
'''

from ansible_collections.lvs.cluster.plugins.module_utils.file_update import FILE_ARGS
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_args import COMMON_ARGS, service_config_arg, spec
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_diff import RULES_STATES
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_tasks import run_rules
from ansible_collections.lvs.cluster.plugins.module_utils.module_args import new_module


def main():
    module = new_module(
        spec(
            COMMON_ARGS,
            config=service_config_arg(),
            state={'type': 'str', 'choices': list(RULES_STATES), 'default': 'merged'},
            running_config={'type': 'str'},
            dest={'type': 'path'},
            **FILE_ARGS,
        ),
        checked_here=('config',),  # a whole table: one pass over its entries (module_args.new_module)
        add_file_common_args=True,
        supports_check_mode=True,
    )
    run_rules(module)


if __name__ == '__main__':
    main()
