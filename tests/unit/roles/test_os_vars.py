# SPDX-License-Identifier: GPL-3.0-or-later
"""What differs between operating systems is in each role's vars/<OS>.yml, found by first_found: every such file of
a role sets the same variables, each of them is used by the role, Debian's exists (the supported platform), and no
task branches on the OS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
ROLES = sorted(p.parents[1].name for p in ROOT.glob('roles/*/vars/main.yml')
               if re.search(r'^\w+_os_vars:', p.read_text(), re.M))


def test_the_roles_with_os_differences():
    assert ROLES == ['director', 'keepalived']


@pytest.mark.parametrize('role', ROLES)
def test_each_os_file_sets_the_same_variables_and_the_role_uses_them(role):
    files = {p.name: yaml.safe_load(p.read_text()) for p in (ROOT / 'roles' / role / 'vars').glob('*.yml')
             if p.name != 'main.yml'}
    assert 'Debian.yml' in files
    names = {name: sorted(data) for name, data in files.items()}
    assert len({tuple(v) for v in names.values()}) == 1, names
    used = ''.join(p.read_text() for p in (ROOT / 'roles' / role).rglob('*')
                   if p.is_file() and p.parent.name != 'vars' and p.suffix in ('.yml', '.j2'))
    used += (ROOT / 'roles' / role / 'vars' / 'main.yml').read_text()
    for var in names['Debian.yml']:
        assert re.search(r'\b%s\b' % var, used), '%s of vars/Debian.yml is not used by the %s role' % (var, role)


def test_no_task_branches_on_the_os():
    for path in ROOT.glob('roles/*/tasks/*.yml'):
        text = path.read_text()
        assert not re.search(r'when:.*(os_family|distribution)', text), path
