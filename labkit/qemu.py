"""Lab nodes under QEMU in software emulation (TCG), booting Debian's own amd64 kernel from the image.

The UML kernel that boots on every host here (labkit/kernel.py) has IPVS but no IPv4 netfilter
tables at all: neither legacy xtables nor IPv4 nftables (`CONFIG_NF_TABLES_IPV4` is unset), so
`iptables -t mangle` fails with "TABLE_ADD failed (Operation not supported)". Directors whose
firewall-mark services need iptables MARK rules therefore boot here instead: the same image and
disk layout, the same taps and addresses, Debian bookworm's stock kernel (what real directors
run), one emulated CPU. No KVM: this host's /dev/kvm is PVM and hangs stock kernels.
"""

from __future__ import annotations

from pathlib import Path

from . import config

BINARY = "qemu-system-x86_64"
MEMORY = {"256M": "512M"}  # the Debian kernel and initramfs want more than a UML node


def kernel_files(image: Path) -> tuple[Path, Path]:
    """The Debian kernel and initramfs the image build copied next to base.raw."""
    return image / "vmlinuz", image / "initrd.img"


def disk_command(image: Path, ndir: Path) -> list[str]:
    """qemu-img command creating the node's copy-on-write disk over the shared read-only image."""
    return ["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(image / "base.raw"),
            str(ndir / "root.qcow2")]


def command(node: config.Node, image: Path, ndir: Path, nics: list[tuple[str, str]], ip_args: list[str]) -> list[str]:
    """The QEMU command line: NICS are (tap, mac) in eth0, eth1 order; IP_ARGS the kernel's `ip=` arguments."""
    vmlinuz, initrd = kernel_files(image)
    append = [
        "root=/dev/vda", "rw", "console=ttyS0", f"systemd.hostname={node.name}", "systemd.show_status=0",
        "loglevel=4", "net.ifnames=0", "quiet", *ip_args,
        # last: Debian 13's initramfs configures the network of the last `ip=` it reads (it took "64" of an
        # IPv6 one for a device and waited 180 s for it); systemd-network-generator ignores a bare ip=off
        "ip=off",
    ]
    # backing.file.locking=off: UML nodes lock the whole shared image file, which QEMU's byte-range
    # locks conflict with; the image is read-only (0444) for every node anyway.
    args = [
        BINARY, "-name", f"lvslab-{node.name}", "-machine", "pc", "-accel", "tcg,tb-size=512",
        "-m", MEMORY.get(node.mem, node.mem), "-smp", "1", "-nodefaults", "-no-user-config",
        "-display", "none", "-serial", "stdio", "-kernel", str(vmlinuz), "-initrd", str(initrd),
        "-drive", f"file={ndir / 'root.qcow2'},if=virtio,format=qcow2,cache=unsafe,backing.file.locking=off",
    ]
    for i, (tap, mac) in enumerate(nics):
        args += ["-netdev", f"tap,id=n{i},ifname={tap},script=no,downscript=no",
                 "-device", f"virtio-net-pci,netdev=n{i},mac={mac}"]
    return [*args, "-append", " ".join(append)]
