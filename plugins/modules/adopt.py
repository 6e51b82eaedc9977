#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: adopt
short_description: Write the inventory of an LVS cluster built by hand
version_added: 0.2.0
description:
  - Runs on the controller (an action plugin), after M(lvs.cluster.adopt_info) ran on every director and real
    server. Maps what it read (keepalived.conf, ldirectord.cf, the live table, rules files, addresses, ARP
    settings, MARK rules) to an inventory directory of this collection, checks it with the cluster model, and
    writes it with C(ADOPT-REPORT.md) - what was mapped, what the model cannot express (the original line, its file
    and number), where the directors disagree, the real servers that are not inventory hosts.
  - The VRRP secret goes to C(group_vars/all/vault.yml) only (mode 0600, encrypted with O(vault_password_file)); it
    is never in the result or the report.
  - ldirectord's checks become keepalived's (C(checktype=negotiate) with C(service=http) becomes HTTP_GET of the
    request's path, C(connect) TCP_CHECK, C(on)/C(off) none, C(fallback) the sorry server, C(quiescent=yes)
    inhibit_on_failure) and the director role replaces ldirectord by keepalived.
  - The playbook C(lvs.cluster.adopt) runs both.
author:
  - lvs.cluster maintainers (@lvs-cluster)
options:
  dest:
    description: The inventory directory to write (the playbook's C(lvs_adopt_dir)).
    type: path
    default: ./adopted
  info:
    description: The variable in which each host registered the result of M(lvs.cluster.adopt_info).
    type: str
    default: adopt_read
  vault_password_file:
    description: Encrypt the vault file with the password in this file (as ansible-vault does).
    type: path
  force:
    description: Replace an inventory already in O(dest).
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Maps and checks; writes nothing.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: all
seealso:
  - module: lvs.cluster.adopt_info
'''

EXAMPLES = r'''
- name: Write the inventory
  lvs.cluster.adopt:
    dest: ./adopted
  run_once: true
  delegate_to: localhost
'''

RETURN = r'''
files:
  description: The files written.
  returned: success
  type: list
  elements: str
summary:
  description: How many lines were mapped, left out, where directors disagree, and unmanaged real servers.
  returned: success
  type: dict
errors:
  description: The cluster model's errors of the adopted inventory (none expected).
  returned: always
  type: list
  elements: str
'''
