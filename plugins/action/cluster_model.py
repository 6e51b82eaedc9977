# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of lvs.cluster.cluster_model: collect the inventory, build and check the model."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.lvs.cluster.plugins.plugin_utils import (
    address_family,
    cluster_model,
    cluster_schema,
    host_view,
    operations,
    role_options,
)
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Errors

HOST_VARS = ('ansible_host', *cluster_schema.REALSERVER, *cluster_schema.DIRECTOR)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def _value(self, getter, name, errors, path):
        try:
            return getter(name)
        except (AnsibleError, KeyError, TypeError) as exc:
            secret = cluster_schema.CLUSTER.get(name) is not None and cluster_schema.CLUSTER[name].secret
            errors.add(path, 'cannot be templated%s' % ('' if secret else ': %s' % str(exc).splitlines()[0]))
        return None

    def _host_var(self, h, name):
        """HOST's variable NAME, templated. Ansible templates another host's variable with that host's variables
        only, so an expression that reads hostvars (valid where the variable is used) fails there: it is then
        templated from the raw value with that host's variables plus hostvars and groups."""
        hostvars = self._hostvars
        try:
            return hostvars[h][name]
        except AnsibleError:
            if not hasattr(hostvars, 'raw_get'):
                raise
            raw = dict(hostvars.raw_get(h))
            variables = dict(raw, hostvars=hostvars, groups=self._task_vars.get('groups', {}), inventory_hostname=h)
            return self._templar.copy_with_new_env(available_variables=variables).template(raw[name])

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self.validate_argument_spec(argument_spec={'static': {'type': 'bool', 'default': False},
                                                          'peers': {'type': 'bool', 'default': False}})[1]
        static, want_peers = args['static'], args['peers']
        errors = Errors()
        cluster = {}
        for name in cluster_schema.CLUSTER:
            if name in task_vars:
                cluster[name] = self._value(lambda n: self._templar.template(task_vars[n]), name, errors, name)
        ops = operations.check_values({n: self._value(lambda v: self._templar.template(task_vars[v]), n, errors, n)
                                       for n in cluster_schema.OPERATIONS if n in task_vars}, errors)
        groups = task_vars.get('groups', {})
        hostvars = task_vars.get('hostvars', {})
        self._hostvars, self._task_vars = hostvars, task_vars
        members = []
        for var, default in (('lvs_director_group', 'directors'), ('lvs_realserver_group', 'realservers')):
            group = cluster.get(var, default)
            members += [h for h in groups.get(group, []) if isinstance(group, str) and h not in members]
        per_host, explicit = {}, {}
        for h in members:
            hv = hostvars.get(h, {})
            per_host[h] = {}
            for name in HOST_VARS + tuple(cluster_schema.CLUSTER):
                if name in hv:
                    value = self._value(lambda n, h=h: self._host_var(h, n), name, errors,
                                        'hostvars[%s].%s' % (h, name))
                    if name in cluster_schema.CLUSTER:
                        explicit.setdefault(name, {})[h] = value
                    else:
                        per_host[h][name] = value
        names = set(task_vars)
        for h in members:
            names.update(hostvars.get(h, {}))
        errors.extend(cluster_model.unknown_variables(names))
        errors.extend(cluster_model.agreement(explicit, members))
        model, model_errors, warnings = cluster_model.build(
            cluster_model.Inventory(cluster=cluster, groups=groups, hostvars=per_host))
        errors.extend(model_errors)
        if not model_errors:
            errors.extend(cluster_model.sync_daemon_owner(model['owner'], bool(model.get('keepalived')), {
                h: {n: self._value(lambda v, h=h: self._host_var(h, v), n, errors, 'hostvars[%s].%s' % (h, n))
                    for n in cluster_model.SYNC_DAEMON_ROLES if n in hostvars.get(h, {})}
                for h in model['directors']}))
            if static:  # once, before any role: later, registered variables of the roles share their prefixes
                errors.extend(self._role_options(model, hostvars, errors))
            self._drained(model, ops, None if static else task_vars, errors, warnings)
        model['operations'] = ops
        facts = {}
        if not errors and not static:
            model['host'] = self._host(model, task_vars, hostvars, want_peers, errors, facts)
        if errors:
            result.update(failed=True, errors=list(errors), msg='lvs: the cluster model has %d error%s:\n%s' % (
                len(errors), '' if len(errors) == 1 else 's', '\n'.join('- ' + e for e in errors)))
            return result
        facts['lvs_model'] = model
        result.update(changed=False, ansible_facts=facts, warnings=['lvs: %s' % w for w in warnings])
        return result

    def _role_options(self, model, hostvars, errors):
        """The director, keepalived and realserver variables the inventory sets, checked before any role runs: unknown
        names, values, the cluster-scoped ones compared across the hosts of their role (the ARP settings only where
        they apply: on dr and tun real servers)."""
        values = {}
        for h in model['directors'] + model['realservers']:
            hv = hostvars.get(h, {})
            arp = bool(set(model['realserver_modes'].get(h, [])) & {'dr', 'tun'})
            values[h] = {n: self._value(lambda v, h=h: self._host_var(h, v), n, errors, 'hostvars[%s].%s' % (h, n))
                         for n in hv if isinstance(n, str) and n.startswith(role_options.PREFIXES)
                         and (arp or not n.startswith('realserver_arp'))}
        ipv6 = bool(model.get('keepalived')) and any(address_family.family(v) == 6 for v in model['vips'])
        roles = {'director': model['directors'], 'keepalived': model['directors'] if model.get('keepalived') else [],
                 'realserver': model['realservers']}
        return role_options.check(values, ipv6_vrrp=ipv6, role_hosts=roles)

    @staticmethod
    def _drained(model, ops, task_vars, errors, warnings):
        """Drained real servers: the director's record (its local fact lvs_cluster), plus lvs_drain, minus
        lvs_restore; their weights become 0 in the model."""
        state = None
        if task_vars is not None and task_vars.get('inventory_hostname') in model['directors']:
            local = (task_vars.get('ansible_local') or {}).get('lvs_cluster') or {}
            state = local.get('drained') if isinstance(local, dict) else None
        addrs = operations.drained(model, ops, state if isinstance(state, list) else None, errors, warnings)
        operations.apply_drained(model, addrs, ops['lvs_drain_force'], errors)

    def _host(self, model, task_vars, hostvars, want_peers, errors, facts_out):
        host = task_vars.get('inventory_hostname')
        view = {'name': host, 'director': host in model['directors'], 'realserver': host in model['realservers'],
                'mode': (model['realserver_modes'].get(host) or ['none'])[0],
                'priority': model['priorities'].get(host), 'vips': model['realserver_vips'].get(host, []),
                'vip_cidrs': model['realserver_vip_cidrs'].get(host, [])}
        view['vip_devices'] = address_family.vip_devices(view['mode'], model['realserver_vips'].get(host, []))
        view['gateways'] = model['realserver_gateways'].get(host, [])
        if not view['director']:
            return view
        facts = dict(task_vars.get('ansible_facts') or {})
        if not facts.get('interfaces'):
            gathered = self._execute_module(module_name='ansible.legacy.setup', task_vars=task_vars,
                                            module_args={'gather_subset': ['!all', '!min', 'network']})
            if gathered.get('failed') or gathered.get('unreachable'):
                errors.add(host, 'network facts could not be gathered: %s' % gathered.get('msg', gathered))
                return view
            for key, value in gathered.get('ansible_facts', {}).items():
                facts[key[len('ansible_'):] if key.startswith('ansible_') else key] = value
                facts_out[key] = value
        view.update(host_view.interfaces(model, host, facts, errors))
        if want_peers:
            others = {p: (hostvars[p]['ansible_facts'] if p in hostvars and 'ansible_facts' in hostvars[p] else {})
                      for p in model['directors'] if p != host}
            view['peers'] = host_view.peers(model, host, others, errors)
        return view
