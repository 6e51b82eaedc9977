# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every option of the director, keepalived and realserver roles, declared once: type, range or pattern,
default, meaning and scope (cluster: one value on every host of the role, compared across them; host: each
host its own). The roles' meta/argument_specs.yml options and defaults/main.yml are generated from here
(`./lab generate`, plugins/plugin_utils/argument_specs.py) and a unit test keeps them equal; the cluster model
(lvs.cluster.cluster_model) checks the values the inventory sets before any host changes (role_options.py), and
calls an unknown director_*, keepalived_* or realserver_* variable an error.

The cluster's own variables (lvs_*) are in cluster_schema.py.
"""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.plugin_utils.cluster_schema import EXTRA_LINE, EXTRA_MEANING
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Bool, Int, Interface, List, Path, Str, Struct

# keepalived.conf words: no whitespace, quotes, comment characters or braces
WORD = r'[^\s"\'#!\\{}]{1,64}'
WORD_MEANING = 'one keepalived word (no spaces, quotes, #, !, \\ or braces)'
PACKAGE = Str('a Debian package name', pattern=r'[a-z0-9][a-z0-9+.-]+', meaning='a package name')
HOST = 'host'


def packages(description, default):
    return List(description, PACKAGE, unique=True, default=default, scope=HOST)


DIRECTOR = {
    'director_facts_dir': Path('directory of Ansible\'s local facts; lvs_cluster.fact there records the drained real '
                               'servers', default='/etc/ansible/facts.d', scope=HOST),
    'director_packages': packages('packages of the director (installed when missing; no cache update)', ['ipvsadm']),
    'director_fwmark_packages': packages('extra packages when firewall-mark services exist', ['iptables']),
    'director_sync_threshold': Str(
        'net.ipv4.vs.sync_threshold "N M": a connection is sent to the other director by the sync daemon at its Nth '
        'packet and every Mth after. "1 50" syncs from the first packet, so a planned handover finds even the '
        'connections opened just before it (with the kernel\'s "3 50" one in ~150 requests was reset by the new '
        'MASTER during a handover on the lab); empty = the kernel\'s',
        pattern=r'|[0-9]{1,6} [0-9]{1,6}', meaning='"N M", two numbers (empty = the kernel\'s)', default='1 50'),
    'director_expire_nodest_conn': Bool(
        'net.ipv4.vs.expire_nodest_conn=1: a drained (weight 0) real server gets no new connection even from a '
        'client that reuses the source port of a finished one still listed in FIN_WAIT (DR and TUN connections end '
        'there, for 2 min); the kernel (5.16 and later) reschedules such a SYN only with this on (measured on the '
        'lab: with 0, one of ~290 new requests during a drain still went to the drained server); false = leave the '
        'kernel\'s value', default=True),
    'director_send_redirects': Bool('keep ICMP redirects enabled on the director (false: send_redirects=0 on all, '
                                    'default and the public interface; in DR the VIP and the real servers share a '
                                    'network)', default=False),
    'director_sysctl_file': Path('file under /etc/sysctl.d holding the director sysctls',
                                 default='/etc/sysctl.d/90-lvs-director.conf', scope=HOST),
    'director_modules_file': Path('file under /etc/modules-load.d listing IPVS and the schedulers in use, loaded at '
                                  'boot', default='/etc/modules-load.d/lvs-director.conf', scope=HOST),
    'director_rules_file': Path('file holding the IPVS rules restored at boot (lvs_ipvs_owner ansible) by Debian\'s '
                                'ipvsadm service (AUTO="true" in /etc/default/ipvsadm); empty = /etc/ipvsadm.rules. '
                                'Another path is named there as IPVSADM_RULES, which Debian 12\'s service reads; '
                                'Debian 13\'s restores only /etc/ipvsadm.rules, and the role refuses another path '
                                'there',
                                empty=True, default='', scope=HOST),
    'director_ipvs_timeouts': Struct('IPVS connection timeouts in seconds (ipvsadm --set); a key left out keeps the '
                                     'kernel\'s value', {
                                         'tcp': Int('established TCP connections', 1, 2147483),
                                         'tcpfin': Int('TCP connections after a FIN', 1, 2147483),
                                         'udp': Int('UDP', 1, 2147483),
                                     }, default={}),
    'director_sync_daemon': Str('IPVS connection sync daemons this director runs, whoever owns the table: none, '
                                'master, backup or both (the others are stopped; in a keepalived pair '
                                'keepalived_sync_daemon: true asks for both on every director)',
                                choices=('none', 'master', 'backup', 'both'),
                                default='none', scope=HOST),
    'director_sync_interface': Interface('interface of the sync daemon\'s multicast; empty = the director\'s '
                                         'interface for lvs_vip', default='', scope=HOST),
    'director_sync_id': Int('sync daemon id (the same on every director)', 0, 255, default=0),
    'director_arping_command': Str('command sending gratuitous ARP after the director adds a VIP without keepalived '
                                   '(called with -U -c N -I IFACE VIP, run by sh)',
                                   pattern=r'[A-Za-z0-9_./-]+( [A-Za-z0-9_./=-]+)*',
                                   meaning='a command and its arguments (letters, digits, _ . / - =; no shell '
                                           'characters)', default='arping', scope=HOST),
    'director_arping_count': Int('gratuitous ARPs sent for a VIP', 1, 100, default=3, scope=HOST),
    'director_replace_ldirectord': Bool(
        'the cluster was built with ldirectord (lvs.cluster.adopt sets it): stop and disable ldirectord without '
        'removing the services it made (cleanstop=no first), so that keepalived takes the table over with no '
        'moment without it', default=False),
    'director_ldirectord_conf': Path('ldirectord\'s configuration (director_replace_ldirectord)',
                                     default='/etc/ha.d/ldirectord.cf', scope=HOST),
    'director_fwmark_chain': Str('mangle chain of the firewall-mark (MARK) rules',
                                 pattern=r'[A-Za-z][A-Za-z0-9_-]{0,28}', meaning='an iptables chain name',
                                 default='PREROUTING'),
    'director_bgp_packages': packages('packages of the BGP speaker with lvs_frontend bgp', ['bird2']),
    'director_bird_config': Path('BIRD\'s configuration with lvs_frontend bgp, checked with bird -p before it is '
                                 'installed and loaded by birdc configure (the sessions stay up)',
                                 default='/etc/bird/bird.conf', scope=HOST),
}

KEEPALIVED = {
    'keepalived_packages': packages('packages of keepalived', ['keepalived']),
    'keepalived_config_path': Path('the rendered configuration, checked with keepalived -t -f before it is installed',
                                   default='/etc/keepalived/keepalived.conf', scope=HOST),
    'keepalived_secret_path': Path('file holding the VRRP secret (mode 0600), included by the configuration',
                                   default='/etc/keepalived/lvs-vrrp-secret.conf', scope=HOST),
    'keepalived_handover_file': Path('file whose number keepalived subtracts from every instance\'s priority '
                                     '(track_file; written by the handover playbook)',
                                     default='/etc/keepalived/lvs-handover', scope=HOST),
    'keepalived_router_id': Str('global_defs router_id; empty = the inventory host name', pattern='|' + WORD,
                                meaning=WORD_MEANING, default='', scope=HOST),
    'keepalived_advert_int': Int('VRRP advertisement interval in seconds (the same on every director: VRRPv2 drops '
                                 'adverts of another interval)', 1, 255, default=1, frontend='vrrp'),
    'keepalived_unicast': Bool('unicast VRRP to the other directors instead of multicast', default=False,
                               frontend='vrrp'),
    'keepalived_nopreempt': Bool('every director starts BACKUP and none preempts', default=False, frontend='vrrp'),
    'keepalived_preempt_delay': Int('preemption delay in seconds; above 0 every director starts BACKUP (keepalived '
                                    'ignores the delay with initial state MASTER)', 0, 1000, default=0,
                                    frontend='vrrp'),
    'keepalived_garp_master_refresh': Int('seconds between gratuitous ARPs while MASTER (0 = none)', 0, 86400,
                                          default=0, frontend='vrrp'),
    'keepalived_notify_script': Str('script keepalived runs on VRRP state changes, a file the role installs with '
                                    'keepalived_notify_script_content', pattern=r'|/[^\s"\'\\#!{}]+',
                                    meaning='an absolute file path (no spaces, quotes, #, !, \\ or braces)',
                                    default='', scope=HOST, frontend='vrrp'),
    'keepalived_notify_script_content': Str('content installed at keepalived_notify_script', default='', scope=HOST),
    'keepalived_sync_daemon': Bool('IPVS connection sync between the directors of the pair: the director role runs '
                                   'the master and the backup sync daemon on every director (each sends the '
                                   'connections it schedules and receives its peer\'s, for every VRRP instance); '
                                   'not keepalived\'s lvs_sync_daemon, which restarts the daemon at every reload '
                                   '(an error in its log) and follows one instance', default=False),
    'keepalived_sync_interface': Interface('interface of the sync daemons with keepalived_sync_daemon; empty = the '
                                           'VIP\'s interface', default='',
                                           scope=HOST),
    'keepalived_global_defs_extra': List('lines added to global_defs as they are',
                                         Str('a line', pattern=EXTRA_LINE, meaning=EXTRA_MEANING), default=[],
                                         scope=HOST),
}

REALSERVER = {
    'realserver_lo_label': Str('label of the first IPv4 VIP on lo (dr); the others get lo:1, lo:2, ...',
                               pattern=r'lo(:[A-Za-z0-9_.-]{1,12})?',
                               meaning='lo or lo:LABEL (at most 15 characters: letters, digits, _ . -)',
                               default='lo:0', scope=HOST),
    'realserver_arp_ignore': Int('net.ipv4.conf.{all,lo}.arp_ignore of a dr or tun real server: 1 (answer ARP only '
                                 'for addresses of the receiving interface) or 2', 0, 8, default=1, scope=HOST),
    'realserver_arp_announce': Int('net.ipv4.conf.{all,lo}.arp_announce of a dr or tun real server: 2 (always the '
                                   'best local address of the outgoing interface)', 0, 2, default=2, scope=HOST),
    'realserver_arp_sysctl_file': Path('file under /etc/sysctl.d holding the ARP settings',
                                       default='/etc/sysctl.d/90-lvs-arp.conf', scope=HOST),
    'realserver_tun_sysctl_file': Path('file under /etc/sysctl.d holding the tun reverse-path settings',
                                       default='/etc/sysctl.d/90-lvs-tun.conf', scope=HOST),
    'realserver_modules_file': Path('file under /etc/modules-load.d listing the tunnel modules (tun), loaded at '
                                    'boot', default='/etc/modules-load.d/lvs-realserver.conf', scope=HOST),
    'realserver_state_file': Path('where the role records the VIPs it put on lo, tunl0 or ip6tnl0; the next run '
                                  'removes those no longer wanted (its directory must exist)',
                                  default='/var/lib/lvs-realserver-vips.json', scope=HOST),
}

# role -> its options; the group of hosts each role runs on (cluster-scoped options agree across it)
ROLES = {'director': DIRECTOR, 'keepalived': KEEPALIVED, 'realserver': REALSERVER}
ROLE_GROUP = {'director': 'directors', 'keepalived': 'directors', 'realserver': 'realservers'}
OPTIONS = {name: spec for options in ROLES.values() for name, spec in options.items()}
PREFIXES = tuple('%s_' % role for role in ROLES)
