# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The VIPs of a DR or TUN real server (lvs.cluster.realserver_vips): on lo, tunl0 or ip6tnl0 now, again at every
boot through a unit of its own, and those an earlier run put there and no longer wanted removed (a record in a
state file: addresses added by hand are left alone). Pure functions here; the module runs the commands."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Dict, List, Optional, Tuple

DEVICES = ('lo', 'tunl0', 'ip6tnl0')
MODULE_OF = {'tunl0': 'ipip', 'ip6tnl0': 'ip6_tunnel'}  # the module whose fallback device it is
LABEL_RE = re.compile(r'^lo(:[A-Za-z0-9_.-]{1,12})?$')


class VipError(Exception):
    """A validation error; the message names the field and the value."""


def validate(addresses: Any, lo_label: str = 'lo:0') -> List[Dict[str, str]]:
    """ADDRESSES: [{cidr, dev, label}] -> normalised, each checked (a host route of a unicast address on one of
    DEVICES; a label only on lo, for IPv4). An IPv4 address on lo without a label gets one by its position:
    LO_LABEL for the first, then lo:1, lo:2, ... (lo:N is the N-th address of the list)."""
    if not isinstance(lo_label, str) or not LABEL_RE.match(lo_label):
        raise VipError('lo_label: %r is not lo or lo:NAME (at most 15 characters)' % (lo_label,))
    if not isinstance(addresses, list):
        raise VipError('addresses: %r is not a list' % (addresses,))
    out: List[Dict[str, str]] = []
    for i, item in enumerate(addresses):
        where = 'addresses[%d]' % i
        if not isinstance(item, dict):
            raise VipError('%s: %r is not a mapping of cidr, dev and label' % (where, item))
        unknown = sorted(set(item) - {'cidr', 'dev', 'label'})
        if unknown:
            raise VipError('%s.%s: unknown key (known: cidr, dev, label)' % (where, unknown[0]))
        try:
            iface = ipaddress.ip_interface(str(item.get('cidr')))
        except ValueError:
            raise VipError('%s.cidr: %r is not an address/prefix' % (where, item.get('cidr'))) from None
        if iface.network.prefixlen != iface.max_prefixlen or iface.ip.is_multicast or iface.ip.is_unspecified \
                or iface.ip.is_loopback:
            raise VipError('%s.cidr: %r is not a VIP as a host route (/32 or /128 of a unicast address)'
                           % (where, item.get('cidr')))
        dev = item.get('dev')
        if dev not in DEVICES:
            raise VipError('%s.dev: %r is not one of %s' % (where, dev, ', '.join(DEVICES)))
        if dev != 'lo' and (dev == 'ip6tnl0') != (iface.version == 6):
            raise VipError('%s.dev: %s carries IPv%d VIPs, not %s'
                           % (where, dev, 4 if dev == 'tunl0' else 6, iface.with_prefixlen))
        label = item.get('label') or ''
        if not label and dev == 'lo' and iface.version == 4:
            label = lo_label if i == 0 else '%s:%d' % (lo_label.split(':')[0], i)
        if label and (dev != 'lo' or iface.version != 4 or not LABEL_RE.match(label)):
            raise VipError('%s.label: %r is not a label of an IPv4 address on lo (lo or lo:NAME)' % (where, label))
        entry = {'cidr': iface.with_prefixlen, 'dev': dev, 'label': label}
        if any(e['cidr'] == entry['cidr'] and e['dev'] == dev for e in out):
            raise VipError('%s.cidr: %s on %s is listed twice' % (where, entry['cidr'], dev))
        out.append(entry)
    return out


def live_addresses(ip_output: str) -> List[Tuple[str, str]]:
    """(cidr, device) of every address in `ip -o addr show` output."""
    out = []
    for line in ip_output.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2] in ('inet', 'inet6'):
            out.append((str(ipaddress.ip_interface(fields[3])), fields[1].split('@')[0]))
    return out


def recorded(text: Optional[str]) -> List[Dict[str, str]]:
    """The state file's record ([{cidr, dev}]); an unreadable record counts as empty."""
    try:
        data = json.loads(text) if text else []
    except ValueError:
        return []
    return [d for d in data if isinstance(d, dict) and 'cidr' in d and 'dev' in d] if isinstance(data, list) else []


def plan(wanted: List[Dict[str, str]], live: List[Tuple[str, str]], record: List[Dict[str, str]]):
    """(to add, to remove): the wanted addresses that are not live, and the recorded ones no longer wanted that
    are still live."""
    live_set = set(live)
    add = [w for w in wanted if (w['cidr'], w['dev']) not in live_set]
    want_set = {(w['cidr'], w['dev']) for w in wanted}
    remove = [r for r in record if (r['cidr'], r['dev']) not in want_set and (r['cidr'], r['dev']) in live_set]
    return add, remove


def add_command(entry: Dict[str, str]) -> List[str]:
    cmd = ['addr', 'replace', entry['cidr'], 'dev', entry['dev']]
    return cmd + (['label', entry['label']] if entry['label'] else [])


def unit(wanted: List[Dict[str, str]], header: str) -> str:
    """The systemd unit that puts the VIPs back at every boot: after network.target (after whatever manages the
    network: ifupdown, NetworkManager or systemd-networkd, so that nothing it does at start removes them), the
    tunnel modules loaded and their devices up first. The ARP sysctls are applied by systemd-sysctl before any
    network unit starts."""
    devices = [d for d in DEVICES if any(w['dev'] == d for w in wanted)]
    vips = ', '.join(w['cidr'].split('/')[0] for w in wanted)
    lines = [header, '[Unit]', 'Description=LVS real server: VIPs %s on %s' % (vips, ', '.join(devices)),
             'After=network.target systemd-sysctl.service systemd-modules-load.service', 'Wants=network.target', '',
             '[Service]', 'Type=oneshot', 'RemainAfterExit=yes']
    for dev in devices:
        if dev != 'lo':
            # '-': a container cannot load modules (its host has them loaded); the device's absence fails below
            lines += ['ExecStartPre=-/sbin/modprobe %s' % MODULE_OF[dev], 'ExecStartPre=/sbin/ip link set dev %s up'
                      % dev]
    lines += ['ExecStart=/sbin/ip %s' % ' '.join(add_command(w)) for w in wanted]
    return '\n'.join([*lines, '', '[Install]', 'WantedBy=multi-user.target', ''])
