# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render services and real servers as ipvsadm rule lines (the ``ipvsadm -Sn`` / ``-R`` format).

Rendering a table parsed from ``ipvsadm -Sn`` gives back the kernel's text byte for byte, with
two deliberate exceptions: fwmarks of 2^31 and above are written unsigned (ipvsadm 1.31 prints
them as negative numbers that its own ``-R`` refuses), and real-server thresholds, which
``ipvsadm -Sn`` loses, are appended as ``-x``/``-y`` when not zero.
"""

from __future__ import annotations

from typing import List

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import Destination, Service, Table
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_options import DEST_OPTIONS, SERVICE_OPTIONS


def _options(obj, options, thresholds: bool = True) -> str:
    parts: List[str] = []
    for opt in options:
        if thresholds or opt.saved:
            parts.extend(opt.rule_tokens(obj))
    return ' '.join(parts)


def service_options(svc: Service) -> str:
    """The option part of an ``-A``/``-E`` rule, in ipvsadm's order: -s -p -M --pe -o -b."""
    return _options(svc, SERVICE_OPTIONS)


def dest_options(dest: Destination, thresholds: bool = True) -> str:
    """The option part of an ``-a``/``-e`` rule: forwarding, weight, tunnel, thresholds."""
    return _options(dest, DEST_OPTIONS, thresholds)


def add_service(svc: Service) -> str:
    return '-A %s %s' % (svc.name, service_options(svc))


def edit_service(svc: Service) -> str:
    return '-E %s %s' % (svc.name, service_options(svc))


def delete_service(svc: Service) -> str:
    return '-D %s' % svc.name


def add_dest(svc: Service, dest: Destination, thresholds: bool = True) -> str:
    return '-a %s -r %s %s' % (svc.name, dest.name, dest_options(dest, thresholds))


def edit_dest(svc: Service, dest: Destination) -> str:
    return '-e %s -r %s %s' % (svc.name, dest.name, dest_options(dest))


def delete_dest(svc: Service, dest: Destination) -> str:
    return '-d %s -r %s' % (svc.name, dest.name)


def render_service(svc: Service, thresholds: bool = True) -> List[str]:
    return [add_service(svc)] + [add_dest(svc, d, thresholds) for d in svc.destinations]


def render_table(table: Table, thresholds: bool = True) -> List[str]:
    """The table as restore lines (what ``ipvsadm -R`` reads and ``ipvsadm -Sn`` prints)."""
    lines: List[str] = []
    for svc in table.services:
        lines.extend(render_service(svc, thresholds))
    return lines


def render_text(lines: List[str]) -> str:
    return ''.join(line + '\n' for line in lines)
