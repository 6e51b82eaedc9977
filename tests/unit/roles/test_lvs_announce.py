"""roles/director/files/lvs-announce (lvs_frontend bgp), run as keepalived's quorum commands run it, on a real dummy
interface in a network namespace made here: a VIP is on the interface (announced by BIRD) exactly while every
service of it has its quorum, and the role's `keep` removes the VIPs gone from the inventory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / 'roles' / 'director' / 'files' / 'lvs-announce'
NETNS = 'lvs-unit-announce-%d' % os.getpid()  # a run of its own (two runs at once shared one)
# /proc/net/ip_vs_stats of a lab director (UML 7.2.7), recorded after tests/lab/test_bgp_ecmp.py
STATS = ROOT / 'tests' / 'unit' / 'fixtures' / 'ip_vs_stats.txt'
IFACE = 'lvs-vips'


@pytest.fixture
def announce(tmp_path):
    subprocess.run(['ip', 'netns', 'del', NETNS], capture_output=True, check=False)
    subprocess.run(['ip', 'netns', 'add', NETNS], check=True)
    # this host's kernel has no dummy driver (the lab kernel has, and the lab test has the script make it): the
    # interface is a veth here, left down for the script to bring up
    subprocess.run(['ip', '-n', NETNS, 'link', 'add', IFACE, 'type', 'veth', 'peer', 'name', 'lvs-peer'], check=True)

    def run(*args: str) -> subprocess.CompletedProcess:
        res = subprocess.run(['ip', 'netns', 'exec', NETNS, sys.executable, str(SCRIPT), *args], check=False,
                             capture_output=True, text=True, timeout=30,
                             env={'LVS_ANNOUNCE_STATE': str(tmp_path / 'state'),
                                  'LVS_ANNOUNCE_WITHDRAWN': str(tmp_path / 'lib' / 'withdrawn'),
                                  'LVS_ANNOUNCE_IP_VS_STATS': str(STATS),
                                  'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'})
        assert res.returncode == 0, res
        return res
    try:
        yield run
    finally:
        subprocess.run(['ip', 'netns', 'del', NETNS], check=False)


def held() -> list[str]:
    out = subprocess.run(['ip', '-n', NETNS, '-j', 'addr', 'show', 'dev', IFACE], capture_output=True, text=True,
                         check=True)
    (info,) = json.loads(out.stdout)
    if 'UP' not in info['flags']:
        return ['(down)']
    return sorted('%s/%d' % (a['local'], a['prefixlen']) for a in info['addr_info'] if a['scope'] == 'global')


def test_a_vip_is_announced_while_every_service_of_it_has_its_quorum(announce):
    assert held() == ['(down)']
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http,https')
    assert held() == ['(down)']  # https has not reached its quorum yet
    announce('up', IFACE, 'https', '10.76.0.1/32', 'http,https')
    assert held() == ['10.76.0.1/32']
    announce('up', IFACE, 'dns', '10.76.0.2/32', 'dns')
    announce('up', IFACE, 'http6', '2001:db8:76::1/128', 'http6')
    assert held() == ['10.76.0.1/32', '10.76.0.2/32', '2001:db8:76::1/128']
    announce('down', IFACE, 'http', '10.76.0.1/32', 'http,https')
    assert held() == ['10.76.0.2/32', '2001:db8:76::1/128']  # withdrawn; the other VIPs stay
    announce('down', IFACE, 'http', '10.76.0.1/32', 'http,https')  # again: nothing to do
    announce('up', IFACE, 'https', '10.76.0.1/32', 'http,https')  # https alone is not enough
    assert held() == ['10.76.0.2/32', '2001:db8:76::1/128']
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http,https')
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http,https')  # keepalived may repeat itself
    assert held() == ['10.76.0.1/32', '10.76.0.2/32', '2001:db8:76::1/128']


def test_keep_brings_the_interface_up_and_drops_the_vips_gone_from_the_inventory(announce):
    assert held() == ['(down)']
    assert announce('keep', IFACE, '10.76.0.1/32').stdout.strip() == 'changed'  # brought up
    assert held() == [] and announce('keep', IFACE, '10.76.0.1/32').stdout == ''
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http')
    announce('up', IFACE, 'old', '10.76.0.9/32', 'old')
    assert announce('keep', IFACE, '10.76.0.1/32').stdout.strip() == 'changed'
    assert held() == ['10.76.0.1/32']
    assert announce('keep', IFACE, '10.76.0.1/32').stdout == ''


def test_usage_errors_exit_2(tmp_path):
    res = subprocess.run([sys.executable, str(SCRIPT), 'up', IFACE], capture_output=True, text=True, check=False)
    assert res.returncode == 2 and 'usage' in res.stderr


def test_a_withdrawn_director_announces_nothing_until_restored(announce, tmp_path):
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http')
    announce('up', IFACE, 'dns', '10.76.0.2/32', 'dns')
    assert announce('withdraw', IFACE).stdout.strip() == 'changed'
    assert held() == [] and (tmp_path / 'lib' / 'withdrawn').exists()
    assert announce('withdraw', IFACE).stdout == ''  # again: nothing to do
    assert announce('keep', IFACE, '10.76.0.1/32').stdout == 'withdrawn\n'  # site.yml says so, changes nothing
    announce('down', IFACE, 'dns', '10.76.0.2/32', 'dns')
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http')  # keepalived's checks pass again: still withdrawn
    assert held() == []
    specs = ('10.76.0.1/32=http', '10.76.0.2/32=dns')
    assert announce('announce', IFACE, *specs).stdout.strip() == 'changed'
    assert held() == ['10.76.0.1/32']  # dns lost its quorum meanwhile: not announced
    assert announce('announce', IFACE, *specs).stdout == ''
    announce('up', IFACE, 'dns', '10.76.0.2/32', 'dns')
    assert held() == ['10.76.0.1/32', '10.76.0.2/32']


def test_wait_idle_reads_the_kernel_counters(announce):
    """The recorded counters never change here: idle after the 3 quiet seconds; a shorter bound ends first."""
    assert announce('wait-idle', '30').stdout.startswith('idle after 3.')
    assert announce('wait-idle', '1').stdout.startswith('still receiving after 1.')


def test_a_vip_is_announced_a_delay_after_its_quorum_and_withdrawn_at_once(announce, tmp_path):
    """The delay (the first round of checks: every real server in the table before the routers send flows) runs
    without the lock: a `down` meanwhile is done at once and cancels the announcement."""
    def up(delay: str) -> subprocess.Popen:
        return subprocess.Popen(['ip', 'netns', 'exec', NETNS, sys.executable, str(SCRIPT), 'up', IFACE, 'http',
                                 '10.76.0.1/32', 'http', delay],
                                env={'LVS_ANNOUNCE_STATE': str(tmp_path / 'state'),
                                     'LVS_ANNOUNCE_WITHDRAWN': str(tmp_path / 'lib' / 'withdrawn'),
                                     'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'})
    t0 = time.monotonic()
    waiting = up('2')
    time.sleep(1)
    assert held() == ['(down)'] and waiting.poll() is None  # not yet
    assert waiting.wait(10) == 0 and time.monotonic() - t0 >= 2
    assert held() == ['10.76.0.1/32']
    announce('down', IFACE, 'http', '10.76.0.1/32', 'http', '2')
    assert held() == []  # at once
    waiting = up('2')
    time.sleep(0.5)
    t0 = time.monotonic()
    announce('down', IFACE, 'http', '10.76.0.1/32', 'http', '2')
    assert time.monotonic() - t0 < 1.5  # not held up by the waiting `up`
    assert waiting.wait(10) == 0 and held() == []  # cancelled
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http', '0')
    assert held() == ['10.76.0.1/32']


def test_clear_withdraws_every_vip_and_forgets_the_quorums(announce, tmp_path):
    """What keepalived's unit runs when keepalived ends, killed too: no VIP left, and its next start announces only
    after its checks (no quorum remembered); a drain's withdrawal stays."""
    announce('up', IFACE, 'http', '10.76.0.1/32', 'http')
    announce('up', IFACE, 'http6', '2001:db8:76::1/128', 'http6')
    assert held() == ['10.76.0.1/32', '2001:db8:76::1/128']
    assert announce('clear', IFACE).stdout.strip() == 'changed'
    assert held() == [] and sorted(p.name for p in (tmp_path / 'state').iterdir()) == ['.lock']
    assert announce('clear', IFACE).stdout == ''
    announce('withdraw', IFACE)
    announce('clear', IFACE)
    assert (tmp_path / 'lib' / 'withdrawn').exists()
