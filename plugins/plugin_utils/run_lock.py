# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who the running ansible-playbook is, whether a lock holder's run is dead, and the message for a busy host."""

from __future__ import annotations

import getpass
import os
import socket
from typing import Any, Dict, Optional


def _start_time(pid: int) -> Optional[str]:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22), or None off Linux."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return None
    return stat.rsplit(')', 1)[1].split()[19]


def this_run(purpose: str) -> Dict[str, Any]:
    """The holder record of this run: ansible-playbook is the parent of the worker that runs action plugins."""
    pid = os.getppid()
    controller = socket.gethostname()
    start = _start_time(pid)
    return {'run': '%s:%d:%s' % (controller, pid, start or '?'), 'controller': controller, 'pid': pid,
            'pid_start': start, 'user': getpass.getuser(), 'purpose': purpose}


def is_dead(holder: Dict[str, Any]) -> bool:
    """Whether HOLDER's run is known to be gone: it ran on this controller and its process is not there (or the
    pid now belongs to a process started at another time). A run elsewhere is never known dead: its lease ends."""
    if not holder or holder.get('controller') != socket.gethostname() or not isinstance(holder.get('pid'), int):
        return False
    start = _start_time(holder['pid'])
    if start is None:
        try:
            os.kill(holder['pid'], 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    return holder.get('pid_start') not in (None, start)


def busy_message(host: str, holder: Dict[str, Any], waited: int, path: str) -> str:
    fields = (host, holder.get('purpose', '?'), holder.get('user', '?'), holder.get('controller', '?'),
              holder.get('pid', '?'), holder.get('since', '?'), holder.get('expires', '?'), waited, path, host)
    return ('%s is locked by another run of lvs.cluster: %s by %s@%s (ansible-playbook pid %s) since %s, lease '
            'until %s; waited %d s. Retry when it has finished; if that run is gone, the lock ends with its lease '
            '(or remove %s on %s).' % fields)
