# SPDX-License-Identifier: GPL-3.0-or-later
"""Normalisation and validation of services and real servers."""

from __future__ import annotations

import pytest
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_diff as D
from ansible_collections.lvs.cluster.plugins.module_utils import ipvs_render as R
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_model import (
    IPVSError,
    dest_from_params,
    service_from_params,
    service_key_from_params,
    service_with_dests,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs_values import SCHEDULERS

TCP80 = {'protocol': 'tcp', 'address': '10.0.0.1', 'port': 80}


def svc(**kw):
    return service_from_params(dict(TCP80, **kw))


def rule(params):
    return R.add_service(service_from_params(params))


@pytest.mark.parametrize('params,expected', [
    (TCP80, '-A -t 10.0.0.1:80 -s wlc'),
    (dict(TCP80, scheduler='RR'), '-A -t 10.0.0.1:80 -s rr'),
    (dict(TCP80, persistence=300, netmask='24'), '-A -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0'),
    (dict(TCP80, persistence=300, netmask='/32'), '-A -t 10.0.0.1:80 -s wlc -p 300'),
    (dict(TCP80, persistence=300, netmask='255.255.255.255'), '-A -t 10.0.0.1:80 -s wlc -p 300'),
    (dict(TCP80, address='2001:DB8:0:0::1', port=443, persistence=60, netmask='64'),
     '-A -t [2001:db8::1]:443 -s wlc -p 60 -M 64'),
    (dict(TCP80, address='[2001:db8::1]', port=443, persistence=60, netmask='/128'),
     '-A -t [2001:db8::1]:443 -s wlc -p 60'),
    (dict(TCP80, address='::ffff:10.0.0.1'), '-A -t [::ffff:10.0.0.1]:80 -s wlc'),
    (dict(TCP80, scheduler='sh', sched_flags=['sh-port', 'sh-fallback']),
     '-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port'),
    (dict(TCP80, scheduler='sh', sched_flags=['flag-2']), '-A -t 10.0.0.1:80 -s sh -b sh-port'),
    (dict(TCP80, scheduler='mh', sched_flags=['mh-port', 'mh-port']), '-A -t 10.0.0.1:80 -s mh -b mh-port'),
    (dict(TCP80, scheduler='wrr', sched_flags=['flag-3', 'flag-1']), '-A -t 10.0.0.1:80 -s wrr -b flag-1,flag-3'),
    ({'protocol': 'udp', 'address': '10.0.0.1', 'port': 5060, 'scheduler': 'sh', 'sched_flags': ['sh-fallback'],
      'persistence': 60, 'netmask': '255.255.255.0', 'persistence_engine': 'sip', 'one_packet': True},
     '-A -u 10.0.0.1:5060 -s sh -p 60 -M 255.255.255.0 --pe sip -o -b sh-fallback'),
    ({'fwmark': 5}, '-A -f 5 -s wlc'),
    ({'fwmark': 4294967295, 'family': 'ipv6', 'one_packet': True}, '-A -f 4294967295 -6 -s wlc -o'),
    ({'protocol': 'fwmark', 'fwmark': 7, 'family': 'inet6', 'persistence': 10, 'netmask': 'ffff:ffff::'},
     '-A -f 7 -6 -s wlc -p 10 -M 32'),
    ({'protocol': 'sctp', 'address': '10.0.0.1', 'port': 3868, 'scheduler': 'twos'},
     '-A --sctp-service 10.0.0.1:3868 -s twos'),
    (dict(TCP80, port=0, persistence=600), '-A -t 10.0.0.1:0 -s wlc -p 600'),
    (dict(TCP80, persistence_engine=''), '-A -t 10.0.0.1:80 -s wlc'),
])
def test_service_normalisation(params, expected):
    assert rule(params) == expected


@pytest.mark.parametrize('scheduler', SCHEDULERS)
def test_all_schedulers_accepted(scheduler):
    assert svc(scheduler=scheduler).scheduler == scheduler


@pytest.mark.parametrize('params,expected', [
    ({'address': '10.0.0.2'}, '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1'),
    ({'address': '10.0.0.2', 'forwarding': 'gatewaying', 'port': 80}, '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1'),
    ({'address': '10.0.0.2', 'forwarding': 'masq', 'port': 8080, 'weight': 0},
     '-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 0'),
    ({'address': '10.0.0.2', 'forwarding': 'nat', 'weight': 65535, 'upper_threshold': 100, 'lower_threshold': 50},
     '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 65535 -x 100 -y 50'),
    ({'address': '10.0.0.2', 'forwarding': 'ipip'}, '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i -w 1 --tun-type ipip'),
    ({'address': '10.0.0.2', 'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 6080},
     '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum'),
    ({'address': '10.0.0.2', 'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 6080, 'tun_csum': 'tun_remcsum'},
     '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum'),
    ({'address': '10.0.0.2', 'forwarding': 'tunnel', 'tun_type': 'gre', 'tun_csum': 'csum'},
     '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i -w 1 --tun-type gre --tun-csum'),
    ({'address': '10.0.0.2', 'forwarding': 'tun', 'tun_type': 'gre'},
     '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i -w 1 --tun-type gre --tun-nocsum'),
    ({'address': '2001:db8::2', 'forwarding': 'tun'}, '-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -i -w 1 --tun-type ipip'),
])
def test_dest_normalisation(params, expected):
    service = svc()
    assert R.add_dest(service, dest_from_params(params, service)) == expected


def test_fwmark_dest_ports():
    service = service_from_params({'fwmark': 3})
    assert dest_from_params({'address': '10.0.0.2'}, service).port == 0
    assert dest_from_params({'address': '10.0.0.2', 'port': 8080, 'forwarding': 'dr'}, service).port == 8080


BAD_SERVICES = [
    ({'scheduler': 'foo'},
     "scheduler: 'foo' is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos"),
    ({'port': None}, 'port: required for protocol tcp'),
    ({'port': 70000}, 'port: 70000 is out of range 0-65535'),
    ({'port': 0}, 'port: 0 (all ports) requires persistence'),
    ({'protocol': 'icmp'}, "protocol: 'icmp' is not one of tcp, udp, sctp"),
    ({'address': '10.0.0.256'}, "address: '10.0.0.256' is not a valid IP address"),
    ({'address': None}, 'address: required (or give fwmark)'),
    ({'address': None, 'port': None, 'protocol': None, 'fwmark': 0}, 'fwmark: must be 1-4294967295, got 0'),
    ({'address': None, 'port': None, 'protocol': None, 'fwmark': 4294967296},
     'fwmark: must be 1-4294967295, got 4294967296'),
    ({'address': None, 'port': None, 'fwmark': 3}, "protocol: 'tcp' cannot be combined with fwmark"),
    ({'fwmark': 5}, "fwmark: 5 cannot be combined with address '10.0.0.1'"),
    ({'address': None, 'fwmark': 5}, 'port: 80 cannot be combined with fwmark'),
    ({'address': None, 'port': None, 'protocol': 'fwmark'}, 'fwmark: required when protocol is fwmark'),
    ({'family': 'ipv6'}, "family: 'ipv6' does not match address '10.0.0.1'"),
    ({'family': 'ipx'}, "family: 'ipx' is not one of ipv4, ipv6"),
    ({'sched_flags': ['sh-port']}, "sched_flags: 'sh-port' is not valid for scheduler 'wlc' (valid: flag-1, flag-2, "
                                   "flag-3)"),
    ({'scheduler': 'rr', 'sched_flags': ['mh-port']}, "sched_flags: 'mh-port' is not valid for scheduler 'rr'"),
    ({'scheduler': 'sh', 'sched_flags': ['mh-fallback']}, "sched_flags: 'mh-fallback' is not valid for scheduler 'sh'"),
    ({'scheduler': 'sh', 'sched_flags': ['flag-3']}, "sched_flags: 'flag-3' is not valid for scheduler 'sh'"),
    ({'scheduler': 'mh', 'sched_flags': ['bogus']}, "sched_flags: 'bogus' is not valid for scheduler 'mh'"),
    ({'persistence': -1}, 'persistence: -1 is out of range 0-2678400'),
    ({'persistence': 2678401}, 'persistence: 2678401 is out of range 0-2678400'),
    ({'persistence': 'soon'}, "persistence: 'soon' is not an integer"),
    ({'netmask': '255.255.255.0'}, "netmask: '255.255.255.0' is only valid with persistence"),
    ({'persistence': 60, 'netmask': '255.0.255.0'}, "netmask: '255.0.255.0' is not a contiguous netmask"),
    ({'persistence': 60, 'netmask': '33'}, 'netmask: 33 is out of range 1-32'),
    ({'persistence': 60, 'netmask': 'wide'}, "netmask: 'wide' is not a valid IPv4 netmask"),
    ({'address': '2001:db8::1', 'persistence': 60, 'netmask': '129'}, 'netmask: 129 is out of range 1-128'),
    ({'address': '2001:db8::1', 'persistence': 60, 'netmask': '255.255.255.0'},
     "netmask: '255.255.255.0' is not a valid IPv6 prefix length"),
    ({'address': '2001:db8::1', 'persistence': 60, 'netmask': 'ffff::ffff'},
     "netmask: 'ffff::ffff' is not a contiguous"),
    ({'persistence_engine': 'ftp'}, "persistence_engine: 'ftp' is not one of sip"),
    ({'one_packet': True}, 'one_packet: only valid for protocol udp or fwmark services, not tcp'),
    ({'one_packet': 'maybe'}, "one_packet: 'maybe' is not a boolean"),
]


@pytest.mark.parametrize('params,message', BAD_SERVICES)
def test_bad_service(params, message):
    with pytest.raises(IPVSError) as exc:
        svc(**params)
    assert str(exc.value).startswith(message)


BAD_DESTS = [
    ({'address': None}, 'address: required for a destination'),
    ({'address': 'realserver1'}, "address: 'realserver1' is not a valid IP address"),
    ({'forwarding': 'bridge'}, "forwarding: 'bridge' is not one of"),
    ({'weight': 70000}, 'weight: 70000 is out of range 0-65535'),
    ({'weight': -1}, 'weight: -1 is out of range 0-65535'),
    ({'weight': 1.5}, 'weight: 1.5 is not an integer'),
    ({'upper_threshold': -5}, 'upper_threshold: -5 is out of range 0-2147483647'),
    ({'lower_threshold': 5}, 'lower_threshold: 5 is greater than upper_threshold 0'),
    ({'upper_threshold': 5, 'lower_threshold': 10}, 'lower_threshold: 10 is greater than upper_threshold 5'),
    ({'port': 8080}, 'port: 8080 differs from the service port 80; only forwarding nat can map ports'),
    ({'port': 65536, 'forwarding': 'nat'}, 'port: 65536 is out of range 0-65535'),
    ({'address': '2001:db8::2'}, "address: '2001:db8::2' is ipv6 but the service is ipv4; mixing families needs "
                                 "forwarding tun"),
    ({'tun_type': 'gue'}, "tun_type: 'gue' is only valid with forwarding tun, not dr"),
    ({'forwarding': 'nat', 'tun_port': 6080}, "tun_port: '6080' is only valid with forwarding tun, not nat"),
    ({'forwarding': 'nat', 'tun_csum': 'csum'}, "tun_csum: 'csum' is only valid with forwarding tun, not nat"),
    ({'forwarding': 'tun', 'tun_type': 'vxlan'}, "tun_type: 'vxlan' is not one of ipip, gue, gre"),
    ({'forwarding': 'tun', 'tun_type': 'gue'}, 'tun_port: required when tun_type is gue'),
    ({'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 0}, 'tun_port: 0 is out of range 1-65535'),
    ({'forwarding': 'tun', 'tun_port': 6080}, 'tun_port: 6080 is only valid with tun_type gue, not ipip'),
    ({'forwarding': 'tun', 'tun_type': 'gre', 'tun_port': 6080}, 'tun_port: 6080 is only valid with tun_type gue'),
    ({'forwarding': 'tun', 'tun_csum': 'csum'}, "tun_csum: 'csum' is only valid with tun_type gue or gre, not ipip"),
    ({'forwarding': 'tun', 'tun_type': 'gre', 'tun_csum': 'remcsum'},
     "tun_csum: 'remcsum' is only valid with tun_type gue, not gre"),
    ({'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 1, 'tun_csum': 'maybe'},
     "tun_csum: 'maybe' is not one of nocsum, csum, remcsum"),
]


@pytest.mark.parametrize('params,message', BAD_DESTS)
def test_bad_dest(params, message):
    raw = dict({'address': '10.0.0.2'}, **params)
    with pytest.raises(IPVSError) as exc:
        dest_from_params(raw, svc())
    assert str(exc.value).startswith(message)


def test_catalogue_is_large_enough():
    assert len(BAD_SERVICES) + len(BAD_DESTS) >= 30


def test_nested_paths_name_the_entry():
    with pytest.raises(IPVSError) as exc:
        dests = [{'address': '10.0.0.2'}, {'address': '10.0.0.3', 'weight': 70000}]
        D.config_services([TCP80, dict(TCP80, port=81, destinations=dests)])
    assert str(exc.value) == 'config[1].destinations[1].weight: 70000 is out of range 0-65535'
    with pytest.raises(IPVSError) as exc:
        D.config_services([TCP80, dict(TCP80)])
    assert str(exc.value) == 'config[1].address: service tcp 10.0.0.1:80 is listed twice'
    with pytest.raises(IPVSError) as exc:
        service_with_dests(dict(TCP80, destinations=[{'address': '10.0.0.2'}, {'address': '10.0.0.2', 'port': 80}]))
    assert "destinations[1].address: '10.0.0.2:80' is listed twice" in str(exc.value)


def test_keys_and_labels():
    assert service_key_from_params({'fwmark': 6, 'family': 'ipv6'}).key == ('fwmark', 'ipv6', 6)
    assert service_key_from_params({'address': '2001:db8::1', 'port': 443}).label == 'tcp [2001:db8::1]:443'
    assert svc().to_dict(destinations=False)['scheduler'] == 'wlc'


def test_merge_base_keeps_live_values():
    live = svc(scheduler='sh', sched_flags=['sh-port'], persistence=60, netmask='24', persistence_engine='sip')
    merged = service_from_params(dict(TCP80), base=live)
    assert merged.options_equal(live)
    changed = service_from_params(dict(TCP80, scheduler='rr'), base=live)
    assert changed.sched_flags == () and changed.persistence == 60 and changed.netmask == '255.255.255.0'
    off = service_from_params(dict(TCP80, persistence=0, persistence_engine='none'), base=live)
    assert off.persistence == 0 and off.netmask is None and off.persistence_engine is None
