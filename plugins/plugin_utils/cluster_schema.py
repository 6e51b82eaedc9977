# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every inventory variable of the LVS cluster, declared once: type, range, default and meaning.

roles/lvs/meta/argument_specs.yml and roles/lvs/defaults/main.yml mirror CLUSTER (a unit test keeps
them equal); cluster_model.py checks an inventory against it.
"""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_model
from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import Address, Bool, Int, List, Map, Str, Struct

FULLNAT = ('is not in mainline IPVS: fullnat needs an out-of-tree kernel (Alibaba LVS, DPVS); mainline IPVS '
           'forwards by dr, nat or tun')
FORWARDINGS = ('dr', 'nat', 'tun')
FORWARDING_HINTS = {'fullnat': FULLNAT, 'FULLNAT': FULLNAT}
for _alias, _kind in ipvs_model.FORWARDING_ALIASES.items():
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
SECRET = r'[^\s"\'#!\\{}]{0,8}'
PORT = (1, 65535)


def port(description, **kw):
    return Int(description, *PORT, **kw)


HEALTH_CHECK = Struct('keepalived health check of every real server of the service', {
    'type': Str('tcp (TCP_CHECK), http (HTTP_GET), https (SSL_GET), misc (MISC_CHECK) or none',
                choices=('tcp', 'http', 'https', 'misc', 'none'), default='tcp'),
    'port': port('port checked; default the real port (fwmark services: the first of ports)'),
    'path': Str('http/https: URL path requested', pattern=URL_PATH,
                meaning='a URL path starting with / (no spaces, quotes, #, !, \\ or braces)', default='/'),
    'status_code': Int('http/https: the status the check expects', 100, 599, default=200),
    'misc_path': Str('misc: command line run by keepalived, exit 0 = healthy', pattern=COMMAND,
                     meaning='a command line starting with an absolute path (no double quotes, backslashes '
                             'or newlines)', default=''),
    'connect_timeout': Int('seconds before a check attempt fails', 1, 3600, default=3),
    'retry': Int('failed attempts before the real server is removed', 0, 100, default=2),
    'delay_before_retry': Int('seconds between attempts', 0, 3600, default=1),
}, default={})

SORRY_SERVER = Struct('keepalived: server used while the quorum is lost', {
    'address': Address('IPv4 address of the sorry server', required=True),
    'port': port('its port; default the real port'),
})

SERVICE = Struct('a virtual service', {
    'name': Str('unique name of the service', pattern=NAME, meaning=NAME_MEANING, required=True),
    'address': Address('the VIP of the service; default lvs_vip (the only VIP the directors carry today)'),
    'protocol': Str('tcp, udp or sctp (not with fwmark)', choices=ipvs_model.PROTOCOLS, default='tcp'),
    'port': port('virtual port (or fwmark)'),
    'fwmark': Int('firewall-mark service instead of protocol/port', 1, ipvs_model.MAX_FWMARK),
    'ports': List('fwmark: TCP ports of the VIP marked by iptables', port('a marked port'), unique=True,
                  default=[]),
    'real_port': port('NAT only: port on the real servers; default port'),
    'forwarding': Str('dr, nat or tun; default lvs_forwarding', choices=FORWARDINGS, hints=FORWARDING_HINTS),
    'scheduler': Str('IPVS scheduler', choices=ipvs_model.SCHEDULERS, default=ipvs_model.DEFAULT_SCHEDULER),
    'persistence': Int('persistence timeout in seconds, 0 = none', 0, ipvs_model.MAX_PERSISTENCE, default=0),
    'netmask': Str('persistence netmask (dotted IPv4 netmask), needs persistence', default=''),
    'realservers': List('hosts of the real-server group serving it; empty = all',
                        Str('a real server', pattern=HOST, meaning=HOST_MEANING), unique=True, default=[]),
    'weights': Map('per-host weight for this service (overrides lvs_weight)',
                   Str('a real server', pattern=HOST, meaning=HOST_MEANING),
                   Int('weight', 0, ipvs_model.MAX_WEIGHT), default={}),
    'health_check': HEALTH_CHECK,
    'delay_loop': Int('keepalived: seconds between checks', 1, 86400, default=3),
    'quorum': Int('keepalived: minimum weight sum of healthy real servers', 1, 2147483647, default=1),
    'hysteresis': Int('keepalived: quorum hysteresis', 0, 2147483647, default=0),
    'sorry_server': SORRY_SERVER,
})

# Cluster-wide variables: the same for every host (usually group_vars/all).
CLUSTER = {
    'lvs_director_group': Str('inventory group of the directors, in priority order', pattern=GROUP,
                              meaning=GROUP_MEANING, default='directors'),
    'lvs_realserver_group': Str('inventory group of the real servers', pattern=GROUP, meaning=GROUP_MEANING,
                                default='realservers'),
    'lvs_forwarding': Str('default forwarding method of the services: dr, nat or tun', choices=FORWARDINGS,
                          hints=FORWARDING_HINTS, default='dr'),
    'lvs_vip': Address('the public virtual IPv4 address', required=True),
    'lvs_vip_prefix': Int('prefix length of the VIP on the directors', 1, 32, default=32),
    'lvs_public_interface': Str('director interface for the VIP; empty = the one whose network contains it',
                                pattern='|' + IFNAME, meaning=IFNAME_MEANING, default=''),
    'lvs_internal_vip': Address('NAT only: the real servers\' default gateway, floating between the directors',
                                empty=True, default=''),
    'lvs_internal_vip_prefix': Int('prefix length of lvs_internal_vip (the real servers\' network)', 1, 30,
                                   default=24),
    'lvs_internal_interface': Str('director interface for lvs_internal_vip; empty = found by subnet',
                                  pattern='|' + IFNAME, meaning=IFNAME_MEANING, default=''),
    'lvs_ipvs_owner': Str('who owns the IPVS table: keepalived or ansible, never both',
                          choices=('keepalived', 'ansible'), default='keepalived'),
    'lvs_keepalived': Bool('deploy the keepalived VRRP pair that owns the VIP', default=True),
    'lvs_services': List('the virtual services', SERVICE, min_items=1, default=[]),
    'lvs_service_defaults': Struct('values of a service entry that are not given', SERVICE.fields,
                                   default={}),
    'lvs_vrrp_router_id': Int('virtual_router_id of the public VIP instance', 1, 255, default=51),
    'lvs_vrrp_internal_router_id': Int('NAT: virtual_router_id of the internal gateway VIP instance', 1, 255,
                                       default=52),
    'lvs_vrrp_priority_base': Int('VRRP priority of the first director', 1, 254, default=150),
    'lvs_vrrp_priority_step': Int('priority difference between consecutive directors', 1, 253, default=50),
    'lvs_vrrp_auth_pass': Str('VRRP PASS secret, at most 8 characters; empty = no authentication',
                              pattern=SECRET, allow_int=True, secret=True,
                              meaning='at most 8 characters without spaces, quotes, #, !, \\ or braces '
                                      '(keepalived uses only the first 8)', default=''),
}

# Per-host variables (host_vars).
REALSERVER = {
    'lvs_real_address': Address('address the directors send to; default ansible_host'),
    'lvs_weight': Int('IPVS weight, 0 = drained', 0, ipvs_model.MAX_WEIGHT, default=1),
}
DIRECTOR = {
    'lvs_vrrp_priority': Int('VRRP priority of this director (overrides base and step)', 1, 254),
}


def argument_spec():
    """The options of roles/lvs/meta/argument_specs.yml as they follow from CLUSTER (a test compares them).

    Types only: ranges, choices and nested keys are checked by lvs.cluster.cluster_model, whose messages
    name the field path and the value.
    """
    out = {}
    for name, spec in CLUSTER.items():
        option = {'type': 'raw' if spec.secret else spec.kind, 'description': spec.description + '.'}
        if spec.kind == 'list':
            option['elements'] = spec.item.kind
        if spec.required:
            option['required'] = True
        elif name == 'lvs_service_defaults':
            option['default'] = {}
        else:
            option['default'] = spec.default
        if spec.secret:
            option['no_log'] = True
        out[name] = option
    return out
