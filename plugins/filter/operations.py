# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the day-2 playbooks; the logic is in plugin_utils/operations.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.lvs.cluster.plugins.plugin_utils import operations
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors


def handover_plan(model, hosts, results, target=''):
    states = {h: ((r or {}).get('keepalived') or {}).get('instances') or [] for h, r in zip(hosts, results)}
    errors = Errors()
    plan = operations.handover_plan(model, states, target or '', errors)
    if errors:
        raise AnsibleFilterError('; '.join(errors))
    return plan


def check_targets(model, names):
    return operations.check_targets(model, names)


def status_report(model, director, ipvs, keepalived=None, lock_text='', bgp=None):
    return operations.status(model, director, ipvs or {}, keepalived, lock_text or '', bgp)


def status_text(reports):
    return operations.status_text(list(reports))


class FilterModule:
    def filters(self):
        return {'handover_plan': handover_plan, 'check_targets': check_targets, 'status_report': status_report,
                'status_text': status_text}
