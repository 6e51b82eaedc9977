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

# Dual stack: the IPv4 service of DR and an IPv6 one, the real servers with an IPv6 address each.
DUAL = copy.deepcopy(DR)
DUAL['cluster']['lvs_services'].append({'name': 'http6', 'address': '2001:db8::10', 'port': 80, 'scheduler': 'wrr'})
DUAL['hostvars']['rs1']['lvs_real_address6'] = '2001:db8::21'
DUAL['hostvars']['rs2']['lvs_real_address6'] = '2001:db8::22'
V6 = {'name': 'http6', 'address': '2001:db8::10', 'port': 80}

# IPv6 NAT: the VIP public, the real servers on the internal IPv6 network behind lvs_internal_vip6.
NAT6 = copy.deepcopy(DR)
NAT6['cluster'] = {'lvs_vip': '2001:db8::10', 'lvs_forwarding': 'nat', 'lvs_internal_vip6': '2001:db8:1::fe',
                   'lvs_vrrp_auth_pass': 's3cret',
                   'lvs_services': [{'name': 'http6', 'port': 80, 'real_port': 8080}]}
NAT6['hostvars'] = {'director1': {'ansible_host': '192.0.2.1'}, 'director2': {'ansible_host': '192.0.2.2'},
                    'rs1': {'ansible_host': '2001:db8:1::21'}, 'rs2': {'ansible_host': '2001:db8:1::22'}}

# lvs_frontend bgp: every director announces the VIP (outside the LAN) to a router of the lab's LAN
BGP = copy.deepcopy(DR)
BGP['cluster'] = {'lvs_vip': '10.76.0.1', 'lvs_frontend': 'bgp',
                  'lvs_bgp': {'asn': 65001, 'peers': [{'address': '10.78.0.250', 'asn': 65000}]},
                  'lvs_services': [{'name': 'http', 'port': 80, 'scheduler': 'mh', 'sched_flags': ['mh-port']}]}
BGP['hostvars'] = {'director1': {'ansible_host': '10.78.0.11'}, 'director2': {'ansible_host': '10.78.0.12'},
                   'rs1': {'ansible_host': '10.78.0.21'}, 'rs2': {'ansible_host': '10.78.0.22'}}


def changed(base, where, kw):
    """A copy of BASE (default DR) whose mapping WHERE(copy) has the keys of KW set (None deletes a key)."""
    inv = copy.deepcopy(base or DR)
    mapping = where(inv)
    for k, v in kw.items():
        if v is None:
            mapping.pop(k, None)
        else:
            mapping[k] = v
    return inv


def service(base=None, **kw):
    """DR (or BASE) with its one service changed (None deletes a key)."""
    return changed(base, lambda inv: inv['cluster']['lvs_services'][0], kw)


def cluster(base=None, **kw):
    return changed(base, lambda inv: inv['cluster'], kw)


def host(name, base=None, **kw):
    inv = copy.deepcopy(base or DR)
    inv['hostvars'][name].update(kw)
    return inv


def services(*items, base=None):
    return cluster(base, lvs_services=list(items))


def hc(**kw):
    return service(health_check=kw)


WEB = {'name': 'http', 'port': 80}
ROUTER = {'address': '10.78.0.250', 'asn': 65000}


def bgp(**kw):
    """BGP with lvs_bgp changed (None deletes a key)."""
    return changed(BGP, lambda inv: inv['cluster']['lvs_bgp'], kw)


def peer(**kw):
    """BGP with its one router changed (None deletes a key)."""
    return bgp(peers=[{k: v for k, v in dict(ROUTER, **kw).items() if v is not None}])


# (id, inventory, the error it must give: a substring that names the field path and the value)
BROKEN = [
    # addresses, parsed strictly
    ('vip-leading-zero', cluster(lvs_vip='192.0.2.010'), "lvs_vip: '192.0.2.010' is not an IPv4 or IPv6 address"),
    ('vip-not-ip', cluster(lvs_vip='10.0.0.1; rm -rf /'), "lvs_vip: '10.0.0.1; rm -rf /' is not an IPv4"),
    ('vip-octet', cluster(lvs_vip='10.0.0.300'), "lvs_vip: '10.0.0.300' is not an IPv4 or IPv6 address"),
    ('vip-space', cluster(lvs_vip=' 192.0.2.10'), "lvs_vip: ' 192.0.2.10' is not an IPv4 or IPv6 address"),
    ('vip-prefix', cluster(lvs_vip='192.0.2.10/24'), "lvs_vip: '192.0.2.10/24' is not an IPv4"),
    ('vip-ipv6-scope', cluster(lvs_vip='fe80::1%eth0'), "lvs_vip: 'fe80::1%eth0' is not an IPv4"),
    ('vip-ipv6-nat', cluster(lvs_vip='2001:db8::10', lvs_forwarding='nat', lvs_internal_vip='10.0.0.254'),
     'lvs_internal_vip6: is required with nat of IPv6 services'),
    ('vip-missing', cluster(lvs_vip=None), 'lvs_vip: is required'),
    ('vip-int', cluster(lvs_vip=3221225994), 'lvs_vip: 3221225994 is not an IPv4 or IPv6 address'),
    ('vip-multicast', cluster(lvs_vip='224.0.0.18'), "lvs_vip: '224.0.0.18' is a multicast address"),
    ('vip-loopback', cluster(lvs_vip='127.0.0.1'), "lvs_vip: '127.0.0.1' is a loopback address"),
    ('vip-is-realserver', cluster(lvs_vip='192.0.2.21'), "lvs_vip: 192.0.2.21 is the address of real server 'rs1'"),
    ('vip-is-director', cluster(lvs_vip='192.0.2.1'), "lvs_vip: 192.0.2.1 is the address of director 'director1'"),
    ('vip-link-local-v4', cluster(lvs_vip='169.254.10.10'), "lvs_vip: '169.254.10.10' is a link-local IPv4 address"),
    ('real-address-link-local-v4', host('rs1', lvs_real_address='169.254.0.21'),
     "hostvars[rs1].lvs_real_address: '169.254.0.21' is a link-local IPv4 address"),
    ('real-address-loopback-ansible-host', host('rs1', ansible_host='127.0.0.1', ansible_port=2222),
     "hostvars[rs1].lvs_real_address: is not set and ansible_host '127.0.0.1' is a loopback address (Ansible "
     "reaches the host through a port forward"),
    ('real-address-loopback-v6-ansible-host', host('rs2', ansible_host='::1'),
     "hostvars[rs2].lvs_real_address: is not set and ansible_host '::1' is a loopback address"),
    ('vip-network-address', cluster(lvs_vip='192.0.2.0', lvs_vip_prefix=24),
     'lvs_vip_prefix: 24 makes 192.0.2.0 the network address of 192.0.2.0/24'),
    ('vip-broadcast-address', cluster(lvs_vip='192.0.2.255', lvs_vip_prefix=24),
     'lvs_vip_prefix: 24 makes 192.0.2.255 the broadcast address of 192.0.2.0/24'),
    ('vip2-broadcast-address', services(WEB, dict(WEB, name='b', address='192.0.2.63'),
                                        base=cluster(lvs_vip_prefix=26)),
     'lvs_vip_prefix: 26 makes 192.0.2.63 the broadcast address of 192.0.2.0/26'),
    ('nat-gateway-broadcast', cluster(NAT, lvs_internal_vip='10.0.0.255'),
     'lvs_internal_vip_prefix: 24 makes 10.0.0.255 the broadcast address of 10.0.0.0/24'),
    ('real-address-octet', host('rs1', lvs_real_address='10.0.0.300'),
     "hostvars[rs1].lvs_real_address: '10.0.0.300' is not an IPv4 or IPv6 address"),
    ('real-address-dup', host('rs2', lvs_real_address='192.0.2.21'),
     "hostvars[rs2].lvs_real_address: 192.0.2.21 is also the address of real server 'rs1'"),
    ('real-address-is-director', host('rs1', lvs_real_address='192.0.2.1'),
     "hostvars[rs1].lvs_real_address: 192.0.2.1 is the address of director 'director1'"),
    ('real-address-hostname', host('rs1', ansible_host='rs1.example.com'),
     "hostvars[rs1].lvs_real_address: is not set and ansible_host 'rs1.example.com' is not an IP address"),
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
    ('rs-group-empty', cluster(lvs_realserver_group='nosuch'),
     "lvs_services[0].realservers: the service has no real server (no host of group 'nosuch', no servers)"),
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
    ('hc-misc-placeholder', hc(type='misc', misc_path='/bin/check {addr}'),
     "lvs_services[0].health_check.misc_path: '/bin/check {addr}': '{addr}' is not a placeholder (use {address} or "
     "{port}"),
    ('hc-misc-brace', hc(type='misc', misc_path='/bin/check {address'),
     "lvs_services[0].health_check.misc_path: '/bin/check {address': a lone brace is not a placeholder"),
    ('hc-misc-dynamic-tcp', hc(type='tcp', misc_dynamic=True),
     "lvs_services[0].health_check.misc_dynamic: is only used by misc checks, not type 'tcp'"),
    ('hc-misc-dynamic-type', hc(type='misc', misc_path='/bin/true', misc_dynamic='yes please'),
     "lvs_services[0].health_check.misc_dynamic: 'yes please' is not a boolean"),
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
    ('secret-placeholder', cluster(lvs_vrrp_auth_pass='CHANGEME'),
     'lvs_vrrp_auth_pass: (secret, 8 characters) is a placeholder (such as CHANGEME), not a secret'),
    ('secret-placeholder-lower', cluster(lvs_vrrp_auth_pass='change_me'),
     'lvs_vrrp_auth_pass: (secret, 9 characters) is not at most 8 characters'),
    ('secret-placeholder-xxx', cluster(lvs_vrrp_auth_pass='xxxx'),
     'lvs_vrrp_auth_pass: (secret, 4 characters) is a placeholder (such as CHANGEME), not a secret'),
    ('secret-placeholder-angle', cluster(lvs_vrrp_auth_pass='<pass>'),
     'lvs_vrrp_auth_pass: (secret, 6 characters) is a placeholder (such as CHANGEME), not a secret'),
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
    # firewall marks: IPVS looks a marked packet up by its mark first; the last MARK rule of a port wins
    ('fwmark-takes-port', services(WEB, {'name': 'm', 'fwmark': 1, 'ports': [80, 443]}),
     "lvs_services[0].port: tcp 192.0.2.10:80 is marked by fwmark service 'm', which IPVS looks up first"),
    ('fwmark-port-marked-twice', services({'name': 'a', 'fwmark': 1, 'ports': [80]},
                                          {'name': 'b', 'fwmark': 2, 'ports': [443, 80]}),
     "lvs_services[1].ports: tcp 192.0.2.10:80 is also marked by fwmark service 'a': the last MARK rule wins"),
    # the sorry server is one more real server of the service: same port rules, same network with nat
    ('sorry-port-dr', service(sorry_server={'address': '192.0.2.50', 'port': 8080}),
     'lvs_services[0].sorry_server.port: 8080 differs from port 80 with forwarding dr: only nat can change the port'),
    ('sorry-off-nat-network', service(base=NAT, sorry_server={'address': '172.16.0.50'}),
     "lvs_services[0].sorry_server.address: 172.16.0.50 is not on the directors' internal network 10.0.0.0/24"),
    # several VIPs: every service address is a VIP of its own
    ('vip2-is-director', services(WEB, dict(WEB, name='b', address='192.0.2.1')),
     "lvs_services[1].address: 192.0.2.1 is the address of director 'director1'"),
    ('vip2-is-realserver', services(WEB, dict(WEB, name='b', address='192.0.2.22')),
     "lvs_services[1].address: 192.0.2.22 is the address of real server 'rs2'"),
    ('vip2-bad', services(WEB, dict(WEB, name='b', address='192.0.2.300')),
     "lvs_services[1].address: '192.0.2.300' is not an IPv4 or IPv6 address"),
    # health checks fit the protocol
    ('udp-tcp-check', service(protocol='udp', port=53, health_check={'type': 'tcp'}),
     "lvs_services[0].health_check.type: 'tcp' (TCP_CHECK) connects over TCP: it cannot check a udp service"),
    ('udp-http-check', service(protocol='udp', port=53, health_check={'type': 'http'}),
     "lvs_services[0].health_check.type: 'http' (HTTP_GET) connects over TCP"),
    ('tcp-udp-check', service(health_check={'type': 'udp'}),
     "lvs_services[0].health_check.type: 'udp' (UDP_CHECK) cannot check a tcp service"),
    ('dns-type', service(protocol='udp', port=53, health_check={'type': 'dns', 'dns_type': 'PTR'}),
     "lvs_services[0].health_check.dns_type: 'PTR' is not one of"),
    ('dns-name', service(protocol='udp', port=53, health_check={'type': 'dns', 'dns_name': 'a b'}),
     "lvs_services[0].health_check.dns_name: 'a b' is not a DNS name"),
    # real servers Ansible does not manage
    ('server-is-vip', service(servers=[{'address': '192.0.2.10'}]),
     'lvs_services[0].servers[0].address: 192.0.2.10 is a VIP of the directors'),
    ('server-is-director', service(servers=[{'address': '192.0.2.2'}]),
     "lvs_services[0].servers[0].address: 192.0.2.2 is the address of director 'director2'"),
    ('server-is-inventory-rs', service(servers=[{'address': '192.0.2.21'}]),
     "lvs_services[0].servers[0].address: 192.0.2.21 is the address of inventory real server 'rs1'"),
    ('server-port-dr', service(servers=[{'address': '192.0.2.30', 'port': 8080}]),
     'lvs_services[0].servers[0].port: 8080 differs from port 80 with forwarding dr'),
    ('server-typo', service(servers=[{'address': '192.0.2.30', 'wieght': 2}]),
     'lvs_services[0].servers[0].wieght: unknown key (known: address, name, port, weight); did you mean weight?'),
    ('server-no-address', service(servers=[{'weight': 2}]),
     'lvs_services[0].servers[0].address: is required'),
    ('server-twice', service(servers=[{'address': '192.0.2.30'}, {'address': '192.0.2.30'}]),
     'lvs_services[0].servers: 192.0.2.30 is listed twice in the service'),
    ('server-weight', service(servers=[{'address': '192.0.2.30', 'weight': 70000}]),
     'lvs_services[0].servers[0].weight: 70000 is out of range 0-65535'),
    ('server-not-list', service(servers={'address': '192.0.2.30'}),
     "lvs_services[0].servers: {'address': '192.0.2.30'} is not a list"),
    ('server-name', service(servers=[{'address': '192.0.2.30', 'name': 'win 1'}]),
     "lvs_services[0].servers[0].name: 'win 1' is not a name of 1-32"),
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
    # IPVS options of a service: the modules' rules (ipvs_model)
    ('sched-flags-sh', service(scheduler='sh', sched_flags=['sh-port', 'mh-port']),
     "lvs_services[0].sched_flags: 'mh-port' is not valid for scheduler 'sh' (valid: sh-fallback, sh-port)"),
    ('sched-flags-rr', service(sched_flags=['flag-4']),
     "lvs_services[0].sched_flags: 'flag-4' is not valid for scheduler 'wlc'"),
    ('sched-flags-dup', service(scheduler='sh', sched_flags=['sh-port', 'sh-port']),
     'lvs_services[0].sched_flags[1]: '),
    ('one-packet-tcp', service(one_packet=True), "lvs_services[0].one_packet: is only for udp and fwmark services"),
    ('one-packet-text', service(one_packet='yes please'), "lvs_services[0].one_packet: 'yes please' is not a boolean"),
    ('pe-without-persistence', service(protocol='udp', port=5060, persistence_engine='sip',
                                       health_check={'type': 'udp'}),
     "lvs_services[0].persistence_engine: 'sip' needs persistence > 0"),
    ('pe-unknown', service(persistence=60, persistence_engine='http'),
     "lvs_services[0].persistence_engine: 'http' is not one of sip"),
    ('thresholds-crossed', service(upper_threshold=10, lower_threshold=20),
     'lvs_services[0].lower_threshold: 20 is greater than upper_threshold 10'),
    ('lower-threshold-alone', service(lower_threshold=5),
     'lvs_services[0].lower_threshold: 5 is greater than upper_threshold 0'),
    ('upper-threshold-negative', service(upper_threshold=-1), 'lvs_services[0].upper_threshold: -1 is out of range'),
    # keepalived's virtual_server options
    ('inhibit-with-ansible', cluster(lvs_ipvs_owner='ansible', lvs_services=[dict(WEB, inhibit_on_failure=True)]),
     'lvs_services[0].inhibit_on_failure: needs lvs_ipvs_owner keepalived'),
    ('extra-with-ansible', cluster(lvs_ipvs_owner='ansible', lvs_services=[dict(WEB, keepalived_extra=['ha_suspend'])]),
     'lvs_services[0].keepalived_extra: needs lvs_ipvs_owner keepalived'),
    ('omega-without-quorum-down', service(omega=True), 'lvs_services[0].omega: needs quorum_down'),
    ('quorum-up-relative', service(quorum_up='notify.sh up'),
     "lvs_services[0].quorum_up: 'notify.sh up' is not a command line starting with an absolute path"),
    ('quorum-down-quote', service(quorum_down='/bin/echo "down"'),
     'lvs_services[0].quorum_down: \'/bin/echo "down"\' is not a command line'),
    ('sorry-inhibit-without-sorry', service(sorry_server_inhibit=True),
     'lvs_services[0].sorry_server_inhibit: needs a sorry_server'),
    ('alpha-text', service(alpha='on maybe'), "lvs_services[0].alpha: 'on maybe' is not a boolean"),
    ('extra-brace', service(keepalived_extra=['real_server 10.0.0.9 80 {']),
     "lvs_services[0].keepalived_extra[0]: 'real_server 10.0.0.9 80 {' is not a keepalived keyword and its values"),
    ('extra-close', service(keepalived_extra=['}']), "lvs_services[0].keepalived_extra[0]: '}' is not a keepalived"),
    ('extra-newline', service(keepalived_extra=['ha_suspend\nreal_server 1.2.3.4 80']),
     'lvs_services[0].keepalived_extra[0]: '),
    ('extra-not-list', service(keepalived_extra='ha_suspend'),
     "lvs_services[0].keepalived_extra: 'ha_suspend' is not a list"),
    ('hc-virtualhost-tcp', hc(virtualhost='www.example.com'),
     "lvs_services[0].health_check.virtualhost: is only used by http and https checks, not type 'tcp'"),
    ('hc-virtualhost-space', hc(type='http', virtualhost='www example'),
     "lvs_services[0].health_check.virtualhost: 'www example' is not a DNS name"),
    ('hc-digest-short', hc(type='http', digest='abc123'),
     "lvs_services[0].health_check.digest: 'abc123' is not 32 hexadecimal digits"),
    # keepalived's VRRP options
    ('vrrp-script-relative', cluster(lvs_vrrp_scripts=[{'name': 'chk', 'script': 'check.sh'}]),
     "lvs_vrrp_scripts[0].script: 'check.sh' is not a command line starting with an absolute path"),
    ('vrrp-script-missing', cluster(lvs_vrrp_scripts=[{'name': 'chk'}]), 'lvs_vrrp_scripts[0].script: is required'),
    ('vrrp-script-name', cluster(lvs_vrrp_scripts=[{'name': 'chk web', 'script': '/bin/true'}]),
     "lvs_vrrp_scripts[0].name: 'chk web' is not a name"),
    ('vrrp-script-dup', cluster(lvs_vrrp_scripts=[{'name': 'chk', 'script': '/bin/true'},
                                                  {'name': 'chk', 'script': '/bin/false'}]),
     "lvs_vrrp_scripts[1].name: 'chk' is also the name of lvs_vrrp_scripts[0]"),
    ('vrrp-script-weight', cluster(lvs_vrrp_scripts=[{'name': 'chk', 'script': '/bin/true', 'weight': -300}]),
     'lvs_vrrp_scripts[0].weight: -300 is out of range -253-253'),
    ('vrrp-script-interval', cluster(lvs_vrrp_scripts=[{'name': 'chk', 'script': '/bin/true', 'interval': 0}]),
     'lvs_vrrp_scripts[0].interval: 0 is out of range 1-3600'),
    ('vrrp-script-unknown', cluster(lvs_vrrp_scripts=[{'name': 'chk', 'script': '/bin/true', 'wieght': 2}]),
     'lvs_vrrp_scripts[0].wieght: unknown key'),
    ('vrrp-scripts-not-list', cluster(lvs_vrrp_scripts={'name': 'chk'}), 'lvs_vrrp_scripts: '),
    ('track-interface-name', cluster(lvs_vrrp_track_interfaces=[{'name': 'eth0; reboot'}]),
     "lvs_vrrp_track_interfaces[0].name: 'eth0; reboot' is not an interface name"),
    ('track-interface-dup', cluster(lvs_vrrp_track_interfaces=[{'name': 'eth1'}, {'name': 'eth1', 'weight': -10}]),
     "lvs_vrrp_track_interfaces[1].name: 'eth1' is also the name of lvs_vrrp_track_interfaces[0]"),
    ('notify-state', cluster(lvs_vrrp_notify={'primary': '/bin/true'}), 'lvs_vrrp_notify.primary: unknown key'),
    ('notify-relative', cluster(lvs_vrrp_notify={'master': 'notify.sh'}),
     "lvs_vrrp_notify.master: 'notify.sh' is not a command line"),
    ('email-address', cluster(lvs_vrrp_email={'to': ['ops at example.com'], 'smtp_server': '192.0.2.25'}),
     "lvs_vrrp_email.to[0]: 'ops at example.com' is not an e-mail address"),
    ('email-no-server', cluster(lvs_vrrp_email={'to': ['ops@example.com']}),
     'lvs_vrrp_email.smtp_server: is required to send to ops@example.com'),
    ('email-no-to', cluster(lvs_vrrp_email={'smtp_server': '192.0.2.25'}), 'lvs_vrrp_email.to: is required'),
    ('email-port', cluster(lvs_vrrp_email={'to': ['ops@example.com'], 'smtp_server': 'mx', 'smtp_port': 0}),
     'lvs_vrrp_email.smtp_port: 0 is out of range 1-65535'),
    ('garp-repeat', cluster(lvs_vrrp_garp={'master_repeat': 0}), 'lvs_vrrp_garp.master_repeat: 0 is out of range'),
    ('garp-unknown', cluster(lvs_vrrp_garp={'master_refresh': 60}), 'lvs_vrrp_garp.master_refresh: unknown key'),
    ('vrrp-script-without-keepalived', cluster(FWMARK, lvs_vrrp_scripts=[{'name': 'chk', 'script': '/bin/true'}]),
     'lvs_vrrp_scripts: needs lvs_keepalived true'),
    # active/active VRRP instances
    ('instances-unknown-vip', cluster(lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.99']}]),
     "lvs_vrrp_instances[0].vips[0]: 192.0.2.99 is not a VIP of the cluster (lvs_vip or a service's address: "
     "192.0.2.10)"),
    ('instances-vip-twice', services(dict(WEB), dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10']}, {'name': 'VI_B', 'vips': ['192.0.2.10']}])),
     'lvs_vrrp_instances[1].vips[0]: 192.0.2.10 is also carried by VI_A'),
    ('instances-vip-missing', services(dict(WEB), dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10']}])),
     'lvs_vrrp_instances: no instance carries 192.0.2.11'),
    ('instances-master', cluster(lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10'], 'master': 'rs1'}]),
     "lvs_vrrp_instances[0].master: 'rs1' is not a director (directors: director1, director2)"),
    ('instances-name-dup', services(dict(WEB), dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10']}, {'name': 'VI_A', 'vips': ['192.0.2.11']}])),
     "lvs_vrrp_instances[1].name: 'VI_A' is also the name of lvs_vrrp_instances[0]"),
    ('instances-router-id-dup', services(dict(WEB), dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10'], 'router_id': 60},
                            {'name': 'VI_B', 'vips': ['192.0.2.11'], 'router_id': 60}])),
     'lvs_vrrp_instances[1].router_id: 60 is also the router_id of lvs_vrrp_instances[0]'),
    ('instances-router-id-overflow', services(dict(WEB), dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_router_id=255,
        lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10']}, {'name': 'VI_B', 'vips': ['192.0.2.11']}])),
     'lvs_vrrp_instances[1].router_id: is not set and lvs_vrrp_router_id + 1 = 256 is above 255'),
    ('instances-empty-vips', cluster(lvs_vrrp_instances=[{'name': 'VI_A', 'vips': []}]),
     'lvs_vrrp_instances[0].vips: '),
    ('instances-nat-masters', cluster(NAT, lvs_services=[dict(WEB, real_port=8080), dict(
        WEB, name='b', address='198.51.100.11', real_port=8080)], lvs_vrrp_instances=[
        {'name': 'VI_A', 'vips': ['198.51.100.10'], 'router_id': 60},
        {'name': 'VI_B', 'vips': ['198.51.100.11'], 'router_id': 61, 'master': 'director2'}]),
     'lvs_vrrp_instances: with nat every instance needs the same master'),
    ('instances-nat-gateway-id', cluster(NAT, lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['198.51.100.10'],
                                                                   'router_id': 52}]),
     'lvs_vrrp_instances[0].router_id: 52 is also lvs_vrrp_internal_router_id'),
    ('instances-nat-gateway-name', cluster(NAT, lvs_vrrp_instances=[{'name': 'VI_GATEWAY',
                                                                     'vips': ['198.51.100.10'], 'router_id': 60}]),
     "lvs_vrrp_instances[0].name: 'VI_GATEWAY' is the name of the nat gateway instance"),
    ('instances-own-priority', host('director2', base=cluster(lvs_vrrp_instances=[
        {'name': 'VI_A', 'vips': ['192.0.2.10']}]), lvs_vrrp_priority=200),
     'hostvars[director2].lvs_vrrp_priority: cannot be combined with lvs_vrrp_instances'),
    ('instances-without-keepalived', cluster(FWMARK, lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10']}]),
     'lvs_vrrp_instances: needs lvs_keepalived true'),
    # IPv6: addresses a host cannot use, families that do not mix, what IPv6 services cannot be
    ('v6-scope', cluster(lvs_vip='2001:db8::10%eth0'), "lvs_vip: '2001:db8::10%eth0' is not an IPv4 or IPv6 address"),
    ('v6-link-local', cluster(lvs_vip='fe80::10'), "lvs_vip: 'fe80::10' is a link-local IPv6 address"),
    ('v6-mapped', cluster(lvs_vip='::ffff:192.0.2.10'),
     "lvs_vip: '::ffff:192.0.2.10' is an IPv4-mapped IPv6 address: write the IPv4 address 192.0.2.10"),
    ('v6-prefix', services(WEB, dict(V6, address='2001:db8::10/64')),
     "lvs_services[1].address: '2001:db8::10/64' is not an IPv4 or IPv6 address"),
    ('v6-multicast', services(WEB, dict(V6, address='ff02::1')), "lvs_services[1].address: 'ff02::1' is a multicast"),
    ('v6-unspecified', services(WEB, dict(V6, address='::')), "lvs_services[1].address: '::' is a reserved"),
    ('v6-loopback', services(WEB, dict(V6, address='::1')), "lvs_services[1].address: '::1' is a loopback"),
    ('v6-no-real-address6', host('rs2', base=DUAL, lvs_real_address6=None),
     "lvs_services[1].realservers: real server rs2 has the IPv4 address 192.0.2.22 and the service's VIP "
     "2001:db8::10 is IPv6: IPVS forwards within one address family (set lvs_real_address6 on the host)"),
    ('v6-real-address6-v4', host('rs1', base=DUAL, lvs_real_address6='192.0.2.121'),
     "hostvars[rs1].lvs_real_address6: '192.0.2.121' is not an IPv6 address"),
    ('v6-real-address6-dup', host('rs2', base=DUAL, lvs_real_address6='2001:db8::21'),
     'hostvars[rs2].lvs_real_address6: 2001:db8::21 is also the address of real server'),
    ('v6-real-address6-vip', host('rs2', base=DUAL, lvs_real_address6='2001:db8::10'),
     'lvs_services[1].address: 2001:db8::10 is the address of real server'),
    ('v6-v4-service-v6-host', host('rs1', lvs_real_address='2001:db8::21'),
     "real server rs1 has the IPv6 address 2001:db8::21 and the service's VIP 192.0.2.10 is IPv4"),
    ('v6-server-v4', services(WEB, dict(V6, realservers=[], servers=[{'address': '192.0.2.40'}]), base=DUAL),
     "lvs_services[1].servers[0].address: real server 192.0.2.40 has the IPv4 address 192.0.2.40 and the "
     "service's VIP 2001:db8::10 is IPv6"),
    ('v6-server-of-v4', services(dict(WEB, servers=[{'address': '2001:db8::40'}])),
     "lvs_services[0].servers[0].address: real server 2001:db8::40 has the IPv6 address"),
    ('v6-nat-no-gateway', services(WEB, dict(V6, forwarding='nat'), base=DUAL),
     "lvs_internal_vip6: is required with nat of IPv6 services (the real servers' default gateway"),
    ('v6-nat-gateway-v4', cluster(NAT6, lvs_internal_vip6='10.0.0.254'),
     "lvs_internal_vip6: '10.0.0.254' is not an IPv6 address"),
    ('v6-nat-off-network', host('rs2', base=NAT6, lvs_real_address6='2001:db8:2::22'),
     "lvs_services[0]: nat real server 'rs2' (2001:db8:2::22) is not on the directors' internal network "
     "2001:db8:1::/64 (lvs_internal_vip6 2001:db8:1::fe/64)"),
    ('v6-nat-vip-inside', cluster(NAT6, lvs_vip='2001:db8:1::10'),
     'lvs_vip: 2001:db8:1::10 is inside the internal network 2001:db8:1::/64 of lvs_internal_vip6'),
    ('v6-nat-gateway-is-host', cluster(NAT6, lvs_internal_vip6='2001:db8:1::21'),
     'lvs_internal_vip6: 2001:db8:1::21 is the address of real server'),
    ('v6-nat-gateway-is-vip', services(dict(V6, forwarding='nat', address='2001:db8:1::fe'), base=NAT6),
     "lvs_services[0].address: 2001:db8:1::fe is lvs_internal_vip6 (the real servers' gateway)"),
    ('v6-instance-auth', cluster(DUAL, lvs_vrrp_instances=[
        {'name': 'VI_A', 'vips': ['192.0.2.10']}, {'name': 'VI_B', 'vips': ['2001:db8::10']}]),
     'lvs_vrrp_auth_pass: the VRRP instances VI_B advertise IPv6 (VRRP version 3), which has no authentication'),
    ('v6-nat-auth', NAT6,
     'lvs_vrrp_auth_pass: the VRRP instances VI_PUBLIC, VI_GATEWAY advertise IPv6 (VRRP version 3)'),
    ('v6-nat-prefix', cluster(NAT6, lvs_internal_vip6_prefix=127),
     'lvs_internal_vip6_prefix: 127 is out of range 1-126'),
    ('v6-fwmark', services(WEB, {'name': 'm6', 'address': '2001:db8::10', 'fwmark': 6, 'ports': [80]}, base=DUAL),
     'lvs_services[1].address: 2001:db8::10 is IPv6: firewall-mark services are marked by iptables rules for IPv4'),
    ('v6-sorry-v4', services(WEB, dict(V6, sorry_server={'address': '192.0.2.50'}), base=DUAL),
     "lvs_services[1].sorry_server.address: 192.0.2.50 is IPv4 and the service's VIP 2001:db8::10 is IPv6"),
    ('v6-netmask-dotted', services(WEB, dict(V6, persistence=60, netmask='255.255.255.0'), base=DUAL),
     "lvs_services[1].netmask: '255.255.255.0' is not a valid IPv6 prefix length"),
    ('v6-duplicate-service', services(WEB, V6, dict(V6, name='again', address='2001:db8:0::10'), base=DUAL),
     'lvs_services[2].port: tcp 2001:db8::10:80 is also used by service'),
    ('v6-instance-bad', cluster(DUAL, lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10', 'fe80::1']}]),
     "lvs_vrrp_instances[0].vips[1]: 'fe80::1' is a link-local IPv6 address"),
    # issue 22's classes: useless addresses, dropped options, computed defaults, unsupported combinations
    ('public-interface-lo', cluster(lvs_public_interface='lo'),
     "lvs_public_interface: 'lo' is the loopback interface: no other host is reached through it"),
    ('internal-interface-lo', cluster(NAT, lvs_internal_interface='lo'),
     "lvs_internal_interface: 'lo' is the loopback interface"),
    ('sorry-is-other-vip', services(dict(WEB, sorry_server={'address': '192.0.2.11'}),
                                    dict(WEB, name='b', address='192.0.2.11')),
     'lvs_services[0].sorry_server.address: 192.0.2.11 is a VIP of the directors (another service'),
    ('sorry-is-own-server', services(dict(WEB, servers=[{'address': '192.0.2.31'}],
                                          sorry_server={'address': '192.0.2.31'})),
     "lvs_services[0].sorry_server.address: 192.0.2.31 is one of the service's own real servers"),
    ('nat-realserver-broadcast', host('rs2', base=NAT, ansible_host='10.0.0.255'),
     "lvs_services[0]: real server 'rs2' 10.0.0.255 is the broadcast address of the internal network 10.0.0.0/24"),
    ('nat-realserver-network', host('rs1', base=NAT, lvs_real_address='10.0.0.0'),
     "lvs_services[0]: real server 'rs1' 10.0.0.0 is the network address of the internal network 10.0.0.0/24"),
    ('nat-sorry-broadcast', services(dict(WEB, real_port=8080, sorry_server={'address': '10.0.0.255'}), base=NAT),
     'lvs_services[0]: sorry server 10.0.0.255 is the broadcast address of the internal network 10.0.0.0/24'),
    ('fwmark-server-port', services({'name': 'm', 'fwmark': 3, 'ports': [80], 'servers': [
        {'address': '192.0.2.31', 'port': 8080}]}),
     'lvs_services[0].servers[0].port: 8080 is not used with fwmark'),
    ('priority-on-realserver', host('rs1', lvs_vrrp_priority=120),
     "hostvars[rs1].lvs_vrrp_priority: is set on real server 'rs1': only directors have a VRRP priority"),
    ('weight-on-director', host('director1', lvs_weight=5),
     "hostvars[director1].lvs_weight: is set on director 'director1': only real servers have it"),
    ('real-address-on-director', host('director2', lvs_real_address='192.0.2.99'),
     "hostvars[director2].lvs_real_address: is set on director 'director2'"),
    ('computed-router-id-collides', services(WEB, dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10'], 'router_id': 52},
                            {'name': 'VI_B', 'vips': ['192.0.2.11']}])),
     "lvs_vrrp_instances[1].router_id: is not set and lvs_vrrp_router_id + 1 = 52 is also the router_id of "
     "lvs_vrrp_instances[0] ('VI_A')"),
    ('computed-router-id-first', services(WEB, dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_router_id=60, lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10']},
                                                   {'name': 'VI_B', 'vips': ['192.0.2.11'], 'router_id': 60}])),
     'lvs_vrrp_instances[0].router_id: is not set and lvs_vrrp_router_id + 0 = 60 is also the router_id of '
     "lvs_vrrp_instances[1] ('VI_B')"),
    ('instance-priority-below-1', services(WEB, dict(WEB, name='b', address='192.0.2.11'), base=cluster(
        lvs_vrrp_priority_base=100, lvs_vrrp_priority_step=100,
        lvs_vrrp_instances=[{'name': 'VI_A', 'vips': ['192.0.2.10']},
                            {'name': 'VI_B', 'vips': ['192.0.2.11'], 'master': 'director2'}])),
     "lvs_vrrp_priority_step: instance 'VI_A' gives director 'director2' priority 0, below 1"),
    ('sip-on-tcp', service(persistence=60, persistence_engine='sip'),
     "lvs_services[0].persistence_engine: 'sip' reads the Call-ID of UDP datagrams only: on a tcp service it never "
     "applies"),
    ('director-address-twice', host('director2', ansible_host='192.0.2.1'),
     "hostvars[director2].ansible_host: 192.0.2.1 is also the address of director 'director1' (port 22): two names "
     'for one machine'),
    # lvs_frontend bgp: the routers, the AS numbers, BFD, and what the front end cannot work with
    ('frontend-unknown', cluster(BGP, lvs_frontend='ospf'), "lvs_frontend: 'ospf' is not one of vrrp, bgp"),
    ('bgp-missing', cluster(BGP, lvs_bgp=None), 'lvs_bgp: is required with lvs_frontend bgp'),
    ('bgp-not-mapping', cluster(BGP, lvs_bgp='65001'), "lvs_bgp: '65001' is not a mapping"),
    ('bgp-unknown-key', bgp(password='s3cret'), 'lvs_bgp.password: unknown key (known: announce_delay, asn, '),
    ('bgp-asn-zero', bgp(asn=0), 'lvs_bgp.asn: 0 is out of range 1-4294967294'),
    ('bgp-asn-too-big', bgp(asn=4294967296), 'lvs_bgp.asn: 4294967296 is out of range 1-4294967294'),
    ('bgp-asn-text', bgp(asn='AS65001'), "lvs_bgp.asn: 'AS65001' is not an integer"),
    ('bgp-asn-bool', bgp(asn=True), 'lvs_bgp.asn: True is not an integer'),
    ('bgp-as-trans', bgp(asn=23456), 'lvs_bgp: AS 23456 is AS_TRANS (RFC 6793)'),
    ('bgp-peer-as-trans', peer(asn=23456), 'lvs_bgp: AS 23456 is AS_TRANS (RFC 6793)'),
    ('bgp-peers-empty', bgp(peers=[]), 'lvs_bgp.peers: needs at least 1 entry'),
    ('bgp-peers-mapping', bgp(peers=ROUTER), "lvs_bgp.peers: {'address': '10.78.0.250', 'asn': 65000} is not a list"),
    ('bgp-peer-text', bgp(peers=['10.78.0.250']), "lvs_bgp.peers[0]: '10.78.0.250' is not a mapping"),
    ('bgp-peer-no-address', peer(address=None), 'lvs_bgp.peers[0].address: is required'),
    ('bgp-peer-no-asn', peer(asn=None), 'lvs_bgp.peers[0].asn: is required'),
    ('bgp-peer-bad-address', peer(address='10.78.0.300'), "lvs_bgp.peers[0].address: '10.78.0.300' is not an IPv4"),
    ('bgp-peer-multicast', peer(address='224.0.0.5'), "lvs_bgp.peers[0].address: '224.0.0.5' is a multicast address"),
    ('bgp-peer-ibgp', peer(asn=65001), 'lvs_bgp.peers[0].asn: 65001 is lvs_bgp.asn: the directors speak eBGP'),
    ('bgp-peer-is-vip', peer(address='10.76.0.1'), 'lvs_bgp.peers[0].address: 10.76.0.1 is a VIP'),
    ('bgp-peer-is-director', peer(address='10.78.0.11'),
     "lvs_bgp.peers[0].address: 10.78.0.11 is the address of director 'director1': the peers are the routers"),
    ('bgp-peer-is-realserver', peer(address='10.78.0.21'),
     "lvs_bgp.peers[0].address: 10.78.0.21 is the address of real server 'rs1': the peers are the routers"),
    ('bgp-peer-twice', bgp(peers=[ROUTER, dict(ROUTER, asn=65002)]),
     'lvs_bgp.peers[1].address: 10.78.0.250 is also lvs_bgp.peers[0]'),
    ('bgp-peer-name-twice', bgp(peers=[dict(ROUTER, name='edge'), dict(ROUTER, address='10.78.0.251', name='edge')]),
     'lvs_bgp.peers[1].name: edge is also the name of lvs_bgp.peers[0]'),
    ('bgp-peer-name-hyphen', peer(name='edge-1'), "lvs_bgp.peers[0].name: 'edge-1' is not a name of 1-32 letters"),
    ('bgp-peer-unknown-key', peer(password='s3cret'), 'lvs_bgp.peers[0].password: unknown key'),
    ('bgp-no-router-of-the-family', services(dict(WEB, scheduler='mh'), {
        'name': 'http6', 'port': 80, 'address': '2001:db8::10', 'scheduler': 'mh', 'servers': [
            {'address': '2001:db8:1::21'}]}, base=BGP),
     'lvs_bgp.peers: no IPv6 router: VIP 2001:db8::10 would never be announced (add a peer of its family)'),
    ('bgp-hold-time-short', bgp(hold_time=2), 'lvs_bgp.hold_time: 2 is out of range 3-65535'),
    ('bgp-bfd-slower-than-hold', bgp(bfd_interval=3000),
     'lvs_bgp.bfd_interval: 3000 ms x 3 (bfd_multiplier) is not below the hold time 9 s'),
    ('bgp-bfd-multiplier-zero', bgp(bfd_multiplier=0), 'lvs_bgp.bfd_multiplier: 0 is out of range 1-255'),
    ('bgp-bfd-text', bgp(bfd='yes please'), "lvs_bgp.bfd: 'yes please' is not a boolean"),
    ('bgp-med-negative', bgp(med=-1), 'lvs_bgp.med: -1 is out of range 0-4294967295'),
    ('bgp-community-word', bgp(communities=['no-export']), "lvs_bgp.communities[0]: 'no-export' is not a community"),
    ('bgp-community-too-big', bgp(communities=['65000:70000']),
     "lvs_bgp.communities[0]: '65000:70000': each number of a standard community is 0-65535"),
    ('bgp-community-twice', bgp(communities=['65000:1', '65000:1']), "lvs_bgp.communities[1]: '65000:1' is listed"),
    ('bgp-announce-delay-negative', bgp(announce_delay=-1), 'lvs_bgp.announce_delay: -1 is out of range 0-3600'),
    ('bgp-interface-space', bgp(interface='lvs vips'), "lvs_bgp.interface: 'lvs vips' is not an interface name"),
    ('bgp-interface-lo', bgp(interface='lo'), "lvs_bgp.interface: 'lo' is the loopback interface: lvs-announce keeps "
     'only the VIPs on it'),
    ('bgp-interface-public', cluster(bgp(interface='eth0'), lvs_public_interface='eth0'),
     "lvs_bgp.interface: 'eth0' is lvs_public_interface: lvs-announce keeps only the VIPs on it"),
    ('bgp-scheduler-not-consistent', service(BGP, scheduler='wlc', sched_flags=None),
     "lvs_services[0].scheduler: 'wlc': with lvs_frontend bgp the routers may send a flow to any director"),
    ('bgp-persistence', service(BGP, persistence=300), 'lvs_services[0].persistence: 300: persistence templates live '
     'on one director'),
    ('bgp-nat', service(BGP, forwarding='nat'), "lvs_services[0].forwarding: 'nat': with lvs_frontend bgp the "
     'replies would go back through the real servers\' gateway'),
    ('bgp-own-quorum-command', service(BGP, quorum_down='/usr/local/bin/page-oncall'),
     "lvs_services[0].quorum_down: '/usr/local/bin/page-oncall': with lvs_frontend bgp the quorum commands announce"),
    ('bgp-vrrp-router-id', cluster(BGP, lvs_vrrp_router_id=60),
     'lvs_vrrp_router_id: is an option of the VRRP front end: with lvs_frontend bgp no director holds a VIP by ARP'),
    ('bgp-vrrp-secret', cluster(BGP, lvs_vrrp_auth_pass='s3cret'), 'lvs_vrrp_auth_pass: is an option of the VRRP'),
    ('bgp-vip-prefix', cluster(BGP, lvs_vip_prefix=24), 'lvs_vip_prefix: is an option of the VRRP front end'),
    ('bgp-internal-vip', cluster(BGP, lvs_internal_vip='10.0.0.254'), 'lvs_internal_vip: is an option of the VRRP'),
    ('bgp-vrrp-priority', host('director1', BGP, lvs_vrrp_priority=200),
     'hostvars[director1].lvs_vrrp_priority: is an option of the VRRP front end'),
    ('bgp-keepalived-vrrp-option', host('director2', BGP, keepalived_nopreempt=True),
     'hostvars[director2].keepalived_nopreempt: is an option of the VRRP front end'),
    ('bgp-without-keepalived', cluster(BGP, lvs_keepalived=False, lvs_ipvs_owner='ansible'),
     'lvs_keepalived: false: lvs_frontend bgp needs keepalived'),
    ('bgp-owner-ansible', cluster(BGP, lvs_ipvs_owner='ansible'),
     "lvs_ipvs_owner: 'ansible': lvs_frontend bgp needs keepalived as the owner"),
]
