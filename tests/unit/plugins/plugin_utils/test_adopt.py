"""Adoption of clusters built by hand: the parsers on the seeds' own configuration text and on the samples of
Debian's keepalived package, broken files (an error with file and line), and the mapping to an inventory that
the cluster model accepts (tests/unit/fixtures/seeds: the seeds' text; ../shared/seeds are the pages)."""

import copy
import glob
from pathlib import Path

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import keepalived_conf as K
from ansible_collections.lvs.cluster.plugins.module_utils import ldirectord_conf as L
from ansible_collections.lvs.cluster.plugins.plugin_utils import adopt, cluster_model, role_options, service_options

SEEDS = Path(__file__).resolve().parents[2] / 'fixtures' / 'seeds'
SAMPLES = sorted(glob.glob('/usr/share/doc/keepalived/samples/keepalived.conf.*'))


def ip_addr(*entries):
    """`ip -o addr show` lines of (address/prefix, device)."""
    return ''.join('2: %s    inet %s scope global %s\\       valid_lft forever\n' % (dev, cidr, dev)
                   for cidr, dev in entries)


def test_seed_004_keepalived_conf_parses_with_its_comments_and_split_blocks():
    tree = K.parse_file(str(SEEDS / '004-keepalived.conf'))
    assert [n['keyword'] for n in tree] == ['global_defs', 'vrrp_instance', 'virtual_server']
    vs = tree[2]
    reals = K.find(vs['children'], 'real_server')
    assert [r['args'] for r in reals] == [['192.168.140.137', '80'], ['192.168.140.139', '80']]
    check = K.find(reals[1]['children'], 'TCP_CHECK')[0]
    assert K.value(check['children'], 'nb_get_retry') == '3' and check['line'] > reals[1]['line']


@pytest.mark.parametrize('path', SAMPLES, ids=lambda p: Path(p).name)
def test_debian_keepalived_samples_parse(path):
    tree = K.parse_file(path)
    assert tree and all(n['file'] == path and n['line'] > 0 for n in tree)


def test_samples_are_there():
    assert len(SAMPLES) >= 20, 'the keepalived package (Debian) holds the samples: ./lab setup installs it'


@pytest.mark.parametrize('text, error', [
    ('global_defs {\n  router_id a\n', 'keepalived.conf:1: the block of global_defs is not closed'),
    ('}\n', 'keepalived.conf:1: a brace closes no block'),
    ('{\n}\n', 'keepalived.conf:1: a block opens with no keyword before it'),
    ('vrrp_instance VI_1 {\n  notify "/bin/x\n}\n', 'keepalived.conf:2: a quoted string is not closed'),
])
def test_broken_keepalived_conf(text, error):
    with pytest.raises(K.ConfError) as exc:
        K.parse_text(text)
    assert str(exc.value).startswith(error), exc.value


def test_includes_are_followed_and_loops_refused(tmp_path):
    (tmp_path / 'conf.d').mkdir()
    (tmp_path / 'conf.d' / 'vs.conf').write_text('virtual_server 10.0.0.1 80 {\n  lb_algo rr\n}\n')
    main = tmp_path / 'keepalived.conf'
    main.write_text('global_defs {\n}\ninclude conf.d/*.conf\n')
    tree = K.parse_file(str(main))
    assert [(n['keyword'], Path(n['file']).name, n['line']) for n in tree] == [
        ('global_defs', 'keepalived.conf', 1), ('virtual_server', 'vs.conf', 1)]
    (tmp_path / 'conf.d' / 'loop.conf').write_text('include ../keepalived.conf\n')
    with pytest.raises(K.ConfError) as exc:
        K.parse_file(str(main))
    assert 'includes itself' in str(exc.value)
    with pytest.raises(K.ConfError) as exc:
        K.parse_file(str(tmp_path / 'missing.conf'))
    assert 'missing.conf: cannot be read' in str(exc.value)


def test_seed_000_ldirectord_cf():
    conf = L.parse_file(str(SEEDS / '000-ldirectord.cf'))
    assert conf['global']['checktimeout'] == '3' and conf['global']['quiescent'] == 'yes'
    (v,) = conf['virtuals']
    assert v['virtual'] == '192.168.34.41:443' and v['options']['scheduler'] == 'wlc'
    assert [(r['address'], r['port'], r['method']) for r in v['reals']] == [
        ('192.168.34.26', '443', 'gate'), ('192.168.34.27', '443', 'gate')]


@pytest.mark.parametrize('text, error', [
    ('virtual 10.0.0.1:80\n', "ldirectord.cf:1: 'virtual 10.0.0.1:80' is not a key=value line"),
    ('real=10.0.0.2:80 gate\n', 'ldirectord.cf:1: real= outside a virtual= section'),
    ('\tscheduler=rr\n', 'ldirectord.cf:1: scheduler= is indented outside a virtual= section'),
])
def test_broken_ldirectord_cf(text, error):
    with pytest.raises(K.ConfError) as exc:
        L.parse_text(text)
    assert str(exc.value) == error


# --------------------------------------------------------------------------- mapping

GROUPS = {'directors': ['d1', 'd2'], 'realservers': ['rs1', 'rs2']}
HOSTVARS = {'d1': {'ansible_host': '192.168.140.141'}, 'd2': {'ansible_host': '192.168.140.143'},
            'rs1': {'ansible_host': '192.168.140.137'}, 'rs2': {'ansible_host': '192.168.140.139'}}
SYSCTLS = {'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2',
           'net.ipv4.conf.lo.arp_ignore': '1', 'net.ipv4.conf.lo.arp_announce': '2'}


def seed_004():
    master = (SEEDS / '004-keepalived.conf').read_text()
    backup = master.replace('router_id LVS_MASTER', 'router_id LVS_BACKUP').replace('state MASTER', 'state BACKUP')
    backup = backup.replace('priority 101', 'priority 100')
    rs = {'addresses': '', 'sysctls': SYSCTLS, 'routes': ''}
    return {
        'd1': {'keepalived': {'tree': K.parse_text(master, '/etc/keepalived/keepalived.conf')},
               'addresses': ip_addr(('192.168.140.141/24', 'eth0'), ('192.168.140.140/32', 'eth0'))},
        'd2': {'keepalived': {'tree': K.parse_text(backup, '/etc/keepalived/keepalived.conf')},
               'addresses': ip_addr(('192.168.140.143/24', 'eth0'))},
        'rs1': dict(rs, addresses=ip_addr(('192.168.140.137/24', 'eth0'), ('192.168.140.140/32', 'lo'))),
        'rs2': dict(rs, addresses=ip_addr(('192.168.140.139/24', 'eth0'), ('192.168.140.140/32', 'lo'))),
    }


def check_inventory(inv, secret, hosts=None):
    """The adopted inventory passes the cluster model and the role options' checks."""
    cluster = dict(inv['group_vars'])
    if secret is not None:
        cluster['lvs_vrrp_auth_pass'] = secret
    hostvars = copy.deepcopy(hosts or HOSTVARS)
    for h, v in inv['host_vars'].items():
        hostvars[h].update(v)
    groups = {g: list(inv['hosts']['all']['children'][g]['hosts']) for g in ('directors', 'realservers')}
    per_host = {h: {k: v for k, v in hv.items() if k.startswith('lvs_') or k == 'ansible_host'}
                for h, hv in hostvars.items()}
    model, errors, _warnings = cluster_model.build(cluster_model.Inventory(
        cluster={k: v for k, v in cluster.items() if k.startswith('lvs_')}, groups=groups, hostvars=per_host))
    assert errors == [], errors
    role_values = {h: {k: v for k, v in {**cluster, **hostvars[h]}.items() if k.startswith(role_options.PREFIXES)}
                   for h in hostvars}
    assert role_options.check(role_values) == []
    return model


def test_seed_004_keepalived_pair():
    inv, secret, report = adopt.adopt(seed_004(), GROUPS['directors'], GROUPS['realservers'], HOSTVARS)
    c = inv['group_vars']
    assert secret == '1111' and c['lvs_vrrp_auth_pass'] == '{{ vault_lvs_vrrp_auth_pass }}'
    assert c['lvs_vip'] == '192.168.140.140' and c['lvs_ipvs_owner'] == 'keepalived' and c['lvs_keepalived']
    assert c['lvs_vrrp_instances'] == [{'name': 'VI_1', 'vips': ['192.168.140.140'], 'router_id': 51,
                                        'master': 'd1'}]
    assert c['lvs_vrrp_priority_base'] == 101 and c['lvs_vrrp_priority_step'] == 1
    assert c['lvs_vrrp_email'] == {'to': ['admin@unixhot.com'], 'from': 'localhost', 'smtp_server': '127.0.0.1',
                                   'connect_timeout': 30}
    (svc,) = c['lvs_services']
    assert svc == {'name': 'tcp-80', 'port': 80, 'scheduler': 'wrr', 'persistence': 50, 'delay_loop': 6,
                   'health_check': {'type': 'tcp', 'connect_timeout': 10, 'retry': 3, 'delay_before_retry': 3}}
    assert inv['host_vars'] == {'d1': {'keepalived_router_id': 'LVS_MASTER'},
                                'd2': {'keepalived_router_id': 'LVS_BACKUP'}}
    assert [u['text'] for u in report.unsupported] == ['nat_mask 255.255.255.0']
    assert report.unsupported[0]['file'] == '/etc/keepalived/keepalived.conf' and report.unsupported[0]['line'] == 44
    assert report.disagreements == []
    check_inventory(inv, secret)


def test_real_servers_reached_over_another_network_get_their_real_address():
    """Ansible reaches the hosts on a management network: the directors send to another address of the real
    server, which becomes its lvs_real_address (found among its addresses, not taken from ansible_host)."""
    infos = seed_004()
    for h, last in (('rs1', 137), ('rs2', 139)):
        infos[h]['addresses'] += ip_addr(('10.9.0.%d/24' % last, 'eth1'))
    hostvars = dict(HOSTVARS, rs1={'ansible_host': '10.9.0.137'}, rs2={'ansible_host': '10.9.0.139'})
    inv, secret, _report = adopt.adopt(infos, GROUPS['directors'], GROUPS['realservers'], hostvars)
    assert inv['host_vars']['rs1'] == {'lvs_real_address': '192.168.140.137'}
    assert inv['host_vars']['rs2'] == {'lvs_real_address': '192.168.140.139'}
    check_inventory(inv, secret, hostvars)


def test_directors_that_disagree_are_reported():
    infos = seed_004()
    text = (SEEDS / '004-keepalived.conf').read_text().replace('state MASTER', 'state BACKUP').replace(
        'priority 101', 'priority 100').replace('lb_algo wrr', 'lb_algo rr')
    infos['d2']['keepalived']['tree'] = K.parse_text(text, 'keepalived.conf')
    _inv, _secret, report = adopt.adopt(infos, GROUPS['directors'], GROUPS['realservers'], HOSTVARS)
    assert report.disagreements == ['d1 and d2 differ in their services']


def test_seed_000_ldirectord_with_a_real_server_ansible_does_not_manage():
    """ldirectord's checks become keepalived's: checktype=on (always up) -> none, fallback -> sorry server,
    quiescent -> inhibit_on_failure; a real server of the table that no inventory host has is unmanaged."""
    conf = L.parse_file(str(SEEDS / '000-ldirectord.cf'))
    infos = {'d1': {'ldirectord': dict(conf, path='/etc/ha.d/ldirectord.cf'),
                    'addresses': ip_addr(('192.168.34.40/24', 'eth0'), ('192.168.34.41/32', 'eth0'))},
             'rs1': {'addresses': ip_addr(('192.168.34.26/24', 'eth0'), ('192.168.34.41/32', 'lo')),
                     'sysctls': SYSCTLS}}
    hostvars = {'d1': {'ansible_host': '192.168.34.40'}, 'rs1': {'ansible_host': '192.168.34.26'}}
    inv, secret, report = adopt.adopt(infos, ['d1'], ['rs1'], hostvars)
    c = inv['group_vars']
    assert secret is None and c['lvs_ipvs_owner'] == 'keepalived' and c['director_replace_ldirectord']
    (svc,) = c['lvs_services']
    assert svc['port'] == 443 and svc['persistence'] == 600 and svc['inhibit_on_failure'] is True
    assert svc['sorry_server'] == {'address': '127.0.0.1', 'port': 443} and svc['health_check'] == {'type': 'none'}
    assert svc['realservers'] == ['rs1'] if len(infos) > 2 else 'realservers' not in svc
    assert svc['servers'] == [{'address': '192.168.34.27', 'weight': 1}]
    assert report.unmanaged == ['192.168.34.27 (in tcp-443, not an inventory host: kept as an unmanaged server)']
    check_inventory(inv, secret, hostvars)


def test_seed_003_scripts_and_001_rules():
    """dr.sh's ipvsadm commands (seed 003, non-breaking spaces of the page and all) and `ipvsadm -Sn` saved to a
    file (seed 001) as services of a director without keepalived."""
    report = adopt.Report()
    (vs,) = adopt.rules_file_services((SEEDS / '003-dr.sh.txt').read_text(), 'dr.sh', report)
    assert vs['address'] == '192.168.0.14' and vs['port'] == 80 and vs['options']['forwarding'] == 'dr'
    assert [r['address'] for r in vs['reals']] == ['192.168.0.12', '192.168.0.13'] and report.unsupported == []
    (vs,) = adopt.rules_file_services((SEEDS / '001-ipvsadm-config').read_text(), 'ipvsadm-config', report)
    assert vs['options']['forwarding'] == 'nat' and vs['options']['scheduler'] == 'rr'
    infos = {'lvs': {'rules_files': {'/etc/sysconfig/ipvsadm': (SEEDS / '003-dr.sh.txt').read_text()},
                     'addresses': ip_addr(('192.168.0.11/24', 'eth0'), ('192.168.0.14/32', 'eth0'))},
             'web1': {'addresses': ip_addr(('192.168.0.12/24', 'eth0'), ('192.168.0.14/32', 'lo')),
                      'sysctls': SYSCTLS},
             'web2': {'addresses': ip_addr(('192.168.0.13/24', 'eth0'), ('192.168.0.14/32', 'lo')),
                      'sysctls': SYSCTLS}}
    hostvars = {'lvs': {'ansible_host': '192.168.0.11'}, 'web1': {'ansible_host': '192.168.0.12'},
                'web2': {'ansible_host': '192.168.0.13'}}
    inv, secret, _report = adopt.adopt(infos, ['lvs'], ['web1', 'web2'], hostvars)
    c = inv['group_vars']
    assert c['lvs_keepalived'] is False and c['lvs_ipvs_owner'] == 'ansible' and c['lvs_vip'] == '192.168.0.14'
    assert c['lvs_services'] == [{'name': 'tcp-80', 'port': 80, 'scheduler': 'rr'}] and secret is None


def test_the_playbook_variables_default_as_the_module():
    import yaml
    from ansible_collections.lvs.cluster.plugins.plugin_utils import cluster_schema as S
    text = (Path(__file__).resolve().parents[4] / 'plugins/modules/adopt.py').read_text()
    doc = yaml.safe_load(text.split("DOCUMENTATION = r'''")[1].split("'''")[0])
    assert S.OPERATIONS['lvs_adopt_dir'].default == doc['options']['dest']['default']
    assert S.OPERATIONS['lvs_adopt_force'].default == doc['options']['force']['default']


@pytest.mark.parametrize('cases, template', [
    # MISC_CHECK commands of two real servers: their address and port become placeholders
    ([('/usr/bin/check 10.0.0.1:80', {'address': '10.0.0.1', 'port': 80}),
      ('/usr/bin/check 10.0.0.2:80', {'address': '10.0.0.2', 'port': 80})], '/usr/bin/check {address}:{port}'),
    # a value is replaced where it is a whole word only: 80 in 8080 stays
    ([('/usr/bin/check -p 8080 10.0.0.1', {'address': '10.0.0.1', 'port': 80})], '/usr/bin/check -p 8080 {address}'),
    # the same text for every real server is its own template
    ([('/usr/bin/true', {'address': '10.0.0.1', 'port': 80}), ('/usr/bin/true', {'address': '10.0.0.2', 'port': 80})],
     '/usr/bin/true'),
    # commands that differ beyond the real server's values have no template
    ([('/usr/bin/check a 10.0.0.1', {'address': '10.0.0.1', 'port': 80}),
      ('/usr/bin/check b 10.0.0.2', {'address': '10.0.0.2', 'port': 80})], None),
])
def test_a_template_of_per_real_server_commands(cases, template):
    assert service_options.unfill(cases, service_options.MISC_PLACEHOLDERS) == template
    if template is not None:
        assert all(service_options.fill(template, **values) == text for text, values in cases)


def test_vrrp_tracking_by_hand():
    """A vrrp_script, a tracked interface and notify commands every instance shares become the cluster's; a
    script only one instance tracks, a track_file of its own and an unknown top-level block are reported with
    their file and line."""
    extra = ('vrrp_script chk_web {\n    script "/usr/bin/curl -fs http://127.0.0.1/"\n    interval 2\n'
             '    weight -20\n}\nvrrp_script chk_db {\n    script /bin/true\n}\n'
             'track_file maint {\n    file /etc/maint\n}\nstatic_routes {\n    10.0.0.0/8 via 192.168.140.1\n}\n')
    tracking = ('    track_script {\n        chk_web\n    }\n    track_interface {\n        eth1 weight -30\n    }\n'
                '    track_file {\n        maint\n    }\n    notify_master "/usr/local/bin/master.sh"\n')
    infos = seed_004()
    for d in ('d1', 'd2'):
        text = (SEEDS / '004-keepalived.conf').read_text()
        if d == 'd2':
            text = text.replace('state MASTER', 'state BACKUP').replace('priority 101', 'priority 100')
        text = extra + text.replace('advert_int 1\n', 'advert_int 1\n' + tracking)
        infos[d]['keepalived'] = {'tree': K.parse_text(text, '/etc/keepalived/keepalived.conf')}
    inv, secret, report = adopt.adopt(infos, GROUPS['directors'], GROUPS['realservers'], HOSTVARS)
    c = inv['group_vars']
    assert c['lvs_vrrp_scripts'] == [{'name': 'chk_web', 'script': '/usr/bin/curl -fs http://127.0.0.1/',
                                      'interval': 2, 'weight': -20}]
    assert c['lvs_vrrp_track_interfaces'] == [{'name': 'eth1', 'weight': -30}]
    assert c['lvs_vrrp_notify'] == {'master': '/usr/local/bin/master.sh'}
    assert [(u['line'], u['why']) for u in report.unsupported] == [
        (12, 'static_routes is not in the model'),
        (68, 'nat_mask is not read by keepalived 2 (IPVS has no such setting): dropped'),
        (52, 'track_file maint of vrrp_instance VI_1 is not in the model (files are read by FILE_CHECK and the '
             'handover playbook only)')]
    assert 'vrrp_script chk_db is tracked by no instance: left out' in report.notes
    check_inventory(inv, secret)


def test_a_long_vrrp_password_keeps_what_keepalived_uses():
    infos = seed_004()
    for d in ('d1', 'd2'):
        text = (SEEDS / '004-keepalived.conf').read_text().replace('auth_pass 1111', 'auth_pass Adopt-9f3kQ')
        infos[d]['keepalived'] = {'tree': K.parse_text(text, '/etc/keepalived/keepalived.conf')}
    inv, secret, report = adopt.adopt(infos, GROUPS['directors'], GROUPS['realservers'], HOSTVARS)
    assert secret == 'Adopt-9f'
    assert ('auth_pass of vrrp_instance VI_1 is longer than 8 characters: keepalived uses the first 8, '
            'which the vault file keeps') in report.notes
    check_inventory(inv, secret)


# /etc/ha.d/ldirectord.cf as Debian's ldirectord 1:4.12.0-2 installs it
DEBIAN_LDIRECTORD_CF = '''# Dummy configuration file.
#
# See /usr/share/doc/ldirectord/examples/ldirectord.cf.gz for
# configuration examples.
'''


def test_a_rules_file_that_restores_another_table_is_reported():
    """The live table is adopted (not the dummy ldirectord.cf of Debian's package); a rules file restored at boot
    that differs from it is named in the notes."""
    from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_parse
    saved = '-A -t 192.168.0.14:80 -s rr\n-a -t 192.168.0.14:80 -r 192.168.0.12:80 -g -w 1\n'
    for live, noted in ((saved, False), (saved + '-a -t 192.168.0.14:80 -r 192.168.0.13:80 -g -w 1\n', True)):
        infos = {'lvs': {'rules_files': {'/etc/sysconfig/ipvsadm': saved},
                         'ldirectord': L.parse_text(DEBIAN_LDIRECTORD_CF, '/etc/ha.d/ldirectord.cf'),
                         'ipvs': {'services': ipvs_parse.parse_save(live).to_list()},
                         'addresses': ip_addr(('192.168.0.11/24', 'eth0'), ('192.168.0.14/32', 'eth0'))}}
        inv, _secret, report = adopt.adopt(infos, ['lvs'], [], {'lvs': {'ansible_host': '192.168.0.11'}})
        servers = inv['group_vars']['lvs_services'][0]['servers']
        assert len(servers) == (2 if noted else 1) and inv['group_vars']['lvs_keepalived'] is False
        assert any(n.startswith('/etc/sysconfig/ipvsadm on lvs restores another table') for n in report.notes) == noted
