"""The systemd units the director role installs, rendered as the template action does."""

from ansible_collections.lvs.cluster.tests.unit.roles.render import render_role, role_var

MODEL = {'vips': ['192.0.2.10', '2001:db8::10'], 'vip_cidrs': ['192.0.2.10/32', '2001:db8::10/128'],
         'gateway': {'cidrs': []}, 'nat_families': [], 'sync_daemons': {'d1': {'state': 'none', 'interface': ''}}}
HOST = {'public_interface': 'eth0', 'internal_interface': 'bond0.12'}


def variables(**model):
    return {'lvs_model': dict(MODEL, **model), 'lvs_host': HOST}


def test_boot_waits_for_the_interfaces_the_director_uses():
    """A NIC whose driver is a module appears after network.target (Debian 13 under QEMU: Debian 13's ipvsadm
    service restored no rule and started no sync daemon, lvs-vip.service found no eth0, then systemd-networkd dropped
    the VIP it added): lvs-interfaces.service waits, bounded, for each interface the director uses to have an
    address, before the ipvsadm service and lvs-vip.service."""
    assert role_var('director', 'director_boot_interfaces', variables(), 'd1') == ['eth0']
    nat = variables(nat_families=[4], sync_daemons={'d1': {'state': 'both', 'interface': 'eth2'}})
    assert role_var('director', 'director_boot_interfaces', nat, 'd1') == ['eth0', 'bond0.12', 'eth2']
    unit = render_role('director', 'lvs-interfaces.service.j2', nat, 'd1')
    lines = unit.splitlines()
    assert 'Wants=ipvsadm.service' in lines  # the rules and sync daemons at boot, once the interfaces are up
    assert 'Before=ipvsadm.service lvs-vip.service' in lines and 'WantedBy=multi-user.target ipvsadm.service' in lines
    waits = [line for line in lines if line.startswith('ExecStart=')]
    assert len(waits) == 3 and all('[ $i -ge 60 ]' in w for w in waits), unit
    assert 'until [ -n "$(ip -o addr show dev bond0.12 scope global' in waits[1], unit
    assert '' not in lines[lines.index('[Service]'):lines.index('[Install]') - 1], unit  # no blank line from a tag
    vip = render_role('director', 'lvs-vip.service.j2', variables(), 'd1').splitlines()
    assert 'After=network.target systemd-networkd.service lvs-interfaces.service' in vip
    assert 'ExecStart=/sbin/ip addr replace 2001:db8::10/128 dev eth0 nodad' in vip
