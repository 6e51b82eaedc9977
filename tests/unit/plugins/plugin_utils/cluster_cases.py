"""Inventories for the cluster model tests: valid ones per forwarding method, and how to break them."""

import copy

DR = {
    'cluster': {
        'lvs_vip': '192.0.2.10',
        'lvs_vrrp_auth_pass': 's3cret',
        'lvs_services': [{'name': 'http', 'port': 80, 'health_check': {'type': 'http', 'path': '/health'}}],
    },
    'groups': {'directors': ['director1', 'director2'], 'realservers': ['rs1', 'rs2'], 'all': []},
    'hostvars': {'director1': {'ansible_host': '192.0.2.1'}, 'director2': {'ansible_host': '192.0.2.2'},
                 'rs1': {'ansible_host': '192.0.2.21'}, 'rs2': {'ansible_host': '192.0.2.22', 'lvs_weight': 3}},
}

NAT = copy.deepcopy(DR)
NAT['cluster'].update({
    'lvs_forwarding': 'nat', 'lvs_vip': '198.51.100.10', 'lvs_internal_vip': '10.0.0.254',
    'lvs_services': [{'name': 'http', 'port': 80, 'real_port': 8080, 'scheduler': 'wrr',
                      'sorry_server': {'address': '10.0.0.50'}}],
})
NAT['hostvars'] = {'director1': {'ansible_host': '198.51.100.1'}, 'director2': {'ansible_host': '198.51.100.2'},
                   'rs1': {'ansible_host': '10.0.0.21'}, 'rs2': {'ansible_host': '10.0.0.22'}}

# Seed 004: a keepalived DR pair balancing port 80, auth_pass 1111 written as a number.
SEED_004 = copy.deepcopy(DR)
SEED_004['cluster'].update({'lvs_vrrp_auth_pass': 1111, 'lvs_vrrp_router_id': 51, 'lvs_services': [
    {'name': 'web', 'port': 80, 'scheduler': 'wrr', 'persistence': 50,
     'health_check': {'type': 'tcp', 'connect_timeout': 3, 'retry': 3, 'delay_before_retry': 3}}]})

# Seed 000: ipvsadm by hand, DR with a fwmark service over 80 and 443 and persistence.
FWMARK = copy.deepcopy(DR)
FWMARK['cluster'].update({'lvs_ipvs_owner': 'ansible', 'lvs_keepalived': False, 'lvs_services': [
    {'name': 'web-affinity', 'fwmark': 1, 'ports': [80, 443], 'persistence': 300, 'netmask': '255.255.255.0'}]})


def service(**kw):
    """DR with its one service changed (None deletes a key)."""
    inv = copy.deepcopy(DR)
    s = inv['cluster']['lvs_services'][0]
    for k, v in kw.items():
        if v is None:
            s.pop(k, None)
        else:
            s[k] = v
    return inv


def cluster(base=None, **kw):
    inv = copy.deepcopy(base or DR)
    for k, v in kw.items():
        if v is None:
            inv['cluster'].pop(k, None)
        else:
            inv['cluster'][k] = v
    return inv


def host(name, base=None, **kw):
    inv = copy.deepcopy(base or DR)
    inv['hostvars'][name].update(kw)
    return inv


def services(*items, base=None):
    return cluster(base, lvs_services=list(items))


def hc(**kw):
    return service(health_check=kw)


WEB = {'name': 'http', 'port': 80}

# (id, inventory, the error it must give: a substring that names the field path and the value)
BROKEN = [
    # addresses, parsed strictly
    ('vip-leading-zero', cluster(lvs_vip='192.0.2.010'), "lvs_vip: '192.0.2.010' is not an IPv4 address"),
    ('vip-not-ip', cluster(lvs_vip='10.0.0.1; rm -rf /'), "lvs_vip: '10.0.0.1; rm -rf /' is not an IPv4"),
    ('vip-octet', cluster(lvs_vip='10.0.0.300'), "lvs_vip: '10.0.0.300' is not an IPv4 address"),
    ('vip-space', cluster(lvs_vip=' 192.0.2.10'), "lvs_vip: ' 192.0.2.10' is not an IPv4 address"),
    ('vip-prefix', cluster(lvs_vip='192.0.2.10/24'), "lvs_vip: '192.0.2.10/24' is not an IPv4"),
    ('vip-ipv6-scope', cluster(lvs_vip='fe80::1%eth0'), "lvs_vip: 'fe80::1%eth0' is not an IPv4"),
    ('vip-ipv6', cluster(lvs_vip='2001:db8::10'), "lvs_vip: '2001:db8::10' is not an IPv4 address"),
    ('vip-missing', cluster(lvs_vip=None), 'lvs_vip: is required'),
    ('vip-int', cluster(lvs_vip=3221225994), 'lvs_vip: 3221225994 is not an IPv4 address'),
    ('vip-multicast', cluster(lvs_vip='224.0.0.18'), "lvs_vip: '224.0.0.18' is a multicast address"),
    ('vip-loopback', cluster(lvs_vip='127.0.0.1'), "lvs_vip: '127.0.0.1' is a loopback address"),
    ('vip-is-realserver', cluster(lvs_vip='192.0.2.21'), "lvs_vip: 192.0.2.21 is the address of real server 'rs1'"),
    ('vip-is-director', cluster(lvs_vip='192.0.2.1'), "lvs_vip: 192.0.2.1 is the address of director 'director1'"),
    ('real-address-octet', host('rs1', lvs_real_address='10.0.0.300'),
     "hostvars[rs1].lvs_real_address: '10.0.0.300' is not an IPv4 address"),
    ('real-address-dup', host('rs2', lvs_real_address='192.0.2.21'),
     "hostvars[rs2].lvs_real_address: 192.0.2.21 is also the address of real server 'rs1'"),
    ('real-address-is-director', host('rs1', lvs_real_address='192.0.2.1'),
     "hostvars[rs1].lvs_real_address: 192.0.2.1 is the address of director 'director1'"),
    ('real-address-hostname', host('rs1', ansible_host='rs1.example.com'),
     "hostvars[rs1].lvs_real_address: is not set and ansible_host 'rs1.example.com' is not an IPv4"),
    ('prefix-range', cluster(lvs_vip_prefix=33), 'lvs_vip_prefix: 33 is out of range 1-32'),
    # enumerations and names
    ('forwarding-typo', cluster(lvs_forwarding='drr'), "lvs_forwarding: 'drr' is not one of dr, nat, tun"),
    ('fullnat', cluster(lvs_forwarding='fullnat'),
     "lvs_forwarding: 'fullnat' is not in mainline IPVS: fullnat needs an out-of-tree kernel"),
    ('service-fullnat', service(forwarding='fullnat'), "lvs_services[0].forwarding: 'fullnat' is not in mainline IPVS"),
    ('forwarding-alias', cluster(lvs_forwarding='masq'), "lvs_forwarding: 'masq' is an ipvsadm alias: write nat"),
    ('owner', cluster(lvs_ipvs_owner='both'), "lvs_ipvs_owner: 'both' is not one of keepalived, ansible"),
    ('owner-without-keepalived', cluster(lvs_keepalived=False), "lvs_ipvs_owner: 'keepalived' needs lvs_keepalived"),
    ('keepalived-bool', cluster(lvs_keepalived='maybe'), "lvs_keepalived: 'maybe' is not a boolean"),
    ('interface-name', cluster(lvs_public_interface='eth0; reboot'),
     "lvs_public_interface: 'eth0; reboot' is not an interface name"),
    ('interface-long', cluster(lvs_public_interface='a' * 16), 'lvs_public_interface: ' + repr('a' * 16)),
    ('name-quote', service(name='web"x'), "lvs_services[0].name: 'web\"x' is not a name"),
    ('name-space', service(name='web site'), "lvs_services[0].name: 'web site' is not a name"),
    ('name-missing', service(name=None), 'lvs_services[0].name: is required'),
    ('name-int', service(name=80), 'lvs_services[0].name: 80 is not a string'),
    ('scheduler', service(scheduler='roundrobin'), "lvs_services[0].scheduler: 'roundrobin' is not one of rr"),
    ('protocol', service(protocol='icmp'), "lvs_services[0].protocol: 'icmp' is not one of tcp, udp, sctp"),
    ('group-name', cluster(lvs_director_group='dir-ectors'),
     "lvs_director_group: 'dir-ectors' is not an inventory group"),
    ('group-empty', cluster(lvs_director_group='nosuch'), "lvs_director_group: group 'nosuch' has no hosts"),
    # numbers and ranges
    ('port-range', service(port=70000), 'lvs_services[0].port: 70000 is out of range 1-65535'),
    ('port-zero', service(port=0), 'lvs_services[0].port: 0 is out of range 1-65535'),
    ('port-text', service(port='http'), "lvs_services[0].port: 'http' is not an integer"),
    ('port-bool', service(port=True), 'lvs_services[0].port: True is not an integer'),
    ('port-float', service(port=80.5), 'lvs_services[0].port: 80.5 is not an integer'),
    ('hc-port', hc(port=70000), 'lvs_services[0].health_check.port: 70000 is out of range 1-65535'),
    ('hc-type', hc(type='htttp'), "lvs_services[0].health_check.type: 'htttp' is not one of tcp, http"),
    ('hc-status', hc(type='http', status_code=700),
     'lvs_services[0].health_check.status_code: 700 is out of range 100-599'),
    ('hc-unknown', hc(type='http', staus_code=200), 'lvs_services[0].health_check.staus_code: unknown key'),
    ('hc-path', hc(type='http', path='health check'),
     "lvs_services[0].health_check.path: 'health check' is not a URL path"),
    ('hc-path-relative', hc(type='http', path='health'),
     "lvs_services[0].health_check.path: 'health' is not a URL path"),
    ('hc-misc-missing', hc(type='misc'), 'lvs_services[0].health_check.misc_path: is required with type misc'),
    ('hc-misc-quote', hc(type='misc', misc_path='/bin/check "x"'),
     'lvs_services[0].health_check.misc_path: \'/bin/check "x"\' is not a command line'),
    ('hc-timeout', hc(connect_timeout=0), 'lvs_services[0].health_check.connect_timeout: 0 is out of range 1-3600'),
    ('hc-retry', hc(retry=-1), 'lvs_services[0].health_check.retry: -1 is out of range 0-100'),
    ('hc-not-dict', service(health_check='tcp'), "lvs_services[0].health_check: 'tcp' is not a mapping"),
    ('persistence-negative', service(persistence=-300), 'lvs_services[0].persistence: -300 is out of range 0-2678400'),
    ('netmask-without-persistence', service(netmask='255.255.255.0'),
     "lvs_services[0].netmask: '255.255.255.0' needs persistence"),
    ('netmask-bad', service(persistence=60, netmask='255.0.255.0'),
     "lvs_services[0].netmask: '255.0.255.0' is not a contiguous netmask"),
    ('weight-range', host('rs1', lvs_weight=70000), 'hostvars[rs1].lvs_weight: 70000 is out of range 0-65535'),
    ('weights-range', service(weights={'rs1': -1}), 'lvs_services[0].weights.rs1: -1 is out of range 0-65535'),
    ('weights-unknown-host', service(weights={'rs9': 1}),
     'lvs_services[0].weights.rs9: names a host that is not a real server'),
    ('delay-loop', service(delay_loop=0), 'lvs_services[0].delay_loop: 0 is out of range 1-86400'),
    ('quorum-zero', service(quorum=0), 'lvs_services[0].quorum: 0 is out of range'),
    ('quorum-too-high', service(quorum=10),
     'lvs_services[0].quorum: 10 is more than the weight of all its real servers (4)'),
    ('hysteresis', service(quorum=2, hysteresis=2), 'lvs_services[0].hysteresis: 2 is not below quorum 2'),
    ('router-id', cluster(lvs_vrrp_router_id=256), 'lvs_vrrp_router_id: 256 is out of range 1-255'),
    ('priority', host('director1', lvs_vrrp_priority=255),
     'hostvars[director1].lvs_vrrp_priority: 255 is out of range 1-254'),
    ('priority-dup', host('director2', lvs_vrrp_priority=150),
     'hostvars[director2].lvs_vrrp_priority: priority 150 is also the priority of director'),
    ('priority-step', cluster(lvs_vrrp_priority_base=40),
     'lvs_vrrp_priority_step: director \'director2\' (number 2) gets priority -10'),
    ('secret-long', cluster(lvs_vrrp_auth_pass='change-me'),
     'lvs_vrrp_auth_pass: (secret, 9 characters) is not at most 8 characters'),
    ('secret-space', cluster(lvs_vrrp_auth_pass='a b'), 'lvs_vrrp_auth_pass: (secret, 3 characters) is not at most 8'),
    ('secret-bool', cluster(lvs_vrrp_auth_pass=True), 'lvs_vrrp_auth_pass: (secret, 4 characters) is not a string'),
    # structure
    ('service-unknown-key', service(schedular='rr'), "lvs_services[0].schedular: unknown key (known: address,"),
    ('service-not-dict', services('http'), "lvs_services[0]: 'http' is not a mapping"),
    ('services-empty', cluster(lvs_services=[]), 'lvs_services: needs at least one service'),
    ('services-dict', cluster(lvs_services={'name': 'http'}), "lvs_services: {'name': 'http'} is not a list"),
    ('port-and-fwmark', service(fwmark=1), 'lvs_services[0]: has both port 80 and fwmark 1'),
    ('no-port', service(port=None), 'lvs_services[0]: has neither port nor fwmark'),
    ('ports-without-fwmark', service(ports=[80]), 'lvs_services[0].ports: is only used with fwmark'),
    ('fwmark-protocol', service(port=None, fwmark=1, ports=[80], protocol='udp'),
     'lvs_services[0].protocol: is not used with fwmark'),
    ('fwmark-no-port-to-check', service(port=None, fwmark=1),
     'lvs_services[0].health_check.port: is required for a fwmark service'),
    ('fwmark-range', service(port=None, fwmark=0), 'lvs_services[0].fwmark: 0 is out of range 1-4294967295'),
    ('ports-dup', service(port=None, fwmark=1, ports=[80, 80]), 'lvs_services[0].ports[1]: 80 is listed twice'),
    ('service-defaults-key', cluster(lvs_service_defaults={'schedular': 'rr'}),
     'lvs_service_defaults.schedular: unknown key'),
    ('service-defaults-value', cluster(lvs_service_defaults={'health_check': {'retry': 'x'}}),
     "lvs_service_defaults.health_check.retry: 'x' is not an integer"),
    # cross-field
    ('realserver-twice', service(realservers=['rs1', 'rs1']), "lvs_services[0].realservers[1]: 'rs1' is listed twice"),
    ('realserver-unknown', service(realservers=['rs9']),
     "lvs_services[0].realservers[0]: 'rs9' is not a host of group 'realservers'"),
    ('host-in-both', dict(DR, groups={'directors': ['director1', 'rs1'], 'realservers': ['rs1', 'rs2']}),
     "lvs_director_group: host 'rs1' is in both directors and realservers"),
    ('service-same-port', services(dict(WEB), dict(WEB, name='http2')),
     'lvs_services[1].port: tcp 192.0.2.10:80 is also used by service \'http\''),
    ('service-same-name', services(dict(WEB), dict(WEB, port=81)),
     "lvs_services[1].name: the name 'http' is also used by service 'http'"),
    ('service-same-fwmark', services({'name': 'a', 'fwmark': 1, 'ports': [80]}, {'name': 'b', 'fwmark': 1,
     'ports': [443]}),
     "lvs_services[1].fwmark: fwmark 1 is also used by service 'a'"),
    ('port-map-dr', service(real_port=8080), 'lvs_services[0].real_port: 8080 differs from port 80 with forwarding dr'),
    ('other-address', service(address='192.0.2.99'),
     'lvs_services[0].address: 192.0.2.99 differs from lvs_vip 192.0.2.10'),
    ('sorry-with-ansible', cluster(lvs_ipvs_owner='ansible', lvs_keepalived=False,
                                   lvs_services=[dict(WEB, sorry_server={'address': '192.0.2.50'})]),
     'lvs_services[0].sorry_server: needs lvs_ipvs_owner keepalived'),
    ('sorry-is-vip', service(sorry_server={'address': '192.0.2.10'}),
     'lvs_services[0].sorry_server.address: 192.0.2.10 is a VIP'),
    ('sorry-unknown', service(sorry_server={'adress': '192.0.2.50'}),
     'lvs_services[0].sorry_server.adress: unknown key'),
    ('two-forwardings', services(dict(WEB), dict(WEB, name='ssh', port=22, forwarding='tun')),
     "lvs_services: real server 'rs1' is used with several forwarding methods (dr, tun)"),
    ('nat-no-internal-vip', cluster(NAT, lvs_internal_vip=None), 'lvs_internal_vip: is required with nat'),
    ('nat-public-realservers', host('rs1', NAT, ansible_host='198.51.100.21'),
     "lvs_services[0]: nat real server 'rs1' (198.51.100.21) is not on the directors' internal network 10.0.0.0/24"),
    ('nat-internal-is-vip', cluster(NAT, lvs_internal_vip='198.51.100.10'),
     'lvs_internal_vip: 198.51.100.10 is the same as lvs_vip'),
    ('nat-vip-inside', cluster(NAT, lvs_vip='10.0.0.200'),
     'lvs_vip: 10.0.0.200 is inside the internal network 10.0.0.0/24'),
    ('nat-same-vrid', cluster(NAT, lvs_vrrp_internal_router_id=51),
     'lvs_vrrp_internal_router_id: 51 is also lvs_vrrp_router_id'),
    ('nat-internal-prefix', cluster(NAT, lvs_internal_vip_prefix=32),
     'lvs_internal_vip_prefix: 32 is out of range 1-30'),
    ('nat-internal-is-host', cluster(NAT, lvs_internal_vip='10.0.0.21'),
     "lvs_internal_vip: 10.0.0.21 is the address of real server 'rs1'"),
]
