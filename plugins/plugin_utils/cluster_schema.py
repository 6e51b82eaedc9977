# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every inventory variable of the LVS cluster, declared once: type, range, default and meaning.

roles/lvs/meta/argument_specs.yml, roles/lvs/defaults/main.yml and the tables of roles/lvs/README.md are
generated from it (`./lab generate`, argument_specs.py; tests/unit/test_generated.py keeps them equal);
cluster_model.py checks an inventory against it. The roles' own options are declared in role_schema.py.
"""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_options, ipvs_values
from ansible_collections.lvs.cluster.plugins.plugin_utils import keepalived_checks
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import (
    MISSING,
    Address,
    Bool,
    Int,
    Interface,
    List,
    Map,
    Str,
    Struct,
)

FULLNAT = ('is not in mainline IPVS: fullnat needs an out-of-tree kernel (Alibaba LVS, DPVS); mainline IPVS '
           'forwards by dr, nat or tun')
FORWARDINGS = ipvs_values.FORWARDING
FORWARDING_HINTS = {'fullnat': FULLNAT, 'FULLNAT': FULLNAT}
for _alias, _kind in ipvs_values.FORWARDING_ALIASES.items():
    if _alias not in FORWARDINGS:
        FORWARDING_HINTS[_alias] = 'is an ipvsadm alias: write %s' % _kind

# Characters that reach commands, iptables comments and keepalived.conf unquoted.
NAME = r'[A-Za-z0-9][A-Za-z0-9_.-]{0,31}'
NAME_MEANING = 'a name of 1-32 letters, digits, _ . - (starting with a letter or digit)'
IFNAME = r'[A-Za-z0-9_][A-Za-z0-9_.@-]{0,14}'
IFNAME_MEANING = 'an interface name (at most 15 letters, digits, _ . @ -)'
GROUP = r'[A-Za-z_][A-Za-z0-9_]*'
GROUP_MEANING = 'an inventory group name (letters, digits, _)'
HOST = r'[A-Za-z0-9_][A-Za-z0-9_.:-]*'
HOST_MEANING = 'an inventory host name'
# keepalived reads '#' and '!' as the start of a comment and splits words on whitespace and quotes.
URL_PATH = r'/[^\s"\'#!\\{}]*'
COMMAND = r'(/[^"\\\r\n\x00]*)?'
COMMAND_MEANING = 'a command line starting with an absolute path (no double quotes, backslashes or newlines)'
SECRET = r'[^\s"\'#!\\{}]{0,8}'
PORT = (1, 65535)
DNS = r'[A-Za-z0-9_.-]{1,253}'
DNS_MEANING = 'a DNS name (letters, digits, _ . -)'
# a line of keepalived configuration inside a block: no braces (no new block, no closing of the one it is in),
# no quotes or comment characters that would swallow the rest of the block
EXTRA_LINE = r'[A-Za-z_][A-Za-z0-9_-]*( [^{}"#!\\\r\n]*)?'
EXTRA_MEANING = 'a keepalived keyword and its values (no braces, quotes, #, !, backslashes or newlines)'


def port(description, **kw):
    return Int(description, *PORT, **kw)


SERVICE_OVERRIDES = {'netmask': {'default': ''}}  # a string field: '' is the host mask


def ipvs(name: str, description: str = '', **kw):
    """The field of the IPVS option NAME as the engine declares it (ipvs_options): its type, range or choices,
    default and meaning; KW overrides."""
    opt = ipvs_options.IPVS_OPTIONS[name]
    kw.setdefault('default', list(opt.default) if opt.kind == 'list' else opt.default)
    description = description or opt.summary
    if opt.kind == 'int':
        return Int(description, *opt.bounds, **kw)
    if opt.kind == 'bool':
        return Bool(description, **kw)
    if opt.kind == 'list':
        return List(description, Str('a value', pattern=r'[a-z0-9-]{1,16}', meaning='a %s value' % name), unique=True,
                    **kw)
    return Str(description, choices=opt.choices, **kw)


HEALTH_CHECK = Struct('keepalived health check of every real server of the service', {
    'type': Str('%s or none; default tcp, udp for a udp service' % ', '.join(
        '%s (%s)' % (t, c.block) for t, c in keepalived_checks.CHECKERS.items()),
        choices=keepalived_checks.TYPES, default='tcp'),
    'port': port('port checked; default the real port (fwmark services: the first of ports)'),
    'path': Str('http/https: URL path requested', pattern=URL_PATH,
                meaning='a URL path starting with / (no spaces, quotes, #, !, \\ or braces)', default='/'),
    'status_code': Int('http/https: the status the check expects', 100, 599, default=200),
    'dns_type': Str('dns: the record type queried', choices=('A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'),
                    default='SOA'),
    'dns_name': Str('dns: the name queried', pattern=DNS, meaning=DNS_MEANING, default='.'),
    'virtualhost': Str('http/https: the Host header sent; empty = the real server\'s address', pattern=r'|' + DNS,
                       meaning=DNS_MEANING, default=''),
    'digest': Str('http/https: MD5 digest the page must have (keepalived genhash); empty = only the status',
                  pattern=r'|[0-9a-fA-F]{32}', meaning='32 hexadecimal digits (the output of genhash)', default=''),
    'misc_path': Str('misc: command line keepalived runs for each real server, exit 0 = healthy; {address} and '
                     '{port} in it are replaced by the real server\'s address and port (fwmark services: the '
                     'checked port)', pattern=COMMAND, meaning=COMMAND_MEANING, default=''),
    'misc_dynamic': Bool('misc: the exit code sets the weight (0 keeps it, 1 = failed, 2-255 = weight code - 2)',
                         default=False),
    'smtp_helo': Str('smtp: the name sent in HELO; empty = keepalived\'s (the director\'s host name)',
                     pattern='|' + DNS, meaning=DNS_MEANING, default=''),
    'file_path': Str('file: the file on each director whose content takes each real server out (a number: 0 = in '
                     'service, anything else = out, e.g. for maintenance); {name}, {address} and {port} in it are '
                     'replaced by the real server\'s; the directors create it with 0', pattern=r'/[^\s"\'#!\\]*',
                     meaning='an absolute path (no spaces, quotes, #, ! or \\)',
                     default='/etc/keepalived/lvs-maintenance/{name}'),
    'connect_timeout': Int('seconds before a check attempt fails', 1, 3600, default=3),
    'retry': Int('failed attempts before the real server is removed', 0, 100, default=2),
    'delay_before_retry': Int('seconds between attempts', 0, 3600, default=1),
}, default={})

SORRY_SERVER = Struct('keepalived: server used while the quorum is lost', {
    'address': Address('address of the sorry server (the family of the service\'s VIP); 127.0.0.1 or ::1 = the '
                       'director itself (IPVS serves a local address as a local node, on the service\'s port)',
                       versions=(4, 6), loopback=True, required=True),
    'port': port('its port; default the real port'),
})

SERVER = Struct('a real server Ansible does not manage (an appliance, a Windows host): the directors balance to '
                'it, nothing logs into it', {
                    'address': Address('its address, of the family of the service\'s VIP (the directors send to it)',
                                       versions=(4, 6), required=True),
                    'port': port('nat: its port; default the service\'s real_port (dr and tun: the service port)'),
                    'weight': ipvs('weight'),
                    'name': Str('a name for it in status and messages; default its address', pattern=NAME,
                                meaning=NAME_MEANING),
                })

SERVICE = Struct('a virtual service', {
    'name': Str('unique name of the service', pattern=NAME, meaning=NAME_MEANING, required=True),
    'address': Address('the VIP of the service, IPv4 or IPv6 (the directors carry it, and dr/tun real servers of '
                       'the service); default lvs_vip', versions=(4, 6)),
    'protocol': Str('tcp, udp or sctp (not with fwmark)', choices=ipvs_values.PROTOCOLS, default='tcp'),
    'port': port('virtual port (or fwmark)'),
    'fwmark': Int('firewall-mark service instead of protocol/port', 1, ipvs_values.MAX_FWMARK),
    'ports': List('fwmark: TCP ports of the VIP marked by iptables', port('a marked port'), unique=True,
                  default=[]),
    'real_port': port('NAT only: port on the real servers; default port'),
    'forwarding': ipvs('forwarding', 'dr, nat or tun; default lvs_forwarding', default=MISSING, hints=FORWARDING_HINTS),
    # every IPVS option of a virtual service, as the engine declares it (a new one appears here by itself)
    **{opt.name: ipvs(opt.name, **SERVICE_OVERRIDES.get(opt.name, {})) for opt in ipvs_options.SERVICE_OPTIONS},
    'realservers': List('hosts of the real-server group serving it; empty = all (none when servers is given)',
                        Str('a real server', pattern=HOST, meaning=HOST_MEANING), unique=True, default=[]),
    'servers': List('real servers that are not inventory hosts (configured on the directors only)', SERVER,
                    default=[]),
    'weights': Map('per-host weight for this service (overrides lvs_weight)',
                   Str('a real server', pattern=HOST, meaning=HOST_MEANING),
                   ipvs('weight', 'weight', default=MISSING), default={}),
    'health_check': HEALTH_CHECK,
    'delay_loop': Int('keepalived: seconds between checks', 1, 86400, default=3),
    'quorum': Int('keepalived: minimum weight sum of healthy real servers', 1, 2147483647, default=1),
    'hysteresis': Int('keepalived: quorum hysteresis', 0, 2147483647, default=0),
    'sorry_server': SORRY_SERVER,
    'upper_threshold': ipvs('upper_threshold'),
    'lower_threshold': ipvs('lower_threshold'),
    'inhibit_on_failure': Bool('keepalived: a failed real server keeps its place with weight 0 (its established '
                               'connections go on) instead of leaving the table', default=False),
    'alpha': Bool('keepalived: real servers start as failed until a first check succeeds', default=False),
    'omega': Bool('keepalived: run quorum_down when the virtual server is removed (keepalived stops)', default=False),
    'quorum_up': Str('keepalived: command run when the quorum is gained', pattern=COMMAND, meaning=COMMAND_MEANING,
                     default=''),
    'quorum_down': Str('keepalived: command run when the quorum is lost', pattern=COMMAND, meaning=COMMAND_MEANING,
                       default=''),
    'sorry_server_inhibit': Bool('keepalived: keep the sorry server in the table with weight 0 while the quorum holds',
                                 default=False),
    'keepalived_extra': List('keepalived: lines added to the virtual_server block as they are, for options the '
                             'model does not cover', Str('a line', pattern=EXTRA_LINE, meaning=EXTRA_MEANING),
                             default=[]),
})

VRRP_SCRIPT = Struct('a check keepalived runs on every director (vrrp_script, tracked by every VRRP instance)', {
    'name': Str('its name in keepalived.conf', pattern=NAME, meaning=NAME_MEANING, required=True),
    'script': Str('command line run by keepalived, exit 0 = healthy', pattern=r'/[^"\\\r\n\x00]*',
                  meaning=COMMAND_MEANING, required=True),
    'interval': Int('seconds between two runs', 1, 3600, default=2),
    'timeout': Int('seconds a run may take before it counts as failed', 1, 3600, default=2),
    'weight': Int('0: the director goes to FAULT while the check fails (its VIPs move); negative: its priority '
                  'drops by that much while failing; positive: rises while succeeding', -253, 253, default=0),
    'rise': Int('successes before a failed check counts as healthy again', 1, 100, default=1),
    'fall': Int('failures before a healthy check counts as failed', 1, 100, default=1),
})
TRACK_INTERFACE = Struct('an interface every VRRP instance tracks (track_interface)', {
    'name': Str('the interface', pattern=IFNAME, meaning=IFNAME_MEANING, required=True),
    'weight': Int('0: FAULT while it is down; negative: the priority drops by that much', -253, 253, default=0),
})
VRRP_NOTIFY = Struct('commands keepalived runs when the VRRP state changes (the sync group\'s with nat)', {
    state: Str('command run on entering %s' % state.upper(), pattern=COMMAND, meaning=COMMAND_MEANING, default='')
    for state in ('master', 'backup', 'fault', 'stop')
}, default={}, frontend='vrrp')
EMAIL = r'[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+'
VRRP_EMAIL = Struct('keepalived\'s e-mail alerts (global_defs notification_email, smtp_server)', {
    'to': List('addresses alerted', Str('an e-mail address', pattern=EMAIL, meaning='an e-mail address'),
               unique=True, default=[]),
    'from': Str('the sender: an e-mail address, or a bare local name as in seed 004 (`localhost`), which the relay '
                'completes; empty = keepalived\'s default', pattern='|' + EMAIL + '|[A-Za-z0-9._-]{1,64}',
                meaning='an e-mail address or a bare name', default=''),
    'smtp_server': Str('the SMTP relay (name or address)', pattern='|' + DNS, meaning=DNS_MEANING, default=''),
    'smtp_port': port('its port', default=25),
    'connect_timeout': Int('seconds to connect to it', 1, 3600, default=30),
    'alert': Bool('send a mail on every VRRP state change and health-check transition (smtp_alert)', default=True),
}, default={})
VRRP_GARP = Struct('gratuitous ARP of a new MASTER (global_defs vrrp_garp_*)', {
    'master_delay': Int('seconds after becoming MASTER before the second burst (0 = none)', 0, 1000, default=5),
    'master_repeat': Int('gratuitous ARPs per burst', 1, 1000, default=5),
    'master_refresh_repeat': Int('gratuitous ARPs per refresh (keepalived_garp_master_refresh)', 1, 1000, default=1),
    'lower_prio_delay': Int('seconds before the burst after an advert of lower priority', 0, 1000, default=5),
    'lower_prio_repeat': Int('gratuitous ARPs then (0 = none)', 0, 1000, default=0),
}, default={}, frontend='vrrp')

VRRP_INSTANCE = Struct('a VRRP instance carrying some of the VIPs, MASTER on its own director (active/active)', {
    'name': Str('the instance name in keepalived.conf', pattern=NAME, meaning=NAME_MEANING, required=True),
    'vips': List('the VIPs it carries (lvs_vip or a service\'s address; each VIP in one instance)',
                 Address('a VIP', versions=(4, 6)), unique=True, min_items=1, required=True),
    'router_id': Int('its virtual_router_id; default lvs_vrrp_router_id + its position (0, 1, ...)', 1, 255),
    'master': Str('the director that is its MASTER (the highest priority); default the first director', pattern=HOST,
                  meaning=HOST_MEANING, default=''),
})

ASN = (1, 4294967294)  # 0 and 4294967295 are reserved (RFC 7607, RFC 7300)
COMMUNITY = r'[0-9]{1,5}:[0-9]{1,5}'
BGP_PEER = Struct('a router the directors announce the VIPs to (an eBGP neighbour on a LAN of every director)', {
    'address': Address('its address on the directors\' LAN, IPv4 or IPv6 (it gets the VIPs of its family)',
                       versions=(4, 6), required=True),
    'asn': Int('its AS number (another than lvs_bgp.asn: eBGP)', *ASN, required=True),
    'name': Str('its name in status and in the BGP daemon\'s configuration (protocol peer_NAME); default router1, '
                'router2, ...',
                pattern=r'[A-Za-z][A-Za-z0-9_]{0,31}',
                meaning='a name of 1-32 letters, digits or _ (starting with a letter)'),
})
BGP = Struct('lvs_frontend bgp: how every director announces the VIPs (BIRD 2)', {
    'asn': Int('the directors\' AS number (the same on every director; a private one, 64512-65534 or '
               '4200000000-4294967294, unless yours)', *ASN, required=True),
    'peers': List('the routers (each director peers with every one)', BGP_PEER, min_items=1, required=True),
    'hold_time': Int('BGP hold time in seconds (the keepalive is a third of it); without BFD a dead director is '
                     'noticed after this long', 3, 65535, default=9),
    'bfd': Bool('BFD on every session: a dead director is noticed after bfd_interval x bfd_multiplier (the routers '
                'must run BFD too)', default=True),
    'bfd_interval': Int('BFD transmit and receive interval in milliseconds', 10, 10000, default=100),
    'bfd_multiplier': Int('BFD packets missed before the session is down', 1, 255, default=3),
    'med': Int('MED (multi-exit discriminator) set on the announced VIPs; empty = none', 0, 4294967295),
    'communities': List('standard communities ASN:VALUE added to the announced VIPs', Str(
        'a community', pattern=COMMUNITY, meaning='a community ASN:VALUE, two numbers 0-65535'), unique=True,
        default=[]),
    'interface': Str('the dummy interface carrying the announced VIPs on each director (an address there is '
                     'local: IPVS takes the packets to it; the BGP daemon announces what it holds)',
                     pattern=IFNAME, meaning=IFNAME_MEANING, default='lvs-vips'),
    'announce_delay': Int('seconds a director waits, once every service of a VIP has its quorum, before it '
                          'announces the VIP (withdrawing is at once): time for every real server\'s first check, so '
                          'that its table matches the other directors\' and a flow the routers move to it keeps its '
                          'real server; empty = the longest delay_loop + connect_timeout of the VIP\'s services',
                          0, 3600),
})

# Cluster-wide variables: the same for every host (usually group_vars/all).
CLUSTER = {
    'lvs_director_group': Str('inventory group of the directors, in priority order', pattern=GROUP,
                              meaning=GROUP_MEANING, default='directors'),
    'lvs_realserver_group': Str('inventory group of the real servers', pattern=GROUP, meaning=GROUP_MEANING,
                                default='realservers'),
    'lvs_forwarding': Str('default forwarding method of the services: dr (direct routing), nat (masquerading) or tun '
                          '(IPIP); a service\'s forwarding overrides it', choices=FORWARDINGS,
                          hints=FORWARDING_HINTS, default='dr'),
    'lvs_vip': Address('the public VIP, IPv4 or IPv6 (inside a network of every director); the services\' VIP '
                       'unless they give their own address', versions=(4, 6), required=True),
    'lvs_vip_prefix': Int('prefix length of the IPv4 VIPs on the directors (IPv6 VIPs are /128)', 1, 32, default=32,
                          frontend='vrrp'),
    'lvs_public_interface': Interface('director interface for the VIP; empty = the one whose network contains it',
                                      default=''),
    'lvs_internal_vip': Address('NAT only: the real servers\' default gateway, floating between the directors',
                                empty=True, default='', frontend='vrrp'),
    'lvs_internal_vip_prefix': Int('prefix length of lvs_internal_vip (the real servers\' network)', 1, 30,
                                   default=24),
    'lvs_internal_vip6': Address('NAT with IPv6 services: the real servers\' IPv6 default gateway, floating between '
                                 'the directors', versions=(6,), empty=True, default='', frontend='vrrp'),
    'lvs_internal_vip6_prefix': Int('prefix length of lvs_internal_vip6 (the real servers\' IPv6 network)', 1, 126,
                                    default=64),
    'lvs_internal_interface': Interface('director interface for lvs_internal_vip; empty = found by subnet',
                                        default=''),
    'lvs_ipvs_owner': Str('who owns the IPVS table: keepalived (virtual_server blocks with health checks) or ansible '
                          '(lvs.cluster.ipvs_rules, persisted for boot), never both',
                          choices=('keepalived', 'ansible'), default='keepalived'),
    'lvs_keepalived': Bool('deploy the keepalived VRRP pair that owns the VIP; false = the director role adds the '
                           'VIP itself (one director, lvs_ipvs_owner ansible)', default=True),
    'lvs_frontend': Str('how the VIPs reach the directors: vrrp (a keepalived VRRP pair, one active director '
                        'holding them by ARP) or bgp (every director active, announcing them by BGP to the routers '
                        'of lvs_bgp, which spread the flows by ECMP; consistent-hash schedulers)',
                        choices=('vrrp', 'bgp'), default='vrrp'),
    'lvs_bgp': BGP,
    'lvs_services': List('the virtual services', SERVICE, min_items=1, default=[]),
    'lvs_service_defaults': Struct('values merged deeply under every service entry, e.g. {scheduler: rr, '
                                   'health_check: {retry: 3}}', SERVICE.fields, partial=True, default={}),
    'lvs_vrrp_router_id': Int('virtual_router_id of the public VIP instance (VI_PUBLIC; the first of '
                              'lvs_vrrp_instances)', 1, 255, default=51, frontend='vrrp'),
    'lvs_vrrp_internal_router_id': Int('NAT: virtual_router_id of the internal gateway VIP instance (VI_GATEWAY; '
                                       'differs from every other)', 1, 255,
                                       default=52, frontend='vrrp'),
    'lvs_vrrp_priority_base': Int('VRRP priority of the first director of lvs_director_group', 1, 254, default=150,
                                  frontend='vrrp'),
    'lvs_vrrp_priority_step': Int('priority difference between consecutive directors of the group', 1, 253,
                                  default=50, frontend='vrrp'),
    'lvs_vrrp_instances': List('VRRP instances of the VIPs (active/active: each instance MASTER on its own '
                               'director); empty = one instance, VI_PUBLIC, with every VIP', VRRP_INSTANCE, default=[],
                               frontend='vrrp'),
    'lvs_vrrp_scripts': List('checks keepalived runs on every director, tracked by every VRRP instance',
                             VRRP_SCRIPT, default=[], frontend='vrrp'),
    'lvs_vrrp_track_interfaces': List('interfaces every VRRP instance tracks', TRACK_INTERFACE, default=[],
                                      frontend='vrrp'),
    'lvs_vrrp_notify': VRRP_NOTIFY,
    'lvs_vrrp_email': VRRP_EMAIL,
    'lvs_vrrp_garp': VRRP_GARP,
    'lvs_vrrp_auth_pass': Str('VRRP PASS secret, at most 8 characters; empty = no authentication',
                              pattern=SECRET, allow_int=True, secret=True,
                              meaning='at most 8 characters without spaces, quotes, #, !, \\ or braces '
                                      '(keepalived uses only the first 8)', default='', frontend='vrrp'),
}

# Per-host variables (host_vars).
REALSERVER = {
    'lvs_real_address': Address('a real server\'s address the directors send to (IPv4 or IPv6); default '
                                'ansible_host', versions=(4, 6), scope='host'),
    'lvs_real_address6': Address('IPv6 address the directors send to for IPv6 services, when lvs_real_address is '
                                 'IPv4 (a dual-stack real server)', versions=(6,), scope='host'),
    'lvs_weight': ipvs('weight', 'a real server\'s IPVS weight in every service it serves (a service\'s weights '
                       'override it); 0 = drained', scope='host'),
}
DIRECTOR = {
    'lvs_vrrp_priority': Int('a director\'s VRRP priority (overrides lvs_vrrp_priority_base and '
                             'lvs_vrrp_priority_step)', 1, 254, scope='host', frontend='vrrp'),
}


# Variables of the day-2 playbooks (drain, restore, rolling, handover, status) and of the lock every playbook
# takes: extra vars of one run, checked by lvs.cluster.cluster_model like the cluster's own.
SERVER = Str('a real server: its inventory name or its address', pattern=HOST, meaning=HOST_MEANING)
OPERATIONS = {
    'lvs_lock_wait': Int('seconds a run waits for a host locked by another run of the collection', 0, 86400,
                         default=600),
    'lvs_lock_ttl': Int('seconds a lock lasts unless renewed (a run killed half-way blocks others that long at '
                        'most; on the same controller not at all)', 60, 604800, default=3600),
    'lvs_drain': List('real servers to take out (weight 0 on every director, connections kept); with lvs_frontend '
                      'bgp also directors (they withdraw their routes, the routers move their flows to the others)',
                      SERVER, unique=True, default=[]),
    'lvs_restore': List('drained real servers to put back with their configured weights, and drained directors to '
                        'announce again (lvs_frontend bgp); [all] = every one',
                        SERVER, unique=True, default=[]),
    'lvs_drain_force': Bool('allow a drain that leaves a service with no weight at all (or, with lvs_frontend bgp, '
                            'no director announcing)', default=False),
    'lvs_drain_timeout': Int('seconds to wait for the active connections of drained servers to end (a drained '
                             'director: until no packet reaches it)', 0, 86400,
                             default=300),
    'lvs_drain_strict': Bool('fail (instead of reporting them) when connections are left after '
                             'lvs_drain_timeout', default=False),
    'lvs_rolling_tasks': Str('rolling: tasks file run on each real server while it is drained', default=''),
    'lvs_rolling_batch': Int('rolling: real servers drained at a time', 1, 1000, default=1),
    'lvs_rolling_check_timeout': Int('rolling: seconds for a real server to answer its service port again', 1,
                                     3600, default=60),
    'lvs_handover_to': Str('handover: the director that gets every VIP; empty = the BACKUP of highest priority; '
                           'configured = each VRRP instance back on its configured master (undoes a handover)',
                           pattern='|' + HOST, meaning=HOST_MEANING, default=''),
    'lvs_handover_restart': Bool('handover: restart keepalived on the BACKUP before it takes over and on the old '
                                 'MASTER after (e.g. after an upgrade)', default=False),
    'lvs_status_file': Str('status: also write the status of every director as JSON to this file on the '
                           'controller; empty = only print it', default=''),
    'lvs_handover_timeout': Int('handover: seconds to wait for each VRRP state change', 1, 3600, default=60),
    'lvs_adopt_dir': Str('adopt: the inventory directory to write', default='./adopted'),
    'lvs_adopt_vault_password_file': Str('adopt: encrypt the vault file with the password in this file; empty = '
                                         'written with mode 0600 for you to encrypt', default=''),
    'lvs_adopt_force': Bool('adopt: replace an inventory already in lvs_adopt_dir', default=False),
}
