"""The container runs on the lab's IPVS kernel, with its own IPVS table and net.* sysctls."""

import os


def test_kernel_is_the_lab_kernel_with_ipvs(host):
    assert host.file("/proc/net/ip_vs").exists
    # `lab molecule` sets the release of the kernel the lab booted (labkit/kernel.py)
    assert host.check_output("uname -r") == os.environ["LVS_LAB_KERNEL_RELEASE"]


def test_ipvs_table_was_loaded(host):
    assert host.check_output("ipvsadm -Sn").splitlines() == [
        "-A -t 10.9.0.1:80 -s wlc",
        "-a -t 10.9.0.1:80 -r 10.9.0.2:80 -m -w 3",
    ]


def test_arp_sysctl_is_set_in_the_container(host):
    assert host.sysctl("net.ipv4.conf.all.arp_ignore") == 1


def test_systemd_is_pid_1(host):
    assert host.check_output("cat /proc/1/comm") == "systemd"
