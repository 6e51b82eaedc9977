"""Render a role's template as the template action does, from the unit tests."""

from __future__ import annotations

from pathlib import Path

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

ROOT = Path(__file__).resolve().parents[3]


def role_var(role: str, name: str, variables: dict, inventory_hostname: str) -> object:
    """The value of ROLE's variable NAME (defaults or vars/main.yml) with VARIABLES, as a task would see it."""
    templar, scope = _templar(role, variables, inventory_hostname)
    return templar.template(scope[name])


def render_role(role: str, template: str, variables: dict, inventory_hostname: str) -> str:
    """TEMPLATE of ROLE as the template action renders it: the role's defaults and vars and the lvs role's vars
    (lvs_host), VARIABLES over them, the role's templates directory searched for includes."""
    templar, _scope = _templar(role, variables, inventory_hostname)
    return templar.template(trust_as_template((ROOT / 'roles' / role / 'templates' / template).read_text()))


def _templar(role: str, variables: dict, inventory_hostname: str):
    loader = DataLoader()
    scope = {}
    for path in (ROOT / 'roles/lvs/vars/main.yml', ROOT / 'roles' / role / 'defaults/main.yml',
                 ROOT / 'roles' / role / 'vars/main.yml'):
        if path.exists():
            scope.update({k: trust_as_template(v) if isinstance(v, str) else v
                          for k, v in (loader.load_from_file(str(path)) or {}).items()})
    scope.update(variables, inventory_hostname=inventory_hostname, ansible_managed='Ansible managed')
    templar = Templar(loader=loader, variables=scope).copy_with_new_env(
        searchpath=[str(ROOT / 'roles' / role / 'templates')])
    return templar, scope
