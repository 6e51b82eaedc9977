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
        names = set(task_vars) - set(cluster_model.ROLE_VARS)
        for h in members:
            names.update(hostvars.get(h, {}))
        errors.extend(cluster_model.unknown_variables(names))
        errors.extend(cluster_model.agreement(explicit, members))
        model, model_errors, warnings = cluster_model.build(
            cluster_model.Inventory(cluster=cluster, groups=groups, hostvars=per_host))
        errors.extend(model_errors)
        if not model_errors:
            model['sync_daemons'], sync_errors = cluster_model.sync_daemons(bool(model.get('keepalived')), {
                h: {n: self._value(lambda v, h=h: self._host_var(h, v), n, errors, 'hostvars[%s].%s' % (h, n))
                    for n in cluster_model.SYNC_DAEMON_ROLES if n in hostvars.get(h, {})}
                for h in model['directors']})
            errors.extend(sync_errors)
            if static:  # once, before any role: later, registered variables of the roles share their prefixes
                errors.extend(self._role_options(model, hostvars, errors))
            self._drained(model, ops, None if static else self._records(model, task_vars, hostvars), errors,
                          warnings)
        model['operations'] = ops
        facts = {}
        if not errors and not static:
            model['hosts'] = self._views(model, task_vars, hostvars, want_peers, errors, facts)
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
    def _records(model, task_vars, hostvars):
        """{director: the drained real servers it records} (its local fact lvs_cluster), for the directors whose
        facts were gathered and that have a record (a new director has none yet)."""
        out = {}
        for d in model['directors']:
            facts = task_vars if d == task_vars.get('inventory_hostname') else hostvars.get(d, {})
            try:
                local = facts.get('ansible_local') or {}
            except AnsibleError:
                continue
            record = local.get('lvs_cluster') if isinstance(local, dict) else None
            if isinstance(record, dict) and isinstance(record.get('drained'), list):
                out[d] = record['drained']
        return out

    @staticmethod
    def _drained(model, ops, records, errors, warnings):
        """Drained real servers: the directors' records (their local fact lvs_cluster), plus lvs_drain, minus
        lvs_restore; their weights become 0 in the model. Directors whose records differ (a drain that stopped
        half-way) are an error unless this run drains or restores, which sets every director's record."""
        state = None
        if records:
            distinct = []
            for value in records.values():
                if sorted(value) not in distinct:
                    distinct.append(sorted(value))
            state = sorted({a for value in records.values() for a in value})
            if len(distinct) > 1 and not (ops['lvs_drain'] or ops['lvs_restore']):
                errors.add('drained', 'the directors record different drained real servers (%s): run '
                           'lvs.cluster.drain or lvs.cluster.restore, which sets the record on every director' % (
                               '; '.join('%s: %s' % (d, ', '.join(v) or 'none') for d, v in records.items())))
        addrs = operations.drained(model, ops, state, errors, warnings)
        operations.apply_drained(model, addrs, ops['lvs_drain_force'], errors)

    def _views(self, model, task_vars, hostvars, want_peers, errors, facts_out):
        """{host: its view} for every host of the cluster whose facts are known (the running host's are gathered
        when missing): the running host's and, when the validate role runs this once for the play, every
        host's. Its forwarding method and VIPs; a director's interfaces and, with PEERS, its unicast peers."""
        running = task_vars.get('inventory_hostname')
        facts_of = {}
        for h in model['directors']:
            if h == running:
                facts = dict(task_vars.get('ansible_facts') or {})
                if not facts.get('interfaces'):
                    facts.update(self._gather(task_vars, running, errors, facts_out))
            else:
                facts = hostvars[h].get('ansible_facts') if h in hostvars else None
            if facts and facts.get('interfaces'):
                facts_of[h] = facts
        in_play = set(task_vars.get('ansible_play_hosts') or [running])
        return host_view.views(model, facts_of, in_play, want_peers, errors)

    def _gather(self, task_vars, host, errors, facts_out):
        gathered = self._execute_module(module_name='ansible.legacy.setup', task_vars=task_vars,
                                        module_args={'gather_subset': ['!all', '!min', 'network']})
        if gathered.get('failed') or gathered.get('unreachable'):
            errors.add(host, 'network facts could not be gathered: %s' % gathered.get('msg', gathered))
            return {}
        facts = {}
        for key, value in gathered.get('ansible_facts', {}).items():
            facts[key[len('ansible_'):] if key.startswith('ansible_') else key] = value
            facts_out[key] = value
        return facts
