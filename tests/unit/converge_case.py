# SPDX-License-Identifier: GPL-3.0-or-later
"""The 'converge' scenario: a table, a desired config, and the batch the planner sends.

fixtures/record.sh builds BEFORE on the real kernel, pipes BATCH into ``ipvsadm -R`` and records
the result; the unit tests check that the planner still produces BATCH and that the kernel's
resulting table is exactly CONFIG.
"""

BEFORE = """\
-A -t 10.5.0.1:80 -s wrr
-a -t 10.5.0.1:80 -r 192.168.1.1:80 -g -w 1
-a -t 10.5.0.1:80 -r 192.168.1.2:8080 -m -w 1 -x 100 -y 10
-A -u 10.5.0.2:53 -s rr -p 60 -M 255.255.255.0
-a -u 10.5.0.2:53 -r 192.168.1.3:53 -m -w 5
-A -f 5 -s rr
-a -f 5 -r 192.168.1.4:0 -i -w 1 --tun-type ipip
-A -t [2001:db8::1]:443 -s sh -b sh-port
-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -g -w 1
"""

WEB_DESTS = [
    {'address': '192.168.1.1', 'weight': 0},
    {'address': '192.168.1.2', 'port': 8080, 'forwarding': 'nat', 'upper_threshold': 200, 'lower_threshold': 20},
    {'address': '192.168.1.5', 'forwarding': 'direct', 'weight': 3},
]

CONFIG = [
    {'protocol': 'tcp', 'address': '10.5.0.1', 'port': 80, 'scheduler': 'mh', 'sched_flags': ['mh-port'],
     'destinations': WEB_DESTS},
    {'protocol': 'udp', 'address': '10.5.0.2', 'port': 53, 'scheduler': 'rr', 'one_packet': True,
     'destinations': [{'address': '192.168.1.6', 'port': 5353, 'forwarding': 'masq', 'weight': 5}]},
    {'fwmark': 5, 'scheduler': 'rr',
     'destinations': [{'address': '192.168.1.4', 'forwarding': 'tun', 'tun_type': 'gue', 'tun_port': 6080,
                       'tun_csum': 'csum'}]},
    {'protocol': 'tcp', 'address': '2001:db8::2', 'port': 443, 'scheduler': 'sh', 'sched_flags': ['sh-port'],
     'persistence': 300, 'netmask': '64',
     'destinations': [{'address': '2001:db8::10', 'weight': 2}]},
    {'protocol': 'sctp', 'address': '10.5.0.3', 'port': 3868, 'scheduler': 'lc',
     'destinations': [{'address': '192.168.1.7', 'forwarding': 'nat'}]},
]

BATCH = """\
-E -t 10.5.0.1:80 -s mh -b mh-port
-a -t 10.5.0.1:80 -r 192.168.1.5:80 -g -w 3
-e -t 10.5.0.1:80 -r 192.168.1.1:80 -g -w 0
-e -t 10.5.0.1:80 -r 192.168.1.2:8080 -m -w 1 -x 200 -y 20
-E -u 10.5.0.2:53 -s rr -o
-a -u 10.5.0.2:53 -r 192.168.1.6:5353 -m -w 5
-d -u 10.5.0.2:53 -r 192.168.1.3:53
-e -f 5 -r 192.168.1.4:0 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
-A -t [2001:db8::2]:443 -s sh -p 300 -M 64 -b sh-port
-a -t [2001:db8::2]:443 -r [2001:db8::10]:443 -g -w 2
-A --sctp-service 10.5.0.3:3868 -s lc
-a --sctp-service 10.5.0.3:3868 -r 192.168.1.7:3868 -m -w 1
-D -t [2001:db8::1]:443
"""
