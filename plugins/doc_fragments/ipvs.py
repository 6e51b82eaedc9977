# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Option documentation shared by the lvs.cluster IPVS modules."""

    # load_module, requirements and notes of every module that reads or changes the IPVS table
    DOCUMENTATION = r'''
options:
  load_module:
    description:
      - Load the C(ip_vs) kernel module with C(modprobe ip_vs) when C(/proc/net/ip_vs) is missing.
      - The module checks C(/proc/net/ip_vs) before it runs C(ipvsadm) at all, because C(ipvsadm)
        loads C(ip_vs) by itself, so even reading the table would change the host.
      - When V(false) and IPVS is not loaded, the module fails with a message saying the kernel has no IPVS.
      - In check mode the module is never loaded; a loadable but unloaded C(ip_vs) counts as an empty table.
    type: bool
    default: true
requirements:
  - C(ipvsadm) (tested with 1.31) and a kernel with IPVS (C(CONFIG_IP_VS)) on the managed host.
notes:
  - Changes to the table are sent as one batch, ordered so that a service never passes through zero real
    servers, over generic netlink (the requests C(ipvsadm) sends, many per send), or as one C(ipvsadm -R) batch
    when netlink cannot be used (the module then warns why); the table is read back afterwards to verify it
    converged.
  - Schedulers are loaded by the kernel on demand (C(ip_vs_<scheduler>)); a scheduler whose kernel module
    is missing (for example C(twos) before Linux 6.x builds that ship C(ip_vs_twos)) is reported before
    anything is changed.
'''

    # Support of the attributes described by ansible.builtin.action_common_attributes (list both fragments).
    # The IPVS modules that change the table:
    ATTRIBUTES = r'''
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the affected services as C(ipvsadm) rule text.
  platform:
    support: full
    platforms: linux
    details: IPVS is a Linux kernel subsystem.
'''

    # the read-only ipvs_info
    INFO_ATTRIBUTES = r'''
attributes:
  check_mode:
    support: full
    details: This module never changes anything.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: linux
'''

    # ipvs_settings (timeouts and sync daemons)
    SETTINGS_ATTRIBUTES = r'''
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the timeouts and daemons as C(ipvsadm -Ln --timeout) and C(--daemon) print them.
  platform:
    support: full
    platforms: linux
'''

    # sysctl_arp, which writes sysctls and a sysctl.d file
    SYSCTL_ATTRIBUTES = r'''
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the sysctl.d file and the running values (C(key = value) lines) before and after.
  platform:
    support: full
    platforms: linux
'''

    # modules that write a file (update_file): its backup option and return value
    BACKUP = r'''
options:
  backup:
    description:
      - Keep a timestamped copy of the file before it is changed or removed (returned as RV(backup_file)).
    type: bool
    default: false
'''

    # the options of a virtual service besides its key
    SERVICE = r'''
options:
  scheduler:
    description:
      - Scheduling algorithm, one of V(rr), V(wrr), V(lc), V(wlc), V(lblc), V(lblcr), V(dh), V(sh), V(sed),
        V(nq), V(fo), V(ovf), V(mh) or V(twos).
      - Defaults to V(wlc), the kernel's default.
    type: str
  persistence:
    description:
      - Persistence timeout in seconds, 1 to 2678400; V(0) means not persistent (the default).
      - C(ipvsadm -p) without a value uses 360.
    type: int
  netmask:
    description:
      - Persistence granularity. IPv4 as a dotted netmask (V(255.255.255.0)) or prefix length (V(24)),
        IPv6 as a prefix length (V(64)).
      - Only valid together with O(persistence). The host mask (/32, /128) is the default.
    type: str
  persistence_engine:
    description:
      - Alternative persistence engine; only V(sip) exists. Use an empty string to remove it.
    type: str
  one_packet:
    description:
      - One-packet scheduling (C(--ops)), only for V(udp) and fwmark services.
      - Defaults to V(false).
    type: bool
  sched_flags:
    description:
      - Scheduler flags. For V(sh) they are V(sh-fallback) and V(sh-port), for V(mh) V(mh-fallback) and
        V(mh-port) (V(flag-1)/V(flag-2) are accepted as aliases); other schedulers take V(flag-1),
        V(flag-2) and V(flag-3).
      - Defaults to no flags.
    type: list
    elements: str
'''

    # the options of a real server besides its address and port
    DESTINATION = r'''
options:
  forwarding:
    description:
      - Packet forwarding method. V(dr) (direct routing, aliases V(direct), V(gatewaying), V(route)),
        V(nat) (masquerading, aliases V(masq), V(masquerading)) or V(tun) (tunnelling, aliases V(ipip), V(tunnel)).
      - Defaults to V(dr), like C(ipvsadm).
      - With V(dr) and V(tun) the real server port is always the service port (except for fwmark services).
    type: str
  weight:
    description:
      - Weight 0 to 65535; 0 quiesces the server (no new connections, existing ones continue).
      - Defaults to 1.
    type: int
  tun_type:
    description:
      - Tunnel type with O(forwarding=tun), one of V(ipip) (default), V(gue) or V(gre).
    type: str
  tun_port:
    description:
      - Destination UDP port of the tunnel, required for and only valid with O(tun_type=gue).
    type: int
  tun_csum:
    description:
      - Tunnel checksum mode for V(gue) and V(gre) tunnels, one of V(nocsum) (default), V(csum) or
        V(remcsum) (remote checksum offload, V(gue) only).
    type: str
  upper_threshold:
    description:
      - Upper connection threshold (C(-x)); the server gets no new connections above it. V(0) (default) is no limit.
    type: int
  lower_threshold:
    description:
      - Lower connection threshold (C(-y)); must not exceed O(upper_threshold). Defaults to V(0).
    type: int
'''
