# SPDX-License-Identifier: GPL-3.0-or-later
"""The keepalived role's computed variables: which VIPs stay on lo while keepalived starts for the first time."""

from __future__ import annotations

import pytest
from render import role_var

INSTANCES = [{'name': 'VI_1', 'master': True, 'addresses': ['10.0.0.100/32']},
             {'name': 'VI_2', 'master': False, 'addresses': ['10.0.0.101/32']}]


def bridged(local, addresses):
    variables = {'lvs_model': {'hosts': {'d1': {'vrrp_instances': INSTANCES}}}, 'ansible_local': local,
                 'ansible_facts': {'all_ipv4_addresses': addresses, 'all_ipv6_addresses': []}}
    return role_var('keepalived', 'keepalived_bridge_vips', variables, 'd1')


@pytest.mark.parametrize('local, addresses, expected', [
    ({}, ['10.0.0.1', '10.0.0.100', '10.0.0.101'], ['10.0.0.100/32']),  # set by hand: only its MASTER instance's
    ({}, ['10.0.0.1'], []),  # not held: nothing to keep
    ({'lvs_cluster': {'owner': 'ansible', 'drained': []}}, ['10.0.0.1', '10.0.0.100'], []),  # the roles ran here
    ({}, ['10.0.0.1', '10.0.0.1000'], []),  # a longer address is not the VIP
])
def test_the_vips_kept_on_lo_only_before_the_roles_ever_ran(local, addresses, expected):
    assert bridged(local, addresses) == expected
