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

FORWARD_SWITCH = {'dr': '-g', 'nat': '-m', 'tun': '-i'}


def service_options(svc: Service) -> str:
    """The option part of an ``-A``/``-E`` rule, in ipvsadm's order: -s -p -M --pe -o -b."""
    parts = ['-s', svc.scheduler]
    if svc.persistence:
        parts += ['-p', str(svc.persistence)]
        if svc.netmask is not None:
            parts += ['-M', svc.netmask]
    if svc.persistence_engine:
        parts += ['--pe', svc.persistence_engine]
    if svc.one_packet:
        parts.append('-o')
    if svc.sched_flags:
        parts += ['-b', ','.join(svc.sched_flags)]
    return ' '.join(parts)


def dest_options(dest: Destination, thresholds: bool = True) -> str:
    """The option part of an ``-a``/``-e`` rule: forwarding, weight, tunnel, thresholds."""
    parts = [FORWARD_SWITCH[dest.forwarding], '-w', str(dest.weight)]
    if dest.forwarding == 'tun':
        parts += ['--tun-type', dest.tun_type or 'ipip']
        if dest.tun_type == 'gue':
            parts += ['--tun-port', str(dest.tun_port)]
        if dest.tun_type in ('gue', 'gre'):
            parts.append('--tun-%s' % (dest.tun_csum or 'nocsum'))
    if thresholds:
        if dest.upper_threshold:
            parts += ['-x', str(dest.upper_threshold)]
        if dest.lower_threshold:
            parts += ['-y', str(dest.lower_threshold)]
    return ' '.join(parts)


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
