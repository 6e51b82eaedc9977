# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of lvs.cluster.adopt: what adopt_info read on every host, mapped to an inventory directory
(plugin_utils/adopt.py), checked by the cluster model, written with its report; the VRRP secret only to the vault
file."""

from __future__ import annotations

import copy
import os

import yaml
from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.lvs.cluster.plugins.plugin_utils import adopt, cluster_model, role_options

REPORT = 'ADOPT-REPORT.md'


class Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def plain(data):
    """DATA with Ansible's tagged values (templated strings, inventory values) as the plain types they extend."""
    if isinstance(data, dict):
        return {plain(k): plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain(v) for v in data]
    for kind in (bool, int, float, str):
        if isinstance(data, kind):
            return kind(data)
    return data


def dump(data) -> str:
    return '---\n' + yaml.dump(plain(data), Dumper=Dumper, sort_keys=False, default_flow_style=False, width=116,
                               allow_unicode=True)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self.validate_argument_spec(argument_spec={
            'dest': {'type': 'path', 'default': './adopted'},
            'info': {'type': 'str', 'default': 'adopt_read'},
            'vault_password_file': {'type': 'path'},
            'force': {'type': 'bool', 'default': False},
        })[1]
        groups = task_vars.get('groups', {})
        hostvars = task_vars.get('hostvars', {})
        dgroup = task_vars.get('lvs_director_group', 'directors')
        rgroup = task_vars.get('lvs_realserver_group', 'realservers')
        directors, realservers = list(groups.get(dgroup, [])), list(groups.get(rgroup, []))
        infos, conn = {}, {}
        for h in directors + realservers:
            hv = hostvars.get(h, {})
            reg = hv.get(args['info']) if args['info'] in hv else None
            if not reg or reg.get('failed') or reg.get('unreachable'):
                result.update(failed=True, msg='%s: nothing was read (%s did not run there or failed)' % (
                    h, args['info']))
                return result
            infos[h] = reg['adopt_info']
            conn[h] = {k: hv[k] for k in ('ansible_host', 'ansible_port', 'ansible_user') if k in hv}
        inventory, secret, report = adopt.adopt(infos, directors, realservers, conn)
        errors = self._check(inventory, secret, conn)
        dest = args['dest']
        if os.path.exists(os.path.join(dest, 'hosts.yml')) and not args['force']:
            result.update(failed=True, msg='dest: %s already holds an inventory (force: true replaces it)' % dest)
            return result
        if self._task.check_mode:  # mapped and checked, nothing written
            files = [os.path.join(dest, n) for n in self._files(inventory, secret, dgroup, rgroup)] + [
                os.path.join(dest, REPORT)]
        else:
            files = self._write(dest, inventory, secret, report, errors, args.get('vault_password_file'),
                                dgroup, rgroup)
        result.update(changed=True, dest=dest, files=files, errors=errors,
                      summary={'mapped': len(report.mapped), 'not_in_the_model': len(report.unsupported),
                               'disagreements': len(report.disagreements), 'unmanaged': len(report.unmanaged)},
                      msg='adopted into %s: see %s' % (dest, os.path.join(dest, REPORT)))
        if errors:
            result.update(failed=True, msg='the adopted inventory does not pass the cluster model: %s' % '; '.join(
                errors))
        return result

    @staticmethod
    def _check(inventory, secret, conn):
        """The cluster model's and the role options' errors of the adopted inventory (it should have none)."""
        cluster = dict(inventory['group_vars'])
        if secret is not None:
            cluster['lvs_vrrp_auth_pass'] = secret
        hosts = inventory['hosts']['all']['children']
        groups = {'directors': list(hosts['directors']['hosts']), 'realservers': list(hosts['realservers']['hosts'])}
        hostvars = {h: dict(conn.get(h, {}), **inventory['host_vars'].get(h, {})) for h in conn}
        per_host = {h: {k: v for k, v in hv.items() if k.startswith('lvs_') or k == 'ansible_host'}
                    for h, hv in hostvars.items()}
        _model, errors, _warnings = cluster_model.build(cluster_model.Inventory(
            cluster={k: v for k, v in cluster.items() if k.startswith('lvs_')}, groups=groups,
            hostvars=copy.deepcopy(per_host)))
        values = {h: {k: v for k, v in {**cluster, **hv}.items() if k.startswith(role_options.PREFIXES)}
                  for h, hv in hostvars.items()}
        return list(errors) + role_options.check(values)

    @staticmethod
    def _files(inventory, secret, dgroup, rgroup):
        """The inventory's files (name: text), the vault file's text left out."""
        hosts = copy.deepcopy(inventory['hosts'])
        children = hosts['all']['children']
        children[dgroup] = children.pop('directors')
        children[rgroup] = children.pop('realservers')
        group_vars = dict(inventory['group_vars'])
        if dgroup != 'directors':
            group_vars['lvs_director_group'] = dgroup
        if rgroup != 'realservers':
            group_vars['lvs_realserver_group'] = rgroup
        out = {'hosts.yml': dump(hosts), 'group_vars/all/main.yml': dump(group_vars)}
        for h, v in inventory['host_vars'].items():
            out['host_vars/%s.yml' % h] = dump(v)
        if secret is not None:
            out['group_vars/all/vault.yml'] = None
        return out

    def _write(self, dest, inventory, secret, report, errors, vault_password_file, dgroup, rgroup):
        out = self._files(inventory, secret, dgroup, rgroup)
        out.pop('group_vars/all/vault.yml', None)
        written = []
        for name, text in out.items():
            path = os.path.join(dest, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as handle:
                handle.write(text)
            written.append(path)
        encrypted = False
        if secret is not None:
            text = dump({'vault_lvs_vrrp_auth_pass': str(secret)})
            if vault_password_file:
                text, encrypted = self._encrypt(text, vault_password_file), True
            path = os.path.join(dest, 'group_vars/all/vault.yml')
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'w') as handle:
                handle.write(text)
            written.append(path)
        path = os.path.join(dest, REPORT)
        with open(path, 'w') as handle:
            handle.write(render_report(report, errors, secret is not None, encrypted))
        written.append(path)
        return written

    def _encrypt(self, text, password_file):
        from ansible.parsing.vault import VaultLib, VaultSecret
        try:
            with open(password_file, 'rb') as handle:
                password = handle.read().strip()
        except OSError as exc:
            raise AnsibleError('vault_password_file: %s' % exc) from None
        return VaultLib([('default', VaultSecret(password))]).encrypt(text).decode()


def render_report(report, errors, secret, encrypted) -> str:
    lines = ['# What lvs.cluster.adopt found', '',
             'Converge it with `ansible-playbook -i THIS_DIRECTORY lvs.cluster.site --check --diff` first: the '
             'IPVS table, the VIPs and the VRRP MASTER should not change (the files the roles own are laid out '
             'their way).', '']
    if secret:
        lines += ['The VRRP secret is in `group_vars/all/vault.yml`%s.' % (
            ', encrypted' if encrypted else ' (mode 0600, not encrypted: run `ansible-vault encrypt` on it)'), '']
    sections = [('Mapped', report.mapped), ('Notes', report.notes),
                ('Not in the model (left out)', ['`%s:%s` `%s`: %s' % (u['file'], u['line'], u['text'], u['why'])
                                                 for u in report.unsupported]),
                ('Where the directors disagree', report.disagreements),
                ('Real servers that are not inventory hosts (kept as unmanaged servers)', report.unmanaged),
                ('Errors of the cluster model', errors)]
    for title, items in sections:
        lines += ['## %s' % title, ''] + (['- %s' % i for i in items] or ['none']) + ['']
    return '\n'.join(lines)
