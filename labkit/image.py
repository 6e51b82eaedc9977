"""Build the guest image once per content hash: mmdebstrap bookworm + the lab kernel's modules + lab units.

Artifacts in CACHE/images/<hash>/: base.raw (ext4 root shared read-only by every node through a
copy-on-write file) and a `ready` marker. The lab's SSH key (CACHE/ssh/id_ed25519) is made once
and its public half baked into root's authorized_keys, so nodes of any image answer to it.
The root also carries a container image per Debian release of CONTAINER_SUITES in /var/lib/lvs-lab/:
container.tar, the node's own system (bookworm) without kernel modules and container engine, and
container-trixie.tar, Debian 13 built the same way; the engine nodes import them as the docker images
`lvslab/debian:bookworm` and `lvslab/debian:trixie` (the molecule scenarios pick one each).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from . import config, kernel, qemu
from .util import log, run

SUITE = "bookworm"
# The Debian releases of the container images (molecule); the first is the nodes' own system.
CONTAINER_SUITES = ("bookworm", "trixie")
# The Debian releases a node can boot (`lab up --suite`, `lab restart --suite`); SUITE's image also holds the
# container images, another's is built the first time a node asks for it.
NODE_SUITES = ("bookworm", "trixie")
PACKAGES = [
    "systemd-sysv", "udev", "kmod", "dbus", "openssh-server", "python3", "python3-apt", "sudo",
    "ipvsadm", "keepalived", "iproute2", "iptables", "iputils-ping", "iputils-arping", "curl",
    "busybox", "procps", "netbase", "tcpdump", "docker.io", "crun",
    "ldirectord", "net-tools",  # the clusters built by hand that tests/lab/test_adopt.py adopts
    "ifupdown",  # masked: a lab test turns a real server into a stock Debian server (ifupdown, no networkd)
    "bird2",  # the BGP speaker of lvs_frontend bgp (the director role installs it when missing; no network here)
    "linux-image-amd64",  # Debian's own kernel, for nodes booted under QEMU (labkit/qemu.py)
]
NODE_ONLY = ("docker.io", "crun", "linux-image-amd64")  # not in the other releases' container images
ENGINE_ONLY = ("docker.io", "crun")  # only SUITE's nodes run the container engine
GUEST = Path(__file__).resolve().parent / "guest"
IMAGE_SIZE = "4G"
# What the container image leaves out of the node image (paths relative to the root).
CONTAINER_EXCLUDES = [
    "./usr/lib/modules", "./boot", "./usr/sbin/dockerd", "./usr/bin/docker", "./usr/bin/docker-proxy",
    "./usr/bin/containerd*", "./usr/bin/ctr", "./usr/sbin/runc", "./usr/bin/dnet", "./usr/sbin/ovrouter",
    "./usr/lib/udev/hwdb.bin", "./usr/lib/udev/hwdb.d", "./var/lib/apt/lists/*",
    "./var/lib/lvs-lab", "./var/cache/apt/archives/*.deb", "./etc/ssh/ssh_host_*",
]
MASK = [
    "e2scrub_reap.service",  # 21 s at every boot under QEMU; the lab's disks are throw-away
    "apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "fstrim.timer",
    "systemd-networkd-wait-online.service", "getty@.service", "serial-getty@.service",
    "console-getty.service", "systemd-timesyncd.service",
    "networking.service",  # ifupdown: the lab's nodes run systemd-networkd (labkit/stock.py unmasks it)
]
DISABLE = ["keepalived.service", "ldirectord.service", "docker.service", "docker.socket", "containerd.service"]
ENABLE = ["systemd-networkd.service", "lab-node-init.service", "lab-hostkey.service", "lab-container-init.service"]


def mirror_lines(suite: str = SUITE) -> list[str]:
    """The Debian entries of this machine's apt sources, as one-line 'deb URI SUITE COMPONENTS', for SUITE: this
    machine's bookworm entries (bookworm, -updates, -security) with the release name replaced."""
    wanted, lines = suite, []
    src = Path("/etc/apt/sources.list.d")
    for f in sorted(src.glob("*.sources")):
        for stanza in f.read_text().split("\n\n"):
            fields = {}
            for line in stanza.splitlines():
                if ":" in line and not line.startswith("#"):
                    k, v = line.split(":", 1)
                    fields[k.strip().lower()] = v.strip()
            if "debian-archive-keyring" not in fields.get("signed-by", "debian-archive-keyring"):
                continue
            if "deb" not in fields.get("types", "").split():
                continue
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    if suite.startswith(SUITE):
                        lines.append(f"deb {uri} {suite.replace(SUITE, wanted, 1)} {fields.get('components', 'main')}")
    legacy = [Path("/etc/apt/sources.list"), *sorted(src.glob("*.list"))]
    for f in legacy:
        if f.exists():
            for line in f.read_text().splitlines():
                m = re.match(r"^deb\s+(\[[^]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$", line.strip())
                if m and m.group(3).startswith(SUITE) and "debian" in m.group(2):
                    lines.append(f"deb {m.group(2)} {m.group(3).replace(SUITE, wanted, 1)} {m.group(4)}")
    if not lines:
        raise SystemExit(f"lab: no Debian {SUITE} entry in /etc/apt/sources* to take {suite}'s from: cannot build the "
                         "image")
    return lines


def key_path() -> Path:
    """The lab's SSH private key, created on first use."""
    key = config.CACHE / "ssh" / "id_ed25519"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lvs-lab", "-f", str(key)])
    return key


def node_packages(suite: str) -> list[str]:
    return PACKAGES if suite == SUITE else [p for p in PACKAGES if p not in ENGINE_ONLY]


def container_suites(suite: str) -> tuple[str, ...]:
    """The releases whose container images SUITE's node image holds (only the lab's own release's has them)."""
    return CONTAINER_SUITES if suite == SUITE else ()


def content_hash(kern: kernel.Kernel, suite: str = SUITE) -> str:
    """What the image is made of: release, packages, mirror, lab files, SSH key and the kernel whose modules it
    holds."""
    h = hashlib.sha256()
    for part in [suite, IMAGE_SIZE, *node_packages(suite), *kernel.LAB_MODULES, *CONTAINER_EXCLUDES, *MASK, *DISABLE,
                 *ENABLE, *(line for s in (suite, *container_suites(suite)) for line in mirror_lines(s)),
                 kern.package_version,
                 kern.release, kern.modules_hash,
                 Path(__file__).read_text(), key_path().with_suffix(".pub").read_text()]:
        h.update(part.encode() + b"\0")
    for f in sorted(p for p in GUEST.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(GUEST)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def ensure_image(kern: kernel.Kernel | None = None, suite: str = SUITE) -> Path:
    """Return the cached image directory of SUITE's nodes, building it first when its content hash is new."""
    if suite not in NODE_SUITES:
        raise SystemExit(f"lab: suite {suite!r} is not one of {', '.join(NODE_SUITES)}")
    kern = kern or kernel.ensure()
    missing = kernel.missing_modules(kern)
    if missing:
        raise SystemExit(f"lab: the kernel {kern.describe()} lacks modules the lab loads: {' '.join(missing)}")
    d = config.CACHE / "images" / content_hash(kern, suite)
    if (d / "ready").exists():
        return d
    log(f"building guest image {d.name} (mmdebstrap {suite}; a few minutes the first time)")
    work = config.CACHE / f"build-{suite}"
    shutil.rmtree(work, ignore_errors=True)
    root = work / "root"
    work.mkdir(parents=True)
    _debootstrap(suite, node_packages(suite), root)
    _customize(root, work, kern, containers=suite == SUITE)
    for other_suite in container_suites(suite)[1:]:  # the other releases' container images, built the same way
        other = work / other_suite
        _debootstrap(other_suite, [p for p in PACKAGES if p not in NODE_ONLY], other)
        _customize_system(other)
        _container_tar(other, work, root / "var/lib/lvs-lab" / f"container-{other_suite}.tar")
        shutil.rmtree(other)
    for f, dest in zip(_debian_kernel(root), qemu.kernel_files(work)):
        shutil.copy(f, dest)
    tmp = work / "base.raw"
    run(["mkfs.ext4", "-q", "-F", "-L", "lvslab", "-E", "root_owner=0:0", "-d", str(root), str(tmp), IMAGE_SIZE])
    d.mkdir(parents=True, exist_ok=True)
    shutil.move(str(tmp), d / "base.raw")
    for f in qemu.kernel_files(work):
        shutil.move(str(f), d / f.name)
    os.chmod(d / "base.raw", 0o444)
    os.chmod(d, 0o755)
    (d / "suite").write_text(suite + "\n")
    (d / "ready").write_text(d.name + "\n")
    shutil.rmtree(work, ignore_errors=True)
    _prune(suite, keep={d, *in_use()})
    log(f"guest image ready: {d}")
    return d


def _debian_kernel(root: Path) -> tuple[Path, Path]:
    """The image's Debian kernel and initramfs (exactly one of each)."""
    kernels, initrds = sorted(root.glob("boot/vmlinuz-*")), sorted(root.glob("boot/initrd.img-*"))
    if len(kernels) != 1 or len(initrds) != 1:
        raise SystemExit(f"lab: expected one Debian kernel and initramfs in the image, found {kernels} {initrds}")
    return kernels[0], initrds[0]


def in_use() -> set[Path]:
    """Images that running nodes booted from (each node records its own)."""
    from . import uml
    return {Path((uml.node_dir(n) / "image").read_text().strip()) for n in uml.running()
            if (uml.node_dir(n) / "image").exists()}


def suite_of(image: Path) -> str:
    f = image / "suite"
    return f.read_text().strip() if f.exists() else SUITE


def _prune(suite: str, keep: set[Path]) -> None:
    """Drop cached images of SUITE other than the new one and the ones running nodes booted from (the other
    releases' images stay)."""
    for old in (config.CACHE / "images").iterdir():
        if old not in keep and suite_of(old) == suite:
            log(f"removing old guest image {old.name}")
            shutil.rmtree(old, ignore_errors=True)


def _chroot(root: Path, *cmd: str) -> None:
    run(["chroot", str(root), *cmd])


def _debootstrap(suite: str, packages: list[str], root: Path) -> None:
    run(["mmdebstrap", "--mode=root", "--variant=minbase", f"--include={','.join(packages)}",
         "--dpkgopt=path-exclude=/usr/share/{doc,man,locale,info}/*",
         "--dpkgopt=path-include=/usr/share/doc/*/copyright",
         "--aptopt=Acquire::Languages \"none\"", "--skip=cleanup/apt/lists",
         suite, str(root), *mirror_lines(suite)])


def _customize(root: Path, work: Path, kern: kernel.Kernel, containers: bool) -> None:
    """A node's system: the lab kernel's modules, the lab's files, the QEMU initramfs; with CONTAINERS its own
    container image too (the engines import it)."""
    kver = kern.release
    shutil.copytree(kern.modules, root / "usr/lib/modules" / kver, symlinks=True)
    _customize_system(root)
    (root / "etc/lvs-lab").mkdir(exist_ok=True)
    (root / "etc/lvs-lab/modules").write_text("\n".join(kernel.LAB_MODULES) + "\n")
    _chroot(root, "depmod", "-a", kver)
    _chroot(root, "update-initramfs", "-u", "-k", "all")  # the small one of etc/initramfs-tools (QEMU nodes)
    (root / "var/lib/lvs-lab").mkdir(parents=True, exist_ok=True)
    if containers:
        _container_tar(root, work, root / "var/lib/lvs-lab/container.tar")


def _container_tar(root: Path, work: Path, dest: Path) -> None:
    """ROOT without what a container leaves out (kernel, container engine), as a tar at DEST."""
    excludes = [f"--exclude={e}" for e in CONTAINER_EXCLUDES]
    run(["tar", "-C", str(root), "--numeric-owner", "--xattrs", *excludes, "-cf", str(work / "container.tar"), "."])
    shutil.move(str(work / "container.tar"), dest)


def _installed(root: Path, units: list[str]) -> list[str]:
    """The UNITS that ROOT has (trixie's systemd-networkd is a package of its own, which a stock Debian 13 server
    and so the trixie container image do not have)."""
    dirs = ("usr/lib/systemd/system", "lib/systemd/system", "etc/systemd/system")
    return [u for u in units if any((root / d / u).exists() for d in dirs)]


def _customize_system(root: Path) -> None:
    """What every lab system gets, node or container of any release: the lab's files and units, its SSH key, no
    DNS, nft iptables, root locked."""
    run(["cp", "-a", f"{GUEST}/.", str(root)])
    ssh = root / "root/.ssh"
    ssh.mkdir(mode=0o700, exist_ok=True)
    shutil.copy(key_path().with_suffix(".pub"), ssh / "authorized_keys")
    os.chmod(ssh / "authorized_keys", 0o600)
    for f in root.glob("etc/ssh/ssh_host_*"):
        f.unlink()
    (root / "etc/machine-id").write_text("")
    (root / "etc/hostname").write_text("")
    (root / "etc/resolv.conf").unlink(missing_ok=True)
    (root / "etc/resolv.conf").write_text("# lab guests have no DNS and no route out\n")
    _chroot(root, "systemctl", "mask", *MASK)
    _chroot(root, "systemctl", "disable", *_installed(root, DISABLE))
    _chroot(root, "systemctl", "enable", *_installed(root, ENABLE))
    for tool in ("iptables", "ip6tables"):  # the UML kernel has nf_tables and no legacy xtables
        _chroot(root, "update-alternatives", "--set", tool, f"/usr/sbin/{tool}-nft")
    _chroot(root, "passwd", "-l", "root")

