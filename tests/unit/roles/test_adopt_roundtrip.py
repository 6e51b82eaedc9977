"""Parse and render share their declarations: the keepalived.conf the keepalived role renders for both directors
from an inventory (the role's own test cases), parsed back and adopted (plugin_utils/adopt.py), gives an inventory
whose cluster model is the first one's: the IPVS table, the VIPs, the VRRP instances and priorities, the real
servers, their VIPs and the health checks. Only the names the model gives itself may differ (a service's name,
which keepalived.conf does not keep)."""

from __future__ import annotations

import copy
import re

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import keepalived_conf
from ansible_collections.lvs.cluster.plugins.plugin_utils import adopt, cluster_model
from test_keepalived_conf import CASES, render

DIRECTORS = {'director1': ('10.78.0.11', '10.79.0.11', 'fd78::11'),
             'director2': ('10.78.0.12', '10.79.0.12', 'fd78::12')}
SYSCTLS = {'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2'}
# what keepalived.conf cannot carry, by design of the case (said in the report, tested in test_adopt.py)
COMPARED = ('vip', 'vips', 'vip_prefix', 'internal_vip', 'internal_vip6', 'forwarding', 'owner', 'keepalived',
            'priorities', 'realserver_addresses', 'realserver_vips', 'realserver_modes', 'ipvs_config', 'mark_rules',
            'track_files')


def ip_lines(*entries) -> str:
    return ''.join('2: %s    inet%s %s scope global %s\\       valid_lft forever\n' % (
        dev, '6' if ':' in cidr else '', cidr, dev) for cidr, dev in entries)


def model_of(cluster, hostvars, groups):
    model, errors, _warnings = cluster_model.build(cluster_model.Inventory(
        cluster=copy.deepcopy(cluster), hostvars=copy.deepcopy(hostvars), groups=copy.deepcopy(groups)))
    assert errors == []
    return model


def infos_of(model, confs, hosts, tmp_path) -> dict:
    """What adopt_info would read on the lab hosts running that model: keepalived.conf, the MASTERs' VIPs, the real
    servers' addresses, VIPs on lo (DR, TUN) or the gateway route (NAT)."""
    infos = {}
    for d, (public, internal, public6) in DIRECTORS.items():
        held = [('%s/%d' % (v, 128 if ':' in v else 32), 'eth0') for i in model['vrrp']['instances']
                if i['master'] == d for v in i['vips']]
        path = tmp_path / ('%s.conf' % d)
        path.write_text(confs[d])  # read as adopt_info reads it: the secret's include followed
        infos[d] = {'keepalived': {'tree': keepalived_conf.parse_file(str(path))},
                    'marks': ''.join('-A PREROUTING %s\n' % rule for rule in model['mark_rules']),
                    'addresses': ip_lines(('%s/24' % public, 'eth0'), ('%s/24' % internal, 'eth1'),
                                          ('%s/64' % public6, 'eth0'), *held)}
    for r in model['realservers']:
        own = [hosts[r]['ansible_host']] + [hosts[r][k] for k in ('lvs_real_address6',) if k in hosts[r]]
        lines = [('%s/%d' % (a, 64 if ':' in a else 24), 'eth0') for a in own]
        lines += [('%s/%d' % (v, 128 if ':' in v else 32), 'lo') for v in model['realserver_vips'].get(r, [])]
        routes = ''.join('default via %s dev eth0\n' % g for g in (model['internal_vip'], model['internal_vip6']) if g)
        infos[r] = {'addresses': ip_lines(*lines), 'sysctls': SYSCTLS, 'routes': routes}
    return infos


def comparable(model) -> dict:
    out = {k: model[k] for k in COMPARED}
    out['mark_rules'] = [re.sub(r'--comment "lvs [^"]*"', '', r) for r in model['mark_rules']]  # names the service
    for n, svc in enumerate(model['services']):
        out.update({'services[%d].%s' % (n, k): v for k, v in svc.items() if k != 'name'})
    out.update({'vrrp.%s' % k: v for k, v in model['vrrp'].items() if k not in ('router_id', 'track_interfaces')})
    # the first instance's router id is the instances' (explicit when lvs_vrrp_instances gives them)
    out['router_ids'] = [i['router_id'] for i in model['vrrp']['instances']]
    # an interface every instance sits on is tracked by keepalived anyway: the role leaves it out of each instance
    # (every instance is on eth0, the recorded director's public interface, unless nat adds the gateway's on eth1)
    own = set() if model['internal_vip'] or model['internal_vip6'] else {model['public_interface'] or 'eth0'}
    out['track_interfaces'] = [t for t in model['vrrp']['track_interfaces'] if t['name'] not in own or t['weight']]
    return out


# lvs_frontend bgp is not adopted yet: keepalived.conf without VRRP tells nothing of the BGP speaker (bird.conf)
ADOPTED = sorted(c for c in CASES if c != 'bgp')


@pytest.mark.parametrize('case', ADOPTED)
def test_render_then_adopt_gives_the_same_model(case, tmp_path):
    cluster, hosts, role_vars = CASES[case]
    (tmp_path / 'secret.conf').write_text('auth_pass labpass1\n')
    role_vars = dict(role_vars, keepalived_secret_path=str(tmp_path / 'secret.conf'))
    groups = {'directors': list(DIRECTORS), 'realservers': ['rs1', 'rs2']}
    hostvars = dict(copy.deepcopy(hosts), **{d: {'ansible_host': a[0]} for d, a in DIRECTORS.items()})
    before = model_of(cluster, hostvars, groups)
    confs = {d: render(cluster, hosts, role_vars, host=d) for d in DIRECTORS}
    connection = {h: {'ansible_host': v['ansible_host']} for h, v in hostvars.items()}
    inv, secret, report = adopt.adopt(infos_of(before, confs, hostvars, tmp_path), list(DIRECTORS), ['rs1', 'rs2'],
                                      connection)
    adopted = dict(inv['group_vars'])
    if secret is not None:
        assert secret == 'labpass1' and adopted['lvs_vrrp_auth_pass'] == '{{ vault_lvs_vrrp_auth_pass }}'
        adopted['lvs_vrrp_auth_pass'] = secret
    after_hosts = {h: dict({'ansible_host': v['ansible_host']}, **inv['host_vars'].get(h, {}))
                   for h, v in hostvars.items()}
    order = list(inv['hosts']['all']['children']['directors']['hosts'])
    after = model_of({k: v for k, v in adopted.items() if k.startswith('lvs_')}, after_hosts,
                     dict(groups, directors=order))
    assert [u['why'] for u in report.unsupported] == []
    want, got = comparable(before), comparable(after)
    assert {k: got[k] for k in want if got[k] != want[k]} == {k: want[k] for k in want if got[k] != want[k]}
