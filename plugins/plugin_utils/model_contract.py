# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the roles render from, declared once: every key of the fact ``lvs_model`` (built once per run by the
validate role, lvs.cluster.cluster_model) and of a host's view ``lvs_model.hosts[host]`` (``lvs_host`` in the
roles), with its type and meaning. The table of roles/lvs/README.md is generated from here; a unit test checks
that the model has exactly these keys and types and that the roles, playbooks and filters use no other key."""

from __future__ import annotations

MODEL = {
    'frontend': ('str', 'lvs_frontend: vrrp (a keepalived VRRP pair) or bgp (every director announces the VIPs)'),
    'bgp': ('dict', 'lvs_frontend bgp (else empty): asn, peers (name, address, asn, family), hold_time, bfd, '
                    'bfd_interval, bfd_multiplier, med, communities, interface (the dummy of the announced VIPs), '
                    'vips (the VIPs announced: address, cidr, family, services, spec: '
                    'CIDR=SERVICE,...), announce (the script of the quorum commands) and command (how to run it)'),
    'vip': ('str', 'lvs_vip'),
    'vip_prefix': ('int', 'lvs_vip_prefix'),
    'vips': ('list', 'every VIP the directors carry: lvs_vip first, then the services\' own addresses'),
    'vip_cidrs': ('list', 'the VIPs with their prefix on the directors'),
    'internal_vip': ('str', 'the IPv4 gateway of the nat real servers (empty without an IPv4 nat service)'),
    'internal_vip_prefix': ('int', 'lvs_internal_vip_prefix'),
    'internal_vip6': ('str', 'the IPv6 gateway of the nat real servers (empty without an IPv6 nat service)'),
    'nat_families': ('list', 'the address families (4, 6) of the nat services'),
    'gateway': ('dict', 'the nat gateway instance: cidrs, the advertised family and its addresses, the excluded'),
    'realserver_gateways': ('dict', 'real server -> the gateways of its nat services'),
    'public_interface': ('str', 'lvs_public_interface as given (each director\'s own: lvs_host.public_interface)'),
    'internal_interface': ('str', 'lvs_internal_interface as given'),
    'forwarding': ('str', 'lvs_forwarding'),
    'owner': ('str', 'who owns the IPVS table: keepalived or ansible'),
    'keepalived': ('bool', 'whether the keepalived pair runs'),
    'vrrp': ('dict', 'VRRP: router ids, auth (whether a secret is set; never the secret), scripts, tracked '
                     'interfaces, notify commands, e-mail, gratuitous ARP, and the instances with their VIPs, '
                     'router id, master and priorities'),
    'services': ('list', 'the services, every default filled in, each with its IPVS options as keepalived.conf '
                         'lines (ipvs_lines) and its destinations (address, port, weight, forwarding, managed, '
                         'their IPVS option lines and the checker lines of keepalived.conf)'),
    'priorities': ('dict', 'director -> its VRRP priority'),
    'realserver_modes': ('dict', 'real server -> the forwarding methods of its services (one)'),
    'directors': ('list', 'the directors, in priority order'),
    'realservers': ('list', 'the real servers of the inventory'),
    'realserver_addresses': ('dict', 'real server -> the address the directors send to'),
    'realserver_vips': ('dict', 'dr/tun real server -> the VIPs it accepts'),
    'realserver_vip_cidrs': ('dict', 'dr/tun real server -> those VIPs as host routes'),
    'forwardings': ('list', 'the forwarding methods in use'),
    'schedulers': ('list', 'the IPVS schedulers in use (their kernel modules are loaded)'),
    'fwmark_services': ('list', 'the firewall-mark services'),
    'mark_rules': ('list', 'the iptables MARK rules of the firewall-mark services'),
    'track_files': ('list', 'the files of FILE_CHECK health checks: keepalived track_file name and file'),
    'ipvs_config': ('list', 'the table as lvs.cluster.ipvs_rules config (lvs_ipvs_owner ansible)'),
    'drained': ('list', 'the drained real servers\' addresses (weight 0), agreed across the directors'),
    'sync_daemons': ('dict', 'director -> the IPVS connection sync daemons the director role runs there: state (none, '
                             'master, backup or both) and interface (empty: its public_interface)'),
    'operations': ('dict', 'the day-2 variables (lvs_drain, lvs_restore, lvs_lock_wait, ...) with defaults'),
    'hosts': ('dict', 'host -> its view (below); lvs_host in the roles is this host\'s'),
}

HOST = {
    'name': ('str', 'the inventory host'),
    'director': ('bool', 'a director'),
    'realserver': ('bool', 'a real server of the inventory'),
    'mode': ('str', 'a real server\'s forwarding method: dr, tun, nat or none'),
    'priority': ('int', 'a director\'s VRRP priority (null on a real server)'),
    'vips': ('list', 'a dr/tun real server\'s VIPs'),
    'vip_cidrs': ('list', 'those VIPs as host routes'),
    'vip_devices': ('list', 'where each goes: [{cidr, dev}] (lo, tunl0 or ip6tnl0)'),
    'gateways': ('list', 'a nat real server\'s default gateways'),
    'public_interface': ('str', 'a director\'s interface of the VIPs'),
    'internal_interface': ('str', 'a director\'s interface of the nat gateway'),
    'public_address': ('str', 'a director\'s address on the VIPs\' network (unicast VRRP source)'),
    'internal_address': ('str', 'a director\'s address on the internal network'),
    'vrrp_instances': ('list', 'a director\'s VRRP instances as keepalived.conf declares them (the nat gateway\'s '
                               'included): name, interface, addresses, excluded, router_id, kind, priority, master'),
    'peers': ('dict', 'with unicast VRRP: the other directors\' addresses on each network (public, internal)'),
}
# keys a director's view has and a real server's has not
DIRECTOR_ONLY = ('public_interface', 'internal_interface', 'public_address', 'internal_address', 'vrrp_instances',
                 'peers')
