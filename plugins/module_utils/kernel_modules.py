# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kernel modules loaded now (one modprobe -a) and listed for systemd-modules-load at boot: the kernel_modules
module, and the sysctls module's O(modules) (loaded before the settings they bring are read)."""

from __future__ import annotations

import os
import re
from typing import List

SYS_MODULE = '/sys/module'
HEADER = '# Managed by Ansible (lvs.cluster): loaded at boot by systemd-modules-load.\n'
NAME_RE = re.compile(r'^[A-Za-z0-9_-]{1,55}$')


class ModulesError(Exception):
    """Bad names or path: the option and value are in the message."""


def loaded(name: str) -> bool:
    """Built into the kernel or loaded (/sys/module/NAME exists)."""
    return os.path.isdir(os.path.join(SYS_MODULE, name.replace('-', '_')))


def validate(names: List[str], path: str, option: str = 'names', path_option: str = 'path') -> List[str]:
    """The names without repeats, in order; raises ModulesError naming OPTION or PATH_OPTION."""
    unique: List[str] = []
    for i, name in enumerate(names):
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ModulesError('%s[%d]: %r is not a kernel module name' % (option, i, name))
        if name not in unique:
            unique.append(name)
    if not path or not path.endswith('.conf') or os.path.isdir(path):
        raise ModulesError("%s: '%s' is not a .conf file: systemd-modules-load reads only *.conf files"
                           % (path_option, path))
    return unique


def load(module, names: List[str]) -> List[str]:
    """Load the ones not loaded (not in check mode); returns them. Fails the module when modprobe fails."""
    missing = [n for n in names if not loaded(n)]
    if missing and not module.check_mode:
        rc, out, err = module.run_command([module.get_bin_path('modprobe', required=True), '-a', *missing])
        if rc != 0:
            module.fail_json(msg='modprobe -a %s failed: %s' % (' '.join(missing), (err or out).strip()),
                             rc=rc, missing=[n for n in missing if not loaded(n)])
    return missing


def render(names: List[str]) -> str:
    """The modules-load.d file."""
    return HEADER + ''.join(n + '\n' for n in names)
