# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""keepalived's own view, from the data dumps it writes on SIGUSR1 (keepalived --signum=DATA).

keepalived writes /tmp/keepalived.data (the VRRP process: instances, their state, priorities and
VIPs) and /tmp/keepalived_check.data (the checker process: virtual servers and what its health checks
think of each real server). The dumps also hold the VRRP password: only the lines read below are
taken, and the module removes the files once read.
"""

from __future__ import annotations

import re

VRRP_FILE = '/tmp/keepalived.data'
CHECK_FILE = '/tmp/keepalived_check.data'

_KV = re.compile(r'^\s*([^=]+?)\s*=\s*(.*?)\s*$')
_RS = re.compile(r'^\s*RIP = (\S+?), RPORT = (\d+), WEIGHT = (-?\d+)(?: EFF WEIGHT = (-?\d+))?')
_VS_ADDR = re.compile(r'^\s*VS VIP = \[?([^\],]+)\]?, VPORT = (\d+)')
_VS_MARK = re.compile(r'^\s*VS FWMARK = (\d+)')
_VS_GROUP = re.compile(r'^\s*VS GROUP = (\S+)')
_VIP = re.compile(r'^\s+(\S+) dev (\S+)')
STATES = ('INIT', 'BACKUP', 'MASTER', 'FAULT', 'DELETED', 'STOP')


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_vrrp(text):
    """The VRRP instances of keepalived.data: name, state, interface, priorities, VIPs, master router."""
    instances, cur, in_topology, vip_count = [], None, False, 0
    for line in text.splitlines():
        if line.startswith('------<'):
            in_topology = 'VRRP Topology' in line
            cur = None
            continue
        if not in_topology:
            continue
        if line.startswith(' VRRP Instance = '):
            cur = {'name': line.split('=', 1)[1].strip(), 'state': None, 'wantstate': None, 'interface': None,
                   'vrid': None, 'priority': None, 'effective_priority': None, 'master_router': None,
                   'master_priority': None, 'preempt': None, 'vips': []}
            instances.append(cur)
            vip_count = 0
            continue
        if cur is None:
            continue
        if vip_count:
            m = _VIP.match(line)
            if m and '=' not in line:
                cur['vips'].append({'address': m.group(1), 'interface': m.group(2)})
                vip_count -= 1
                continue
            vip_count = 0
        if line.strip().startswith('Virtual IP ('):
            vip_count = _int(line.strip()[len('Virtual IP ('):].split(')')[0]) or 0
            continue
        m = _KV.match(line)
        if not m or line.strip().startswith('Password'):
            continue
        key, value = m.group(1), m.group(2)
        if key == 'State':
            cur['state'] = value
        elif key == 'Wantstate':
            cur['wantstate'] = value
        elif key == 'Interface':
            cur['interface'] = value
        elif key == 'Virtual Router ID':
            cur['vrid'] = _int(value)
        elif key == 'Priority':
            cur['priority'] = _int(value)
        elif key == 'Effective priority':
            cur['effective_priority'] = _int(value)
        elif key == 'Master router':
            cur['master_router'] = value
        elif key == 'Master priority':
            cur['master_priority'] = _int(value)
        elif key == 'Preempt':
            cur['preempt'] = value == 'enabled'
    return instances


def parse_check(text):
    """The virtual servers of keepalived_check.data with keepalived's view of each real server."""
    servers, vs, rs, section = [], None, None, ''
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith('------<'):
            section = stripped
            if 'Virtual server' in stripped or 'LVS Topology' in stripped:
                rs = None
            if 'Health checkers' in stripped:
                vs = rs = None
            continue
        if 'Virtual server' not in section and 'Real server' not in section:
            continue
        m_addr, m_mark, m_group = _VS_ADDR.match(line), _VS_MARK.match(line), _VS_GROUP.match(line)
        if m_addr or m_mark or m_group:
            vs = {'address': m_addr.group(1) if m_addr else None, 'port': int(m_addr.group(2)) if m_addr else None,
                  'fwmark': int(m_mark.group(1)) if m_mark else None, 'group': m_group.group(1) if m_group else None,
                  'protocol': None, 'scheduler': None, 'forwarding': None, 'alive': None, 'quorum': None,
                  'hysteresis': None, 'quorum_up': None, 'real_servers': []}
            servers.append(vs)
            rs = None
            continue
        if vs is None:
            continue
        m = _RS.match(line)
        if m:
            rs = {'address': m.group(1), 'port': int(m.group(2)), 'weight': int(m.group(3)),
                  'effective_weight': _int(m.group(4)), 'alive': None, 'inhibit_on_failure': None}
            vs['real_servers'].append(rs)
            continue
        m = _KV.match(line)
        if stripped.startswith('Inhibit on failure is ') and rs is not None:
            rs['inhibit_on_failure'] = stripped.endswith('ON')
            continue
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        target = rs if rs is not None else vs
        if key == 'alive':
            target['alive'] = value == '1'
        elif key == 'quorum' and rs is None:
            q = re.match(r'(\d+), hysteresis = (\d+)', value)
            if q:
                vs['quorum'], vs['hysteresis'] = int(q.group(1)), int(q.group(2))
        elif key == 'quorum_state_up' and rs is None:
            vs['quorum_up'] = value == '1'
        elif key == 'lvs_sched' and rs is None:
            vs['scheduler'] = value
        elif key == 'protocol' and rs is None:
            vs['protocol'] = value.lower()
        elif key == 'default forwarding method' and rs is None:
            vs['forwarding'] = value.lower()
    return servers
